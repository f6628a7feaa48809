"""`minqing cadre`: the roster of cadres, their recalls, and (`cadre key`) their SSH signing keys."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    AsOpt,
    FormatOpt,
    JsonOpt,
    OutOpt,
    UnmaskOpt,
    ask,
    complete_role,
    complete_unit,
    echo,
    label,
    ledger,
    note,
    print_json,
    print_mapping,
    t,
)
from .office_render import emit
from .tables import WideOpt, print_fitted

cadre_app = typer.Typer(help="Cadres: the people who visit, assign and close.", no_args_is_help=True)
key_app = typer.Typer(help="Cadres' SSH signing keys (git commit signing).", no_args_is_help=True)
cadre_app.add_typer(key_app, name="key")


def register(app: typer.Typer) -> None:
    app.add_typer(cadre_app, name="cadre")


def _cadre_columns() -> list:
    """`cadre list`'s columns; at 80 columns phone, title and role go first (`cadre show` has them)."""
    from .tables import KEY, NAME, NUMBER, Column

    return [
        Column(t("编号", "id"), KEY),
        Column(t("姓名", "name"), NAME),
        Column(t("单位", "unit"), NAME),
        Column(t("角色", "role"), NAME, drop=1),
        Column(t("职务", "title"), NAME, drop=2),
        Column(t("电话", "phone"), KEY, drop=3),
        Column(t("状态", "status"), KEY),
        Column(t("结对", "pairings"), NUMBER),
    ]


def _cadre_row(cadre, names) -> list[str]:
    return [
        cadre.id,
        cadre.name,
        names.unit(cadre.unit),
        label(cadre.role),
        cadre.title or "",
        cadre.phone or "",
        label(cadre.status),
        str(len(cadre.pairings)),
    ]


@cadre_app.command("add")
def cadre_add(
    name: Annotated[str | None, typer.Option("--name", help="Cadre's name.")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="Unit code the cadre belongs to."),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role", autocompletion=complete_role, help="clerk|village|township_leader|county_leader|admin"
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="第一书记|驻村队长|包村领导|… (free text).")
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="Phone; stored masked plus a keyed hash.")
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            autocompletion=complete_unit,
            help="The helping unit (帮扶单位/后盾单位) the cadre belongs to: its code or name.",
        ),
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Add a cadre to the roster.

    Example: minqing cadre add --name 李明 --unit 520602101 --role township_leader --title 包村领导
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.core.model import ROLES
    from minqing.ledgers.ops import register as reg

    led = ledger()
    name = ask(name, "--name", t("姓名", "name"), lambda v: fields.name(v, "--name"))
    unit = ask(unit, "--unit", t("所在单位代码", "unit code"), lambda v: led.unit(v))
    roles = list(ROLES)
    role = ask(role, "--role", t("角色", "role"), lambda v: fields.choice(v, "--role", roles), roles)
    cadre = reg.add_cadre(
        led,
        actor,
        name=name or "",
        unit=unit or "",
        role=role or "",
        title=title,
        phone=phone,
        department=department,
    )
    echo(f"{cadre.id} {cadre.name}")


@cadre_app.command("post")
def cadre_post(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    village: Annotated[
        str | None,
        typer.Option("--village", autocompletion=complete_unit, help="The village posted to (code or name)."),
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            autocompletion=complete_unit,
            help="The helping unit sending the cadre (required when the roster has none).",
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (选派文件, 轮换…).")] = None,
    actor: AsOpt = None,
) -> None:
    """Post a department's cadre to a village (驻村: first secretary, work team) from today; one commit.

    Example: minqing cadre post C-4H2J --village 520602202201 --department 520602D01 --reason 选派第一书记
    """
    from minqing.ledgers.ops import register as reg

    cadre = reg.post_cadre(ledger(), actor, cadre_id, village=village, department=department, reason=reason)
    echo(
        t(
            f"{cadre.id} {cadre.name} 驻村 {cadre.posted}（{cadre.department}）",
            f"{cadre.id} {cadre.name} posted to {cadre.posted} ({cadre.department})",
        )
    )


@cadre_app.command("list")
def cadre_list(
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", autocompletion=complete_unit, help="Only cadres of this unit (and units below it)."
        ),
    ] = None,
    status_filter: Annotated[str | None, typer.Option("--status", help="active|recalled")] = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """List cadres.

    Example: minqing cadre list --unit 520602101 --status recalled
    """
    from minqing.ledgers.read import queries
    from minqing.ledgers.read.names import names

    led = ledger()
    cadres = queries.cadres(led, unit=unit, status=status_filter)
    if json_out:
        print_json([c.to_dict() | {"history": len(c.history)} for c in cadres])
        return
    known = names(led)
    print_fitted(_cadre_columns(), [_cadre_row(c, known) for c in cadres], wide=wide)


