"""The registers: org tree, cadres, households and their pairings (结对认亲). Cadres and households are entity files
whose snapshot is the replay of their `history:`, like items."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core import config as config_mod
from ..core import fields as F
from ..core import ids, layout, pii, yamlio
from ..core.errors import AlreadyExists, BadInput, EnvironmentProblem, NotFound, Refused
from ..core.layout import AUTHOR_DOMAIN, gitattributes
from ..core.messages import Text, label
from ..core.model import (
    CADRE_STATUS,
    HOUSEHOLD_STATUS,
    INDICATOR_VALUES,
    INDICATORS,
    OPEN_STATES,
    REMOVE_REASONS,
    ROLES,
    Cadre,
    Household,
    Item,
    Unit,
)
from ..core.operations import INIT_OP, commit_message, new_entry, subject
from ..core.orgtree import department_county, names_of, read_code, short_name
from ..core.registers import (
    CODE_LENGTHS,
    PARENT_LEVEL,
    apply_cadre,
    apply_household,
    in_service,
    on_register,
    territorial,
)
from ..repo import git
from ..repo.drivers import register_merge_drivers
from ..repo.store import (
    CONFIG_FILE,
    STATE_DIR,
    UNITS_FILE,
    Ledger,
    PlumbingCommitter,
    Transaction,
    atomic_write,
    dump_record,
    find_root,
    tune_git,
)

# ---------------------------------------------------------------- replay


# ---------------------------------------------------------------- init


def init(
    path: str, county_code: str, county_name: str, admin_name: str | None, at: str | None = None
) -> Ledger:
    """Create a ledger repo with config, org root, merge attributes, the first admin cadre and one commit."""

    root = Path(path)
    if (root / CONFIG_FILE).exists():
        raise BadInput("already_ledger", path=str(root))
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise BadInput("not_empty", path=str(root))
    # A ledger nested in another's working tree would be committed into neither and break check/sync there.
    enclosing = find_root(root.resolve().parent)
    if enclosing is not None:
        raise BadInput("inside_ledger", path=str(root), ledger=str(enclosing))
    code = (county_code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        raise BadInput("bad_code", field="--county-code", value=county_code, accepted=Text("acc_county_code"))
    name = F.name(county_name, "--county-name")
    admin = admin_name or _git_user_name() or "管理员"
    admin = F.name(admin, "--admin-name")
    created_dir = not root.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem("io_failed", detail=str(exc)) from None
    initialized = git.run(root, "init", "-q", "-b", "main", ".")
    if initialized.returncode != 0:
        raise EnvironmentProblem("io_failed", detail=git.last_line(initialized))
    ledger = Ledger(root.resolve())
    try:
        tune_git(ledger)
        state = ledger.state_dir
        (state / "secret").write_text(secrets.token_hex(32) + "\n")
        (state / "secret").chmod(0o600)
        admin_id = ids.new_id("C")
        files = {
            CONFIG_FILE: yamlio.dump(config_mod.initial(code, name)),
            UNITS_FILE: yamlio.dump({"county": {"code": code, "name": name}, "units": []}),
            ".gitattributes": gitattributes(),
        }
        entry = new_entry(
            admin_id, "create", {"id": admin_id, "name": admin, "unit": code, "role": "admin"}, at
        )
        cadre = replace(apply_cadre(None, entry), history=(entry,))
        files[layout.cadre_path(admin_id)] = dump_record(cadre)
        writes: dict[str, bytes | None] = {}
        for rel, text in files.items():
            content = text.encode("utf-8")
            atomic_write(root / rel, content)
            writes[rel] = content
        message = commit_message(subject(INIT_OP, name=name, code=code), INIT_OP, [admin_id], admin_id)
        PlumbingCommitter(ledger).commit(
            writes, message, (admin, f"{admin_id}@{AUTHOR_DOMAIN}"), at or F.timestamp()
        )
        ledger.git("config", "minqing.user", admin_id)
        register_merge_drivers(ledger)
    except BaseException:
        if created_dir:
            import shutil

            shutil.rmtree(root, ignore_errors=True)
        raise
    return ledger


def _git_user_name() -> str | None:
    try:
        return git.run(".", "config", "user.name").stdout.strip() or None
    except EnvironmentProblem:
        return None


# ---------------------------------------------------------------- org


def validate_unit_code(
    ledger: Ledger, code: str, level: str | None, parent: str | None
) -> tuple[str, str, Unit]:
    """(code, level, parent unit) of a unit to add. Level and parent are read from the code when left out (issue
    16), and the bureau's 12-digit township form `CCCCCCTTT000` is the township `CCCCCCTTT`."""
    text = (code or "").strip()
    if level is not None and str(level).strip():
        level = F.choice(level, "--level", ("township", "village", "group", "department"))
    if department_county(text) or level == "department":
        return _department_code(ledger, text, level, parent)
    says = read_code(text)
    if level is not None and str(level).strip():
        lengths = CODE_LENGTHS[level]
        accepted = Text("acc_code_digits", digits="/".join(str(n) for n in lengths))
        if says is None or says.level == "county":
            raise BadInput("bad_code", field="CODE", value=text, accepted=accepted)
        if says.level != level:
            raise BadInput("unit_level_code", field="CODE", value=text, actual=says.level, expected=level)
    elif says is None or says.level == "county":
        raise BadInput("unit_no_level", field="CODE", value=text)
    code, level = says.code, says.level
    if parent is None or not str(parent).strip():
        parent = says.parent or ""
        if parent not in ledger.units():
            raise BadInput("unit_parent_missing", field="CODE", value=text, parent=parent)
    parent_unit = in_service(ledger.unit(parent, "--parent", PARENT_LEVEL[level]), "--parent")
    if parent_unit.level != PARENT_LEVEL[level]:
        raise BadInput(
            "wrong_level",
            field="--parent",
            value=parent,
            actual=parent_unit.level,
            expected=PARENT_LEVEL[level],
        )
    if not code.startswith(parent_unit.code):
        raise BadInput(
            "bad_code",
            field="CODE",
            value=text,
            accepted=Text("acc_code_prefix", code=parent_unit.code),
        )
    if code in ledger.units():
        in_service(ledger.units()[code], "CODE")  # a retired code is never reused: say so
        raise AlreadyExists("code_exists", value=code, name=ledger.units()[code].name)
    return code, level, parent_unit


