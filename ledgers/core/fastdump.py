"""A fast writer for the YAML minqing writes, byte for byte what PyYAML writes, with PyYAML for everything else.

The mirror of fastyaml.py (the reader). An import of 100,000 households, or the demo's 2,700 operations, spent most
of its CPU in PyYAML's representer, which builds a node object for every key and scalar in Python before its C
emitter sees them. minqing's documents are small and regular: string keys, block mappings and PyYAML's indentless
block sequences (or one flow mapping per stream line), and scalars that are null, bools, ints and short strings.
This module writes exactly that part and raises `Fallback` for anything else, so yamlio.dump hands the whole
document to PyYAML.

Exactness rule: whatever this module writes is the text yamlio's PyYAML dumper writes for the same value. Strings
are written plain only when every character is in a set PyYAML's emitter never treats specially in block or flow
context (letters, digits, CJK and other printable non-ASCII, `_ - . / + ( )`, and after the first character also
`* ! $ % & ; < = > @ ^ ~` and spaces (not last); `:` inside and
not before a space, plain in block context only), and when the
plain text reads back as a string (PyYAML's own implicit resolvers decide); such a string that would read back as
something else (`123`, `true`, `2026-11-03`) is single-quoted, as PyYAML does. Empty strings are `''`. Anything else
(line breaks, `:` `#` `,` quotes and other ASCII punctuation, floats, dates, long values) is a Fallback. The
property tests in tests/test_fastdump.py hold both writers to the same bytes.
"""

from __future__ import annotations

import re
from typing import Any

import yaml.resolver


class Fallback(Exception):
    """Not in the subset: the caller dumps the whole document with PyYAML."""


# Printable without escapes under allow_unicode (PyYAML's analyze_scalar), minus its line breaks (U+2028/9) and BOM.
_SAFE = re.compile(
    "[0-9A-Za-z_\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
    "(?:[0-9A-Za-z_\\-./+():*!$%&;<=>@^~ \u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*"
    "[0-9A-Za-z_\\-./+()*!$%&;<=>@^~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd])?\\Z"
)
_MAX_SCALAR = 2000  # far under the dumper's line width: PyYAML never folds these
_MAX_KEY = 100  # PyYAML writes keys of 128 characters or more as complex keys (`? key`)
_MAX_FLOW_LINE = 50_000  # the dumper's width is 100,000: a stream line shorter than this is never wrapped

_resolver = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


class _PlainFirst:
    """First characters no implicit resolver of PyYAML's starts with, when no resolver applies to every string and
    none is tied to a document path (true of yamlio's dumper): a plain scalar starting with one resolves to str.
    Asked once per character."""

    def __init__(self) -> None:
        self._seen: dict[str, bool] = {}
        self._any = None in _resolver.yaml_implicit_resolvers or bool(_resolver.yaml_path_resolvers)

    def __contains__(self, char: str) -> bool:
        found = self._seen.get(char)
        if found is None:
            found = self._seen[char] = not self._any and char not in _resolver.yaml_implicit_resolvers
        return found


_PLAIN_FIRST = _PlainFirst()
# Written forms of short strings already seen (keys, names, codes, dates, enums repeat; notes do not), per context.
_BLOCK: dict[str, str] = {}
_FLOW: dict[str, str] = {}
_HEADS: dict[str, dict[str, str]] = {}  # indent -> key -> `indent key:`
_FLOW_LINES: dict[tuple[Any, ...], str] = {}  # keys -> `{key: %s, …}`, a flow mapping's line with these keys


def _string(value: str, flow: bool) -> str:
    cache = _FLOW if flow else _BLOCK
    cached = cache.get(value)
    if cached is not None:
        return cached
    if not value:
        return "''"
    if len(value) > _MAX_SCALAR or not _SAFE.match(value) or ": " in value:
        raise Fallback
    # A `:` inside is plain in block context only (PyYAML's flow_indicators); single quotes need no escapes here.
    # No implicit resolver starts with most first characters (a CJK name, an id's letter): then the resolver
    # would say str without trying a pattern, and is not asked.
    plain = (
        value[0] in _PLAIN_FIRST or _resolver.resolve(yaml.ScalarNode, value, (True, False)) == _STR
    ) and not (flow and ":" in value)
    text = value if plain else f"'{value}'"
    if len(value) <= 40 and len(cache) < 100_000:
        cache[value] = text
    return text