@cadre_app.command("show")
def cadre_show(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    json_out: JsonOpt = False,
    unmask: UnmaskOpt = False,
    actor: AsOpt = None,
) -> None:
    """Show one cadre, with pairings and open cases (--unmask: full phone, for allowed roles, logged).

    Example: minqing cadre show C-4H2J
    """
    from minqing.ledgers.read import queries

    view = queries.cadre_view(ledger(), cadre_id, unmask=unmask, actor=actor)
    if json_out:
        print_json(view)
        return
    print_mapping(view, skip=("history",))


@cadre_app.command("recall")
def cadre_recall(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the cadre is recalled (required).")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Recall a cadre (召回); their open cases then need reassignment.

    Example: minqing cadre recall C-4H2J --reason 驻村考核不合格
    """
    from minqing.ledgers.ops import register as reg

    cadre = reg.recall_cadre(ledger(), actor, cadre_id, reason)
    echo(t(f"{cadre.id} {cadre.name} 已召回", f"{cadre.id} {cadre.name} recalled"))


@cadre_app.command("roster")
def cadre_roster(
    unit: Annotated[str | None, typer.Option("--unit", help="Only cadres of this unit and below.")] = None,
    recalled: Annotated[
        bool, typer.Option("--recalled", help="Only recalled cadres (召回), with what needs reassignment.")
    ] = False,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """The cadre roster: status, recalls and what each still holds; recalled cadres' open cases need reassignment.

    Example: minqing cadre roster --recalled

    Example: minqing cadre roster --unit 520602101 --format xlsx --out 干部花名册.xlsx
    """
    from minqing.ledgers.read import office

    roster = office.roster(ledger(), unit, recalled)
    headers = [
        t(*pair)
        for pair in (
            ("编号", "id"),
            ("姓名", "name"),
            ("单位", "unit"),
            ("角色", "role"),
            ("职务", "title"),
            ("状态", "status"),
            ("召回日期", "recalled"),
            ("召回原因", "reason"),
            ("结对户", "pairings"),
            ("在办案件", "open cases"),
            ("认领微心愿", "open wishes"),
            ("需重新交办", "reassign"),
        )
    ]
    rows = [
        [
            row.id,
            row.name,
            row.unit_name,
            label(row.role),
            row.title or "",
            label(row.status),
            row.recalled or "",
            row.recall_reason or "",
            row.pairings,
            ",".join(row.open_cases),
            ",".join(row.open_wishes),
            t("是", "yes") if row.needs_reassignment else "",
        ]
        for row in roster.rows
    ]
    data = roster.to_dict()
    summary = "；".join(
        f"{title or t('（无职务）', '(no title)')} {counts['total']}"
        + t(f"（召回 {counts['recalled']}）", f" ({counts['recalled']} recalled)")
        for title, counts in roster.by_title.items()
    )
    title = t(
        f"干部花名册：{len(roster.rows)} 人，召回 {data['recalled']} 人，需重新交办 {data['needs_reassignment']} 人",
        f"cadre roster: {len(roster.rows)} cadres, {data['recalled']} recalled, "
        f"{data['needs_reassignment']} need reassignment",
    )
    emit(fmt, out, title, headers, rows, data, [10, 10, 12, 10, 10, 8, 11, 20, 7, 24, 14, 8], [summary])
    if (fmt or "table") == "table" and not out:
        note(summary)


# ---------------------------------------------------------------- cadre key


@key_app.command("add")
def key_add(
    cadre: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    ssh_pubkey: Annotated[
        str | None, typer.Option("--ssh-pubkey", help="The cadre's SSH public key file (…/id_ed25519.pub).")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Register a cadre's SSH public key for signed commits (one commit on the cadre file).

    Example: minqing cadre key add C-4H2J --ssh-pubkey ~/.ssh/id_ed25519.pub
    """
    from minqing.ledgers.ops import keys
    from minqing.ledgers.verify import audit as audit_mod

    updated = keys.add_key(ledger(), actor, cadre, ssh_pubkey)
    print_ = audit_mod.fingerprint(updated.keys[-1])
    echo(
        t(
            f"{updated.id} {updated.name} 已登记密钥 {print_}",
            f"{updated.id} {updated.name}: key {print_} registered",
        )
    )


@key_app.command("use")
def key_use(
    cadre: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    keyfile: Annotated[str, typer.Argument(help="The cadre's SSH private key on this machine.")],
) -> None:
    """Sign this machine's commits by the cadre with this private key (local git config, no commit).

    Example: minqing cadre key use C-4H2J ~/.ssh/id_ed25519
    """
    from minqing.ledgers.ops import keys

    cadre_record, path = keys.use_key(ledger(), cadre, keyfile)
    echo(
        t(
            f"{cadre_record.id} {cadre_record.name} 在本机的提交将用 {path} 签名",
            f"commits by {cadre_record.id} {cadre_record.name} on this machine are signed with {path}",
        )
    )


# ---------------------------------------------------------------- corrections (issue 15)


@cadre_app.command("edit")
def cadre_edit(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    name: Annotated[str | None, typer.Option("--name", help="The corrected name.")] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The corrected title (第一书记|驻村队长|…).")
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="The corrected phone; stored masked plus a keyed hash.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is corrected (required).")] = None,
    actor: AsOpt = None,
) -> None:
    """Correct a cadre's name, title or phone (更正); the old values stay in the history.

    Example: minqing cadre edit C-4H2J --title 驻村第一书记 --reason 职务录错
    """
    from minqing.ledgers.ops import register as reg

    cadre = reg.edit_cadre(ledger(), actor, cadre_id, reason=reason, name=name, title=title, phone=phone)
    echo(t(f"{cadre.id} {cadre.name} 已更正", f"{cadre.id} {cadre.name} corrected"))


