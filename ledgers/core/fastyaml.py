"""A fast reader for the YAML that minqing itself writes, with PyYAML as the judge of everything else.

A cold index build parses every ledger file: a million stream documents and 200,000 entity files. PyYAML's C
loader scans in C but builds every node and value in Python, and that is most of the build. The files minqing
writes (ledgers/yamlio.py `dump` and `dump_stream_doc`) use a small, regular part of YAML: block mappings with
two-space indentation, block sequences in PyYAML's style (`- ` at the key's indentation), one flow mapping per
stream line, plain or single-quoted scalars on one line. This module reads exactly that part and answers `MISS`
for anything else, so the caller falls back to PyYAML for the whole file (and PyYAML's errors and line numbers).

Exactness rule: whatever this module accepts, PyYAML (yamlio.FastLoader: safe, no timestamps) reads to the same
value. Scalars are resolved with that loader's own implicit resolvers; only `str`, `null`, `bool` and plain decimal
`int` are decided here, anything else (floats, octal, `1_000`, merge keys) is a MISS. Plain scalars with `:` or `#`,
tabs, blank lines, comments, block scalars, anchors, tags, escapes and unusual line breaks are MISSes. The
property tests in tests/test_fastyaml.py hold both readers to the same answer, including on mutated files.
"""

from __future__ import annotations

import functools
import re
from typing import Any

MISS: Any = object()  # "not in the subset": the caller parses the file with PyYAML

# Characters PyYAML's reader refuses (its NON_PRINTABLE), and line breaks other than \n: never fast.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")  # `org.add`: the config's permission keys
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Flow tokens: a single-quoted scalar, a double-quoted one without escapes, a plain run, or one punctuation mark.
_FLOW_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"\\]*\"|[^,\[\]{}:#'\" ][^,\[\]{}:#]*|[,\[\]{}:]| +")

# PyYAML's implicit resolvers (yaml/resolver.py, the same since PyYAML 3) less the timestamp one, as the ledger
# loaders have them: (tag, pattern, flags, the first characters it applies to), in PyYAML's order. A copy, so that
# reading minqing's own files does not import PyYAML: its import is ~20 ms of a read-only command's startup (most of
# it compiling its reader's character class). tests/test_fastyaml.py holds this copy to yamlio.FastLoader's live
# table, key by key, so a PyYAML that resolved differently fails the tests instead of reading differently.
IMPLICIT_RESOLVERS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    (
        "tag:yaml.org,2002:bool",
        r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
        re.X,
        tuple("yYnNtTfFoO"),
    ),
    (
        "tag:yaml.org,2002:float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
        re.X,
        tuple("-+0123456789."),
    ),
    (
        "tag:yaml.org,2002:int",
        r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
        re.X,
        tuple("-+0123456789"),
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", 0, ("<",)),
    (
        "tag:yaml.org,2002:null",
        r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
        re.X,
        ("~", "n", "N", ""),
    ),
    ("tag:yaml.org,2002:value", r"^(?:=)$", 0, ("=",)),
    ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", 0, tuple("!&*")),
)


@functools.cache
def _pattern(number: int) -> re.Pattern[str]:
    # Compiled when first needed: a command that reads a config and a few files meets two or three of the seven.
    _, pattern, flags, _ = IMPLICIT_RESOLVERS[number]
    return re.compile(pattern, flags)


# First character -> the resolvers (numbers in IMPLICIT_RESOLVERS) that apply to a plain scalar starting with it.
_BY_FIRST: dict[str, tuple[int, ...]] = {}
for _number, (_, _, _, _firsts) in enumerate(IMPLICIT_RESOLVERS):
    for _first in _firsts:
        _BY_FIRST[_first] = _BY_FIRST.get(_first, ()) + (_number,)
# First characters some implicit resolver applies to; a plain scalar starting otherwise is a string.
_resolvable = frozenset(_BY_FIRST)


def resolver_table() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """IMPLICIT_RESOLVERS by first character, as PyYAML's `yaml_implicit_resolvers` holds them."""
    return {
        first: [(IMPLICIT_RESOLVERS[number][0], _pattern(number)) for number in numbers]
        for first, numbers in _BY_FIRST.items()
    }


_plain_cache: dict[str, Any] = {}
_key_cache: dict[str, Any] = {}
_NOT_SEEN: Any = object()
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _resolve(text: str) -> str:
    """The tag PyYAML's resolver (yamlio.FastLoader's table) gives a plain scalar."""
    for number in _BY_FIRST.get(text[0] if text else "", ()):
        if _pattern(number).match(text):
            return IMPLICIT_RESOLVERS[number][0]
    return "tag:yaml.org,2002:str"


