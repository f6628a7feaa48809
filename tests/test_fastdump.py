"""ledgers/core/fastdump.py writes exactly PyYAML's bytes for minqing's documents, and falls back for the rest.

Property tests: for any document (tricky scalars, random text from YAML's special characters, CJK, nesting),
`yamlio.dump` and `yamlio.dump_stream_doc` equal the PyYAML reference byte for byte; and the writer takes the fast
path for the documents a ledger is made of (every file of the demo county), or it would save nothing.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minqing.ledgers.core import fastdump, yamlio

TRICKY = [
    "yes", "no", "No", "ON", "off", "true", "False", "y", "n", "null", "Null", "NULL", "~", "", " ", "012", "0x1F",
    "1_000", "1.5", ".inf", "-1", "+1", "0", "7", "1e3", "1:20", " a", "a ", "a  b", "a: b", "a:b", "a #b", "a#b",
    "#a", "'", "''", "'a'", '"', '"a"', "a'b", 'a"b', "[a]", "{a}", "a, b", "a,b", "&x", "*x", "!x", "%x", "@x",
    "`x", "|", ">", "? x", "- x", "-", "-a", "--- x", "---", "...", ".a", "2026-11-24", "2026-11-24T01:09:17+08:00",
    "2026/11/24", "=", "<<", "C-4H2J9X", "测试户甲", "路灯损坏，需更换", "a\\b", "a\tb", "a\nb", "a\n", "\u2028",
    "\x85", "\ufeff", "\x7f", "\u00a0", "a\u00a0", "\u3000测试", "😀", "138****1234", "(a)", "a(b)", "+", "/a",
    "_", "0o7", "0b101", "190:20:30", "1,000", "x" * 130, "甲" * 3000,
]  # fmt: skip
KEYS = st.one_of(
    st.sampled_from(["id", "name", "desc", "at", "by", "on", "no", "yes", "null", "1", "a b", "k" * 130, ""]),
    st.text(alphabet=st.sampled_from(list("az_09 -:.测")), max_size=6),
)
ALPHABET = list(
    string.ascii_letters[:6] + string.digits[:4] + string.punctuation + " \t\n\u00a0\u3000\u2028测试户"
)
# Mostly characters the fast path writes (so it is exercised, not only its fallback), some it must refuse.
NEAR_SAFE = list("aZ09_-./+():*!$%&;<=>@^~ 测户 　：，") + ["'", "#", ",", "\n"]
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=st.sampled_from(ALPHABET), max_size=12),
    st.text(alphabet=st.sampled_from(NEAR_SAFE), max_size=12),
)
SCALAR = st.one_of(TEXT, st.integers(-(10**12), 10**12), st.none(), st.booleans(), st.floats(allow_nan=False))
DOCUMENT = st.recursive(
    SCALAR,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=25,
)
TOP = st.dictionaries(KEYS, DOCUMENT, max_size=8)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TOP)
def test_block_documents_are_pyyamls_bytes(data: dict[str, Any]) -> None:
    assert yamlio.dump(data) == yamlio.dump_with_pyyaml(data)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TOP)
def test_stream_documents_are_pyyamls_bytes(data: dict[str, Any]) -> None:
    assert yamlio.dump_stream_doc(data) == yamlio.dump_stream_doc_with_pyyaml(data)


@pytest.mark.parametrize("value", TRICKY)
def test_each_tricky_scalar_as_value_key_and_list_item(value: str) -> None:
    for data in ({"v": value}, {value: 1}, {"v": [value, {"k": value}]}, {"v": {"w": [value]}}):
        assert yamlio.dump(data) == yamlio.dump_with_pyyaml(data)
        assert yamlio.dump_stream_doc(data) == yamlio.dump_stream_doc_with_pyyaml(data)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in _strings(key) + _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_the_demo_countys_documents_take_the_fast_path(demo: Path) -> None:
    """Every entity file and stream line of the demo is PyYAML's text and is written fast, or the fast writer
    would save nothing."""
    entity_files = stream_docs = 0
    for path in sorted(demo.rglob("*.yaml")):
        if ".git" in path.parts or path.name == "minqing.yaml":
            continue
        text = path.read_text(encoding="utf-8")
        if text.startswith("--- "):
            for line in text.splitlines(keepends=True):
                data = yaml.safe_load(line)
                assert yamlio.dump_stream_doc_with_pyyaml(data) == line, path
                assert fastdump.dump_flow_doc(data) == line, path
                stream_docs += 1
        else:
            data = yaml.load(text, Loader=yamlio.FastLoader)  # noqa: S506 - a SafeLoader
            if any("\n" in value for value in _strings(data)):
                continue  # a multi-line note is a block scalar: PyYAML writes those
            assert yamlio.dump_with_pyyaml(data) == text, path
            assert fastdump.dump_block(data) == text, path
            entity_files += 1
    assert entity_files > 500 and stream_docs > 500
