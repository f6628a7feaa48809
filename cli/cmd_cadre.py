"""`minqing cadre`: the roster of cadres, their recalls, and (`cadre key`) their SSH signing keys."""

from typing import Annotated

import typer

from .common import (
    AsOpt,
    FormatOpt,
    JsonOpt,
    OutOpt,
    UnmaskOpt,
    WideOpt,
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

cadre_app = typer.Typer(no_args_is_help=True)
key_app = typer.Typer(no_args_is_help=True)
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
    name: Annotated[str | None, typer.Option("--name")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", autocompletion=complete_role),
    ] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            autocompletion=complete_unit,
        ),
    ] = None,
    actor: AsOpt = None,
) -> None:
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
    cadre_id: Annotated[str, typer.Argument()],
    village: Annotated[
        str | None,
        typer.Option("--village", autocompletion=complete_unit),
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            autocompletion=complete_unit,
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
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
        typer.Option("--unit", autocompletion=complete_unit),
    ] = None,
    status_filter: Annotated[str | None, typer.Option("--status")] = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    from minqing.ledgers.read import queries
    from minqing.ledgers.read.names import names

    from .tables import print_fitted

    led = ledger()
    cadres = queries.cadres(led, unit=unit, status=status_filter)
    if json_out:
        print_json([c.to_dict() | {"history": len(c.history)} for c in cadres])
        return
    known = names(led)
    print_fitted(_cadre_columns(), [_cadre_row(c, known) for c in cadres], wide=wide)


@cadre_app.command("show")
def cadre_show(
    cadre_id: Annotated[str, typer.Argument()],
    json_out: JsonOpt = False,
    unmask: UnmaskOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.read import queries

    view = queries.cadre_view(ledger(), cadre_id, unmask=unmask, actor=actor)
    if json_out:
        print_json(view)
        return
    print_mapping(view, skip=("history",))


@cadre_app.command("recall")
def cadre_recall(
    cadre_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    cadre = reg.recall_cadre(ledger(), actor, cadre_id, reason)
    echo(t(f"{cadre.id} {cadre.name} 已召回", f"{cadre.id} {cadre.name} recalled"))


@cadre_app.command("roster")
def cadre_roster(
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    recalled: Annotated[bool, typer.Option("--recalled")] = False,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
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
    cadre: Annotated[str, typer.Argument()],
    ssh_pubkey: Annotated[str | None, typer.Option("--ssh-pubkey")] = None,
    actor: AsOpt = None,
) -> None:
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
    cadre: Annotated[str, typer.Argument()],
    keyfile: Annotated[str, typer.Argument()],
) -> None:
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
    cadre_id: Annotated[str, typer.Argument()],
    name: Annotated[str | None, typer.Option("--name")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    cadre = reg.edit_cadre(ledger(), actor, cadre_id, reason=reason, name=name, title=title, phone=phone)
    echo(t(f"{cadre.id} {cadre.name} 已更正", f"{cadre.id} {cadre.name} corrected"))


@cadre_app.command("move")
def cadre_move(
    cadre_id: Annotated[str, typer.Argument()],
    unit: Annotated[str | None, typer.Option("--unit", autocompletion=complete_unit)] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    hand_over_to: Annotated[
        str | None,
        typer.Option("--hand-over-to"),
    ] = None,
    actor: AsOpt = None,
) -> None:
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