def _department_code(
    ledger: Ledger, text: str, level: str | None, parent: str | None
) -> tuple[str, str, Unit]:
    """A helping unit (帮扶单位, issue 18): the county's code, `D` and 2–3 digits, under the county itself and never
    under a township (it is outside the territorial tree: its cadres are posted to villages with `cadre post`)."""
    county = ledger.config.county_code
    code = unicodedata.normalize("NFKC", text).strip().upper()
    if level and level != "department":
        raise BadInput("unit_level_code", field="CODE", value=text, actual="department", expected=level)
    if department_county(code) != county:
        raise BadInput(
            "bad_code", field="CODE", value=text, accepted=Text("acc_department_code", county=county)
        )
    if parent is not None and str(parent).strip() and str(parent).strip() != county:
        raise BadInput("bad_value", field="--parent", value=parent, accepted=county)
    if code in ledger.units():
        raise AlreadyExists("code_exists", value=code, name=ledger.units()[code].name)
    return code, "department", ledger.units()[county]


def new_unit(code: str, official: str, level: str, parent: str) -> Unit:
    """A unit with the short name offices use and, when it differs, the official name it was given."""
    short = short_name(official)
    return Unit(code, short, level, parent, official=official if official != short else None)


def add_unit(
    ledger: Ledger,
    actor: str | None,
    code: str,
    name: str,
    level: str | None = None,
    parent: str | None = None,
    at: str | None = None,
) -> Unit:
    with ledger.transaction(actor, "org.add") as tx:
        code, level, parent_unit = validate_unit_code(ledger, code, level, parent)
        official = F.name(name, "NAME")
        unit = new_unit(code, official, level, parent_unit.code)
        data = ledger.read_yaml(UNITS_FILE) or {}
        units = [u for u in data.get("units") or []]
        units.append(unit.to_dict())
        units.sort(key=lambda u: str(u["code"]))
        data["units"] = units
        tx.put(UNITS_FILE, yamlio.dump(data))
        tx.commit(subject("org.add", code=unit.code, name=unit.name), [unit.code], at=at)
    return unit


def alias_unit(ledger: Ledger, actor: str | None, code: str, alias: str) -> Unit:
    """别名 (issue 16): another name the unit answers to (`aliases`, after its earlier names). Refused when it is
    already a name of this unit or of another unit of its level under the same parent."""
    name = F.name(alias, "ALIAS")
    with ledger.transaction(actor, "org.alias") as tx:
        unit = in_service(_merged_unit(ledger, code, "CODE"), "CODE")
        for other in ledger.units().values():
            beside = other.parent == unit.parent and other.level == unit.level
            same_place = other.code == unit.code or beside
            if same_place and name in names_of(other):
                raise BadInput("alias_taken", value=name, code=other.code, name=other.name)
        data, by_code = _units_data(ledger)
        raw = by_code[unit.code]
        raw["aliases"] = [*(raw.get("aliases") or []), name]
        tx.put(UNITS_FILE, yamlio.dump(data))
        tx.commit(subject("org.alias", code=unit.code, name=unit.name, alias=name), [unit.code])
    return replace(unit, aliases=tuple(raw["aliases"]))


