"""`minqing issue`: items on the ledgers and their workflow, from registration to closure (销号)."""

from typing import Annotated

import typer

from minqing.ledgers.core.cells import shorten

from .common import (
    AsOpt,
    JsonOpt,
    LateOpt,
    WideOpt,
    ask,
    complete_cadre,
    complete_category,
    complete_item_kind,
    complete_item_state,
    complete_ledger_name,
    complete_unit,
    echo,
    label,
    late_reason,
    ledger,
    print_json,
    print_json_list,
    print_mapping,
    t,
    warn_unreadable,
)

issue_app = typer.Typer(no_args_is_help=True)

# What an item is and where it stands: the same options for `issue add` and `issue edit`.
ItemCategoryOpt = Annotated[str | None, typer.Option("--category", autocompletion=complete_category)]
ItemKindOpt = Annotated[str | None, typer.Option("--kind", autocompletion=complete_item_kind)]
ItemLedgerOpt = Annotated[str | None, typer.Option("--ledger", autocompletion=complete_ledger_name)]
ItemUnitOpt = Annotated[str | None, typer.Option("--unit", autocompletion=complete_unit)]


def register(app: typer.Typer) -> None:
    app.add_typer(issue_app, name="issue")


def _item_columns() -> list:
    """`issue list`'s columns; at 80 columns the ledger, kind, level and category go first (`show` has them all)."""
    from .tables import KEY, NAME, TEXT, Column

    return [
        Column(t("编号", "id"), KEY),
        Column(t("类型", "kind"), KEY, drop=5),
        Column(t("台账", "ledger"), KEY, drop=6),
        Column(t("类别", "category"), KEY, drop=3),
        Column(t("描述", "description"), TEXT),
        Column(t("单位", "unit"), NAME),
        Column(t("层级", "level"), KEY, drop=4),
        Column(t("状态", "state"), KEY),
        Column(t("责任领导", "leader"), NAME),
        Column(t("时限", "due"), KEY),
        Column(t("超期", "overdue"), KEY, drop=2),
    ]


def _item_cells(rows, names) -> list[list[str]]:
    """`issue list`'s cells, a column at a time, each column's distinct values shown once: a county's 14,894
    overdue items name a few hundred units, a few thousand leaders and a handful of labels."""
    items = [item for item, _ in rows]

    def shown(values: list, show) -> list[str]:
        table = {value: show(value) for value in set(values)}
        return list(map(table.__getitem__, values))

    yes = t("是", "yes")
    return [
        [item.id for item in items],
        shown([item.kind for item in items], label),
        shown([item.ledger for item in items], label),
        shown([item.category for item in items], label),
        shown([item.desc for item in items], shorten),
        shown([item.unit for item in items], names.unit),
        shown([item.level for item in items], label),
        shown([item.state for item in items], label),
        shown([item.leader for item in items], names.cadre),
        [item.due or "" for item in items],
        [yes if overdue else "" for _, overdue in rows],
    ]


