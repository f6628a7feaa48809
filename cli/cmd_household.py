"""`minqing household`: the register of households and their 两不愁三保障 indicators."""

from typing import Annotated

import typer

from .common import (
    AsOpt,
    JsonOpt,
    UnmaskOpt,
    WideOpt,
    ask,
    complete_household_status,
    complete_unit,
    echo,
    label,
    ledger,
    print_json,
    print_json_list,
    print_mapping,
    t,
    warn_unreadable,
)

household_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(household_app, name="household")


def _household_columns() -> list:
    """`household list`'s columns; at 80 columns pairings, risks, phone and ID number go first (`show` has them)."""
    from .tables import KEY, NAME, NUMBER, TEXT, Column

    return [
        Column(t("编号", "id"), KEY),
        Column(t("户主", "head"), KEY),
        Column(t("乡镇", "township"), NAME),
        Column(t("村", "village"), NAME),
        Column(t("组", "group"), NAME),
        Column(t("人口", "members"), NUMBER),
        Column(t("类别", "status"), NAME),
        Column(t("身份证号", "id number"), KEY, drop=4),
        Column(t("电话", "phone"), KEY, drop=3),
        Column(t("风险指标", "risks"), TEXT, drop=2),
        Column(t("结对", "pairings"), NAME, drop=1),
    ]


def _household_row(home, names) -> list[str]:
    return [
        home.id,
        home.head,
        names.township(home.village),
        names.unit(home.village),
        _group_cell(home.group, names),
        "" if home.members is None else str(home.members),
        _status_cell(home.status, home.removed),
        home.id_number or "",
        home.phone or "",
        ",".join(label(name) for name in home.risks),
        " ".join(names.cadre(cadre) for cadre in home.pairings),
    ]


def _group_cell(group, names) -> str:
    return (names.units.get(group, ("", ""))[0] + " " + group).strip() if group else ""


def _status_cell(status, removed) -> str:
    return label(status) + (t(f" 已销户 {removed}", f" removed {removed}") if removed else "")


def _household_widths(extent: dict, names, columns: list) -> list[int] | None:
    """Each column's width in a pipe (its widest cell or header) from what the index says the rows hold, before
    reading them; None when some cell would not be printed as it is (then the rows are laid out whole)."""
    from .tables import natural_width, widest_plain

    if not extent["printable"]:
        return None
    cells = [
        {names.township(village) for village in extent["village"]},
        {names.unit(village) for village in extent["village"]},
        {_group_cell(group, names) for group in extent["group"]},
        {_status_cell(status, removed) for status, removed in extent["status"]},
        {",".join(label(name) for name in (risks or "").split()) for risks in extent["risks"]},
        {" ".join(names.cadre(cadre) for cadre in (paired or "").split()) for paired in extent["paired"]},
    ]
    measured = [widest_plain(column) for column in cells]
    if None in measured:
        return None
    township, village, group, status, risks, paired = measured
    widest = [
        extent["id"],
        extent["head"],
        township,
        village,
        group,
        extent["members"],
        status,
        extent["id_number"],
        extent["phone"],
        risks,
        paired,
    ]
    return [natural_width(column, width) for width, column in zip(widest, columns, strict=True)]


