"""Rollups: the numbers county leaders read every morning, computed with SQL over the index (ledgers/index.py).

A rollup is (period, grouping, optional unit filter) → one row per group plus a `total` row. Counts are summed
from rows that partition the ledger, so `total` is always the sum of the rows, and the rates of `total` are
computed from the summed numerators and denominators (never averaged).

Dates: the period is [start, end]; "as of" dates use `as_of` = the period's end, or today while the period is
still running (a future period is judged at its end). Each metric is defined in docs/guide/rollups.md; the
definitions below are the same in code.

Groupings: `county`, `township`, `village`, `group` (org levels; an entity attached directly to a higher unit
— a county-level cadre, an item filed against a township — gets its own row for that unit, marked by its
`level`, so rows still add up), and `leader`, `category`, `ledger` (item metrics only; the household, visit,
cadre and activity metrics are null in those rows).

Many ledgers (a city or province over its counties, issue 19): each ledger's share of a rollup is a `Part` (its
counters per row after 撤并 successors, its row names, its distinct totals) computed from its index alone; `Sum` adds
the parts up in the order the ledgers were given, so the result does not depend on where a part was computed.
`gather` brings each ledger's index up to date and computes its parts in a pool of worker processes (one ledger per
task, so a worker holds one index at a time), and folds the parts in as they come back; with one ledger or
MINQING_JOBS=1 it does the same in this process. `ledger_list` reads `--repos-file`.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import fields as F
from ..core.errors import BadInput, LedgerError, NotALedger, NotFound
from ..core.messages import GROUPING_LABELS, LABELS, PERIOD_LABELS, Text, label
from ..core.model import CATEGORIES, LEDGERS
from ..repo.store import Ledger
from .index import MASK_MONTHS, Index

PERIODS = ("day", "week", "halfmonth", "month", "quarter", "year")
GROUPINGS = ("county", "township", "village", "group", "leader", "category", "ledger", "round", "department")
ROUND = "round"  # 五人大走访 rounds (issue 18): team visits and survey answers per round; nothing else has a round
ROUND_METRICS = ("visits", "households_visited", "surveyed", "survey_satisfaction")
NO_ROUND = "-"  # the row of survey answers recorded outside any round
# 帮扶单位 (issue 18): a row per helping unit, credited with what its cadres did (visit --by, activity --by); only
# the cadre, visit and activity metrics (a joint visit of two departments' cadres counts in both rows).
DEPARTMENT = "department"
DEPARTMENT_METRICS = (
    "visits",
    "talks",
    "talks_households",
    "talks_cadres",
    "stays",
    "condolences",
    "cadres",
    "cadres_posted",
    "cadres_without_visit",
    "raised",
    "activities",
    "participants",
)
ORG_GROUPINGS = ("county", "township", "village", "group")
FORMATS = ("table", "md", "csv", "json", "xlsx", "html")
ALIASES = {"grid": "group"}  # DESIGN §6 says grid; a grid is a group-level unit
CODE_LENGTH = {"county": 6, "township": 9, "village": 12}
VISITING_ROLES = (
    "village",
    "township_leader",
    "county_leader",
)  # clerks and admins are not expected to visit
NOT_VISITED_DAYS = 90

# The JSON keys of a row, in order (fixed; documented in docs/guide/rollups.md).
METRICS = (
    "visits",
    "talks",
    "stays",
    "condolences",
    "households",
    "households_visited",
    "coverage",
    "poor_households",
    "poor_coverage",
    "pairing_coverage",
    "cadres_paired",
    "households_paired",
    "not_visited_90d",
    "cadres",
    "cadres_without_visit",
    "opened",
    "closed",
    "closed_on_time",
    "open",
    "overdue",
    "on_time_rate",
    "median_days_to_close",
    "satisfaction_rate",
    "surveyed",
    "survey_satisfaction",
    "on_the_spot",
    "explained",
    "raised",
    "escalated_township",
    "escalated_county",
    "households_with_problems",
    "households_escalated_township",
    "households_escalated_county",
    "suggestions",
    "discipline_items",
    "ledger_books",
    "ledger_entries",
    "cleared",
    "wishes_raised",
    "wishes_claimed",
    "wishes_fulfilled",
    "activities",
    "participants",
    "late",
    # issue 18: 谈心谈话 with households and with cadres apart; cadres posted to a village (驻村)
    "talks_households",
    "talks_cadres",
    "cadres_posted",
)
ORG_ONLY = frozenset(
    {
        "talks_households",
        "talks_cadres",
        "cadres_posted",
        "condolences",
        "cadres_paired",
        "households_paired",
        "visits",
        "talks",
        "stays",
        "households",
        "households_visited",
        "coverage",
        "poor_households",
        "poor_coverage",
        "pairing_coverage",
        "not_visited_90d",
        "cadres",
        "cadres_without_visit",
        "activities",
        "participants",
    }
)
RATES = (
    "coverage",
    "poor_coverage",
    "pairing_coverage",
    "on_time_rate",
    "satisfaction_rate",
    "survey_satisfaction",
)

# Counts as the articles report them (issue 18): households (户), not items, and books of the ledger. A household or
# book is counted once per row; the total counts it once over the whole ledger (DISTINCT_COUNTS are recounted for
# the total rather than summed, since one household's items can fall in two leader or category rows).
ARTICLE_COUNTS = (
    "condolences",
    "cadres_paired",
    "households_with_problems",
    "households_escalated_township",
    "households_escalated_county",
    "suggestions",
    "discipline_items",
    "ledger_books",
    "ledger_entries",
)
DISTINCT_COUNTS = (
    "households_with_problems",
    "households_escalated_township",
    "households_escalated_county",
    "ledger_books",
)

# Counters a row is summed from (rates and medians are derived from these, so rows merge exactly).
COUNTERS = (
    "visits",
    "talks",
    "talks_households",
    "talks_cadres",
    "cadres_posted",
    "stays",
    "households",
    "households_visited",
    "poor_households",
    "poor_visited",
    "paired",
    "not_visited_90d",
    "cadres",
    "cadres_without_visit",
    "opened",
    "closed",
    "closed_on_time",
    "open",
    "overdue",
    "feedback",
    "feedback_good",
    "surveyed",
    "survey_good",
    "on_the_spot",
    "explained",
    "raised",
    "escalated_township",
    "escalated_county",
    "wishes_raised",
    "wishes_claimed",
    "wishes_fulfilled",
    "activities",
    "participants",
    "late",
    *ARTICLE_COUNTS,
)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: str  # one of PERIODS, or "range" for --from/--to
    start: dt.date
    end: dt.date
    as_of: dt.date

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "label": self.label,
        }


def period_containing(kind: str, day: dt.date, today: dt.date | None = None) -> Period:
    """The period of `kind` that contains `day`: week Mon–Sun, halfmonth 1–15 / 16–end (半月谈)."""
    if kind == "day":
        start = end = day
    elif kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
    elif kind == "halfmonth":
        if day.day <= 15:
            start, end = day.replace(day=1), day.replace(day=15)
        else:
            start, end = day.replace(day=16), _month_end(day)
    elif kind == "month":
        start, end = day.replace(day=1), _month_end(day)
    elif kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first, 1)
        end = _month_end(dt.date(day.year, first + 2, 1))
    elif kind == "year":
        start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    else:
        raise BadInput("bad_value", field="--period", value=kind, accepted="|".join(PERIODS))
    return _with_as_of(kind, start, end, today)


def month_to_date(day: dt.date, today: dt.date | None = None) -> Period:
    """The 1st of `day`'s month through `day` (the nightly report's second table)."""
    return _with_as_of("month_to_date", day.replace(day=1), day, today)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _with_as_of(kind: str, start: dt.date, end: dt.date, today: dt.date | None) -> Period:
    now = today or F.today()
    # A running period is judged today; a past one at its end; a future one at its end too (a projection: what
    # is open now and due before then will be overdue by then unless it is worked).
    return Period(kind, start, end, end if start > now else min(end, now))


def choose_period(
    kind: str | None,
    date: str | None = None,
    start: str | None = None,
    end: str | None = None,
    today: dt.date | None = None,
) -> Period:
    """Validate --period/--date/--from/--to: this month by default; --date picks the period containing it;
    --from/--to give an explicit range (--to defaults to today)."""
    now = today or F.today()
    if kind is not None:
        kind = F.choice(kind, "--period", PERIODS, PERIOD_LABELS)
    if date is not None and (start is not None or end is not None):
        raise BadInput("exclusive", field="--date", other="--from/--to")
    if start is None and end is not None:
        raise BadInput("required", field="--from", accepted=Text("acc_date_with_to"))
    if start is not None:
        if kind is not None:
            raise BadInput("exclusive", field="--period", other="--from/--to")
        first = F.to_date(F.parse_date(start, "--from"))
        last = F.to_date(F.parse_date(end, "--to")) if end is not None else now
        if last < first:
            raise BadInput("date_order", field="--to", value=last.isoformat(), other=first.isoformat())
        return _with_as_of("range", first, last, now)
    day = F.to_date(F.parse_date(date, "--date")) if date is not None else now
    return period_containing(kind or "month", day, now)


def choose_grouping(by: str | None) -> str:
    by = ALIASES.get((by or "").strip(), by)
    return F.choice(by or "township", "--by", GROUPINGS, grouping_labels())


def grouping_labels() -> dict[str, tuple[str, ...]]:
    """--by takes 乡镇 as well as the output's 按乡镇 (and an org level's own label, 县（区）)."""
    return {
        code: (zh.removeprefix("按"), en.removeprefix("by "), zh, en, *LABELS.get(code, ()))
        for code, (zh, en) in GROUPING_LABELS.items()
    }


def choose_format(fmt: str | None) -> str:
    return F.choice(fmt or "table", "--format", FORMATS)


# ---------------------------------------------------------------- rows


@dataclass
class Tally:
    """The counters of one row; merges by addition (durations are concatenated for the median)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    close_days: list[int] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for key, value in other.counts.items():
            self.counts[key] += value
        self.close_days += other.close_days


