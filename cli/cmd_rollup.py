"""Rollups and the index cache: rollup, reindex.

A rollup over several ledgers (--repo, repeatable, and/or --repos-file: a city or province over its counties) is
computed by `R.gather`: each ledger's index refreshed and its part computed in a pool of worker processes, summed in
the order the ledgers were given (MINQING_JOBS=1: one after another in this process)."""

from typing import Annotated

import typer

from .common import ByOpt, DateOpt, UnitOpt, WideOpt, echo, lang, ledger, note, t


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
    ytd: Annotated[bool, typer.Option("--ytd")] = False,
    each: Annotated[str | None, typer.Option("--each")] = None,
    metrics: Annotated[list[str] | None, typer.Option("--metric")] = None,
    repos_file: Annotated[str | None, typer.Option("--repos-file")] = None,
) -> None:
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.core.messages import Text
    from minqing.ledgers.read import rollup as R

    from . import rollup_render as render
    from .tables import terminal_width

    if each is not None or ytd or metrics:
        _each_or_ytd(period, date, start, as_reported, ytd)
        if each is not None or metrics:
            return _rollup_each(
                each, metrics, start, end, by, unit, fmt, out, fail_on_overdue, repos, repos_file, wide
            )
    chosen_period = R.year_to_date(end) if ytd else R.choose_period(period, date, start, end)
    grouping = R.choose_grouping(by) if by is not None else None
    chosen_format = R.choose_format(fmt)
    if chosen_format == "xlsx" and not out:
        raise BadInput("required", field="--out", accepted=Text("acc_out_workbook"))
    ledgers = _ledgers(repos, repos_file)
    grouping = grouping or (R.choose_grouping(None) if len(ledgers) < 2 else "county")
    if as_reported:
        result = _reported(ledgers[0], chosen_period, grouping if by is not None else None, unit)
        results = [result]
    else:
        # The workbook has a sheet per grouping, the chosen one first.
        groupings = (
            [grouping, *(g for g in R.GROUPINGS if g != grouping)] if chosen_format == "xlsx" else [grouping]
        )
        results = _gathered(ledgers, [(chosen_period, g) for g in groupings], unit)
        result = results[0]
    if chosen_format == "xlsx":
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
        page = render.html_page(render.title(result, lang()), [render.html_section(result, lang())], lang())
        data = page.encode("utf-8")
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


def _ledgers(repos: list[str] | None, repos_file: str | None) -> list:
    """--repo (repeatable) then the ledgers --repos-file lists; neither: the ledger of -C / the current directory."""
    from minqing.ledgers.read import rollup as R
    from minqing.ledgers.repo.store import Ledger

    ledgers = [Ledger.open(path) for path in repos or []]
    if repos_file is not None:
        ledgers += R.ledger_list(repos_file)
    return ledgers or [ledger()]


def _gathered(ledgers: list, asks: list, unit: str | None) -> list:
    """The rollups asked for over `ledgers` (R.gather); each ledger's index notes on stderr as it is done."""
    from minqing.ledgers.core.messages import render as say
    from minqing.ledgers.read import rollup as R

    def notes(found: list) -> None:
        for key, params in found:
            note("minqing: " + say(key, lang(), **params))

    return R.gather(ledgers, asks, unit, lang(), on_notes=notes)


def _each_or_ytd(period, date, start, as_reported, ytd) -> None:
    """--ytd and --each choose the period(s) themselves: --period, --date and --as-reported do not go with them,
    nor --from with --ytd (which starts on 1 January)."""
    from minqing.ledgers.core.errors import BadInput

    given = {"--period": period, "--date": date, "--as-reported": as_reported or None}
    if ytd:
        given["--from"] = start
    for name, value in given.items():
        if value is not None:
            raise BadInput("exclusive", field=name, other="--ytd/--each")


def _rollup_each(
    each, metrics, start, end, by, unit, fmt, out, fail_on_overdue, repos, repos_file, wide
) -> None:
    """rollup --each month|quarter|year: the periods side by side, and the span's total (cli/series_render.py)."""
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.core.messages import Text
    from minqing.ledgers.read import rollup as R

    from . import rollup_render as render
    from . import series_render as S
    from .tables import terminal_width

    if each is None:
        raise BadInput("required", field="--each", accepted=Text("acc_each_metric", codes="|".join(R.EACH)))
    periods = R.choose_each(each, start, end)
    grouping = R.choose_grouping(by) if by is not None else None
    chosen_format = R.choose_format(fmt)
    ledgers = _ledgers(repos, repos_file)
    grouping = grouping or (R.choose_grouping(None) if len(ledgers) < 2 else "county")
    keys = S.choose_metrics(metrics, grouping)
    if chosen_format == "xlsx" and not out:
        raise BadInput("required", field="--out", accepted=Text("acc_out_workbook"))
    asks = [(period, grouping) for period in R.series_periods(periods)]
    result = R.assemble_series(periods[0].kind, _gathered(ledgers, asks, unit), grouping)
    if chosen_format == "xlsx":
        data = S.xlsx_bytes(result, lang())
    elif chosen_format == "table":
        data = S.table_text(result, keys, lang(), None if out else terminal_width(wide)).encode("utf-8")
    elif chosen_format == "md":
        data = S.markdown(result, keys, lang()).encode("utf-8")
    elif chosen_format == "csv":
        data = S.csv_bytes(result, lang())
    elif chosen_format == "json":
        data = render.json_text(result.to_dict()).encode("utf-8")
    else:
        data = S.html_page(result, keys, lang()).encode("utf-8")
    if out:
        render.write_file(out, data)
    else:
        typer.echo(data.decode("utf-8-sig") if chosen_format != "csv" else data.decode("utf-8"), nl=False)
    overdue = R.overdue_total(result.total)
    if fail_on_overdue and overdue:
        from minqing.ledgers.core.messages import render as say

        as_of = result.total.period.as_of.isoformat()
        note("minqing: " + say("overdue_found", lang(), count=overdue, date=as_of))
        raise typer.Exit(1)


def _reported(led, period, grouping: str | None, unit: str | None):
    """The rollup stored when `period` (a month) was closed for `unit` (`period close`)."""
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.core.messages import Text
    from minqing.ledgers.ops import periods
    from minqing.ledgers.read import rollup as R

    if period.kind != "month":
        raise BadInput(
            "bad_value", field="--period", value=period.kind, accepted=Text("acc_month_as_reported")
        )
    result = R.Rollup.from_dict(periods.as_reported(led, period.label, unit))
    if grouping is not None and grouping != result.by:
        raise BadInput(
            "bad_value", field="--by", value=grouping, accepted=Text("acc_as_reported_by", by=result.by)
        )
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
