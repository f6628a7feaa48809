"""The SQLite index: a cache of the YAML committed at HEAD, for rollups and fast listings (DESIGN §6).

The file lives at `.git/minqing/index.sqlite`, outside the working tree, so nothing tracked is ever written. It
records the git blob id of every ledger file it parsed (`blobs`) and the commit it reflects (`meta.commit`);
`PRAGMA user_version` is the schema version. On every open the index is brought up to HEAD: the changed paths
between the recorded commit and HEAD (`git diff-tree`, or the full `git ls-tree` when that commit is gone) are
re-parsed from their blobs (`git cat-file --batch`: committed content, never a dirty working tree) and the rows of
removed files are dropped. A missing, stale-format or corrupt index file is rebuilt from scratch, with a note,
never trusted. A cold build of a large ledger parses blob batches on every core.

Public API (small on purpose; everything else is internal):

- `Index.open(ledger, rebuild=False, progress=None) -> Index` — open, validate, refresh. `index.parsed` is the
  number of blobs parsed by that refresh (0 when the index was already at HEAD); `index.notes` holds
  `(message key, params)` pairs the CLI prints on stderr (rebuilt because missing/corrupt/stale);
  `index.problems()` lists `(path, error)` for files that could not be parsed (`minqing check` explains them).
- `items(ledger, state=, unit=, leader=, category=, kind=, ledger_name=, overdue_on=) -> list[ItemRow]` — the rows
  `issue list` prints, filtered in SQL. Arguments are already-validated codes: `state` is a state or "open",
  `unit` a code prefix, `leader` a full cadre id, `overdue_on` a date (keeps open items with due < that date).
- `item_counts(ledger, unit=None, on=None) -> dict` — items per state plus "open" and "overdue" (due < `on`,
  default today), for `status`.

Tables (all carry the `path` of the file a row came from, so a changed file replaces exactly its rows):
settings, units, cadres, households, pairings (household, cadre, since, until), items, item_events (resolve,
feedback, close, escalate, claim with their effective dates), item_spans (intervals over which an item's open
flag, due date and leader were constant: "open at date D" is one range lookup), visits, visit_by, activities,
visit_months (a stream file's visits summed per unit and month, for rollups), visit_cells (the same files' widths
as `visit list` prints them). The DERIVED tables (household_facts, cadre_visits, item_dups, and the column
items.shared) sum rows of several files: a refresh works them out again for the ids the changed files touch
(`_touched_ids`, `_derive`), a cold build for all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..core import fields as F
from ..core import spelling, streams, yamlio
from ..core.cells import cell_width, is_plain, shorten
from ..core.errors import EnvironmentProblem
from ..core.layout import INDEX_FILE, STATE_DIR, placed_kind
from ..core.model import OPEN_STATES, VOIDED, Unit, at_risk
from ..repo import git
from ..repo.gitwalk import read_batch_answer
from ..repo.store import UNKNOWN, Ledger, read_head

SCHEMA_VERSION = 27  # 2: items.assign_by (petitions not assigned in time); 3: voided_items; 4: revisions;
# 5: households.removed and unit_spans (a household's village and a cadre's unit over time: 搬迁, 调动, 销户);
# 6: items/visits/activities.late (补录 inside a closed period); 7: units.retired (撤并: org merge);
# 8: a household counts from its registration day (建档, `registered`) and so do the pairings made with it;
# a cadre from theirs, a pairing from its entry's `since` (an imported roster's --registered)
# 9: items.source (the channel: the discipline channel 纪委 is counted apart, issue 18)
# 10: surveys (群众满意度测评) and visit_rounds (the round of a team visit, 五人大走访), issue 18
# 11: cadre_departments, activity_by and visit_extras (帮扶单位 credited with its cadres' work; talks with
# cadres), issue 18
# 12: households.head and items' descriptions answer `find` from the index (issue 19: find at county size read
# every entity file); 13: the rest of `household list`'s columns (members, the masked ID number and phone,
# risk indicators, paired cadres), so a listing of 100,000 households is one query; 14: covering indexes for
# `status` and the open-item lists (one pass over the open items, not six scans of all of them), and a partial
# index of the blobs the index could not read; 15–16: households.head_cells and printable (a listing knows its widths before its rows)
# 17: what rollups sum kept by the index (issue 19: warm rollup at `large` was ~1.7 s of per-row SQL): visit_months
# (a stream file's visits per unit and month), household_facts (each household's stay joined to its pairings and
# visits, kept for the households a refresh touched), the item's unit, kind, next same event and days to close on
# item_events and its unit on item_spans, and item_dups (ids held by two item files: rollups then read the joins)
# 18–19: items.shared (the household has other items: the rest add up in a rollup's one pass over the items),
# item events in unit order too (events_op_unit); 20: a period's items by creation day (items_period); 21: cadre_visits
# 22: households_listing, `household list`'s extents (its widths before its rows) read from one covering index
# 23: items_listing, the open items in list order with every listed column (issue list --overdue, --state open)
# 24: households.id_hash, member_hashes, register_no, registered (an import's matching keys and 建档 day)
# 25: visits.cadres, with_cadre, items_cells, note_cells, printable and visit_cells (`visit list` knows its widths
# before its rows)
# 26: spellings (each character's readings, so `find` spells names without pypinyin) and units.also
# 27: units.official and aliases in place of also (`find` reads the units from the index), and covering indexes of
# the names `find` reads (households_head, items_description)
PARALLEL_MIN_BLOBS = 400  # below this, starting worker processes costs more than it saves
BATCH_BYTES = 2 << 20  # blobs handed to a worker at a time


TABLES: dict[str, tuple[str, ...]] = {
    "settings": ("path", "key", "value"),
    # `retired`: the day an org merge (撤并) retired the unit into `merged_into`; rollups list it for periods
    # that began before that day, and count what is left at it under `merged_into` in later ones.
    # `official`: the bureau's name when it differs; `aliases`: its earlier names, newline-joined (for `find`)
    "units": ("path", "code", "name", "level", "parent", "retired", "merged_into", "official", "aliases"),
    "cadres": ("path", "id", "name", "unit", "role", "status", "created", "recalled"),
    "households": (
        "path",
        "id",
        "village",
        "grp",
        "unit",
        "status",
        "created",
        "pairings",
        "removed",
        "head",
        "members",
        "id_number",
        "phone",
        "risks",
        "paired",
        "head_cells",  # the head's width at a terminal (core/cells)
        "printable",  # 1 when head, ID number and phone print as they are: `household list` may stream the row
        # What a households import matches a sheet's rows on (keyed hashes of the ID numbers, 登记编号) and the
        # 建档 day a visits import checks against, so neither reads every household file (issue 19).
        "id_hash",
        "member_hashes",  # space-separated
        "register_no",
        "registered",
    ),
    # Where a household lived / a cadre served over [since, until): one row per stay, from create, each move
    # (搬迁, 调动) and, for a household, until its removal (销户). A correction (edit of the group) rewrites the
    # stay it corrects. Rollups count a household or cadre at the unit of the span covering the as-of date.
    "unit_spans": ("path", "id", "since", "until", "unit"),
    "pairings": ("path", "household", "cadre", "since", "until"),
    "items": (
        "path",
        "id",
        "kind",
        "ledger",
        "category",
        "description",
        "household",
        "unit",
        "level",
        "state",
        "created",
        "due",
        "leader",
        "closed",
        "how",
        "resolved",
        "feedback",
        "esc_township",
        "esc_county",
        "claimed_by",
        "assign_by",
        "late",  # 补录 (issue 15): the reason, when it was registered inside a closed period
        "source",  # the channel it came by (visit, petition, hotline, review, grid, discipline)
        "shared",  # 1 when another item names the same household (derived: `_derive` keeps it; rollups count
        # the households of the other items by adding items up, one each)
    ),
    # 作废 items (issue 15) are in no count, list or funnel: only here, for `issue list --all`.
    "voided_items": (
        "path",
        "id",
        "kind",
        "ledger",
        "category",
        "description",
        "unit",
        "household",
        "level",
        "created",
        "voided",
    ),
    # `unit` and `kind` are the item's (rollups count events without joining items); `next` is the day of the item's
    # next event of the same op (for resolve: with the same result) in (day, history) order, so "the last close in
    # [S, E]" is `day BETWEEN S AND E AND (next IS NULL OR next > E)`; `days`: a close's days since creation.
    "item_events": ("path", "item", "op", "day", "value", "due", "resolved", "unit", "kind", "next", "days"),
    "item_spans": ("path", "item", "since", "until", "open", "due", "leader", "unit"),
    # `cadres`, `with_cadre`, `items_cells`, `note_cells` and `printable` are what `visit list` prints of a visit
    # besides names the index keeps elsewhere: its widths before its rows (issue 19, schema 25). `printable` is 1
    # when every cell of the visit prints as it is and `cadres` (space-joined) holds its `by` exactly.
    "visits": (
        "path",
        "id",
        "date",
        "kind",
        "household",
        "village",
        "unit",
        "late",
        "cadres",
        "with_cadre",
        "items_cells",
        "note_cells",
        "printable",
    ),
    # A stream file's visits summed per (unit, month) for rollups (one row per unit and month of the file; a visit
    # whose date is not a calendar day YYYY-MM-DD gets a row of its own with `month` NULL and its `date`).
    "visit_months": (
        "path",
        "unit",
        "month",
        "date",
        "visits",
        "talks",
        "stays",
        "talks_households",
        "talks_cadres",
        "late",
        "condolences",
    ),
    # A stream file's visits per (month: the date's first 7 characters, unit, village, kind), as `visit list` needs
    # them to know a county's widths before its rows without reading a million rows: the longest id, date and
    # household id, the widest item list and shortened note, whether all print as they are, and the distinct cadre
    # lists (`visits.cadres`) and cadres talked with (of visits without a household), each "\n"-joined.
    "visit_cells": (
        "path",
        "month",
        "unit",
        "village",
        "kind",
        "visits",
        "printable",
        "id_length",
        "date_length",
        "household_length",
        "items_cells",
        "note_cells",
        "cadres",
        "talked",
    ),
    "visit_by": ("path", "visit", "cadre", "date"),
    # Issue 18: each cadre's helping unit (帮扶单位) and posting (驻村) as the file says now, the cadres who held
    # each activity (so a department is credited with its cadres' visits and activities, never typed twice), and
    # per visit the cadre talked with (谈心谈话 with a cadre) and the number of items raised at it.
    "cadre_departments": ("path", "cadre", "department", "posted"),
    "activity_by": ("path", "activity", "cadre", "date"),
    "visit_extras": ("path", "visit", "date", "with_cadre", "raised"),
    "activities": ("path", "id", "date", "kind", "unit", "participants", "late"),
    # Issue 18: the satisfaction survey's answers in force, and the round of each visit recorded in one (a visit
    # outside the rounds has no row here).
    "surveys": ("path", "id", "date", "household", "village", "unit", "round", "result", "at", "late"),
    "visit_rounds": ("path", "visit", "date", "round", "household", "unit"),
    # Corrections and voids in the streams (issue 15): `how` is corrects|voids; only documents in force are in
    # visits/activities, these rows lead from a replaced id to what replaced it.
    "revisions": ("path", "id", "replaces", "how", "corrected_by"),
}

# Tables derived from rows of several files (no `path`): recomputed for the ids a refresh touched (`_derive`).
DERIVED: dict[str, tuple[str, ...]] = {
    # Per household and stay (unit_spans joined to households, as rollups counted them): its pairings on any day
    # as one interval [pair_from, pair_to) (pair_split = 1 when they are not one interval: rollups then look the
    # pairings up), and its visits: the first and last day, the months visited as bits from the base month
    # (meta `visit_month_base`) and odd = 1 when a visit has no bit (not a calendar day, or outside the 63 months).
    "household_facts": (
        "household",
        "since",
        "until",
        "unit",
        "poor",
        "pair_from",
        "pair_to",
        "pair_split",
        "first",
        "last",
        "mask",
        "odd",
    ),
    # An id two item files hold: rollups count such a ledger through the joins, as before.
    "item_dups": ("id",),
    # household_facts' visit columns per cadre, from visit_by (rollups: cadres without a visit).
    "cadre_visits": ("cadre", "first", "last", "mask", "odd"),
}
MASK_MONTHS = 63  # months a household's visit mask holds (bits of a signed 64-bit integer)
# The base month is this many months before the month of a full derivation (rebased when the mask runs out).
MASK_BACK = 40
DERIVE_ALL_IDS = 20_000  # a refresh touching more ids than this derives the tables whole (one grouped pass)

# The open states as SQL, one text for the partial index and the queries that must match it word for word.
OPEN_ITEMS = "state IN (" + ", ".join(f"'{state}'" for state in OPEN_STATES) + ")"

# The width of a household's cell in a listing that names it (`head id`, or the id alone: names.Names.household),
# one text for its index and the query that walks it widest first.
HOUSEHOLD_CELL = "(CASE WHEN coalesce(head, '') = '' THEN length(id) ELSE head_cells + 1 + length(id) END)"

# Created after a cold bulk load (faster than maintaining them row by row).
INDEXES = (
    "CREATE INDEX IF NOT EXISTS {t}_path ON {t}(path)",
    f"CREATE INDEX IF NOT EXISTS households_cell ON households({HOUSEHOLD_CELL})",
    "CREATE INDEX IF NOT EXISTS items_id ON items(id)",
    # A unit's items by state in index order (status, item counts); the open items with what status sums over
    # them: at a county's size the closed ones are most of the table and neither query reads them.
    "CREATE INDEX IF NOT EXISTS items_unit ON items(unit, state, esc_township, esc_county)",
    "CREATE INDEX IF NOT EXISTS items_open ON items(state, leader, due, kind, assign_by, unit)",
    # The open items in `issue list`'s order with its columns: an overdue list reads neither the table (a random
    # page per item) nor sorts (issue 19: half of `issue list --overdue`'s SQL at a county's size).
    "CREATE INDEX IF NOT EXISTS items_listing ON items(created, id, kind, ledger, category, description, unit,"
    f" household, level, state, due, leader, path) WHERE {OPEN_ITEMS}",
    "CREATE INDEX IF NOT EXISTS blobs_unreadable ON blobs(path) WHERE error IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS households_id ON households(id)",
    # `find` reads every name as one text, and looks names up: from these, not the wide tables (~4 ms each at `large`)
    "CREATE INDEX IF NOT EXISTS households_head ON households(head, id, unit)",
    "CREATE INDEX IF NOT EXISTS items_description ON items(description, id, unit)",
    # `household list`'s extents, grouped by place in index order without reading the table (issue 19: the list's
    # first line waited ~0.1 s for a sort of 100,000 rows).
    "CREATE INDEX IF NOT EXISTS households_listing ON households(village, grp, status, removed, unit, id, head_cells,"
    " printable, members, id_number, phone, risks, paired)",
    "CREATE INDEX IF NOT EXISTS cadres_id ON cadres(id)",
    "CREATE INDEX IF NOT EXISTS unit_spans_id ON unit_spans(id, since)",
    "CREATE INDEX IF NOT EXISTS pairings_household ON pairings(household)",
    # Covering: rollups count a short period's events by day, a long one's in unit order (no sort), from the index.
    "CREATE INDEX IF NOT EXISTS events_op_day ON item_events(op, day, unit, next, value, kind, due, resolved, days)",
    "CREATE INDEX IF NOT EXISTS events_op_unit ON item_events(op, unit, days, day, next, value, kind, due,"
    " resolved)",
    "CREATE INDEX IF NOT EXISTS spans_item ON item_spans(item)",
    "CREATE INDEX IF NOT EXISTS spans_open ON item_spans(open, until, since, unit, due)",
    # Rollups: a unit's items by ledger (the cumulative counts, in unit order) and the items raised in a period.
    "CREATE INDEX IF NOT EXISTS items_books ON items(unit, ledger, created, esc_township, esc_county)",
    "CREATE INDEX IF NOT EXISTS items_period ON items(created, unit, kind, source, late, shared, household,"
    " esc_township, esc_county)",
    "CREATE INDEX IF NOT EXISTS items_shared ON items(created, unit, household, esc_township, esc_county)"
    " WHERE shared",
    "CREATE INDEX IF NOT EXISTS items_household ON items(household)",
    "CREATE INDEX IF NOT EXISTS visits_date ON visits(date)",
    "CREATE INDEX IF NOT EXISTS surveys_household ON surveys(household, date)",
    "CREATE INDEX IF NOT EXISTS visits_household ON visits(household, date)",
    "CREATE INDEX IF NOT EXISTS visit_by_cadre ON visit_by(cadre, date)",
    "CREATE INDEX IF NOT EXISTS activities_date ON activities(date)",
    "CREATE INDEX IF NOT EXISTS revisions_replaces ON revisions(replaces)",
    # Issue 18: a department's work is found from its cadres (rollup --by department, duties).
    "CREATE INDEX IF NOT EXISTS visits_id ON visits(id)",
    "CREATE INDEX IF NOT EXISTS activities_id ON activities(id)",
    "CREATE INDEX IF NOT EXISTS activity_by_cadre ON activity_by(cadre, date)",
    "CREATE INDEX IF NOT EXISTS cadre_departments_cadre ON cadre_departments(cadre)",
    "CREATE INDEX IF NOT EXISTS visit_extras_visit ON visit_extras(visit)",
    "CREATE INDEX IF NOT EXISTS visit_extras_with ON visit_extras(with_cadre, date)",
    # Rollups read a period's households in unit order from this index alone.
    "CREATE INDEX IF NOT EXISTS household_facts_unit ON household_facts(unit, poor, since, until, pair_from,"
    " pair_to, pair_split, first, last, mask, odd, household)",
    "CREATE INDEX IF NOT EXISTS household_facts_id ON household_facts(household)",
    "CREATE INDEX IF NOT EXISTS item_dups_id ON item_dups(id)",
    "CREATE INDEX IF NOT EXISTS cadre_visits_cadre ON cadre_visits(cadre)",
)

Rows = dict[str, list[tuple[Any, ...]]]
Progress = Callable[[int, int], None]


# ---------------------------------------------------------------- which files are indexed


INDEXED_KINDS = frozenset(
    {"config", "units", "cadre", "household", "item", "visits", "activities", "surveys"}
)
STREAM_ROWS_KINDS = ("visits", "activities", "surveys")


def kind_of(path: str) -> str | None:
    """The kind of ledger file at `path`, or None for files the index ignores (.gitattributes, reviews, …)."""
    kind = placed_kind(path)
    return kind if kind in INDEXED_KINDS else None


# ---------------------------------------------------------------- parsing (pure; runs in worker processes)


def parse_blob(path: str, kind: str, raw: bytes) -> tuple[Rows, str | None]:
    """Rows for every table from one file's bytes, and an error text when (part of) the file is unreadable."""
    rows: Rows = {}
    try:
        text = yamlio.decode(raw)
        if kind in STREAM_ROWS_KINDS:
            docs = yamlio.load_all(text)
            mappings = [doc for doc in docs if isinstance(doc, dict)]
            bad = len(docs) - len(mappings)
            revised = False
            for doc in mappings:
                if streams.is_revision(doc):
                    _revision_rows(path, doc, rows)
                    revised = True
            # without a correcting or voiding document every document is in force
            for doc in streams.in_force(mappings) if revised else mappings:
                try:
                    STREAM_PARSERS[kind](path, doc, rows)
                except (TypeError, KeyError, ValueError, AttributeError):
                    bad += 1
            if rows.get("visits"):
                _visit_month_rows(path, rows)
                _visit_cell_rows(path, rows)
            return rows, (f"{bad} unreadable document(s)" if bad else None)
        limit = yamlio.MAX_STREAM_BYTES if kind == "units" else yamlio.MAX_ENTITY_BYTES
        data = yamlio.load(text, limit=limit)
        if not isinstance(data, dict):
            return {}, "not a mapping"
        PARSERS[kind](path, data, rows)
        return rows, None
    except yamlio.YamlProblem as problem:
        return {}, f"line {problem.line}: {problem.message}" if problem.line else problem.message
    except (TypeError, KeyError, ValueError, AttributeError, IndexError) as exc:
        return {}, f"does not match its schema ({type(exc).__name__}: {exc})"


