"""The offices' periodic work on top of the ledger: quarterly ranking (季排名), the daily report (日报制), the
reconciliation sheet (对账销号), the cadre roster with recalls, and the duty checks (activity minimum, monthly stays
of county leaders, quarterly talks with paired households).

Counting reuses the rollup (ledgers/rollup.py: its periods and its per-unit tallies over the index), so a number in
a ranking or a daily report is the same number `minqing rollup` prints for that unit and period. Only what the
rollup does not count is computed here: review ratings joined to satisfaction, items that fell overdue on a day,
the last action of each open item, stays per cadre and talks per household.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..core import fields as F
from ..core.activities import parse_month
from ..core.errors import BadInput
from ..core.layout import activity_stream_path
from ..core.messages import Text, render
from ..core.model import LEDGERS
from ..core.reviews import RATING_KEYS, parse_quarter, quarter_bounds, quarter_of
from ..repo.store import Ledger
from . import rollup as R
from .activities import check_activity_minimum, iter_activities
from .index import Index
from .reviews import iter_reviews

OPEN = "('registered', 'assigned', 'in_progress')"

# ---------------------------------------------------------------- ranking (季排名)

# Score = 40 × on-time rate + 30 × coverage + 30 × satisfaction − 2 per overdue item (at most 30 off).
# A rate with nothing to measure (no closures, no households, no feedback or ratings) scores half its weight:
# neither rewarded nor punished for having no cases. docs/guide/office-work.md explains it to users.
WEIGHTS = {"on_time": 40.0, "coverage": 30.0, "satisfaction": 30.0}
OVERDUE_POINTS = 2.0
OVERDUE_CAP = 30.0
NO_DATA_SHARE = 0.5
RANK_GROUPINGS = ("township", "team")


@dataclass(frozen=True)
class RankRow:
    rank: int
    unit: str
    name: str
    score: float
    on_time_rate: float | None
    on_time_points: float
    closed: int
    closed_on_time: int
    coverage: float | None
    coverage_points: float
    households: int
    households_visited: int
    satisfaction_rate: float | None
    satisfaction_points: float
    feedback: int
    feedback_good: int
    review_raters: int
    review_good: int
    overdue: int
    overdue_penalty: float
    grade: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Ranking:
    quarter: str
    by: str
    period: R.Period
    rows: tuple[RankRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "by": self.by,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "as_of": self.period.as_of.isoformat(),
            "formula": {
                "weights": dict(WEIGHTS),
                "overdue_points": OVERDUE_POINTS,
                "overdue_cap": OVERDUE_CAP,
                "no_data_share": NO_DATA_SHARE,
            },
            "rows": [row.to_dict() for row in self.rows],
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _points(rate: float | None, weight: float) -> float:
    return round(weight * (NO_DATA_SHARE if rate is None else rate), 1)


def quarter_period(quarter: str | None, today: dt.date | None = None) -> tuple[str, R.Period]:
    """A validated quarter and its rollup period (as of its end, or today while it runs). A quarter that has not
    begun is refused: there is nothing to rank or check yet."""
    now = today or F.today()
    text = parse_quarter(quarter) if quarter else quarter_of(now)
    first, _ = quarter_bounds(text)
    if first > now:
        raise BadInput(
            "bad_value",
            field="--quarter",
            value=text,
            accepted=Text("acc_quarter_not_future", today=now.isoformat()),
        )
    return text, R.period_containing("quarter", first, now)


def rank(ledger: Ledger, quarter: str | None, by: str | None = None) -> Ranking:
    """Order townships, or village work teams, by the documented score for one quarter."""
    by = F.choice(by or "township", "--by", RANK_GROUPINGS)
    quarter_text, period = quarter_period(quarter)
    level = "village" if by == "team" else "township"
    with Index.open(ledger) as index:
        tallies = R.tallies(index, period, level, None)
    ratings: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RATING_KEYS, 0))
    grades: dict[str, str] = {}
    for review in iter_reviews(ledger, quarter_text):
        size = 12 if level == "village" else 9
        if len(review.team) < size:
            continue  # a township team's review has no village row
        key = review.team[:size]
        for name in RATING_KEYS:
            ratings[key][name] += int(review.ratings.get(name, 0))
        if level == "village":
            grades[key] = review.grade
    units = ledger.units()
    scored = []
    for code in sorted(code for code, unit in units.items() if unit.level == level):
        counts = tallies[code].counts if code in tallies else dict.fromkeys(R.COUNTERS, 0)
        rated = ratings.get(code, dict.fromkeys(RATING_KEYS, 0))
        raters = sum(rated.values())
        good = rated["satisfied"] + rated["basic"]
        on_time = _ratio(counts["closed_on_time"], counts["closed"])
        coverage = _ratio(counts["households_visited"], counts["households"])
        satisfaction = _ratio(counts["feedback_good"] + good, counts["feedback"] + raters)
        overdue = counts["overdue"]
        penalty = min(OVERDUE_CAP, OVERDUE_POINTS * overdue)
        parts = (
            _points(on_time, WEIGHTS["on_time"]),
            _points(coverage, WEIGHTS["coverage"]),
            _points(satisfaction, WEIGHTS["satisfaction"]),
        )
        score = round(sum(parts) - penalty, 1)
        scored.append(
            {
                "unit": code,
                "name": units[code].name,
                "score": score,
                "on_time_rate": on_time,
                "on_time_points": parts[0],
                "closed": counts["closed"],
                "closed_on_time": counts["closed_on_time"],
                "coverage": coverage,
                "coverage_points": parts[1],
                "households": counts["households"],
                "households_visited": counts["households_visited"],
                "satisfaction_rate": satisfaction,
                "satisfaction_points": parts[2],
                "feedback": counts["feedback"],
                "feedback_good": counts["feedback_good"],
                "review_raters": raters,
                "review_good": good,
                "overdue": overdue,
                "overdue_penalty": penalty,
                "grade": grades.get(code),
            }
        )
    scored.sort(key=lambda row: (-row["score"], row["overdue"], row["unit"]))
    rows = []
    for position, row in enumerate(scored):
        # Equal scores share a rank (1, 2, 2, 4), shown in the tie-break order (fewer overdue first).
        same = rows and rows[-1].score == row["score"]
        rows.append(RankRow(rank=rows[-1].rank if same else position + 1, **row))
    return Ranking(quarter_text, by, period, tuple(rows))


# ---------------------------------------------------------------- daily report (日报制)

DAILY_COLUMNS = (
    "visits",
    "talks",
    "stays",
    "households_visited",
    "opened",
    "on_the_spot",
    "closed",
    "fell_overdue",
    "overdue",
    "wishes_fulfilled",
    "activities",
    "participants",
)


@dataclass(frozen=True)
class DailyRow:
    unit: str
    name: str
    level: str | None  # township, or the level of a unit above one (county-level visits, cadres, items)
    values: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, "level": self.level, **self.values}


@dataclass(frozen=True)
class Daily:
    date: str
    county: dict[str, str]
    commit: str | None
    rows: tuple[DailyRow, ...]
    total: DailyRow
    raised: tuple[dict[str, Any], ...]
    closed: tuple[dict[str, Any], ...]
    fell_overdue: tuple[dict[str, Any], ...]
    activities: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "county": dict(self.county),
            "commit": self.commit,
            "columns": list(DAILY_COLUMNS),
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
            "raised": list(self.raised),
            "closed": list(self.closed),
            "fell_overdue": list(self.fell_overdue),
            "activities": list(self.activities),
        }


def _fell_overdue_on(conn: Any, day: dt.date) -> dict[str, tuple[str, str | None, str]]:
    """Items overdue at `day` and not the day before: id -> (unit, leader, due). Overdue is the rollup's rule (an
    open span covering the day, due before it). One pass over the spans open at `day`, each checked against its
    item's spans the day before (the two whole sets were 0.16 s each at `large`)."""
    overdue_at = (
        "{s}.open = 1 AND {s}.since <= :{d} AND ({s}.until IS NULL OR {s}.until > :{d}) AND {s}.due < :{d}"
    )
    sql = (
        "SELECT i.id, i.unit, s.leader, s.due FROM item_spans s JOIN items i ON i.id = s.item"
        f" WHERE {overdue_at.format(s='s', d='A')} AND NOT EXISTS (SELECT 1 FROM item_spans p"
        f" WHERE p.item = s.item AND {overdue_at.format(s='p', d='B')})"
    )
    params = {"A": day.isoformat(), "B": (day - dt.timedelta(days=1)).isoformat()}
    return {row[0]: (row[1], row[2], row[3]) for row in conn.execute(sql, params)}


