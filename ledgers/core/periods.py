"""Reporting periods (报送 / 数据审核, issue 15), pure: a month closed for a unit once its figures are reported.

A closing is an entity file `periods/<yyyy-mm>/<unit-code>.yaml` (snapshot + history, like an item): `close`
stores the rollup as reported, `reopen` (admin, with a reason) opens it again, and a later `close` reports anew.
While a month is closed for a unit, nothing dated inside it may be recorded under that unit unless marked late
(补录, `--late --reason`): `blocking` says which closing stands in the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import Refused
from .messages import Text
from .model import HistoryEntry, Record, Source
from .operations import require_fields

CLOSED = "closed"
OPEN = "open"


def period_id(month: str, unit: str) -> str:
    return f"{month}/{unit}"


@dataclass(frozen=True)
class Closing(Record):
    id: str  # <yyyy-mm>/<unit-code>, as its path
    month: str
    unit: str
    state: str = CLOSED
    closed: str | None = None  # the day it was (last) closed
    closed_by: str | None = None
    reported: dict[str, Any] = field(default_factory=dict)  # the rollup as reported (`rollup --format json`)
    reopened: str | None = None
    reopen_reason: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    source: Source | None = None


def apply_closing(closing: Closing | None, entry: HistoryEntry) -> Closing:
    require_fields("period", closing.id if closing else "?", closing.state if closing else "-", entry)
    f = entry.fields
    if entry.op == "close":
        if closing is None:
            return Closing(
                id=str(f["id"]),
                month=str(f["month"]),
                unit=str(f["unit"]),
                closed=entry.at[:10],
                closed_by=entry.by,
                reported=dict(f["reported"]),
            )
        if closing.state == CLOSED:
            raise Refused(
                "period_already_closed", month=closing.month, unit=closing.unit, by=closing.closed_by
            )
        return replace(
            closing, state=CLOSED, closed=entry.at[:10], closed_by=entry.by, reported=dict(f["reported"])
        )
    if closing is None:
        raise Refused("transition", item="?", state="-", op=entry.op, hint=Text("hint_start_create"))
    if entry.op == "reopen":
        if closing.state != CLOSED:
            raise Refused("period_not_closed", month=closing.month, unit=closing.unit)
        return replace(closing, state=OPEN, reopened=entry.at[:10], reopen_reason=f["reason"])
    raise Refused(
        "transition",
        item=closing.id,
        state=closing.state,
        op=entry.op,
        hint=Text("hint_unknown_op", op=entry.op),
    )


def blocking(closings: Iterable[Closing], day: str, unit: str) -> Closing | None:
    """The closed period that `day` under `unit` falls in (the unit itself or one above it), if any."""
    month = day[:7]
    for closing in closings:
        if closing.state == CLOSED and closing.month == month and unit.startswith(closing.unit):
            return closing
    return None