def _parse_batch(batch: list[tuple[str, str, str, bytes]]) -> tuple[list[tuple[Any, ...]], Rows]:
    """(blobs rows, rows per table) of a batch: grouped here so the parent inserts each table in one call."""
    blobs = []
    tables: Rows = {}
    for path, blob, kind, raw in batch:
        rows, error = parse_blob(path, kind, raw)
        blobs.append((path, blob, kind, error))
        for table, table_rows in rows.items():
            tables.setdefault(table, []).extend(table_rows)
    return blobs, tables


def _add(rows: Rows, table: str, row: tuple[Any, ...]) -> None:
    rows.setdefault(table, []).append(row)


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _printable(head: str | None, id_number: str | None, phone: str | None) -> int:
    """1 when the head prints as it is and the (masked) numbers are printable ASCII, whose width is their length."""
    numbers = (id_number or "") + (phone or "")
    return int(is_plain(head or "") and numbers.isascii() and numbers.isprintable())


def _day(entry: dict[str, Any]) -> str:
    return str(entry.get("at") or "")[:10]


def _config_rows(path: str, data: dict[str, Any], rows: Rows) -> None:
    county = data.get("county") or {}
    _add(rows, "settings", (path, "county_code", _s(county.get("code"))))
    _add(rows, "settings", (path, "county_name", _s(county.get("name"))))


def _units_rows(path: str, data: dict[str, Any], rows: Rows) -> None:
    county = data.get("county") or {}
    if county.get("code"):
        _add(
            rows,
            "units",
            (path, str(county["code"]), _s(county.get("name")), "county", None, None, None, None, ""),
        )
    for unit in data.get("units") or []:
        _add(
            rows,
            "units",
            (
                path,
                str(unit["code"]),
                _s(unit.get("name")),
                _s(unit.get("level")),
                _s(unit.get("parent")),
                _s(unit.get("retired")),
                _s(unit.get("merged_into")),
                _s(unit.get("official")),
                _aliases(unit),
            ),
        )


def _aliases(unit: dict[str, Any]) -> str:
    aliases = unit.get("aliases")
    return "\n".join(str(name) for name in aliases if name) if isinstance(aliases, list) else ""