def _scalar(value: Any, flow: bool = False) -> str:
    kind = type(value)
    if kind is str:
        return _string(value, flow)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    raise Fallback


def _key(key: Any, flow: bool = False) -> str:
    if type(key) is not str or len(key) > _MAX_KEY:
        raise Fallback
    return _string(key, flow)


def _mapping(data: dict, indent: str, out: list[str]) -> None:
    known = _BLOCK
    heads = _HEADS.get(indent)
    if heads is None:
        heads = _HEADS[indent] = {}
    for key, value in data.items():
        head = heads.get(key) if type(key) is str else None
        if head is None:
            head = f"{indent}{_key(key)}:"  # `indent key:` as written before (keys repeat in every document)
            if type(key) is str and len(heads) < 10_000:
                heads[key] = head
        kind = type(value)
        if kind is str:
            out.append(f"{head} {known.get(value) or _string(value, False)}\n")
        elif kind is dict:
            if value:
                out.append(head + "\n")
                _mapping(value, indent + "  ", out)
            else:
                out.append(head + " {}\n")
        elif kind is list:
            if value:
                out.append(head + "\n")
                _sequence(value, indent, out)  # PyYAML's indentless sequence: `- ` at the key's column
            else:
                out.append(head + " []\n")
        else:
            out.append(f"{head} {_scalar(value)}\n")


def _sequence(items: list, indent: str, out: list[str]) -> None:
    for value in items:
        kind = type(value)
        if (kind is dict or kind is list) and value:
            start = len(out)
            inner = indent + "  "
            if kind is dict:
                _mapping(value, inner, out)
            else:
                _sequence(value, inner, out)
            out[start] = f"{indent}- " + out[start][len(inner) :]  # the first line shares the dash's line
        elif kind is dict:
            out.append(f"{indent}- {{}}\n")
        elif kind is list:
            out.append(f"{indent}- []\n")
        else:
            out.append(f"{indent}- {_scalar(value)}\n")


def _flow(value: Any) -> str:
    kind = type(value)
    if kind is dict:
        # A mapping's line is its keys' line (`{id: %s, date: %s, …}`, made once per key order: a visits import
        # writes 10,000 lines with the same keys) filled with the written forms of its values, short strings looked
        # up inline as _mapping does.
        keys = tuple(value)
        line = _FLOW_LINES.get(keys)
        if line is None:
            line = _flow_line(keys)
        known = _FLOW
        return line % tuple(
            [
                (known.get(item) or _string(item, True))
                if type(item) is str
                else "null"
                if item is None
                else _flow(item)
                for item in value.values()
            ]
        )
    if kind is list:
        known = _FLOW
        return (
            "["
            + ", ".join(
                [
                    (known.get(item) or _string(item, True)) if type(item) is str else _flow(item)
                    for item in value
                ]
            )
            + "]"
        )
    return _scalar(value, True)


def _flow_line(keys: tuple[Any, ...]) -> str:
    """`{key: %s, …}` for a flow mapping with these keys, in this order (a `%` in a key written as `%%`)."""
    line = "{" + ", ".join(_key(key, True).replace("%", "%%") + ": %s" for key in keys) + "}"
    if len(_FLOW_LINES) < 1_000 and all(type(key) is str for key in keys):
        _FLOW_LINES[keys] = line
    return line


def dump_block(data: Any) -> str:
    """yamlio.dump's text for a non-empty dict, or Fallback."""
    if type(data) is not dict or not data:
        raise Fallback
    out: list[str] = []
    _mapping(data, "", out)
    return "".join(out)


def dump_flow_doc(data: Any) -> str:
    """yamlio.dump_stream_doc's text (`--- {…}` and a line break) for a dict, or Fallback."""
    if type(data) is not dict:
        raise Fallback
    line = _flow(data)
    if len(line) > _MAX_FLOW_LINE:
        raise Fallback
    return f"--- {line}\n"