@issue_app.command("add")
def issue_add(
    desc: Annotated[str | None, typer.Option("--desc")] = None,
    category: ItemCategoryOpt = None,
    kind: ItemKindOpt = None,
    ledger_name: ItemLedgerOpt = None,
    source: Annotated[str | None, typer.Option("--source")] = None,
    household: Annotated[str | None, typer.Option("--household")] = None,
    unit: ItemUnitOpt = None,
    visit: Annotated[str | None, typer.Option("--visit")] = None,
    due: Annotated[str | None, typer.Option("--due")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.core.model import CATEGORIES
    from minqing.ledgers.ops import workflow

    led = ledger()
    categories = list(CATEGORIES)
    desc = ask(desc, "--desc", t("问题描述", "description"), lambda v: fields.text(v, "--desc"))
    category = ask(
        category,
        "--category",
        t("类别", "category"),
        lambda v: fields.choice(v, "--category", categories),
        categories,
    )
    if household is None and unit is None:
        household = ask(
            household,
            "--household",
            t("农户编号", "household id"),
            lambda v: led.resolve("H", v, "--household"),
        )
    item = workflow.add_item(
        led,
        actor,
        desc=desc,
        category=category,
        kind=kind,
        ledger_name=ledger_name,
        source=source,
        household=household,
        unit=unit,
        visit=visit,
        due=due,
    )
    echo(f"{item.id} {label(item.state)}")


def _done(item) -> None:
    echo(
        f"{item.id} {label(item.state)}"
        + (f" {t('时限', 'due')} {item.due}" if item.due and item.is_open else "")
    )


@issue_app.command("assign")
def issue_assign(
    item_id: Annotated[str, typer.Argument()],
    leader: Annotated[
        str | None,
        typer.Option("--leader", autocompletion=complete_cadre),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    due: Annotated[str | None, typer.Option("--due")] = None,
    team: Annotated[
        str | None,
        typer.Option("--team", autocompletion=complete_cadre),
    ] = None,
    plan: Annotated[str | None, typer.Option("--plan")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import workflow

    if not leader:
        from minqing.ledgers.core.errors import BadInput
        from minqing.ledgers.core.messages import Text

        raise BadInput("required", field="--leader", accepted=Text("acc_leader_id"))
    _done(
        workflow.assign(
            ledger(),
            actor,
            item_id,
            leader=leader,
            resp_unit=unit,
            due=due,
            team=fields.id_list(team),
            plan=plan,
        )
    )


@issue_app.command("progress")
def issue_progress(
    item_id: Annotated[str, typer.Argument()],
    note: Annotated[str | None, typer.Option("--note")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.progress(ledger(), actor, item_id, note))


@issue_app.command("escalate")
def issue_escalate(
    item_id: Annotated[str, typer.Argument()],
    to: Annotated[str | None, typer.Option("--to")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    item = workflow.escalate(ledger(), actor, item_id, to or "", reason)
    echo(f"{item.id} {label(item.state)} {label(item.level)}")


@issue_app.command("resolve")
def issue_resolve(
    item_id: Annotated[str, typer.Argument()],
    how: Annotated[str | None, typer.Option("--how")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.resolve(ledger(), actor, item_id, how or "", note))


@issue_app.command("feedback")
def issue_feedback(
    item_id: Annotated[str, typer.Argument()],
    result: Annotated[str | None, typer.Option("--result")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.feedback(ledger(), actor, item_id, result or "", note))


@issue_app.command("close")
def issue_close(
    item_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.close(ledger(), actor, item_id, reason))


@issue_app.command("reopen")
def issue_reopen(
    item_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.reopen(ledger(), actor, item_id, reason))


@issue_app.command("edit")
def issue_edit(
    item_id: Annotated[str, typer.Argument()],
    desc: Annotated[str | None, typer.Option("--desc")] = None,
    category: ItemCategoryOpt = None,
    kind: ItemKindOpt = None,
    ledger_name: ItemLedgerOpt = None,
    household: Annotated[str | None, typer.Option("--household")] = None,
    unit: ItemUnitOpt = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(
        workflow.edit(
            ledger(),
            actor,
            item_id,
            reason=reason,
            desc=desc,
            category=category,
            kind=kind,
            ledger_name=ledger_name,
            household=household,
            unit=unit,
            late=late_reason(late, reason),
        )
    )


@issue_app.command("void")
def issue_void(
    item_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.void(ledger(), actor, item_id, reason, late=late_reason(late, reason)))


@issue_app.command("extend")
def issue_extend(
    item_id: Annotated[str, typer.Argument()],
    to: Annotated[str | None, typer.Option("--to")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.extend(ledger(), actor, item_id, to or "", reason))


@issue_app.command("claim")
def issue_claim(
    item_id: Annotated[str, typer.Argument()],
    by: Annotated[str | None, typer.Option("--by", autocompletion=complete_cadre)] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import workflow

    _done(workflow.claim(ledger(), actor, item_id, by or ""))


@issue_app.command("show")
def issue_show(item_id: Annotated[str, typer.Argument()], json_out: JsonOpt = False) -> None:
    from minqing.ledgers.read import queries

    view = queries.item_view(ledger(), item_id)
    if json_out:
        print_json(view)
        return
    print_mapping(view, skip=("history",))
    echo(t("历史：", "history:"))
    for entry in view["history"]:
        detail = ", ".join(
            f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in entry["fields"].items()
            if k != "id"
        )
        echo(f"  {entry['at']}  {entry['by']}  {label(entry['op'])}  {detail}")


@issue_app.command("list")
def issue_list(
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            autocompletion=complete_item_state,
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue")] = False,
    include_voided: Annotated[bool, typer.Option("--all")] = False,
    unit: ItemUnitOpt = None,
    leader: Annotated[
        str | None,
        typer.Option("--leader", autocompletion=complete_cadre),
    ] = None,
    category: Annotated[str | None, typer.Option("--category", autocompletion=complete_category)] = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    ledger_name: Annotated[str | None, typer.Option("--ledger", autocompletion=complete_ledger_name)] = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    from minqing.ledgers.read import queries

    from .tables import print_fitted

    led = ledger()
    rows = queries.items(
        led,
        state=state,
        overdue=overdue,
        unit=unit,
        leader=leader,
        category=category,
        kind=kind,
        ledger_name=ledger_name,
        include_voided=include_voided,
    )
    if json_out:
        print_json_list(queries.item_summary(item, is_overdue) for item, is_overdue in rows)
    else:
        from minqing.ledgers.read.names import names

        known = names(led)
        print_fitted(_item_columns(), _item_cells(rows, known), wide=wide, columnwise=True)
    warn_unreadable(led)
