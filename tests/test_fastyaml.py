"""ledgers/fastyaml.py reads what minqing writes exactly as PyYAML does, and declines (MISS) everything else.

Property tests: any value the writers produce reads back the same through both readers; any mutation of such a
file is either declined or read the same as PyYAML reads it (and never accepted where PyYAML fails).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minqing.ledgers.core import fastyaml, yamlio
from minqing.ledgers.core.fastyaml import MISS

TRICKY = [
    "yes", "no", "No", "ON", "off", "true", "False", "y", "n", "null", "Null", "~", "", " ", "012", "0x1F", "1_000",
    "1.5", ".inf", "-1", "+1", "0", "7", "1e3", "1:20", " a", "a ", "a  b", "a: b", "a:b", "a #b", "a#b", "#a", "'",
    "''", "'a'", '"', '"a"', "a'b", 'a"b', "[a]", "{a}", "a, b", "a,b", "&x", "*x", "!x", "%x", "@x", "`x", "|", ">",
    "? x", "- x", "-", "--- x", "...", "2026-11-24", "2026-11-24T01:09:17+08:00", "=", "<<", "C-4H2J9X", "测试户甲",
    "路灯损坏，需更换", "a\\b", "a\tb", "a\nb", "\u2028", "\x85", "\ufeff", "\x7f", "\u00a0", "😀", "138****1234",
]  # fmt: skip
KEYS = st.sampled_from(
    [
        "id",
        "name",
        "desc",
        "note",
        "at",
        "by",
        "op",
        "fields",
        "unit",
        "a_b",
        "x1",
        "y",
        "on",
        "no",
        "org.add",
        "n.",
        "y.1",
    ]
)
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=st.sampled_from(list("ab 01:#'\",-[]{}&*!|>?%@`~.测试\\")), max_size=12),
)
SCALAR = st.one_of(TEXT, st.integers(-5, 10**6), st.none(), st.booleans())
FLAT = st.dictionaries(KEYS, st.one_of(SCALAR, st.lists(SCALAR, max_size=3)), max_size=6)
ENTITY = st.dictionaries(
    KEYS,
    st.one_of(SCALAR, st.lists(SCALAR, max_size=3), FLAT, st.lists(FLAT, max_size=3)),
    min_size=1,
    max_size=8,
)
# Documents of one stream share their keys (the writer's order): the reader's per-stream template path.
SAME_KEYS = st.lists(
    st.fixed_dictionaries(
        {
            "id": TEXT,
            "date": SCALAR,
            "by": st.lists(SCALAR, max_size=3),
            "note": TEXT,
            "items": st.lists(TEXT, max_size=2),
        }
    ),
    min_size=2,
    max_size=5,
)
MUTATION_CHARS = list(" \n-:#'\"[]{},&*!|>?%@`~\t.\\aZ0测")


def _yaml_block(text: str) -> Any:
    return yaml.load(text, Loader=yamlio.FastLoader)  # noqa: S506 - a SafeLoader


def _yaml_stream(text: str) -> Any:
    return [doc for doc in yaml.load_all(text, Loader=yamlio.FastLoader) if doc is not None]  # noqa: S506


def _agrees(fast: Any, slow: Any) -> bool:
    return fast is MISS or (fast == slow and _same_types(fast, slow))


def _same_types(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENTITY)
def test_entity_files_read_the_same(data: dict[str, Any]) -> None:
    text = yamlio.dump(data)
    slow = _yaml_block(text)
    assert slow == data
    assert _agrees(fastyaml.load_block(text), slow)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FLAT.filter(bool), max_size=4))
def test_stream_documents_read_the_same(docs: list[dict[str, Any]]) -> None:
    text = "".join(yamlio.dump_stream_doc(doc) for doc in docs)
    slow = _yaml_stream(text)
    assert slow == docs
    assert _agrees(fastyaml.load_stream(text), slow)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SAME_KEYS)
def test_streams_of_one_shape_read_the_same(docs: list[dict[str, Any]]) -> None:
    text = "".join(yamlio.dump_stream_doc(doc) for doc in docs)
    slow = _yaml_stream(text)
    assert slow == docs
    assert _agrees(fastyaml.load_stream(text), slow)


def _mutations(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        char = data.draw(st.sampled_from(MUTATION_CHARS))
        if action == "insert":
            text = text[:at] + char + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + char + text[at + 1 :]
    return text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENTITY, st.data())
def test_mutated_entity_files_are_declined_or_read_the_same(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    text = _mutations(yamlio.dump(data), draw)
    fast = fastyaml.load_block(text)
    try:
        slow = _yaml_block(text)
    except (yaml.YAMLError, yamlio.YamlProblem):
        assert fast is MISS, text
        return
    assert _agrees(fast, slow), text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FLAT.filter(bool), min_size=1, max_size=3), st.data())
def test_mutated_streams_are_declined_or_read_the_same(
    docs: list[dict[str, Any]], draw: st.DataObject
) -> None:
    text = _mutations("".join(yamlio.dump_stream_doc(doc) for doc in docs), draw)
    fast = fastyaml.load_stream(text)
    try:
        slow = _yaml_stream(text)
    except (yaml.YAMLError, yamlio.YamlProblem):
        assert fast is MISS, text
        return
    assert _agrees(fast, slow), text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SAME_KEYS, st.data())
def test_mutated_streams_of_one_shape_are_declined_or_read_the_same(
    docs: list[dict[str, Any]], draw: st.DataObject
) -> None:
    text = _mutations("".join(yamlio.dump_stream_doc(doc) for doc in docs), draw)
    fast = fastyaml.load_stream(text)
    try:
        slow = _yaml_stream(text)
    except (yaml.YAMLError, yamlio.YamlProblem):
        assert fast is MISS, text
        return
    assert _agrees(fast, slow), text


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key: PyYAML's error and line
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: !!str 1\n",  # tags
        "a: |\n  two\n  lines\n",  # block scalar
        "a: b\n  c\n",  # multi-line plain scalar
        "a: b # comment\n",
        "\n",
        "- a\n- b\n",  # not a mapping
        "a: 1.5\n",  # float
        "a: 0x1F\n",  # a YAML 1.1 int other than plain decimal
        "a:\tb\n",
        "a: 'x' y\n",
    ],
)
def test_outside_the_subset_is_declined(text: str) -> None:
    assert fastyaml.load_block(text) is MISS


def test_what_minqing_writes_is_read_fast(sample: Any) -> None:
    """The subset covers every file the operations write: the fast path is what the index build runs on."""
    from conftest import run

    result = run(
        "visit", "add", "--as", sample.admin, "--household", sample.households[0], "--by", sample.village_cadre,
        "--note", "屋顶漏雨，已登记", "--raise", "屋顶漏雨", "--category", "housing", ledger=sample.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    files = [p for p in sample.path.rglob("*.yaml") if ".git" not in p.parts]
    kinds = {p.relative_to(sample.path).parts[0] for p in files}
    assert {"cadres", "households", "issues", "visits", "org", "minqing.yaml"} <= kinds
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.parts[-2] == "visits" or "visits" in path.relative_to(sample.path).parts:
            assert fastyaml.load_stream(text) == _yaml_stream(text), path
        else:  # the office config too: its permission keys (`org.add`) are plain strings
            assert fastyaml.load_block(text) == _yaml_block(text), path


def test_the_resolver_copy_is_pyyamls_table() -> None:
    """fastyaml resolves with its own copy of PyYAML's implicit resolvers (so reads need not import PyYAML): the copy
    must be the loader's live table, first character by first character, in the same order."""
    live = {
        first: [(tag, regexp.pattern, regexp.flags) for tag, regexp in entries]
        for first, entries in yamlio.FastLoader.yaml_implicit_resolvers.items()
    }
    copy = {
        first: [(tag, regexp.pattern, regexp.flags) for tag, regexp in entries]
        for first, entries in fastyaml.resolver_table().items()
    }
    assert list(copy) == list(live)
    assert copy == live
    for word in TRICKY + ["org.add", "n.1", "1.5", "0o7", "0b1", "+.inf"]:
        loader = yamlio.FastLoader("")
        assert fastyaml._resolve(word) == loader.resolve(yaml.ScalarNode, word, (True, False)), word


