"""The item workflow (DESIGN §4), pure: registered → assigned → in_progress → resolved → closed, with
escalate, feedback, reopen, extend and claim. An item is the replay of its `history:`; `apply` is the one place that
says which transition is legal and `check_policy` the one place for the office's rules (close levels, petition
limits, the create rules), so operations, import, check, audit and the sync merge driver all agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from . import fields as F
from .config import Config
from .errors import BadInput, Refused
from .messages import Text
from .model import (
    LEVELS,
    OPEN_STATES,
    STATES,
    VOIDED,
    Cadre,
    HistoryEntry,
    Item,
)
from .operations import ITEM_STEPS, require_fields

ITEM_OPS = ("create", *ITEM_STEPS)  # every history op of an item (schemas/item.yaml lists the same)


# op -> states it may start from, with the hint shown when refused.
ALLOWED_FROM: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": (OPEN_STATES, "hint_assign"),
    "progress": (("assigned", "in_progress"), "hint_progress"),
    "escalate": (OPEN_STATES, "hint_escalate"),
    "resolve": (OPEN_STATES, "hint_resolve"),
    "feedback": (("resolved",), "hint_feedback"),
    "close": (("resolved",), "hint_close"),
    "reopen": (("closed",), "hint_reopen"),
    "extend": (("assigned", "in_progress"), "hint_extend"),
    "claim": (OPEN_STATES, "hint_claim"),
    "edit": (STATES, "hint_voided"),
    "void": (STATES, "hint_voided"),
    # 移交 (`cadre move --hand-over-to`): an open case with a leader gets a new one.
    "hand_over": (("assigned", "in_progress"), "hint_hand_over"),
}
# What `issue edit` may correct (its history entry carries the new values and a reason).
EDITABLE = ("desc", "category", "kind", "ledger", "household", "unit")


def refuse(item: Item, op_name: str, hint: str, **params: Any) -> Refused:
    """`hint` is a message key (ledgers/messages.py), so the reason is shown in the user's language.
    (`op_name`, not `op`: the hint's own parameters may include `op`, e.g. hint_unknown_op.)"""
    return Refused("transition", item=item.id, state=item.state, op=op_name, hint=Text(hint, **params))


def apply(item: Item | None, entry: HistoryEntry) -> Item:
    """One history entry applied to the item's state. Raises Refused when the workflow forbids it."""
    require_fields(
        "item", item.id if item else str(entry.fields.get("id", "?")), item.state if item else "-", entry
    )
    f = entry.fields
    day = entry.at[:10]
    if entry.op == "create":
        if item is not None:
            raise refuse(item, "create", "hint_exists")
        return Item(
            id=str(f["id"]),
            kind=f["kind"],
            ledger=f["ledger"],
            category=f["category"],
            desc=f["desc"],
            source_kind=f["source"],
            household=f.get("household"),
            unit=str(f["unit"]),
            visit=f.get("visit"),
            review=f.get("review"),
            level=f.get("level", "village"),
            state="registered",
            created=f.get("created", day),
            assign_by=f.get("assign_by"),
            due=f.get("due"),
        )
    if item is None:
        raise Refused("transition", item="?", state="-", op=entry.op, hint=Text("hint_start_create"))
    if entry.op not in ALLOWED_FROM:
        raise refuse(item, entry.op, "hint_unknown_op", op=entry.op)
    allowed, hint = ALLOWED_FROM[entry.op]
    if item.state == VOIDED:
        raise refuse(item, entry.op, "hint_voided")
    if item.state not in allowed:
        raise refuse(item, entry.op, hint)
    if entry.op == "assign":
        return replace(
            item,
            state="assigned",
            leader=f["leader"],
            resp_unit=f.get("resp_unit"),
            due=f.get("due"),
            team=tuple(f.get("team") or ()),
            plan=f.get("plan"),
        )
    if entry.op == "progress":
        return replace(item, state="in_progress")
    if entry.op == "escalate":
        target = f["to"]
        if target not in LEVELS or LEVELS.index(target) <= LEVELS.index(item.level):
            raise refuse(item, "escalate", "hint_escalate_higher", level=item.level)
        keep_due = (
            item.due if item.kind == "petition" else None
        )  # a petition's legal deadline does not restart
        return replace(
            item,
            state="registered",
            level=target,
            leader=None,
            resp_unit=None,
            team=(),
            plan=None,
            due=keep_due,
        )
    if entry.op == "resolve":
        how = f["how"]
        if how == "fulfilled" and item.kind != "wish":
            raise refuse(item, "resolve", "hint_fulfilled_wish")
        if str(f.get("date", day)) < item.created:
            raise refuse(item, "resolve", "hint_before_created", day=f.get("date", day), created=item.created)
        return replace(
            item,
            state="resolved",
            feedback=None,
            resolution={"how": how, "note": f.get("note"), "date": f.get("date", day)},
        )
    if entry.op == "feedback":
        resolved_on = str((item.resolution or {}).get("date") or item.created)
        if day < resolved_on:
            raise refuse(item, "feedback", "hint_feedback_before_resolved", day=day, resolved=resolved_on)
        result = f["result"]
        if result == "unsatisfied":
            return replace(item, state="in_progress", feedback=result, resolution=None)
        return replace(item, feedback=result)
    if entry.op == "close":
        if item.feedback not in ("satisfied", "basic") and not f.get("reason"):
            raise refuse(item, "close", "hint_close_feedback")
        resolved_on = (item.resolution or {}).get("date") or item.created
        if str(f.get("date", day)) < str(resolved_on):
            raise refuse(
                item, "close", "hint_close_before_resolved", day=f.get("date", day), resolved=resolved_on
            )
        return replace(item, state="closed", closed=f.get("date", day), close_reason=f.get("reason"))
    if entry.op == "reopen":
        return replace(
            item, state="in_progress", closed=None, close_reason=None, feedback=None, resolution=None
        )
    if entry.op == "extend":
        if not item.due or f["to"] <= item.due:
            raise refuse(item, "extend", "hint_extend_later", due=item.due)
        return replace(item, due=f["to"], extensions=item.extensions + 1)
    if entry.op == "edit":
        changes = {key: f[key] for key in EDITABLE if key in f}
        if not changes:
            raise refuse(item, "edit", "hint_edit_nothing")
        if "kind" in changes and (changes["kind"] == "petition") != (item.kind == "petition"):
            # A petition's legal limits run from its registration: it cannot become, or stop being, one.
            raise refuse(item, "edit", "hint_edit_petition")
        if "kind" in changes and item.claimed_by and changes["kind"] != "wish":
            raise refuse(item, "edit", "hint_edit_claimed_wish", by=item.claimed_by)
        if "household" in changes and "unit" not in changes:
            raise refuse(item, "edit", "hint_edit_unit")
        if "unit" in changes and "household" not in changes:
            changes["household"] = None  # moved to a unit (`--unit`): it is no longer one household's
        return replace(item, **changes)
    if entry.op == "void":
        return replace(item, state=VOIDED, voided=f.get("date", day), void_reason=f["reason"])
    if entry.op == "hand_over":
        return replace(item, leader=f["leader"])
    if entry.op == "claim":
        if item.kind != "wish":
            raise refuse(item, "claim", "hint_claim_wish")
        if item.claimed_by:
            raise refuse(item, "claim", "hint_claimed", by=item.claimed_by)
        state = "assigned" if item.state == "registered" else item.state
        return replace(item, claimed_by=f["by"], state=state, leader=item.leader or f["by"])
    raise refuse(item, entry.op, "hint_unknown_op", op=entry.op)


def check_policy(item: Item | None, entry: HistoryEntry, config: Config, actor: Cadre) -> None:
    """Rules that depend on the office's settings and the actor: the create rules (deadlines), close levels,
    petition extension limits. Every writer (commands, import, visits, reviews) and audit call it."""
    if entry.op == "create":
        values = entry.fields
        created = str(values.get("created") or entry.at[:10])
        try:
            deadlines(str(values.get("kind")), created, values.get("due"), config, default=False)
        except BadInput as bad:
            raise Refused(
                "create_rules", item=str(values.get("id", "?")), why=Text(bad.key, **bad.params)
            ) from None
        return
    assert item is not None
    if entry.op == "close" or (entry.op in ("edit", "void") and item.state == "closed"):
        # A closed (销号) item is corrected or withdrawn only by a role that may close it at its level.
        config.require_close(actor, item.level)
    if entry.op == "assign" and item.kind == "petition" and item.due and entry.fields["due"] > item.due:
        # The legal answer date moves only through `extend` (once, at most 30 days), never by reassigning.
        raise Refused("petition_extension", item=item.id, why=Text("why_petition_due", due=item.due))
    if entry.op == "extend" and item.kind == "petition":
        limit = config.deadline("petition_max_extensions")
        if item.extensions >= limit:
            raise Refused(
                "petition_extension",
                item=item.id,
                why=Text("why_extensions", limit=limit),
            )
        max_days = config.deadline("petition_max_extension_days")
        if item.due and F.to_date(entry.fields["to"]) > F.to_date(item.due) + dt.timedelta(days=max_days):
            raise Refused(
                "petition_extension",
                item=item.id,
                why=Text("why_extension_days", days=max_days, due=item.due),
            )


def deadlines(
    kind: str, created: str, due: str | None, config: Config, field: str = "--due", default: bool = True
) -> tuple[str | None, str | None]:
    """The create rules for an item's deadlines, in one place for `issue add`, visits, reviews and import:
    (assign_by, due). A petition is assigned within N working days (日接日清) and answered within 60 days
    (信访工作条例), so its due date defaults to, and may not pass, that limit; any other item without a due date
    gets `deadlines.default_days` when the office sets it (限时办结, `default` False where the caller has no one
    to hold to it); a due date is never before the item was raised. Raises BadInput naming `field`."""
    assign_by = None
    if kind == "petition":
        assign_by = add_working_days(
            F.to_date(created), config.deadline("petition_assign_working_days")
        ).isoformat()
        legal = (F.to_date(created) + dt.timedelta(days=config.deadline("petition_answer_days"))).isoformat()
        if due is None:
            due = legal
        elif due > legal:
            limit = Text("acc_petition_due", due=legal, days=config.deadline("petition_answer_days"))
            raise BadInput("bad_value", field=field, value=due, accepted=limit)
    elif due is None and default and config.default_days():
        due = (F.to_date(created) + dt.timedelta(days=config.default_days() or 0)).isoformat()
    if due is not None and due < created:
        raise BadInput("date_order", field=field, value=due, other=created)
    return assign_by, due


def add_working_days(start: dt.date, days: int) -> dt.date:
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def is_overdue(item: Item, on: dt.date | None = None) -> bool:
    day = (on or F.today()).isoformat()
    return item.is_open and item.due is not None and item.due < day
