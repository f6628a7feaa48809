"""`minqing issue`: items on the ledgers and their workflow, from registration to closure (销号)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    AsOpt,
    JsonOpt,
    LateOpt,
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
    print_mapping,
    t,
    warn_unreadable,
)
from .tables import WideOpt, print_fitted, shorten

issue_app = typer.Typer(
    help="Items on the ledger and their workflow, worked to closure (销号).", no_args_is_help=True
)


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


def _item_row(item, overdue: bool, names) -> list[str]:
    return [
        item.id,
        label(item.kind),
        label(item.ledger),
        label(item.category),
        shorten(item.desc),
        names.unit(item.unit),
        label(item.level),
        label(item.state),
        names.cadre(item.leader),
        item.due or "",
        t("是", "yes") if overdue else "",
    ]


@issue_app.command("add")
def issue_add(
    desc: Annotated[str | None, typer.Option("--desc", help="What the problem or appeal is.")] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            autocompletion=complete_category,
            help="income|education|medical|housing|water|infrastructure|industry|policy|other",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", autocompletion=complete_item_kind, help="problem|appeal|petition|wish|suggestion"
        ),
    ] = None,
    ledger_name: Annotated[
        str | None,
        typer.Option("--ledger", autocompletion=complete_ledger_name, help="livelihood|hardship|stability"),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="visit|petition|hotline|review|grid")] = None,
    household: Annotated[
        str | None, typer.Option("--household", help="Household concerned (id or prefix).")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="Unit concerned, when not one household."),
    ] = None,
    visit: Annotated[str | None, typer.Option("--visit", help="Visit during which it was raised.")] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Deadline YYYY-MM-DD (petitions default to 60 days).")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Register an item on a ledger.

    Example: minqing issue add --desc 村道路灯损坏 --category infrastructure --kind problem --ledger livelihood --source grid --unit 520602101201
    """
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
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    leader: Annotated[
        str | None,
        typer.Option("--leader", autocompletion=complete_cadre, help="Responsible leader (cadre id)."),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Responsible unit (责任单位), text.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Deadline YYYY-MM-DD.")] = None,
    team: Annotated[
        str | None,
        typer.Option(
            "--team", autocompletion=complete_cadre, help="Working team, cadre ids comma-separated."
        ),
    ] = None,
    plan: Annotated[str | None, typer.Option("--plan", help="The plan (方案).")] = None,
    actor: AsOpt = None,
) -> None:
    """Assign an item: one leader, one team, one plan, one deadline (一个案件一名领导一套班子一个方案).

    Example: minqing issue assign Q-7K3M --leader C-4H2J --unit 乡交通站 --due 2026-12-07 --plan 更换灯具
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import workflow

    if not leader:
        from minqing.ledgers.core.errors import BadInput

        raise BadInput("required", field="--leader", accepted="a cadre id C-…")
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
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
    actor: AsOpt = None,
) -> None:
    """Record progress on an assigned item.

    Example: minqing issue progress Q-7K3M --note 已联系供电所
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.progress(ledger(), actor, item_id, note))


@issue_app.command("escalate")
def issue_escalate(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    to: Annotated[str | None, typer.Option("--to", help="township|county")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it goes up.")] = None,
    actor: AsOpt = None,
) -> None:
    """Refer an item to the township or county (registered again at that level, history kept).

    Example: minqing issue escalate Q-7K3M --to township --reason 需乡镇协调资金
    """
    from minqing.ledgers.ops import workflow

    item = workflow.escalate(ledger(), actor, item_id, to or "", reason)
    echo(f"{item.id} {label(item.state)} {label(item.level)}")


@issue_app.command("resolve")
def issue_resolve(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    how: Annotated[str | None, typer.Option("--how", help="solved|explained|on_the_spot|fulfilled")] = None,
    note: Annotated[str | None, typer.Option("--note", help="How it was resolved.")] = None,
    actor: AsOpt = None,
) -> None:
    """Resolve an item (explained = a policy explanation for an unreasonable demand).

    Example: minqing issue resolve Q-7K3M --how solved --note 已更换路灯
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.resolve(ledger(), actor, item_id, how or "", note))


@issue_app.command("feedback")
def issue_feedback(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    result: Annotated[str | None, typer.Option("--result", help="satisfied|basic|unsatisfied")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What the household said.")] = None,
    actor: AsOpt = None,
) -> None:
    """Record the household's feedback on a resolved item (unsatisfied sends it back to in_progress).

    Example: minqing issue feedback Q-7K3M --result satisfied
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.feedback(ledger(), actor, item_id, result or "", note))