# ---------------------------------------------------------------- cadres


def add_cadre(
    ledger: Ledger,
    actor: str | None,
    *,
    name: str,
    unit: str,
    role: str,
    title: str | None = None,
    phone: str | None = None,
    department: str | None = None,
    at: str | None = None,
) -> Cadre:
    with ledger.transaction(actor, "cadre.add") as tx:
        clean_name = F.name(name, "--name")
        unit_code = territorial(ledger.unit(unit), "--unit").code
        role = F.choice(role, "--role", ROLES)
        values: dict[str, Any] = {
            "name": clean_name,
            "unit": unit_code,
            "role": role,
            "title": F.text(title, "--title", limit=F.MAX_NAME, required=False),
            "department": helping_unit(ledger, department).code if department else None,
        }
        if phone:
            number = F.phone(phone)
            values.update(phone=pii.mask_phone(number), phone_hash=_kept(ledger, number))
        cadre_id = ledger.new_id("C")
        entry = new_entry(tx.actor.id, "create", {"id": cadre_id, **values}, at)
        cadre = replace(apply_cadre(None, entry), history=(entry,))
        tx.put(layout.cadre_path(cadre_id), dump_record(cadre))
        tx.commit(subject("cadre.add", id=cadre_id, name=clean_name, role=role), [cadre_id], at=entry.at)
    return cadre


def helping_unit(ledger: Ledger, ref: str | None, field: str = "--department") -> Unit:
    """The department (帮扶单位/后盾单位) a code or a name means; any other unit is refused naming its level."""
    unit = ledger.unit(ref or "", field, "department")
    if unit.level != "department":
        raise BadInput(
            "wrong_level", field=field, value=ref, actual=label(unit.level), expected=label("department")
        )
    return in_service(unit, field)


def post_cadre(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    village: str | None,
    department: str | None = None,
    reason: str | None = None,
    at: str | None = None,
) -> Cadre:
    """驻村 (issue 18): a cadre posted to a village (first secretary, work team) from today, for their department
    (named here when the roster had none, or changed). One operation, one commit: `cadre.post`."""
    with ledger.transaction(actor, "cadre.post") as tx:
        cadre = ledger.cadre(ref, "ID")
        if cadre.status != "active":
            raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
        place = in_service(ledger.unit(village or "", "--village", "village"), "--village")
        if place.level != "village":
            raise BadInput(
                "wrong_level",
                field="--village",
                value=village,
                actual=label(place.level),
                expected=label("village"),
            )
        dept = helping_unit(ledger, department) if department else None
        if dept is None and not cadre.department:
            raise BadInput("required", field="--department", accepted=Text("acc_department_for_post"))
        values = {
            "village": place.code,
            "department": dept.code if dept and dept.code != cadre.department else None,
            "reason": F.text(reason, "--reason", required=False),
        }
        updated = tx.advance(cadre, "post", values, at)
        named = f"（{dept.name}）" if dept else ""
        tx.commit(
            subject("cadre.post", id=cadre.id, name=cadre.name, village=place.name, department=named),
            [cadre.id],
            at=updated.history[-1].at,
        )
    return updated


def recall_cadre(
    ledger: Ledger, actor: str | None, ref: str, reason: str | None, at: str | None = None
) -> Cadre:
    with ledger.transaction(actor, "cadre.recall") as tx:
        cadre = ledger.cadre(ref, "ID")
        if cadre.role == "admin" and cadre.status == "active":
            # Recalling the last active admin would leave nobody who may add units or admins: a locked ledger.
            others = [c.id for c in ledger.iter_cadres() if c.role == "admin" and c.status == "active"]
            if others == [cadre.id]:
                raise Refused("last_admin", cadre=cadre.id, name=cadre.name)
        updated = tx.advance(cadre, "recall", {"reason": F.text(reason, "--reason")}, at)
        tx.commit(
            subject("cadre.recall", id=cadre.id, name=cadre.name), [cadre.id], at=updated.history[-1].at
        )
    return updated


# ---------------------------------------------------------------- households