def plain(text: str) -> Any:
    """The value of a plain scalar as PyYAML resolves it, or MISS."""
    found = _plain_cache.get(text, _NOT_SEEN)
    if found is not _NOT_SEEN:
        return found
    if text and text[0] not in _resolvable and text[0] not in _INDICATORS:
        # An id, a code word, Chinese text: no resolver applies, so it is a string if it is a valid plain scalar.
        # Not cached: such values are mostly unique (ids, timestamps) and would crowd the cache out.
        ok = text[0] != " " and text[-1] != " " and ":" not in text and "#" not in text
        return text if ok else MISS
    value: Any = MISS
    if (
        text
        and text[0] not in _INDICATORS
        and text == text.strip(" ")
        and ":" not in text
        and "#" not in text
    ):
        tag = _resolve(text)
        if tag == "tag:yaml.org,2002:str":
            value = text
        elif tag == "tag:yaml.org,2002:null":
            value = None
        elif tag == "tag:yaml.org,2002:bool":
            value = _BOOLS.get(text.lower(), MISS)
        elif tag == "tag:yaml.org,2002:int" and _DECIMAL.match(text):
            value = int(text)
    if len(_plain_cache) < 50_000:  # codes, kinds and ids repeat; free text rarely does
        _plain_cache[text] = value
    return value


def _quoted(token: str) -> Any:
    if token[0] == "'":
        return token[1:-1].replace("''", "'")
    return token[1:-1]  # double-quoted without backslashes: the text itself


def _key(token: str) -> Any:
    found = _key_cache.get(token, _NOT_SEEN)
    if found is _NOT_SEEN:
        value = plain(token) if _KEY.match(token) else MISS
        found = value if isinstance(value, str) else MISS
        if len(_key_cache) < 1000:
            _key_cache[token] = found
    return found


# ---------------------------------------------------------------- flow: `{a: b, c: [d, e]}` on one line


def flow(text: str) -> Any:
    """A whole flow collection on one line, or MISS."""
    tokens = []
    pos, end = 0, len(text)
    while pos < end:
        match = _FLOW_TOKEN.match(text, pos)
        if match is None:
            return MISS
        token = match.group()
        pos = match.end()
        if token == ":" and (pos >= end or text[pos] != " "):
            return MISS  # `a:b` in flow context is read differently by different YAML parsers: not ours
        if token[0] != " ":
            tokens.append(token)
    if not tokens or tokens[0] not in ("{", "["):
        return MISS
    value, index = _flow_node(tokens, 0)
    return value if value is not MISS and index == len(tokens) else MISS


def _flow_node(tokens: list[str], index: int) -> tuple[Any, int]:
    token = tokens[index]
    if token == "{":
        return _flow_mapping(tokens, index + 1)
    if token == "[":
        return _flow_sequence(tokens, index + 1)
    if token[0] in "'\"":
        return _quoted(token), index + 1
    if token in (",", "]", "}", ":"):
        return MISS, index
    return plain(token.rstrip(" ")), index + 1


def _flow_mapping(tokens: list[str], index: int) -> tuple[Any, int]:
    out: dict[str, Any] = {}
    count = len(tokens)
    if index < count and tokens[index] == "}":
        return out, index + 1
    while index + 2 < count:
        key = _key(tokens[index].rstrip(" "))
        if key is MISS or key in out or tokens[index + 1] != ":":
            return MISS, index
        value, index = _flow_node(tokens, index + 2)
        if value is MISS or index >= count:
            return MISS, index
        out[key] = value
        if tokens[index] == "}":
            return out, index + 1
        if tokens[index] != ",":
            return MISS, index
        index += 1
    return MISS, index


def _flow_sequence(tokens: list[str], index: int) -> tuple[Any, int]:
    out: list[Any] = []
    count = len(tokens)
    if index < count and tokens[index] == "]":
        return out, index + 1
    while index < count:
        value, index = _flow_node(tokens, index)
        if value is MISS or index >= count or isinstance(value, dict):
            return MISS, index  # a mapping inside a sequence is valid YAML but never ours
        out.append(value)
        if tokens[index] == "]":
            return out, index + 1
        if tokens[index] != ",":
            return MISS, index
        index += 1
    return MISS, index


