"""The ledger itself: init (a new one), demo (the sample county), status (the clerk's one-screen summary)."""

from typing import Annotated

import typer

from .common import JsonOpt, WideOpt, echo, label, ledger, print_json, t, warn_unreadable


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.command("demo")(demo)


def init(
    path: Annotated[str, typer.Argument()],
    county_code: Annotated[str | None, typer.Option("--county-code")] = None,
    county_name: Annotated[str | None, typer.Option("--county-name")] = None,
    admin_name: Annotated[str | None, typer.Option("--admin-name")] = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    new = reg.init(path, county_code or "", county_name or "", admin_name)
    user = new._configured_user()
    echo(t(f"已创建台账 {new.root}（管理员 {user}）", f"created ledger {new.root} (admin {user})"))


OVERDUE_SHOWN = 10  # the screen's overdue items; `issue list --overdue` lists them all
# The screen's leaders, most overdue first: a county has thousands with open items (3,903 at `large`), which made
# `status` four thousand lines. `rollup --by leader` lists them all, and `--json` has them all.
LEADERS_SHOWN = 20


def status(json_out: JsonOpt = False, wide: WideOpt = False) -> None:
    from minqing.ledgers.read import queries

    led = ledger()
    summary = queries.status(led, overdue_shown=None if json_out else OVERDUE_SHOWN)
    if json_out:
        print_json(summary)
    else:
        render_status(summary, wide)
    warn_unreadable(led)


def render_status(summary: dict, wide: bool = False) -> None:
    from .tables import KEY, NAME, NUMBER, TEXT, Column, flow, print_fitted, terminal_width

    width = terminal_width(wide)
    echo(
        f"{summary['county']['name']}（{summary['county']['code']}） {t('截至', 'as of')} {summary['today']}"
    )
    counts = summary["counts"]
    # "label figure" pairs flow onto as many lines as the width needs; a pair is never split.
    for pairs in (
        [
            (t("农户", "households"), counts["households"]),
            (t("干部", "cadres"), counts["cadres"]),
            (t("走访", "visits"), counts["visits"]),
            (t("事项", "items"), counts["items"]),
        ],
        [
            (t("未销号", "open"), counts["open"]),
            (t("已办结待销号", "resolved awaiting close"), counts["resolved"]),
            (t("已销号", "closed"), counts["closed"]),
            (t("超期", "overdue"), counts["overdue"]),
            (t("本周到期", "due this week"), counts["due_this_week"]),
            (t("信访未按时交办", "petitions not assigned in time"), counts["petitions_unassigned_late"]),
        ],
        [
            (label(name), summary["by_state"].get(name, 0))
            for name in ("registered", "assigned", "in_progress", "resolved", "closed")
        ],
    ):
        for line in flow([f"{name} {figure}" for name, figure in pairs], width):
            echo(line)
    if summary["by_township"]:
        print_fitted(
            [
                Column(t("乡镇", "township"), NAME),
                Column(t("代码", "code"), KEY, drop=1),
                Column(t("事项", "items"), NUMBER),
                Column(t("未销号", "open"), NUMBER),
                Column(t("超期", "overdue"), NUMBER),
                Column(t("上报乡镇", "to township"), NUMBER),
                Column(t("上报县", "to county"), NUMBER),
            ],
            [
                [
                    row["name"],
                    row["code"],
                    row["items"],
                    row["open"],
                    row["overdue"],
                    row["escalated_township"],
                    row["escalated_county"],
                ]
                for row in summary["by_township"]
            ],
            wide=wide,
        )
    if summary["by_leader"]:
        leaders = summary["by_leader"][:LEADERS_SHOWN]
        print_fitted(
            [
                Column(t("责任领导", "leader"), NAME),
                Column(t("在办", "open"), NUMBER),
                Column(t("超期", "overdue"), NUMBER),
                Column(t("本周到期", "due this week"), NUMBER),
            ],
            [
                [f"{row['name']} {row['id']}", row["open"], row["overdue"], row["due_this_week"]]
                for row in leaders
            ],
            wide=wide,
        )
        if len(summary["by_leader"]) > len(leaders):
            more = len(summary["by_leader"]) - len(leaders)
            echo(
                t(
                    f"（另有 {more} 位责任领导有在办事项：minqing rollup --by leader）",
                    f"({more} more leaders with open items: minqing rollup --by leader)",
                )
            )
    if summary["overdue"]:
        shown = summary["overdue"][:OVERDUE_SHOWN]
        echo(t("超期事项：", "overdue items:"))
        print_fitted(
            [
                Column(t("编号", "id"), KEY),
                Column(t("时限", "due"), KEY),
                Column(t("描述", "description"), TEXT),
                Column(t("责任领导", "leader"), NAME),
            ],
            [
                [
                    row["id"],
                    row["due"],
                    row["desc"],
                    f"{row['leader_name']} {row['leader']}" if row["leader"] else "-",
                ]
                for row in shown
            ],
            wide=wide,
        )
        if summary["counts"]["overdue"] > len(shown):
            echo(
                t(
                    f"（另有 {summary['counts']['overdue'] - len(shown)} 项超期：minqing issue list --overdue）",
                    f"({summary['counts']['overdue'] - len(shown)} more overdue: minqing issue list --overdue)",
                )
            )


def demo(
    path: Annotated[str, typer.Argument()] = "minqing-demo",
    seed: Annotated[str, typer.Option("--seed")] = "1",
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import demo as demo_mod
    from minqing.ledgers.read import queries

    built = demo_mod.build(path, seed=fields.positive_int(seed, "--seed", 0, 2**31 - 1))
    echo(t(f"示例台账已建在 {built.root}", f"sample ledger built at {built.root}"))
    render_status(queries.status(built, overdue_shown=OVERDUE_SHOWN))
