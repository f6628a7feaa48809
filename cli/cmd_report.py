"""`minqing report`: the reports written for the office: nightly (the rollups, for cron) and daily (日报制)."""

import contextlib
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    STATE,
    ByOpt,
    DateOpt,
    UnitOpt,
    echo,
    label,
    lang,
    ledger,
    note,
    open_indexes,
    print_json,
    t,
)
from .office_render import activity_label, num

report_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def _out_folder(out_dir: str) -> Path:
    """The --out-dir folder, checked before any work; it is made only by `_write_reports`, once every file is ready,
    so a report that fails (the ledger busy, exit 3) leaves no empty folder behind for the next run to trip on."""
    from minqing.ledgers.core.errors import BadInput

    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise BadInput("out_unwritable", field="--out-dir", value=out_dir, detail="not a directory")
    return folder


def _write_reports(folder: Path, files: dict[str, bytes], loud: bool) -> None:
    """All the files or none: each is written to a temp name first and all are renamed at the end; on a failure
    the temps and every folder made here are removed. Silent on success (cron mails any output); `-v` lists them."""
    from minqing.ledgers.core.errors import BadInput

    made = [path for path in (folder, *folder.parents) if not path.exists()]  # deepest first
    temps: dict[Path, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            target = folder / name
            temps[target] = folder / f".{name}.{os.getpid()}.tmp"
            temps[target].write_bytes(data)
        for target, temp in temps.items():
            os.replace(temp, target)
    except OSError as exc:
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        for path in made:
            with contextlib.suppress(OSError):
                path.rmdir()  # only if still empty: never anything someone else put there
        raise BadInput(
            "out_unwritable", field="--out-dir", value=str(folder), detail=exc.strerror or str(exc)
        ) from None
    if loud:
        for target in temps:
            note(str(target))


@report_app.command("nightly")
def nightly(
    out_dir: Annotated[str | None, typer.Option("--out-dir")] = None,
    date: DateOpt = None,
    by: ByOpt = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
    site: Annotated[
        str | None,
        typer.Option("--site"),
    ] = None,
) -> None:
    import html

    from minqing.ledgers.core import fields as F
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.core.messages import Text
    from minqing.ledgers.read import rollup as R

    from . import rollup_render as render

    loud = verbose or STATE.verbose
    if not out_dir and not site:
        raise BadInput("required", field="--out-dir", accepted=Text("acc_report_folder"))
    if site:
        _site(site, None, 12, loud)
    if not out_dir:
        return
    day = F.to_date(F.parse_date(date, "--date")) if date else F.today()
    grouping = R.choose_grouping(by)
    folder = _out_folder(out_dir)
    led = ledger()
    # Hold the writer lock while reading so no operation commits halfway through the report (exit 3 when busy).
    with led.lock():
        indexes = open_indexes([led], quiet=not loud)
        try:
            daily = R.rollup(indexes, R.period_containing("day", day), grouping, None, lang())
            month = R.rollup(indexes, R.month_to_date(day), grouping, None, lang())
        finally:
            for index in indexes:
                index.close()
    stem = day.isoformat()
    county = daily.sources[0].name if daily.sources else ""
    heading = t(f"{county} 民情日报 {stem}", f"{county} nightly report {stem}")
    md = "\n".join(
        [
            f"# {heading}",
            "",
            render.markdown(daily, lang(), level=2),
            render.markdown(month, lang(), level=2),
        ]
    )
    page = render.html_page(
        heading,
        [
            f"<h1>{html.escape(heading)}</h1>",
            render.html_section(daily, lang(), 2),
            render.html_section(month, lang(), 2),
        ],
        lang(),
    )
    payload = {"date": stem, "by": grouping, "day": daily.to_dict(), "month_to_date": month.to_dict()}
    files = {
        f"{stem}.md": md.encode("utf-8"),
        f"{stem}.json": render.json_text(payload).encode("utf-8"),
        f"{stem}.html": page.encode("utf-8"),
    }
    _write_reports(folder, files, loud)


# ---------------------------------------------------------------- static site (issue 20)


def _site(out_dir: str, unit: str | None, months: int, loud: bool) -> None:
    from minqing.ledgers.core.messages import render
    from minqing.ledgers.read import site as S

    from . import rollup_render as render_rollup

    led = ledger()
    # The writer lock is held while reading so no operation commits halfway through the site (exit 3 when busy).
    with led.lock():
        result = S.generate(
            led, out_dir, unit=unit, months=months, lang=lang(), metric_labels=render_rollup.LABELS
        )
    if loud:
        note(
            render(
                "site_written",
                lang(),
                out=result.out_dir,
                pages=result.pages,
                written=result.written,
                removed=result.removed,
            )
        )


@report_app.command("site")
def report_site(
    out_dir: Annotated[str, typer.Argument()],
    unit: UnitOpt = None,
    months: Annotated[int, typer.Option("--months")] = 12,
    site_lang: Annotated[str | None, typer.Option("--lang")] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet")] = False,
) -> None:
    if site_lang is not None:
        from minqing.ledgers.core import fields as F

        STATE.lang = F.choice(site_lang.lower()[:2], "--lang", ("zh", "en"))
    _site(out_dir, unit, months, not quiet)


# ---------------------------------------------------------------- daily report


DAILY_EXTRA = {"fell_overdue": ("当日转超期", "fell overdue")}


def _daily_header(key: str) -> str:
    from . import rollup_render as render

    pair = DAILY_EXTRA.get(key) or render.LABELS[key]
    return pair[1] if lang() == "en" else pair[0]


def _daily_name(row: Any) -> str:
    """A township's name; a row for a unit above the townships (county-level work) is marked as its own level."""
    if row.level and row.level != "township":
        return row.name + t("（本级）", " (own level)")
    return t("合计", "total") if row.unit == "total" else row.name


def _daily_markdown(daily: Any, heading: str) -> str:
    from minqing.ledgers.read.office import DAILY_COLUMNS

    parts = [f"# {heading}", ""]
    headers = [t("乡镇", "township"), *(_daily_header(key) for key in DAILY_COLUMNS)]
    parts += ["| " + " | ".join(headers) + " |", "|---|" + "---:|" * len(DAILY_COLUMNS)]
    for row in (*daily.rows, daily.total):
        cells = [_daily_name(row), *(str(row.values[key]) for key in DAILY_COLUMNS)]
        if row is daily.total:
            cells = [f"**{cell}**" for cell in cells]
        parts.append("| " + " | ".join(cells) + " |")
    sections = (
        (
            t("新登记事项", "Items raised"),
            daily.raised,
            lambda r: f"{r['id']} {r['unit']} {label(r['kind'])} {r['desc']}",
        ),
        (
            t("销号事项", "Items closed"),
            daily.closed,
            lambda r: f"{r['id']} {r['unit']} {r['desc']} ({r['leader_name'] or '-'})",
        ),
        (
            t("当日转为超期", "Fell overdue"),
            daily.fell_overdue,
            lambda r: (
                f"{r['id']} {r['unit']} {t('时限', 'due')} {r['due']} {r['desc']} ({r['leader_name'] or '-'})"
            ),
        ),
        (
            t("活动", "Activities"),
            daily.activities,
            lambda r: (
                f"{r['id']} {r['unit']} {activity_label(r['kind'])} {r['title']} {num(r['participants'])}"
            ),
        ),
    )
    for title, rows, line in sections:
        parts += ["", f"## {title}（{len(rows)}）" if lang() != "en" else f"## {title} ({len(rows)})", ""]
        parts += [f"- {line(row).replace('|', '/')}" for row in rows] or [t("- 无", "- none")]
    return "\n".join(parts) + "\n"


@report_app.command("daily")
def report_daily(
    date: Annotated[str | None, typer.Option("--date")] = None,
    fmt: Annotated[str | None, typer.Option("--format")] = None,
    out_dir: Annotated[str | None, typer.Option("--out-dir")] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
) -> None:
    import html

    from minqing.ledgers.core import fields as F
    from minqing.ledgers.read import office

    from . import rollup_render as render

    chosen = F.choice(fmt or "table", "--format", ("table", "md", "json"))
    led = ledger()
    folder = _out_folder(out_dir) if out_dir else None
    with led.lock():  # no commit lands halfway through the report (exit 3 when busy)
        daily = office.daily_report(led, date)
    county = daily.county["name"]
    heading = t(f"{county} 民情日报 {daily.date}", f"{county} daily report {daily.date}")
    payload = daily.to_dict()
    if folder is not None:
        md = _daily_markdown(daily, heading)
        page = render.html_page(heading, [f"<pre>{html.escape(md)}</pre>"], lang())
        texts = {"md": md, "json": render.json_text(payload), "html": page}
        files = {f"daily-{daily.date}.{suffix}": text.encode("utf-8") for suffix, text in texts.items()}
        _write_reports(folder, files, verbose or STATE.verbose)
        return
    if chosen == "json":
        print_json(payload)
        return
    if chosen == "md":
        typer.echo(_daily_markdown(daily, heading), nl=False)
        return
    from .common import print_table

    headers = [t("乡镇", "township"), *(_daily_header(key) for key in office.DAILY_COLUMNS)]
    rows = [
        [_daily_name(row), *(row.values[key] for key in office.DAILY_COLUMNS)]
        for row in (*daily.rows, daily.total)
    ]
    print_table(headers, rows, title=heading)
    for title, entries in (
        (t("当日转为超期", "fell overdue"), daily.fell_overdue),
        (t("销号", "closed"), daily.closed),
    ):
        if entries:
            echo(f"{title}:")
            for entry in entries:
                echo(f"  {entry['id']} {entry['unit']} {entry['desc']} ({entry.get('leader_name') or '-'})")
