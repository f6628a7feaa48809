"""The item workflow (DESIGN §4): registered → assigned → in_progress → resolved → closed, with escalate,
feedback, reopen, extend and claim. An item is the replay of its `history:`; `apply` is the one place that says
which transition is legal, so operations, check, audit and the sync merge driver all agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from ..core import fields as F
from ..core import ids
from ..core.config import Config
from ..core.errors import BadInput, Refused
from ..core.messages import Text
from ..core.model import (
    CATEGORIES,
    FEEDBACK,
    HOW,
    ITEM_KINDS,
    LEDGERS,
    LEVELS,
    OPEN_STATES,
    SOURCES,
    Cadre,
    HistoryEntry,
    Item,
)
from ..repo.store import Ledger, Transaction, dump_item

ITEM_OPS = (
    "create",
    "assign",
    "progress",
    "escalate",
    "resolve",
    "feedback",
    "close",
    "reopen",
    "extend",
    "claim",
)

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
}


def refuse(item: Item, op_name: str, hint: str, **params: Any) -> Refused:
    """`hint` is a message key (ledgers/messages.py), so the reason is shown in the user's language.
    (`op_name`, not `op`: the hint's own parameters may include `op`, e.g. hint_unknown_op.)"""
    return Refused("transition", item=item.id, state=item.state, op=op_name, hint=Text(hint, **params))


def apply(item: Item | None, entry: HistoryEntry) -> Item:
    """One history entry applied to the item's state. Raises Refused when the workflow forbids it."""
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
        return replace(
            item,
            state="resolved",
            feedback=None,
            resolution={"how": how, "note": f.get("note"), "date": f.get("date", day)},
        )
    if entry.op == "feedback":
        result = f["result"]
        if result == "unsatisfied":
            return replace(item, state="in_progress", feedback=result, resolution=None)
        return replace(item, feedback=result)
    if entry.op == "close":
        if item.feedback not in ("satisfied", "basic") and not f.get("reason"):
            raise refuse(item, "close", "hint_close_feedback")
        return replace(item, state="closed", closed=f.get("date", day), close_reason=f.get("reason"))
    if entry.op == "reopen":
        return replace(
            item, state="in_progress", closed=None, close_reason=None, feedback=None, resolution=None
        )
    if entry.op == "extend":
        if not item.due or f["to"] <= item.due:
            raise refuse(item, "extend", "hint_extend_later", due=item.due)
        return replace(item, due=f["to"], extensions=item.extensions + 1)
    if entry.op == "claim":
        if item.kind != "wish":
            raise refuse(item, "claim", "hint_claim_wish")
        if item.claimed_by:
            raise refuse(item, "claim", "hint_claimed", by=item.claimed_by)
        state = "assigned" if item.state == "registered" else item.state
        return replace(item, claimed_by=f["by"], state=state, leader=item.leader or f["by"])
    raise refuse(item, entry.op, "hint_unknown_op", op=entry.op)


def replay(history: tuple[HistoryEntry, ...] | list[HistoryEntry], source: Any = None) -> Item:
    item: Item | None = None
    for entry in history:
        item = apply(item, entry)
    if item is None:
        raise Refused("transition", item="?", state="-", op="replay", hint=Text("hint_empty"))
    return replace(item, history=tuple(history), source=source)


def check_policy(item: Item, entry: HistoryEntry, config: Config, actor: Cadre) -> None:
    """Rules that depend on the office's settings and the actor: close levels, petition extension limits."""
    if entry.op == "close":
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


def add_working_days(start: dt.date, days: int) -> dt.date:
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


# ---------------------------------------------------------------- operations


def _history_entry(actor: Cadre, op: str, values: dict[str, Any], at: str | None) -> HistoryEntry:
    clean = {key: value for key, value in values.items() if value not in (None, [], ())}
    return HistoryEntry(ids.new_op_id(), at or F.timestamp(), actor.id, op, clean)


def _advance(tx: Transaction, item: Item, op: str, values: dict[str, Any], at: str | None) -> Item:
    entry = _history_entry(tx.actor, op, values, at)
    check_policy(item, entry, tx.ledger.config, tx.actor)
    updated = apply(item, entry)
    updated = replace(updated, history=item.history + (entry,), source=item.source)
    assert item.source is not None
    tx.put(item.source.path, dump_item(updated))
    return updated


def item_path(item_id: str, created: str) -> str:
    return f"issues/{created[:4]}/{item_id}.yaml"


def new_item(
    tx: Transaction,
    *,
    desc: str | None,
    category: str | None,
    kind: str | None,
    ledger_name: str | None,
    source: str | None,
    household: str | None = None,
    unit: str | None = None,
    visit: str | None = None,
    review: str | None = None,
    due: str | None = None,
    at: str | None = None,
    created: str | None = None,
    taken: set[str] | None = None,
) -> Item:
    """Validate and write a new item (no commit: callers commit, so a visit and its items are one commit)."""
    ledger = tx.ledger
    text = F.text(desc, "--desc")
    category = F.choice(category, "--category", CATEGORIES)
    kind = F.choice(kind or "problem", "--kind", ITEM_KINDS)
    ledger_name = F.choice(ledger_name or "livelihood", "--ledger", LEDGERS)
    source = F.choice(source or ("visit" if visit else "grid"), "--source", SOURCES)
    if bool(household) == bool(unit):
        raise BadInput(
            "required", field="--household | --unit", accepted="exactly one of --household H-… or --unit CODE"
        )
    if household:
        home = ledger.household(household, "--household")
        household_id, unit_code = home.id, home.unit
    else:
        household_id, unit_code = None, ledger.unit(unit or "", "--unit").code
    created_at = at or F.timestamp()
    created = created or created_at[:10]
    config = ledger.config
    assign_by = None
    if kind == "petition":
        # 信访工作条例: assign within 1 working day (日接日清), answer within 60 days.
        assign_by = add_working_days(
            F.to_date(created), config.deadline("petition_assign_working_days")
        ).isoformat()
        if due is None:
            due = (
                F.to_date(created) + dt.timedelta(days=config.deadline("petition_answer_days"))
            ).isoformat()
    if due is not None:
        due = F.parse_date(due, "--due")
        if due < created:
            raise BadInput("date_order", field="--due", value=due, other=created)
        if kind == "petition":
            legal = F.to_date(created) + dt.timedelta(days=config.deadline("petition_answer_days"))
            if due > legal.isoformat():
                limit = Text(
                    "acc_petition_due", due=legal.isoformat(), days=config.deadline("petition_answer_days")
                )
                raise BadInput("bad_value", field="--due", value=due, accepted=limit)
    item_id = ledger.new_id("Q", taken)
    values = {
        "id": item_id,
        "kind": kind,
        "ledger": ledger_name,
        "category": category,
        "desc": text,
        "source": source,
        "household": household_id,
        "unit": unit_code,
        "visit": visit,
        "review": review,
        "level": "village",
        "created": created,
        "assign_by": assign_by,
        "due": due,
    }
    entry = _history_entry(tx.actor, "create", values, created_at)
    item = replace(apply(None, entry), history=(entry,))
    tx.put(item_path(item_id, created), dump_item(item))
    return replace(item, source=None)


def _subject(item: Item) -> str:
    desc = item.desc.splitlines()[0]
    return f"{item.id} {desc[:30]}"


def add_item(ledger: Ledger, actor: str | None, **values: Any) -> Item:
    with ledger.transaction(actor, "issue.add") as tx:
        if values.get("visit"):
            from .visits import resolve_visit  # lazy: visits imports this module

            values["visit"], visited = resolve_visit(ledger, values["visit"])
            if (
                values.get("household")
                and visited
                and ledger.resolve("H", values["household"], "--household") != visited
            ):
                raise BadInput("visit_household", visit=values["visit"], household=visited)
        item = new_item(tx, **values)
        tx.commit(f"登记 {_subject(item)}", [item.id], at=values.get("at"))
    return item


def _transition(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    op: str,
    values: dict[str, Any],
    subject: str,
    at: str | None = None,
) -> Item:
    with ledger.transaction(actor, f"issue.{op}") as tx:
        item = ledger.item(ref)
        updated = _advance(tx, item, op, values, at)
        tx.commit(subject.replace("{item}", _subject(item)), [item.id], at=updated.history[-1].at)
    return updated


def assign(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    leader: str,
    resp_unit: str | None,
    due: str | None,
    team: list[str] | None = None,
    plan: str | None = None,
    at: str | None = None,
) -> Item:
    leader_cadre = ledger.cadre(leader, "--leader")
    if leader_cadre.status != "active":
        raise Refused("actor_recalled", actor=leader_cadre.id, name=leader_cadre.name)
    team_ids = [_active(ledger.cadre(member, "--team")).id for member in (team or [])]
    item = ledger.item(ref)
    if due is None:
        if item.kind != "petition" or not item.due:
            raise BadInput("required", field="--due", accepted=Text("acc_date"))
        due = item.due
    due = F.parse_date(due, "--due")
    today = (at or F.timestamp())[:10]
    if due < today:
        raise BadInput("date_order", field="--due", value=due, other=today)
    resp = F.text(resp_unit, "--unit", limit=F.MAX_NAME, required=False)
    values = {
        "leader": leader_cadre.id,
        "resp_unit": resp,
        "due": due,
        "team": team_ids,
        "plan": F.text(plan, "--plan", required=False),
    }
    return _transition(
        ledger, actor, ref, "assign", values, f"交办 {{item}} → {leader_cadre.name} (限 {due})", at
    )


def progress(ledger: Ledger, actor: str | None, ref: str, note: str | None, at: str | None = None) -> Item:
    return _transition(ledger, actor, ref, "progress", {"note": F.text(note, "--note")}, "进展 {item}", at)


def escalate(
    ledger: Ledger, actor: str | None, ref: str, to: str, reason: str | None, at: str | None = None
) -> Item:
    target = F.choice(to, "--to", ("township", "county"))
    label = {"township": "乡镇", "county": "县（区）"}[target]
    return _transition(
        ledger,
        actor,
        ref,
        "escalate",
        {"to": target, "reason": F.text(reason, "--reason")},
        f"上报 {{item}} 至{label}",
        at,
    )


def resolve(
    ledger: Ledger, actor: str | None, ref: str, how: str, note: str | None, at: str | None = None
) -> Item:
    how = F.choice(how, "--how", HOW)
    label = {"solved": "解决", "explained": "政策解释", "on_the_spot": "现场解决", "fulfilled": "圆梦"}[how]
    return _transition(
        ledger,
        actor,
        ref,
        "resolve",
        {"how": how, "note": F.text(note, "--note")},
        f"办结 {{item}}（{label}）",
        at,
    )


def feedback(
    ledger: Ledger, actor: str | None, ref: str, result: str, note: str | None = None, at: str | None = None
) -> Item:
    result = F.choice(result, "--result", FEEDBACK)
    label = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}[result]
    return _transition(
        ledger,
        actor,
        ref,
        "feedback",
        {"result": result, "note": F.text(note, "--note", required=False)},
        f"回访 {{item}} {label}",
        at,
    )