def _cadre_rows(path: str, data: dict[str, Any], rows: Rows) -> None:
    history = data.get("history") or []
    created = _s(data.get("registered")) or (_day(history[0]) if history else "")
    recalled = None
    for entry in history:
        if entry.get("op") == "recall":
            recalled = _day(entry)
    if data.get("status") == "recalled" and recalled is None:
        recalled = created
    _add(
        rows,
        "cadres",
        (
            path,
            str(data["id"]),
            _s(data.get("name")),
            str(data.get("unit") or ""),
            _s(data.get("role")),
            _s(data.get("status") or "active"),
            created,
            recalled,
        ),
    )
    _unit_span_rows(path, data, "unit", rows)
    if data.get("department") or data.get("posted"):
        _add(
            rows,
            "cadre_departments",
            (path, str(data["id"]), _s(data.get("department")), _s(data.get("posted"))),
        )


def _unit_span_rows(path: str, data: dict[str, Any], key: str, rows: Rows, end: str | None = None) -> None:
    """A household's (key "village") or cadre's (key "unit") stays, replayed from create, edit and move entries: a
    move starts a new stay that day, a corrected group rewrites the stay it corrects. `end`: the removal day."""
    history = data.get("history") or []
    place: dict[str, Any] = {}
    stays: list[list[str]] = []  # [since, unit]
    for entry in history:
        op, values = entry.get("op"), entry.get("fields") or {}
        if op == "create":
            place = {key: str(values.get(key) or ""), "group": _s(values.get("group"))}
            # a household registered before it was typed in (last year's roster) counts from its 建档 day
            stays = [[_s(values.get("registered")) or _day(entry), place["group"] or place[key]]]
        elif op == "edit" and "group" in values and stays:
            place["group"] = _s(values.get("group"))
            stays[-1][1] = place["group"] or place[key]
        elif op == "move" and stays:
            place = {key: str(values.get(key) or ""), "group": _s(values.get("group"))}
            stays.append([max(_day(entry), stays[-1][0]), place["group"] or place[key]])
    if not stays:  # no history: the snapshot is all there is
        stays = [["", str(data.get("group") or data.get(key) or "")]]
    entity_id = str(data["id"])
    for index, (since, unit) in enumerate(stays):
        until = stays[index + 1][0] if index + 1 < len(stays) else end
        _add(rows, "unit_spans", (path, entity_id, since, until, unit))


def _household_rows(path: str, data: dict[str, Any], rows: Rows) -> None:
    home_id = str(data["id"])
    village = str(data.get("village") or "")
    group = _s(data.get("group"))
    history = data.get("history") or []
    created = _day(history[0]) if history else ""
    pairings = list(data.get("pairings") or [])
    removed = _s(data.get("removed"))
    head = _s(data.get("head"))
    _add(
        rows,
        "households",
        (
            path,
            home_id,
            village,
            group,
            group or village,
            _s(data.get("status")),
            created,
            len(pairings),
            removed,
            _s(data.get("head")),
            data.get("members") if isinstance(data.get("members"), int) else None,
            _s(data.get("id_number")),  # files keep only the masked form (DESIGN §3)
            _s(data.get("phone")),
            " ".join(at_risk(data.get("indicators"))),
            " ".join(str(cadre) for cadre in pairings),
            cell_width(head) if head is not None else None,
            _printable(head, _s(data.get("id_number")), _s(data.get("phone"))),
            _s(data.get("id_hash")),
            " ".join(str(digest) for digest in data.get("member_hashes") or ()) or None,
            _s(data.get("register_no")),
            _s(data.get("registered")),
        ),
    )
    _unit_span_rows(path, data, "village", rows, end=removed)
    open_pairs: dict[str, str] = {}
    spans: list[tuple[str, str, str | None]] = []
    # Pairings made with the household by the entry that registered it (an imported roster's 结对干部) date from
    # its registration day, as the household does.
    registered = _s(data.get("registered"))
    created_at = history[0].get("at") if history else None
    for entry in history:
        cadre = (entry.get("fields") or {}).get("cadre")
        if entry.get("op") == "pair" and cadre:
            since = (entry.get("fields") or {}).get("since") or (
                registered if registered and entry.get("at") == created_at else _day(entry)
            )
            since = str(since)
            open_pairs.setdefault(str(cadre), since)
        elif entry.get("op") == "unpair" and cadre and str(cadre) in open_pairs:
            spans.append((str(cadre), open_pairs.pop(str(cadre)), _day(entry)))
    if not history:  # a snapshot without history: its pairings hold from the start
        open_pairs = {str(cadre): "" for cadre in pairings}
    spans += [(cadre, since, None) for cadre, since in open_pairs.items()]
    for cadre, since, until in spans:
        _add(rows, "pairings", (path, home_id, cadre, since, until))


def _item_rows(path: str, data: dict[str, Any], rows: Rows) -> None:
    """The snapshot columns, plus the item's life replayed from `history:` into events and state spans.

    The replay is tolerant (it never refuses): the index describes what is in git; `check` judges it.
    Days never go backwards, so a resolution dated to the visit day cannot precede the item's creation.
    """
    item_id = str(data["id"])
    kind = str(data.get("kind") or "problem")
    history = data.get("history") or []
    created = str(data.get("created") or (_day(history[0]) if history else ""))
    if data.get("state") == VOIDED:
        row = [_s(data.get(key)) for key in ("ledger", "category", "desc", "unit", "household", "level")]
        _add(rows, "voided_items", (path, item_id, kind, *row, created, _s(data.get("voided"))))
        return
    unit = str(data.get("unit") or "")
    events: list[list[Any]] = []  # [op, day, value, due, resolved]
    state, due, leader = "registered", None, None
    resolved_day: str | None = None
    escalated: dict[str, str | None] = {"township": None, "county": None}
    points: list[tuple[str, int, str | None, str | None]] = []
    last = created
    for entry in history:
        op = entry.get("op")
        values = entry.get("fields") or {}
        day = max(_day(entry) or last, last)
        if op == "create":
            day, state, due = created, "registered", _s(values.get("due"))
        elif op == "assign":
            state, leader, due = "assigned", _s(values.get("leader")), _s(values.get("due"))
        elif op == "progress":
            state = "in_progress"
        elif op == "escalate":
            target = values.get("to")
            state, leader = "registered", None
            due = due if kind == "petition" else None
            if target in ("township", "county") and escalated["township"] is None:
                escalated["township"] = day
            if target == "county" and escalated["county"] is None:
                escalated["county"] = day
            events.append(["escalate", day, _s(target), None, None])
        elif op == "resolve":
            day = max(str(values.get("date") or day), last)
            state, resolved_day = "resolved", day
            events.append(["resolve", day, _s(values.get("how")), due, None])
        elif op == "feedback":
            result = _s(values.get("result"))
            if result == "unsatisfied":
                state = "in_progress"
            events.append(["feedback", day, result, None, None])
        elif op == "close":
            day = max(str(values.get("date") or day), last)
            state = "closed"
            events.append(["close", day, None, due, resolved_day or day])
        elif op == "reopen":
            state, resolved_day = "in_progress", None
        elif op == "extend":
            due = _s(values.get("to")) or due
        elif op == "hand_over":
            leader = _s(values.get("leader")) or leader  # 移交 (cadre move --hand-over-to): a new leader
        elif op == "claim":
            state = "assigned" if state == "registered" else state
            leader = leader or _s(values.get("by"))
            events.append(["claim", day, _s(values.get("by")), None, None])
        last = day
        points.append((day, int(state in OPEN_STATES), due, leader))
    if not points:  # no history: the snapshot is all there is
        points.append(
            (created, int(data.get("state") in OPEN_STATES), _s(data.get("due")), _s(data.get("leader")))
        )
    _event_rows(path, item_id, unit, kind, created, events, rows)
    for since, until, is_open, span_due, span_leader in _spans(points):
        _add(rows, "item_spans", (path, item_id, since, until, is_open, span_due, span_leader, unit))
    resolution = data.get("resolution") or {}
    _add(
        rows,
        "items",
        (
            path,
            item_id,
            kind,
            _s(data.get("ledger")),
            _s(data.get("category")),
            _s(data.get("desc")),
            _s(data.get("household")),
            str(data.get("unit") or ""),
            _s(data.get("level")),
            _s(data.get("state")),
            created,
            _s(data.get("due")),
            _s(data.get("leader")),
            _s(data.get("closed")),
            _s(resolution.get("how")) if isinstance(resolution, dict) else None,
            _s(resolution.get("date")) if isinstance(resolution, dict) else None,
            _s(data.get("feedback")),
            escalated["township"],
            escalated["county"],
            _s(data.get("claimed_by")),
            _s(data.get("assign_by")),
            _late_of(history),
            _s(data.get("source")),
            0,
        ),
    )


def _event_rows(
    path: str, item_id: str, unit: str, kind: str, created: str, events: list[list[Any]], rows: Rows
) -> None:
    """The item's events with what rollups count them by: each one's `next` is the day of the following event of
    the same op (a resolve: of the same result) in (day, history) order, so an event is the item's last of its kind
    in [S, E] when `next` is NULL or after E; a close carries its days since creation (for the median)."""
    order = sorted(range(len(events)), key=lambda position: (events[position][1], position))
    following: dict[tuple[str, Any], str] = {}
    nexts: dict[int, str | None] = {}
    for position in reversed(order):
        op, day, value = events[position][:3]
        same = (op, value if op == "resolve" else None)
        nexts[position] = following.get(same)
        following[same] = day
    for position, (op, day, value, due, resolved) in enumerate(events):
        days = None
        if op == "close" and created:
            try:
                days = (F.to_date(day) - F.to_date(created)).days
            except ValueError:
                days = None
        _add(
            rows,
            "item_events",
            (path, item_id, op, day, value, due, resolved, unit, kind, nexts[position], days),
        )


def _late_of(history: list[Any]) -> str | None:
    """The 补录 reason an item was registered with, if it was registered inside a closed period."""
    first = history[0] if history and isinstance(history[0], dict) else {}
    return _s((first.get("fields") or {}).get("late"))


def _spans(
    points: list[tuple[str, int, str | None, str | None]],
) -> list[tuple[str, str | None, int, str | None, str | None]]:
    """Change points → half-open intervals [since, until) of constant (open, due, leader); the last one is open-ended."""
    by_day: dict[str, tuple[int, str | None, str | None]] = {}
    for day, *value in points:
        by_day[day] = tuple(value)  # type: ignore[assignment]  # the day's last state wins
    days = sorted(by_day)
    merged: list[tuple[str, tuple[int, str | None, str | None]]] = []
    for day in days:
        if merged and merged[-1][1] == by_day[day]:
            continue
        merged.append((day, by_day[day]))
    out = []
    for index, (day, value) in enumerate(merged):
        until = merged[index + 1][0] if index + 1 < len(merged) else None
        out.append((day, until, *value))
    return out


def _visit_rows(path: str, doc: dict[str, Any], rows: Rows) -> None:
    # The hottest loop of a cold build (a million visits at a county's size): the lists are appended to directly and
    # _s is written out; the rows and the order they are added in (a document failing half-way) are _add's.
    get = doc.get
    visit_id, date = str(doc["id"]), str(doc["date"])
    village, household = get("village"), get("household")
    unit = str(get("unit") or village or "")
    household = None if household is None else str(household)
    kind, late = get("kind") or "visit", get("late")
    visits = rows.get("visits")
    if visits is None:
        visits = rows["visits"] = []
    by, with_cadre, listed = get("by"), get("with_cadre"), _listed_visit(doc)
    visits.append(
        (
            path,
            visit_id,
            date,
            str(kind),
            household,
            None if village is None else str(village),
            unit,
            None if late is None else str(late),
            " ".join(by or ()) if listed else None,
            _s(with_cadre),
            *(listed or (None, None, 0)),
        )
    )
    if by:
        cadres = [(path, visit_id, str(cadre), date) for cadre in by]
        if "visit_by" in rows:
            rows["visit_by"] += cadres
        else:
            rows["visit_by"] = cadres
    raised = len(get("items") or [])
    if get("with_cadre") or raised:
        _add(rows, "visit_extras", (path, visit_id, date, _s(get("with_cadre")), raised))
    if isinstance(get("round"), int):
        _add(rows, "visit_rounds", (path, visit_id, date, doc["round"], household, unit))


