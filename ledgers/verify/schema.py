"""The JSON Schemas of the ledger's file kinds (schemas/*.yaml, shipped as package data `minqing.schemas`).

`errors(kind, doc)` gives jsonschema's errors (Draft 2020-12). jsonschema walks every keyword of every document in
Python (~0.2–1 ms a document), which at a county's size is most of a `check`, so `is_valid(kind, doc)` first runs a
gate generated from the same schema as one straight-line Python function (`compiled`, ~5× faster than the nested
closures `interpreted` builds, ~30× faster than jsonschema) and only a document it rejects goes to jsonschema for
the detailed errors. The gate covers exactly the keywords our schemas use; a schema with any other keyword is not
compiled and everything goes through jsonschema (tests/test_schema_gate.py and tests/test_check.py keep the three in
agreement on valid, mutated and fuzzed documents).
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
    """The schema of `kind` as one generated Python function (None: a keyword the generator does not know)."""
    root = load(kind)
    try:
        return generate(root)
    except _Unsupported:
        return None


@cache
def interpreted(kind: str) -> Check | None:
    """The same gate as nested closures, one per keyword: the generator's reference in the tests."""
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


# ---------------------------------------------------------------- the generated gate
#
# The closures above cost a Python call per keyword per value (a visit document is ~60 of them). `generate` writes
# the same tests as the straight-line body of one function (`if not …: return False`), the `$defs` inlined where they
# are used, the type guards a keyword needs dropped where the node's own `type` already settled them, and
# membership tests on frozensets for `required`, `additionalProperties: false` and enums of strings. It knows
# exactly the keywords `_keyword` knows and means the same by each (tests/test_schema_gate.py holds the three
# — jsonschema, the closures, the generated function — to the same verdicts on valid and crafted-invalid documents).

_GUARDS = {
    "string": "isinstance({v}, str)",
    "array": "isinstance({v}, list)",
    "object": "isinstance({v}, dict)",
    "number": "_is_number({v})",
}
_TYPE_TESTS = {
    "string": "isinstance({v}, str)",
    "integer": "_is_integer({v})",
    "number": "_is_number({v})",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "array": "isinstance({v}, list)",
    "object": "isinstance({v}, dict)",
}
_NOT_GIVEN: Any = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_dates: dict[str, bool] = {}


def _is_date_cached(value: str) -> bool:
    """_is_date, remembered: a ledger's dates repeat (a few thousand days across a million documents)."""
    found = _dates.get(value)
    if found is None:
        found = _is_date(value)
        if len(_dates) < 100_000:
            _dates[value] = found
    return found