def add_household(
    ledger: Ledger,
    actor: str | None,
    *,
    head: str,
    village: str,
    group: str | None = None,
    members: int | str | None = 1,
    status: str | None = "general",
    id_number: str | None = None,
    phone: str | None = None,
    register_no: str | None = None,
    registered: str | None = None,
    at: str | None = None,
    tx: Transaction | None = None,
) -> Household:
    if tx is None:
        with ledger.transaction(actor, "household.add") as own:
            home = add_household(
                ledger,
                actor,
                head=head,
                village=village,
                group=group,
                members=members,
                status=status,
                id_number=id_number,
                phone=phone,
                register_no=register_no,
                registered=registered,
                at=at,
                tx=own,
            )
            own.commit(subject("household.add", id=home.id, head=home.head), [home.id], at=home.history[0].at)
        return home
    village_unit = in_service(ledger.unit(village, "--village", "village"), "--village")
    if village_unit.level != "village":
        raise BadInput(
            "wrong_level", field="--village", value=village, actual=village_unit.level, expected="village"
        )
    group_code = None
    if group:
        group_unit = in_service(ledger.unit(group, "--group", "group", village_unit.code), "--group")
        if group_unit.level != "group" or group_unit.parent != village_unit.code:
            raise BadInput(
                "bad_code",
                field="--group",
                value=group,
                accepted=Text("acc_group_of", code=village_unit.code),
            )
        group_code = group_unit.code
    values: dict[str, Any] = {
        "head": F.name(head, "--head"),
        "village": village_unit.code,
        "group": group_code,
        "members": F.positive_int(members if members is not None else 1, "--members", 1, 50),
        "status": F.choice(status or "general", "--status", HOUSEHOLD_STATUS),
        "register_no": F.text(register_no, "--register-no", limit=F.MAX_NAME, required=False),
        "registered": F.parse_date(registered, "--registered", allow_future=False) if registered else None,
    }
    secret = ledger.secret()
    if id_number:
        number = F.id_number(id_number)
        digest = pii.keyed_hash(secret, number)
        existing = find_by_id_hash(ledger, digest)
        if existing:
            raise AlreadyExists(
                "duplicate", field="--id-number", value=pii.mask_id_number(number), existing=existing
            )
        values.update(id_number=pii.mask_id_number(number), id_hash=_kept(ledger, number))
    if phone:
        number = F.phone(phone)
        values.update(phone=pii.mask_phone(number), phone_hash=_kept(ledger, number))
    home_id = ledger.new_id("H")
    entry = new_entry(tx.actor.id, "create", {"id": home_id, **values}, at)
    home = replace(apply_household(None, entry), history=(entry,))
    tx.put(layout.household_path(village_unit.code, home_id), dump_record(home))
    return home


def _kept(ledger: Ledger, number: str) -> str:
    """The keyed hash written to the file; the full value stays in this machine's vault (privacy.py), never in git,
    so `--unmask` can show it here to the roles allowed."""
    from ..repo import privacy

    digest = pii.keyed_hash(ledger.secret(), number)
    privacy.remember(ledger, digest, number)
    return digest


def find_by_id_hash(ledger: Ledger, digest: str) -> str | None:
    for home in ledger.iter_households():
        if home.id_hash == digest or digest in (home.member_hashes or ()):
            return home.id
    return None


def find_household(ledger: Ledger, id_number: str) -> Household:
    number = F.id_number(id_number)
    found = find_by_id_hash(ledger, pii.keyed_hash(ledger.secret(), number))
    if not found:
        raise NotFound("not_found", kind="household", value=pii.mask_id_number(number))
    return ledger.household(found)


def set_household(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    indicators: dict[str, str | None],
    status: str | None = None,
    members: int | str | None = None,
    phone: str | None = None,
    at: str | None = None,
) -> Household:
    with ledger.transaction(actor, "household.set") as tx:
        home = ledger.household(ref, "ID")
        changes: dict[str, Any] = {}
        chosen = {
            name: F.choice(value, f"--{name}", INDICATOR_VALUES)
            for name, value in indicators.items()
            if value is not None
        }
        for name in chosen:
            if name not in INDICATORS:
                raise BadInput("bad_value", field="indicator", value=name, accepted="|".join(INDICATORS))
        if chosen:
            changes["indicators"] = chosen
        if status is not None:
            changes["status"] = F.choice(status, "--status", HOUSEHOLD_STATUS)
        if members is not None:
            changes["members"] = F.positive_int(members, "--members", 1, 50)
        if phone:
            number = F.phone(phone)
            changes.update(phone=pii.mask_phone(number), phone_hash=_kept(ledger, number))
        if not changes:
            raise BadInput(
                "required",
                field="--food|--clothing|…|--status|--members|--phone",
                accepted=Text("acc_one_change"),
            )
        updated = tx.advance(home, "set", changes, at)
        tx.commit(subject("household.set", id=home.id, head=home.head), [home.id], at=updated.history[-1].at)
    return updated


# ---------------------------------------------------------------- pairing (结对认亲)