def _ascii_plain(value: Any) -> bool:
    """A text `visit list` prints as it is, one cell a character, and keeps whole between spaces."""
    return isinstance(value, str) and value.isascii() and value.isprintable() and " " not in value


def _listed_visit(doc: dict[str, Any]) -> tuple[int, int, int] | None:
    """(items_cells, note_cells, 1): the widths of the visit's items and shortened note as `visit list` prints them,
    when every value it prints is the text the index holds (else None: a hand edit's odd value, and the listing
    measures its rows itself). Its household, cadres and place are named from the index at listing time."""
    get = doc.get
    by, items, note = get("by") or [], get("items") or [], get("note")
    if not (
        _ascii_plain(doc["id"])
        and _ascii_plain(doc["date"])
        # The index's kind and unit stand in for a missing one ("visit"; the village): the listing's must be these.
        and ("kind" not in doc or (isinstance(get("kind"), str) and get("kind")))
        and (isinstance(get("unit"), str) and get("unit"))
        and (get("village") is None or isinstance(get("village"), str))
        and all(get(key) is None or _ascii_plain(get(key)) for key in ("household", "with_cadre"))
        and isinstance(by, list)
        and isinstance(items, list)
        and all(map(_ascii_plain, by))
        and all(map(_ascii_plain, items))
        and (note is None or isinstance(note, str))
    ):
        return None
    shown = shorten(note or "")
    if not is_plain(shown):
        return None
    return sum(map(len, items)) + max(len(items) - 1, 0), cell_width(shown), 1


def calendar_month(day: str) -> str | None:
    """YYYY-MM of a calendar day written YYYY-MM-DD, else None: only such a day is known to lie between the first
    and the last day of its month as text, which is how rollups compare dates."""
    try:
        return day[:7] if len(day) == 10 and dt.date.fromisoformat(day).isoformat() == day else None
    except ValueError:
        return None


# The visit kinds visit_months counts (its columns visits, talks, stays, condolences), by position.
_MONTH_KINDS = {"visit": 0, "talk": 1, "stay": 2, "condolence": 6}


def _visit_month_rows(path: str, rows: Rows) -> None:
    """The file's visits (as indexed) summed per (unit, month): what `rollup` counts of them for whole months."""
    sums: dict[tuple[str, str | None, str | None], list[int]] = {}
    months: dict[str, str | None] = {}  # a file's visits share a few dates
    kinds = _MONTH_KINDS
    for _, _, date, kind, household, _, unit, late, *_ in rows["visits"]:
        if date in months:
            month = months[date]
        else:
            month = months[date] = calendar_month(date)
        key = (unit, month, None if month else date)
        counts = sums.get(key)
        if counts is None:
            counts = sums[key] = [0] * 7
        position = kinds.get(kind)
        if position is not None:
            counts[position] += 1
            if position == 1:
                counts[3 if household is not None else 4] += 1
        if late is not None:
            counts[5] += 1
    for (unit, month, date), counts in sums.items():
        _add(rows, "visit_months", (path, unit, month, date, *counts))


