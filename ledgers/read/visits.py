"""Reading visits: every visit of the ledger's streams, and a visit id (or prefix) resolved to its household."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..core import ids
from ..core.model import Visit
from ..repo.store import Ledger
from .documents import in_force


def resolve_visit(ledger: Ledger, text: str, field: str = "--visit") -> tuple[str, str | None]:
    """(visit id, its household) for a visit id or unique prefix. Visits live in streams, not entity files, so the
    look-up goes through the index (one SQL range query) rather than parsing every stream."""
    from ..read.index import open_index

    wanted = ids.normalize(text or "")
    prefix = wanted if wanted.startswith("V-") else f"V-{wanted}"
    index = open_index(ledger)
    try:
        rows = index.conn.execute(
            "SELECT id, household FROM visits WHERE id >= ? AND id < ? ORDER BY id LIMIT 11",
            (prefix, prefix + "\uffff"),
        ).fetchall()
    finally:
        index.close()
    households = {str(row[0]): row[1] for row in rows}
    visit_id = ids.resolve_prefix(text, "V", households, field)
    return visit_id, households[visit_id]


def iter_visits(ledger: Ledger, paths: Iterable[str] | None = None) -> list[Visit]:
    """Every visit in force (of the streams `paths` when given): corrected and voided documents are left out
    (core/streams.py)."""
    from ..core.model import Source

    return [Visit.from_dict(doc, Source(rel)) for rel, doc in in_force(ledger, "visits", paths)]


def read_by_month(
    ledger: Ledger, plan: dict[str, list[str]], unindexed: bool = False
) -> Iterator[list[Visit]]:
    """The visits in force a month (YYYY-MM of the date) at a time, months in order: each month's those of the
    stream files `plan` names for it (month -> paths, from the index), in path and document order. A file holding
    several months (a hand edit) is read once: what it holds for a later month waits for that month. `unindexed`:
    also the stream files of the working tree the index has no visit of (not committed, or all voided), read
    first. Only one month's visits (and those waiting) are held at a time (issue 19)."""
    months_of: dict[str, set[str]] = {}
    for key, paths in plan.items():
        for rel in paths:
            months_of.setdefault(rel, set()).add(key)
    waiting: dict[str, dict[str, list[Visit]]] = {}  # path -> month -> its visits of that month, read earlier
    if unindexed:
        base = ledger.root / "visits"
        listed = (
            [
                stream.relative_to(ledger.root).as_posix()
                for month in base.iterdir()
                for stream in month.glob("*.yaml")
            ]
            if base.is_dir()
            else []
        )
        for rel in sorted(set(listed) - set(months_of)):
            by_month = _by_month(iter_visits(ledger, [rel]))
            if by_month:
                waiting[rel] = by_month
    months = sorted(set(plan).union(*(held.keys() for held in waiting.values())))
    for key in months:
        found: list[Visit] = []
        for rel in sorted(set(plan.get(key, ())).union(r for r, held in waiting.items() if key in held)):
            held = waiting.get(rel)
            if held is None:
                held = _by_month(iter_visits(ledger, [rel]))
                later = {k: v for k, v in held.items() if k > key and k in months_of.get(rel, ())}
                if later:
                    waiting[rel] = later
                found.extend(held.get(key, ()))
            else:
                found.extend(held.pop(key, ()))
                if not held:
                    del waiting[rel]
        yield found


def _by_month(found: list[Visit]) -> dict[str, list[Visit]]:
    out: dict[str, list[Visit]] = {}
    for visit in found:
        out.setdefault(str(visit.date)[:7], []).append(visit)
    return out
