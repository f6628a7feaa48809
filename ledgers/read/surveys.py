"""Reading the satisfaction survey (issue 18): every answer in force of the `surveys/` streams."""

from __future__ import annotations

from ..core import streams
from ..core.model import Source
from ..core.surveys import Survey
from ..repo.store import Ledger


def iter_surveys(ledger: Ledger) -> list[Survey]:
    """Every answer in force: corrected and voided documents are left out (core/streams.py)."""
    out: list[Survey] = []
    base = ledger.root / "surveys"
    if not base.is_dir():
        return out
    for month in sorted(base.iterdir()):
        for stream in sorted(month.glob("*.yaml")):
            rel = stream.relative_to(ledger.root).as_posix()
            for doc in streams.in_force(ledger.read_stream(rel)):
                out.append(Survey.from_dict(doc, Source(rel)))
    return out