# One `key: value` of a stream line's flow mapping, value a quoted scalar, a plain one or a list of plain scalars,
# followed by `, ` or the closing `}`. Lines that do not tile exactly into these pairs take the general path.
_VALUE = r"""'[^']*(?:''[^']*)*'|"[^"\\]*"|\[[^\[\]{}'":#]*\]|[^,\[\]{}:#'" ][^,\[\]{}:#]*"""
_PAIR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): (" + _VALUE + r")(?:, |\}\Z)")


def _raw_value(raw: str) -> Any:
    """The value of one raw pair value matched by _VALUE, or MISS."""
    first = raw[0]
    if first == "'":
        return raw[1:-1].replace("''", "'")
    if first == '"':
        return raw[1:-1]
    if first == "[":
        inner = raw[1:-1]
        items = [plain(part.strip(" ")) for part in inner.split(",")] if inner.strip(" ") else []
        return MISS if MISS in items else items
    value = _plain_cache.get(raw, _NOT_SEEN)
    return plain(raw.rstrip(" ")) if value is _NOT_SEEN else value


def _flow_line(text: str) -> Any:
    """The flow mapping `{…}` of one stream line, or MISS."""
    out: dict[str, Any] = {}
    pos = 1
    for match in _PAIR.finditer(text, 1):
        if match.start() != pos:
            return flow(text)
        pos = match.end()
        key, raw = match.groups()
        value = _raw_value(raw)
        key_value = _key_cache.get(key) or _key(key)
        if value is MISS or key_value is MISS or key_value in out:
            return MISS
        out[key_value] = value
    if pos != len(text) or not out:
        return flow(text)
    return out


# A stream's lines share their keys in the same order (the writer's schema order), so the pairs of a line that
# tiled into `{k1: v, k2: v, …}` become one regex for the next lines: one match instead of a scan per pair. A line
# matching it is tiled exactly as _flow_line would tile it (same value pattern, same literal keys, validated once).
_templates: dict[tuple[str, ...], Any] = {}


def _template(keys: tuple[str, ...]) -> Any:
    found = _templates.get(keys)
    if found is None and len(_templates) < 64:
        pattern = "\\{" + ", ".join(re.escape(key) + ": (" + _VALUE + ")" for key in keys) + "\\}\\Z"
        found = _templates[keys] = re.compile(pattern)
    return found


# A shaped template goes further: where the line it was made from has a single-quoted value without `''` or a plain
# one that no resolver can apply to (ids, code words, Chinese text: first character outside the resolvers' and the
# indicators', no trailing space), the group captures exactly the value's text (`'([^']*)'`, `([SAFE]…)`), which is
# then the value itself as _raw_value would give it; the other groups (lists, null, numbers) go through _raw_value.
# A line it does not match tries the plain template, then _flow_line.
_shaped: dict[tuple[tuple[str, ...], tuple[int, ...]], Any] = {}
_QUOTED, _SAFE_PLAIN, _GENERAL = 0, 1, 2


def _safe_plain() -> str:
    """The group for a plain scalar plain() reads as its own text without a resolver."""
    excluded = "".join(sorted(set(_resolvable) | _INDICATORS | set(" '\",[]{}:#\n")))
    first = "[^" + re.escape(excluded) + "]"
    return first + "(?:[^,\\[\\]{}:#\n]*[^,\\[\\]{}:#\n ])?"


def _shape(raw: str) -> int:
    if raw[0] == "'" and "'" not in raw[1:-1]:
        return _QUOTED
    if raw[0] not in _resolvable and raw[0] not in _INDICATORS:
        if raw[0] not in " '\"" and raw[-1] != " " and ":" not in raw and "#" not in raw:
            return _SAFE_PLAIN
    return _GENERAL


def _shaped_template(keys: tuple[str, ...], raws: tuple[str, ...]) -> tuple[Any, list[int]] | None:
    shapes = tuple(_shape(raw) for raw in raws)
    found = _shaped.get((keys, shapes))
    if found is None:
        if len(_shaped) >= 64:
            return None
        groups = {_QUOTED: "'([^'\\n]*)'", _SAFE_PLAIN: f"({_safe_plain()})", _GENERAL: "(" + _VALUE + ")"}
        pattern = (
            "\\{"
            + ", ".join(
                re.escape(key) + ": " + groups[shape] for key, shape in zip(keys, shapes, strict=True)
            )
            + "\\}\\Z"
        )
        general = [index for index, shape in enumerate(shapes) if shape == _GENERAL]
        found = _shaped[(keys, shapes)] = (re.compile(pattern), general)
    return found  # type: ignore[no-any-return]


