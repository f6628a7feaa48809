"""`minqing find`: one search box over households, cadres and items.

A clerk types what they have: Chinese text (张三, 路灯), full pinyin (zhangsan), initials (zs), a mix (zhangs), or an
ID prefix (H-7K3, 7K3M). Names match from any syllable, so `san` finds 张三; item descriptions are long, so they match
Chinese text, ID prefixes and fully typed pinyin only (initials there would match half the ledger).
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..core import ids
from ..core.errors import BadInput
from ..repo.store import Ledger

KINDS = ("household", "cadre", "item", "unit")
MIN_PINYIN = 2  # one letter would match every name with that initial

# Ranks, best first: how the text matched.
EXACT_ID, ID_PREFIX, EXACT_NAME, NAME_START, TEXT, PINYIN = range(6)
MATCH_NAMES = {
    EXACT_ID: "id",
    ID_PREFIX: "id_prefix",
    EXACT_NAME: "name",
    NAME_START: "name_prefix",
    TEXT: "text",
    PINYIN: "pinyin",
}


@dataclass(frozen=True)
class Hit:
    kind: str
    id: str
    name: str
    unit: str
    unit_name: str
    match: str
    rank: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "unit_name": self.unit_name,
            "match": self.match,
        }


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _letters(text: str) -> str:
    return re.sub(r"[\s'’·\-]+", "", text.lower())


def syllables(text: str) -> list[tuple[str, ...]]:
    """Every reading of every character (heteronyms: 曾 is ceng or zeng); other runs stay as they are, lower-cased."""
    from pypinyin import Style, pinyin

    out: list[tuple[str, ...]] = []
    for readings in pinyin(
        text, style=Style.NORMAL, heteronym=True, errors=lambda chars: [c.lower() for c in chars]
    ):
        options = tuple(dict.fromkeys(_letters(reading) for reading in readings if _letters(reading)))
        if options:
            out.append(options)
    return out


def pinyin_match(query: str, sounds: list[tuple[str, ...]], full_only: bool = False) -> bool:
    """True when the query spells consecutive syllables, each by a prefix of one of its readings (zs, zhangs,
    zhangsan). With `full_only` every syllable but the last must be typed in full."""
    size = len(query)
    memo: dict[tuple[int, int], bool] = {}

    def walk(position: int, offset: int) -> bool:
        if offset == size:
            return True
        if position == len(sounds):
            return False
        key = (position, offset)
        if key in memo:
            return memo[key]
        result = False
        for reading in sounds[position]:
            common = 0
            while (
                common < len(reading) and offset + common < size and reading[common] == query[offset + common]
            ):
                common += 1
            for taken in range(common, 0, -1):
                last = offset + taken == size
                if full_only and taken < len(reading) and not last:
                    continue
                if walk(position + 1, offset + taken):
                    result = True
                    break
            if result:
                break
        memo[key] = result
        return result

    return any(walk(start, 0) for start in range(len(sounds)))


@functools.cache
def initials(char: str) -> frozenset[str]:
    """The first letters of every reading of one character (a few thousand distinct characters in a county)."""
    return frozenset(option[0] for readings in syllables(char) for option in readings if option)


def may_start(letter: str, name: str) -> bool:
    """False when no character of `name` has a reading that starts with `letter`, so no spelling of it can: the
    names of 100,000 households are ruled out by a set lookup per character instead of their full pinyin (at the
    `large` benchmark `find zhangsan` took 12 s). A character's readings in a phrase are among its own readings."""
    return any(letter in initials(char) for char in name)


def _id_query(text: str) -> str | None:
    """An ID or ID prefix: `H-7K3`, `h-7k3`, or a bare `7K3M` (needs a digit, so pinyin is never taken for one)."""
    wanted = ids.normalize(text)
    if re.fullmatch(r"[CHQVAR]-[0-9A-Z]{0,6}", wanted):
        return wanted
    if re.fullmatch(r"[0-9A-Z]{3,6}", wanted) and any(ch.isdigit() for ch in wanted):
        return wanted
    return None


@dataclass(frozen=True)
class Query:
    """What was typed, prepared once (not per name: `find` scores 200,000 names at a county's size)."""

    text: str
    lowered: str
    id_prefix: str | None  # an ID or ID prefix (_id_query)
    letters: str | None  # the pinyin spelled, when the text can be one (ASCII letters, at least MIN_PINYIN)

    @classmethod
    def of(cls, text: str) -> Query:
        letters = _letters(text)
        spelled = letters if len(letters) >= MIN_PINYIN and letters.isascii() and letters.isalpha() else None
        return cls(text, text.lower(), _id_query(text), spelled)

    def containing(self) -> str | None:
        """The text every match must contain, when it can only match by containing it (no ID, no pinyin, no
        letter with a case): then the index hands over only the rows that contain it."""
        if self.id_prefix or self.letters or self.text.lower() != self.text.upper():
            return None
        return self.text


def _score(
    query: Query,
    entry_id: str,
    name: str,
    sounds_of: Any,
    full_only: bool,
    ids_too: bool = True,
    pinyin: bool = True,
) -> int | None:
    """How `name` (the entry `entry_id`'s) matches, as its rank, or None; `pinyin` False: not as pinyin."""
    id_query = query.id_prefix if ids_too else None
    if id_query:
        if id_query == entry_id:
            return EXACT_ID
        if entry_id.startswith(id_query) or ("-" not in id_query and entry_id[2:].startswith(id_query)):
            return ID_PREFIX
    text = query.text
    if not text:
        return None
    if name == text:
        return EXACT_NAME
    if name.startswith(text):
        return NAME_START
    if query.lowered in name.lower():
        return TEXT
    letters = query.letters
    if (
        pinyin
        and letters
        and may_start(letters[0], name)
        and pinyin_match(letters, sounds_of(name), full_only)
    ):
        return PINYIN
    return None


