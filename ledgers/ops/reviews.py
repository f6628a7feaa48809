"""Quarterly reviews 一会三评 (seed 002): the team leader reports (述职), the township secretary comments (点评), the
masses rate (群众测评: satisfied/basic/unsatisfied counts) and the organisation grades (组织定评).

One entity file per team and quarter, `reviews/<yyyy>Q<n>/<team>.yaml` (schemas/review.yaml): a snapshot plus
`history:`, like items. The team is named by the unit code of the village (or township) whose work team is reviewed,
so reviews join the org tree and the ranking. Problems pointed out at the review become items with `source: review`
and `review: R-…`, and the review lists them in `items:`; both files change in the same commit.

Ops: create, raise (items written down at or after the review), set (a later 组织定评, corrected ratings).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core import fields as F
from ..core import ids
from ..core.errors import AlreadyExists, BadInput, CorruptFile, NotFound, Refused
from ..core.messages import Text
from ..core.model import REVIEW_GRADES, HistoryEntry, Item, Source, _Record
from ..repo.store import Ledger, Transaction, dump_record
from .workflow import new_item

REVIEW_OPS = ("create", "raise", "set")
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
class Review(_Record):
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


def review_path(quarter: str, team: str) -> str:
    return f"reviews/{quarter}/{team}.yaml"


# ---------------------------------------------------------------- quarters


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


# ---------------------------------------------------------------- parsing options


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


def report_text(value: str | None) -> str | None:
    """`--report FILE|TEXT`: the contents of FILE when it names an existing file, else the text itself."""
    if value is None or not value.strip():
        return None
    candidate = Path(value.strip()).expanduser()
    is_file = False
    if len(value) < 4096 and "\n" not in value:
        try:
            is_file = candidate.is_file()
        except OSError:
            is_file = False
    if is_file:
        try:
            raw = candidate.read_bytes()
        except OSError:
            raise BadInput("bad_value", field="--report", value=value, accepted=Text("acc_report")) from None
        if len(raw) > MAX_REPORT * 4:
            raise BadInput("too_long", field="--report", length=len(raw), limit=MAX_REPORT)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadInput("bad_value", field="--report", value=value, accepted=Text("acc_report")) from None
        value = text.replace("\r\n", "\n")
    return F.text(value, "--report", limit=MAX_REPORT, required=False)


def resolve_team(ledger: Ledger, value: str | None) -> str:
    """The team is given by the unit code of the village (or township) whose work team is reviewed, or by that
    unit's name when the name is unique in the org tree."""
    text = (value or "").strip()
    if not text:
        raise BadInput("required", field="--team", accepted=Text("acc_team"))
    units = ledger.units()
    if text in units:
        unit = units[text]
    else:
        named = [u for u in units.values() if u.name == text]
        if len(named) > 1:
            raise BadInput(
                "bad_value",
                field="--team",
                value=text,
                accepted=Text("acc_team_code", value=text, codes=", ".join(sorted(u.code for u in named))),
            )
        if not named:
            ledger.unit(text, "--team")  # raises the usual bad_code / unknown_code message
        unit = named[0]
    if unit.level not in ("village", "township"):
        raise BadInput("bad_value", field="--team", value=text, accepted=Text("acc_team"))
    return unit.code


# ---------------------------------------------------------------- replay


def apply_review(review: Review | None, entry: HistoryEntry) -> Review:
    """One history entry applied to a review. The only place that says what a review op does (check, audit and
    the merge driver replay through it)."""
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


def replay_review(
    history: tuple[HistoryEntry, ...] | list[HistoryEntry], source: Source | None = None
) -> Review:
    review: Review | None = None
    for entry in history:
        review = apply_review(review, entry)
    if review is None:
        raise Refused("transition", item="?", state="-", op="replay", hint="empty history")
    return replace(review, history=tuple(history), source=source)


def review_to_dict(review: Review) -> dict[str, Any]:
    return review.to_dict()


# ---------------------------------------------------------------- reading


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


# ---------------------------------------------------------------- operations


def _entry(actor_id: str, op: str, values: dict[str, Any], at: str | None) -> HistoryEntry:
    clean = {key: value for key, value in values.items() if value not in (None, [], ())}
    return HistoryEntry(ids.new_op_id(), at or F.timestamp(), actor_id, op, clean)


def _raise_items(
    tx: Transaction,
    review_id: str,
    team: str,
    raises: list[tuple[str, str]],
    when: str,
    item_kind: str | None,
    item_ledger: str | None,
) -> list[Item]:
    items: list[Item] = []
    taken: set[str] = set()
    for desc, category in raises:
        item = new_item(
            tx,
            desc=desc,
            category=category,
            kind=item_kind or "problem",
            ledger_name=item_ledger,
            source="review",
            unit=team,
            review=review_id,
            at=when,
            taken=taken,
        )
        taken.add(item.id)
        items.append(item)
    return items


