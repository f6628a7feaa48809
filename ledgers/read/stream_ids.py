"""Whether the index holds a stream document's id: the one question a write asks of the index (ops/streams.py
draws a visit's, survey answer's, correction's or void's id again when it is taken).

Kept apart from read/index.py so a write imports neither that module nor, when there is no index, sqlite3: `visit
add` stays a light command (tests/test_perf_paths.py). The index is read as it stands, never brought up to date: a
write must not wait for a refresh."""

from __future__ import annotations

from ..core.layout import INDEX_FILE, STATE_DIR
from ..repo.store import Ledger

STREAM_TABLES = {"V": "visits", "S": "surveys", "A": "activities"}


def stream_id_indexed(ledger: Ledger, entry_id: str) -> bool:
    """True when the index has a visit, survey answer or activity with this id; False without a usable index."""
    table = STREAM_TABLES.get(entry_id[:1])
    path = ledger.git_dir / STATE_DIR / INDEX_FILE
    if table is None or not path.exists():
        return False
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            found = conn.execute(f"SELECT 1 FROM {table} WHERE id = ? LIMIT 1", (entry_id,)).fetchone()  # noqa: S608
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return found is not None