def daily_report(ledger: Ledger, date: str | None = None) -> Daily:
    """What was visited, raised and closed on one day (default: yesterday) and what fell overdue that day, per
    township. Visits, talks, stays, raised, closed come from the rollup of that day; "fell overdue" is an item that
    is overdue at the day and was not the day before (its due date passed)."""
    today = F.today()
    day = (
        F.to_date(F.parse_date(date, "--date", allow_future=False)) if date else today - dt.timedelta(days=1)
    )
    period = R.period_containing("day", day, today)
    with Index.open(ledger) as index:
        result = R.rollup([index], period, "township")
        conn = index.conn
        names = index.cadre_names()
        fell = _fell_overdue_on(conn, day)
        params = {"D": day.isoformat()}
        raised = [
            {
                "id": row[0],
                "unit": row[1],
                "kind": row[2],
                "category": row[3],
                "ledger": row[4],
                "desc": row[5],
                "household": row[6],
                "state": row[7],
            }
            for row in conn.execute(
                "SELECT id, unit, kind, category, ledger, description, household, state FROM items"
                " WHERE created = :D ORDER BY unit, id",
                params,
            )
        ]
        closed = [
            {
                "id": row[0],
                "unit": row[1],
                "desc": row[2],
                "leader": row[3],
                "leader_name": names.get(row[3] or ""),
            }
            for row in conn.execute(
                "SELECT DISTINCT e.item, i.unit, i.description, i.leader FROM item_events e"
                " JOIN items i ON i.id = e.item WHERE e.op = 'close' AND e.day = :D ORDER BY i.unit, e.item",
                params,
            )
        ]
        descs = dict(
            conn.execute(
                f"SELECT id, description FROM items WHERE id IN ({','.join('?' * len(fell))})",  # noqa: S608
                list(fell),
            )
        )
        commit = index.commit
    fell_rows = [
        {
            "id": item,
            "unit": unit,
            "due": due,
            "leader": leader,
            "leader_name": names.get(leader or ""),
            "desc": descs.get(item),
        }
        for item, (unit, leader, due) in sorted(fell.items(), key=lambda pair: (pair[1][0], pair[0]))
    ]
    fell_by_town: dict[str, int] = defaultdict(int)
    for unit, _, _ in fell.values():
        fell_by_town[unit[:9] if len(unit) >= 9 else unit] += 1
    rows = []
    for row in result.rows:
        values = {
            column: int(row.values.get(column) or 0) for column in DAILY_COLUMNS if column != "fell_overdue"
        }
        values["fell_overdue"] = fell_by_town.get(row.unit, 0)
        rows.append(
            DailyRow(row.unit, row.name, row.level, {column: values[column] for column in DAILY_COLUMNS})
        )
    total_values = {column: sum(row.values[column] for row in rows) for column in DAILY_COLUMNS}
    for column in DAILY_COLUMNS:
        if column != "fell_overdue":
            total_values[column] = int(result.total.values.get(column) or 0)
    total_values["fell_overdue"] = len(fell)
    acts = [
        {
            "id": a.id,
            "kind": a.kind,
            "unit": a.unit,
            "title": a.title,
            "participants": a.participants,
        }
        for a in iter_activities(
            ledger, month=day.isoformat()[:7], since=day.isoformat(), until=day.isoformat()
        )
    ]
    return Daily(
        date=day.isoformat(),
        county={"code": ledger.config.county_code, "name": ledger.config.county_name},
        commit=commit,
        rows=tuple(rows),
        total=DailyRow("total", "合计", None, total_values),
        raised=tuple(raised),
        closed=tuple(closed),
        fell_overdue=tuple(fell_rows),
        activities=tuple(acts),
    )


