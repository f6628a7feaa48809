"""`minqing period`: reporting periods (报送): close a month for a unit, reopen it, show it with what came late."""

from typing import Annotated

import typer

from .common import AsOpt, JsonOpt, echo, ledger, print_json, print_table, t

period_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(period_app, name="period")


MonthArg = Annotated[str, typer.Argument()]
PeriodUnitOpt = Annotated[str | None, typer.Option("--unit")]


@period_app.command("close")
def period_close(month: MonthArg, unit: PeriodUnitOpt = None, actor: AsOpt = None) -> None:
    from minqing.ledgers.ops import periods

    closing = periods.close_period(ledger(), actor, month, unit)
    echo(f"{closing.month} {closing.unit} {t('已报送', 'closed')}")


@period_app.command("reopen")
def period_reopen(
    month: MonthArg,
    unit: PeriodUnitOpt = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import periods

    closing = periods.reopen_period(ledger(), actor, month, unit, reason)
    echo(f"{closing.month} {closing.unit} {t('已重新打开', 'reopened')}")


@period_app.command("show")
def period_show(month: MonthArg, json_out: JsonOpt = False) -> None:
    from minqing.ledgers.read import periods

    view = periods.show(ledger(), month)
    if json_out:
        print_json(view)
        return
    print_table(
        [
            t("单位", "unit"),
            t("状态", "state"),
            t("报送人", "closed by"),
            t("报送日", "closed"),
            t("重新打开", "reopened"),
        ],
        [
            [
                c["unit"],
                t("已报送", "closed") if c["state"] == "closed" else t("已重新打开", "reopened"),
                c["closed_by"],
                c["closed"],
                c.get("reopen_reason") or "",
            ]
            for c in view["closings"]
        ],
    )
    echo(t(f"补录 {len(view['late'])} 条", f"{len(view['late'])} recorded late"))
    if view["late"]:
        print_table(
            [t("类型", "kind"), t("编号", "id"), t("日期", "date"), t("单位", "unit"), t("原因", "reason")],
            [[e["kind"], e["id"], e["date"], e["unit"], e["reason"]] for e in view["late"]],
        )
