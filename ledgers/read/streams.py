"""Finding a visit or an activity that may have been corrected (issue 15): an id, a prefix, or the id of a record
since corrected leads to the document in force, through the index's `revisions` table (core/streams.py)."""

from __future__ import annotations

from typing import Any

from ..core import ids, streams
from ..core.errors import CorruptFile, NotFound, Refused
from ..repo.store import Ledger
from .index import Index

# stream kind -> (id prefix, index table of the documents in force)
TABLES = {"visits": ("V", "visits"), "activities": ("A", "activities"), "surveys": ("S", "surveys")}


def locate(ledger: Ledger, kind: str, text: str, field: str) -> tuple[str, str]:
    """(id of the document in force, its stream path) for `text`; a voided record is refused, naming the void."""
    prefix, table = TABLES[kind]
    wanted = ids.normalize(text or "")
    start = wanted if wanted.startswith(f"{prefix}-") else f"{prefix}-{wanted}"
    with Index.open(ledger) as index:
        sql = index.conn.execute
        paths = dict(
            sql(f"SELECT id, path FROM {table} WHERE id >= ? AND id < ? LIMIT 11", (start, start + "\uffff"))
        )  # noqa: S608
        replaced = [
            row[0]
            for row in sql(
                "SELECT replaces FROM revisions WHERE replaces >= ? AND replaces < ? LIMIT 11",
                (start, start + "\uffff"),
            )
        ]
        found = ids.resolve_prefix(text, prefix, {*paths, *replaced}, field)
        seen = {found}
        while found not in paths:
            rows = sql("SELECT id, how, corrected_by FROM revisions WHERE replaces = ?", (found,)).fetchall()
            correction = next((row[0] for row in rows if row[1] == streams.CORRECTS), None)
            moved_to = next((row[2] for row in rows if row[1] == streams.VOIDS and row[2]), None)
            if correction is None and moved_to is None:
                void = next((row[0] for row in rows), "?")
                raise Refused("stream_voided", field=field, value=found, void=void)
            found = correction or moved_to
            if found in seen:  # a cycle only a hand edit can make; check reports it
                raise NotFound("unknown_id", field=field, kind=ids.KINDS[prefix], value=text)
            seen.add(found)
            row = sql(f"SELECT path FROM {table} WHERE id = ?", (found,)).fetchone()  # noqa: S608
            if row:
                paths[found] = row[0]
    return found, paths[found]


def document(ledger: Ledger, path: str, doc_id: str) -> dict[str, Any]:
    """The stream document `doc_id` as it is in `path`."""
    for doc in ledger.read_stream(path):
        if isinstance(doc, dict) and str(doc.get("id")) == doc_id:
            return doc
    raise CorruptFile("corrupt_file", path=path, line=0, detail=f"{doc_id} is not in it (reindex)")
