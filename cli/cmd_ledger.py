"""The ledger itself: init (a new one), demo (the sample county), status (the clerk's one-screen summary)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import JsonOpt, column_headers, echo, label, ledger, print_json, print_table, t, warn_unreadable


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.command("demo")(demo)


def init(
    path: Annotated[str, typer.Argument(help="Directory for the new ledger repo.")],
    county_code: Annotated[
        str | None, typer.Option("--county-code", help="6-digit GB/T 2260 code, e.g. 520602.")
    ] = None,
    county_name: Annotated[
        str | None, typer.Option("--county-name", help="County name, e.g. 碧江区.")
    ] = None,
    admin_name: Annotated[
        str | None, typer.Option("--admin-name", help="First admin cadre (default: git user.name).")
    ] = None,
) -> None:
    """Create a ledger repo with its config, org root and first admin cadre.

    Example: minqing init bijiang --county-code 520602 --county-name 碧江区 --admin-name 张华
    """
    from minqing.ledgers.ops import register as reg

    new = reg.init(path, county_code or "", county_name or "", admin_name)
    user = new._configured_user()
    echo(t(f"已创建台账 {new.root}（管理员 {user}）", f"created ledger {new.root} (admin {user})"))


def status(json_out: JsonOpt = False) -> None:
    """One-screen summary for the clerk: open, overdue, due this week, who holds what.

    Example: minqing status
    """
    from minqing.ledgers.read import queries

    led = ledger()
    summary = queries.status(led)
    if json_out:
        print_json(summary)
    else:
        render_status(summary)
    warn_unreadable(led)


def render_status(summary: dict) -> None:
    echo(
        f"{summary['county']['name']}（{summary['county']['code']}） {t('截至', 'as of')} {summary['today']}"
    )
    counts = summary["counts"]
    echo(
        t(
            f"农户 {counts['households']}  干部 {counts['cadres']}  走访 {counts['visits']}  事项 {counts['items']}",
            f"households {counts['households']}  cadres {counts['cadres']}  visits {counts['visits']}  items {counts['items']}",
        )
    )
    echo(
        t(
            f"未销号 {counts['open']}  已办结待销号 {counts['resolved']}  已销号 {counts['closed']}  超期 {counts['overdue']}  "
            f"本周到期 {counts['due_this_week']}  信访未按时交办 {counts['petitions_unassigned_late']}",
            f"open {counts['open']}  resolved awaiting close {counts['resolved']}  closed {counts['closed']}  "
            f"overdue {counts['overdue']}  due this week {counts['due_this_week']}  "
            f"petitions not assigned in time {counts['petitions_unassigned_late']}",
        )
    )
    states = summary["by_state"]
    echo(
        "  ".join(
            f"{label(name)} {states.get(name, 0)}"
            for name in ("registered", "assigned", "in_progress", "resolved", "closed")
        )
    )
    if summary["by_township"]:
        print_table(
            column_headers(
                (
                    "乡镇|township",
                    "事项|items",
                    "未销号|open",
                    "超期|overdue",
                    "上报乡镇|to township",
                    "上报县|to county",
                )
            ),
            [
                [
                    row["name"],
                    row["items"],
                    row["open"],
                    row["overdue"],
                    row["escalated_township"],
                    row["escalated_county"],
                ]
                for row in summary["by_township"]
            ],
        )
    if summary["by_leader"]:
        print_table(
            column_headers(("责任领导|leader", "在办|open", "超期|overdue", "本周到期|due this week")),
            [
                [f"{row['name']} {row['id']}", row["open"], row["overdue"], row["due_this_week"]]
                for row in summary["by_leader"]
            ],
        )
    if summary["overdue"]:
        echo(t("超期事项：", "overdue items:"))
        for row in summary["overdue"][:10]:
            echo(f"  {row['id']} {row['due']} {row['desc'][:30]} ({row['leader'] or '-'})")


def demo(
    path: Annotated[str, typer.Argument(help="Where to build the sample county.")] = "minqing-demo",
    seed: Annotated[
        str, typer.Option("--seed", help="Random seed 0-2147483647: the same seed builds the same county.")
    ] = "1",
) -> None:
    """Build the synthetic sample county 碧江区 (seed 001) and print its status.

    Example: minqing demo ./bijiang-demo --seed 7
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import demo as demo_mod
    from minqing.ledgers.read import queries

    built = demo_mod.build(path, seed=fields.positive_int(seed, "--seed", 0, 2**31 - 1))
    echo(t(f"示例台账已建在 {built.root}", f"sample ledger built at {built.root}"))
    render_status(queries.status(built))