@issue_app.command("close")
def issue_close(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Needed when there is no satisfied/basic feedback.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Close (销号) a resolved item.

    Example: minqing issue close Q-7K3M
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.close(ledger(), actor, item_id, reason))


@issue_app.command("reopen")
def issue_reopen(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required).")] = None,
    actor: AsOpt = None,
) -> None:
    """Reopen a closed item.

    Example: minqing issue reopen Q-7K3M --reason 回访发现路灯又坏
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.reopen(ledger(), actor, item_id, reason))


@issue_app.command("edit")
def issue_edit(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    desc: Annotated[str | None, typer.Option("--desc", help="The corrected description.")] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            autocompletion=complete_category,
            help="income|education|medical|housing|water|infrastructure|industry|policy|other",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", autocompletion=complete_item_kind, help="problem|appeal|wish|suggestion"),
    ] = None,
    ledger_name: Annotated[
        str | None,
        typer.Option("--ledger", autocompletion=complete_ledger_name, help="livelihood|hardship|stability"),
    ] = None,
    household: Annotated[str | None, typer.Option("--household", help="The right household.")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="The right unit (no household)."),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is corrected (required).")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    """Correct an item (更正); the old values stay in its history. A closed item only by a role that may close it.

    Example: minqing issue edit Q-7K3M --category water --reason 类别录错
    """
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
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required): a duplicate, a mistake.")
    ] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    """Void a duplicate or mistaken item (作废): it leaves every count and list; `issue show` still shows it.

    Example: minqing issue void Q-7K3M --reason 与 Q-9PQ1 重复
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.void(ledger(), actor, item_id, reason, late=late_reason(late, reason)))


@issue_app.command("extend")
def issue_extend(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    to: Annotated[str | None, typer.Option("--to", help="New deadline YYYY-MM-DD.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required).")] = None,
    actor: AsOpt = None,
) -> None:
    """Move an item's deadline (petitions: once, at most 30 days).

    Example: minqing issue extend Q-7K3M --to 2026-12-20 --reason 等待材料
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.extend(ledger(), actor, item_id, to or "", reason))


@issue_app.command("claim")
def issue_claim(
    item_id: Annotated[str, typer.Argument(help="Wish id or unique prefix.")],
    by: Annotated[
        str | None, typer.Option("--by", autocompletion=complete_cadre, help="Cadre who takes on the wish.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Claim a wish (微心愿) for a cadre to fulfil.

    Example: minqing issue claim Q-7K3M --by C-4H2J
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.claim(ledger(), actor, item_id, by or ""))


@issue_app.command("show")
def issue_show(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")], json_out: JsonOpt = False
) -> None:
    """Show one item with its whole history.

    Example: minqing issue show Q-7K3M --json
    """
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
            help="registered|assigned|in_progress|resolved|closed|open|voided",
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open items past their deadline.")] = False,
    include_voided: Annotated[
        bool, typer.Option("--all", help="Also voided (作废) items, marked 已作废.")
    ] = False,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="Only items under this unit code."),
    ] = None,
    leader: Annotated[
        str | None,
        typer.Option(
            "--leader", autocompletion=complete_cadre, help="Only items of this responsible leader."
        ),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", autocompletion=complete_category, help="Only this category.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    ledger_name: Annotated[
        str | None, typer.Option("--ledger", autocompletion=complete_ledger_name, help="Only this ledger.")
    ] = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """List items, filtered.

    Example: minqing issue list --state open --unit 520602101 --overdue
    """
    from minqing.ledgers.read import queries

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
        print_json([queries.item_summary(item, is_overdue) for item, is_overdue in rows])
    else:
        from minqing.ledgers.read.names import names

        known = names(led)
        print_fitted(
            _item_columns(), [_item_row(item, is_overdue, known) for item, is_overdue in rows], wide=wide
        )
    warn_unreadable(led)