def pair(
    ledger: Ledger,
    actor: str | None,
    cadre_ref: str,
    household_ref: str,
    undo: bool = False,
    at: str | None = None,
) -> tuple[Cadre, Household]:
    op = "unpair" if undo else "pair"
    with ledger.transaction(actor, f"household.{op}") as tx:
        cadre = ledger.cadre(cadre_ref, "CADRE")
        home = ledger.household(household_ref, "HOUSEHOLD")
        if not undo and cadre.status != "active":
            raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
        when = at or F.timestamp()
        new_cadre = tx.advance(cadre, op, {"household": home.id}, when)
        new_home = tx.advance(home, op, {"cadre": cadre.id}, when)
        message = subject(f"household.{op}", cadre=cadre.name, head=home.head, id=home.id)
        tx.commit(message, [cadre.id, home.id], at=when)
    return new_cadre, new_home


# ---------------------------------------------------------------- corrections (issue 15)

# Items a household still has to finish: open, or resolved and waiting for feedback and 销号.
UNFINISHED = (*OPEN_STATES, "resolved")
# Cases a cadre leads and can hand over (item `hand_over`, core/items.py).
HANDED_OVER = ("assigned", "in_progress")


@dataclass(frozen=True)
class Moved:
    """What a move (搬迁 / 调动) leaves for the clerk to look at: the open items and pairings, kept or handed over."""

    record: Any  # the household or cadre as it is now
    items: tuple[Item, ...]  # open items (a household's unfinished items, a cadre's open cases)
    pairings: tuple[str, ...]  # the pairings it had
    handed_to: Cadre | None = None  # cadre move --hand-over-to: who took over the cases and pairings


def _item_ids(ledger: Ledger, column: str, value: str, states: tuple[str, ...]) -> list[str]:
    """Ids of current items whose `column` (household or leader) is `value`, in `states`, from the index (voided
    items are not in its items table). The caller reads each file again, verified, before building on it."""
    from ..read.index import Index

    marks = ", ".join("?" * len(states))
    with Index.open(ledger) as index:
        rows = index.conn.execute(
            f"SELECT id FROM items WHERE {column} = ? AND state IN ({marks}) ORDER BY created, id",  # noqa: S608
            [value, *states],
        ).fetchall()
    return [row[0] for row in rows]


def _group_of(ledger: Ledger, group: str, village: str) -> str:
    unit = in_service(ledger.unit(group, "--group", "group", village), "--group")
    if unit.level != "group" or unit.parent != village:
        raise BadInput("bad_code", field="--group", value=group, accepted=Text("acc_group_of", code=village))
    return unit.code


def _changes_text(record: Any, changes: dict[str, Any]) -> str:
    shown = {k: v for k, v in changes.items() if not k.endswith("_hash")}
    return "、".join(f"{key} {getattr(record, key) or '—'} → {value}" for key, value in shown.items())[:60]


def edit_household(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    head: str | None = None,
    members: int | str | None = None,
    group: str | None = None,
    register_no: str | None = None,
    at: str | None = None,
) -> Household:
    """更正: what was recorded wrongly about a household. Only what differs is recorded, with the reason; the
    history keeps the old values. A group must be one of the household's own village (moving: household move)."""
    if head is None and members is None and group is None and register_no is None:
        raise BadInput(
            "required",
            field="--head|--members|--group|--register-no",
            accepted=Text("acc_one_correction", options="--head --members --group --register-no"),
        )
    wanted: dict[str, Any] = {}
    if head is not None:
        wanted["head"] = F.name(head, "--head")
    if members is not None:
        wanted["members"] = F.positive_int(members, "--members", 1, 50)
    if register_no is not None:
        wanted["register_no"] = F.text(register_no, "--register-no", limit=F.MAX_NAME)
    why = F.text(reason, "--reason")
    with ledger.transaction(actor, "household.edit") as tx:
        home = on_register(ledger.household(ref, "ID"))
        if group is not None:
            wanted["group"] = _group_of(ledger, group, home.village)
        changes = {key: value for key, value in wanted.items() if getattr(home, key) != value}
        what = _changes_text(home, changes)
        updated = tx.advance(home, "edit", {**changes, "reason": why}, at)
        tx.commit(
            subject("household.edit", id=home.id, head=home.head, what=what),
            [home.id],
            at=updated.history[-1].at,
        )
    return updated


def move_household(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    village: str | None,
    reason: str | None,
    group: str | None = None,
    at: str | None = None,
) -> Moved:
    """搬迁: the household lives in another village from today. Its file moves to that village's directory in the
    same commit (households/<village>/H-….yaml). Its items keep their unit (where they were raised: history) and
    its pairings stay; both are returned so the clerk can decide (issue edit, household unpair)."""
    new_village = in_service(ledger.unit(village or "", "--village", "village"), "--village")
    if new_village.level != "village":
        raise BadInput(
            "wrong_level", field="--village", value=village, actual=new_village.level, expected="village"
        )
    group_code = _group_of(ledger, group, new_village.code) if group else None
    why = F.text(reason, "--reason")
    with ledger.transaction(actor, "household.move") as tx:
        home = on_register(ledger.household(ref, "ID"))
        updated = _move_home(tx, home, new_village.code, group_code, why, at)
        items = tuple(ledger.item(q) for q in _item_ids(ledger, "household", home.id, UNFINISHED))
        tx.commit(
            subject("household.move", id=home.id, head=home.head, old=home.village, village=new_village.code),
            [home.id],
            at=updated.history[-1].at,
        )
    return Moved(updated, items, home.pairings)


