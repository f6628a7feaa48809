"""The item workflow (DESIGN §4): registered → assigned → in_progress → resolved → closed, with escalate,
feedback, reopen, extend and claim. An item is the replay of its `history:`; `apply` is the one place that says
which transition is legal, so operations, check, audit and the sync merge driver all agree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..core import fields as F
from ..core import layout
from ..core.errors import BadInput, Refused
from ..core.items import apply, check_policy, deadlines
from ..core.messages import Text
from ..core.model import (
    CATEGORIES,
    FEEDBACK,
    HOW,
    ITEM_KINDS,
    LEDGERS,
    SOURCES,
    Cadre,
    Item,
)
from ..core.operations import new_entry, subject
from ..core.registers import on_register, territorial
from ..read.periods import require_open
from ..repo.store import Ledger, Transaction, dump_item

# ---------------------------------------------------------------- operations


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
    late: str | None = None,
) -> Item:
    """Validate and write a new item (no commit: callers commit, so a visit and its items are one commit)."""
    ledger = tx.ledger
    text = F.text(desc, "--desc")
    category = F.choice(category, "--category", CATEGORIES)
    kind = F.choice(kind or "problem", "--kind", ITEM_KINDS)
    ledger_name = F.choice(ledger_name or "livelihood", "--ledger", LEDGERS)
    source = F.choice(source or ("visit" if visit else "grid"), "--source", SOURCES)
    if bool(household) == bool(unit):
        raise BadInput("required", field="--household | --unit", accepted=Text("acc_one_place"))
    if household:
        home = on_register(ledger.household(household, "--household"))  # 销户: no new items
        household_id, unit_code = home.id, home.unit
    else:
        household_id, unit_code = None, territorial(ledger.unit(unit or "", "--unit"), "--unit").code
    created_at = at or F.timestamp()
    created = created or created_at[:10]
    if due is not None:
        due = F.parse_date(due, "--due")
    assign_by, due = deadlines(kind, created, due, ledger.config)
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
        "late": late,
    }
    entry = new_entry(tx.actor.id, "create", values, created_at)
    check_policy(None, entry, ledger.config, tx.actor)
    item = replace(apply(None, entry), history=(entry,))
    tx.put(layout.item_path(item_id, created), dump_item(item))
    return replace(item, source=None)


def _subject(item: Item) -> str:
    desc = item.desc.splitlines()[0]
    return f"{item.id} {desc[:30]}"


def add_item(ledger: Ledger, actor: str | None, **values: Any) -> Item:
    with ledger.transaction(actor, "issue.add") as tx:
        if values.get("visit"):
            from ..read.visits import resolve_visit

            values["visit"], visited = resolve_visit(ledger, values["visit"])
            if (
                values.get("household")
                and visited
                and ledger.resolve("H", values["household"], "--household") != visited
            ):
                raise BadInput("visit_household", visit=values["visit"], household=visited)
        item = new_item(tx, **values)
        tx.commit(subject("issue.add", item=_subject(item)), [item.id], at=values.get("at"))
    return item


def _transition(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    op: str,
    values: dict[str, Any],
    at: str | None = None,
    **subject_params: str,
) -> Item:
    """One workflow step as one commit, its subject from the table of operations."""
    with ledger.transaction(actor, f"issue.{op}") as tx:
        item = ledger.item(ref)
        updated = tx.advance(item, op, values, at)
        message = subject(f"issue.{op}", item=_subject(item), **subject_params)
        tx.commit(message, [item.id], at=updated.history[-1].at)
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
    return _transition(ledger, actor, ref, "assign", values, at, leader=leader_cadre.name, due=due)


def progress(ledger: Ledger, actor: str | None, ref: str, note: str | None, at: str | None = None) -> Item:
    return _transition(ledger, actor, ref, "progress", {"note": F.text(note, "--note")}, at)


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
        at,
        level=label,
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
        at,
        how=label,
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
        at,
        result=label,
    )


def close(
    ledger: Ledger, actor: str | None, ref: str, reason: str | None = None, at: str | None = None
) -> Item:
    return _transition(
        ledger, actor, ref, "close", {"reason": F.text(reason, "--reason", required=False)}, at
    )


def reopen(ledger: Ledger, actor: str | None, ref: str, reason: str | None, at: str | None = None) -> Item:
    return _transition(ledger, actor, ref, "reopen", {"reason": F.text(reason, "--reason")}, at)


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
        at,
        due=new_due,
    )


def _active(cadre: Cadre) -> Cadre:
    if cadre.status != "active":
        raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
    return cadre


def claim(ledger: Ledger, actor: str | None, ref: str, by: str, at: str | None = None) -> Item:
    cadre = _active(ledger.cadre(by, "--by"))
    return _transition(ledger, actor, ref, "claim", {"by": cadre.id}, at, name=cadre.name)


def edit(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    desc: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    ledger_name: str | None = None,
    household: str | None = None,
    unit: str | None = None,
    late: str | None = None,
    at: str | None = None,
) -> Item:
    """更正: correct what was recorded wrongly. The history keeps the old values; the entry carries the new ones and
    the reason. Only what differs from the item is recorded (an "edit" that changes nothing is refused)."""
    if household and unit:
        raise BadInput("required", field="--household | --unit", accepted=Text("acc_at_most_one_place"))
    wanted: dict[str, Any] = {}
    if desc is not None:
        wanted["desc"] = F.text(desc, "--desc")
    if category is not None:
        wanted["category"] = F.choice(category, "--category", CATEGORIES)
    if kind is not None:
        wanted["kind"] = F.choice(kind, "--kind", ITEM_KINDS)
    if ledger_name is not None:
        wanted["ledger"] = F.choice(ledger_name, "--ledger", LEDGERS)
    if household:
        home = on_register(ledger.household(household, "--household"))
        wanted["household"], wanted["unit"] = home.id, home.unit
    elif unit:
        wanted["unit"] = territorial(ledger.unit(unit, "--unit"), "--unit").code
    why = F.text(reason, "--reason")
    with ledger.transaction(actor, "issue.edit") as tx:
        item = ledger.item(ref)
        changes = {key: value for key, value in wanted.items() if getattr(item, key) != value}
        if unit and item.household is not None:
            changes["unit"] = wanted["unit"]  # a household's item moved to a unit: the household goes too
        if "household" in changes:
            changes["unit"] = wanted["unit"]
        what = "、".join(f"{key} {getattr(item, key) or '—'} → {value}" for key, value in changes.items())
        # Registered in a reported month: correcting it changes that month's figures (补录 to do so).
        marker = require_open(ledger, item.created, item.unit, late, field=item.id)
        if "unit" in changes:
            marker = require_open(ledger, item.created, changes["unit"], late, field=item.id) or marker
        updated = tx.advance(item, "edit", {**changes, "reason": why, "late": marker}, at)
        tx.commit(
            subject("issue.edit", item=_subject(item), what=what[:60]), [item.id], at=updated.history[-1].at
        )
    return updated


def void(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    reason: str | None,
    late: str | None = None,
    at: str | None = None,
) -> Item:
    """作废: withdraw a duplicate or mistaken item. It leaves every count, list and funnel; its file and history
    stay, and `issue show` / `issue list --all` still show it, marked 已作废."""
    why = F.text(reason, "--reason")
    assert why is not None
    with ledger.transaction(actor, "issue.void") as tx:
        item = ledger.item(ref)
        marker = require_open(ledger, item.created, item.unit, late, field=item.id)
        updated = tx.advance(item, "void", {"reason": why, "late": marker}, at)
        tx.commit(
            subject("issue.void", item=_subject(item), reason=why[:40]), [item.id], at=updated.history[-1].at
        )
    return updated