# ---------------------------------------------------------------- reconciliation (对账销号)


@dataclass(frozen=True)
class ReconcileRow:
    id: str
    ledger: str
    kind: str
    category: str
    desc: str
    household: str | None
    head: str | None
    unit: str
    unit_name: str
    level: str
    state: str
    leader: str | None
    leader_name: str | None
    created: str
    due: str | None
    overdue_days: int | None
    last_op: str
    last_date: str
    last_by: str
    last_by_name: str
    days_since: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Reconciliation:
    ledger: str | None
    unit: str
    unit_name: str
    date: str
    rows: tuple[ReconcileRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "unit": self.unit,
            "unit_name": self.unit_name,
            "date": self.date,
            "open": len(self.rows),
            "overdue": sum(1 for row in self.rows if row.overdue_days),
            "rows": [row.to_dict() for row in self.rows],
        }


def reconcile(ledger: Ledger, ledger_name: str | None = None, unit: str | None = None) -> Reconciliation:
    """Each open entry of a ledger under a unit, with its last action and the days since: the sheet a monthly
    joint meeting walks through, entry by entry, to close (销号) what is done and press on the rest.

    The index picks the entries and knows where their files and households' files are; each item's YAML is then
    read once for its history (the last action is not in the index)."""
    from ..core.model import item_from_dict

    name = F.choice(ledger_name, "--ledger", LEDGERS) if ledger_name else None
    place = ledger.unit(unit) if unit else ledger.units()[ledger.config.county_code]
    today = F.today()
    units = ledger.units()
    where, params = [f"state IN {OPEN}", "substr(unit, 1, ?) = ?"], [len(place.code), place.code]
    if name:
        where.append("ledger = ?")
        params.append(name)
    with Index.open(ledger) as index:
        found = list(
            index.conn.execute(
                f"SELECT path, household FROM items WHERE {' AND '.join(where)} ORDER BY unit, created, id",  # noqa: S608
                params,
            )
        )
        cadre_names = index.cadre_names()
        wanted = sorted({home for _, home in found if home})
        home_paths: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            home_paths.update(
                index.conn.execute(
                    f"SELECT id, path FROM households WHERE id IN ({','.join('?' * len(chunk))})",  # noqa: S608
                    chunk,
                )
            )
    rows = []
    for path, _ in found:
        data = ledger.read_yaml(path)
        item = item_from_dict(data) if isinstance(data, dict) else None
        if item is None or not item.history:
            continue  # changed or broken since the last commit; `minqing check` names it
        last = item.history[-1]
        head = None
        if item.household and item.household in home_paths:
            home = ledger.read_yaml(home_paths[item.household])
            head = home.get("head") if isinstance(home, dict) else None
        last_day = F.to_date(last.at)
        overdue = (today - F.to_date(item.due)).days if item.due and item.due < today.isoformat() else None
        rows.append(
            ReconcileRow(
                id=item.id,
                ledger=item.ledger,
                kind=item.kind,
                category=item.category,
                desc=item.desc,
                household=item.household,
                head=head,
                unit=item.unit,
                unit_name=units[item.unit].name if item.unit in units else item.unit,
                level=item.level,
                state=item.state,
                leader=item.leader,
                leader_name=cadre_names.get(item.leader) if item.leader else None,
                created=item.created,
                due=item.due,
                overdue_days=overdue,
                last_op=last.op,
                last_date=last_day.isoformat(),
                last_by=last.by,
                last_by_name=cadre_names.get(last.by, last.by),
                days_since=(today - last_day).days,
            )
        )
    rows.sort(key=lambda row: (row.unit, row.created, row.id))
    return Reconciliation(name, place.code, place.name, today.isoformat(), tuple(rows))


