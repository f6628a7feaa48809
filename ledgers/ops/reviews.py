"""Quarterly reviews 一会三评 (seed 002): the team leader reports (述职), the township secretary comments (点评), the
masses rate (群众测评: satisfied/basic/unsatisfied counts) and the organisation grades (组织定评).

One entity file per team and quarter, `reviews/<yyyy>Q<n>/<team>.yaml` (schemas/review.yaml): a snapshot plus
`history:`, like items. The team is named by the unit code of the village (or township) whose work team is reviewed,
so reviews join the org tree and the ranking. Problems pointed out at the review become items with `source: review`
and `review: R-…`, and the review lists them in `items:`; both files change in the same commit.

Ops: create, raise (items written down at or after the review), set (a later 组织定评, corrected ratings).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core import fields as F
from ..core import ids
from ..core.errors import AlreadyExists, BadInput, NotFound
from ..core.layout import review_path
from ..core.messages import Text
from ..core.model import REVIEW_GRADES, HistoryEntry, Item
from ..core.operations import new_entry
from ..core.operations import subject as operation_subject
from ..core.reviews import (
    GRADE_LABELS,
    MAX_REPORT,
    Review,
    apply_review,
    grade_label,
    parse_quarter,
    parse_ratings,
    quarter_bounds,
)
from ..read.reviews import find_review, iter_reviews, load_review
from ..repo.store import Ledger, Transaction, dump_record
from .workflow import new_item

# ---------------------------------------------------------------- quarters


# ---------------------------------------------------------------- parsing options


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
        # else an official name or an alias (issue 16), or the usual unknown_unit / unknown_code message
        unit = named[0] if named else ledger.unit(text, "--team")
    if unit.level not in ("village", "township"):
        raise BadInput("bad_value", field="--team", value=text, accepted=Text("acc_team"))
    return unit.code


# ---------------------------------------------------------------- replay


# ---------------------------------------------------------------- reading


# ---------------------------------------------------------------- operations


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
        grade_code = F.choice(grade, "--grade", REVIEW_GRADES, GRADE_LABELS)
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
        entry = new_entry(tx.actor.id, "create", values, when)
        review = replace(apply_review(None, entry), history=(entry,))
        tx.put(rel, dump_record(review))
        name = ledger.units()[team_code].name
        raised = f"，登记问题 {len(items)} 项" if items else ""
        subject = operation_subject(
            "review.add", team=name, quarter=quarter_text, grade=grade_label(grade_code), raised=raised
        )
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
        entry = new_entry(tx.actor.id, "raise", {"items": [item.id for item in items]}, when)
        updated = replace(
            apply_review(review, entry), history=review.history + (entry,), source=review.source
        )
        assert review.source is not None
        tx.put(review.source.path, dump_record(updated))
        name = ledger.units().get(review.team)
        subject = operation_subject(
            "review.raise", team=name.name if name else review.team, quarter=review.quarter, count=len(items)
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
            changes["grade"] = F.choice(grade, "--grade", REVIEW_GRADES, GRADE_LABELS)
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