def close(
    ledger: Ledger, actor: str | None, ref: str, reason: str | None = None, at: str | None = None
) -> Item:
    return _transition(
        ledger, actor, ref, "close", {"reason": F.text(reason, "--reason", required=False)}, "销号 {item}", at
    )


def reopen(ledger: Ledger, actor: str | None, ref: str, reason: str | None, at: str | None = None) -> Item:
    return _transition(
        ledger, actor, ref, "reopen", {"reason": F.text(reason, "--reason")}, "重新打开 {item}", at
    )


def extend(
    ledger: Ledger, actor: str | None, ref: str, to: str, reason: str | None, at: str | None = None
) -> Item:
    new_due = F.parse_date(to, "--to")
    return _transition(
        ledger,
        actor,
        ref,
        "extend",
        {"to": new_due, "reason": F.text(reason, "--reason")},
        f"延期 {{item}} 至 {new_due}",
        at,
    )


def _active(cadre: Cadre) -> Cadre:
    if cadre.status != "active":
        raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
    return cadre


def claim(ledger: Ledger, actor: str | None, ref: str, by: str, at: str | None = None) -> Item:
    cadre = _active(ledger.cadre(by, "--by"))
    return _transition(ledger, actor, ref, "claim", {"by": cadre.id}, f"认领 {{item}} ← {cadre.name}", at)


def is_overdue(item: Item, on: dt.date | None = None) -> bool:
    day = (on or F.today()).isoformat()
    return item.is_open and item.due is not None and item.due < day