def test_yamlio_uses_the_fast_path_and_keeps_its_errors() -> None:
    assert yamlio.load("id: C-1\nname: 甲\n") == {"id": "C-1", "name": "甲"}
    with pytest.raises(yamlio.YamlProblem) as error:
        yamlio.load("a: 1\na: 2\n")
    assert error.value.line == 2 and error.value.code == "duplicate_key"
    assert yamlio.load_all("--- {id: V-1, by: [C-1, C-2]}\n--- {id: V-2, by: []}\n") == [
        {"id": "V-1", "by": ["C-1", "C-2"]},
        {"id": "V-2", "by": []},
    ]


def test_values_are_never_shared_between_reads() -> None:
    text = "id: Q-1\nteam: []\npairings:\n- C-1\nfields: {}\nhistory:\n- id: A\n  fields:\n    to: x\n"
    first = fastyaml.load_block(text)
    first["team"].append("C-9")
    first["pairings"].append("C-9")
    first["fields"]["x"] = 1
    first["history"][0]["fields"]["to"] = "y"
    assert fastyaml.load_block(text) == _yaml_block(text)
    stream = "--- {id: V-1, by: [C-1], items: []}\n"
    docs = fastyaml.load_stream(stream)
    docs[0]["by"].append("C-9")
    docs[0]["items"].append("Q-9")
    assert fastyaml.load_stream(stream) == _yaml_stream(stream)
