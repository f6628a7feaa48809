"""The offices' sheets for meetings: rank (季排名), reconcile (对账销号) and duties (the monthly and quarterly
minimums). Numbers come from ledgers/read/office.py; formats from cli/office_render.py."""

from typing import Annotated

import typer

from .common import FormatOpt, JsonOpt, OutOpt, WideOpt, echo, label, lang, ledger, note, print_json, t
from .office_render import emit, grade_label, percent


def register(app: typer.Typer) -> None:
    app.command("rank")(rank)
    app.command("reconcile")(reconcile)
    app.command("duties")(duties)


# ---------------------------------------------------------------- ranking


def rank(
    quarter: Annotated[str | None, typer.Option("--quarter")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    wide: WideOpt = False,
) -> None:
    from minqing.ledgers.read import office

    ranking = office.rank(ledger(), quarter, by)
    team = ranking.by == "team"
    headers = [
        t(*pair)
        for pair in (
            ("名次", "rank"),
            ("代码", "code"),
            ("工作队" if team else "乡镇", "team" if team else "township"),
            ("得分", "score"),
            ("按期率", "on time"),
            ("按期得分", "pts"),
            ("覆盖率", "coverage"),
            ("覆盖得分", "pts"),
            ("满意率", "satisfaction"),
            ("满意得分", "pts"),
            ("超期", "overdue"),
            ("扣分", "penalty"),
        )
    ]
    if team:
        headers.append(t("定评", "grade"))
    rows = []
    for row in ranking.rows:
        cells = [
            row.rank,
            row.unit,
            row.name,
            f"{row.score:.1f}",
            f"{percent(row.on_time_rate)} ({row.closed_on_time}/{row.closed})",
            f"{row.on_time_points:.1f}",
            f"{percent(row.coverage)} ({row.households_visited}/{row.households})",
            f"{row.coverage_points:.1f}",
            f"{percent(row.satisfaction_rate)} ({row.feedback_good + row.review_good}/{row.feedback + row.review_raters})",
            f"{row.satisfaction_points:.1f}",
            row.overdue,
            f"-{row.overdue_penalty:.1f}" if row.overdue_penalty else "0",
        ]
        if team:
            cells.append(grade_label(row.grade))
        rows.append(cells)
    title = t(
        f"{ranking.quarter} {'工作队' if team else '乡镇'}排名（{ranking.period.start}..{ranking.period.end}，"
        f"截至 {ranking.period.as_of}）",
        f"{ranking.quarter} ranking of {'teams' if team else 'townships'} "
        f"({ranking.period.start}..{ranking.period.end}, as of {ranking.period.as_of})",
    )
    formula = t(
        "得分 = 40×按期率 + 30×走访覆盖率 + 30×满意率（回访与群众测评合计）− 每项超期扣 2 分（最多扣 30 分）；"
        "无数据的分项按一半计分",
        "score = 40×on-time rate + 30×coverage + 30×satisfaction (feedback and review ratings) − 2 per overdue "
        "item (at most 30); a component with no data scores half",
    )
    emit(
        fmt,
        out,
        title,
        headers,
        rows,
        ranking.to_dict(),
        [6, 14, 12, 8, 16, 8, 16, 8, 18, 8, 6, 6, 6],
        [formula],
        lead_columns=3,
        wide=wide,
    )
    if (fmt or "table") == "table" and not out:
        note(formula)


# ---------------------------------------------------------------- reconciliation


def reconcile(
    ledger_name: Annotated[str | None, typer.Option("--ledger")] = None,
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    from minqing.ledgers.core.messages import label as op_label
    from minqing.ledgers.read import office

    sheet = office.reconcile(ledger(), ledger_name, unit)
    headers = [
        t(*pair)
        for pair in (
            ("序号", "no."),
            ("编号", "id"),
            ("台账", "ledger"),
            ("类型", "kind"),
            ("内容", "description"),
            ("农户", "household"),
            ("单位", "unit"),
            ("层级", "level"),
            ("状态", "state"),
            ("责任领导", "leader"),
            ("时限", "due"),
            ("超期天数", "days overdue"),
            ("最近办理", "last action"),
            ("距今天数", "days since"),
            ("处理意见", "decision"),
        )
    ]
    rows = []
    for number, row in enumerate(sheet.rows, start=1):
        rows.append(
            [
                number,
                row.id,
                label(row.ledger),
                label(row.kind),
                row.desc,
                row.head or "",
                row.unit_name,
                label(row.level),
                label(row.state),
                row.leader_name or "",
                row.due or "",
                row.overdue_days or "",
                f"{row.last_date} {op_label(row.last_op, lang())} {row.last_by_name}",
                row.days_since,
                "",
            ]
        )
    scope = label(sheet.ledger) if sheet.ledger else t("全部台账", "all ledgers")
    overdue = sum(1 for row in sheet.rows if row.overdue_days)
    title = t(
        f"对账销号 {sheet.unit_name}（{sheet.unit}）{scope} 截至 {sheet.date}：未销号 {len(sheet.rows)} 项，超期 {overdue} 项",
        f"reconciliation {sheet.unit_name} ({sheet.unit}) {scope} as of {sheet.date}: "
        f"{len(sheet.rows)} open, {overdue} overdue",
    )
    footer = [t("参会单位及人员签字：", "signed by the units present:"), t("日期：", "date:")]
    emit(
        fmt,
        out,
        title,
        headers,
        rows,
        sheet.to_dict(),
        [5, 11, 9, 7, 30, 8, 10, 6, 8, 9, 11, 7, 26, 7, 20],
        footer,
    )


# ---------------------------------------------------------------- duties


def duties(
    month: Annotated[
        str | None,
        typer.Option("--month"),
    ] = None,
    quarter: Annotated[str | None, typer.Option("--quarter")] = None,
    only: Annotated[str | None, typer.Option("--only")] = None,
    activity_minimum: Annotated[
        str | None,
        typer.Option("--activity-minimum"),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.core.messages import render as say
    from minqing.ledgers.read import office

    result = office.duties(ledger(), month, quarter, only, activity_minimum)
    if json_out:
        print_json(result.to_dict(lang()))
    else:
        for duty in result.findings:
            echo(duty.render(lang()))
    period = f"{result.month}, {result.quarter}"
    if result.findings:
        note("minqing: " + say("duties_found", lang(), count=len(result.findings), period=period))
        raise typer.Exit(1)
    note(t(f"各项工作均已达标（{period}）", f"every duty met ({period})"))