@dataclass(frozen=True)
class Row:
    unit: str  # the group key: a unit code, a cadre id ("-" = not assigned), a category or ledger code
    name: str
    level: str | None  # the org level of `unit` (org groupings), else None
    values: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, "level": self.level, **self.values}


@dataclass(frozen=True)
class Source:
    """One ledger that went into the rollup."""

    root: str
    county: str
    name: str
    commit: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"county": self.county, "name": self.name, "commit": self.commit}


@dataclass(frozen=True)
class Rollup:
    period: Period
    by: str
    unit: str | None
    rows: tuple[Row, ...]
    total: Row
    sources: tuple[Source, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rollup:
        """A rollup as `to_dict` gave it (the figures stored when a period was closed: `rollup --as-reported`)."""
        span = data["period"]
        period = Period(
            span["kind"],
            dt.date.fromisoformat(span["from"]),
            dt.date.fromisoformat(span["to"]),
            dt.date.fromisoformat(span["as_of"]),
        )

        def row(values: dict[str, Any]) -> Row:
            rest = {key: value for key, value in values.items() if key not in ("unit", "name", "level")}
            # A figure minqing learned after the month was closed (the survey, issue 18) was not reported: null.
            return Row(values["unit"], values["name"], values["level"], dict.fromkeys(METRICS) | rest)

        sources = tuple(Source("", s["county"], s["name"], s["commit"]) for s in data.get("ledgers", []))
        rows = tuple(row(values) for values in data["rows"])
        return cls(period, data["by"], data["unit"], rows, row(data["total"]), sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.to_dict(),
            "by": self.by,
            "unit": self.unit,
            "ledgers": [source.to_dict() for source in self.sources],
            "metrics": list(METRICS),
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def values_of(tally: Tally, by: str) -> dict[str, Any]:
    c = tally.counts
    out: dict[str, Any] = {
        "visits": c["visits"],
        "talks": c["talks"],
        "talks_households": c["talks_households"],
        "talks_cadres": c["talks_cadres"],
        "stays": c["stays"],
        "households": c["households"],
        "households_visited": c["households_visited"],
        "coverage": _ratio(c["households_visited"], c["households"]),
        "poor_households": c["poor_households"],
        "poor_coverage": _ratio(c["poor_visited"], c["poor_households"]),
        "pairing_coverage": _ratio(c["paired"], c["households"]),
        "condolences": c["condolences"],
        "cadres_paired": c["cadres_paired"],
        "households_paired": c["paired"],
        "households_with_problems": c["households_with_problems"],
        "households_escalated_township": c["households_escalated_township"],
        "households_escalated_county": c["households_escalated_county"],
        "suggestions": c["suggestions"],
        "discipline_items": c["discipline_items"],
        "ledger_books": c["ledger_books"],
        "ledger_entries": c["ledger_entries"],
        "not_visited_90d": c["not_visited_90d"],
        "cadres": c["cadres"],
        "cadres_posted": c["cadres_posted"],  # cadres posted to a village (驻村, issue 18) there
        "cadres_without_visit": c["cadres_without_visit"],
        "opened": c["opened"],
        "closed": c["closed"],
        "closed_on_time": c["closed_on_time"],
        "open": c["open"],
        "overdue": c["overdue"],
        "on_time_rate": _ratio(c["closed_on_time"], c["closed"]),
        "median_days_to_close": (
            round(float(statistics.median(tally.close_days)), 1) if tally.close_days else None
        ),
        "satisfaction_rate": _ratio(c["feedback_good"], c["feedback"]),
        # 群众满意度测评 (issue 18): households surveyed, by their latest answer; 认可度 = (满意 + 基本满意) / surveyed
        "surveyed": c["surveyed"],
        "survey_satisfaction": _ratio(c["survey_good"], c["surveyed"]),
        "on_the_spot": c["on_the_spot"],
        "explained": c["explained"],
        "raised": c["raised"],
        "escalated_township": c["escalated_township"],
        "escalated_county": c["escalated_county"],
        "cleared": c["open"] == 0,
        "wishes_raised": c["wishes_raised"],
        "wishes_claimed": c["wishes_claimed"],
        "wishes_fulfilled": c["wishes_fulfilled"],
        "activities": c["activities"],
        "participants": c["participants"],
        # 补录: entries dated in the period but recorded after it was closed (issue 15)
        "late": c["late"],
    }
    if by not in ORG_GROUPINGS:
        for key in ORG_ONLY:
            out[key] = None
    if by not in ORG_GROUPINGS:  # a survey answer has a unit and a round, not a leader, category or ledger
        out["surveyed"] = out["survey_satisfaction"] = None
    if by == ROUND:
        kept = {
            "visits": c["visits"],
            "households_visited": c["households_visited"],
            "surveyed": c["surveyed"],
            "survey_satisfaction": _ratio(c["survey_good"], c["surveyed"]),
        }
        out = dict.fromkeys(out) | kept
    if by == DEPARTMENT:
        out = dict.fromkeys(out) | {key: c[key] for key in DEPARTMENT_METRICS}
    return {key: out[key] for key in METRICS} | out  # METRICS order; keys another issue adds come after


# ---------------------------------------------------------------- SQL


def _key(by: str, column: str) -> str:
    if by == "county":
        return f"substr({column}, 1, 6)"
    if by in CODE_LENGTH:
        size = CODE_LENGTH[by]
        return f"CASE WHEN length({column}) >= {size} THEN substr({column}, 1, {size}) ELSE {column} END"
    return column  # group: the unit itself (a household without a group counts at its village)


def _leader_join(by: str) -> tuple[str, str]:
    """An extra join (the leader responsible at the as-of date, from the span covering it) and the key expression."""
    if by == "leader":
        join = " LEFT JOIN item_spans la ON la.item = i.id AND la.since <= :A AND (la.until IS NULL OR la.until > :A)"
        return join, "COALESCE(la.leader, '-')"
    if by == "category":
        return "", "i.category"
    if by == "ledger":
        return "", "i.ledger"
    return "", _key(by, "i.unit")


def _unit_filter(column: str) -> str:
    return f"substr({column}, 1, :PL) = :P"


def tallies(index: Index, period: Period, by: str, unit: str | None) -> dict[str, Tally]:
    """key -> Tally for one ledger, every metric computed with one SQL aggregate per table."""
    return _tallies(index, period, by, unit)[0]


def _tallies(
    index: Index, period: Period, by: str, unit: str | None
) -> tuple[dict[str, Tally], dict[str, int] | None]:
    """`tallies`, and DISTINCT_COUNTS over the whole ledger when the same pass gave them (else None)."""
    params = {
        "S": period.start.isoformat(),
        "E": period.end.isoformat(),
        "A": period.as_of.isoformat(),
        "A90": (period.as_of - dt.timedelta(days=NOT_VISITED_DAYS - 1)).isoformat(),
        "P": unit or "",
        "PL": len(unit or ""),
    }
    out: dict[str, Tally] = defaultdict(Tally)
    conn = index.conn
    fill = _filler(conn, params, out)

    if by == ROUND:
        _round_metrics(params, fill)
        return out, None
    if by == DEPARTMENT:
        _department_metrics(params, fill)
        return out, None
    if by in ORG_GROUPINGS and not index.item_dups():
        base = index.visit_month_base()

        def households_and_visits(beside: Any) -> dict[str, Tally]:
            # Its own rows, added below: two threads must not add to one Tally.
            rows: dict[str, Tally] = defaultdict(Tally)
            fill_beside = _filler(beside, params, rows)
            _org_metrics(beside, by, period, params, base, rows, fill_beside)
            _survey_metrics(_key(by, "s.unit"), "", fill_beside)
            return rows

        # The households' and visits' figures on a second connection while this one reads the items' (at `large`
        # ~75 and ~120 ms of SQL): the same statements, the same sums, on both cores.
        waiting = index.beside(households_and_visits)
        totals = _org_item_metrics(conn, by, params, out)
        for key, tally in waiting().items():
            out[key].add(tally)
        return out, totals
    join, key = _leader_join(by)
    where = _unit_filter("i.unit")
    # One pass over the items for these and the article's counts (two scans were 0.2 s at 100,000 items).
    _article_item_counts(
        key,
        join,
        where,
        fill,
        also=(
            ("count(CASE WHEN i.created BETWEEN :S AND :E THEN 1 END)", "opened"),
            ("count(CASE WHEN i.kind = 'wish' AND i.created BETWEEN :S AND :E THEN 1 END)", "wishes_raised"),
            ("count(CASE WHEN i.created <= :A THEN 1 END)", "raised"),
            ("count(CASE WHEN i.created <= :A AND i.esc_township <= :A THEN 1 END)", "escalated_township"),
            ("count(CASE WHEN i.created <= :A AND i.esc_county <= :A THEN 1 END)", "escalated_county"),
            ("count(CASE WHEN i.late IS NOT NULL AND i.created BETWEEN :S AND :E THEN 1 END)", "late"),
        ),
    )
    fill(
        f"SELECT {key}, count(*), count(CASE WHEN s.due < :A THEN 1 END)"
        f" FROM item_spans s JOIN items i ON i.id = s.item{join}"
        f" WHERE s.open = 1 AND s.since <= :A AND (s.until IS NULL OR s.until > :A) AND {where} GROUP BY 1",
        ("open", "overdue"),
    )
    fill(
        f"SELECT {key},"
        " count(DISTINCT CASE WHEN e.value = 'on_the_spot' THEN e.item END),"
        " count(DISTINCT CASE WHEN e.value = 'explained' THEN e.item END),"
        " count(DISTINCT CASE WHEN e.value = 'fulfilled' AND i.kind = 'wish' THEN e.item END)"
        f" FROM item_events e JOIN items i ON i.id = e.item{join}"
        f" WHERE e.op = 'resolve' AND e.day BETWEEN :S AND :E AND {where} GROUP BY 1",
        ("on_the_spot", "explained", "wishes_fulfilled"),
    )
    fill(
        f"SELECT {key}, count(*), count(CASE WHEN e.value IN ('satisfied', 'basic') THEN 1 END)"
        f" FROM item_events e JOIN items i ON i.id = e.item{join}"
        f" WHERE e.op = 'feedback' AND e.day BETWEEN :S AND :E AND {where} GROUP BY 1",
        ("feedback", "feedback_good"),
    )
    fill(
        f"SELECT {key}, count(DISTINCT e.item) FROM item_events e JOIN items i ON i.id = e.item{join}"
        f" WHERE e.op = 'claim' AND i.kind = 'wish' AND e.day BETWEEN :S AND :E AND {where} GROUP BY 1",
        ("wishes_claimed",),
    )
    # Closed in the period: an item closed twice counts once, judged by its last close in the period.
    last_close: dict[str, tuple[str, str, str | None, str | None, str]] = {}
    for group, item_id, day, due, resolved, created in conn.execute(
        f"SELECT {key}, e.item, e.day, e.due, e.resolved, i.created FROM item_events e"
        f" JOIN items i ON i.id = e.item{join} WHERE e.op = 'close' AND e.day BETWEEN :S AND :E AND {where} ORDER BY e.day",
        params,
    ):
        last_close[item_id] = (group, day, due, resolved, created)
    for group, day, due, resolved, created in last_close.values():
        tally = out[group]
        tally.counts["closed"] += 1
        if due is None or (resolved or day) <= due:
            tally.counts["closed_on_time"] += 1
        if created:
            tally.close_days.append((F.to_date(day) - F.to_date(created)).days)

    if by in ORG_GROUPINGS:
        _org_metrics(conn, by, period, params, index.visit_month_base(), out, fill)
        _survey_metrics(_key(by, "s.unit"), "", fill)
    return out, None


def _filler(
    conn: Any, params: dict[str, Any], out: dict[str, Tally]
) -> Callable[[str, tuple[str, ...]], None]:
    """`fill(sql, names)`: run `sql` on `conn`, whose rows are a key and one number per name, adding each number to
    that key's row of `out`."""

    def fill(sql: str, names: tuple[str, ...]) -> None:
        for key, *numbers in conn.execute(sql, params):
            counts = out[key].counts
            for name, number in zip(names, numbers, strict=True):
                counts[name] += int(number or 0)

    return fill


def _key_of(by: str) -> Callable[[str], str]:
    """`_key` in Python: the row of a unit code, for figures SQL sums per unit (every org row is a set of units)."""
    if by == "county":
        return lambda code: code[:6]
    if by in CODE_LENGTH:
        size = CODE_LENGTH[by]
        return lambda code: code[:size] if len(code) >= size else code
    return lambda code: code


def _fill_units(
    conn: Any, sql: str, params: dict[str, Any], names: tuple[str, ...], by: str, out: Any
) -> None:
    """Counters SQL sums per unit (`sql` selects the unit, then one number per name), added to each unit's row:
    grouping by the unit column follows an index, grouping by a row's expression sorts every row first."""
    key_of = _key_of(by)
    for code, *numbers in conn.execute(sql, params):
        counts = out[key_of(code)].counts
        for name, number in zip(names, numbers, strict=True):
            counts[name] += int(number or 0)


def _org_item_metrics(conn: Any, by: str, params: dict[str, Any], out: Any) -> dict[str, int]:
    """The item metrics of an org grouping from the index's rollup columns (issue 19: the same figures as the joins
    of items, events and spans, which `tallies` still runs for the other groupings and for a ledger whose item ids
    are not unique); returns DISTINCT_COUNTS over the whole ledger, read in the same passes."""
    key_of = _key_of(by)
    where = _unit_filter("unit") if params["P"] else "1"
    # A long period's events are most of them: read in unit order they need no sort (else by day, as few as they are).
    events = "item_events INDEXED BY " + (
        "events_op_unit" if params["E"] >= _days_after(params["S"], EVENTS_BY_UNIT_DAYS) else "events_op_day"
    )
    # The funnel and the books up to the as-of date: one pass over the items in unit order (index items_books).
    books: dict[str, set[str]] = defaultdict(set)
    all_books: set[str] = set()
    for code, ledger, raised, township, county in conn.execute(
        "SELECT unit, ledger, count(CASE WHEN created <= :A THEN 1 END),"
        " count(CASE WHEN created <= :A AND esc_township <= :A THEN 1 END),"
        " count(CASE WHEN created <= :A AND esc_county <= :A THEN 1 END)"
        f" FROM items INDEXED BY items_books WHERE {where} GROUP BY unit, ledger",
        params,
    ):
        key = key_of(code)
        counts = out[key].counts
        counts["raised"] += raised
        counts["ledger_entries"] += raised
        counts["escalated_township"] += township
        counts["escalated_county"] += county
        if raised:
            book = f"{code}/{ledger or ''}"
            books[key].add(book)
            all_books.add(book)
    for key, found in books.items():
        out[key].counts["ledger_books"] += len(found)
    # Raised in the period (index items_period), with the households of items no other item names (one item each:
    # they add up); the households of several items (items.shared) are counted apart, distinct per row and in the
    # ledger's total.
    names = ("households_with_problems", "households_escalated_township", "households_escalated_county")
    totals = dict.fromkeys(names, 0)
    for code, *numbers in conn.execute(
        "SELECT unit, count(*), count(CASE WHEN kind = 'wish' THEN 1 END), count(late),"
        " count(CASE WHEN kind = 'suggestion' THEN 1 END), count(CASE WHEN source = 'discipline' THEN 1 END),"
        " count(CASE WHEN NOT shared THEN household END),"
        " count(CASE WHEN NOT shared AND esc_township <= :A THEN household END),"
        " count(CASE WHEN NOT shared AND esc_county <= :A THEN household END)"
        f" FROM items INDEXED BY items_period WHERE created BETWEEN :S AND :E AND {where} GROUP BY unit",
        params,
    ):
        counts = out[key_of(code)].counts
        for name, number in zip(ITEM_COUNTS, numbers, strict=True):
            counts[name] += number
        for name, number in zip(names, numbers[-3:], strict=True):
            totals[name] += number
    shared = (
        " count(DISTINCT household), count(DISTINCT CASE WHEN esc_township <= :A THEN household END),"
        " count(DISTINCT CASE WHEN esc_county <= :A THEN household END) FROM items INDEXED BY items_shared"
        f" WHERE shared AND created BETWEEN :S AND :E AND {where}"
    )
    for key, *numbers in conn.execute(f"SELECT {_key(by, 'unit')},{shared} GROUP BY 1", params):
        for name, number in zip(names, numbers, strict=True):
            out[key].counts[name] += number
    for name, number in zip(names, conn.execute(f"SELECT{shared}", params).fetchone(), strict=True):
        totals[name] += number
    for until in ("until IS NULL", "until > :A"):  # apart: each is a range of the index spans_open
        _fill_units(
            conn,
            "SELECT unit, count(*), count(CASE WHEN due < :A THEN 1 END) FROM item_spans"
            f" WHERE open = 1 AND {until} AND since <= :A AND {where} GROUP BY unit",
            params,
            ("open", "overdue"),
            by,
            out,
        )
    # `next`: the item's following event of the same kind, so each item counts once, by its last one in the period.
    last = "day BETWEEN :S AND :E AND (next IS NULL OR next > :E)"
    _fill_units(
        conn,
        "SELECT unit, count(CASE WHEN value = 'on_the_spot' THEN 1 END), count(CASE WHEN value = 'explained' THEN 1"
        f" END), count(CASE WHEN value = 'fulfilled' AND kind = 'wish' THEN 1 END) FROM {events}"
        f" WHERE op = 'resolve' AND {last} AND {where} GROUP BY unit",
        params,
        ("on_the_spot", "explained", "wishes_fulfilled"),
        by,
        out,
    )
    _fill_units(
        conn,
        f"SELECT unit, count(*), count(CASE WHEN value IN ('satisfied', 'basic') THEN 1 END) FROM {events}"
        f" WHERE op = 'feedback' AND day BETWEEN :S AND :E AND {where} GROUP BY unit",
        params,
        ("feedback", "feedback_good"),
        by,
        out,
    )
    _fill_units(
        conn,
        f"SELECT unit, count(*) FROM {events} WHERE op = 'claim' AND kind = 'wish' AND {last} AND {where}"
        " GROUP BY unit",
        params,
        ("wishes_claimed",),
        by,
        out,
    )
    # Closed in the period, judged by the item's last close there; the days to close as (days, how many).
    for code, days, closed, on_time in conn.execute(
        "SELECT unit, days, count(*), count(CASE WHEN due IS NULL OR COALESCE(NULLIF(resolved, ''), day) <= due"
        f" THEN 1 END) FROM {events} WHERE op = 'close' AND {last} AND {where} GROUP BY unit, days",
        params,
    ):
        tally = out[key_of(code)]
        tally.counts["closed"] += closed
        tally.counts["closed_on_time"] += on_time
        if days is not None:
            tally.close_days += [days] * closed
    return totals | {"ledger_books": len(all_books)}


def _month_bits(start: dt.date, end: dt.date, base: int) -> tuple[int, int]:
    """(months wholly inside [start, end], months it covers in part) as bits of a household's visit mask
    (index.household_facts: bit n is the month `base` + n)."""
    whole = part = 0
    first = max(start.year * 12 + start.month - 1, base)
    last = min(end.year * 12 + end.month - 1, base + MASK_MONTHS - 1)
    for month in range(first, last + 1):
        day_one = dt.date(month // 12, month % 12 + 1, 1)
        if day_one >= start and _month_end(day_one) <= end:
            whole |= 1 << (month - base)
        else:
            part |= 1 << (month - base)
    return whole, part


def _visited(start: str, end: str, whole: str, part: str, probe: str) -> str:
    """Whether `f` (a row of household_facts or cadre_visits) has a visit in [start, end] (parameter names): its
    first and last visit decide most, the month bits most others; the rest are looked up (`probe`, a WHERE clause
    of visits by date)."""
    return (
        f"CASE WHEN f.last IS NULL OR f.last < :{start} OR f.first > :{end} THEN 0"
        f" WHEN f.first >= :{start} OR f.last <= :{end} THEN 1 WHEN f.mask & :{whole} THEN 1"
        f" WHEN f.odd = 0 AND f.mask & :{part} = 0 THEN 0"
        f" ELSE EXISTS ({probe} BETWEEN :{start} AND :{end}) END"
    )


HOUSEHOLD_VISITS = "SELECT 1 FROM visits v WHERE v.household = f.household AND v.date"
CADRE_VISITS = "SELECT 1 FROM visit_by b WHERE b.cadre = c.id AND b.date"


def _survey_metrics(key: str, same_round: str, fill: Any) -> None:
    """群众满意度测评 (issue 18): each household surveyed in the period counts once, by its latest answer there (in
    the same round, when `same_round` asks for it), at the unit it answered in; good = satisfied or basic."""
    fill(
        f"SELECT {key}, count(*), count(CASE WHEN s.result IN ('satisfied', 'basic') THEN 1 END) FROM surveys s"
        f" WHERE s.date BETWEEN :S AND :E AND {_unit_filter('s.unit')} AND NOT EXISTS (SELECT 1 FROM surveys t"
        f" WHERE t.household = s.household AND t.date BETWEEN :S AND :E{same_round}"
        " AND (t.date, t.at, t.id) > (s.date, s.at, s.id)) GROUP BY 1",
        ("surveyed", "survey_good"),
    )


def _department_metrics(params: dict[str, Any], fill: Any) -> None:
    """`--by department` (帮扶单位, issue 18): each helping unit is credited with the visits, talks and stays one of
    its cadres went on (once each), the items raised at them, the activities its cadres held, its cadres in post at
    the as-of date and those of them posted to a village (驻村) or with no visit in the period. The --unit filter
    applies to where the work was done (the visit's and the activity's unit, the posting's village). Each query
    walks from the departments' cadres through visit_by(cadre, date) / activity_by(cadre, date): the work of the
    period, never the whole stream once per department."""
    credited = (
        " FROM cadre_departments d JOIN visit_by b ON b.cadre = d.cadre AND b.date BETWEEN :S AND :E"
        f" JOIN visits v ON v.id = b.visit WHERE d.department IS NOT NULL AND {_unit_filter('v.unit')}"
    )
    fill(
        "SELECT d.department, count(DISTINCT CASE WHEN v.kind = 'visit' THEN v.id END),"
        " count(DISTINCT CASE WHEN v.kind = 'talk' THEN v.id END),"
        " count(DISTINCT CASE WHEN v.kind = 'talk' AND v.household IS NOT NULL THEN v.id END),"
        " count(DISTINCT CASE WHEN v.kind = 'talk' AND v.household IS NULL THEN v.id END),"
        " count(DISTINCT CASE WHEN v.kind = 'stay' THEN v.id END),"
        " count(DISTINCT CASE WHEN v.kind = 'condolence' THEN v.id END)"
        + credited
        + " GROUP BY d.department",
        ("visits", "talks", "talks_households", "talks_cadres", "stays", "condolences"),
    )
    fill(
        "SELECT department, sum(raised) FROM (SELECT DISTINCT d.department, x.visit, x.raised"
        + credited.replace(" WHERE ", " JOIN visit_extras x ON x.visit = v.id WHERE ")
        + ") GROUP BY department",
        ("raised",),
    )
    roles = ", ".join(f"'{role}'" for role in VISITING_ROLES)
    fill(
        "SELECT d.department, count(*),"
        f" count(CASE WHEN d.posted IS NOT NULL AND {_unit_filter('d.posted')} THEN 1 END),"
        f" count(CASE WHEN c.role IN ({roles}) AND NOT EXISTS (SELECT 1 FROM visit_by b WHERE b.cadre = c.id"
        " AND b.date BETWEEN :S AND :E) THEN 1 END)"
        " FROM cadre_departments d JOIN cadres c ON c.id = d.cadre"
        " WHERE d.department IS NOT NULL AND c.created <= :A AND (c.recalled IS NULL OR c.recalled > :A)"
        " GROUP BY d.department",
        ("cadres", "cadres_posted", "cadres_without_visit"),
    )
    fill(
        "SELECT department, count(*), sum(participants) FROM (SELECT DISTINCT d.department, a.id, a.participants"
        " FROM cadre_departments d JOIN activity_by b ON b.cadre = d.cadre AND b.date BETWEEN :S AND :E"
        f" JOIN activities a ON a.id = b.activity WHERE d.department IS NOT NULL AND {_unit_filter('a.unit')})"
        " GROUP BY department",
        ("activities", "participants"),
    )


def _round_metrics(params: dict[str, Any], fill: Any) -> None:
    """`--by round`: the team visits of each round in the period, the households they reached (once per round), and
    the survey by round (answers outside a round in the row NO_ROUND)."""
    fill(
        "SELECT CAST(r.round AS TEXT), count(*), count(DISTINCT r.household) FROM visit_rounds r"
        f" WHERE r.date BETWEEN :S AND :E AND {_unit_filter('r.unit')} GROUP BY 1",
        ("visits", "households_visited"),
    )
    _survey_metrics(f"COALESCE(CAST(s.round AS TEXT), '{NO_ROUND}')", " AND t.round IS s.round", fill)


def _article_item_counts(
    key: str, join: str, where: str, fill: Any, also: tuple[tuple[str, str], ...] = ()
) -> None:
    """Households with problems raised in the period and those of them referred to the township / the county by the
    as-of date (the 215 → 104 → 25 funnel of seed 001 counts 户), suggestions (建言) and items from the discipline
    channel (纪委) raised in the period, and the ledger books (unit × ledger) with entries as of the as-of date;
    `also`: more (aggregate, counter) over the same rows, read in the same pass."""
    fill(
        f"SELECT {key}, {''.join(expression + ', ' for expression, _ in also)}"
        " count(DISTINCT CASE WHEN i.created BETWEEN :S AND :E THEN i.household END),"
        " count(DISTINCT CASE WHEN i.created BETWEEN :S AND :E AND i.esc_township <= :A THEN i.household END),"
        " count(DISTINCT CASE WHEN i.created BETWEEN :S AND :E AND i.esc_county <= :A THEN i.household END),"
        " count(CASE WHEN i.kind = 'suggestion' AND i.created BETWEEN :S AND :E THEN 1 END),"
        " count(CASE WHEN i.source = 'discipline' AND i.created BETWEEN :S AND :E THEN 1 END),"
        " count(DISTINCT CASE WHEN i.created <= :A THEN i.unit || '/' || COALESCE(i.ledger, '') END),"
        " count(CASE WHEN i.created <= :A THEN 1 END)"
        f" FROM items i{join} WHERE {where} GROUP BY 1",
        (
            *(name for _, name in also),
            "households_with_problems",
            "households_escalated_township",
            "households_escalated_county",
            "suggestions",
            "discipline_items",
            "ledger_books",
            "ledger_entries",
        ),
    )


def _distinct_totals(index: Index, period: Period, unit: str | None) -> dict[str, int]:
    """DISTINCT_COUNTS over the whole ledger (under --unit): the total row's figures for them."""
    whole: dict[str, Tally] = defaultdict(Tally)
    params = {"S": period.start.isoformat(), "E": period.end.isoformat(), "A": period.as_of.isoformat()}
    params |= {"P": unit or "", "PL": len(unit or "")}
    # every row's key is the literal 'total'
    _article_item_counts("'total'", "", _unit_filter("i.unit"), _filler(index.conn, params, whole))
    return {name: whole["total"].counts[name] for name in DISTINCT_COUNTS}


# The counters of the pass over a period's items (index items_period), in its order.
ITEM_COUNTS = (
    "opened",
    "wishes_raised",
    "late",
    "suggestions",
    "discipline_items",
    "households_with_problems",
    "households_escalated_township",
    "households_escalated_county",
)
EVENTS_BY_UNIT_DAYS = 60  # from a period this long, rollups read item events in unit order


def _days_after(day: str, days: int) -> str:
    return (F.to_date(day) + dt.timedelta(days=days)).isoformat()


VISIT_COUNTS = ("visits", "talks", "stays", "talks_households", "talks_cadres", "late", "condolences")


def _org_metrics(
    conn: Any,
    by: str,
    period: Period,
    params: dict[str, Any],
    base: int,
    out: dict[str, Tally],
    fill: Any,
) -> None:
    # One pass over the households as they stayed (index.household_facts: a row per stay, with the household's
    # pairings and visits summed up), in unit order. A household counts at the unit it lived in on the as-of date
    # (unit_spans: 搬迁 moves it from that day), and not at all once removed (销户).
    whole, part = _month_bits(period.start, period.end, base)
    recent_whole, recent_part = _month_bits(F.to_date(params["A90"]), period.as_of, base)
    key_of = _key_of(by)
    # Per (unit, poor) in the index's order: each household's figures are worked out once.
    for code, poor, households, paired, visited, not_recent in conn.execute(
        "SELECT unit, poor, count(*), count(CASE WHEN CASE WHEN f.pair_split THEN EXISTS (SELECT 1 FROM pairings p"
        " WHERE p.household = f.household AND p.since <= :A AND (p.until IS NULL OR p.until > :A))"
        " ELSE f.pair_from <= :A AND (f.pair_to IS NULL OR f.pair_to > :A) END THEN 1 END),"
        f" count(CASE WHEN {_visited('S', 'E', 'WM', 'PM', HOUSEHOLD_VISITS)} THEN 1 END),"
        f" count(CASE WHEN NOT {_visited('A90', 'A', 'RWM', 'RPM', HOUSEHOLD_VISITS)} THEN 1 END)"
        " FROM household_facts f INDEXED BY household_facts_unit"
        " WHERE f.since <= :A AND (f.until IS NULL OR f.until > :A)"
        f" AND {_unit_filter('f.unit') if params['P'] else '1'} GROUP BY unit, poor",
        params | {"WM": whole, "PM": part, "RWM": recent_whole, "RPM": recent_part},
    ):
        counts = out[key_of(code)].counts
        counts["households"] += households
        counts["paired"] += paired
        counts["households_visited"] += visited
        counts["not_visited_90d"] += not_recent
        if poor:
            counts["poor_households"] += households
            counts["poor_visited"] += visited
    # Visits: whole calendar months from the sums kept per stream file (index.visit_months), the days before and
    # after them one by one.
    first = period.start if period.start.day == 1 else _month_end(period.start) + dt.timedelta(days=1)
    last = (
        period.end
        if period.end == _month_end(period.end)
        else period.end.replace(day=1) - dt.timedelta(days=1)
    )
    counts = (
        "count(CASE WHEN v.kind = 'visit' THEN 1 END), count(CASE WHEN v.kind = 'talk' THEN 1 END),"
        " count(CASE WHEN v.kind = 'stay' THEN 1 END),"
        " count(CASE WHEN v.kind = 'talk' AND v.household IS NOT NULL THEN 1 END),"
        " count(CASE WHEN v.kind = 'talk' AND v.household IS NULL THEN 1 END),"
        " count(v.late), count(CASE WHEN v.kind = 'condolence' THEN 1 END)"
    )
    each = (
        f"SELECT v.unit, {counts} FROM visits v WHERE {{days}} AND {_unit_filter('v.unit')} GROUP BY v.unit"
    )
    if first > last:
        _fill_units(conn, each.format(days="v.date BETWEEN :S AND :E"), params, VISIT_COUNTS, by, out)
    else:
        months = params | {
            "M1": first.isoformat()[:7],
            "M2": last.isoformat()[:7],
            "D1": first.isoformat(),
            "D2": last.isoformat(),
        }
        _fill_units(
            conn,
            f"SELECT unit, {', '.join(f'sum({name})' for name in VISIT_COUNTS)} FROM visit_months"
            " WHERE (month BETWEEN :M1 AND :M2 OR month IS NULL AND date BETWEEN :D1 AND :D2)"
            f" AND {_unit_filter('unit')} GROUP BY unit",
            months,
            VISIT_COUNTS,
            by,
            out,
        )
        for days in ("v.date >= :S AND v.date < :D1", "v.date > :D2 AND v.date <= :E"):
            _fill_units(conn, each.format(days=days), months, VISIT_COUNTS, by, out)
    # 驻村 (issue 18): cadres in post at the as-of date posted to a village of the row.
    fill(
        f"SELECT {_key(by, 'd.posted')}, count(*) FROM cadre_departments d JOIN cadres c ON c.id = d.cadre"
        " WHERE d.posted IS NOT NULL AND c.created <= :A AND (c.recalled IS NULL OR c.recalled > :A)"
        f" AND {_unit_filter('d.posted')} GROUP BY 1",
        ("cadres_posted",),
    )
    roles = ", ".join(f"'{role}'" for role in VISITING_ROLES)
    # A cadre counts at the unit they served in on the as-of date (调动 moves them from that day); whether they
    # visited in the period is read as a household's is (index.cadre_visits).
    _fill_units(
        conn,
        f"SELECT u.unit, count(*), count(CASE WHEN NOT {_visited('S', 'E', 'WM', 'PM', CADRE_VISITS)} THEN 1 END)"
        " FROM cadres c JOIN unit_spans u ON u.id = c.id AND u.since <= :A AND (u.until IS NULL OR u.until > :A)"
        f" LEFT JOIN cadre_visits f ON f.cadre = c.id WHERE c.role IN ({roles}) AND c.created <= :A"
        f" AND (c.recalled IS NULL OR c.recalled > :A) AND {_unit_filter('u.unit')} GROUP BY u.unit",
        params | {"WM": whole, "PM": part},
        ("cadres", "cadres_without_visit"),
        by,
        out,
    )
    fill(
        f"SELECT {_key(by, 'a.unit')}, count(*), sum(a.participants), count(a.late) FROM activities a"
        f" WHERE a.date BETWEEN :S AND :E AND {_unit_filter('a.unit')} GROUP BY 1",
        ("activities", "participants", "late"),
    )
    # 结对认亲 (seed 004: 3,809 cadres with 10,334 households): a cadre with a pairing in force on the as-of date,
    # counted at the unit they served in that day.
    fill(
        f"SELECT {_key(by, 'u.unit')}, count(DISTINCT p.cadre) FROM pairings p"
        " JOIN unit_spans u ON u.id = p.cadre AND u.since <= :A AND (u.until IS NULL OR u.until > :A)"
        f" WHERE p.since <= :A AND (p.until IS NULL OR p.until > :A) AND {_unit_filter('u.unit')} GROUP BY 1",
        ("cadres_paired",),
    )


# ---------------------------------------------------------------- the rollup


def unit_code(unit: str | None) -> str | None:
    """--unit as a code (digits), before any ledger is read; whether some ledger has it is checked by `Sum`."""
    if unit is None:
        return None
    code = unit.strip()
    if not code.isdigit():
        raise BadInput("bad_code", field="--unit", value=unit, accepted=Text("acc_unit_code_digits"))
    return code


def check_unit(indexes: list[Index], unit: str | None) -> str | None:
    code = unit_code(unit)
    if code is not None and not any(code in index.units() for index in indexes):
        raise NotFound("unknown_code", field="--unit", value=code)
    return code


def rollup(
    indexes: list[Index],
    period: Period,
    by: str,
    unit: str | None = None,
    lang: str = "zh",
) -> Rollup:
    """Rows (sorted by key; every unit of the grouping's level under the filter is listed, even with no data)
    and their total, over one or several ledgers (one per county)."""
    unit = check_unit(indexes, unit)
    whole = Sum(period, by, unit, lang)
    for index in indexes:
        whole.add(part(index, period, by, unit, lang))
    return whole.result()


@dataclass
class Part:
    """One ledger's share of a rollup: what `Sum` adds up, computed from that ledger's index alone. Small (counters
    per row, never the index's rows), so it travels back from a worker process cheaply."""

    source: Source
    has_unit: bool  # the --unit filter names a unit of this ledger (or there is none)
    tallies: dict[str, Tally]  # row key (after 撤并 successors) -> counters
    names: dict[str, tuple[str, str | None]]
    distinct: dict[str, int]  # DISTINCT_COUNTS over the whole ledger (under --unit)


def part(index: Index, period: Period, by: str, unit: str | None, lang: str = "zh") -> Part:
    county = index.setting("county_code") or ""
    source = Source(str(index.ledger_root), county, index.setting("county_name") or "", index.commit)
    retired = index.retired_units() if by in ORG_GROUPINGS else {}
    merged: dict[str, Tally] = defaultdict(Tally)
    counted, totals = _tallies(index, period, by, unit)
    for key, tally in counted.items():
        merged[_successor(key, retired, period)].add(tally)
    return Part(
        source,
        unit is None or unit in index.units(),
        dict(merged),
        _names(index, by, unit, lang, period),
        totals if totals is not None else _distinct_totals(index, period, unit),
    )


class Sum:
    """One rollup (period, grouping, --unit) added up part by part, in the order the ledgers were given. Holds the
    summed rows only, never a ledger's index: 100 counties cost the rows of the answer."""

    def __init__(self, period: Period, by: str, unit: str | None, lang: str = "zh") -> None:
        self.period, self.by, self.unit, self.lang = period, by, unit, lang
        self.merged: dict[str, Tally] = defaultdict(Tally)
        self.names: dict[str, tuple[str, str | None]] = {}
        self.sources: list[Source] = []
        self.seen: dict[str, str] = {}
        self.clash: tuple[str, str, str] | None = None  # the first county given twice: (first, second, code)
        self.distinct = dict.fromkeys(DISTINCT_COUNTS, 0)
        self.unit_found = unit is None

    def add(self, share: Part) -> None:
        county = share.source.county
        if county in self.seen and self.clash is None:
            self.clash = (self.seen[county], share.source.root, county)
        self.seen.setdefault(county, share.source.root)
        self.sources.append(share.source)
        for key, tally in share.tallies.items():
            self.merged[key].add(tally)
        self.names.update(share.names)
        for name, number in share.distinct.items():
            self.distinct[name] += number
        self.unit_found = self.unit_found or share.has_unit

    def result(self) -> Rollup:
        if not self.unit_found:
            raise NotFound("unknown_code", field="--unit", value=self.unit)
        if self.clash is not None:
            first, second, county = self.clash
            raise BadInput("same_county", first=first, second=second, county=county)
        by, names, merged = self.by, self.names, self.merged
        keys = set(merged) | {key for key, (_, listed) in names.items() if listed == "listed"}
        rows = []
        for key in _ordered(keys, by):
            name, level = _describe(key, by, names, self.lang)
            rows.append(Row(key, name, level, values_of(merged.get(key, Tally()), by)))
        total = Tally()
        for tally in merged.values():
            total.add(tally)
        for name in DISTINCT_COUNTS:
            total.counts[name] = self.distinct[name]
        total_row = Row("total", "合计" if self.lang != "en" else "total", None, values_of(total, by))
        return Rollup(self.period, by, self.unit, tuple(rows), total_row, tuple(self.sources))


def _successor(key: str, retired: dict[str, tuple[str, str]], period: Period) -> str:
    """The row a unit's figures go to: in a period that began on or after the day an org merge retired it (撤并),
    the unit it was merged into (what stayed there: closed items, old visits); before, the unit itself."""
    seen = {key}
    while key in retired and period.start.isoformat() >= retired[key][0] and retired[key][1] not in seen:
        key = retired[key][1]
        seen.add(key)
    return key


def _names(
    index: Index, by: str, unit: str | None, lang: str, period: Period | None = None
) -> dict[str, tuple[str, str | None]]:
    """key -> (name, "listed" when the key is a row even without data, else level or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    if by in ORG_GROUPINGS:
        retired = index.retired_units()
        for code, (name, level) in index.units().items():
            # Every unit of the grouping's level under the filter is a row; so is the unit enclosing a filter
            # that is deeper than the grouping (--by township --unit <village>). A unit retired by a merge (撤并)
            # is a row of the periods that began before its retirement day only (it still is one when it has data).
            listed = level == by and (code.startswith(unit or "") or bool(unit and unit.startswith(code)))
            if code in retired and period is not None and period.start.isoformat() >= retired[code][0]:
                listed = False
            out[code] = (name, "listed" if listed else level)
    elif by == "leader":
        for cadre_id, name in index.cadre_names().items():
            out[cadre_id] = (name, None)
    elif by == DEPARTMENT:
        # Every helping unit is a row, with or without work in the period (五帮五扶 is judged on each one).
        for code, (name, level) in index.units().items():
            if level == DEPARTMENT:
                out[code] = (name, "listed")
    return out


def _describe(
    key: str, by: str, names: dict[str, tuple[str, str | None]], lang: str
) -> tuple[str, str | None]:
    if by in ORG_GROUPINGS:
        name, _ = names.get(key, (key, None))
        return name, _level_of(key)
    if by == "leader":
        if key == "-":
            return ("unassigned" if lang == "en" else "未交办"), None
        return names.get(key, (key, None))[0], None
    if by == DEPARTMENT:
        return names.get(key, (key, None))[0], DEPARTMENT
    if by == ROUND:
        if key == NO_ROUND:
            return ("no round" if lang == "en" else "未分轮次"), None
        return (f"round {key}" if lang == "en" else f"第 {key} 轮"), None
    return label(key, lang), None


def _level_of(code: str) -> str:
    return {6: "county", 9: "township", 12: "village"}.get(len(code), "group")


def _ordered(keys: Iterable[str], by: str) -> list[str]:
    if by == "category":
        order = {code: index for index, code in enumerate(CATEGORIES)}
        return sorted(set(keys) | set(CATEGORIES), key=lambda k: (order.get(k, len(order)), k))
    if by == "ledger":
        order = {code: index for index, code in enumerate(LEDGERS)}
        return sorted(set(keys) | set(LEDGERS), key=lambda k: (order.get(k, len(order)), k))
    if by == "leader":
        return sorted(keys, key=lambda k: (k == "-", k))
    if by == ROUND:
        return sorted(keys, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))
    return sorted(keys)


def overdue_total(result: Rollup) -> int:
    return int(result.total.values["overdue"] or 0)


# ---------------------------------------------------------------- the items a figure counts (issue 20)

# The item metrics a figure can be opened into (the static site's drill-down). Each list holds exactly the items
# `tallies` counts for that metric: the conditions below are the same as there, and tests/test_site.py checks
# len(list) == figure for every unit and period of the demo, so a change to one side without the other fails.
LISTED_METRICS = (
    "opened",
    "closed",
    "closed_on_time",
    "open",
    "overdue",
    "on_the_spot",
    "explained",
    "escalated_township",
    "escalated_county",
    "wishes_fulfilled",
)


def counted_items(
    index: Index, period: Period, by: str, unit: str | None = None
) -> dict[str, dict[str, list[str]]]:
    """key -> metric -> the item ids `tallies(index, period, by, unit)` counts for that metric (org groupings)."""
    params = {
        "S": period.start.isoformat(),
        "E": period.end.isoformat(),
        "A": period.as_of.isoformat(),
        "P": unit or "",
        "PL": len(unit or ""),
    }
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: {name: [] for name in LISTED_METRICS})
    key, where = _key(by, "i.unit"), _unit_filter("i.unit")
    conn = index.conn

    def collect(sql: str, names: tuple[str, ...]) -> None:
        for group, item_id, *flags in conn.execute(sql, params):
            for name, flag in zip(names, flags, strict=True):
                if flag:
                    out[group][name].append(item_id)

    collect(
        f"SELECT {key}, i.id, i.created BETWEEN :S AND :E,"
        " i.created <= :A AND i.esc_township <= :A, i.created <= :A AND i.esc_county <= :A"
        f" FROM items i WHERE {where} ORDER BY i.id",
        ("opened", "escalated_township", "escalated_county"),
    )
    collect(
        f"SELECT {key}, i.id, 1, s.due < :A FROM item_spans s JOIN items i ON i.id = s.item"
        f" WHERE s.open = 1 AND s.since <= :A AND (s.until IS NULL OR s.until > :A) AND {where} ORDER BY i.id",
        ("open", "overdue"),
    )
    collect(
        f"SELECT DISTINCT {key}, i.id, e.value = 'on_the_spot', e.value = 'explained',"
        " e.value = 'fulfilled' AND i.kind = 'wish'"
        f" FROM item_events e JOIN items i ON i.id = e.item"
        f" WHERE e.op = 'resolve' AND e.day BETWEEN :S AND :E AND {where} ORDER BY i.id",
        ("on_the_spot", "explained", "wishes_fulfilled"),
    )
    last_close: dict[str, tuple[str, str, str | None, str | None]] = {}
    for group, item_id, day, due, resolved in conn.execute(
        f"SELECT {key}, e.item, e.day, e.due, e.resolved FROM item_events e JOIN items i ON i.id = e.item"
        f" WHERE e.op = 'close' AND e.day BETWEEN :S AND :E AND {where} ORDER BY e.day",
        params,
    ):
        last_close[item_id] = (group, day, due, resolved)
    for item_id in sorted(last_close):
        group, day, due, resolved = last_close[item_id]
        out[group]["closed"].append(item_id)
        if due is None or (resolved or day) <= due:
            out[group]["closed_on_time"].append(item_id)
    for lists in out.values():
        for name in ("on_the_spot", "explained", "wishes_fulfilled"):
            lists[name] = sorted(set(lists[name]))
    return dict(out)


# ---------------------------------------------------------------- several periods at once (issue 18)

# --each: the periods laid side by side (hledger -M / -Q / -Y). Shorter ones (a week, a day) over a year would be
# hundreds of columns: a range of days is one period (--from/--to) instead.
EACH = ("month", "quarter", "year")
MAX_PERIODS = 60  # five years of months: more is not a table anyone reads


@dataclass(frozen=True)
class Series:
    """The same rollup for each period of a span, and the rollup of the whole span as their total (the total is
    computed over the span, not summed: an open item in March and April is one open item, a household visited in
    both months one household)."""

    each: str
    rollups: tuple[Rollup, ...]
    total: Rollup

    def to_dict(self) -> dict[str, Any]:
        whole = self.total.to_dict()
        return {
            "each": self.each,
            "from": self.total.period.start.isoformat(),
            "to": self.total.period.end.isoformat(),
            "by": self.total.by,
            "unit": self.total.unit,
            "ledgers": whole["ledgers"],
            "metrics": list(METRICS),
            "periods": [_period_part(result.to_dict()) for result in self.rollups],
            "total": _period_part(whole),
        }


def _period_part(data: dict[str, Any]) -> dict[str, Any]:
    return {"period": data["period"], "rows": data["rows"], "total": data["total"]}


def month_or_day(value: str, field: str, last: bool) -> dt.date:
    """--from/--to with --each or --ytd: a day YYYY-MM-DD, or a month YYYY-MM (its first day for --from, its last
    for --to)."""
    text = value.strip()
    if len(text) == 7 and text[4:5] == "-" and text[:4].isdigit() and text[5:].isdigit():
        try:
            first = dt.date(int(text[:4]), int(text[5:]), 1)
        except ValueError:
            raise BadInput("bad_date", field=field, value=value) from None
        return _month_end(first) if last else first
    return F.to_date(F.parse_date(text, field))


def year_to_date(end: str | None = None, today: dt.date | None = None) -> Period:
    """--ytd (今年以来): 1 January of --to's year (or this year) through --to (or today)."""
    now = today or F.today()
    last = month_or_day(end, "--to", last=True) if end is not None else now
    return _with_as_of("ytd", dt.date(last.year, 1, 1), last, now)


def choose_each(
    each: str,
    start: str | None = None,
    end: str | None = None,
    today: dt.date | None = None,
) -> tuple[Period, ...]:
    """--each month|quarter|year over --from..--to (default: 1 January of --to's year through --to, --to default
    today): every period of that kind meeting the span, whole."""
    now = today or F.today()
    kind = F.choice(each, "--each", EACH, PERIOD_LABELS)
    last = month_or_day(end, "--to", last=True) if end is not None else now
    first = month_or_day(start, "--from", last=False) if start is not None else dt.date(last.year, 1, 1)
    if last < first:
        raise BadInput("date_order", field="--to", value=last.isoformat(), other=first.isoformat())
    periods = [period_containing(kind, first, now)]
    while periods[-1].end < last:
        periods.append(period_containing(kind, periods[-1].end + dt.timedelta(days=1), now))
    if len(periods) > MAX_PERIODS:
        raise BadInput("too_many_periods", field="--each", count=len(periods), limit=MAX_PERIODS)
    return tuple(periods)


def series(
    indexes: list[Index],
    periods: tuple[Period, ...],
    each: str,
    by: str,
    unit: str | None = None,
    lang: str = "zh",
) -> Series:
    """One rollup per period and the rollup of the span from the first period's start to the last one's end."""
    return assemble_series(
        each, [rollup(indexes, period, by, unit, lang) for period in series_periods(periods)], by
    )


def series_periods(periods: tuple[Period, ...]) -> tuple[Period, ...]:
    """The periods a series is computed for: each one, then the span from the first's start to the last's end."""
    return (*periods, _with_as_of("range", periods[0].start, periods[-1].end, None))


def assemble_series(each: str, results: list[Rollup], by: str) -> Series:
    """The series from the rollups of `series_periods` (in that order)."""
    *parts, whole = results
    # Every period lists the same units (a unit with data in one period only is a row of all of them).
    keys = {row.unit: row for result in (*parts, whole) for row in result.rows}
    padded = tuple(_with_rows(result, keys, by) for result in parts)
    return Series(each, padded, _with_rows(whole, keys, by))


def _with_rows(result: Rollup, keys: dict[str, Row], by: str) -> Rollup:
    have = {row.unit: row for row in result.rows}
    if set(have) == set(keys):
        return result
    empty = values_of(Tally(), by)
    rows = [have.get(key) or Row(key, keys[key].name, keys[key].level, dict(empty)) for key in keys]
    order = {key: position for position, key in enumerate(_ordered(keys, by))}
    rows.sort(key=lambda row: order.get(row.unit, len(order)))
    return Rollup(result.period, result.by, result.unit, tuple(rows), result.total, result.sources)


# ---------------------------------------------------------------- many ledgers at once (issue 19)

JOBS_ENV = "MINQING_JOBS"  # worker processes for a rollup over several ledgers (default: every core; 1: none)


def jobs_wanted() -> int:
    """MINQING_JOBS, or the number of cores."""
    text = os.environ.get(JOBS_ENV, "").strip()
    if not text:
        return os.cpu_count() or 1
    if not text.isdigit() or int(text) < 1:
        raise BadInput("bad_value", field=JOBS_ENV, value=text, accepted=Text("acc_jobs"))
    return int(text)


def ledger_list(path: str, field: str = "--repos-file") -> list[Ledger]:
    """The ledgers a `--repos-file` lists: one path a line, blank lines and `#` comments skipped, a relative path
    taken from the file's own folder. Each line must name a ledger's own folder (not a folder inside one); a file
    that cannot be read, lists nothing, or has a line that is not a ledger is refused naming it (and the line)."""
    listing = Path(path).expanduser()
    try:
        text = listing.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise BadInput(
            "repos_file_unreadable", field=field, value=path, detail=exc.strerror or str(exc)
        ) from None
    except UnicodeDecodeError:
        raise BadInput("repos_file_unreadable", field=field, value=path, detail="UTF-8") from None
    base = listing.resolve().parent
    ledgers: list[Ledger] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        target = Path(entry).expanduser()
        target = target if target.is_absolute() else base / target
        try:
            found = Ledger.open(target)
        except NotALedger:
            found = None
        if found is None or found.root != target.resolve():
            raise BadInput("repos_file_line", field=field, file=path, line=number, value=entry)
        ledgers.append(found)
    if not ledgers:
        raise BadInput("repos_file_empty", field=field, value=path)
    return ledgers


@dataclass
class Opened:
    """What one ledger gave: its index's notes ((message key, params): rebuilt caches, unreadable files) and its
    part of each rollup asked for."""

    notes: list[tuple[str, dict[str, Any]]]
    parts: list[Part]


def ledger_parts(root: str, asks: list[tuple[Period, str]], unit: str | None, lang: str) -> Opened:
    """Bring one ledger's index up to date and compute its part of each (period, grouping) asked for. `root` is the
    root of a ledger already opened (and so checked) by the caller: the index needs nothing else of it."""
    with Index.open(Ledger(Path(root))) as index:
        notes = list(index.notes)
        problems = index.problems()
        if problems:
            notes.append(("index_problems", {"count": len(problems), "path": problems[0][0]}))
        return Opened(notes, [part(index, period, by, unit, lang) for period, by in asks])


def gather(
    ledgers: list[Ledger],
    asks: list[tuple[Period, str]],
    unit: str | None = None,
    lang: str = "zh",
    jobs: int | None = None,
    on_notes: Callable[[list[tuple[str, dict[str, Any]]]], None] | None = None,
) -> list[Rollup]:
    """The rollup of each (period, grouping) in `asks` over `ledgers`. Every ledger is one task (refresh its index,
    compute its parts, close it) for a pool of `jobs` worker processes (default `jobs_wanted()`, at most one per
    ledger); the parts are added up in the ledgers' order as they come back, so the result is exactly that of
    `rollup` in one process. `on_notes` gets each ledger's index notes, in the ledgers' order."""
    unit = unit_code(unit)
    roots = [str(ledger.root) for ledger in ledgers]
    first: dict[str, str] = {}
    for root, ledger in zip(roots, ledgers, strict=True):
        if root in first:  # one ledger twice: refused before two workers build the same index at once
            raise BadInput("same_county", first=first[root], second=root, county=ledger.config.county_code)
        first[root] = root
    sums = [Sum(period, by, unit, lang) for period, by in asks]
    workers = 1 if len(roots) < 2 else min(jobs or jobs_wanted(), len(roots))
    for opened in _each_opened(roots, asks, unit, lang, workers):
        if on_notes is not None and opened.notes:
            on_notes(opened.notes)
        for whole, share in zip(sums, opened.parts, strict=True):
            whole.add(share)
    return [whole.result() for whole in sums]


def _each_opened(
    roots: list[str], asks: list[tuple[Period, str]], unit: str | None, lang: str, workers: int
) -> Iterator[Opened]:
    if (
        workers <= 1
    ):  # one ledger (its cold build still parses on every core: index._ingest) or MINQING_JOBS=1
        for root in roots:
            yield ledger_parts(root, asks, unit, lang)
        return
    import multiprocessing

    # fork, as the index's own cold build does: the workers start with the code loaded and nothing open.
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:
        tasks = ((root, asks, unit, lang) for root in roots)
        for outcome in pool.imap(_ledger_task, tasks, chunksize=1):
            if isinstance(outcome, Opened):
                yield outcome
            else:
                kind, key, params = outcome
                raise kind(key, **params)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _worker_start() -> None:
    """In a worker, a cold index build parses in that one process: the pool already keeps every core busy, and a
    pool's worker may not start processes of its own."""
    from . import index as index_module

    index_module.PARALLEL_MIN_BLOBS = 1 << 62


def _ledger_task(
    task: tuple[str, list[tuple[Period, str]], str | None, str],
) -> Opened | tuple[type[LedgerError], str, dict[str, Any]]:
    """`ledger_parts` in a worker; a refusal comes back as (type, key, params): a LedgerError does not pickle."""
    try:
        return ledger_parts(*task)
    except LedgerError as error:
        return type(error), error.key, error.params
