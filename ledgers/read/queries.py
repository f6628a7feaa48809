"""Read-only views for the listing commands and `status`. `items` and `status` read the SQLite index (ledgers/index.py,
the committed YAML at HEAD, refreshed on open) so they stay instant at a county's size; the other views read the
YAML directly."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any, NamedTuple

from ..core import fields as F
from ..core.errors import BadInput
from ..core.items import is_overdue
from ..core.model import (
    CADRE_STATUS,
    HOUSEHOLD_STATUS,
    OPEN_STATES,
    STATES,
    VOIDED,
    Cadre,
    Household,
    Visit,
    at_risk,
    item_to_dict,
)
from ..core.orgtree import TOWNSHIP_DIGITS
from ..repo.store import Ledger
from .visits import iter_visits, read_by_month


def _unit_prefix(ledger: Ledger, unit: str | None) -> str | None:
    return ledger.unit(unit).code if unit else None


def cadres(ledger: Ledger, unit: str | None = None, status: str | None = None) -> list[Cadre]:
    prefix = _unit_prefix(ledger, unit)
    if status:
        status = F.choice(status, "--status", CADRE_STATUS)
    return [
        c
        for c in ledger.iter_cadres()
        if (prefix is None or c.unit.startswith(prefix)) and (status is None or c.status == status)
    ]


def households(
    ledger: Ledger, unit: str | None = None, status: str | None = None, include_removed: bool = False
) -> Iterator[Household]:
    """Households on the register, read as they are iterated (a county's 100,000 parsed at once held 700 MB);
    removed ones (销户) only with `include_removed` (`household list --all`). The filters are checked first."""
    prefix = _unit_prefix(ledger, unit)
    if status:
        status = F.choice(status, "--status", HOUSEHOLD_STATUS)
    return (
        h
        for h in ledger.iter_households()
        if (prefix is None or h.unit.startswith(prefix))
        and (status is None or h.status == status)
        and (include_removed or not h.removed)
    )


class HouseholdRow(NamedTuple):
    """What `household list` shows of a household, from the index (the masked ID number and phone, as in the file).
    A named tuple like index.ItemRow: a county's 100,000 rows are made ten times faster than frozen dataclasses."""

    id: str
    head: str
    village: str
    group: str | None
    members: int | None
    status: str
    removed: str | None
    id_number: str | None
    phone: str | None
    risks: tuple[str, ...]
    pairings: tuple[str, ...]


def household_row(home: Household) -> HouseholdRow:
    """The same row from a household's record (`household find`)."""
    return HouseholdRow(
        home.id, home.head, home.village, home.group, home.members, home.status, home.removed,
        home.id_number, home.phone, at_risk(home.indicators), tuple(home.pairings),
    )  # fmt: skip


@contextlib.contextmanager
def household_listing(
    ledger: Ledger, unit: str | None = None, status: str | None = None, include_removed: bool = False
) -> Iterator[tuple[dict[str, Any], Iterator[HouseholdRow]]]:
    """`households` as the index has them at HEAD: what each column holds (Index.household_extent), and the rows
    by id, read as they are iterated — a listing of a county's 100,000 can print its first line before it has read
    the rest (issue 19; parsing every file took 20 s at the `large` benchmark)."""
    from .index import Index

    prefix = _unit_prefix(ledger, unit)
    if status:
        status = F.choice(status, "--status", HOUSEHOLD_STATUS)
    with Index.open(ledger) as index:
        extent = index.household_extent(prefix, status, include_removed)
        rows = index.household_rows(prefix, status, include_removed)
        yield (
            extent,
            (
                HouseholdRow(*row[:9], tuple((row[9] or "").split()), tuple((row[10] or "").split()))
                for row in rows
            ),
        )


def visits(
    ledger: Ledger,
    household: str | None = None,
    unit: str | None = None,
    month: str | None = None,
    by: str | None = None,
) -> list[Visit]:
    """Visits (corrections applied, voids left out) by date; `by`: only those the cadre went on (issue 17), as
    one of its visitors, whoever typed it in. The whole list: `visit_months` gives it a month at a time."""
    return [visit for batch in visit_months(ledger, household, unit, month, by) for visit in batch]


def visit_months(
    ledger: Ledger,
    household: str | None = None,
    unit: str | None = None,
    month: str | None = None,
    by: str | None = None,
) -> Iterator[list[Visit]]:
    """`visits` a month at a time (issue 19: a county's million visits held at once were GBs): for each month
    (YYYY-MM of the date) in order, its visits by (date, id), equal keys in stream path and document order, as the
    whole list sorted at once has them. The filters are checked here, before the first month is read."""
    return visit_listing(ledger, household, unit, month, by, measured=False)[1]


def visit_listing(
    ledger: Ledger,
    household: str | None = None,
    unit: str | None = None,
    month: str | None = None,
    by: str | None = None,
    measured: bool = True,
) -> tuple[dict[str, Any] | None, Iterator[list[Visit]]]:
    """`visit_months`, and (`measured`) what its visits hold column by column (Index.visit_extent) when the index
    can say so before they are read: the stream files as committed, each one readable. Else None, and a listing
    measures its rows itself (issue 19: `visit list | head` over a county read every visit twice)."""
    from ..core.layout import DIRS
    from ..repo.worktree import as_committed
    from .index import Index

    folder = DIRS["visits"]

    prefix = _unit_prefix(ledger, unit)
    home_id = ledger.resolve("H", household, "--household") if household else None
    visitor = ledger.resolve("C", by, "--by") if by else None
    if month is not None:
        try:
            dt.date.fromisoformat(month + "-01")
        except ValueError:
            raise BadInput("bad_value", field="--month", value=month, accepted="YYYY-MM") from None
    with Index.open(ledger) as index:
        plan = index.visit_plan(prefix, home_id, month, visitor)
        extent = None
        # A household's visits are few: the listing holds them from its one read (tables.PASSES_KEEP), and the
        # index's answer and `git status` would cost more than they spare.
        if (
            measured
            and not home_id
            and not any(path.startswith(folder + "/") for path, _ in index.problems())
        ):
            extent = index.visit_extent(prefix, home_id, month, visitor)
    if extent is not None and not as_committed(ledger, folder):
        extent = None

    def wanted(visit: Visit) -> bool:
        return (
            (not prefix or visit.unit.startswith(prefix))
            and (not home_id or visit.household == home_id)
            and (not month or visit.date.startswith(month))
            and (not visitor or visitor in visit.by)
        )

    months = (
        sorted(filter(wanted, found), key=lambda v: (v.date, v.id))
        for found in read_by_month(ledger, plan, unindexed=not (prefix or home_id or month or visitor))
    )
    return extent, months


def items(
    ledger: Ledger,
    *,
    state: str | None = None,
    overdue: bool = False,
    unit: str | None = None,
    leader: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    ledger_name: str | None = None,
    include_voided: bool = False,
) -> list[tuple[Any, bool]]:
    """(row, overdue) per matching item, ordered by (created, id); a row has the `item_summary` attributes."""
    from ..core.model import CATEGORIES, ITEM_KINDS, LEDGERS

    if state:
        state = F.choice(state, "--state", (*STATES, VOIDED, "open"))
    if category:
        category = F.choice(category, "--category", CATEGORIES)
    if kind:
        kind = F.choice(kind, "--kind", ITEM_KINDS)
    if ledger_name:
        ledger_name = F.choice(ledger_name, "--ledger", LEDGERS)
    prefix = _unit_prefix(ledger, unit)
    leader_id = ledger.resolve("C", leader, "--leader") if leader else None
    from . import index

    rows = index.items(
        ledger,
        state=state,
        unit=prefix,
        leader=leader_id,
        category=category,
        kind=kind,
        ledger_name=ledger_name,
        overdue_on=F.today().isoformat() if overdue else None,
        include_voided=include_voided,
    )
    return [(row, row.overdue) for row in rows]


def unreadable(ledger: Ledger) -> list[tuple[str, str]]:
    """(path, problem) for ledger files the index could not read; listings leave them out and say so."""
    from .index import Index

    with Index.open(ledger) as index:
        return index.problems()


def item_summary(item: Any, overdue: bool) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "ledger": item.ledger,
        "category": item.category,
        "desc": item.desc,
        "unit": item.unit,
        "household": item.household,
        "level": item.level,
        "state": item.state,
        "created": item.created,
        "due": item.due,
        "leader": item.leader,
        "overdue": overdue,
    }