def _pinyin_starts(query: Query, names: list[str]) -> re.Pattern[str] | None:
    """For letters that are not an ID (zhangsan): the characters, among those `names` use, one of whose readings
    starts with the first letter, as one character class. Such a query matches a name only by containing its text
    (case aside) or as pinyin, and pinyin needs one of these characters (`may_start`): the test is then made in C,
    not by `_score` in Python (`find zhangsan` scored 205,000 names at `large`). None: no such shortcut."""
    if query.id_prefix or not query.letters or not query.text:
        return None
    letter = query.letters[0]
    starting = sorted(char for char in set("".join(names)) if letter in initials(char))
    return re.compile("[" + "".join(map(re.escape, starting)) + "]" if starting else "(?!)")


def find(ledger: Ledger, text: str, kinds: Iterable[str] | None = None, limit: int = 50) -> list[Hit]:
    query = _clean(text or "")
    if not query:
        raise BadInput("empty_text", field="TEXT")
    wanted = list(kinds or KINDS)
    for kind in wanted:
        if kind not in KINDS:
            raise BadInput("bad_value", field="--kind", value=kind, accepted="|".join(KINDS))
    prepared = Query.of(query)
    units = ledger.units()
    # A name's readings, kept for the few names scored more than once (units' 一组 …): a county's 200,000 distinct
    # names each kept took 545 MB for `find ceshi --limit 0` at the `large` benchmark (issue 19).
    sounds_of = functools.lru_cache(maxsize=4096)(syllables)

    def unit_name(code: str) -> str:
        unit = units.get(code)
        if unit is None:
            return code
        parent = units.get(unit.parent or "")
        # 一组 alone says little: every village has one.
        return f"{parent.name}{unit.name}" if unit.level == "group" and parent else unit.name

    from .index import Index

    # The index has every household's head, cadre's name and item's description: reading the entity files for
    # them took 47 s at the `large` benchmark (issue 19); Chinese text is looked for by SQLite, not in Python.
    with Index.open(ledger) as index:
        rows = index.search_rows(wanted, prepared.containing())
    starts = _pinyin_starts(prepared, [row[2] for row in rows])
    hits = []
    pinyin_only = []  # rows that can match only as pinyin, the last rank: spelled out below, as many as are shown
    for row in rows:
        kind, entry_id, name, unit = row
        if starts is not None and prepared.lowered not in name.lower():
            if starts.search(name):  # else no match at all
                pinyin_only.append(row)
            continue
        rank = _score(prepared, entry_id, name, sounds_of, kind == "item", pinyin=False)
        if rank is not None:
            hits.append(Hit(kind, entry_id, name, unit, unit_name(unit), MATCH_NAMES[rank], rank))
        elif prepared.letters:
            pinyin_only.append(row)
    if "unit" in wanted:
        # Units by name (short or official), and by another name (org rename, org alias: match "alias"); the unit
        # shown is the parent, or for a unit retired by a merge (撤并) the unit it went to.
        for unit in units.values():
            where = unit.merged_into or unit.parent or ""
            scored = [(_score(prepared, "", unit.name, sounds_of, False, ids_too=False), "")]
            if unit.official:  # the bureau's official name (issue 16): 陈家寨村委会 finds 陈家寨村
                scored.append((_score(prepared, "", unit.official, sounds_of, False, ids_too=False), ""))
            scored += [
                (_score(prepared, "", alias, sounds_of, False, ids_too=False), "alias")
                for alias in unit.aliases or ()
            ]
            found = sorted((rank, how) for rank, how in scored if rank is not None)
            if found:
                rank, how = found[0]
                match = how or MATCH_NAMES[rank]
                hits.append(Hit("unit", unit.code, unit.name, where, unit_name(where), match, rank))
    # Pinyin hits are listed after every other, in (kind, name, id) order, so only the first of them that still
    # fit under `limit` need spelling (each name's readings are ~45 µs: `find ceshi` matched every name of the
    # `large` benchmark and took 9.7 s). Units come last among the kinds, so theirs, scored above, stay behind.
    room = limit - sum(1 for hit in hits if hit.rank < PINYIN) if limit > 0 else len(pinyin_only)
    by_kind: dict[str, list[tuple[str, str, str, str]]] = {kind: [] for kind in KINDS}
    for row in pinyin_only:
        by_kind[row[0]].append(row)
    spelled = 0
    for kind, entry_id, name, unit in itertools.chain.from_iterable(
        sorted(by_kind[kind], key=operator.itemgetter(2, 1)) for kind in KINDS
    ):
        if spelled >= room:
            break
        # Item descriptions are long: initials there would match half the ledger, so only full pinyin.
        if _score(prepared, entry_id, name, sounds_of, kind == "item") == PINYIN:
            hits.append(Hit(kind, entry_id, name, unit, unit_name(unit), MATCH_NAMES[PINYIN], PINYIN))
            spelled += 1
    hits.sort(key=lambda hit: (hit.rank, KINDS.index(hit.kind), hit.name, hit.id))
    return hits[:limit] if limit > 0 else hits
