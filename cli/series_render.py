"""Rendering of `rollup --each` (issue 18): several periods side by side, as hledger shows months with -M.

table / md / html: one table per chosen figure (`--metric`, default FIGURES), a row per unit and the total, a column
per period and the span's total: twelve months fit 80 columns that way, where a row per unit × period with forty
figures would not. csv: every figure, one line per period × unit (and the span's total as period `total`). json:
Series.to_dict (a list of periods, each with its rows and total, and the total over the span). xlsx: a sheet per
period and one for the span. The numbers come from ledgers/read/rollup.py; the cells and headers from
rollup_render, so a figure reads the same in both views.
"""

from __future__ import annotations

import html
import io
from typing import Any

from minqing.ledgers.core.errors import BadInput
from minqing.ledgers.core.messages import GROUPING_LABELS, PERIOD_LABELS
from minqing.ledgers.read.rollup import METRICS, ORG_GROUPINGS, ORG_ONLY, Period, Rollup, Series

from . import rollup_render as render

# What a leader reads month by month when no --metric is given: the work done and the cases.
FIGURES = ("visits", "households_visited", "households_with_problems", "opened", "closed", "open")


def choose_metrics(chosen: list[str] | None, by: str) -> tuple[str, ...]:
    """--metric KEY (repeatable; a JSON key or its column header); figures an item grouping has no value for are
    refused there."""
    if not chosen:
        return tuple(key for key in FIGURES if by in ORG_GROUPINGS or key not in ORG_ONLY)
    allowed = [key for key in METRICS if by in ORG_GROUPINGS or key not in ORG_ONLY]
    labels = {key: render.LABELS[key] for key in allowed if key in render.LABELS}
    from minqing.ledgers.core import fields as F

    picked: list[str] = []
    for value in chosen:
        for part in value.split(","):
            if not part.strip():
                raise BadInput("required", field="--metric", accepted="|".join(allowed))
            key = F.choice(part, "--metric", allowed, labels)
            if key not in picked:
                picked.append(key)
    return tuple(picked)


def period_header(period: Period, same_year: bool, lang: str) -> str:
    """A short column header: the month's number (the first header says 月), Q1, 2026; the year is left out when
    every period is in the same one. Twelve months and the total then fit 80 columns."""
    if period.kind == "month":
        return str(period.start.month) if same_year else period.label
    if period.kind == "quarter":
        return f"Q{(period.start.month - 1) // 3 + 1}" if same_year else period.label
    return period.label


def title(result: Series, lang: str) -> str:
    first = result.total
    names = ("、" if lang != "en" else ", ").join(source.name for source in first.sources)
    each = render._t(PERIOD_LABELS[result.each], lang)
    scope = f" {first.unit}" if first.unit else ""
    span = first.period
    grouping = render._t(GROUPING_LABELS[first.by], lang)
    if lang == "en":
        return f"{names}{scope} each {each} {span.start}..{span.end} {grouping} (as of {span.as_of})"
    return f"{names}{scope} 逐{each} {span.start}..{span.end} {grouping}（截至 {span.as_of}）"


def grid(result: Series, key: str, lang: str) -> tuple[list[str], list[list[str]]]:
    """One figure: a row per unit and the total row, a column per period and the span's total."""
    same_year = len({result_.period.start.year for result_ in result.rollups}) == 1
    total_header = "合计" if lang != "en" else "total"
    corner = render.header("name", lang, result.total.by)
    if same_year and result.each == "month":
        corner += " \\ month" if lang == "en" else "＼月"
    headers = [
        corner,
        *(period_header(part.period, same_year, lang) for part in result.rollups),
        total_header,
    ]
    rows = []
    for position, row in enumerate((*result.total.rows, result.total.total)):
        cells = [render.row_name(row, result.total.by, lang)]
        for part in (*result.rollups, result.total):
            shown = (*part.rows, part.total)[position]
            cells.append(render.cell(key, shown.values.get(key), lang))
        rows.append(cells)
    return headers, rows


def table_text(result: Series, keys: tuple[str, ...], lang: str, width: int | None = None) -> str:
    parts = [title(result, lang)]
    for key in keys:
        headers, rows = grid(result, key, lang)
        parts += ["", render.header(key, lang), render.figures_table(headers, rows, width)]
    return "\n".join(parts) + "\n"


def markdown(result: Series, keys: tuple[str, ...], lang: str) -> str:
    parts = [f"# {title(result, lang)}", ""]
    for key in keys:
        headers, rows = grid(result, key, lang)
        parts += [f"## {render.header(key, lang)}", ""]
        parts.append("| " + " | ".join(render._md_escape(text) for text in headers) + " |")
        parts.append("|---|" + "---:|" * (len(headers) - 1))
        for position, row in enumerate(rows):
            shown = [render._md_escape(text) for text in row]
            if position == len(rows) - 1:
                shown = [f"**{text}**" if text else text for text in shown]
            parts.append("| " + " | ".join(shown) + " |")
        parts.append("")
    return "\n".join(parts)


def html_page(result: Series, keys: tuple[str, ...], lang: str) -> str:
    parts = [f"<section><h1>{html.escape(title(result, lang))}</h1>"]
    for key in keys:
        headers, rows = grid(result, key, lang)
        parts.append(f"<h2>{html.escape(render.header(key, lang))}</h2>")
        parts.append(render.html_figures_table(headers, rows))
    parts.append("</section>")
    return render.html_page(title(result, lang), ["\n".join(parts)], lang)


def csv_bytes(result: Series, lang: str) -> bytes:
    """Every figure, a line per period × unit; the span's total is the period `total` (UTF-8 with BOM)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    by = result.total.by
    period_headers = ("期间", "起", "止") if lang != "en" else ("period", "from", "to")
    writer.writerow(
        [
            *period_headers,
            render.header("unit", lang, by),
            render.header("name", lang, by),
            *(render.header(key, lang) for key in METRICS),
        ]
    )
    yes, no = ("yes", "no") if lang == "en" else ("是", "否")
    for part, label in (*((part, part.period.label) for part in result.rollups), (result.total, "total")):
        for row in (*part.rows, part.total):
            values: list[Any] = []
            for key in METRICS:
                value = row.values.get(key)
                values.append(
                    "" if value is None else (yes if value else no) if isinstance(value, bool) else value
                )
            writer.writerow(
                [
                    label,
                    part.period.start.isoformat(),
                    part.period.end.isoformat(),
                    row.unit,
                    render.row_name(row, by, lang),
                    *values,
                ]
            )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(result: Series, lang: str) -> bytes:
    """A sheet per period (named by its label) and one for the span's total."""
    total_name = "合计" if lang != "en" else "total"
    parts: list[Rollup] = [*result.rollups, result.total]
    names = [part.period.label for part in result.rollups] + [total_name]
    return render.xlsx_bytes(parts, lang, names)
