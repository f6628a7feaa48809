"""Read-only views for the listing commands and `status`. They read the YAML directly; the rollup index
(ledgers/index.py) serves the county-scale aggregates."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from . import fields as F
from .errors import BadInput
from .model import CADRE_STATUS, HOUSEHOLD_STATUS, STATES, Cadre, Household, Item, Visit, item_to_dict
from .store import Ledger
from .visits import iter_visits
from .workflow import is_overdue


def _unit_prefix(ledger: Ledger, unit: str | None) -> str | None:
    return ledger.unit(unit).code if unit else None


def cadres(ledger: Ledger, unit: str | None = None, status: str | None = None) -> list[Cadre]:
    prefix = _unit_prefix(ledger, unit)
    if status:
        F.choice(status, "--status", CADRE_STATUS)
    return [
        c
        for c in ledger.iter_cadres()
        if (prefix is None or c.unit.startswith(prefix)) and (status is None or c.status == status)
    ]


def households(ledger: Ledger, unit: str | None = None, status: str | None = None) -> list[Household]:
    prefix = _unit_prefix(ledger, unit)
    if status:
        F.choice(status, "--status", HOUSEHOLD_STATUS)
    return [
        h
        for h in ledger.iter_households()
        if (prefix is None or h.unit.startswith(prefix)) and (status is None or h.status == status)
    ]


def visits(
    ledger: Ledger, household: str | None = None, unit: str | None = None, month: str | None = None
) -> list[Visit]:
    prefix = _unit_prefix(ledger, unit)
    home_id = ledger.resolve("H", household, "--household") if household else None
    if month is not None:
        try:
            dt.date.fromisoformat(month + "-01")
        except ValueError:
            raise BadInput("bad_value", field="--month", value=month, accepted="YYYY-MM") from None
    out = []
    for visit in iter_visits(ledger):
        if prefix and not visit.unit.startswith(prefix):
            continue
        if home_id and visit.household != home_id:
            continue
        if month and not visit.date.startswith(month):
            continue
        out.append(visit)
    return sorted(out, key=lambda v: (v.date, v.id))


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
) -> list[tuple[Item, bool]]:
    from .model import CATEGORIES, ITEM_KINDS, LEDGERS

    if state:
        F.choice(state, "--state", (*STATES, "open"))
    if category:
        F.choice(category, "--category", CATEGORIES)
    if kind:
        F.choice(kind, "--kind", ITEM_KINDS)
    if ledger_name:
        F.choice(ledger_name, "--ledger", LEDGERS)
    prefix = _unit_prefix(ledger, unit)
    leader_id = ledger.resolve("C", leader, "--leader") if leader else None
    today = F.today()
    out = []
    for item in ledger.iter_items():
        late = is_overdue(item, today)
        if state == "open" and not item.is_open or state and state != "open" and item.state != state:
            continue
        if overdue and not late:
            continue
        if prefix and not item.unit.startswith(prefix):
            continue
        if leader_id and item.leader != leader_id:
            continue
        if category and item.category != category or kind and item.kind != kind:
            continue
        if ledger_name and item.ledger != ledger_name:
            continue
        out.append((item, late))
    return sorted(out, key=lambda pair: (pair[0].created, pair[0].id))


def item_summary(item: Item, overdue: bool) -> dict[str, Any]:
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


def cadre_view(ledger: Ledger, ref: str) -> dict[str, Any]:
    cadre = ledger.cadre(ref, "ID")
    view = cadre.to_dict()
    open_cases = [item.id for item in ledger.iter_items() if item.is_open and item.leader == cadre.id]
    view["open_cases"] = open_cases
    view["needs_reassignment"] = cadre.status == "recalled" and bool(open_cases)
    return view


def household_view(ledger: Ledger, ref: str) -> dict[str, Any]:
    home = ledger.household(ref, "ID")
    view = home.to_dict()
    view["visits"] = [v.id for v in iter_visits(ledger) if v.household == home.id]
    view["items"] = [item.id for item in ledger.iter_items() if item.household == home.id]
    return view


def status(ledger: Ledger) -> dict[str, Any]:
    """The clerk's one screen. Keys are stable (README: JSON output)."""
    today = F.today()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    units = ledger.units()
    all_items = list(ledger.iter_items())
    cadre_names = {c.id: c.name for c in ledger.iter_cadres()}
    by_state = Counter(item.state for item in all_items)
    townships: dict[str, dict[str, Any]] = {}
    leaders: dict[str, Counter[str]] = defaultdict(Counter)
    overdue_rows = []
    due_week = 0
    late_petitions = 0
    for item in all_items:
        town = item.unit[:9]
        row = townships.setdefault(
            town,
            {
                "code": town,
                "name": units[town].name if town in units else town,
                "items": 0,
                "open": 0,
                "overdue": 0,
                "escalated_township": 0,
                "escalated_county": 0,
            },
        )
        row["items"] += 1
        row["escalated_township"] += item.escalated_to("township")
        row["escalated_county"] += item.escalated_to("county")
        late = is_overdue(item, today)
        if item.is_open:
            row["open"] += 1
            if item.leader:
                leaders[item.leader]["open"] += 1
        if late:
            row["overdue"] += 1
            overdue_rows.append({"id": item.id, "due": item.due, "desc": item.desc, "leader": item.leader})
            if item.leader:
                leaders[item.leader]["overdue"] += 1
        if item.is_open and item.due and today.isoformat() <= item.due <= week_end.isoformat():
            due_week += 1
            if item.leader:
                leaders[item.leader]["due_this_week"] += 1
        if (
            item.kind == "petition"
            and item.state == "registered"
            and item.assign_by
            and item.assign_by < today.isoformat()
        ):
            late_petitions += 1
    household_count = len(ledger.all_ids("H"))
    visit_count = sum(1 for _ in iter_visits(ledger))
    return {
        "county": {"code": ledger.config.county_code, "name": ledger.config.county_name},
        "today": today.isoformat(),
        "counts": {
            "households": household_count,
            "cadres": len(cadre_names),
            "visits": visit_count,
            "items": len(all_items),
            "open": sum(1 for i in all_items if i.is_open),
            "resolved": by_state.get("resolved", 0),
            "closed": by_state.get("closed", 0),
            "overdue": len(overdue_rows),
            "due_this_week": due_week,
            "petitions_unassigned_late": late_petitions,
        },
        "by_state": {name: by_state.get(name, 0) for name in STATES},
        "by_township": [townships[code] for code in sorted(townships)],
        "by_leader": sorted(
            (
                {
                    "id": cid,
                    "name": cadre_names.get(cid, cid),
                    "open": c["open"],
                    "overdue": c["overdue"],
                    "due_this_week": c["due_this_week"],
                }
                for cid, c in leaders.items()
            ),
            key=lambda r: (-r["overdue"], -r["open"], r["id"]),
        ),
        "overdue": sorted(overdue_rows, key=lambda r: (r["due"], r["id"])),
    }
