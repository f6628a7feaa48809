"""报送: closing a month for a unit with its figures as reported, and reopening it (issue 15).

`period close` stores the month's rollup for the unit (grouped one level down) in `periods/<yyyy-mm>/<unit>.yaml`;
from then on `rollup --as-reported` prints exactly those figures, and anything dated inside the month under that
unit is refused unless marked late (补录, read/periods.require_open). `period reopen` (admin, with a reason) lifts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from ..core import fields as F
from ..core import layout, periods, yamlio
from ..core.activities import parse_month
from ..core.errors import BadInput, Refused
from ..core.messages import Text
from ..core.operations import new_entry, subject
from ..read import rollup as R
from ..read.index import Index
from ..read.periods import closings
from ..repo.store import Ledger

# The grouping a closing reports, one level below the closed unit.
GROUPING_BELOW = {"county": "township", "township": "village", "village": "group", "group": "group"}


def _month(value: str) -> str:
    month = parse_month(value, "MONTH")
    if month >= F.today().isoformat()[:7]:
        raise BadInput("bad_value", field="MONTH", value=value, accepted=Text("acc_month_ended"))
    return month


def _unit(ledger: Ledger, unit: str | None) -> tuple[str, str, str]:
    """(code, name, level) of the unit to close; the county when none is given."""
    if not unit or unit.strip() == ledger.config.county_code:
        return ledger.config.county_code, ledger.config.county_name, "county"
    found = ledger.unit(unit)
    return found.code, found.name, found.level


def reported_figures(ledger: Ledger, month: str, unit: str, level: str) -> dict[str, Any]:
    """The month's rollup for the unit, as `rollup --format json` prints it."""
    start = dt.date.fromisoformat(month + "-01")
    period = R.period_containing("month", start, F.today())
    with Index.open(ledger) as index:
        scope = None if level == "county" else unit
        return R.rollup([index], period, GROUPING_BELOW[level], scope).to_dict()


def close_period(ledger: Ledger, actor: str | None, month: str, unit: str | None = None) -> periods.Closing:
    month = _month(month)
    code, name, level = _unit(ledger, unit)
    with ledger.transaction(actor, "period.close") as tx:
        if not code.startswith(tx.actor.unit) and tx.actor.role != "admin":
            raise Refused("period_outside_unit", actor=tx.actor.id, unit=code, own=tx.actor.unit)
        rel = layout.period_path(month, code)
        existing = next((c for c in closings(ledger, month) if c.unit == code), None)
        figures = reported_figures(ledger, month, code, level)
        values = {"id": periods.period_id(month, code), "month": month, "unit": code, "reported": figures}
        if existing is None:
            entry = new_entry(tx.actor.id, "close", values)
            closing = replace(periods.apply_closing(None, entry), history=(entry,))
            tx.put(rel, yamlio.dump(closing.to_dict()))
        else:
            closing = tx.advance(existing, "close", {"reported": figures})
        tx.commit(subject("period.close", month=month, name=name, unit=code), [closing.id])
    return closing


def reopen_period(
    ledger: Ledger, actor: str | None, month: str, unit: str | None, reason: str | None
) -> periods.Closing:
    month = parse_month(month, "MONTH")
    code, name, _ = _unit(ledger, unit)
    why = F.text(reason, "--reason")
    with ledger.transaction(actor, "period.reopen") as tx:
        existing = next((c for c in closings(ledger, month) if c.unit == code), None)
        if existing is None:
            raise Refused("period_not_closed", month=month, unit=code)
        closing = tx.advance(existing, "reopen", {"reason": why})
        tx.commit(
            subject("period.reopen", month=month, name=name, unit=code, reason=(why or "")[:40]), [closing.id]
        )
    return closing


def as_reported(ledger: Ledger, month: str, unit: str | None) -> dict[str, Any]:
    """The figures stored when the month was closed for the unit (refused when it is not closed)."""
    month = parse_month(month, "--date")
    code, _, _ = _unit(ledger, unit)
    closing = next((c for c in closings(ledger, month) if c.unit == code), None)
    if closing is None or closing.state != periods.CLOSED:
        raise Refused("period_not_closed", month=month, unit=code)
    return closing.reported