def _visit_cell_rows(path: str, rows: Rows) -> None:
    """The file's visits (as indexed) per (month, unit, village, kind): what `visit list` prints of them, summed."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for _, visit_id, date, kind, household, village, unit, _, cadres, talked, items, note, printable in rows[
        "visits"
    ]:
        key = (date[:7], unit, village, kind)
        cells = groups.get(key)
        if cells is None:
            cells = groups[key] = [0, 1, 0, 0, 0, 0, 0, set(), set()]
        cells[0] += 1
        cells[1] = min(cells[1], printable)
        cells[2] = max(cells[2], len(visit_id))
        cells[3] = max(cells[3], len(date))
        cells[4] = max(cells[4], len(household or ""))
        cells[5] = max(cells[5], items or 0)
        cells[6] = max(cells[6], note or 0)
        cells[7].add(cadres or "")
        if not household and talked:
            cells[8].add(talked)
    for key, cells in groups.items():
        _add(
            rows,
            "visit_cells",
            (path, *key, *cells[:7], "\n".join(sorted(cells[7])), "\n".join(sorted(cells[8]))),
        )


def _revision_rows(path: str, doc: dict[str, Any], rows: Rows) -> None:
    """A correcting or voiding document (core/streams.py), so a corrected id leads to the record in force."""
    replaces = str(doc.get(streams.CORRECTS) or doc.get(streams.VOIDS))
    how = streams.CORRECTS if doc.get(streams.CORRECTS) else streams.VOIDS
    _add(rows, "revisions", (path, str(doc.get("id")), replaces, how, _s(doc.get(streams.CORRECTED_BY))))


def _activity_rows(path: str, doc: dict[str, Any], rows: Rows) -> None:
    participants = doc.get("participants")
    _add(
        rows,
        "activities",
        (
            path,
            str(doc["id"]),
            str(doc["date"]),
            _s(doc.get("kind")),
            str(doc.get("unit") or ""),
            int(participants) if isinstance(participants, int) else 0,
            _s(doc.get("late")),
        ),
    )
    for cadre in doc.get("by") or []:
        _add(rows, "activity_by", (path, str(doc["id"]), str(cadre), str(doc["date"])))


def _survey_rows(path: str, doc: dict[str, Any], rows: Rows) -> None:
    _add(
        rows,
        "surveys",
        (
            path,
            str(doc["id"]),
            str(doc["date"]),
            str(doc["household"]),
            _s(doc.get("village")),
            str(doc.get("unit") or doc.get("village") or ""),
            doc["round"] if isinstance(doc.get("round"), int) else None,
            str(doc["result"]),
            str(doc.get("at") or ""),
            _s(doc.get("late")),
        ),
    )


STREAM_PARSERS: dict[str, Callable[[str, dict[str, Any], Rows], None]] = {
    "visits": _visit_rows,
    "activities": _activity_rows,
    "surveys": _survey_rows,
}
PARSERS: dict[str, Callable[[str, dict[str, Any], Rows], None]] = {
    "config": _config_rows,
    "units": _units_rows,
    "cadre": _cadre_rows,
    "household": _household_rows,
    "item": _item_rows,
}


# ---------------------------------------------------------------- git plumbing (read-only)


def _git(root: Path, *args: str) -> bytes:
    return git.output_bytes(root, *args)


def _head(root: Path) -> str | None:
    # Read from .git as the store does (every read opens the index, some twice: a git process each was ~5 ms).
    found = read_head(root / ".git")
    if found is not UNKNOWN:
        return found  # type: ignore[return-value]
    try:
        return _git(root, "rev-parse", "--verify", "-q", "HEAD").decode().strip() or None
    except EnvironmentProblem:
        return None


def _tree(root: Path, commit: str) -> dict[str, str]:
    """path -> blob id of every indexed file at `commit`."""
    out: dict[str, str] = {}
    for record in _git(root, "ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3 or parts[1] != b"blob":
            continue
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind_of(path):
            out[path] = parts[2].decode()
    return out


def _changes(root: Path, old: str, new: str) -> tuple[dict[str, str], list[str]] | None:
    """(changed or added path -> new blob, removed paths) between two commits; None when `old` is gone."""
    try:
        raw = _git(root, "diff-tree", "-r", "-z", "--no-renames", old, new)
    except EnvironmentProblem:
        return None
    fields_ = raw.split(b"\0")
    changed: dict[str, str] = {}
    removed: list[str] = []
    index = 0
    while index + 1 < len(fields_):
        meta, path_raw = fields_[index], fields_[index + 1]
        index += 2
        if not meta.startswith(b":"):
            continue
        parts = meta[1:].split()
        path = path_raw.decode("utf-8", "surrogateescape")
        if len(parts) < 5 or not kind_of(path):
            continue
        status = parts[4][:1]
        if status == b"D" or parts[1] == b"000000":
            removed.append(path)
        elif parts[1].startswith(b"100"):  # a regular file (a symlink or submodule is not ledger data)
            changed[path] = parts[3].decode()
        else:
            removed.append(path)
    return changed, removed


CAT_AT_ONCE = 5000  # up to this many blobs (a worker's task) are read whole from a temp file, not streamed


def _cat_blobs(root: Path, blobs: list[str]) -> Iterator[bytes]:
    """Contents of `blobs` in order, streamed through one `git cat-file --batch` (a thread feeds it); a few thousand
    (a cold build's task) are written by git into a temp file and read from it in one go: git never waits for a
    reader (issue 19: the pipe's back and forth cost the workers of a cold build more than git's own work)."""
    if not blobs:
        return
    if len(blobs) <= CAT_AT_ONCE:
        yield from _cat_at_once(root, blobs)
        return
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch", "--buffer"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            for blob in blobs:
                proc.stdin.write(blob.encode() + b"\n")  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for blob in blobs:
            yield _blob_answer(proc.stdout, blob)
    finally:
        writer.join(timeout=5)
        with contextlib.suppress(Exception):
            proc.stdout.close()
        proc.kill()
        proc.wait()


def _cat_at_once(root: Path, blobs: list[str]) -> Iterator[bytes]:
    import tempfile

    with tempfile.TemporaryFile() as out:
        subprocess.run(
            ["git", "cat-file", "--batch", "--buffer"],
            cwd=root,
            input=b"".join(blob.encode() + b"\n" for blob in blobs),
            stdout=out,
            check=False,  # a missing blob or a failed git shows as an answer that is not the blob
        )
        out.seek(0)
        # Read whole, then parsed from memory: one read of the file instead of two calls a blob.
        answers = io.BytesIO(out.read())
    for blob in blobs:
        yield _blob_answer(answers, blob)


def _blob_answer(stream: IO[bytes], blob: str) -> bytes:
    try:
        answer = read_batch_answer(stream)
    except EnvironmentProblem:
        answer = None  # git stopped half-way
    if answer is None or answer[0] != b"blob":
        raise EnvironmentProblem("git_failed", detail=f"cat-file: blob {blob} missing")
    return answer[1]


# ---------------------------------------------------------------- the index


class _Unusable(Exception):
    """The index file cannot be trusted: carries the note key explaining why."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@dataclass
class Index:
    ledger_root: Path
    path: Path
    conn: sqlite3.Connection
    commit: str | None = None
    parsed: int = 0
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    scratch: Path | None = None  # a temp directory holding this index when .git/minqing cannot be written

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, ledger: Ledger, rebuild: bool = False, progress: Progress | None = None) -> Index:
        """The index of `ledger`, up to date with HEAD. Rebuilt when asked, missing, stale or corrupt."""
        path = ledger.root / ".git" / STATE_DIR / INDEX_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvironmentProblem("io_failed", detail=f"{path.parent}: {exc.strerror or exc}") from None
        notes: list[tuple[str, dict[str, Any]]] = []
        conn = None
        if not rebuild:
            try:
                conn = _connect_existing(path)
            except _Unusable as why:
                if why.note != "index_missing":
                    notes.append((why.note, {"path": str(path)}))
                conn = None
        if conn is not None:
            index = cls(ledger.root, path, conn, notes=notes)
            try:
                index.refresh(progress)
                return index
            except sqlite3.DatabaseError:
                index.close()
                notes.append(("index_corrupt", {"path": str(path)}))
        scratch = None
        try:
            conn, parsed = _build_fresh(ledger.root, path, progress)
        except sqlite3.Error as exc:
            raise EnvironmentProblem("io_failed", detail=f"{path}: {exc}") from None
        except OSError as exc:
            # A read-only ledger (a backup, a mounted copy) or a full disk: the cache cannot be kept, but reading
            # must still work. Build it for this command alone in a temp directory, removed on close.
            import tempfile

            scratch = Path(tempfile.mkdtemp(prefix="minqing-index-"))
            notes.append(("index_unwritable", {"path": str(path), "detail": exc.strerror or str(exc)}))
            try:
                conn, parsed = _build_fresh(ledger.root, scratch / INDEX_FILE, progress)
            except (OSError, sqlite3.Error) as again:
                shutil.rmtree(scratch, ignore_errors=True)
                raise EnvironmentProblem("io_failed", detail=f"{path}: {exc.strerror or exc}") from again
        index = cls(ledger.root, scratch / INDEX_FILE if scratch else path, conn, notes=notes)
        index.scratch = scratch
        index.parsed = parsed
        index.commit = index._meta("commit")
        return index

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------ refresh

    def refresh(self, progress: Progress | None = None) -> int:
        """Bring the index to HEAD, parsing only new or changed blobs. Returns (and records) how many were parsed."""
        self.parsed = 0
        head = _head(self.ledger_root)
        self.commit = self._meta("commit")
        if head == self.commit:
            return 0
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")  # one refresher at a time; a concurrent reader sees the old state
        try:
            recorded = self._meta("commit")  # another process may have refreshed while we waited
            if recorded != head:
                delta = _changes(self.ledger_root, recorded, head) if recorded and head else None
                if delta is None:
                    target = _tree(self.ledger_root, head) if head else {}
                    known = dict(conn.execute("SELECT path, blob FROM blobs"))
                    changed = {p: b for p, b in target.items() if known.get(p) != b}
                    removed = [p for p in known if p not in target]
                else:
                    changed, removed = delta
                touched = _touched_ids(conn, removed + list(changed))
                _delete_paths(conn, removed + list(changed))
                self.parsed = _ingest(conn, self.ledger_root, changed, progress)
                _spell(conn, list(changed))
                for kind, ids in _touched_ids(conn, list(changed)).items():
                    touched[kind] |= ids
                _derive(conn, touched)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('commit', ?)", (head,))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self.commit = head
        return self.parsed

    # ------------------------------------------------------------ reading

    def beside(self, work: Callable[[sqlite3.Connection], Any]) -> Callable[[], Any]:
        """Run `work` on a thread with a read-only connection of its own to this index, beside what the caller
        queries meanwhile: SQLite steps a statement with the GIL released, so two aggregates share the cores.
        Returns a function that waits for the thread and gives `work`'s result (or raises its exception). Each
        statement reads the index as last committed, as every statement of `conn` does."""
        outcome: list[Any] = []

        def run() -> None:
            try:
                conn = sqlite3.connect(
                    f"{self.path.as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30
                )
                try:
                    outcome.append((True, work(conn)))
                finally:
                    conn.close()
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread, raised there
                outcome.append((False, error))

        thread = threading.Thread(target=run, name="minqing-index-reader", daemon=True)
        thread.start()

        def result() -> Any:
            thread.join()
            ok, value = outcome[0]
            if not ok:
                raise value
            return value

        return result

    def problems(self) -> list[tuple[str, str]]:
        return list(self.conn.execute("SELECT path, error FROM blobs WHERE error IS NOT NULL ORDER BY path"))

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def units(self, only: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        """code -> (name, level), of every unit or of those of `only` the index has."""
        return {
            code: (name or code, level or "")
            for code, name, level in self.rows_of("SELECT code, name, level FROM units", "code", only)
        }

    def unit_records(self) -> dict[str, Unit]:
        """code -> the unit as org/units.yaml has it at HEAD (the county too), for `find`: parsing the org file took
        0.02 s of `find`'s 0.2 s at a county's size."""
        return {
            code: Unit(
                code,
                name or "",
                level or "",
                parent,
                aliases=tuple(aliases.split("\n")) if aliases else None,
                retired=retired,
                merged_into=merged_into,
                official=official,
            )
            for code, name, level, parent, retired, merged_into, official, aliases in self.conn.execute(
                "SELECT code, name, level, parent, retired, merged_into, official, aliases FROM units ORDER BY rowid"
            )
        }

    def item_dups(self) -> bool:
        """Whether two item files hold one id (rollups then count items through the joins, as `check` reports)."""
        return self.conn.execute("SELECT 1 FROM item_dups LIMIT 1").fetchone() is not None

    def visit_month_base(self) -> int:
        """The month (year × 12 + month − 1) of bit 0 of household_facts.mask."""
        return int(self._meta("visit_month_base") or 0)

    def retired_units(self) -> dict[str, tuple[str, str]]:
        """code -> (the day an org merge retired it, the unit it was merged into) (撤并)."""
        return {
            code: (day, into)
            for code, day, into in self.conn.execute(
                "SELECT code, retired, merged_into FROM units WHERE retired IS NOT NULL"
            )
        }

    def household_rows(self, prefix: str | None, status: str | None, include_removed: bool) -> sqlite3.Cursor:
        """`household list`'s rows, by id, read as they are iterated: (id, head, village, group, members, status,
        removed, id_number, phone, risks, paired), the last two space-separated."""
        return self.conn.execute(
            "SELECT id, head, village, grp, members, status, removed, id_number, phone, risks, paired"
            f" FROM households WHERE {_HOUSEHOLD_FILTER} ORDER BY id",
            _household_filter(prefix, status, include_removed),
        )

    def household_extent(
        self, prefix: str | None, status: str | None, include_removed: bool
    ) -> dict[str, Any]:
        """What the same rows hold, column by column, without reading them one by one: whether each row's head and
        numbers print as they are, the longest id, member count, ID number and phone, the widest head, and the
        distinct villages, groups, (status, removed) pairs, risks and pairings."""
        where = f"FROM households WHERE {_HOUSEHOLD_FILTER}"
        params = _household_filter(prefix, status, include_removed)
        # Two reads: the rows grouped by place and status (a few thousand groups in a county), and the distinct
        # risk and pairing lists.
        id_length = head_cells = members_length = id_number_length = phone_length = 0
        printable = True
        villages, groups, statuses = set(), set(), set()
        for row in self.conn.execute(
            "SELECT village, grp, status, removed, max(length(id)), max(head_cells), min(printable),"
            " max(length(members)), max(length(id_number)), max(length(phone))"
            f" {where} GROUP BY village, grp, status, removed",  # noqa: S608
            params,
        ):
            villages.add(row[0])
            groups.add(row[1])
            statuses.add((row[2], row[3]))
            id_length = max(id_length, row[4] or 0)
            head_cells = max(head_cells, row[5] or 0)
            printable = printable and bool(row[6])
            members_length = max(members_length, row[7] or 0)
            id_number_length = max(id_number_length, row[8] or 0)
            phone_length = max(phone_length, row[9] or 0)
        lists = self.conn.execute(f"SELECT DISTINCT risks, paired {where}", params).fetchall()  # noqa: S608
        return {
            "printable": printable,
            "id": id_length,
            "head": head_cells,
            "members": members_length,
            "id_number": id_number_length,
            "phone": phone_length,
            "village": villages,
            "group": groups,
            "status": statuses,
            "risks": {risks for risks, _ in lists},
            "paired": {paired for _, paired in lists},
        }

    def visit_plan(
        self, prefix: str | None, household: str | None, month: str | None, visitor: str | None
    ) -> dict[str, list[str]]:
        """Month (YYYY-MM of the date) -> the stream files holding a visit of that month a listing may show: a
        county's million visits are in thousands of files, and `visit list --household H` read them all. The
        listing still applies every filter to what it reads: the index only spares the other files and months."""
        if household or month or visitor:
            where, params = _visit_filter(prefix, household, month, visitor)
            sql = f"SELECT DISTINCT substr(v.date, 1, 7), v.path FROM visits v WHERE {where}"  # noqa: S608
        else:  # a county's or a township's: from the files' sums, not a million visits
            where, params = _visit_filter(prefix, None, None, None)
            sql = f"SELECT DISTINCT v.month, v.path FROM visit_cells v WHERE {where}"  # noqa: S608
        plan: dict[str, list[str]] = {}
        for key, path in self.conn.execute(sql, params):
            plan.setdefault(key, []).append(path)
        return plan

    def visit_extent(
        self, prefix: str | None, household: str | None, month: str | None, visitor: str | None
    ) -> dict[str, Any] | None:
        """What the visits a listing shows (queries.visit_months' own filter over `visit_plan`'s rows) hold, column
        by column, without reading them: the longest id, date and household id, the widest item list and shortened
        note, the widest `head id` of the households named, and the distinct kinds, villages, cadre lists and cadres
        talked with. None when there are none, or when some value would not print as the index holds it."""
        where, params = _visit_filter(prefix, household, month, visitor)
        # The listing's own tests (queries.visit_months): the unit alone, and the month as the date's prefix.
        where += " AND substr(v.unit, 1, :PL) = :P" + (
            " AND substr(v.date, 1, length(:M)) = :M" if month else ""
        )
        widest = (
            "count(*), min(v.printable), max(length(v.id)), max(length(v.date)), max(length(v.household))"
        )
        widest += ", max(v.items_cells), max(v.note_cells)"
        if household or month or visitor:  # a household's, a month's or a cadre's visits: read one by one
            found, printable, *widths = self.conn.execute(
                f"SELECT {widest} FROM visits v WHERE {where}",  # noqa: S608
                params,
            ).fetchone()
            if not found or not printable:
                return None

            def distinct(column: str, also: str = "") -> set[Any]:
                sql = f"SELECT DISTINCT {column} FROM visits v WHERE {where}{also}"  # noqa: S608
                return {value for (value,) in self.conn.execute(sql, params)}

            kinds, villages, cadres = distinct("v.kind"), distinct("v.village"), distinct("v.cadres")
            talked = distinct("v.with_cadre", " AND coalesce(v.household, '') = ''")
        else:  # a county's or a township's: the files' sums (visit_cells), some thousands of rows
            found, printable, widths = 0, True, [0] * 5
            kinds, villages, cadres, talked = set(), set(), set(), set()
            for row in self.conn.execute(
                "SELECT kind, village, cadres, talked, visits, printable, id_length, date_length, household_length,"
                f" items_cells, note_cells FROM visit_cells v WHERE {where}",  # noqa: S608
                params,
            ):
                kinds.add(row[0])
                villages.add(row[1])
                cadres.update(row[2].split("\n"))
                talked.update(row[3].split("\n"))
                found += row[4]
                printable = printable and bool(row[5])
                widths = [max(a, b) for a, b in zip(widths, row[6:], strict=True)]
            if not found or not printable:
                return None
        heads = self._visited_heads(where, params, selective=bool(household or month or visitor))
        if heads is None:
            return None
        id_length, date_length, household_length, items_cells, note_cells = (width or 0 for width in widths)
        return {
            "id": id_length,
            "date": date_length,
            "household": max(household_length, heads),
            "items": items_cells,
            "note": note_cells,
            "kind": kinds,
            "village": villages,
            "cadres": cadres,
            "with_cadre": talked - {None, ""},
        }

    def _visited_heads(self, where: str, params: dict[str, Any], selective: bool) -> int | None:
        """The widest cell of the households the visits `where` name, as names.with_households looks their heads up;
        None when one of them would not print as it is or its id is held by two household files."""
        if selective:  # a month's or a cadre's visits: their households looked up
            widest, printable, doubled = self.conn.execute(
                f"SELECT max{HOUSEHOLD_CELL}, min(printable), count(*) - count(DISTINCT id) FROM households"  # noqa: S608
                f" WHERE id IN (SELECT v.household FROM visits v WHERE {where})",
                params,
            ).fetchone()
            return None if printable == 0 or doubled else widest or 0
        visited = f"EXISTS (SELECT 1 FROM visits v WHERE v.household = h.id AND {where})"
        odd = self.conn.execute(
            "SELECT 1 FROM households h WHERE (printable = 0 OR id IN (SELECT id FROM households GROUP BY id"
            f" HAVING count(*) > 1)) AND {visited} LIMIT 1",  # noqa: S608
            params,
        ).fetchone()
        if odd:
            return None
        # Widest first, until one is visited (a county's 100,000 households: the first few).
        row = self.conn.execute(
            f"SELECT {HOUSEHOLD_CELL} FROM households h INDEXED BY households_cell"  # noqa: S608
            f" WHERE {visited} ORDER BY {HOUSEHOLD_CELL} DESC LIMIT 1",
            params,
        ).fetchone()
        return (row[0] if row else None) or 0

    def household_heads(self, household_ids: Iterable[str]) -> dict[str, str]:
        """id -> head for those of `household_ids` the index has."""
        rows = self.rows_of("SELECT id, head FROM households", "id", household_ids)
        return {household_id: head for household_id, head in rows if head is not None}

    def containing(self, kind: str, text: str) -> list[tuple[str, str, str, str]]:
        """(kind, id, name, unit) of every `kind` (household, cadre, item) whose name contains `text`."""
        return self._entries(kind, "instr({name}, ?) > 0", [text])

    def spellings(self) -> dict[str, tuple[str, ...]]:
        """Every character of the names `find` spells -> its readings (core/spelling.py)."""
        return {
            char: tuple(readings.split())
            for char, readings in self.conn.execute(f"SELECT char, readings FROM {SPELLINGS}")  # noqa: S608
        }

    def names_text(self, kind: str) -> str:
        """The names `find` searches of every `kind` (household, cadre, item), NUL-separated in one text: one value
        read from SQLite, searched in C (reading 200,000 rows one by one took most of `find zhangsan`'s time)."""
        table, column = SEARCHED[kind]
        sql = f"SELECT group_concat({column}, char(0)) FROM {table}"  # noqa: S608
        return self.conn.execute(sql).fetchone()[0] or ""

    def named(self, kind: str, names: Iterable[str]) -> list[tuple[str, str, str, str]]:
        """(kind, id, name, unit) of every `kind` whose name is one of `names`."""
        wanted = sorted(set(names))
        rows = []
        for start in range(0, len(wanted), 500):  # under SQLite's limit of bound parameters
            chunk = wanted[start : start + 500]
            rows += self._entries(kind, f"{{name}} IN ({','.join('?' * len(chunk))})", chunk)
        return rows

    def with_id(self, kind: str, prefix: str) -> list[tuple[str, str, str, str]]:
        """(kind, id, name, unit) of every `kind` whose id starts with `prefix` (an ID prefix: letters, digits and
        at most a dash), with its "X-" or without."""
        return self._entries(kind, "id GLOB ?1 OR substr(id, 3) GLOB ?1", [prefix + "*"])

    def _entries(self, kind: str, where: str, params: list[str]) -> list[tuple[str, str, str, str]]:
        """(kind, id, name, unit) of the `kind` rows `where` (its name column written `{name}`) selects."""
        table, column = SEARCHED[kind]
        sql = f"SELECT id, {column}, unit FROM {table} WHERE {where.format(name=column)}"  # noqa: S608
        return [
            (kind, entry_id, name or "", unit or "")
            for entry_id, name, unit in self.conn.execute(sql, params)
        ]

    def cadre_names(self, only: Iterable[str] | None = None) -> dict[str, str]:
        """id -> name, of every cadre or of those of `only` the index has."""
        return {
            cadre_id: name or cadre_id
            for cadre_id, name in self.rows_of("SELECT id, name FROM cadres", "id", only)
        }

    def rows_of(
        self, select: str, column: str, only: Iterable[str] | None, order: str | None = None
    ) -> list[tuple[Any, ...]]:
        """The rows `select` (a query without WHERE) gives, of every entry or of those whose `column` is one of
        `only`; `order`: ORDER BY this, within each of the 500 at a time asked for."""
        ordered = f" ORDER BY {order}" if order else ""
        if only is None:
            return self.conn.execute(select + ordered).fetchall()
        wanted = sorted(set(only))
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), 500):  # under SQLite's limit of bound parameters
            chunk = wanted[start : start + 500]
            rows += self.conn.execute(select + _where_in(column, chunk) + ordered, chunk).fetchall()
        return rows

    def counts(self) -> dict[str, int]:
        """Rows per table (for tests, `reindex` and benchmarks)."""
        return {table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}  # noqa: S608


