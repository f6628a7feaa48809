"""Quarterly reviews 一会三评 (seed 002), pure: the record, its replay, quarters and ratings. Reading and writing
live in read/reviews.py and ops/reviews.py."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from . import fields as F
from .errors import BadInput, Refused
from .messages import Text
from .model import HistoryEntry, Record, Source
from .operations import require_fields

RATING_KEYS = ("satisfied", "basic", "unsatisfied")


GRADE_LABELS = {
    "excellent": ("优秀", "excellent"),
    "good": ("良好", "good"),
    "fair": ("一般", "fair"),
    "poor": ("较差", "poor"),
}


MAX_REPORT = 20_000  # a 述职 report is a page or two, not a document archive


MAX_RATERS = 100_000


QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class Review(Record):
    id: str
    team: str = ""
    quarter: str = ""
    report: str | None = None
    comment: str | None = None
    ratings: dict[str, int] = field(default_factory=dict)
    grade: str = "good"
    items: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    source: Source | None = None

    @property
    def raters(self) -> int:
        return sum(int(self.ratings.get(key, 0)) for key in RATING_KEYS)


def grade_label(grade: str, lang: str = "zh") -> str:
    pair = GRADE_LABELS.get(grade)
    return (pair[1] if lang == "en" else pair[0]) if pair else grade


def parse_quarter(value: str | None, field_name: str = "--quarter") -> str:
    text = (value or "").strip().upper()
    if not text:
        raise BadInput("required", field=field_name, accepted=Text("acc_quarter"))
    if not QUARTER_RE.match(text):
        raise BadInput("bad_value", field=field_name, value=value, accepted=Text("acc_quarter"))
    return text


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter `YYYYQn`."""
    match = QUARTER_RE.match(quarter)
    assert match, quarter
    year, number = int(match.group(1)), int(match.group(2))
    first = dt.date(year, 3 * number - 2, 1)
    after = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return first, after - dt.timedelta(days=1)


def quarter_of(day: dt.date | str) -> str:
    date = F.to_date(day) if isinstance(day, str) else day
    return f"{date.year}Q{(date.month - 1) // 3 + 1}"


def parse_ratings(value: str | None) -> dict[str, int]:
    """`satisfied=N,basic=N,unsatisfied=N` (any order; a missing key counts 0; Chinese commas accepted)."""
    accepted = Text("acc_ratings")
    if value is None or not value.strip():
        raise BadInput("required", field="--ratings", accepted=accepted)
    ratings = {key: 0 for key in RATING_KEYS}
    seen: set[str] = set()
    for part in re.split(r"[,，;；\s]+", value.strip()):
        if not part:
            continue
        key, sep, number = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in RATING_KEYS or key in seen:
            raise BadInput("bad_value", field="--ratings", value=value, accepted=accepted)
        seen.add(key)
        ratings[key] = F.positive_int(number, f"--ratings {key}", 0, MAX_RATERS)
    return ratings


def apply_review(review: Review | None, entry: HistoryEntry) -> Review:
    """One history entry applied to a review. The only place that says what a review op does (check, audit and
    the merge driver replay through it)."""
    require_fields("review", review.id if review else "?", "-", entry)
    f = entry.fields
    if entry.op == "create":
        if review is not None:
            raise Refused("transition", item=review.id, state="-", op="create", hint="the review exists")
        return Review(
            id=str(f["id"]),
            team=str(f["team"]),
            quarter=str(f["quarter"]),
            report=f.get("report"),
            comment=f.get("comment"),
            ratings={key: int((f.get("ratings") or {}).get(key, 0)) for key in RATING_KEYS},
            grade=str(f["grade"]),
            items=tuple(f.get("items") or ()),
        )
    if review is None:
        raise Refused(
            "transition", item="?", state="-", op=entry.op, hint="the history must start with create"
        )
    if entry.op == "raise":
        added = tuple(item for item in f.get("items") or () if item not in review.items)
        return replace(review, items=review.items + added)
    if entry.op == "set":
        changes: dict[str, Any] = {}
        for key in ("report", "comment", "grade"):
            if key in f:
                changes[key] = f[key]
        if "ratings" in f:
            changes["ratings"] = {key: int(f["ratings"].get(key, 0)) for key in RATING_KEYS}
        return replace(review, **changes)
    raise Refused("transition", item=review.id, state="-", op=entry.op, hint=f"unknown operation {entry.op}")


def review_to_dict(review: Review) -> dict[str, Any]:
    return review.to_dict()