def _household_head(ledger: Ledger, household_id: str) -> str | None:
    from ..core.errors import LedgerError

    try:
        return ledger.household(household_id).head
    except LedgerError:
        return None


# ---------------------------------------------------------------- cadre roster (召回 and reassignment)


@dataclass(frozen=True)
class RosterRow:
    id: str
    name: str
    unit: str
    unit_name: str
    role: str
    title: str | None
    status: str
    recalled: str | None
    recall_reason: str | None
    pairings: int
    open_cases: tuple[str, ...]
    open_wishes: tuple[str, ...]

    @property
    def needs_reassignment(self) -> bool:
        """A recalled cadre still responsible for open cases, open claimed wishes or paired households."""
        return self.status == "recalled" and bool(self.open_cases or self.open_wishes or self.pairings)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["open_cases"] = list(self.open_cases)
        out["open_wishes"] = list(self.open_wishes)
        out["needs_reassignment"] = self.needs_reassignment
        return out


@dataclass(frozen=True)
class Roster:
    unit: str | None
    rows: tuple[RosterRow, ...]
    by_title: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "cadres": len(self.rows),
            "recalled": sum(1 for row in self.rows if row.status == "recalled"),
            "needs_reassignment": sum(1 for row in self.rows if row.needs_reassignment),
            "by_title": {title: dict(counts) for title, counts in self.by_title.items()},
            "rows": [row.to_dict() for row in self.rows],
        }