def _create_schema(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    conn.execute(
        "CREATE TABLE blobs(path TEXT PRIMARY KEY, blob TEXT NOT NULL, kind TEXT NOT NULL, error TEXT)"
    )
    conn.execute(f"CREATE TABLE {SPELLINGS}(char TEXT PRIMARY KEY, readings TEXT NOT NULL)")
    for table, columns in (TABLES | DERIVED).items():
        conn.execute(f"CREATE TABLE {table}({', '.join(columns)})")


def _index_statements(tables: Iterable[str]) -> list[str]:
    """The INDEXES of `tables` (blobs, TABLES, DERIVED), in INDEXES order."""
    wanted = set(tables)
    statements = []
    for statement in INDEXES:
        if "{t}" in statement:
            statements += [statement.format(t=table) for table in TABLES if table in wanted]
        elif statement.partition(" ON ")[2].partition("(")[0] in wanted:
            statements.append(statement)
    return statements


def _connect_existing(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise _Unusable("index_missing")
    conn = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise _Unusable("index_stale")
        conn.execute("SELECT value FROM meta WHERE key = 'commit'").fetchone()
        for table in (*TABLES, *DERIVED, SPELLINGS):
            conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()  # noqa: S608
    except sqlite3.DatabaseError:
        if conn is not None:
            conn.close()
        raise _Unusable("index_corrupt") from None
    except _Unusable:
        if conn is not None:
            conn.close()
        raise
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _build_fresh(root: Path, path: Path, progress: Progress | None) -> tuple[sqlite3.Connection, int]:
    """A new index in a temp file, renamed over the old one when complete: a crash never leaves half an index."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        _create_schema(conn)
        head = _head(root)
        target = _tree(root, head) if head else {}
        # outside a transaction: it may ATTACH worker shards
        parsed = _cold_ingest(conn, root, target, progress)
        conn.execute("BEGIN")
        conn.execute("INSERT INTO meta VALUES ('commit', ?)", (head,))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
        conn.close()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(Exception):
            conn.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn, parsed


def _delete_paths(conn: sqlite3.Connection, paths: list[str]) -> None:
    if not paths:
        return
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for table in ("blobs", *TABLES):
            conn.execute(f"DELETE FROM {table} WHERE path IN ({marks})", chunk)  # noqa: S608


# What `find` searches of each kind: (table, the name column).
SEARCHED = {
    "household": ("households", "head"),
    "cadre": ("cadres", "name"),
    "item": ("items", "description"),
}
# The names `find` spells in pinyin, (table, column): their characters' readings are kept in SPELLINGS.
SPELLED = (*SEARCHED.values(), ("units", "name"), ("units", "official"), ("units", "aliases"))
SPELLINGS = "spellings"  # char -> its readings, space-joined (core/spelling.py: readings)


def _spell(conn: sqlite3.Connection, paths: list[str] | None) -> None:
    """Keep the readings of every character the SPELLED names of `paths` (None: of every file) hold. Characters are
    never dropped: a county has a few thousand, and pypinyin is loaded only when one is new."""
    text: list[str] = []
    for table, column in SPELLED:
        sql = f"SELECT group_concat({column}, '') FROM {table}"  # noqa: S608
        if paths is None:
            text += conn.execute(sql).fetchone()
            continue
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            text += conn.execute(sql + _where_in("path", chunk), chunk).fetchone()
    chars = set("".join(part for part in text if part))
    if not chars:
        return
    known = {char for (char,) in conn.execute(f"SELECT char FROM {SPELLINGS}")}  # noqa: S608
    new = chars - known
    if new:
        conn.executemany(
            f"INSERT INTO {SPELLINGS} VALUES (?, ?)",  # noqa: S608
            [(char, " ".join(options)) for char, options in spelling.readings(sorted(new)).items()],
        )


# "households", "items", "cadres" -> the ids whose derived rows must be worked out again
Touched = dict[str, set[str]]


def _touched_ids(conn: sqlite3.Connection, paths: list[str]) -> Touched:
    """The ids whose derived rows the rows of `paths` feed (read before those rows are dropped, and again after the
    new ones are in): households (their stays, pairings, visits, and items.shared of their items), items (item_dups)
    and cadres (cadre_visits)."""
    touched: Touched = {"households": set(), "items": set(), "cadres": set()}
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for sql, kind in (
            (f"SELECT id FROM households WHERE path IN ({marks})", "households"),
            (f"SELECT id FROM unit_spans WHERE path IN ({marks})", "households"),
            (f"SELECT household FROM pairings WHERE path IN ({marks})", "households"),
            (
                f"SELECT DISTINCT household FROM visits WHERE path IN ({marks}) AND household IS NOT NULL",
                "households",
            ),
            (f"SELECT household FROM items WHERE path IN ({marks}) AND household IS NOT NULL", "households"),
            (f"SELECT id FROM items WHERE path IN ({marks})", "items"),
            (f"SELECT DISTINCT cadre FROM visit_by WHERE path IN ({marks})", "cadres"),
        ):
            touched[kind].update(value for (value,) in conn.execute(sql, chunk))  # noqa: S608
    return touched


def _derive(conn: sqlite3.Connection, touched: Touched | None) -> None:
    """Recompute the DERIVED rows of the touched ids (None: of every id)."""
    wanted: dict[str, set[str] | None] = {
        kind: None if touched is None or len(ids) > DERIVE_ALL_IDS else ids
        for kind, ids in (touched or dict.fromkeys(("households", "items", "cadres"), set())).items()
    }
    month_now = _month_number(F.today().isoformat())
    base_text = conn.execute("SELECT value FROM meta WHERE key = 'visit_month_base'").fetchone()
    base = int(base_text[0]) if base_text else None
    if base is None or month_now - base > MASK_MONTHS - 11:
        # The mask's months run out within the year (or there is no base yet): a new base, and every household's and
        # cadre's mask again.
        base = month_now - MASK_BACK
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('visit_month_base', ?)", (str(base),))
        wanted["households"] = wanted["cadres"] = None
    for chunk in _id_chunks(wanted["households"]):
        _derive_households(conn, chunk, base)
        where = _where_in("household", chunk)
        conn.execute(
            "UPDATE items SET shared = household IS NOT NULL AND (SELECT count(*) FROM items j"
            f" WHERE j.household = items.household) > 1{where}",  # noqa: S608
            chunk or (),
        )
    for chunk in _id_chunks(wanted["cadres"]):
        where = _where_in("cadre", chunk)
        conn.execute(f"DELETE FROM cadre_visits{where}", chunk or ())  # noqa: S608
        conn.execute(
            f"INSERT INTO cadre_visits SELECT cadre, {_visit_sums(base)} FROM visit_by{where} GROUP BY cadre",  # noqa: S608
            chunk or (),
        )
    for chunk in _id_chunks(wanted["items"]):
        where = _where_in("id", chunk)
        conn.execute(f"DELETE FROM item_dups{where}", chunk or ())  # noqa: S608
        conn.execute(
            f"INSERT INTO item_dups SELECT id FROM items{where} GROUP BY id HAVING count(*) > 1",  # noqa: S608
            chunk or (),
        )


def _where_in(column: str, chunk: list[str] | None) -> str:
    """` WHERE column IN (?,…)` for a chunk of ids, or nothing when the chunk is None (all of them)."""
    return "" if chunk is None else f" WHERE {column} IN ({','.join('?' * len(chunk))})"


def _visit_sums(base: int) -> str:
    """first, last, mask, odd of a group of visit rows (column `date`), the mask's bit 0 being month `base`."""
    bit, odd = _visit_bit(base)
    return f"min(date) AS first, max(date) AS last, sum(DISTINCT {bit}) AS mask, max({odd}) AS odd"


def _visit_bit(base: int) -> tuple[str, str]:
    """A visit row's mask bit and odd flag (column `date`): it has a bit when its date is a calendar day (SQLite's
    date() gives it back unchanged) of the MASK_MONTHS months from `base`, else it is odd."""
    month = (
        f"(CAST(substr(date, 1, 4) AS INTEGER) * 12 + CAST(substr(date, 6, 2) AS INTEGER) - 1 - {int(base)})"
    )
    bit = f"date(date) IS date AND {month} BETWEEN 0 AND {MASK_MONTHS - 1}"
    return f"CASE WHEN {bit} THEN 1 << {month} END", f"CASE WHEN {bit} THEN 0 ELSE 1 END"


def _id_chunks(ids: set[str] | None) -> Iterator[list[str] | None]:
    if ids is None:
        yield None
        return
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        yield ordered[start : start + 500]


def _month_number(day: str) -> int:
    return int(day[:4]) * 12 + int(day[5:7]) - 1


def _derive_households(conn: sqlite3.Connection, chunk: list[str] | None, base: int) -> None:
    """household_facts of the households in `chunk` (None: all), from the same join of stays and households rollups
    made, their pairings and their visits."""
    marks = "" if chunk is None else ",".join("?" * len(chunk))
    only = (lambda column: "") if chunk is None else (lambda column: f" WHERE {column} IN ({marks})")
    params = [] if chunk is None else chunk
    conn.execute(f"DELETE FROM household_facts{only('household')}", params)  # noqa: S608
    conn.execute(
        "INSERT INTO household_facts SELECT u.id, u.since, u.until, u.unit, h.status = 'poor', NULL, NULL, 0,"
        " v.first, v.last, v.mask, v.odd FROM unit_spans u JOIN households h ON h.id = u.id LEFT JOIN ("
        f"SELECT household, {_visit_sums(base)} FROM visits{only('household')} GROUP BY household)"
        f" v ON v.household = u.id{only('u.id')}",  # noqa: S608
        [*params, *params],
    )
    spans: dict[str, list[tuple[str, str | None]]] = {}
    for household, since, until in conn.execute(
        f"SELECT household, since, until FROM pairings{only('household')}",  # noqa: S608
        params,
    ):
        spans.setdefault(household, []).append((since, until))
    conn.executemany(
        "UPDATE household_facts SET pair_from = ?, pair_to = ?, pair_split = ? WHERE household = ?",
        [(*_one_interval(found), household) for household, found in spans.items()],
    )


def _one_interval(spans: list[tuple[str, str | None]]) -> tuple[str | None, str | None, int]:
    """The union of half-open [since, until) spans (until None: open-ended) as (from, to, 0) when it is one
    interval, (None, None, 0) when empty, (None, None, 1) when it has gaps."""
    merged: list[list[Any]] = []
    for since, until in sorted(
        (span for span in spans if span[1] is None or span[1] > span[0]), key=lambda span: span[0]
    ):
        if merged and (merged[-1][1] is None or since <= merged[-1][1]):
            if merged[-1][1] is not None and (until is None or until > merged[-1][1]):
                merged[-1][1] = until
            continue
        merged.append([since, until])
    if not merged:
        return None, None, 0
    if len(merged) > 1:
        return None, None, 1
    return merged[0][0], merged[0][1], 0


def _ingest(conn: sqlite3.Connection, root: Path, blobs: dict[str, str], progress: Progress | None) -> int:
    """Parse the given path -> blob entries and insert their rows. Uses every core for large batches."""
    entries = sorted(blobs.items())
    total = len(entries)
    if not total:
        return 0
    inserts = INSERTS
    pool = None
    workers = os.cpu_count() or 1
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    if total >= PARALLEL_MIN_BLOBS and workers > 1:
        import multiprocessing

        # Fork before the cat-file feeder thread starts, so children inherit no half-held locks.
        pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        done = 0
        results: Iterable[tuple[list[tuple[Any, ...]], Rows]]
        batches = _batches(root, entries)
        results = pool.imap(_parse_batch, batches) if pool else map(_parse_batch, batches)
        for blob_rows, tables in results:
            conn.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)", blob_rows)
            for table, table_rows in tables.items():
                conn.executemany(inserts[table], table_rows)
            done += len(blob_rows)
            if progress:
                progress(done, total)
        if own:
            conn.execute("COMMIT")
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
    return total


INSERTS = {
    table: f"INSERT INTO {table} VALUES ({','.join('?' * len(cols))})" for table, cols in TABLES.items()
}
SHARD_WEIGHT = 4000  # per task: an entity file weighs 1, a stream (a month of a village's visits) 20


# ---------------------------------------------------------------- the cold build

# A cold build parses the files in these groups, in this order, and finishes each group as soon as its files are
# parsed: the parent copies its rows in and builds the indexes of its tables and the derived rows that depend on
# them alone while the workers parse the next group (issue 19: the indexes and derived tables were ~9 s on one core
# after the parsing, the other core idle). The streams come first: theirs are most of the rows and of that work.
COLD_GROUPS = ("streams", "items", "entities")
# The tables each group's files fill ("entities": every other table).
GROUP_TABLES = {
    "streams": (
        "visits",
        "visit_months",
        "visit_cells",
        "visit_by",
        "visit_extras",
        "visit_rounds",
        "activities",
        "activity_by",
        "surveys",
        "revisions",
    ),
    "items": ("items", "voided_items", "item_events", "item_spans"),
}
GROUP_TABLES["entities"] = tuple(
    table for table in TABLES if not any(table in tables for tables in GROUP_TABLES.values())
)


def _cold_group(kind: str) -> str:
    return "streams" if kind in STREAM_ROWS_KINDS else "items" if kind == "item" else "entities"


def _cold_ingest(
    conn: sqlite3.Connection, root: Path, blobs: dict[str, str], progress: Progress | None
) -> int:
    """Rows, indexes and derived tables of a new index (`conn` outside a transaction). Uses every core for a large
    ledger (`_ingest_shards`); a small one is parsed in this process, then finished group by group as well."""
    base = _month_number(F.today().isoformat()) - MASK_BACK  # as _derive sets it when there is no base yet
    conn.execute("INSERT INTO meta VALUES ('visit_month_base', ?)", (str(base),))
    workers = os.cpu_count() or 1
    if len(blobs) >= PARALLEL_MIN_BLOBS and workers > 1:
        _ingest_shards(conn, root, list(blobs.items()), workers, progress, base)
    else:
        _ingest(conn, root, blobs, progress)
        for group in COLD_GROUPS:
            _finish_group(conn, group, base)
    conn.execute("BEGIN")
    _spell(conn, None)
    conn.execute("COMMIT")
    return len(blobs)


def _finish_group(conn: sqlite3.Connection, group: str, base: int) -> None:
    """Once every file of `group` is in: the indexes of its tables, and what of the DERIVED tables follows from them
    (the rows `_derive(conn, None)` would make; tests/test_index.py holds the two to the same rows)."""
    conn.execute("BEGIN")
    if group == "items":
        # items.shared, set before the indexes that hold it (every row was parsed with 0)
        conn.execute(
            "UPDATE items SET shared = 1 WHERE household IN (SELECT household FROM items WHERE household IS NOT NULL"
            " GROUP BY household HAVING count(*) > 1)"
        )
    for statement in _index_statements(GROUP_TABLES[group]):
        conn.execute(statement)
    if group == "streams":
        # _visit_sums once per date (a few thousand), not per row: each date's bit and odd flag, then the sums read
        # them (visit_by's dates are its visits' own)
        bit, odd = _visit_bit(base)
        conn.execute("CREATE TEMP TABLE visit_dates(date PRIMARY KEY, bit, odd)")
        conn.execute(
            f"INSERT INTO visit_dates SELECT date, {bit}, {odd} FROM (SELECT DISTINCT date FROM visits)"  # noqa: S608
        )
        sums = "min(v.date), max(v.date), sum(DISTINCT d.bit), max(d.odd)"
        conn.execute(
            f"INSERT INTO cadre_visits SELECT v.cadre, {sums} FROM visit_by v JOIN visit_dates d ON d.date = v.date"  # noqa: S608
            " GROUP BY v.cadre"
        )
        # each household's visits, for household_facts once the households are in
        conn.execute("CREATE TEMP TABLE household_visits(household PRIMARY KEY, first, last, mask, odd)")
        conn.execute(
            f"INSERT INTO household_visits SELECT v.household, {sums} FROM visits v"  # noqa: S608
            " JOIN visit_dates d ON d.date = v.date WHERE v.household IS NOT NULL GROUP BY v.household"
        )
        conn.execute("DROP TABLE visit_dates")
        derived = ["cadre_visits"]
    elif group == "items":
        conn.execute("INSERT INTO item_dups SELECT id FROM items GROUP BY id HAVING count(*) > 1")
        derived = ["item_dups"]
    else:
        spans: dict[str, list[tuple[str, str | None]]] = {}
        for household, since, until in conn.execute("SELECT household, since, until FROM pairings"):
            spans.setdefault(household, []).append((since, until))
        conn.execute(
            "CREATE TEMP TABLE household_pairs(household PRIMARY KEY, pair_from, pair_to, pair_split)"
        )
        conn.executemany(
            "INSERT INTO household_pairs VALUES (?, ?, ?, ?)",
            [(household, *_one_interval(found)) for household, found in spans.items()],
        )
        conn.execute(
            "INSERT INTO household_facts SELECT u.id, u.since, u.until, u.unit, h.status = 'poor', p.pair_from,"
            " p.pair_to, coalesce(p.pair_split, 0), v.first, v.last, v.mask, v.odd FROM unit_spans u JOIN households h"
            " ON h.id = u.id LEFT JOIN household_visits v ON v.household = u.id"
            " LEFT JOIN household_pairs p ON p.household = u.id"
        )
        conn.execute("DROP TABLE household_visits")
        conn.execute("DROP TABLE household_pairs")
        derived = ["household_facts", "blobs"]
    for statement in _index_statements(derived):
        conn.execute(statement)
    conn.execute("COMMIT")


def _ingest_shards(
    conn: sqlite3.Connection,
    root: Path,
    entries: list[tuple[str, str]],
    workers: int,
    progress: Progress | None,
    base: int,
) -> None:
    """A cold build on every core: each worker reads its blobs with its own `git cat-file`, parses them and writes
    the rows into its own SQLite shard, one per group (COLD_GROUPS); once a group's tasks are all done its shards
    are copied in with `INSERT … SELECT` and the group is finished (`_finish_group`) while the workers go on with
    the next one (no rows or file contents travel between processes). Needs `conn` outside a transaction."""
    import multiprocessing
    import queue
    import shutil

    shard_dir = root / ".git" / STATE_DIR / f"shards.{os.getpid()}"
    shutil.rmtree(shard_dir, ignore_errors=True)
    shard_dir.mkdir(parents=True)
    total = len(entries)
    by_group: dict[str, list[tuple[str, str]]] = {group: [] for group in COLD_GROUPS}
    for path, blob in entries:
        by_group[_cold_group(kind_of(path) or "")].append((path, blob))
    finished: queue.SimpleQueue[tuple[str, Any, BaseException | None]] = queue.SimpleQueue()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)
        try:
            pending = dict.fromkeys(COLD_GROUPS, 0)
            for group in COLD_GROUPS:  # tasks are handed out in this order
                # sorted once the workers have the streams' tasks (it takes a moment at a county's size)
                by_group[group].sort(key=_pack_order)
                for chunk in _weighted_chunks(by_group[group], 20 if group == "streams" else 1):
                    pending[group] += 1
                    pool.apply_async(
                        _shard_task,
                        ((str(root), str(shard_dir), group, chunk),),
                        callback=lambda result, group=group: finished.put((group, result, None)),
                        error_callback=lambda error, group=group: finished.put((group, None, error)),
                    )
            pool.close()
            done = 0
            for group in COLD_GROUPS:
                while pending[group]:
                    of_group, result, error = finished.get()
                    if error is not None:
                        raise error
                    count, problem = result
                    if problem is not None:
                        raise EnvironmentProblem(problem[0], **problem[1])
                    pending[of_group] -= 1
                    done += count
                    if progress:
                        progress(done, total)
                _copy_shards(conn, sorted(shard_dir.glob(f"{group}.*.sqlite")))
                _finish_group(conn, group, base)
            pool.join()
        finally:
            pool.terminate()
            pool.join()
    finally:
        shutil.rmtree(shard_dir, ignore_errors=True)