class _Writer:
    """Writes one function's source; constants go to the namespace it is executed in."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.lines: list[str] = []
        self.names: dict[str, Any] = {
            "_is_integer": _is_integer,
            "_is_number": _is_number,
            "_is_date": _is_date_cached,
            "_same": _same,
            "_unique": _unique,
            "_NOT_GIVEN": _NOT_GIVEN,
        }
        self.count = 0
        self.inlining: list[str] = []  # the $defs being inlined (a recursive one is not supported)

    def constant(self, value: Any) -> str:
        if type(value) in (str, int, float) and repr(value) == repr(eval(repr(value))):  # noqa: S307
            return repr(value)  # a literal in the source
        self.count += 1
        name = f"_c{self.count}"
        self.names[name] = value
        return name

    def variable(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def node(self, node: Any, var: str, depth: int, known: str | None = None) -> None:
        """Statements that return False unless `var` satisfies `node` (`known`: its type is already settled)."""
        if node is True:
            return
        if node is False:
            self.emit(depth, "return False")
            return
        if not isinstance(node, dict):
            raise _Unsupported(node)
        for keyword in node:
            if keyword not in _IGNORED and keyword not in _KEYWORDS:
                raise _Unsupported(keyword)
        if "type" in node:
            value = node["type"]
            names = [value] if isinstance(value, str) else list(value)
            if not names or any(name not in _TYPE_TESTS for name in names):
                raise _Unsupported(value)
            tests = " or ".join(_TYPE_TESTS[name].format(v=var) for name in names)
            self.emit(depth, f"if not ({tests}):")
            self.emit(depth + 1, "return False")
            if len(names) == 1:
                known = names[0]
        for keyword, value in node.items():
            if keyword in _IGNORED or keyword == "type":
                continue
            self.keyword(keyword, value, node, var, depth, known)

    def guarded(self, kind: str, var: str, depth: int, known: str | None, test: str) -> None:
        """`return False` when `var` is of `kind` and `test` holds (the guard dropped when the type is known)."""
        if known == kind or (kind == "number" and known == "integer"):
            self.emit(depth, f"if {test}:")
        else:
            self.emit(depth, f"if {_GUARDS[kind].format(v=var)} and {test}:")
        self.emit(depth + 1, "return False")

    def block(self, kind: str, var: str, depth: int, known: str | None) -> int:
        """Opens `if var is of kind:` unless known; the depth of the statements inside."""
        if known == kind:
            return depth
        self.emit(depth, f"if {_GUARDS[kind].format(v=var)}:")
        return depth + 1

    def keyword(
        self, keyword: str, value: Any, node: dict[str, Any], var: str, depth: int, known: str | None
    ) -> None:
        if keyword == "$ref":
            name = value[len("#/$defs/") :] if isinstance(value, str) else ""
            if not value.startswith("#/$defs/") or name not in self.root.get("$defs", {}):
                raise _Unsupported(value)
            if name in self.inlining:
                raise _Unsupported(value)  # a recursive definition: the closures handle it
            self.inlining.append(name)
            self.node(self.root["$defs"][name], var, depth, known)
            self.inlining.pop()
        elif keyword == "enum":
            # Strings by a set (only a str equals a str), null by identity, anything else by JSON equality.
            options = list(value)
            texts = frozenset(option for option in options if isinstance(option, str))
            others = [option for option in options if not isinstance(option, str) and option is not None]
            tests = [f"(isinstance({var}, str) and {var} in {self.constant(texts)})"] if texts else []
            if None in options:
                tests.append(f"{var} is None")
            if others:
                tests.append(f"any(_same({var}, option) for option in {self.constant(others)})")
            self.emit(depth, f"if not ({' or '.join(tests) or 'False'}):")
            self.emit(depth + 1, "return False")
        elif keyword == "const":
            self.emit(depth, f"if not _same({var}, {self.constant(value)}):")
            self.emit(depth + 1, "return False")
        elif keyword == "pattern":
            search = self.constant(re.compile(value).search)
            self.guarded("string", var, depth, known, f"{search}({var}) is None")
        elif keyword == "format":
            if value != "date":
                raise _Unsupported(keyword)
            self.guarded("string", var, depth, known, f"not _is_date({var})")
        elif keyword == "minLength":
            self.guarded("string", var, depth, known, f"len({var}) < {int(value)!r}")
        elif keyword in ("minimum", "maximum"):
            if not _is_number(value):
                raise _Unsupported(value)
            op = "<" if keyword == "minimum" else ">"
            self.guarded("number", var, depth, known, f"{var} {op} {self.constant(value)}")
        elif keyword == "minItems":
            self.guarded("array", var, depth, known, f"len({var}) < {int(value)!r}")
        elif keyword == "uniqueItems":
            if value:
                self.guarded("array", var, depth, known, f"not _unique({var})")
        elif keyword == "items":
            inner = self.block("array", var, depth, known)
            item = self.variable()
            self.emit(inner, f"for {item} in {var}:")
            before = len(self.lines)
            self.node(value, item, inner + 1)
            if len(self.lines) == before:
                self.emit(inner + 1, "pass")
        elif keyword == "properties":
            inner = self.block("object", var, depth, known)
            before = len(self.lines)
            for name, sub in value.items():
                if sub is True:
                    continue
                item = self.variable()
                self.emit(inner, f"{item} = {var}.get({self.constant(name)}, _NOT_GIVEN)")
                self.emit(inner, f"if {item} is not _NOT_GIVEN:")
                mark = len(self.lines)
                self.node(sub, item, inner + 1)
                if len(self.lines) == mark:
                    self.emit(inner + 1, "pass")
            if len(self.lines) == before and inner > depth:
                self.emit(inner, "pass")
        elif keyword == "required":
            names = self.constant(frozenset(value))
            self.guarded("object", var, depth, known, f"not {var}.keys() >= {names}")
        elif keyword == "additionalProperties":
            if "patternProperties" in node:
                raise _Unsupported(keyword)
            names = self.constant(frozenset(node.get("properties", {})))
            if value is False:
                self.guarded("object", var, depth, known, f"not {names}.issuperset({var})")
            elif value is not True:
                inner = self.block("object", var, depth, known)
                key = self.variable()
                self.emit(inner, f"for {key} in {var}:")
                self.emit(inner + 1, f"if {key} not in {names}:")
                mark = len(self.lines)
                self.node(value, f"{var}[{key}]", inner + 2)
                if len(self.lines) == mark:
                    self.emit(inner + 2, "pass")
        elif keyword == "propertyNames":
            inner = self.block("object", var, depth, known)
            key = self.variable()
            self.emit(inner, f"for {key} in {var}:")
            mark = len(self.lines)
            self.node(value, key, inner + 1)
            if len(self.lines) == mark:
                self.emit(inner + 1, "pass")
        else:
            raise _Unsupported(keyword)


_KEYWORDS = {
    "$ref",
    "type",
    "enum",
    "const",
    "pattern",
    "format",
    "minLength",
    "minimum",
    "maximum",
    "minItems",
    "uniqueItems",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
}


def generate(root: dict[str, Any]) -> Check:
    """One function `gate(doc) -> bool` for the schema `root` (raises _Unsupported for a keyword it does not know)."""
    writer = _Writer(root)
    writer.emit(0, "def gate(v0):")
    writer.node(root, "v0", 1)
    writer.emit(1, "return True")
    namespace = dict(writer.names)
    exec(compile("\n".join(writer.lines), "<schema gate>", "exec"), namespace)  # noqa: S102 - our own source
    gate: Check = namespace["gate"]
    gate.source = "\n".join(writer.lines)  # type: ignore[attr-defined]
    return gate