def roster(ledger: Ledger, unit: str | None = None, recalled_only: bool = False) -> Roster:
    """Every cadre (under a unit) with status, recall date and reason, and what they still hold: open cases as
    responsible leader, open wishes they claimed, paired households. Counts by title (e.g. 第一书记 116, 召回 23)."""
    prefix = ledger.unit(unit).code if unit else None
    units = ledger.units()
    cases: dict[str, list[str]] = defaultdict(list)
    wishes: dict[str, list[str]] = defaultdict(list)
    with Index.open(ledger) as index:
        for item_id, leader in index.conn.execute(
            f"SELECT id, leader FROM items WHERE state IN {OPEN} AND leader IS NOT NULL ORDER BY created, id"  # noqa: S608
        ):
            cases[leader].append(item_id)
        for item_id, claimant in index.conn.execute(
            f"SELECT id, claimed_by FROM items WHERE kind = 'wish' AND state IN {OPEN}"  # noqa: S608
            " AND claimed_by IS NOT NULL ORDER BY created, id"
        ):
            wishes[claimant].append(item_id)
    rows = []
    by_title: dict[str, dict[str, int]] = {}
    for cadre in ledger.iter_cadres():
        if prefix and not cadre.unit.startswith(prefix):
            continue
        title = cadre.title or ""
        counts = by_title.setdefault(title, {"total": 0, "active": 0, "recalled": 0})
        counts["total"] += 1
        counts["recalled" if cadre.status == "recalled" else "active"] += 1
        if recalled_only and cadre.status != "recalled":
            continue
        recalled = next((entry.at[:10] for entry in reversed(cadre.history) if entry.op == "recall"), None)
        rows.append(
            RosterRow(
                id=cadre.id,
                name=cadre.name,
                unit=cadre.unit,
                unit_name=units[cadre.unit].name if cadre.unit in units else cadre.unit,
                role=cadre.role,
                title=cadre.title,
                status=cadre.status,
                recalled=recalled,
                recall_reason=cadre.recall_reason,
                pairings=len(cadre.pairings),
                open_cases=tuple(cases.get(cadre.id, ())),
                open_wishes=tuple(wishes.get(cadre.id, ())),
            )
        )
    rows.sort(key=lambda row: (not row.needs_reassignment, row.status != "recalled", row.unit, row.id))
    return Roster(prefix, tuple(rows), dict(sorted(by_title.items())))


# ---------------------------------------------------------------- duties: activities, stays, talks


@dataclass(frozen=True)
class Duty:
    """One duty not met, as a finding: the file it concerns (path:line), a stable code and a message key."""

    path: str
    line: int
    code: str
    key: str
    params: dict[str, Any]

    def message(self, lang: str = "zh") -> str:
        return render(self.key, lang, **self.params)

    def render(self, lang: str = "zh") -> str:
        return (
            f"{self.path}:{self.line}: {self.message(lang)}"
            if self.line
            else f"{self.path}: {self.message(lang)}"
        )

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "message": self.message(lang),
            **self.params,
        }


@dataclass(frozen=True)
class Duties:
    month: str
    quarter: str
    minimums: dict[str, int]
    findings: tuple[Duty, ...]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "month": self.month,
            "quarter": self.quarter,
            "minimums": dict(self.minimums),
            "count": len(self.findings),
            "findings": [duty.to_dict(lang) for duty in self.findings],
        }


DUTY_KINDS = ("activities", "stays", "talks", "departments", "cadre_talks")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(month + "-01")
    return first, R.period_containing("month", first, first).end


