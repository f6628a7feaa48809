"""The documents in force of an append-only stream kind (visits, surveys), read from the working tree month by month:
corrected and voided documents are left out (core/streams.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..core import streams
from ..repo.store import Ledger


def in_force(
    ledger: Ledger, top: str, paths: Iterable[str] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(stream path, document) for every document in force under `top`/<yyyy-mm>/<unit>.yaml, in path order;
    `paths`: only those streams (the ones the index says hold what a listing asks for)."""
    if paths is not None:
        chosen = sorted(paths)
    else:
        base = ledger.root / top
        if not base.is_dir():
            return
        chosen = [
            stream.relative_to(ledger.root).as_posix()
            for month in sorted(base.iterdir())
            for stream in sorted(month.glob("*.yaml"))
        ]
    for rel in chosen:
        for doc in streams.in_force(ledger.read_stream(rel)):
            yield rel, doc
