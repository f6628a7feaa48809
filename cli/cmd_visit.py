"""`minqing visit`: visits, talks and stays, each with the items raised during it."""

from collections.abc import Iterator
from typing import Annotated

import typer

from minqing.ledgers.core.cells import shorten

from .common import (
    STATE,
    AsOpt,
    DateOpt,
    JsonOpt,
    LateOpt,
    WideOpt,
    ask,
    complete_cadre,
    complete_category,
    complete_unit,
    echo,
    echo_items,
    label,
    late_reason,
    ledger,
    note,
    paired_raises,
    print_json_list,
    t,
)

visit_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(visit_app, name="visit")


@visit_app.command("add")
def visit_add(
    household: Annotated[str | None, typer.Option("--household")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", autocompletion=complete_cadre),
    ] = None,
    date: DateOpt = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            autocompletion=complete_unit,
        ),
    ] = None,
    raise_: Annotated[list[str] | None, typer.Option("--raise")] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", autocompletion=complete_category),
    ] = None,
    on_spot: Annotated[list[str] | None, typer.Option("--on-spot")] = None,
    item_kind: Annotated[str | None, typer.Option("--item-kind")] = None,
    round_: Annotated[
        str | None,
        typer.Option("--round"),
    ] = None,
    survey: Annotated[
        str | None,
        typer.Option("--survey"),
    ] = None,
    late: LateOpt = False,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    with_cadre: Annotated[
        str | None,
        typer.Option(
            "--with",
            autocompletion=complete_cadre,
        ),
    ] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import visits

    raises = paired_raises(raise_, category)
    led = ledger()
    if kind in (None, "visit", "talk") and unit is None and with_cadre is None:
        household = ask(
            household,
            "--household",
            t("走访农户编号", "household id"),
            lambda v: led.resolve("H", v, "--household"),
        )
    by = ask(
        by,
        "--by",
        t("走访干部编号（逗号分隔）", "visiting cadre ids, comma-separated"),
        lambda v: [led.cadre(c) for c in fields.id_list(v) or [""]],
    )
    visit, items = visits.add_visit(
        led,
        actor,
        household=household,
        by=fields.id_list(by),
        date=date,
        kind=kind,
        note=note,
        unit=unit,
        raises=raises,
        on_spot=on_spot or [],
        item_kind=item_kind,
        late=late_reason(late, reason),
        with_cadre=with_cadre,
        round_number=round_,
        survey=survey,
    )
    echo(f"{visit.id} {visit.date}")
    echo_items(items)


@visit_app.command("edit")
def visit_edit(
    visit_id: Annotated[str, typer.Argument()],
    date: Annotated[str | None, typer.Option("--date")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", autocompletion=complete_cadre),
    ] = None,
    household: Annotated[str | None, typer.Option("--household")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    round_: Annotated[str | None, typer.Option("--round")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import visits

    doc, corrected = visits.edit_visit(
        ledger(),
        actor,
        visit_id,
        reason=reason,
        date=date,
        by=fields.id_list(by) if by is not None else None,
        household=household,
        note=note,
        late=late_reason(late, reason),
        round_number=round_,
    )
    echo(f"{doc['id']} {doc['date']} {t('更正', 'corrects')} {corrected}")


@visit_app.command("void")
def visit_void(
    visit_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core.messages import render
    from minqing.ledgers.ops import visits

    marker, items = visits.void_visit(
        ledger(), actor, visit_id, reason=reason, late=late_reason(late, reason)
    )
    echo(f"{marker['voids']} {label('voided')}")
    if items:
        note(render("items_of_voided_visit", STATE.lang, items=", ".join(items)))


@visit_app.command("list")
def visit_list(
    household: Annotated[str | None, typer.Option("--household")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit),
    ] = None,
    month: Annotated[str | None, typer.Option("--month")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", autocompletion=complete_cadre),
    ] = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    from minqing.ledgers.read import queries
    from minqing.ledgers.read.names import names, with_households

    from .tables import KEY, NAME, TEXT, Column, print_fitted_passes, print_streamed, streams

    led = ledger()
    # A month at a time (issue 19): a county's million visits are never held at once.
    extent, months = queries.visit_listing(
        led, household, unit, month, by, measured=not json_out and streams(wide)
    )
    if json_out:
        print_json_list(v.to_dict() for batch in months for v in batch)
        return
    columns = [
        Column(t("编号", "id"), KEY),
        Column(t("日期", "date"), KEY),
        Column(t("类型", "kind"), KEY, drop=2),
        Column(t("农户", "household"), NAME),
        Column(t("村", "village"), NAME),
        Column(t("走访人", "by"), TEXT),
        Column(t("登记事项", "items"), NAME, drop=1),
        Column(t("记录", "note"), TEXT, drop=3),
    ]
    known = names(led)

    def rows(batches) -> Iterator[list[str]]:
        for batch in batches:
            # Heads from the index, one query a month (a file read each was most of a county's listing).
            shown = with_households(known, led, {v.household for v in batch if v.household})
            for v in batch:
                yield [
                    v.id,
                    v.date,
                    label(v.kind),
                    shown.household(v.household) if v.household else _talked_with(shown, v.with_cadre),
                    shown.unit(v.village),
                    _cadres_cell(shown, v.by),
                    " ".join(v.items),
                    shorten(v.note or ""),
                ]

    widths = None if extent is None else _visit_widths(extent, known, columns)
    if widths is not None:
        # Piped, and the index knows every column's width: the rows print as they are read (`| head` at once).
        print_streamed(columns, widths, rows(months))
        return
    first = [months]  # the first pass reads the months already asked for; a second asks again
    print_fitted_passes(
        columns,
        lambda: rows(first.pop() if first else queries.visit_months(led, household, unit, month, by)),
        wide=wide,
    )


def _talked_with(shown, with_cadre: str | None) -> str:
    """The household column of a visit without one: 谈心谈话 with a cadre (issue 18), the cadre talked with."""
    return t("干部 ", "cadre ") + shown.cadre(with_cadre) if with_cadre else ""


def _cadres_cell(shown, cadres) -> str:
    return " ".join(shown.cadre(cadre) for cadre in cadres)


def _visit_widths(extent: dict, known, columns: list) -> list[int] | None:
    """Each column's width in a pipe (its widest cell or header) from Index.visit_extent, before the rows are read;
    None when a cell named at listing time would not print as it is."""
    from .tables import natural_width, widest_plain

    cells = [
        {label(kind) for kind in extent["kind"]},
        {_talked_with(known, cadre) for cadre in extent["with_cadre"]},
        {known.unit(village) for village in extent["village"]},
        {_cadres_cell(known, (cadres or "").split()) for cadres in extent["cadres"]},
    ]
    measured = [widest_plain(column) for column in cells]
    if None in measured:
        return None
    kind, talked, village, cadres = measured
    widest = [
        extent["id"],
        extent["date"],
        kind,
        max(extent["household"], talked),
        village,
        cadres,
        extent["items"],
        extent["note"],
    ]
    return [natural_width(column, width) for width, column in zip(widest, columns, strict=True)]
