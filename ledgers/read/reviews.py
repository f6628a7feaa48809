"""Reading quarterly reviews (一会三评) from reviews/<yyyy>Q<n>/<team>.yaml."""

from __future__ import annotations

import os

from ..core import ids
from ..core.errors import CorruptFile
from ..core.model import Source
from ..core.reviews import (
    RATING_KEYS,
    Review,
    parse_quarter,
)
from ..repo.store import Ledger


def _review_files(ledger: Ledger) -> list[str]:
    base = ledger.root / "reviews"
    if not base.is_dir():
        return []
    out = []
    for quarter_dir in sorted(os.scandir(base), key=lambda e: e.name):
        if not quarter_dir.is_dir():
            continue
        for entry in sorted(os.scandir(quarter_dir.path), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                out.append(f"reviews/{quarter_dir.name}/{entry.name}")
    return out


def load_review(ledger: Ledger, rel: str) -> Review:
    data = ledger.read_yaml(rel)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise CorruptFile("corrupt_file", path=rel, line=1, detail="expected a mapping with a review id R-…")
    try:
        ratings = data.get("ratings") or {}
        values = dict(data)
        values["ratings"] = {key: int(ratings.get(key, 0)) for key in RATING_KEYS}
        return Review.from_dict(values, Source(rel))
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise CorruptFile(
            "corrupt_file", path=rel, line=1, detail=f"does not match its schema ({exc})"
        ) from None


def iter_reviews(ledger: Ledger, quarter: str | None = None) -> list[Review]:
    out = []
    for rel in _review_files(ledger):
        if quarter and rel.split("/")[1] != quarter:
            continue
        out.append(load_review(ledger, rel))
    return sorted(out, key=lambda r: (r.quarter, r.team))


def find_review(ledger: Ledger, ref: str, field_name: str = "ID") -> Review:
    """A review by id or unique prefix (like every other id)."""
    reviews = {review.id: review for review in iter_reviews(ledger)}
    review_id = ids.resolve_prefix(ref or "", "R", reviews.keys(), field_name)
    return reviews[review_id]


def list_reviews(ledger: Ledger, quarter: str | None = None, team: str | None = None) -> list[Review]:
    wanted_quarter = parse_quarter(quarter) if quarter else None
    prefix = ledger.unit(team, "--team").code if team else None
    return [
        review
        for review in iter_reviews(ledger, wanted_quarter)
        if prefix is None or review.team.startswith(prefix)
    ]