def _pack_order(entry: tuple[str, str]) -> tuple[int, str]:
    """git's pack_name_hash of the path (its last sixteen characters, the last counting most), by which git chose the
    delta bases when it packed the files: a task of blobs in this order lets its `git cat-file` reuse the bases it
    has just inflated (the bench ledger's stream files by path: three times git's work, items: twice)."""
    value = 0
    for byte in entry[0].encode()[-16:]:  # git skips white space: a path with some only sorts a little apart
        value = (value >> 2) + (byte << 24)
    return value, entry[0]


def _copy_shards(conn: sqlite3.Connection, shards: list[Path]) -> None:
    for shard in shards:
        conn.execute("ATTACH DATABASE ? AS shard", (str(shard),))
        try:
            conn.execute("BEGIN")
            conn.execute("INSERT OR REPLACE INTO main.blobs SELECT * FROM shard.blobs")
            for table in TABLES:
                conn.execute(f"INSERT INTO main.{table} SELECT * FROM shard.{table}")  # noqa: S608
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("DETACH DATABASE shard")
        shard.unlink()


def _weighted_chunks(entries: list[tuple[str, str]], each: int) -> Iterator[list[tuple[str, str]]]:
    """Tasks of SHARD_WEIGHT: a stream weighs `each` 20 (a month of a village's visits), an entity file 1."""
    chunk: list[tuple[str, str]] = []
    weight = 0
    for path, blob in entries:
        chunk.append((path, blob))
        weight += each
        if weight >= SHARD_WEIGHT:
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


