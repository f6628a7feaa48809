"""Reading visits: every visit of the ledger's streams, and a visit id (or prefix) resolved to its household."""

from __future__ import annotations

from collections.abc import Iterable

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
