"""The registers' record kinds, pure: how a cadre's and a household's history replays into its snapshot, and
the org tree's code lengths. `apply_*` is the one place that says what each op does; store, check, audit and the
merge driver all replay through it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .errors import BadInput, Refused
from .messages import Text, label
from .model import (
    INDICATORS,
    Cadre,
    HistoryEntry,
    Household,
    Unit,
)
from .operations import require_fields

# Code lengths per level (GB/T 2260 county + statistical division codes); a child's code extends its parent's.
# A department's code is the county's, `D` and 2–3 digits (core/orgtree.py: DEPARTMENT_CODE).
CODE_LENGTHS = {"county": (6,), "township": (9,), "village": (12,), "group": (14, 15), "department": (9, 10)}


PARENT_LEVEL = {"township": "county", "village": "township", "group": "village", "department": "county"}

# What `cadre edit` and `household edit` may correct (更正, issue 15); each entry also carries a reason.
CADRE_EDITABLE = ("name", "title", "phone", "phone_hash")
HOUSEHOLD_EDITABLE = ("head", "members", "group", "register_no")


def _refuse_nothing(record_id: str, state: str, op: str) -> Refused:
    return Refused("transition", item=record_id, state=state, op=op, hint=Text("hint_edit_nothing_register"))


def apply_cadre(cadre: Cadre | None, entry: HistoryEntry) -> Cadre:
    require_fields("cadre", cadre.id if cadre else "?", cadre.status if cadre else "-", entry)
    f = entry.fields
    if entry.op == "create":
        return Cadre(
            id=f["id"],
            name=f["name"],
            unit=str(f["unit"]),
            role=f["role"],
            title=f.get("title"),
            phone=f.get("phone"),
            phone_hash=f.get("phone_hash"),
            registered=f.get("registered"),
            department=f.get("department"),
        )
    if cadre is None:
        raise Refused("transition", item="?", state="-", op=entry.op, hint=Text("hint_start_create"))
    if entry.op == "set":
        changes: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in f.items()}
        return replace(cadre, **changes)
    if entry.op == "recall":
        if cadre.status == "recalled":
            raise Refused("already_recalled", cadre=cadre.id)
        return replace(cadre, status="recalled", recall_reason=f.get("reason"))
    if entry.op == "pair":
        if f["household"] in cadre.pairings:
            raise Refused("already_paired", cadre=cadre.id, household=f["household"])
        return replace(cadre, pairings=tuple(sorted(cadre.pairings + (f["household"],))))
    if entry.op == "unpair":
        if f["household"] not in cadre.pairings:
            raise Refused("not_paired", cadre=cadre.id, household=f["household"])
        return replace(cadre, pairings=tuple(h for h in cadre.pairings if h != f["household"]))
    if entry.op == "key_add":
        return replace(cadre, keys=cadre.keys + (f["key"],))
    if entry.op == "edit":
        # 更正: the entry carries only what differs, and why; the old values stay in the entries before it.
        changes = {key: f[key] for key in CADRE_EDITABLE if key in f}
        if not changes:
            raise _refuse_nothing(cadre.id, cadre.status, entry.op)
        return replace(cadre, **changes)
    if entry.op == "post":
        # 驻村 (issue 18): posted to a village from this day on, for the department named (or the one they have).
        village = str(f["village"])
        department = f.get("department") or cadre.department
        if village == cadre.posted and department == cadre.department:
            raise Refused(
                "transition", item=cadre.id, state=cadre.status, op=entry.op, hint=Text("hint_same_posting")
            )
        return replace(cadre, posted=village, department=department)
    if entry.op == "move":
        # 调动: a new unit from this day on. Pairings the move hands over leave through the unpair entries after it.
        if str(f["unit"]) == cadre.unit:
            raise Refused(
                "transition", item=cadre.id, state=cadre.status, op=entry.op, hint=Text("hint_same_unit")
            )
        return replace(cadre, unit=str(f["unit"]))
    raise Refused(
        "transition",
        item=cadre.id,
        state=cadre.status,
        op=entry.op,
        hint=Text("hint_unknown_op", op=entry.op),
    )


def in_service(unit: Unit, field: str) -> Unit:
    """A unit that may still receive households, cadres, items and children: not retired by `org merge` (撤并). A
    retired unit stays in org/units.yaml for history and its code is never reused."""
    if unit.retired:
        raise BadInput(
            "unit_retired",
            field=field,
            value=unit.code,
            name=unit.name,
            day=unit.retired,
            into=unit.merged_into or "-",
        )
    return unit


def territorial(unit: Unit, field: str) -> Unit:
    """A unit of the territorial tree in service (issue 18): a department (帮扶单位) sends cadres but is where no cadre
    works, no household lives, no activity is held and no item is filed (it is named by `--department` instead)."""
    if unit.level == "department":
        raise BadInput(
            "wrong_level", field=field, value=unit.code, actual=label("department"), expected=label("village")
        )
    return in_service(unit, field)


def on_register(home: Household) -> Household:
    """A household still on the register. A removed one (销户) keeps its history and nothing more happens to it:
    apply_household refuses its ops, and visits and new items call this before naming it."""
    if home.removed:
        raise Refused("household_removed", household=home.id, head=home.head, day=home.removed)
    return home


def apply_household(home: Household | None, entry: HistoryEntry) -> Household:
    require_fields("household", home.id if home else "?", home.status if home else "-", entry)
    f = entry.fields
    if entry.op == "create":
        return Household(
            id=f["id"],
            head=f["head"],
            village=str(f["village"]),
            group=f.get("group"),
            members=int(f.get("members", 1)),
            status=f.get("status", "general"),
            id_number=f.get("id_number"),
            id_hash=f.get("id_hash"),
            phone=f.get("phone"),
            phone_hash=f.get("phone_hash"),
            register_no=f.get("register_no"),
            indicators={name: "ok" for name in INDICATORS},
            registered=f.get("registered"),
            member_hashes=tuple(f["member_hashes"]) if f.get("member_hashes") else None,
        )
    if home is None:
        raise Refused("transition", item="?", state="-", op=entry.op, hint=Text("hint_start_create"))
    on_register(home)
    if entry.op == "set":
        changes = dict(f)
        indicators = dict(home.indicators)
        indicators.update(changes.pop("indicators", {}) or {})
        return replace(home, indicators=indicators, **changes)
    if entry.op == "pair":
        if f["cadre"] in home.pairings:
            raise Refused("already_paired", cadre=f["cadre"], household=home.id)
        return replace(home, pairings=tuple(sorted(home.pairings + (f["cadre"],))))
    if entry.op == "unpair":
        if f["cadre"] not in home.pairings:
            raise Refused("not_paired", cadre=f["cadre"], household=home.id)
        return replace(home, pairings=tuple(c for c in home.pairings if c != f["cadre"]))
    if entry.op == "edit":
        changes = {key: f[key] for key in HOUSEHOLD_EDITABLE if key in f}
        if not changes:
            raise _refuse_nothing(home.id, home.status, entry.op)
        if "members" in changes:
            changes["members"] = int(changes["members"])
        return replace(home, **changes)
    if entry.op == "move":
        # 搬迁: another village from this day on (the file moves to that village's directory with it), or another
        # group of the same village named by the move (org merge of a group into a group beside it).
        if str(f["village"]) == home.village and (not f.get("group") or f.get("group") == home.group):
            raise Refused(
                "transition", item=home.id, state=home.status, op=entry.op, hint=Text("hint_same_village")
            )
        return replace(home, village=str(f["village"]), group=f.get("group"))
    if entry.op == "remove":
        if home.pairings:
            # Pairings end first (household unpair, or cadre move --hand-over-to): a removed household is in no
            # cadre's list of pairings.
            raise Refused("remove_paired", household=home.id, cadres=", ".join(home.pairings))
        return replace(home, removed=entry.at[:10], remove_reason=f["reason"])
    raise Refused(
        "transition", item=home.id, state=home.status, op=entry.op, hint=Text("hint_unknown_op", op=entry.op)
    )
