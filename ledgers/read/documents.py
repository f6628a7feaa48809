"""The documents in force of an append-only stream kind (visits, surveys), read from the working tree month by month:
corrected and voided documents are left out (core/streams.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..core import streams
from ..repo.store import Ledger


def in_force(ledger: Ledger, top: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(stream path, document) for every document in force under `top`/<yyyy-mm>/<unit>.yaml, in path order."""
    base = ledger.root / top
    if not base.is_dir():
        return
    for month in sorted(base.iterdir()):
        for stream in sorted(month.glob("*.yaml")):
            rel = stream.relative_to(ledger.root).as_posix()
            for doc in streams.in_force(ledger.read_stream(rel)):
                yield rel, doc
