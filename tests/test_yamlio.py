"""ledgers/yamlio.py: the loader refuses anchors/aliases, tags and duplicate keys, resolves no timestamps, limits
size; the dumper writes a stable, minimal-diff form that round-trips."""

from __future__ import annotations

import pytest

from minqing.ledgers.core import yamlio
from minqing.ledgers.core.yamlio import YamlProblem


def problem(call, *args, **kwargs) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x 1\nb: *x\n", 1),
        ("list:\n- &x [1, 2]\n- *x\n", 2),
        ("a: {x: &y 1, y: *y}\n", 1),
        ("a: 1\nb: [1, *nothing]\n", 2),
        # billion laughs
        ('a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n', 1),
    ],
)
def test_anchors_and_aliases_are_refused(text: str, line: int) -> None:
    for load in (yamlio.load, yamlio.load_all):
        found = problem(load, text)
        assert found.code in ("yaml_alias", "yaml_syntax")
        assert found.line == line


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !custom 1\n",
        "--- !!map\na: 1\n",
        "a: !!str 1\n",
        "a:\n  - !!binary aGVsbG8=\n",
    ],
)
def test_tags_are_refused(text: str) -> None:
    found = problem(yamlio.load, text)
    assert found.code == "yaml_tag"


def test_star_and_bang_inside_text_are_plain_text() -> None:
    data = yamlio.load("phone: 138****1234\nnote: 好！很好!\nid: 520***********1237\nmath: 2*3\n")
    assert data == {"phone": "138****1234", "note": "好！很好!", "id": "520***********1237", "math": "2*3"}


def test_duplicate_keys() -> None:
    text = "id: Q-AAAAAA\nstate: registered\nstate: closed\n"
    found = problem(yamlio.load, text)
    assert (found.code, found.line, found.detail) == ("duplicate_key", 3, "state")
    nested = problem(yamlio.load, "a:\n  x: 1\n  x: 2\n")
    assert nested.line == 3
    (located,) = yamlio.load_located(text)
    assert located.duplicate_keys == (("state", 3),)


def test_no_timestamps_are_resolved_everything_else_is_plain_yaml() -> None:
    data = yamlio.load(
        "date: 2026-11-23\nat: 2026-11-23T10:15:00+08:00\nspaced: 2026-11-23 10:15:00\n"
        "code: '520602'\nn: 4\nflag: true\nnothing: null\n"
    )
    assert data == {
        "date": "2026-11-23",
        "at": "2026-11-23T10:15:00+08:00",
        "spaced": "2026-11-23 10:15:00",
        "code": "520602",
        "n": 4,
        "flag": True,
        "nothing": None,
    }
    (located,) = yamlio.load_located("date: 2026-11-23\n")
    assert located.data == {"date": "2026-11-23"}


def test_size_limit_nul_bytes_encoding_and_syntax_errors_carry_a_line() -> None:
    assert problem(yamlio.load, "a: " + "x" * 100, limit=50).code == "too_large"
    nul = problem(yamlio.load, "a: 1\nb: x\x00y\n")
    assert (nul.code, nul.line) == ("nul_bytes", 2)
    bad = problem(yamlio.decode, "a: 1\nb: 好\n".encode("gbk"))
    assert (bad.code, bad.line) == ("not_utf8", 2)
    syntax = problem(yamlio.load, "a: 1\nb: [unclosed\nc: 2\n")
    assert syntax.code == "yaml_syntax" and syntax.line >= 2


def test_dump_keeps_key_order_unicode_and_block_text_and_round_trips() -> None:
    data = {"id": "Q-AAAAAA", "desc": "屋顶漏雨\n厨房也漏", "code": "520602", "team": [], "due": None, "n": 3}
    text = yamlio.dump(data)
    assert text.splitlines()[0] == "id: Q-AAAAAA"
    assert [line.split(":")[0] for line in text.splitlines() if not line.startswith(" ")] == list(data)
    assert "屋顶漏雨" in text and "\\u" not in text
    assert "desc: |-\n  屋顶漏雨\n  厨房也漏\n" in text
    assert "code: '520602'" in text
    assert yamlio.load(text) == data
    assert yamlio.dump(yamlio.load(text)) == text  # stable: re-dumping changes nothing


def test_shared_objects_are_written_out_not_aliased() -> None:
    shared = ["C-AAAAAA"]
    text = yamlio.dump({"team": shared, "by": shared})
    assert "&" not in text and "*" not in text
    assert yamlio.load(text) == {"team": ["C-AAAAAA"], "by": ["C-AAAAAA"]}


def test_stream_documents_are_one_flow_line_each() -> None:
    docs = [
        {"id": "V-AAAAAA", "date": "2026-11-20", "by": ["C-AAAAAA", "C-BBBBBB"], "note": "入户"},
        {"id": "V-BBBBBB", "date": "2026-11-21", "by": [], "note": None},
    ]
    text = "".join(yamlio.dump_stream_doc(doc) for doc in docs)
    lines = text.splitlines()
    assert len(lines) == 2 and all(line.startswith("--- {id: V-") for line in lines)
    assert yamlio.load_all(text) == docs
    assert list(yamlio.iter_stream_docs(text)) == docs
    assert yamlio.load_all("---\n--- {id: V-CCCCCC}\n") == [{"id": "V-CCCCCC"}]


def test_located_lines_per_key_path() -> None:
    (located,) = yamlio.load_located("id: Q-A\nhistory:\n- op: create\n  by: C-A\n- op: close\n")
    assert located.lines[("id",)] == 1
    assert located.lines[("history", 1, "op")] == 5
    many = yamlio.load_located("--- {id: V-A}\n--- {id: V-B}\n", stream=True)
    assert [doc.start_line for doc in many] == [1, 2]
    assert problem(yamlio.load_located, "a: 1\n---\nb: 2\n").line == 3  # an entity file is one document