def add_review(
    ledger: Ledger,
    actor: str | None,
    *,
    team: str | None,
    quarter: str | None,
    ratings: str | None,
    grade: str | None,
    report: str | None = None,
    comment: str | None = None,
    raises: list[tuple[str, str]] | None = None,
    item_kind: str | None = None,
    item_ledger: str | None = None,
    at: str | None = None,
) -> tuple[Review, list[Item]]:
    """Record one team's quarterly review, and the problems raised at it, as one commit (Ledger-Op review.add)."""
    with ledger.transaction(actor, "review.add") as tx:
        team_code = resolve_team(ledger, team)
        quarter_text = parse_quarter(quarter)
        when = at or F.timestamp()
        first, _ = quarter_bounds(quarter_text)
        if first > F.to_date(when):
            raise BadInput(
                "bad_value",
                field="--quarter",
                value=quarter_text,
                accepted=Text("acc_quarter_not_future", today=when[:10]),
            )
        parsed_ratings = parse_ratings(ratings)
        grade_code = F.choice(grade, "--grade", REVIEW_GRADES)
        report_body = report_text(report)
        comment_text = F.text(comment, "--comment", required=False)
        rel = review_path(quarter_text, team_code)
        if (ledger.root / rel).exists():
            existing = load_review(ledger, rel)
            raise AlreadyExists("review_exists", team=team_code, quarter=quarter_text, existing=existing.id)
        taken = {review.id for review in iter_reviews(ledger)}
        review_id = ids.new_id("R", taken)
        items = _raise_items(tx, review_id, team_code, raises or [], when, item_kind, item_ledger)
        values = {
            "id": review_id,
            "team": team_code,
            "quarter": quarter_text,
            "report": report_body,
            "comment": comment_text,
            "ratings": parsed_ratings,
            "grade": grade_code,
            "items": [item.id for item in items],
        }
        entry = _entry(tx.actor.id, "create", values, when)
        review = replace(apply_review(None, entry), history=(entry,))
        tx.put(rel, dump_record(review))
        name = ledger.units()[team_code].name
        subject = f"一会三评 {name} {quarter_text}（{grade_label(grade_code)}）"
        if items:
            subject += f"，登记问题 {len(items)} 项"
        tx.commit(subject, [review_id, *(item.id for item in items)], at=when)
    return review, items


def raise_items(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    raises: list[tuple[str, str]],
    item_kind: str | None = None,
    item_ledger: str | None = None,
    at: str | None = None,
) -> tuple[Review, list[Item]]:
    """Problems pointed out at a review, written down afterwards: new items linked both ways, one commit."""
    if not raises:
        raise BadInput("required", field="--raise", accepted=Text("acc_raise"))
    with ledger.transaction(actor, "review.raise") as tx:
        review = find_review(ledger, ref)
        when = at or F.timestamp()
        items = _raise_items(tx, review.id, review.team, raises, when, item_kind, item_ledger)
        entry = _entry(tx.actor.id, "raise", {"items": [item.id for item in items]}, when)
        updated = replace(
            apply_review(review, entry), history=review.history + (entry,), source=review.source
        )
        assert review.source is not None
        tx.put(review.source.path, dump_record(updated))
        name = ledger.units().get(review.team)
        subject = (
            f"一会三评问题清单 {name.name if name else review.team} {review.quarter}，登记 {len(items)} 项"
        )
        tx.commit(subject, [review.id, *(item.id for item in items)], at=when)
    return updated, items


def set_review(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    ratings: str | None = None,
    grade: str | None = None,
    report: str | None = None,
    comment: str | None = None,
    at: str | None = None,
) -> Review:
    """Amend a review: a 组织定评 given later, corrected ratings, the report or the comment."""
    with ledger.transaction(actor, "review.set") as tx:
        review = find_review(ledger, ref)
        changes: dict[str, Any] = {}
        if ratings is not None:
            changes["ratings"] = parse_ratings(ratings)
        if grade is not None:
            changes["grade"] = F.choice(grade, "--grade", REVIEW_GRADES)
        if report is not None:
            changes["report"] = report_text(report)
        if comment is not None:
            changes["comment"] = F.text(comment, "--comment", required=False)
        changes = {key: value for key, value in changes.items() if getattr(review, key) != value}
        if not changes:
            raise BadInput(
                "required", field="--ratings|--grade|--report|--comment", accepted=Text("acc_one_change")
            )
        entry = HistoryEntry(ids.new_op_id(), at or F.timestamp(), tx.actor.id, "set", changes)
        updated = replace(
            apply_review(review, entry), history=review.history + (entry,), source=review.source
        )
        assert review.source is not None
        tx.put(review.source.path, dump_record(updated))
        name = ledger.units().get(review.team)
        tx.commit(
            f"更新一会三评 {name.name if name else review.team} {review.quarter}", [review.id], at=entry.at
        )
    return updated


def review_view(ledger: Ledger, review: Review) -> dict[str, Any]:
    """The review as `review list --json` prints it: the file's keys plus the team name, raters, the satisfaction
    rate of the 群众测评 (satisfied+basic over all raters) and the state of each linked item."""
    view = review.to_dict()
    view.pop("history", None)
    units = ledger.units()
    view["team_name"] = units[review.team].name if review.team in units else review.team
    view["raters"] = review.raters
    view["satisfaction"] = (
        round((review.ratings.get("satisfied", 0) + review.ratings.get("basic", 0)) / review.raters, 4)
        if review.raters
        else None
    )
    states = {}
    for item_id in review.items:
        try:
            states[item_id] = ledger.item(item_id).state
        except NotFound:
            states[item_id] = None
    view["item_states"] = states
    view["items_open"] = sum(
        1 for state in states.values() if state in ("registered", "assigned", "in_progress")
    )
    view["path"] = review.source.path if review.source else None
    return view
