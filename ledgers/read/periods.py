"""Reading reporting periods (issue 15): the closings of a month, and whether a date under a unit may be recorded."""

from __future__ import annotations

from ..core import fields as F
from ..core import periods, yamlio
from ..core.errors import CorruptFile, Refused
from ..core.kinds import KINDS
from ..core.layout import DIRS
from ..core.model import Source
from ..repo.store import Ledger


def closings(ledger: Ledger, month: str) -> list[periods.Closing]:
    """Every closing file of `month` (closed or reopened), by unit code."""
    folder = ledger.root / DIRS["period"] / month
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.yaml")):
        rel = path.relative_to(ledger.root).as_posix()
        try:
            data = yamlio.load(ledger.read_text(rel) or "")
            out.append(KINDS["period"].from_dict(data, Source(rel)))
        except (yamlio.YamlProblem, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorruptFile("corrupt_file", path=rel, line=0, detail=str(exc)) from None
    return out


def require_open(ledger: Ledger, day: str, unit: str, late: str | None, field: str = "--date") -> str | None:
    """Refuse recording `day` under `unit` inside a closed period, unless marked late (补录) with a reason.
    Returns the late marker to store with the record (the reason), or None when the period is open."""
    closing = periods.blocking(closings(ledger, day[:7]), day, unit)
    if closing is None:
        return None
    if late is None:
        raise Refused(
            "period_closed",
            field=field,
            value=day,
            month=closing.month,
            unit=closing.unit,
            by=closing.closed_by,
        )
    return F.text(late, "--reason")


def late_entries(ledger: Ledger, month: str) -> list[dict[str, str]]:
    """Everything recorded late (补录) for `month`: visits, activities and items, with the reason, by date."""
    from .index import Index

    span = (f"{month}-01", f"{month}-31")
    with Index.open(ledger) as index:
        sql = index.conn.execute
        rows = [
            *sql(
                "SELECT 'visit', id, date, unit, late FROM visits WHERE late IS NOT NULL AND date BETWEEN ? AND ?",
                span,
            ),
            *sql(
                "SELECT 'activity', id, date, unit, late FROM activities WHERE late IS NOT NULL AND date BETWEEN ? AND ?",
                span,
            ),
            *sql(
                "SELECT 'item', id, created, unit, late FROM items WHERE late IS NOT NULL AND created BETWEEN ? AND ?",
                span,
            ),
        ]
    return [
        {"kind": kind, "id": entry_id, "date": day, "unit": unit, "reason": reason}
        for kind, entry_id, day, unit, reason in sorted(rows, key=lambda row: (row[2], row[1]))
    ]


def show(ledger: Ledger, month: str) -> dict[str, object]:
    """`period show`: the month's closings (closed or reopened) and what was recorded late."""
    from ..core.activities import parse_month

    month = parse_month(month, "MONTH")
    return {
        "month": month,
        "closings": [
            {key: value for key, value in closing.to_dict().items() if key not in ("reported", "history")}
            for closing in closings(ledger, month)
        ],
        "late": late_entries(ledger, month),
    }
