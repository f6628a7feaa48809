"""Rollups and the index cache: rollup, reindex."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import ByOpt, DateOpt, UnitOpt, echo, lang, ledger, note, open_indexes, t
from .tables import WideOpt, terminal_width


def register(app: typer.Typer) -> None:
    app.command("rollup")(rollup)
    app.command("reindex")(reindex)


PeriodOpt = Annotated[str | None, typer.Option("--period")]


def rollup(
    period: PeriodOpt = None,
    date: DateOpt = None,
    start: Annotated[str | None, typer.Option("--from")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    by: ByOpt = None,
    unit: UnitOpt = None,
    fmt: Annotated[str | None, typer.Option("--format")] = None,
    out: Annotated[str | None, typer.Option("--out")] = None,
    fail_on_overdue: Annotated[bool, typer.Option("--fail-on-overdue")] = False,
    repos: Annotated[list[str] | None, typer.Option("--repo")] = None,
    as_reported: Annotated[
        bool,
        typer.Option("--as-reported"),
    ] = False,
    wide: WideOpt = False,
) -> None:
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.read import rollup as R
    from minqing.ledgers.repo.store import Ledger

    from . import rollup_render as render

    chosen_period = R.choose_period(period, date, start, end)
    grouping = R.choose_grouping(by) if by is not None or len(repos or []) < 2 else "county"
    chosen_format = R.choose_format(fmt)
    if chosen_format == "xlsx" and not out:
        raise BadInput("required", field="--out", accepted="a file name for the workbook (xlsx is binary)")
    ledgers = [Ledger.open(path) for path in repos] if repos else [ledger()]
    reported = (
        _reported(ledgers[0], chosen_period, grouping if by is not None else None, unit)
        if as_reported
        else None
    )
    indexes = [] if reported else open_indexes(ledgers, quiet=False)
    try:
        result = reported or R.rollup(indexes, chosen_period, grouping, unit, lang())
        if chosen_format == "xlsx" and reported:
            data = render.xlsx_bytes([reported], lang())
        elif chosen_format == "xlsx":
            groupings = [grouping, *(g for g in R.GROUPINGS if g != grouping)]
            results = [result, *(R.rollup(indexes, chosen_period, g, unit, lang()) for g in groupings[1:])]
            data = render.xlsx_bytes(results, lang())
        elif chosen_format == "table":
            # Fitted to the terminal (or COLUMNS); a file gets every column of a section side by side.
            data = render.table_text(result, lang(), None if out else terminal_width(wide)).encode("utf-8")
        elif chosen_format == "md":
            data = render.markdown(result, lang()).encode("utf-8")
        elif chosen_format == "csv":
            data = render.csv_bytes(result, lang())
        elif chosen_format == "json":
            data = render.json_text(result.to_dict()).encode("utf-8")
        else:
            page = render.html_page(
                render.title(result, lang()), [render.html_section(result, lang())], lang()
            )
            data = page.encode("utf-8")
    finally:
        for index in indexes:
            index.close()
    if data is not None:
        if out:
            render.write_file(out, data)
        else:
            typer.echo(data.decode("utf-8-sig") if chosen_format != "csv" else data.decode("utf-8"), nl=False)
    overdue = R.overdue_total(result)
    if fail_on_overdue and overdue:
        from minqing.ledgers.core.messages import render as say

        note("minqing: " + say("overdue_found", lang(), count=overdue, date=chosen_period.as_of.isoformat()))
        raise typer.Exit(1)


def _reported(led, period, grouping: str | None, unit: str | None):
    """The rollup stored when `period` (a month) was closed for `unit` (`period close`)."""
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.ops import periods
    from minqing.ledgers.read import rollup as R

    if period.kind != "month":
        raise BadInput(
            "bad_value", field="--period", value=period.kind, accepted="month (with --as-reported)"
        )
    result = R.Rollup.from_dict(periods.as_reported(led, period.label, unit))
    if grouping is not None and grouping != result.by:
        raise BadInput("bad_value", field="--by", value=grouping, accepted=f"{result.by} (as reported)")
    return result


def reindex() -> None:
    import sys

    from minqing.ledgers.read.index import Index

    led = ledger()
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task(t("解析台账文件", "parsing ledger files"), total=None)
            index = Index.open(
                led, rebuild=True, progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    else:
        index = Index.open(led, rebuild=True)
    with index:
        counts = index.counts()
        commit = (index.commit or "")[:10]
        problems = index.problems()
    echo(
        t(
            f"已重建索引：{index.parsed} 个文件（事项 {counts['items']}，农户 {counts['households']}，"
            f"走访 {counts['visits']}，干部 {counts['cadres']}），提交 {commit}",
            f"index rebuilt: {index.parsed} files ({counts['items']} items, {counts['households']} households, "
            f"{counts['visits']} visits, {counts['cadres']} cadres) at commit {commit}",
        )
    )
    if problems:
        from minqing.ledgers.core.messages import render as say

        note("minqing: " + say("index_problems", lang(), count=len(problems), path=problems[0][0]))
