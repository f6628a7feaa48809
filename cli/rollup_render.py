"""Rendering of rollups: table (rich at a terminal, plain text otherwise), md, csv, json, xlsx, html.

Formats live in cli/ (STYLE §7); the numbers come from ledgers/rollup.py. Imported lazily by cmd_rollup.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from minqing.ledgers.core.messages import GROUPING_LABELS, PERIOD_LABELS
from minqing.ledgers.core.messages import LABELS as STATUS_LABELS
from minqing.ledgers.read.rollup import (
    DEPARTMENT,
    DEPARTMENT_METRICS,
    METRICS,
    ORG_GROUPINGS,
    RATES,
    ROUND,
    ROUND_METRICS,
    Rollup,
    Row,
)

# key -> (zh, en) column headers.
LABELS: dict[str, tuple[str, str]] = {
    "unit": ("代码", "code"),
    "name": ("单位", "unit"),
    "visits": ("走访", "visits"),
    "talks": ("谈心谈话", "talks"),
    "stays": ("蹲点", "stays"),
    # issue 18: talks with households and with cadres apart; cadres posted to villages (驻村)
    "talks_households": ("与农户谈心", "talks w/ households"),
    "talks_cadres": ("与干部谈心", "talks w/ cadres"),
    "cadres_posted": ("驻村干部", "cadres posted"),
    "households": ("农户", "households"),
    "households_visited": ("已走访户", "visited"),
    "coverage": ("走访覆盖率", "coverage"),
    # Households of status poor, named by the status's own label.
    "poor_households": (STATUS_LABELS["poor"][0], "poor"),
    "poor_coverage": (STATUS_LABELS["poor"][0] + "覆盖率", "poor coverage"),
    "pairing_coverage": ("结对覆盖率", "paired"),
    "not_visited_90d": ("90天未走访户", "not visited 90d"),
    "cadres": ("干部", "cadres"),
    "cadres_without_visit": ("未走访干部", "cadres w/o visit"),
    "opened": ("新增事项", "opened"),
    "closed": ("销号", "closed"),
    "closed_on_time": ("按期销号", "closed on time"),
    "open": ("未销号", "open"),
    "overdue": ("超期", "overdue"),
    "on_time_rate": ("按期率", "on-time rate"),
    "median_days_to_close": ("办结天数中位数", "median days"),
    "satisfaction_rate": ("满意率", "satisfaction"),
    # issue 18: the household survey (群众满意度测评), beside the items' feedback
    "surveyed": ("测评户", "surveyed"),
    "survey_satisfaction": ("群众认可度", "survey satisfaction"),
    "on_the_spot": ("现场解决", "on the spot"),
    "explained": ("政策解释", "explained"),
    "raised": ("排查问题", "raised"),
    "escalated_township": ("报乡镇", "to township"),
    "escalated_county": ("报县（区）", "to county"),
    "cleared": ("清零", "cleared"),
    "wishes_raised": ("微心愿", "wishes"),
    "wishes_claimed": ("已认领", "claimed"),
    "wishes_fulfilled": ("已圆梦", "fulfilled"),
    "activities": ("活动", "activities"),
    "participants": ("参与人次", "participants"),
    "late": ("补录", "late"),
    # issue 18: counts as the articles report them
    "condolences": ("慰问", "condolences"),
    "cadres_paired": ("结对干部", "cadres paired"),
    "households_paired": ("结对户", "households paired"),
    "households_with_problems": ("有问题户", "hh w/ problems"),
    "households_escalated_township": ("报乡镇户", "hh to township"),
    "households_escalated_county": ("报县（区）户", "hh to county"),
    "suggestions": ("建言", "suggestions"),
    "discipline_items": ("纪委渠道", "discipline"),
    "ledger_books": ("台账本数", "ledger books"),
    "ledger_entries": ("台账条数", "entries"),
}

SECTIONS: list[tuple[tuple[str, str], tuple[str, ...]]] = [
    (
        ("走访与覆盖", "Visits and coverage"),
        (
            "visits",
            "talks",
            "stays",
            "households",
            "households_visited",
            "coverage",
            "poor_households",
            "poor_coverage",
            "pairing_coverage",
            "not_visited_90d",
            "cadres",
            "cadres_without_visit",
            "talks_households",  # issue 18
            "talks_cadres",
            "cadres_posted",
        ),
    ),
    (
        ("事项办理", "Items"),
        (
            "opened",
            "closed",
            "closed_on_time",
            "open",
            "overdue",
            "on_time_rate",
            "median_days_to_close",
            "satisfaction_rate",
            "surveyed",
            "survey_satisfaction",
            "on_the_spot",
            "explained",
            "cleared",
        ),
    ),
    (
        ("上报漏斗、微心愿与活动", "Escalation funnel, wishes and activities"),
        (
            "raised",
            "escalated_township",
            "escalated_county",
            "wishes_raised",
            "wishes_claimed",
            "wishes_fulfilled",
            "activities",
            "participants",
            "late",
        ),
    ),
    (
        ("户数、结对与台账（文章口径）", "Households, pairings and ledger books (as the articles count)"),
        (
            "households_with_problems",
            "households_escalated_township",
            "households_escalated_county",
            "suggestions",
            "discipline_items",
            "condolences",
            "cadres_paired",
            "households_paired",
            "ledger_books",
            "ledger_entries",
        ),
    ),
]


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


KEY_HEADERS = {
    "leader": (("干部编号", "cadre"), ("包案领导", "leader")),
    "category": (("类别代码", "code"), ("类别", "category")),
    "ledger": (("台账代码", "code"), ("台账", "ledger")),
    "round": (("轮次", "round"), ("轮次", "round")),
    "department": (("单位代码", "code"), ("帮扶单位", "department")),
}


def header(key: str, lang: str, by: str | None = None) -> str:
    """Column header; the first two columns (code, name) are named after the grouping."""
    if key in ("unit", "name") and by in KEY_HEADERS:
        return _t(KEY_HEADERS[by][0 if key == "unit" else 1], lang)
    return _t(LABELS[key], lang)


def columns(result: Rollup) -> list[tuple[tuple[str, str], tuple[str, ...]]]:
    """The sections that apply to the grouping (leader/category/ledger rows have item metrics only)."""
    if result.by in ORG_GROUPINGS:
        return SECTIONS
    if result.by == DEPARTMENT:  # issue 18: what a helping unit's cadres did, nothing filed against it
        return [(("帮扶单位工作量", "Department work"), DEPARTMENT_METRICS)]
    if result.by == ROUND:  # issue 18: a round has team visits and the survey, nothing else
        return [(("走访轮次与满意度测评", "Rounds: team visits and survey"), ROUND_METRICS)]
    org_only = {"activities", "participants", "condolences", "cadres_paired", "households_paired"}
    org_only |= {
        "surveyed",
        "survey_satisfaction",
    }  # issue 18: a survey answer has a unit, not a leader or category
    return [(title, tuple(k for k in keys if k not in org_only)) for title, keys in SECTIONS[1:]]


def row_name(row: Row, by: str, lang: str) -> str:
    if by in ORG_GROUPINGS and row.level and row.level != by and row.unit != "total":
        return row.name + ("（本级）" if lang != "en" else " (own level)")
    return row.name


def cell(key: str, value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if key == "cleared":
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if key in RATES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def title(result: Rollup, lang: str) -> str:
    names = (
        "、".join(source.name for source in result.sources)
        if lang != "en"
        else ", ".join(source.name for source in result.sources)
    )
    period = result.period
    kind = _t(PERIOD_LABELS.get(period.kind, (period.kind, period.kind)), lang)
    scope = f" {result.unit}" if result.unit else ""
    as_of = f"截至 {period.as_of}" if lang != "en" else f"as of {period.as_of}"
    return (
        f"{names}{scope} {kind} {period.label} {_t(GROUPING_LABELS[result.by], lang)}"
        f"（{period.start}..{period.end}，{as_of}）"
        if lang != "en"
        else f"{names}{scope} {kind} {period.label} {_t(GROUPING_LABELS[result.by], lang)}"
        f" ({period.start}..{period.end}, {as_of})"
    )


def _grid(result: Rollup, keys: tuple[str, ...], lang: str) -> tuple[list[str], list[list[str]]]:
    headers = [header("name", lang, result.by), *(header(key, lang) for key in keys)]
    rows = [
        [row_name(row, result.by, lang), *(cell(key, row.values[key], lang) for key in keys)]
        for row in (*result.rows, result.total)
    ]
    return headers, rows


# ---------------------------------------------------------------- table


def table_text(result: Rollup, lang: str, width: int | None = None) -> str:
    """The sections as plain tables (colours only at a terminal) fitted to `width` cells (None: unlimited, as
    in a file): a section too wide is dealt into several tables, each repeating the unit column, so no figure
    and no header is ever cut (cli/tables.py)."""
    parts = [title(result, lang)]
    for section, keys in columns(result):
        headers, rows = _grid(result, keys, lang)
        parts += ["", _t(section, lang), figures_table(headers, rows, width)]
    return "\n".join(parts) + "\n"


def figures_table(headers: list[str], rows: list[list[str]], width: int | None) -> str:
    """A unit column, figure columns and a total row, fitted to `width` (shared with cli/series_render.py)."""
    from .tables import NAME, NUMBER, Column, layout

    fitted = layout(
        [Column(headers[0], NAME), *(Column(name, NUMBER) for name in headers[1:])],
        rows,
        width=width,
        split_after=1,
        total_row=True,
    )
    return fitted.text.rstrip("\n")


def print_rich(result: Rollup, lang: str, width: int | None = None) -> None:
    """At a terminal: the same fitted tables (bold headers and total)."""
    import typer

    typer.echo(table_text(result, lang, width), nl=False)


# ---------------------------------------------------------------- md / csv / json


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(result: Rollup, lang: str, level: int = 1) -> str:
    hashes = "#" * level
    parts = [f"{hashes} {title(result, lang)}", ""]
    for section, keys in columns(result):
        headers, rows = _grid(result, keys, lang)
        parts.append(f"{hashes}# {_t(section, lang)}")
        parts.append("")
        parts.append("| " + " | ".join(_md_escape(h) for h in headers) + " |")
        parts.append("|" + "---|" + "---:|" * len(keys))
        for index, row in enumerate(rows):
            shown = [_md_escape(value) for value in row]
            if index == len(rows) - 1:
                shown = [f"**{value}**" if value else value for value in shown]
            parts.append("| " + " | ".join(shown) + " |")
        parts.append("")
    return "\n".join(parts)


def csv_bytes(result: Rollup, lang: str) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8); rates as fractions, empty for "no data"."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            header("unit", lang, result.by),
            header("name", lang, result.by),
            *(header(key, lang) for key in METRICS),
        ]
    )
    yes, no = ("yes", "no") if lang == "en" else ("是", "否")
    for row in (*result.rows, result.total):
        values = []
        for key in METRICS:
            value = row.values[key]
            values.append(
                "" if value is None else (yes if value else no) if isinstance(value, bool) else value
            )
        writer.writerow([row.unit, row_name(row, result.by, lang), *values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def json_text(data: Any) -> str:
    import json  # here: a table, the usual rollup, needs no json (nor html): ~2 ms of its startup

    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- xlsx


def xlsx_bytes(results: list[Rollup], lang: str, sheet_names: list[str] | None = None) -> bytes:
    """One sheet per grouping (or per period: `sheet_names`, rollup --each): header row, frozen panes (header and
    unit columns), rates as percentages."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for position, result in enumerate(results):
        name = sheet_names[position] if sheet_names else _t(GROUPING_LABELS[result.by], lang)
        sheet = book.create_sheet(name[:31])
        keys = [key for _, section in columns(result) for key in section]
        sheet.append(
            [
                header("unit", lang, result.by),
                header("name", lang, result.by),
                *(header(key, lang) for key in keys),
            ]
        )
        for cell_ in sheet[1]:
            cell_.font = Font(bold=True)
        for row in (*result.rows, result.total):
            values = []
            for key in keys:
                value = row.values[key]
                values.append(cell(key, value, lang) if isinstance(value, bool) else value)
            sheet.append([row.unit, row_name(row, result.by, lang), *values])
        for cell_ in sheet[sheet.max_row]:
            cell_.font = Font(bold=True)
        for offset, key in enumerate(keys, start=3):
            if key in RATES:
                for (cell_,) in sheet.iter_rows(min_row=2, min_col=offset, max_col=offset):
                    cell_.number_format = "0.0%"
            sheet.column_dimensions[get_column_letter(offset)].width = max(8, len(header(key, lang)) * 2)
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["B"].width = 18
        sheet.freeze_panes = "C2"
        sheet.append([])
        sheet.append([title(result, lang)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- html

CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .85em; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef2f6; } tr.total td { font-weight: bold; background: #f6f6f6; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; } figcaption { font-size: .9em; font-weight: bold; margin-bottom: .3em; }
svg text { font-size: 11px; fill: #222; }
.legend span { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 .8em; vertical-align: middle; }
@media print {
  body { margin: 0; font-size: 10pt; } .charts { display: block; } figure { page-break-inside: avoid; }
  table { page-break-inside: auto; } tr { page-break-inside: avoid; } h2 { page-break-before: auto; }
}
"""
COLOURS = ("#4e79a7", "#f28e2b", "#e15759")


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


def _bars(
    title_: str, labels: list[str], series: list[tuple[str, list[float]]], maximum: float, percent: bool
) -> str:
    """A horizontal grouped bar chart as inline SVG: one group per unit, one bar per series."""
    bar, gap, label_width, plot = 12, 8, 130, 300
    group = bar * len(series) + gap
    height = group * len(labels) + 10
    out = [
        f"<figure><figcaption>{_escape(title_)}</figcaption>",
        '<div class="legend">'
        + "".join(
            f'<span style="background:{COLOURS[index]}"></span>{_escape(name)}'
            for index, (name, _) in enumerate(series)
        )
        + "</div>",
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + plot + 60}" height="{height}" role="img">',
    ]
    scale = plot / maximum if maximum else 0
    for position, name in enumerate(labels):
        top = position * group + 5
        out.append(
            f'<text x="{label_width - 4}" y="{top + bar * len(series) / 2 + 4}" text-anchor="end">'
            f"{_escape(name)}</text>"
        )
        for index, (_, values) in enumerate(series):
            value = values[position]
            width = max(0.0, value * scale)
            y = top + index * bar
            shown = f"{value * 100:.1f}%" if percent else f"{value:g}"
            out.append(
                f'<rect x="{label_width}" y="{y}" width="{width:.1f}" height="{bar - 2}" fill="{COLOURS[index]}"/>'
            )
            out.append(f'<text x="{label_width + width + 3:.1f}" y="{y + bar - 3}">{shown}</text>')
    out.append("</svg></figure>")
    return "\n".join(out)


def _charts(result: Rollup, lang: str) -> str:
    rows = list(result.rows)
    labels = [row_name(row, result.by, lang) for row in rows]
    charts = []

    def values(key: str) -> list[float]:
        return [float(row.values[key] or 0) for row in rows]

    if result.by in ORG_GROUPINGS:
        charts.append(
            _bars(
                _t(("走访覆盖率", "Visit coverage"), lang),
                labels,
                [
                    (header("coverage", lang), values("coverage")),
                    (header("poor_coverage", lang), values("poor_coverage")),
                ],
                1.0,
                True,
            )
        )
    open_series = [(header("open", lang), values("open")), (header("overdue", lang), values("overdue"))]
    charts.append(
        _bars(
            _t(("未销号与超期", "Open and overdue"), lang),
            labels,
            open_series,
            max([1.0, *open_series[0][1], *open_series[1][1]]),
            False,
        )
    )
    funnel = [
        (header("raised", lang), values("raised")),
        (header("escalated_township", lang), values("escalated_township")),
        (header("escalated_county", lang), values("escalated_county")),
    ]
    charts.append(
        _bars(
            _t(
                ("上报漏斗：排查 → 报乡镇 → 报县（区）", "Escalation funnel: raised → township → county"),
                lang,
            ),
            labels,
            funnel,
            max([1.0, *funnel[0][1]]),
            False,
        )
    )
    return '<div class="charts">' + "\n".join(charts) + "</div>"


def _html_tables(result: Rollup, lang: str, level: int) -> str:
    parts = []
    for section, keys in columns(result):
        headers, rows = _grid(result, keys, lang)
        parts.append(f"<h{level + 1}>{_escape(_t(section, lang))}</h{level + 1}>")
        parts.append(html_figures_table(headers, rows))
    return "\n".join(parts)


def html_figures_table(headers: list[str], rows: list[list[str]]) -> str:
    """The same table as HTML, its last row marked as the total (shared with cli/series_render.py)."""
    parts = [
        "<table><thead><tr>" + "".join(f"<th>{_escape(h)}</th>" for h in headers) + "</tr></thead><tbody>"
    ]
    for index, row in enumerate(rows):
        css = ' class="total"' if index == len(rows) - 1 else ""
        parts.append(f"<tr{css}>" + "".join(f"<td>{_escape(value)}</td>" for value in row) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def html_section(result: Rollup, lang: str, level: int = 1) -> str:
    return (
        f"<section><h{level}>{_escape(title(result, lang))}</h{level}>\n"
        + _charts(result, lang)
        + "\n"
        + _html_tables(result, lang, level)
        + "</section>"
    )


def html_page(page_title: str, sections: list[str], lang: str) -> str:
    """One self-contained file: inline CSS and SVG, no scripts, no network."""
    code = "en" if lang == "en" else "zh-CN"
    return (
        f'<!DOCTYPE html>\n<html lang="{code}"><head><meta charset="utf-8">'
        f"<title>{_escape(page_title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )


# ---------------------------------------------------------------- writing


def write_file(path: str, data: bytes, field: str = "--out") -> None:
    """Temp file beside the target, then rename: a failed write leaves nothing behind. One-line error, exit 2."""
    from minqing.ledgers.core.errors import BadInput

    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        if target.is_dir():
            raise IsADirectoryError(21, "is a directory")
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise BadInput("out_unwritable", field=field, value=path, detail=exc.strerror or str(exc)) from None