def _move_home(
    tx: Transaction, home: Household, village: str, group: str | None, why: str | None, at: str | None
) -> Household:
    """A household's `move` entry, its file written at the new village's path and the old path deleted (household
    move, org merge)."""
    assert home.source is not None
    old_path = home.source.path
    updated = tx.advance(home, "move", {"village": village, "group": group, "reason": why}, at)
    new_path = layout.household_path(village, home.id)
    if new_path != old_path:
        tx.put(new_path, dump_record(updated))
        tx.remove(old_path)
    return updated


def remove_household(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    note: str | None = None,
    transfer_to: str | None = None,
    at: str | None = None,
) -> Moved:
    """销户: the household leaves the register (and every count) from today; its file and history stay. Refused
    while it is paired or has unfinished items, unless `transfer_to` names the household its items move to
    (each an item `edit` with a reason, in the same commit)."""
    code = F.choice(reason, "--reason", REMOVE_REASONS)
    clean_note = F.text(note, "--note", required=False)
    with ledger.transaction(actor, "household.remove") as tx:
        home = on_register(ledger.household(ref, "ID"))
        target = None
        if transfer_to is not None:
            target = on_register(ledger.household(transfer_to, "--transfer-to"))
            if target.id == home.id:
                raise BadInput(
                    "bad_value",
                    field="--transfer-to",
                    value=transfer_to,
                    accepted=Text("acc_other_household"),
                )
        if home.pairings:
            raise Refused("remove_paired", household=home.id, cadres=", ".join(home.pairings))
        items = [ledger.item(q) for q in _item_ids(ledger, "household", home.id, UNFINISHED)]
        if items and target is None:
            raise Refused("remove_unfinished", household=home.id, items=", ".join(item.id for item in items))
        when = at or F.timestamp()
        moved = []
        for item in items:
            assert target is not None
            why = f"{home.id} 销户（{label(code)}），事项转给 {target.id} {target.head}"
            moved.append(
                tx.advance(item, "edit", {"household": target.id, "unit": target.unit, "reason": why}, when)
            )
        values = {"reason": code, "note": clean_note, "transfer_to": target.id if target and items else None}
        updated = tx.advance(home, "remove", values, when)
        shown = f"，{len(moved)} 项事项转给 {target.id}" if target and moved else ""
        tx.commit(
            subject("household.remove", id=home.id, head=home.head, reason=label(code), moved=shown),
            [home.id, *(item.id for item in moved)],
            at=when,
        )
    return Moved(updated, tuple(moved), (), None)


def edit_cadre(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    name: str | None = None,
    title: str | None = None,
    phone: str | None = None,
    at: str | None = None,
) -> Cadre:
    """更正: a cadre's name, title or phone recorded wrongly. The phone is stored masked plus a keyed hash (as
    `cadre add` does); only what differs is recorded, with the reason."""
    if name is None and title is None and phone is None:
        raise BadInput(
            "required",
            field="--name|--title|--phone",
            accepted=Text("acc_one_correction", options="--name --title --phone"),
        )
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = F.name(name, "--name")
    if title is not None:
        wanted["title"] = F.text(title, "--title", limit=F.MAX_NAME)
    number = F.phone(phone) if phone is not None else None
    why = F.text(reason, "--reason")
    with ledger.transaction(actor, "cadre.edit") as tx:
        cadre = ledger.cadre(ref, "ID")
        changes = {key: value for key, value in wanted.items() if getattr(cadre, key) != value}
        if number is not None and pii.keyed_hash(ledger.secret(), number) != cadre.phone_hash:
            changes.update(phone=pii.mask_phone(number), phone_hash=_kept(ledger, number))
        what = _changes_text(cadre, changes)
        updated = tx.advance(cadre, "edit", {**changes, "reason": why}, at)
        tx.commit(
            subject("cadre.edit", id=cadre.id, name=cadre.name, what=what),
            [cadre.id],
            at=updated.history[-1].at,
        )
    return updated


