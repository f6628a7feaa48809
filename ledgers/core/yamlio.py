"""Reading and writing ledger YAML safely and in a stable form.

Reads: C loader when present, no timestamp resolution (dates stay strings), no anchors/aliases (billion laughs),
no custom tags, no duplicate keys, a size limit. Writes: fixed key order, unicode, no aliases, minimal diffs.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import fastyaml
from .messages import Text

if TYPE_CHECKING:
    import yaml

MAX_ENTITY_BYTES = 1 << 20  # 1 MiB: an item with a long history is a few KB
MAX_STREAM_BYTES = 64 << 20  # a month of visits in one village


def _without_timestamps(loader_cls: Any) -> Any:
    resolvers = {
        first: [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:timestamp"]
        for first, entries in loader_cls.yaml_implicit_resolvers.items()
    }
    return type("Ledger" + loader_cls.__name__, (loader_cls,), {"yaml_implicit_resolvers": resolvers})


class YamlProblem(ValueError):
    """A file is not ledger YAML. `line` is 1-based (0 when unknown); `code` and `detail` let check name the kind.

    `message` is English (check's findings and the index's notes keep it); `said` is the same in the user's language,
    for the one-line refusal (issue 17: a Chinese message carries no English fragment)."""

    def __init__(
        self,
        message: str,
        line: int = 0,
        code: str = "yaml_syntax",
        detail: str = "",
        said: Text | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code
        self.detail = detail
        self.said = said if said is not None else Text("yaml_problem", problem=message)


def _unique_keys_mapping(self: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    # PyYAML silently keeps the last of two equal keys; in a ledger file that is a hand edit gone wrong.
    import yaml

    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                line = key_node.start_mark.line + 1
                raise YamlProblem(
                    f"duplicate key {key_node.value}",
                    line,
                    "duplicate_key",
                    key_node.value,
                    Text("yaml_duplicate_key", field=key_node.value),
                )
            seen.add(key_node.value)
    return yaml.constructor.SafeConstructor.construct_mapping(self, node, deep)


class _PyYaml:
    """PyYAML and the classes minqing reads and writes with, built on first use: the files minqing writes are read
    and written by fastyaml and fastdump, and importing PyYAML costs a read-only command ~15 ms of its startup.
    (A plain class: a dataclass costs every command's startup ~0.5 ms to build.)"""

    __slots__ = ("module", "fast_loader", "pure_loader", "dumper")

    def __init__(self, module: Any, fast_loader: Any, pure_loader: Any, dumper: Any) -> None:
        self.module = module
        # safe, C when there is libyaml, no timestamps, no duplicate keys
        self.fast_loader = fast_loader
        # safe, pure Python, no timestamps: event scans and constructing from composed nodes
        self.pure_loader = pure_loader
        self.dumper = dumper


@functools.cache
def _pyyaml() -> _PyYaml:
    import yaml

    c_loader = getattr(yaml, "CSafeLoader", None)
    if c_loader is None:  # pragma: no cover - depends on how PyYAML was built
        print("minqing: warning: PyYAML has no C loader (libyaml); reading is slower", file=sys.stderr)
    fast_loader = type(
        "LedgerFastLoader",
        (_without_timestamps(c_loader or yaml.SafeLoader),),
        {"construct_mapping": _unique_keys_mapping},
    )
    dumper = type(
        "LedgerDumper",
        (getattr(yaml, "CSafeDumper", yaml.SafeDumper),),
        {"ignore_aliases": lambda self, data: True},
    )
    dumper.add_representer(str, _str_representer)
    return _PyYaml(yaml, fast_loader, _without_timestamps(yaml.SafeLoader), dumper)


def __getattr__(name: str) -> Any:
    # yamlio.FastLoader and yamlio.PureLoader stay importable names (fastyaml's resolver table and the tests'
    # references read them) without importing PyYAML with this module.
    if name == "FastLoader":
        return _pyyaml().fast_loader
    if name == "PureLoader":
        return _pyyaml().pure_loader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# An anchor (&a), alias (*a) or tag (!t) can only begin a node: at the start of a line or after whitespace, `[`, `{`
# or `,`. A `*` inside a plain scalar (a masked phone `138****1234`) is text and must not cost an event scan.
_RISKY = re.compile(r"(?:^|(?<=[\s\[{,]))[&*!]", re.MULTILINE)


def _screen(text: str, limit: int) -> None:
    # The limit is in bytes of UTF-8 (a Chinese character is 3): count them only when the characters alone
    # cannot settle it.
    size = len(text)
    if size * 4 > limit and (size > limit or len(text.encode("utf-8", "surrogatepass")) > limit):
        size = len(text.encode("utf-8", "surrogatepass"))
        raise YamlProblem(
            f"file is {size} bytes; the limit is {limit}",
            1,
            "too_large",
            f"{size} > {limit}",
            Text("file_too_large", size=size, limit=limit),
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlProblem("file contains NUL bytes", line, "nul_bytes", said=Text("yaml_nul_bytes"))
    if "&" not in text and "*" not in text and "!" not in text or not _RISKY.search(text):
        return  # the `in` tests are memchr-fast; the regex runs only on files with one of these characters
    # Only files where &, * or ! could start a node pay for an event scan; ours never carry anchors, aliases or tags.
    pyyaml = _pyyaml()
    yaml = pyyaml.module
    try:
        for event in yaml.parse(text, Loader=pyyaml.pure_loader):
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlProblem(
                    "YAML anchors and aliases are not allowed in ledger files",
                    line,
                    "yaml_alias",
                    said=Text("yaml_alias"),
                )
            tag = getattr(event, "tag", None)
            if tag is not None:
                raise YamlProblem(
                    f"YAML tag {tag} is not allowed in ledger files",
                    line,
                    "yaml_tag",
                    tag,
                    Text("yaml_tag", tag=tag),
                )
    except yaml.YAMLError as exc:
        raise _problem(exc) from None


def _problem(exc: yaml.YAMLError) -> YamlProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 0
    problem = getattr(exc, "problem", None) or str(exc)
    return YamlProblem(
        f"YAML syntax error: {problem}", line, "yaml_syntax", problem, Text("yaml_syntax", problem=problem)
    )


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem("file is not UTF-8", line, "not_utf8", said=Text("yaml_not_utf8")) from None


def load(text: str, limit: int = MAX_ENTITY_BYTES) -> Any:
    """One document. Raises YamlProblem for anything that is not plain ledger YAML."""
    _screen(text, limit)
    fast = fastyaml.load_block(text)  # the files minqing writes, read ~3x faster; anything else: PyYAML below
    if fast is not fastyaml.MISS:
        return fast
    pyyaml = _pyyaml()
    try:
        return pyyaml.module.load(text, Loader=pyyaml.fast_loader)  # noqa: S506 - fast_loader is a SafeLoader
    except pyyaml.module.YAMLError as exc:
        raise _problem(exc) from None


def load_all(text: str, limit: int = MAX_STREAM_BYTES) -> list[Any]:
    _screen(text, limit)
    fast = fastyaml.load_stream(text)
    if fast is not fastyaml.MISS:
        return fast  # type: ignore[no-any-return]
    pyyaml = _pyyaml()
    try:
        return [doc for doc in pyyaml.module.load_all(text, Loader=pyyaml.fast_loader) if doc is not None]  # noqa: S506
    except pyyaml.module.YAMLError as exc:
        raise _problem(exc) from None


@dataclass(frozen=True)
class Located:
    """A parsed document with the line of every key path, for `path:line:` findings."""

    data: Any
    lines: dict[tuple[Any, ...], int]
    duplicate_keys: tuple[tuple[str, int], ...]
    start_line: int


def load_located(text: str, stream: bool = False) -> list[Located]:
    """Parse with line numbers (slower; used by check). Streams give one Located per document."""
    _screen(text, MAX_STREAM_BYTES if stream else MAX_ENTITY_BYTES)
    pyyaml = _pyyaml()
    try:
        # The C parser composes with the same marks (lines) as the pure one, an order of magnitude faster.
        nodes = list(pyyaml.module.compose_all(text, Loader=pyyaml.fast_loader))
    except pyyaml.module.YAMLError as exc:
        raise _problem(exc) from None
    out = []
    for node in nodes:
        if node is None:
            continue
        lines: dict[tuple[Any, ...], int] = {}
        dups: list[tuple[str, int]] = []
        _walk(node, (), lines, dups, pyyaml.module)
        constructor = pyyaml.pure_loader("")
        data = constructor.construct_document(node)
        out.append(Located(data, lines, tuple(dups), node.start_mark.line + 1))
    if not stream and len(out) > 1:
        raise YamlProblem(
            "entity files hold exactly one YAML document",
            out[1].start_line,
            "yaml_syntax",
            said=Text("yaml_one_document"),
        )
    return out


def _walk(node: yaml.Node, path: tuple[Any, ...], lines: dict, dups: list, yaml: Any, line: int = 0) -> None:
    # A mapping value is located at its key's line (a nested block starts on the line after its key).
    lines[path] = line or node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dups.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
            _walk(value_node, path + (key,), lines, dups, yaml, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, path + (index,), lines, dups, yaml)


# ---------------------------------------------------------------- writing


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def dump(data: dict[str, Any]) -> str:
    """Block style, keys in the order given (callers build dicts in the schema's order). fastdump writes the
    common documents (the same bytes); PyYAML writes the rest."""
    from . import fastdump  # a write's: its character class costs reads ~10 ms to compile

    try:
        return fastdump.dump_block(data)
    except fastdump.Fallback:
        return dump_with_pyyaml(data)


def dump_with_pyyaml(data: dict[str, Any]) -> str:
    """The reference for `dump` (and what it falls back to)."""
    pyyaml = _pyyaml()
    return pyyaml.module.dump(  # type: ignore[no-any-return]
        data,
        Dumper=pyyaml.dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100000,
        default_flow_style=False,
    )


def dump_stream_doc(data: dict[str, Any]) -> str:
    """One flow-style document for an append-only stream: one line per entry keeps merges and diffs trivial."""
    from . import fastdump

    try:
        return fastdump.dump_flow_doc(data)
    except fastdump.Fallback:
        return dump_stream_doc_with_pyyaml(data)


def dump_stream_doc_with_pyyaml(data: dict[str, Any]) -> str:
    """The reference for `dump_stream_doc` (and what it falls back to)."""
    pyyaml = _pyyaml()
    body = pyyaml.module.dump(
        data, Dumper=pyyaml.dumper, allow_unicode=True, sort_keys=False, width=100000, default_flow_style=True
    )
    return "--- " + body if body.endswith("\n") else "--- " + body + "\n"


def iter_stream_docs(text: str) -> Iterator[Any]:
    yield from load_all(text)