@household_app.command("add")
def household_add(
    head: Annotated[str | None, typer.Option("--head")] = None,
    village: Annotated[str | None, typer.Option("--village", autocompletion=complete_unit)] = None,
    group: Annotated[str | None, typer.Option("--group")] = None,
    members: Annotated[str | None, typer.Option("--members")] = None,
    status_: Annotated[
        str | None,
        typer.Option("--status", autocompletion=complete_household_status),
    ] = None,
    id_number: Annotated[str | None, typer.Option("--id-number")] = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    register_no: Annotated[str | None, typer.Option("--register-no")] = None,
    registered: Annotated[
        str | None,
        typer.Option("--registered"),
    ] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import register as reg

    led = ledger()
    head = ask(head, "--head", t("户主姓名", "head of household"), lambda v: fields.name(v, "--head"))
    village = ask(village, "--village", t("村代码", "village code"), lambda v: led.unit(v, "--village"))
    home = reg.add_household(
        led,
        actor,
        head=head or "",
        village=village or "",
        group=group,
        members=members if members is not None else 1,
        status=status_ or "general",
        id_number=id_number,
        phone=phone,
        register_no=register_no,
        registered=registered,
    )
    echo(f"{home.id} {home.head}")


@household_app.command("list")
def household_list(
    village: Annotated[
        str | None,
        typer.Option("--unit", "--village", autocompletion=complete_unit),
    ] = None,
    status_: Annotated[
        str | None,
        typer.Option("--status", autocompletion=complete_household_status),
    ] = None,
    include_removed: Annotated[bool, typer.Option("--all")] = False,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    from minqing.ledgers.read import queries

    from .tables import print_fitted

    led = ledger()
    if json_out:
        homes = queries.households(led, unit=village, status=status_, include_removed=include_removed)
        print_json_list(h.to_dict() | {"history": len(h.history)} for h in homes)
        return
    from minqing.ledgers.read.names import names

    from .tables import print_streamed, streams

    columns = _household_columns()
    with queries.household_listing(led, village, status_, include_removed) as (extent, rows):
        warn_unreadable(led)
        known = names(led)
        widths = _household_widths(extent, known, columns) if streams(wide) else None
        if widths is None:
            print_fitted(columns, [_household_row(home, known) for home in rows], wide=wide)
        else:
            print_streamed(columns, widths, (_household_row(home, known) for home in rows))


@household_app.command("show")
def household_show(
    household_id: Annotated[str, typer.Argument()],
    json_out: JsonOpt = False,
    unmask: UnmaskOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.read import queries

    view = queries.household_view(ledger(), household_id, unmask=unmask, actor=actor)
    if json_out:
        print_json(view)
        return
    print_mapping(view, skip=("history",))


@household_app.command("set")
def household_set(
    household_id: Annotated[str, typer.Argument()],
    food: Annotated[str | None, typer.Option("--food")] = None,
    clothing: Annotated[str | None, typer.Option("--clothing")] = None,
    education: Annotated[str | None, typer.Option("--education")] = None,
    medical: Annotated[str | None, typer.Option("--medical")] = None,
    housing: Annotated[str | None, typer.Option("--housing")] = None,
    water: Annotated[str | None, typer.Option("--water")] = None,
    status_: Annotated[
        str | None,
        typer.Option("--status", autocompletion=complete_household_status),
    ] = None,
    members: Annotated[str | None, typer.Option("--members")] = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    indicators = {
        "food": food,
        "clothing": clothing,
        "education": education,
        "medical": medical,
        "housing": housing,
        "water": water,
    }
    home = reg.set_household(
        ledger(), actor, household_id, indicators=indicators, status=status_, members=members, phone=phone
    )
    echo(f"{home.id} {home.head}")


@household_app.command("find")
def household_find(
    id_number: Annotated[str | None, typer.Option("--id-number")] = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.ops import register as reg
    from minqing.ledgers.read import queries
    from minqing.ledgers.read.names import names

    from .tables import print_fitted

    led = ledger()
    home = reg.find_household(led, id_number or "")
    if json_out:
        print_json(home.to_dict())
        return
    print_fitted(_household_columns(), [_household_row(queries.household_row(home), names(led))])


# ---------------------------------------------------------------- corrections (issue 15)


def _echo_kept(moved, kept: bool) -> None:
    """The open items and pairings a move or removal leaves (kept) or took along (moved): the clerk decides next."""
    from .common import echo_items

    if moved.items:
        echo(
            t(
                f"  未销号事项 {len(moved.items)} 项（保留原单位）：",
                f"  items not closed: {len(moved.items)} (kept in their unit):",
            )
            if kept
            else t(f"  已转出事项 {len(moved.items)} 项：", f"  items moved: {len(moved.items)}:")
        )
        echo_items(list(moved.items))
    if moved.pairings:
        echo(t(f"  结对保留：{', '.join(moved.pairings)}", f"  pairings kept: {', '.join(moved.pairings)}"))


@household_app.command("edit")
def household_edit(
    household_id: Annotated[str, typer.Argument()],
    head: Annotated[str | None, typer.Option("--head")] = None,
    members: Annotated[str | None, typer.Option("--members")] = None,
    group: Annotated[
        str | None,
        typer.Option("--group"),
    ] = None,
    register_no: Annotated[str | None, typer.Option("--register-no")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    home = reg.edit_household(
        ledger(),
        actor,
        household_id,
        reason=reason,
        head=head,
        members=members,
        group=group,
        register_no=register_no,
    )
    echo(t(f"{home.id} {home.head} 已更正", f"{home.id} {home.head} corrected"))


@household_app.command("move")
def household_move(
    household_id: Annotated[str, typer.Argument()],
    village: Annotated[
        str | None,
        typer.Option("--village", autocompletion=complete_unit),
    ] = None,
    group: Annotated[str | None, typer.Option("--group")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    moved = reg.move_household(ledger(), actor, household_id, village=village, group=group, reason=reason)
    home = moved.record
    echo(t(f"{home.id} {home.head} 已搬迁至 {home.unit}", f"{home.id} {home.head} moved to {home.unit}"))
    _echo_kept(moved, kept=True)


@household_app.command("remove")
def household_remove(
    household_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    note_text: Annotated[str | None, typer.Option("--note")] = None,
    transfer_to: Annotated[str | None, typer.Option("--transfer-to")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    moved = reg.remove_household(
        ledger(), actor, household_id, reason=reason, note=note_text, transfer_to=transfer_to
    )
    home = moved.record
    echo(
        t(
            f"{home.id} {home.head} 已销户（{label(home.remove_reason)}，{home.removed}）",
            f"{home.id} {home.head} removed ({label(home.remove_reason)}, {home.removed})",
        )
    )
    _echo_kept(moved, kept=False)
