"""The JSON Schemas of the ledger's file kinds (schemas/*.yaml, shipped as package data `minqing.schemas`).

`errors(kind, doc)` gives jsonschema's errors (Draft 2020-12). jsonschema walks every keyword of every document in
Python (~0.2–1 ms a document), which at a county's size is most of a `check`, so `is_valid(kind, doc)` first runs a
validator compiled to plain closures from the same schema (~20× faster) and only a document it rejects goes to
jsonschema for the detailed errors. The compiled gate covers exactly the keywords our schemas use; a schema with
any other keyword is not compiled and everything goes through jsonschema (tests/test_check.py keeps the two in
agreement on mutated documents).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from ..core import yamlio

KINDS = ("config", "units", "cadre", "household", "item", "visit", "activity", "survey", "review", "period")

Check = Callable[[Any], bool]


@cache
def load(kind: str) -> dict[str, Any]:
    """The schema for a file kind, from the installed package (works after a plain `pip install .`)."""
    from importlib import resources

    text = resources.files("minqing.schemas").joinpath(f"{kind}.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yamlio.load(text, limit=yamlio.MAX_STREAM_BYTES)
    return loaded


@cache
def validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(kind: str, doc: Any) -> list[Any]:
    """jsonschema ValidationErrors for one document ([] when valid). Fast for valid documents."""
    if is_valid(kind, doc):
        return []
    return list(validator(kind).iter_errors(doc))


def is_valid(kind: str, doc: Any) -> bool:
    gate = compiled(kind)
    if gate is None:
        return bool(validator(kind).is_valid(doc))
    return gate(doc)


@cache
def compiled(kind: str) -> Check | None:
    root = load(kind)
    try:
        return _compile(root, root, {})
    except _Unsupported:
        return None


# ---------------------------------------------------------------- the compiled gate


class _Unsupported(Exception):
    pass


_IGNORED = {"$schema", "$id", "$defs", "title", "description", "$comment"}


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _same(a: Any, b: Any) -> bool:
    # JSON Schema equality: true is not 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _compile(node: Any, root: dict[str, Any], refs: dict[str, Check]) -> Check:
    if node is True:
        return lambda v: True
    if node is False:
        return lambda v: False
    if not isinstance(node, dict):
        raise _Unsupported(node)
    checks: list[Check] = []
    for keyword, value in node.items():
        if keyword in _IGNORED:
            continue
        checks.append(_keyword(keyword, value, node, root, refs))
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(check(v) for check in checks)


def _keyword(
    keyword: str, value: Any, node: dict[str, Any], root: dict[str, Any], refs: dict[str, Check]
) -> Check:
    if keyword == "$ref":
        return _ref(value, root, refs)
    if keyword == "type":
        tests = [_TYPES[name] for name in ([value] if isinstance(value, str) else value)]
        return lambda v: any(test(v) for test in tests)
    if keyword == "enum":
        options = list(value)
        return lambda v: any(_same(v, option) for option in options)
    if keyword == "const":
        return lambda v: _same(v, value)
    if keyword == "pattern":
        regex = re.compile(value)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None
    if keyword == "format":
        if value != "date":
            raise _Unsupported(keyword)
        return lambda v: not isinstance(v, str) or _is_date(v)
    if keyword == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= value
    if keyword == "minimum":
        return lambda v: not _TYPES["number"](v) or v >= value
    if keyword == "maximum":
        return lambda v: not _TYPES["number"](v) or v <= value
    if keyword == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= value
    if keyword == "uniqueItems":
        return lambda v: not value or not isinstance(v, list) or _unique(v)
    if keyword == "items":
        item_check = _compile(value, root, refs)
        return lambda v: not isinstance(v, list) or all(item_check(x) for x in v)
    if keyword == "properties":
        props = {name: _compile(sub, root, refs) for name, sub in value.items()}
        return lambda v: (
            not isinstance(v, dict) or all(check(v[name]) for name, check in props.items() if name in v)
        )
    if keyword == "required":
        names = list(value)
        return lambda v: not isinstance(v, dict) or all(name in v for name in names)
    if keyword == "additionalProperties":
        known = set(node.get("properties", {}))
        if "patternProperties" in node:
            raise _Unsupported(keyword)
        extra = _compile(value, root, refs)
        return lambda v: not isinstance(v, dict) or all(extra(v[k]) for k in v if k not in known)
    if keyword == "propertyNames":
        name_check = _compile(value, root, refs)
        return lambda v: not isinstance(v, dict) or all(name_check(k) for k in v)
    raise _Unsupported(keyword)


def _ref(target: str, root: dict[str, Any], refs: dict[str, Check]) -> Check:
    name = target[len("#/$defs/") :]
    if not target.startswith("#/$defs/") or name not in root.get("$defs", {}):
        raise _Unsupported(target)
    if name not in refs:
        refs[name] = lambda v: True  # bound late below, so a recursive definition compiles
        refs[name] = _compile(root["$defs"][name], root, refs)
    return lambda v: refs[name](v)


def _unique(values: list[Any]) -> bool:
    try:
        return len({(type(x) is bool, x) for x in values}) == len(values)
    except TypeError:
        return all(not _same(a, b) for i, a in enumerate(values) for b in values[i + 1 :])