def move_cadre(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    unit: str | None,
    reason: str | None,
    hand_over_to: str | None = None,
    at: str | None = None,
) -> Moved:
    """调动: the cadre belongs to another unit from today. Their open cases and pairings are kept (and returned, to
    be listed), or with `hand_over_to` passed to that cadre in the same commit: each case gets a `hand_over`
    entry naming the new leader, each pairing ends (unpair on both files) and begins with the new cadre (pair)."""
    new_unit = territorial(ledger.unit(unit or "", "--unit"), "--unit")
    why = F.text(reason, "--reason")
    with ledger.transaction(actor, "cadre.move") as tx:
        cadre = ledger.cadre(ref, "ID")
        heir = None
        if hand_over_to is not None:
            heir = ledger.cadre(hand_over_to, "--hand-over-to")
            if heir.id == cadre.id:
                raise BadInput(
                    "bad_value", field="--hand-over-to", value=hand_over_to, accepted=Text("acc_other_cadre")
                )
            if heir.status != "active":
                raise Refused("actor_recalled", actor=heir.id, name=heir.name)
        cases = tuple(ledger.item(q) for q in _item_ids(ledger, "leader", cadre.id, HANDED_OVER))
        when = at or F.timestamp()
        values = {"unit": new_unit.code, "reason": why, "hand_over_to": heir.id if heir else None}
        updated = tx.advance(cadre, "move", values, when)
        entries = [cadre.id]
        if heir is not None:
            taker = heir
            for item in cases:
                tx.advance(item, "hand_over", {"leader": heir.id, "reason": why}, when)
                entries.append(item.id)
            for home_id in cadre.pairings:
                home = ledger.household(home_id, "HOUSEHOLD")
                updated = tx.advance(updated, "unpair", {"household": home.id}, when)
                home = tx.advance(home, "unpair", {"cadre": cadre.id}, when)
                if home.id not in taker.pairings:
                    taker = tx.advance(taker, "pair", {"household": home.id}, when)
                    tx.advance(home, "pair", {"cadre": heir.id}, when)
                entries.append(home.id)
            if taker is not heir:
                entries.insert(1, heir.id)
        handed = (
            f"，移交 {heir.name}（案件 {len(cases)}，结对 {len(cadre.pairings)}）"
            if heir and (cases or cadre.pairings)
            else ""
        )
        tx.commit(
            subject(
                "cadre.move", id=cadre.id, name=cadre.name, old=cadre.unit, unit=new_unit.code, handed=handed
            ),
            entries,
            at=when,
        )
    return Moved(updated, cases, cadre.pairings, heir)


# ---------------------------------------------------------------- units: rename and merge (issue 15)


def _units_data(ledger: Ledger) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """org/units.yaml as written, and its units by code (the same dicts: changing one changes the data)."""
    data = ledger.read_yaml(UNITS_FILE) or {}
    units = [unit for unit in data.get("units") or [] if isinstance(unit, dict)]
    data["units"] = units
    return data, {str(unit.get("code")): unit for unit in units}


def rename_unit(
    ledger: Ledger, actor: str | None, code: str, name: str | None, reason: str | None = None
) -> Unit:
    """更名: the unit's new name; the old one is appended to its `aliases`, so finding and importing by it still
    work. Codes, households and history are untouched."""
    new_name = F.name(name, "NAME")
    why = F.text(reason, "--reason", required=False)
    with ledger.transaction(actor, "org.rename") as tx:
        unit = in_service(_merged_unit(ledger, code, "CODE"), "CODE")
        if new_name == unit.name:
            raise BadInput(
                "bad_value", field="NAME", value=new_name, accepted=Text("acc_new_name", name=unit.name)
            )
        data, by_code = _units_data(ledger)
        raw = by_code[unit.code]
        raw["name"] = new_name
        raw["aliases"] = [*(raw.get("aliases") or []), unit.name]
        tx.put(UNITS_FILE, yamlio.dump(data))
        tx.commit(
            subject("org.rename", code=unit.code, old=unit.name, name=new_name, reason=why or "—"),
            [unit.code],
        )
    return replace(unit, name=new_name, aliases=tuple(raw["aliases"]))


def _merged_unit(ledger: Ledger, code: str, field_name: str) -> Unit:
    """A township, village or group named by its code (the county is the ledger itself: never renamed or merged
    here; minqing.yaml holds its name)."""
    unit = ledger.unit(code, field_name)
    if unit.level == "county":
        raise BadInput("bad_value", field=field_name, value=unit.code, accepted=Text("acc_not_county"))
    return unit


@dataclass(frozen=True)
class Merged:
    """What `org merge` did: the units retired (the unit and its groups), and what moved to the unit kept."""

    unit: Unit
    into: Unit
    retired: tuple[str, ...]
    households: tuple[str, ...]
    cadres: tuple[str, ...]
    items: tuple[str, ...]