def item_view(ledger: Ledger, ref: str) -> dict[str, Any]:
    item = ledger.item(ref)
    view = item_to_dict(item)
    view["overdue"] = is_overdue(item)
    view["path"] = item.source.path if item.source else None
    return view


def cadre_view(ledger: Ledger, ref: str, unmask: bool = False, actor: str | None = None) -> dict[str, Any]:
    cadre = ledger.cadre(ref, "ID")
    view = cadre.to_dict()
    open_cases = [item.id for item in ledger.iter_items() if item.is_open and item.leader == cadre.id]
    view["open_cases"] = open_cases
    view["needs_reassignment"] = cadre.status == "recalled" and bool(open_cases)
    return unmasked(ledger, [view], actor, f"cadre show {cadre.id}")[0] if unmask else view


def household_view(
    ledger: Ledger, ref: str, unmask: bool = False, actor: str | None = None
) -> dict[str, Any]:
    home = ledger.household(ref, "ID")
    view = home.to_dict()
    view["visits"] = [v.id for v in iter_visits(ledger) if v.household == home.id]
    view["items"] = [item.id for item in ledger.iter_items() if item.household == home.id]
    return unmasked(ledger, [view], actor, f"household show {home.id}")[0] if unmask else view


OPEN_SQL = "state IN ('registered', 'assigned', 'in_progress')"


