"""The generated schema gate (schema.compiled) gives jsonschema's verdict, and the closures' (schema.interpreted),
on every document of the demo ledger and on crafted-invalid copies of them: each value replaced by wrong types,
wrong patterns, impossible dates, unknown keys, missing keys — by hand and by hypothesis."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import mutations

from minqing.ledgers.verify import check as checks
from minqing.ledgers.verify import schema

NASTY = [
    None,
    0,
    -1,
    1,
    1.0,
    1.5,
    True,
    False,
    "",
    "x",
    "2026-02-30",
    "2026-2-3",
    "2026-02-03",
    "２０２６-02-03",
    "C-ZZZZZZ",
    "C-ILOU00",
    "H-01JPQ6\n",
    "520602101201",
    "5206021012011",
    "closed",
    "satisfied",
    [],
    ["x"],
    [None],
    ["C-ZZZZZZ", "C-ZZZZZZ"],
    {},
    {"k": 1},
    {"how": "solved", "note": None, "date": "2026-01-02"},
]


def _reference(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema.load(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def samples(demo: Path) -> dict[str, list[Any]]:
    parsed, problems = checks.parse_files(checks.read_tree(demo))
    assert problems == []
    out: dict[str, list[Any]] = {}
    for ledger_file in parsed:
        out.setdefault(ledger_file.kind, []).extend(ledger_file.docs)
    return out


def _agree(kind: str, doc: Any) -> bool:
    verdict = _reference(kind).is_valid(doc) if kind not in _REFS else _REFS[kind].is_valid(doc)
    assert schema.compiled(kind)(doc) == verdict, (kind, doc)  # type: ignore[misc]
    assert schema.interpreted(kind)(doc) == verdict, (kind, doc)  # type: ignore[misc]
    assert schema.is_valid(kind, doc) == verdict
    return verdict


_REFS: dict[str, Any] = {}


def test_every_kind_has_a_generated_gate() -> None:
    for kind in schema.KINDS:
        assert schema.compiled(kind) is not None, kind
        assert schema.interpreted(kind) is not None, kind


def test_gates_agree_on_every_demo_document(samples: dict[str, list[Any]]) -> None:
    for kind in schema.KINDS:
        _REFS.setdefault(kind, _reference(kind))
    counted = 0
    for kind, docs in samples.items():
        for doc in docs:
            assert _agree(kind, doc)
            counted += 1
    assert counted > 500
    assert {"config", "units", "cadre", "household", "item", "visit"} <= set(samples)


def test_gates_agree_on_crafted_invalid_documents(samples: dict[str, list[Any]]) -> None:
    for kind in schema.KINDS:
        _REFS.setdefault(kind, _reference(kind))
    tried = rejected = 0
    for kind, docs in samples.items():
        # the longest documents of each kind: the most keys and history entries to break
        for doc in sorted(docs, key=lambda d: -len(repr(d)))[:1]:
            for _keys, mutated in mutations(doc, NASTY):
                tried += 1
                rejected += not _agree(kind, mutated)
    assert tried > 5000 and rejected > tried // 3


def test_a_schema_with_an_unknown_keyword_is_not_generated() -> None:
    with pytest.raises(schema._Unsupported):
        schema.generate({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}})
    with pytest.raises(schema._Unsupported):
        schema.generate({"type": "string", "format": "email"})


def test_the_generator_on_small_schemas() -> None:
    gate = schema.generate(
        {
            "type": "object",
            "required": ["a"],
            "additionalProperties": {"type": "integer", "minimum": 1},
            "propertyNames": {"pattern": "^[a-z]+$"},
            "properties": {
                "a": {"enum": ["x", None, 1, True]},
                "b": {"type": "array", "uniqueItems": True, "items": {"type": "number", "maximum": 2}},
                "c": {"const": 1},
            },
        }
    )
    assert gate({"a": "x"}) and gate({"a": None}) and gate({"a": 1}) and gate({"a": True})
    assert not gate({"a": 1.5}) and not gate({"a": "y"}) and not gate({"b": []})
    assert (
        gate({"a": "x", "b": [1, 2.0]})
        and not gate({"a": "x", "b": [1, 1]})
        and not gate({"a": "x", "b": [3]})
    )
    assert gate({"a": "x", "b": [True, 1]}) is False  # a boolean is not a number
    assert gate({"a": "x", "c": 1}) and gate({"a": "x", "c": 1.0}) and not gate({"a": "x", "c": True})
    assert gate({"a": "x", "zz": 2}) and not gate({"a": "x", "zz": 0}) and not gate({"a": "x", "Z": 1})
    assert not gate([]) and not gate(None)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from([s for s in NASTY if isinstance(s, str)]),
    st.text(max_size=12),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_gates_agree_on_fuzzed_documents(samples: dict[str, list[Any]], data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(samples)))
    _REFS.setdefault(kind, _reference(kind))
    doc = copy.deepcopy(data.draw(st.sampled_from(samples[kind])))
    # Walk down to a random mapping or list inside the document and replace, drop or add one value there.
    target = doc
    for _ in range(data.draw(st.integers(0, 4))):
        children = list(target.items()) if isinstance(target, dict) else list(enumerate(target))
        children = [(k, v) for k, v in children if isinstance(v, dict | list) and v]
        if not children:
            break
        target = data.draw(st.sampled_from(children))[1]
    if isinstance(target, dict) and target:
        key = data.draw(st.sampled_from(sorted(target, key=str)))
        action = data.draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            target[key] = data.draw(_values)
        elif action == "drop":
            del target[key]
        else:
            target[data.draw(st.text(max_size=8))] = data.draw(_values)
    elif isinstance(target, list) and target:
        target[data.draw(st.integers(0, len(target) - 1))] = data.draw(_values)
    _agree(kind, doc)
