"""The offices' sheets (rank, reconcile, cadre roster) as a table, md, csv, json or xlsx, and the labels and number
formats they share with activity, review and report daily. Numbers come from ledgers/; formats live here.

Imported by the command modules at startup, so nothing heavy at the top: openpyxl, tabulate and the ledgers load
inside the functions that need them.
"""

from __future__ import annotations

from typing import Any

import typer

from .common import is_terminal, lang, note, t

SHEET_FORMATS = ("table", "md", "csv", "json", "xlsx")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def activity_label(kind: str) -> str:
    from minqing.ledgers.ops.activities import kind_label

    return kind_label(kind, lang())


def grade_label(grade: str | None) -> str:
    from minqing.ledgers.ops.reviews import grade_label as ledger_grade_label

    return ledger_grade_label(grade, lang()) if grade else ""


def _sheet_text(fmt: str, title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """A title and one table as plain text, markdown or csv (UTF-8 with BOM for Excel)."""
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    if fmt == "md":
        lines = [f"# {title}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(value.replace("|", "\\|") for value in row) + " |" for row in cells]
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(cells)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    import tabulate

    tabulate.WIDE_CHARS_MODE = True
    body = tabulate.tabulate(cells, headers=headers, tablefmt="simple", disable_numparse=True)
    return (title + "\n" + body + "\n").encode("utf-8")


def _xlsx(
    title: str, headers: list[str], rows: list[list[Any]], widths: list[int], footer: list[str]
) -> bytes:
    """One printable sheet: a title line, a bold frozen header, wrapped text, landscape, fit to page width."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31].replace("/", "-").replace(":", "-")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headers)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    # One named style for the body: ten times faster than styling each cell (a county sheet has ~50,000 cells).
    book.add_named_style(
        NamedStyle(name="minqing_cell", border=border, alignment=Alignment(wrap_text=True, vertical="top"))
    )
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.border = border
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
    for body in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in body:
            cell.style = "minqing_cell"
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if footer:
        sheet.append([])
        for line in footer:
            sheet.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def emit(
    fmt: str | None,
    out: str | None,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    payload: dict[str, Any],
    widths: list[int] | None = None,
    footer: list[str] | None = None,
    lead_columns: int | None = None,
    wide: bool = False,
) -> None:
    """Print or write one sheet in the chosen format (json prints `payload`, the stable document).

    `lead_columns`: a table on stdout is fitted to the terminal by dealing the other columns into several tables
    that each repeat these first ones (cli/tables.py); `wide` keeps it one table."""
    from minqing.ledgers.core import fields as F
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.core.messages import Text

    from . import rollup_render as render

    chosen = F.choice(fmt or "table", "--format", SHEET_FORMATS)
    if chosen == "xlsx":
        if not out:
            raise BadInput("required", field="--out", accepted=Text("acc_out_xlsx"))
        data = _xlsx(title, headers, rows, widths or [12] * len(headers), footer or [])
    elif chosen == "json":
        data = render.json_text(payload).encode("utf-8")
    elif chosen == "table" and not out and lead_columns is not None:
        from .tables import NAME, NUMBER, Column, print_fitted

        kinds = [NAME if index < lead_columns else NUMBER for index in range(len(headers))]
        print_fitted(
            [Column(name, kind) for name, kind in zip(headers, kinds, strict=True)],
            rows,
            title=title,
            split_after=lead_columns,
            wide=wide,
        )
        return
    elif chosen == "table" and not out and is_terminal():
        from .common import print_table

        print_table(headers, rows, title=title)
        return
    else:
        data = _sheet_text(chosen, title, headers, rows)
    if out:
        render.write_file(out, data)
        note(t(f"已写入 {out}", f"written to {out}"))
    else:
        typer.echo(data.decode("utf-8"), nl=False)