def activity_duties(ledger: Ledger, month: str, minimum: int) -> list[Duty]:
    """Villages below the monthly activity minimum (五帮五扶)."""
    shortfalls = check_activity_minimum(ledger.units(), iter_activities(ledger, month=month), month, minimum)
    return [
        Duty(
            s.path,
            s.line,
            "activity_minimum",
            "duty_activity_minimum",
            {"village": s.village, "name": s.name, "month": s.month, "count": s.count, "minimum": s.minimum},
        )
        for s in shortfalls
    ]


def stay_duties(index: Index, month: str, minimum: int, roles: list[str]) -> list[Duty]:
    """Cadres of `roles` (county-level leaders by default) in post at the month's end, or today while it runs,
    with fewer than `minimum` stays (蹲点) that month."""
    first, last = month_bounds(month)
    as_of = min(last, max(F.today(), first)).isoformat()
    marks = ",".join("?" * len(roles))
    sql = (
        "SELECT c.id, c.name, c.path, (SELECT count(DISTINCT v.id) FROM visit_by b JOIN visits v ON v.id = b.visit"
        " WHERE b.cadre = c.id AND v.kind = 'stay' AND v.date BETWEEN ? AND ?) FROM cadres c"
        f" WHERE c.role IN ({marks}) AND c.created <= ? AND (c.recalled IS NULL OR c.recalled > ?) ORDER BY c.id"
    )
    params = [first.isoformat(), last.isoformat(), *roles, as_of, as_of]
    return [
        Duty(
            path,
            0,
            "stay_missing",
            "duty_stay_missing",
            {"cadre": cadre, "name": name, "month": month, "count": count, "minimum": minimum},
        )
        for cadre, name, path, count in index.conn.execute(sql, params)  # noqa: S608
        if count < minimum
    ]


def talk_duties(ledger: Ledger, index: Index, quarter: str, minimum: int) -> list[Duty]:
    """Households paired with a cadre (结对) at the quarter's end, or today while it runs, with fewer than
    `minimum` talks (谈心谈话) that quarter."""
    first, last = quarter_bounds(quarter)
    as_of = min(last, max(F.today(), first)).isoformat()
    sql = (
        "SELECT h.id, h.path, (SELECT count(*) FROM visits v WHERE v.household = h.id AND v.kind = 'talk'"
        " AND v.date BETWEEN ? AND ?) FROM households h WHERE EXISTS (SELECT 1 FROM pairings p"
        " WHERE p.household = h.id AND p.since <= ? AND (p.until IS NULL OR p.until > ?)) ORDER BY h.path"
    )
    params = [first.isoformat(), last.isoformat(), as_of, as_of]
    short = [(home, path, count) for home, path, count in index.conn.execute(sql, params) if count < minimum]
    return [
        Duty(
            path,
            0,
            "talk_missing",
            "duty_talk_missing",
            {
                "household": home,
                "head": _household_head(ledger, home) or "",
                "quarter": quarter,
                "count": count,
                "minimum": minimum,
            },
        )
        for home, path, count in short
    ]


def department_duties(ledger: Ledger, index: Index, month: str, minimum: int) -> list[Duty]:
    """Helping units (帮扶单位, issue 18) below the monthly activity minimum (五帮五扶 ≥ 2 a month, the same minimum
    as a village's): an activity counts for the department of any cadre who held it (`activity add --by`), once."""
    first, last = month_bounds(month)
    sql = (
        "SELECT d.department, count(DISTINCT b.activity) FROM activity_by b"
        " JOIN cadre_departments d ON d.cadre = b.cadre WHERE b.date BETWEEN ? AND ? GROUP BY d.department"
    )
    held = dict(index.conn.execute(sql, (first.isoformat(), last.isoformat())).fetchall())
    path = activity_stream_path(month + "-01")
    return [
        Duty(
            path,
            0,
            "department_activity_minimum",
            "duty_department_activity_minimum",
            {
                "department": code,
                "name": unit.name,
                "month": month,
                "count": held.get(code, 0),
                "minimum": minimum,
            },
        )
        for code, unit in sorted(ledger.units().items())
        if unit.level == "department" and not unit.retired and held.get(code, 0) < minimum
    ]


