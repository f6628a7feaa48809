"""What a visits sheet's import asks of the ledger, answered from the SQLite index (issue 19: import at sheet speed).

A visit row names a household by village and head and its visitors by name. Reading and parsing every household
and cadre file for that (and every visit stream, for the duplicate check) was most of a visits import; the index
already holds each household's head, village, group and registration day, each cadre's name, unit and status, and
the visits in force by date. It is used only when the ledger has one: building it from nothing costs more than
reading the files, so a ledger that has never been listed reads them as before (ops/sheets.py). Opening it brings
it to HEAD (parsing only the files changed since), as every read does.

A households sheet is matched on the keys the index keeps of each household (keyed hashes of the ID numbers,
登记编号, village and head); the files of the households its rows name are read, not every one.

One fact is not in the index exactly, and is read from the files, only where a row needs it:
- an existing visit the same day at the same household: the index gives the candidates, their stream documents
  decide (its `unit` column falls back to the village where a document has no unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core import streams
from ..core.layout import INDEX_FILE, STATE_DIR
from ..core.model import Source, Visit
from ..repo.store import Ledger


def has_index(ledger: Ledger) -> bool:
    """The ledger keeps an index (any read made one): opening it costs what changed since, not a full build."""
    return (ledger.git_dir / STATE_DIR / INDEX_FILE).is_file()


VISIT_IDS_READ = 300_000  # visits whose ids a look-up reads at once (~30 MB); more are asked one id at a time


class HouseholdFacts:
    """The parts of a household a visit row needs, as the index has them."""

    __slots__ = ("id", "head", "village", "group", "path", "registered")

    def __init__(self, row: tuple[Any, ...], first_day: str | None) -> None:
        self.id, head, village, self.group, self.path, typed_in, registered = row
        self.head = head or ""
        self.village = village or ""
        # The 建档 day: the first stay's start when it is not the day the household was typed in (then only the
        # registered day can have moved it); else what the file says (the index's copy of its `registered`).
        self.registered: str | None = first_day if first_day and first_day != typed_in else registered

    @property
    def unit(self) -> str:
        return self.group or self.village


@dataclass(frozen=True)
class CadreFacts:
    """A cadre as a visit row's 走访人 is resolved and checked: by name, near a unit, active or not."""

    id: str
    name: str
    unit: str
    status: str


class ImportLookup:
    """The index opened for one import's planning; `close` when the plan is made."""

    def __init__(self, ledger: Ledger) -> None:
        from .index import Index

        self.ledger = ledger
        self.index = Index.open(ledger)
        self._visits_on: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self._streams: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {}
        self._visit_ids: tuple[bool, set[str]] | None = None  # (all of them read, the ids read)

    @classmethod
    def open(cls, ledger: Ledger) -> ImportLookup | None:
        """The look-up, or None when the ledger has no index or the index could not read a household or cadre
        file (then the files are read, and the import reports the broken one as before)."""
        if not has_index(ledger):
            return None
        lookup = cls(ledger)
        if any(path.startswith(("households/", "cadres/")) for path, _error in lookup.index.problems()):
            lookup.close()
            return None
        return lookup

    def close(self) -> None:
        self.index.close()

    def households(self) -> dict[str, HouseholdFacts]:
        sql = self.index.conn.execute
        first_days = dict(
            sql("SELECT id, min(since) FROM unit_spans WHERE id >= 'H-' AND id < 'H.' GROUP BY id").fetchall()
        )
        rows = sql(
            "SELECT id, head, village, grp, path, created, registered FROM households ORDER BY id"
        ).fetchall()
        return {row[0]: HouseholdFacts(row, first_days.get(row[0])) for row in rows}

    def household_keys(self) -> list[tuple[str, str, str, str | None, str | None, str | None, str | None]]:
        """(id, path, village, head, id_hash, member hashes space-separated, register_no) of every household, by
        id: what a households import matches its rows on, without reading 100,000 files to learn it."""
        sql = (
            "SELECT id, path, village, head, id_hash, member_hashes, register_no FROM households ORDER BY id"
        )
        return self.index.conn.execute(sql).fetchall()

    def cadres(self) -> dict[str, CadreFacts]:
        rows = self.index.conn.execute("SELECT id, name, unit, status FROM cadres ORDER BY id").fetchall()
        return {row[0]: CadreFacts(row[0], row[1] or "", row[2] or "", row[3] or "active") for row in rows}

    def visit_taken(self, visit_id: str) -> bool:
        """A visit in force has this id. Up to a county's few hundred thousand visits their ids are read in one
        query (a query per new id was a tenth of a visits import); past that, one query each."""
        if self._visit_ids is None:
            count = self.index.conn.execute("SELECT count(*) FROM visits").fetchone()[0]
            ids = self.index.conn.execute("SELECT id FROM visits") if count <= VISIT_IDS_READ else ()
            self._visit_ids = (count <= VISIT_IDS_READ, {row[0] for row in ids})
        all_read, known = self._visit_ids
        if all_read:
            return visit_id in known
        sql = "SELECT 1 FROM visits WHERE id = ? LIMIT 1"
        return self.index.conn.execute(sql, (visit_id,)).fetchone() is not None

    def visits_at(self, date: str, household_or_unit: str) -> list[Visit]:
        """The visits in force on `date` at that household (or, without one, that unit), from their streams, in the
        order a reading of every stream finds them (path, then place in the file)."""
        by_place = self._visits_on.get(date)
        if by_place is None:
            by_place = {}
            sql = "SELECT id, household, unit, path FROM visits WHERE date = ?"
            for visit_id, household, unit, path in self.index.conn.execute(sql, (date,)):
                by_place.setdefault(household or unit or "", []).append((visit_id, path))
            self._visits_on[date] = by_place
        found = []
        for visit_id, path in by_place.get(household_or_unit, ()):
            placed = self._stream(path).get(visit_id)
            if placed is not None:
                found.append((path, placed[0], Visit.from_dict(placed[1], Source(path))))
        return [visit for _path, _place, visit in sorted(found, key=lambda found: found[:2])]

    def _stream(self, path: str) -> dict[str, tuple[int, dict[str, Any]]]:
        """id -> (place in the file, document) of a stream's documents in force."""
        if path not in self._streams:
            docs = streams.in_force(self.ledger.read_stream(path))
            self._streams[path] = {str(doc.get("id")): (place, doc) for place, doc in enumerate(docs)}
        return self._streams[path]