def status(ledger: Ledger, overdue_shown: int | None = None) -> dict[str, Any]:
    """The clerk's one screen. Keys are stable (README: JSON output). Aggregated in SQL over the index.
    `overdue`: the first `overdue_shown` overdue items by due date (all when None; the screen shows ten, and at a
    county's size the whole list was a sixth of its time); `counts.overdue` is always all of them."""
    from .index import Index

    today = F.today().isoformat()
    week_end = (F.today() + dt.timedelta(days=6 - F.today().weekday())).isoformat()
    units = ledger.units()
    with Index.open(ledger) as index:
        sql = index.conn.execute
        cadre_names = index.cadre_names()
        # Through two covering indexes (issue 19: six scans took 0.3 s at 100,000 items): every item by unit and state
        # once, then the open ones alone, which hold every figure about deadlines and leaders.
        by_state: dict[str, int] = {}
        towns: dict[str, dict[str, int]] = {}
        for unit, state, number, township, county in sql(
            "SELECT unit, state, count(*), count(esc_township), count(esc_county) FROM items GROUP BY unit, state"
        ):
            by_state[state] = by_state.get(state, 0) + number
            town = towns.setdefault(
                unit[:TOWNSHIP_DIGITS], {"items": 0, "open": 0, "overdue": 0, "township": 0, "county": 0}
            )
            town["items"] += number
            town["township"] += township
            town["county"] += county
        days = {"today": today, "week_end": week_end}
        for unit, open_, late in sql(
            f"SELECT substr(unit, 1, {TOWNSHIP_DIGITS}), count(*), count(due < :today OR NULL) FROM items"  # noqa: S608
            f" WHERE {OPEN_SQL} GROUP BY 1",
            days,
        ):
            towns[unit]["open"] += open_
            towns[unit]["overdue"] += late
        leaders = sql(
            "SELECT leader, count(*), count(due < :today OR NULL), count(due BETWEEN :today AND :week_end OR NULL)"
            " FROM items"
            f" WHERE {OPEN_SQL} AND leader IS NOT NULL GROUP BY leader",  # noqa: S608
            days,
        ).fetchall()
        due_week, late_petitions = sql(
            "SELECT count(due BETWEEN :today AND :week_end OR NULL), count(kind = 'petition' AND state ="
            f" 'registered' AND assign_by < :today OR NULL) FROM items WHERE {OPEN_SQL}",  # noqa: S608
            days,
        ).fetchone()
        overdue_rows = [
            {
                "id": item_id,
                "due": due,
                "desc": desc,
                "leader": leader,
                "leader_name": cadre_names.get(leader),
            }
            for item_id, due, desc, leader in sql(
                f"SELECT id, due, description, leader FROM items WHERE {OPEN_SQL} AND due < ?"  # noqa: S608
                " ORDER BY due, id LIMIT ?",
                (today, -1 if overdue_shown is None else overdue_shown),
            )
        ]
        household_count = sql("SELECT count(*) FROM households WHERE removed IS NULL").fetchone()[0]
        visit_count = sql("SELECT count(*) FROM visits").fetchone()[0]
    townships = [
        {
            "code": town,
            "name": units[town].name if town in units else town,
            "items": figures["items"],
            "open": figures["open"],
            "overdue": figures["overdue"],
            "escalated_township": figures["township"],
            "escalated_county": figures["county"],
        }
        for town, figures in sorted(towns.items())
    ]
    item_count = sum(by_state.values())
    return {
        "county": {"code": ledger.config.county_code, "name": ledger.config.county_name},
        "today": today,
        "counts": {
            "households": household_count,
            "cadres": len(cadre_names),
            "visits": visit_count,
            "items": item_count,
            "open": sum(by_state.get(name, 0) for name in OPEN_STATES),
            "resolved": by_state.get("resolved", 0),
            "closed": by_state.get("closed", 0),
            "overdue": sum(figures["overdue"] for figures in towns.values()),
            "due_this_week": due_week,
            "petitions_unassigned_late": late_petitions,
        },
        "by_state": {name: by_state.get(name, 0) for name in STATES},
        "by_township": townships,
        "by_leader": sorted(
            (
                {
                    "id": cid,
                    "name": cadre_names.get(cid, cid),
                    "open": open_,
                    "overdue": overdue,
                    "due_this_week": week,
                }
                for cid, open_, overdue, week in leaders
            ),
            key=lambda r: (-r["overdue"], -r["open"], r["id"]),
        ),
        "overdue": overdue_rows,
    }


def unmasked(
    ledger: Ledger, views: list[dict[str, Any]], actor: str | None, what: str
) -> list[dict[str, Any]]:
    """Full ID numbers/phones from this machine's vault, for roles allowed to unmask; the access is logged."""
    from ..repo import privacy

    with privacy.unmasking(ledger, actor, what) as reveal:
        return [reveal.view(view) for view in views]