def merge_unit(
    ledger: Ledger,
    actor: str | None,
    code: str,
    *,
    into: str | None,
    reason: str | None,
    group_into: str | None = None,
    at: str | None = None,
) -> Merged:
    """撤并: `code` is retired into `into`, a unit in service of the same level, in one commit. Its households
    (and those of its groups) move there (household `move`, the file renamed as by household move) — to the village
    itself, or to `group_into`, a group of it; its active cadres move (cadre `move`); its unfinished items are
    re-filed there (item `edit` of unit, the household kept). The unit and its groups get `retired` (the day) and
    `merged_into`; their codes are never reused. A township is merged only once it has no villages in service
    (merge them into villages of the other township first): codes extend their parent's, so a village cannot
    change township."""
    why = F.text(reason, "--reason")
    with ledger.transaction(actor, "org.merge") as tx:
        old = in_service(_merged_unit(ledger, code, "CODE"), "CODE")
        if not (into or "").strip():
            raise BadInput("required", field="--into", accepted=Text("acc_merge_into", level=old.level))
        target = in_service(_merged_unit(ledger, into or "", "--into"), "--into")
        if target.code == old.code:
            raise BadInput(
                "bad_value",
                field="--into",
                value=target.code,
                accepted=Text("acc_merge_into", level=old.level),
            )
        if target.level != old.level:
            raise BadInput(
                "wrong_level", field="--into", value=target.code, actual=target.level, expected=old.level
            )
        group_code = None
        if group_into is not None:
            group = in_service(ledger.unit(group_into, "--group-into"), "--group-into")
            if old.level != "village" or group.level != "group" or group.parent != target.code:
                accepted = Text("acc_group_into", code=target.code)
                raise BadInput("bad_value", field="--group-into", value=group_into, accepted=accepted)
            group_code = group.code
        units = ledger.units()
        children = sorted(
            c for c, u in units.items() if c != old.code and c.startswith(old.code) and not u.retired
        )
        if old.level == "township" and children:
            raise Refused("merge_township_villages", code=old.code, units="、".join(children[:5]))
        # Where each retired code's contents go: the unit itself to the target; a group of a village to the group
        # given, else the target village.
        moves = {old.code: target.code, **{child: group_code or target.code for child in children}}
        when = at or F.timestamp()
        day = when[:10]

        homes = []
        for home in ledger.iter_households():
            source = home.group if home.group in moves else home.village
            if home.removed or source not in moves:
                continue
            # --group-into: every household of the village joins that group
            dest = group_code or moves[source]
            village, group = (dest, None) if len(dest) == 12 else (dest[:12], dest)
            homes.append(_move_home(tx, home, village, group, why, when))
        cadres = []
        for cadre in ledger.iter_cadres():
            if cadre.status == "active" and cadre.unit in moves:
                cadres.append(tx.advance(cadre, "move", {"unit": moves[cadre.unit], "reason": why}, when))
        items = []
        for item_id in _item_ids_under(ledger, old.code, UNFINISHED):
            item = ledger.item(item_id)
            if item.unit not in moves:
                continue  # under a unit retired earlier: it was re-filed then
            values = {"unit": moves[item.unit], "household": item.household, "reason": why}
            items.append(tx.advance(item, "edit", values, when))
        data, by_code = _units_data(ledger)
        for retired in moves:
            by_code[retired]["retired"] = day
            by_code[retired]["merged_into"] = moves[retired]
        tx.put(UNITS_FILE, yamlio.dump(data))
        entries = [*moves, *(h.id for h in homes), *(c.id for c in cadres), *(i.id for i in items)]
        tx.commit(
            subject(
                "org.merge", code=old.code, name=old.name, into=target.code, into_name=target.name, reason=why
            ),
            entries,
            at=when,
        )
    return Merged(
        old,
        target,
        tuple(moves),
        tuple(h.id for h in homes),
        tuple(c.id for c in cadres),
        tuple(i.id for i in items),
    )


def _item_ids_under(ledger: Ledger, prefix: str, states: tuple[str, ...]) -> list[str]:
    """Ids of current items filed at `prefix` or a unit under it, in `states` (from the index; voided items are not
    in its items table)."""
    from ..read.index import Index

    marks = ", ".join("?" * len(states))
    with Index.open(ledger) as index:
        rows = index.conn.execute(
            f"SELECT id FROM items WHERE substr(unit, 1, ?) = ? AND state IN ({marks}) ORDER BY created, id",  # noqa: S608
            [len(prefix), prefix, *states],
        ).fetchall()
    return [row[0] for row in rows]


__all__ = [
    "CADRE_STATUS",
    "init",
    "add_unit",
    "add_cadre",
    "recall_cadre",
    "add_household",
    "set_household",
    "pair",
    "edit_household",
    "move_household",
    "remove_household",
    "edit_cadre",
    "move_cadre",
    "rename_unit",
    "merge_unit",
    "on_register",
    "find_household",
    "apply_cadre",
    "apply_household",
    "STATE_DIR",
]