def cadre_talk_duties(index: Index, quarter: str, minimum: int, roles: list[str]) -> list[Duty]:
    """Work-team cadres (驻村工作队: posted to a village with `cadre post`, and cadres of `cadre_talk_roles`) in post
    at the quarter's end, or today while it runs, talked with (谈心谈话, `visit add --kind talk --with`) fewer than
    `minimum` times that quarter (seed 002: leaders talk with every team cadre quarterly)."""
    first, last = quarter_bounds(quarter)
    as_of = min(last, max(F.today(), first)).isoformat()
    marks = ",".join("?" * len(roles)) or "NULL"
    sql = (
        "SELECT c.id, c.name, c.path, (SELECT count(*) FROM visit_extras x JOIN visits v ON v.id = x.visit"
        " WHERE x.with_cadre = c.id AND v.kind = 'talk' AND x.date BETWEEN ? AND ?) FROM cadres c"
        f" WHERE (c.role IN ({marks}) OR EXISTS (SELECT 1 FROM cadre_departments d WHERE d.cadre = c.id"
        " AND d.posted IS NOT NULL)) AND c.created <= ? AND (c.recalled IS NULL OR c.recalled > ?) ORDER BY c.id"
    )
    params = [first.isoformat(), last.isoformat(), *roles, as_of, as_of]
    return [
        Duty(
            path,
            0,
            "cadre_talk_missing",
            "duty_cadre_talk_missing",
            {"cadre": cadre, "name": name, "quarter": quarter, "count": count, "minimum": minimum},
        )
        for cadre, name, path, count in index.conn.execute(sql, params)  # noqa: S608
        if count < minimum
    ]


def duties(
    ledger: Ledger,
    month: str | None = None,
    quarter: str | None = None,
    only: str | None = None,
    activity_minimum: int | str | None = None,
) -> Duties:
    """The three duty checks (each configurable in minqing.yaml: activity_minimum, stay_minimum and stay_roles,
    talk_minimum; a minimum of 0 turns a check off). Month and quarter default to the current ones."""
    today = F.today()
    month_text = parse_month(month, "--month") if month else today.isoformat()[:7]
    if month_bounds(month_text)[0] > today:
        raise BadInput("future_date", field="--month", value=month_text, today=today.isoformat())
    quarter_text, _ = quarter_period(quarter, today)
    kinds = DUTY_KINDS if only is None else (F.choice(only, "--only", DUTY_KINDS),)
    config = ledger.config.data
    minimums = {
        "activities": (
            F.positive_int(activity_minimum, "--activity-minimum", 0, 1000)
            if activity_minimum is not None
            else int(config.get("activity_minimum", 2))
        ),
        "stays": int(config.get("stay_minimum", 1)),
        "talks": int(config.get("talk_minimum", 1)),
        # Issue 18: a helping unit's 五帮五扶 minimum is a village's unless minqing.yaml sets its own.
        "departments": (
            F.positive_int(activity_minimum, "--activity-minimum", 0, 1000)
            if activity_minimum is not None
            else int(config.get("department_activity_minimum", config.get("activity_minimum", 2)))
        ),
        "cadre_talks": int(config.get("cadre_talk_minimum", 1)),
    }
    found: list[Duty] = []
    if "activities" in kinds and minimums["activities"]:
        found += activity_duties(ledger, month_text, minimums["activities"])
    if ("stays" in kinds and minimums["stays"]) or ("talks" in kinds and minimums["talks"]):
        with Index.open(ledger) as index:
            if "stays" in kinds and minimums["stays"]:
                roles = [str(role) for role in config.get("stay_roles") or ["county_leader"]]
                found += stay_duties(index, month_text, minimums["stays"], roles)
            if "talks" in kinds and minimums["talks"]:
                found += talk_duties(ledger, index, quarter_text, minimums["talks"])
    if ("departments" in kinds and minimums["departments"]) or (
        "cadre_talks" in kinds and minimums["cadre_talks"]
    ):
        with Index.open(ledger) as index:
            if "departments" in kinds and minimums["departments"]:
                found += department_duties(ledger, index, month_text, minimums["departments"])
            if "cadre_talks" in kinds and minimums["cadre_talks"]:
                roles = [str(role) for role in config.get("cadre_talk_roles") or []]
                found += cadre_talk_duties(index, quarter_text, minimums["cadre_talks"], roles)
    return Duties(month_text, quarter_text, {k: minimums[k] for k in kinds}, tuple(found))
