"""`minqing find`: one search box over households, cadres and items.

A clerk types what they have: Chinese text (张三, 路灯), full pinyin (zhangsan), initials (zs), a mix (zhangs), or an
ID prefix (H-7K3, 7K3M). Names match from any syllable, so `san` finds 张三; item descriptions are long, so they match
Chinese text, ID prefixes and fully typed pinyin only (initials there would match half the ledger).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..core import ids, spelling
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
        letters = spelling.letters(text)
        spelled = letters if len(letters) >= MIN_PINYIN and letters.isascii() and letters.isalpha() else None
        return cls(text, text.lower(), _id_query(text), spelled)

    def containing(self) -> str | None:
        """The text every match must contain, when it can only match by containing it (no ID, no pinyin, no
        letter with a case): then the index hands over only the rows that contain it."""
        if self.id_prefix or self.letters or self.text.lower() != self.text.upper():
            return None
        return self.text


def _score(
    query: Query, entry_id: str, name: str, speller: spelling.Speller | None, ids_too: bool = True
) -> int | None:
    """How `name` (the entry `entry_id`'s) matches, as its rank, or None; no `speller`: not as pinyin."""
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
    if speller is not None and speller.matches(name):
        return PINYIN
    return None


def _lines(text: str, spans: Iterable[tuple[int, int]]) -> set[str]:
    """The NUL-separated lines of `text` holding each (start, end) span, in order (a span lies within one line)."""
    lines = set()
    end = -1
    for at, last in spans:
        if at <= end:
            continue  # in the line already taken
        start = text.rfind("\0", 0, at) + 1
        end = text.find("\0", last)
        if end < 0:
            end = len(text)
        lines.add(text[start:end])
    return lines


def _containing(text: str, lowered: str) -> set[str]:
    """The names of NUL-separated `text` that contain `lowered`, case aside, as `_score` compares them."""
    if not lowered or "\0" in lowered:
        return set()
    folded = text.lower()
    if len(folded) != len(text):  # a letter lower-cased to two (İ): the lines no longer line up
        return {name for name in text.split("\0") if lowered in name.lower()}
    spans = []
    at = folded.find(lowered)
    while at >= 0:
        spans.append((at, at + len(lowered)))
        at = folded.find(lowered, at + 1)
    return _lines(text, spans)


def _spellers(index: Any, query: Query) -> dict[bool, tuple[spelling.Speller, re.Pattern[str] | None]] | None:
    """The speller of names (False) and of item descriptions (True: full syllables only), on the readings the index
    keeps for every name it has (units' too), each with its prefilter; None when the text cannot be pinyin."""
    if not query.letters:
        return None
    readings = index.spellings()
    spellers = (spelling.Speller(query.letters, readings, full_only=full) for full in (False, True))
    return {speller.full_only: (speller, speller.prefilter()) for speller in spellers}


def find(ledger: Ledger, text: str, kinds: Iterable[str] | None = None, limit: int = 50) -> list[Hit]:
    query = _clean(text or "")
    if not query:
        raise BadInput("empty_text", field="TEXT")
    wanted = list(kinds or KINDS)
    for kind in wanted:
        if kind not in KINDS:
            raise BadInput("bad_value", field="--kind", value=kind, accepted="|".join(KINDS))
    prepared = Query.of(query)
    searched = [kind for kind in KINDS if kind in wanted and kind != "unit"]

    def unit_name(code: str) -> str:
        unit = units.get(code)
        if unit is None:
            return code
        parent = units.get(unit.parent or "")
        # 一组 alone says little: every village has one.
        return f"{parent.name}{unit.name}" if unit.level == "group" and parent else unit.name

    def unit_names(unit: Any) -> list[tuple[str, str]]:
        """(name, how it matches) of a unit: its name, the bureau's official name (issue 16: 陈家寨村委会 finds
        陈家寨村), and its earlier names (org rename, org alias: "alias")."""
        named = [(unit.name, "")] + ([(unit.official, "")] if unit.official else [])
        return named + [(alias, "alias") for alias in unit.aliases or ()]

    from .index import Index

    hits = []
    # The index has every household's head, cadre's name and item's description, and each character's readings:
    # reading the entity files took 47 s at the `large` benchmark and spelling every name in pinyin 0.8 s (issue
    # 19). Chinese text is looked for by SQLite; other text in the names SQLite hands over as one text.
    with Index.open(ledger) as index:
        units = index.unit_records()
        spellers = _spellers(index, prepared)
        containing = prepared.containing()
        rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
        # kind -> its speller and the names that may match only as pinyin, sorted
        by_pinyin: dict[str, tuple[spelling.Speller, list[str]]] = {}
        for kind in searched:
            if containing is not None:
                found = index.containing(kind, containing)
            else:
                names = index.names_text(kind)
                matching = _containing(names, prepared.lowered)
                found = index.named(kind, matching) + (
                    index.with_id(kind, prepared.id_prefix) if prepared.id_prefix else []
                )
                speller, pattern = spellers[kind == "item"] if spellers else (None, None)
                if speller and pattern:
                    by_pinyin[kind] = (
                        speller,
                        sorted(_lines(names, (found.span() for found in pattern.finditer(names))) - matching),
                    )
            for row in found:
                rows[row[:2]] = row
        for kind, entry_id, name, unit in rows.values():
            rank = _score(prepared, entry_id, name, None)
            if rank is not None:
                hits.append(Hit(kind, entry_id, name, unit, unit_name(unit), MATCH_NAMES[rank], rank))
        if "unit" in wanted:
            # The unit shown is the parent, or for a unit retired by a merge (撤并) the unit it went to.
            for unit in units.values():
                where = unit.merged_into or unit.parent or ""
                scored = [
                    (_score(prepared, "", name, spellers[False][0] if spellers else None, ids_too=False), how)
                    for name, how in unit_names(unit)
                ]
                found_ranks = sorted((rank, how) for rank, how in scored if rank is not None)
                if found_ranks:
                    rank, how = found_ranks[0]
                    match = how or MATCH_NAMES[rank]
                    hits.append(Hit("unit", unit.code, unit.name, where, unit_name(where), match, rank))
        # Pinyin hits are listed after every other, in (kind, name, id) order, so only the first names that still fit
        # under `limit` need spelling out (`find ceshi` matched every name of the `large` benchmark). Units come last
        # among the kinds, so theirs, scored above, stay behind.
        room = limit - sum(1 for hit in hits if hit.rank < PINYIN) if limit > 0 else None
        ranked = {(hit.kind, hit.id) for hit in hits}
        for kind, (speller, candidates) in by_pinyin.items():
            if room is not None and room <= 0:
                break
            for _, entry_id, name, unit in _spelled_rows(index, kind, candidates, speller, ranked, room):
                hits.append(Hit(kind, entry_id, name, unit, unit_name(unit), MATCH_NAMES[PINYIN], PINYIN))
                if room is not None:
                    room -= 1
    hits.sort(key=lambda hit: (hit.rank, KINDS.index(hit.kind), hit.name, hit.id))
    return hits[:limit] if limit > 0 else hits


def _spelled_rows(
    index: Any,
    kind: str,
    names: list[str],
    speller: spelling.Speller,
    ranked: set[tuple[str, str]],
    room: int | None,
) -> list[tuple[str, str, str, str]]:
    """The first `room` rows (all: None) of `kind`, in (name, id) order, whose name (of the sorted `names`) the speller
    matches and which are not `ranked` otherwise already. Names are spelled only until that many rows are found."""
    rows: list[tuple[str, str, str, str]] = []
    position = 0
    while position < len(names) and (room is None or len(rows) < room):
        batch = []  # each name has a row at least: as many names as rows are still wanted
        while position < len(names) and (room is None or len(batch) < room - len(rows)):
            if speller.matches(names[position]):
                batch.append(names[position])
            position += 1
        rows += [row for row in index.named(kind, batch) if row[:2] not in ranked]
    rows.sort(key=lambda row: (row[2], row[1]))
    return rows if room is None else rows[:room]