def _lines(lines: list[str]) -> Any:
    docs = []
    keys: tuple[str, ...] = ()
    template = None
    shaped = None
    general: list[int] = []
    for line in lines:
        if not line.startswith("--- {"):
            return MISS
        match = shaped.match(line, 4) if shaped is not None else None
        if match is not None:
            values = list(match.groups())
            for index in general:
                value = _raw_value(values[index])
                if value is MISS:
                    return MISS
                values[index] = value
            docs.append(dict(zip(keys, values, strict=True)))
            continue
        match = template.match(line, 4) if template is not None else None
        if match is not None:
            values = [_raw_value(raw) for raw in match.groups()]
            if MISS in values:
                return MISS
            docs.append(dict(zip(keys, values, strict=True)))
            continue
        value = _flow_line(line[4:])
        if value is MISS:
            return MISS
        docs.append(value)
        if value and keys != tuple(value):
            keys = tuple(value)
            template = _template(keys)
            shaped = None
            match = template.match(line, 4) if template is not None else None
            if match is not None:
                made = _shaped_template(keys, match.groups())
                if made is not None:
                    shaped, general = made
    return docs


def load_stream(text: str) -> Any:
    """Documents of a stream written by `dump_stream_doc` (`--- {…}` one per line), or MISS."""
    if _UNUSUAL.search(text):
        return MISS
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return _lines(lines)


# ---------------------------------------------------------------- block: entity files


def load_block(text: str) -> Any:
    """An entity file written by `dump` (a block mapping), or MISS."""
    if not text or text[0] in " -#%.\n" or _UNUSUAL.search(text):
        return MISS
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    indents = [len(line) - len(line.lstrip(" ")) for line in lines]
    try:
        value, index = _mapping(lines, indents, 0, 0)
    except _Miss:
        return MISS
    return value if index == len(lines) else MISS


class _Miss(Exception):
    pass


_inline_cache: dict[
    str, Any
] = {}  # scalar text -> value (immutable values only: lists and dicts are built anew)


def _mapping(lines: list[str], indents: list[int], index: int, indent: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    count = len(lines)
    while index < count:
        here = indents[index]
        if here < indent:
            break
        if here > indent:
            raise _Miss  # a continuation line (a multi-line plain scalar) or stray indentation
        name, colon, rest = lines[index][indent:].partition(":")
        key = _key_cache.get(name) or _key(name)
        if not colon or key is MISS or key in out:
            raise _Miss
        index += 1
        if rest:
            if rest[0] != " ":
                raise _Miss
            value = _inline_cache.get(rest, _NOT_SEEN)
            out[key] = _inline(rest) if value is _NOT_SEEN else value
            continue
        below = indents[index] if index < count else -1
        if below >= indent and lines[index].startswith("- ", below):
            out[key], index = _sequence(lines, indents, index, below)
        elif below > indent:
            out[key], index = _mapping(lines, indents, index, below)
        else:
            out[key] = None
    return out, index


def _sequence(lines: list[str], indents: list[int], index: int, indent: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    count = len(lines)
    while index < count:
        here = indents[index]
        line = lines[index]
        if here < indent or here == indent and not line.startswith("- ", indent):
            break
        if here > indent:
            raise _Miss
        item = line[indent + 2 :]
        name, colon, rest = item.partition(":")
        if colon and _KEY.match(name) and (not rest or rest[0] == " "):
            lines[index] = " " * (indent + 2) + item  # the item's first key, at its siblings' indentation
            indents[index] = indent + 2
            value, index = _mapping(lines, indents, index, indent + 2)
            out.append(value)
        else:
            out.append(_inline(" " + item))
            index += 1
    return out, index


def _inline(rest: str) -> Any:
    """The value after `key:` (`rest` starts with the separating space)."""
    text = rest[1:]
    if not text:
        raise _Miss
    first = text[0]
    if first == "'":
        if len(text) < 2 or text[-1] != "'" or "'" in text[1:-1].replace("''", ""):
            raise _Miss
        value = text[1:-1].replace("''", "'")
    elif first == '"':
        if len(text) < 2 or text[-1] != '"' or '"' in text[1:-1] or "\\" in text:
            raise _Miss
        value = text[1:-1]
    elif first in "[{":
        value = flow(text)
        if value is MISS:
            raise _Miss
        return value  # a fresh list or dict each time: never cached
    else:
        value = plain(text)
    if value is MISS:
        raise _Miss
    if len(_inline_cache) < 50_000:
        _inline_cache[rest] = value
    return value
