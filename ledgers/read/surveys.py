"""Reading the satisfaction survey (issue 18): every answer in force of the `surveys/` streams."""

from __future__ import annotations

from ..core.model import Source
from ..core.surveys import Survey
from ..repo.store import Ledger
from .documents import in_force


def iter_surveys(ledger: Ledger) -> list[Survey]:
    """Every answer in force: corrected and voided documents are left out (core/streams.py)."""
    return [Survey.from_dict(doc, Source(rel)) for rel, doc in in_force(ledger, "surveys")]