@cadre_app.command("move")
def cadre_move(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    unit: Annotated[
        str | None, typer.Option("--unit", autocompletion=complete_unit, help="The unit the cadre moves to.")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required): the transfer order.")
    ] = None,
    hand_over_to: Annotated[
        str | None,
        typer.Option(
            "--hand-over-to", help="Cadre who takes over the open cases and pairings (else they are kept)."
        ),
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Move a cadre to another unit (调动); open cases and pairings are listed, kept or handed over.

    Example: minqing cadre move C-4H2J --unit 520602102 --reason 组织调动 --hand-over-to C-9PQ1
    """
    from minqing.ledgers.ops import register as reg

    from .common import echo_items

    moved = reg.move_cadre(ledger(), actor, cadre_id, unit=unit, reason=reason, hand_over_to=hand_over_to)
    cadre, heir = moved.record, moved.handed_to
    echo(
        t(f"{cadre.id} {cadre.name} 已调动至 {cadre.unit}", f"{cadre.id} {cadre.name} moved to {cadre.unit}")
    )
    if moved.items:
        echo(
            t(
                f"  在办案件 {len(moved.items)} 件移交 {heir.id} {heir.name}：",
                f"  open cases handed over to {heir.id} {heir.name}: {len(moved.items)}",
            )
            if heir
            else t(
                f"  在办案件 {len(moved.items)} 件（仍由其负责）：",
                f"  open cases still led by them: {len(moved.items)}",
            )
        )
        echo_items(list(moved.items))
    if moved.pairings:
        shown = ", ".join(moved.pairings)
        echo(
            t(f"  结对移交 {heir.id}：{shown}", f"  pairings handed over to {heir.id}: {shown}")
            if heir
            else t(f"  结对保留：{shown}", f"  pairings kept: {shown}")
        )