_shard: dict[str, Any] = {}  # in a worker process: its shard connection per group


def _shard_task(
    task: tuple[str, str, str, list[tuple[str, str]]],
) -> tuple[int, tuple[str, dict[str, Any]] | None]:
    """(files done, None) or (0, (message key, params)) when git failed: a LedgerError does not survive pickling."""
    root, shard_dir, group, chunk = task
    try:
        conn = _shard.get(group)
        if conn is None:
            conn = sqlite3.connect(Path(shard_dir) / f"{group}.{os.getpid()}.sqlite", isolation_level=None)
            conn.execute("PRAGMA page_size = 65536")  # only appended to: fewer, larger pages (~7% less)
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            _create_schema(conn)
            _shard[group] = conn
        contents = _cat_blobs(Path(root), [blob for _, blob in chunk])
        batch = [
            (path, blob, kind_of(path) or "", raw) for (path, blob), raw in zip(chunk, contents, strict=True)
        ]
        blob_rows, tables = _parse_batch(batch)
        conn.execute("BEGIN")
        conn.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)", blob_rows)
        for table, table_rows in tables.items():
            conn.executemany(INSERTS[table], table_rows)
        # committed per task: the parent reads the shard once all of the group's tasks are done
        conn.execute("COMMIT")
    except EnvironmentProblem as problem:
        return 0, (problem.key, problem.params)
    return len(chunk), None


def _batches(root: Path, entries: list[tuple[str, str]]) -> Iterator[list[tuple[str, str, str, bytes]]]:
    batch: list[tuple[str, str, str, bytes]] = []
    size = 0
    contents = _cat_blobs(root, [blob for _, blob in entries])
    for (path, blob), raw in zip(entries, contents, strict=True):
        batch.append((path, blob, kind_of(path) or "", raw))
        size += len(raw)
        if size >= BATCH_BYTES or len(batch) >= 2000:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def open_index(ledger: Ledger, rebuild: bool = False, progress: Progress | None = None) -> Index:
    return Index.open(ledger, rebuild=rebuild, progress=progress)


def _visit_filter(
    prefix: str | None, household: str | None, month: str | None, visitor: str | None
) -> tuple[str, dict[str, Any]]:
    """The WHERE of the visits (as `v`) a listing with these filters may show, and its parameters."""
    where = ["(substr(v.unit, 1, :PL) = :P OR substr(v.village, 1, :PL) = :P)"]
    if household:
        where.append("v.household = :H")
    if month:
        # A range over the dates' index (every date is YYYY-MM-DD), not substr over every visit (a county's
        # million: 0.3 s).
        where.append("v.date BETWEEN :M || '-01' AND :M || '-31'")
    if visitor:
        where.append("v.id IN (SELECT visit FROM visit_by WHERE cadre = :C)")
    params = {"P": prefix or "", "PL": len(prefix or ""), "H": household, "M": month, "C": visitor}
    return " AND ".join(where), params


_HOUSEHOLD_FILTER = "substr(unit, 1, ?) = ? AND (? IS NULL OR status = ?) AND (? OR removed IS NULL)"


def _household_filter(prefix: str | None, status: str | None, include_removed: bool) -> tuple[Any, ...]:
    return (len(prefix or ""), prefix or "", status, status, 1 if include_removed else 0)


# ---------------------------------------------------------------- fast paths for issue list and status


class ItemRow(NamedTuple):
    """An item as `issue list` shows it. A named tuple, not a frozen dataclass: as immutable, and a listing of
    15,000 overdue items made them in 0.01 s instead of 0.08 s (a frozen dataclass sets each field through
    object.__setattr__)."""

    id: str
    kind: str
    ledger: str
    category: str
    desc: str
    unit: str
    household: str | None
    level: str
    state: str
    created: str
    due: str | None
    leader: str | None
    path: str
    overdue: bool


def items(
    ledger: Ledger,
    *,
    state: str | None = None,
    unit: str | None = None,
    leader: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    ledger_name: str | None = None,
    overdue_on: str | None = None,
    include_voided: bool = False,
) -> list[ItemRow]:
    """Current items matching every given filter, ordered by (created, id). `overdue` is judged against today,
    or `overdue_on` when given (then only overdue items are returned). 作废 items only with `state="voided"` or
    `include_voided` (`issue list --all`)."""
    # Filters both tables share: (clause, its parameters).
    shared: list[tuple[str, list[Any]]] = []
    if unit:
        shared.append(("substr(unit, 1, ?) = ?", [len(unit), unit]))
    for column, value in (("category", category), ("kind", kind), ("ledger", ledger_name)):
        if value:
            shared.append((f"{column} = ?", [value]))
    voided = [] if state not in (VOIDED, None) or leader or overdue_on else _voided_items(ledger, shared)
    if state == VOIDED:
        return voided
    where = list(shared)
    if state == "open":
        where.append((OPEN_ITEMS, []))
    elif state:
        where.append(("state = ?", [state]))
    if leader:
        where.append(("leader = ?", [leader]))
    if overdue_on:
        where.append(
            (
                f"{OPEN_ITEMS} AND due IS NOT NULL AND due < ?",
                [overdue_on],
            )
        )
    day = overdue_on or F.today().isoformat()
    # Only open items: their partial index, which the planner passes over for items_open's equality on state.
    listing = " INDEXED BY items_listing" if state == "open" or overdue_on else ""
    sql = (
        "SELECT id, kind, ledger, category, description, unit, household, level, state, created, due, leader, path,"
        f" {OPEN_ITEMS} AND due IS NOT NULL AND due < ? FROM items{listing}"
        + (" WHERE " + " AND ".join(clause for clause, _ in where) if where else "")
        + " ORDER BY created, id"
    )
    with Index.open(ledger) as index:
        found = [
            ItemRow(*row[:13], overdue=bool(row[13]))  # type: ignore[arg-type]
            for row in index.conn.execute(sql, [day, *(value for _, values in where for value in values)])
        ]
    if include_voided and voided:
        found = sorted(found + voided, key=lambda row: (row.created, row.id))
    return found


def _voided_items(ledger: Ledger, where: list[tuple[str, list[Any]]]) -> list[ItemRow]:
    sql = (
        "SELECT id, kind, ledger, category, description, unit, household, level, created, path FROM voided_items"
        + (" WHERE " + " AND ".join(clause for clause, _ in where) if where else "")
        + " ORDER BY created, id"
    )
    with Index.open(ledger) as index:
        return [
            ItemRow(*row[:8], state=VOIDED, created=row[8], due=None, leader=None, path=row[9], overdue=False)
            for row in index.conn.execute(sql, [value for _, values in where for value in values])
        ]


def item_counts(ledger: Ledger, unit: str | None = None, on: str | None = None) -> dict[str, int]:
    """Items per state, plus "open" and "overdue" (open with due < `on`, default today)."""
    day = on or F.today().isoformat()
    prefix = unit or ""
    with Index.open(ledger) as index:
        counts = {state: 0 for state in ("registered", "assigned", "in_progress", "resolved", "closed")}
        for state, number in index.conn.execute(
            "SELECT state, count(*) FROM items WHERE substr(unit, 1, ?) = ? GROUP BY state",
            (len(prefix), prefix),
        ):
            counts[state] = number
        counts["open"] = sum(counts[state] for state in OPEN_STATES)
        counts["overdue"] = index.conn.execute(
            "SELECT count(*) FROM items WHERE substr(unit, 1, ?) = ? AND state IN ('registered', 'assigned',"
            " 'in_progress') AND due IS NOT NULL AND due < ?",
            (len(prefix), prefix, day),
        ).fetchone()[0]
    return counts
