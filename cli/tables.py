"""Tables that fit the terminal (issue 17): one place decides, per column kind, what may wrap and what never breaks.

An id, a code, a date or a number is never cut or wrapped: its column is as wide as its widest cell. Text (a
description, a note, a list of names) wraps, but a run of ASCII letters and digits inside it (an id, a code, a
figure) is never split. Headers may take two lines. When even that does not fit, list tables leave out their
optional columns (named on stderr; `--wide` shows them) and wide sheets (rollup, rank) are cut into several
tables that each repeat the leading columns: nothing is ever shown as `Q-5…`.

The width is the terminal's when stdout is one, else `COLUMNS` when it is set (a script that wants a width says
so), else unlimited: piped output keeps one line per row for grep and awk. rich draws the table (CJK widths).
"""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import shutil
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import typer

from minqing.ledgers.core.cells import all_plain, counted, widths_of
from minqing.ledgers.core.cells import cell_width as _cell_width

from .common import is_terminal

KEY = "key"  # ids, codes, dates, short labels: never cut, never wrapped
NUMBER = "number"  # counts, rates, scores: as KEY, right-aligned
TEXT = "text"  # descriptions, notes: wrap, keeping each ASCII run whole, at least TEXT_MIN_WIDTH wide
NAME = "name"  # `王芳 C-H7BPJ4`, `枫木坪村 520602102201`, lists of them: wrap between words, never inside one

TEXT_MIN_WIDTH = 16  # eight Chinese characters a line: narrower, a wrapped description is hard to read
GAP = 2  # cells between two columns (one of padding, one of the blank divider)
# A run that is one id, code, date or figure inside text; wrapping may not split it.
UNBREAKABLE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.:/%+\-]*")


@dataclass(frozen=True)
class Column:
    """A column's header and kind; `drop` > 0 marks an optional column, the highest left out first when narrow."""

    header: str
    kind: str = KEY
    drop: int = 0


@dataclass(frozen=True)
class Layout:
    """What fitting decided: the tables to print (one, or several for a split sheet) and the columns left out."""

    text: str
    omitted: tuple[str, ...]


def terminal_width(wide: bool = False) -> int | None:
    """The width to fit, or None for unlimited (--wide, or a pipe without COLUMNS)."""
    if wide:
        return None
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def _longest_run(text: str) -> int:
    return max((len(run) for run in UNBREAKABLE.findall(text)), default=0)


@dataclass(frozen=True)
class _Measure:
    natural: int  # everything on one line
    floor: int  # the narrowest it may get


def natural_width(column: Column, widest_cell: int) -> int:
    """A column's width on one line (a pipe, --wide): its widest cell or its header, at least one cell."""
    return max(widest_cell, _cell_width(column.header), 1)


def widest_plain(cells: Collection[str]) -> int | None:
    """The widest of a column's distinct cells, None when one would not print as it is (core/cells.is_plain): a
    streamed listing's cells named at listing time, beside the widths the index keeps."""
    return max(widths_of(cells).values(), default=0) if all_plain(cells) else None


def _measure(column: Column, cells: dict[str, int], fitting: bool = True) -> _Measure:
    """`cells`: the column's distinct cells and their widths (ids repeat little, labels and names a lot).
    `fitting` False (unlimited width: a pipe, --wide): only the natural width counts, the floor is not needed."""
    widest_cell = max(cells.values(), default=0)
    header = _cell_width(column.header)
    natural = natural_width(column, widest_cell)
    if not fitting:
        return _Measure(natural, natural)
    # A header may take two lines, but never splits a word or a figure.
    header_floor = max(
        math.ceil(header / 2),
        _longest_run(column.header),
        max((_cell_width(word) for word in column.header.split()), default=0) if " " in column.header else 0,
    )
    header_floor = min(header_floor, header)
    if column.kind in (KEY, NUMBER):
        return _Measure(natural, max(widest_cell, header_floor, 1))
    runs = max((_longest_run(cell) for cell in cells), default=0)
    if column.kind == NAME:
        words = max(map(_widest_word, cells), default=0)
        return _Measure(natural, max(runs, words, header_floor, 1))
    return _Measure(natural, max(runs, header_floor, min(natural, TEXT_MIN_WIDTH), 1))


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + GAP * (len(widths) - 1) if widths else 0


def _widths(measures: list[_Measure], columns: list[Column], width: int | None) -> list[int]:
    """Floors first; the room left goes to headers (back on one line), then to text in proportion to its need."""
    if width is None:
        return [m.natural for m in measures]
    widths = [m.floor for m in measures]
    room = width - _total(widths)
    # Headers back on one line, the cheapest first: as many whole headers as the room allows.
    keys = [i for i, c in enumerate(columns) if c.kind in (KEY, NUMBER)]
    for index in sorted(keys, key=lambda i: (measures[i].natural - widths[i], i)):
        grow = min(room, measures[index].natural - widths[index])
        if grow > 0:
            widths[index] += grow
            room -= grow
    for kind in (TEXT, NAME):  # prose first: a name wraps well at its space, a description does not
        wanting = [i for i, c in enumerate(columns) if c.kind == kind and measures[i].natural > widths[i]]
        while room > 0 and wanting:
            need = sum(measures[i].natural - widths[i] for i in wanting)
            share = room
            for i in wanting:
                want = measures[i].natural - widths[i]
                grow = min(want, max(1, share * want // need), room)
                widths[i] += grow
                room -= grow
            wanting = [i for i in wanting if measures[i].natural > widths[i]]
    return widths


def draw(
    columns: list[Column],
    cells_by_column: list[list[str]],
    distinct: list[dict[str, int]],
    widths: list[int],
    title: str | None,
    total_row: bool,
) -> str:
    """`cells_by_column`: the table a column at a time; `distinct`: each column's distinct cells and their widths
    (every check below is about a cell, so each distinct one is looked at once: a county's listing repeats labels
    and names)."""
    colour = is_terminal()
    # A blank line between rows once some of them take several lines, so one row's lines are not read as two.
    wrapped = any(
        max(cells.values(), default=0) > width or "\n" in "".join(cells)
        for cells, width in zip(distinct, widths, strict=True)
    )
    if needs_rich([c.header for c in columns], distinct):
        rows = [list(row) for row in zip(*cells_by_column, strict=True)]
        return draw_with_rich(columns, rows, widths, title, total_row, colour, wrapped)
    head = head_lines(columns, widths, colour, wrapped, title)
    if not (total_row and colour and cells_by_column and cells_by_column[0]):
        return head + "".join(body_lines(columns, cells_by_column, widths, distinct, wrapped))
    # The total row is bold at a terminal: rich draws it, alone, below the rows drawn here.
    above = [cells[:-1] for cells in cells_by_column]
    total = draw_with_rich(
        columns,
        [[cells[-1] for cells in cells_by_column]],
        widths,
        None,
        True,
        colour,
        wrapped,
        show_header=False,
    )
    if not above[0]:
        return head + total
    return (
        head + "".join(body_lines(columns, above, widths, None, wrapped)) + ("\n" if wrapped else "") + total
    )


def needs_rich(headers: Sequence[str], distinct: Iterable[Collection[str]]) -> bool:
    """Whether rich must draw a table's rows itself: it rewrites tabs and control codes and trims the blanks
    around a cell when it justifies it. Any other table's rows are drawn here (`body_lines`), the same bytes."""
    return not all(all_plain(cells) for cells in [headers, *distinct])


def head_lines(
    columns: Sequence[Column], widths: Sequence[int], colour: bool, wrapped: bool, title: str | None = None
) -> str:
    """The title, header and rule: written directly when each header fits on its line without colour or title,
    else drawn by rich as a table of no rows (bold, a header on two lines, a title), which is how a whole table
    begins."""
    if (
        title is None
        and not colour
        and all(_cell_width(c.header) <= w for c, w in zip(columns, widths, strict=True))
    ):
        return "".join(plain_lines(columns, [], widths, header=True))
    return draw_with_rich(list(columns), [], list(widths), title, False, colour, wrapped)


def body_lines(
    columns: Sequence[Column],
    cells_by_column: Sequence[Sequence[str]],
    widths: Sequence[int],
    sizes: Sequence[dict[str, int]] | None,
    wrapped: bool,
) -> Iterator[str]:
    """The rows rich's table draws, below the rule, for cells that print as they are (not `needs_rich`): as plain
    lines when every cell fits on one, else each row as tall as its tallest cell, a blank line between rows.

    rich's table laid out every cell of every row: `issue list --overdue` of a county (14,894 rows) at an 80-column
    terminal took 13 s. Here each distinct cell is broken into lines once (`_cell_lines`), and a county's rows
    repeat their labels, places and names."""
    if not wrapped:
        yield from plain_lines(columns, cells_by_column, widths, header=False, sizes=sizes)
        return
    if not cells_by_column or not cells_by_column[0]:
        return
    if sizes is None:
        sizes = [widths_of(set(cells)) for cells in cells_by_column]
    broken = [
        _cell_lines(column.kind == NUMBER, width, size)
        for column, width, size in zip(columns, widths, sizes, strict=True)
    ]
    blanks = [" " * width for width in widths]
    gap = " " * GAP
    lines: list[str] = []
    for row in zip(
        *(map(lines_of.__getitem__, cells) for lines_of, cells in zip(broken, cells_by_column, strict=True)),
        strict=True,
    ):
        if lines:
            lines.append("")
        height = max(map(len, row))
        if height == 1:
            lines.append(gap.join(cell[0] for cell in row).rstrip())
            continue
        for number in range(height):
            lines.append(
                gap.join(
                    cell[number] if number < len(cell) else blank
                    for cell, blank in zip(row, blanks, strict=True)
                ).rstrip()
            )
    yield "\n".join(lines) + "\n"


def _cell_lines(right: bool, width: int, cells: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """Each distinct cell of a column -> its lines as rich's table prints them in a column `width` cells wide,
    each padded to that width (on the left when `right`). A cell that fits is itself; "name code" pieces apart
    by single spaces, each fitting, break greedily between them (rich's rule for words); anything else (a long
    Chinese description, a line break) is broken by rich's own Text.wrap. tests/test_terminal_width.py compares
    the tables with rich's."""
    console = None
    out: dict[str, tuple[str, ...]] = {}
    for cell, cell_width in cells.items():
        if cell_width <= width and "\n" not in cell:
            pieces = [cell]
        elif "\n" not in cell and "  " not in cell and counted(cell):
            pieces = _words_greedily(cell.split(" "), width)
        else:
            pieces = None
        if pieces is None:
            from rich.text import Text

            if console is None:
                console = _wrapping_console()
            wrapped = Text(cell, end="").wrap(
                console, width, justify="right" if right else "left", overflow="fold", no_wrap=False
            )
            pieces = [line.plain for line in wrapped]  # already padded to the width
        padded = []
        for piece in pieces:
            room = " " * (width - _cell_width(piece))
            padded.append(room + piece if right else piece + room)
        out[cell] = tuple(padded)
    return out


def _words_greedily(words: list[str], width: int) -> list[str] | None:
    """Words joined by single spaces onto lines of at most `width` cells, a line broken before the word that does
    not fit; None when a word is itself wider than a line (rich folds it)."""
    lines: list[str] = []
    taken = -1
    for word in words:
        size = _cell_width(word)
        if size > width:
            return None
        if lines and taken + 1 + size <= width:
            lines[-1] += " " + word
            taken += 1 + size
        else:
            lines.append(word)
            taken = size
    return lines


def _wrapping_console() -> Any:
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=1000,
        color_system=None,
        legacy_windows=False,
        highlight=False,
        emoji=False,
        markup=False,
    )


def plain_lines(
    columns: Sequence[Column],
    cells_by_column: Sequence[Sequence[str]],
    widths: Sequence[int],
    header: bool,
    sizes: Sequence[dict[str, int]] | None = None,
) -> Iterator[str]:
    """The text rich draws for a table whose every cell fits on one line, without colour or title, in pieces
    (header, rule, rows; every line ending in a newline): the same bytes (tests/test_terminal_width.py compares
    them), written directly, the header and rule first when `header`. rich lays out each cell as a renderable: for `household list` of 50,000 rows piped to
    a file that was most of a minute. Each distinct cell is padded once; `sizes`: each column's distinct cells and
    their widths, when known."""

    def padded(column: Column, width: int, cells: dict[str, int]) -> dict[str, str]:
        if column.kind == NUMBER:
            return {cell: " " * (width - cells_width) + cell for cell, cells_width in cells.items()}
        return {cell: cell + " " * (width - cells_width) for cell, cells_width in cells.items()}

    gap = " " * GAP
    if header:
        pads = [padded(c, w, widths_of([c.header])) for c, w in zip(columns, widths, strict=True)]
        yield gap.join(pad[c.header] for pad, c in zip(pads, columns, strict=True)).rstrip() + "\n"
        yield "─" * _total(widths) + "\n"
    if not cells_by_column or not cells_by_column[0]:
        return
    if sizes is None:
        sizes = [widths_of(set(cells)) for cells in cells_by_column]
    pads = [padded(c, w, size) for c, w, size in zip(columns, widths, sizes, strict=True)]
    shown = [map(pad.__getitem__, cells) for pad, cells in zip(pads, cells_by_column, strict=True)]
    # The rows as one text, each line joined and trimmed in C (map), not a Python step (or a yield) per row.
    yield "\n".join(map(str.rstrip, map(gap.join, zip(*shown, strict=True)))) + "\n"


def draw_plain(columns: list[Column], rows: list[list[str]], widths: list[int]) -> str:
    """`plain_lines` of a table given a row at a time."""
    by_column = [list(cells) for cells in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    return "".join(plain_lines(columns, by_column, widths, header=True))


def draw_with_rich(
    columns: list[Column],
    rows: list[list[str]],
    widths: list[int],
    title: str | None,
    total_row: bool,
    colour: bool,
    wrapped: bool,
    show_header: bool = True,
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    # Wider than any line drawn, so rich never shrinks what was measured here.
    console = Console(
        file=io.StringIO(),
        width=_total(widths) + 4 + _cell_width(title or ""),
        color_system="auto" if colour else None,
        force_terminal=colour,
        legacy_windows=False,
        highlight=False,
        emoji=False,
        markup=False,
    )
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="bold" if colour else "",
        title_style="" if not colour else "bold",
        leading=1 if wrapped else 0,
        show_header=show_header,
    )
    for column, width in zip(columns, widths, strict=True):
        table.add_column(
            column.header,
            width=width,
            justify="right" if column.kind == NUMBER else "left",
            overflow="fold",
            no_wrap=False,
        )
    for index, row in enumerate(rows):
        # The total row is bold at a terminal; no rule above it: a blank line would split the table for readers
        # (and scripts) that take a blank line as the end of a table.
        table.add_row(*row, style="bold" if total_row and colour and index == len(rows) - 1 else None)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines()) + "\n"


def _texts(cells: Sequence[Any]) -> list[str]:
    """A column's cells as text, None as empty; a column of texts as it is (the usual case: checked in C)."""
    if set(map(type, cells)) == {str}:
        return list(cells)
    if None not in cells:
        return list(map(str, cells))
    return ["" if value is None else str(value) for value in cells]


def layout(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    width: int | None,
    title: str | None = None,
    split_after: int | None = None,
    total_row: bool = False,
    columnwise: bool = False,
) -> Layout:
    """Fit a table into `width` cells (None: unlimited).

    Without `split_after`, optional columns are left out, highest `drop` first, until the rest fits. With it (a
    sheet of figures), the columns after the first `split_after` are dealt into as many tables as it takes, each
    repeating those first columns; `total_row`: the last row is a total, drawn under a rule. `columnwise`: `rows` is
    the table a column at a time, each a list of texts (a long listing builds it so)."""
    # A column at a time: each check and measure is then over the column's distinct cells.
    if columnwise:
        by_column = [list(cells) for cells in rows] if rows else [[] for _ in columns]
    else:
        by_column = [_texts(cells) for cells in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    distinct = [widths_of(set(cells)) for cells in by_column]
    shown = list(range(len(columns)))
    measures = [_measure(column, distinct[i], width is not None) for i, column in enumerate(columns)]
    floors = [m.floor for m in measures]
    omitted: list[str] = []
    if width is not None and split_after is None:
        optional = sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: (-columns[i].drop, -i))
        while _total([floors[i] for i in shown]) > width and optional:
            gone = optional.pop(0)
            shown.remove(gone)
            omitted.append(columns[gone].header)
    groups = [shown]
    naturals = [m.natural for m in measures]
    if width is not None and split_after is not None and _total(naturals) > width:
        lead, groups, current = list(range(split_after)), [], []
        # Headers on one line when each column fits so beside the leading ones; else as narrow as allowed.
        sizes = (
            naturals if all(_total([*(naturals[j] for j in lead), n]) <= width for n in naturals) else floors
        )
        for i in range(split_after, len(columns)):
            if current and _total([sizes[j] for j in (*lead, *current, i)]) > width:
                groups.append(lead + current)
                current = []
            current.append(i)
        if current:
            groups.append(lead + current)
    parts = []
    for number, group in enumerate(groups):
        chosen = [columns[i] for i in group]
        widths = _widths([measures[i] for i in group], chosen, width)
        parts.append(
            draw(
                chosen,
                [by_column[i] for i in group],
                [distinct[i] for i in group],
                widths,
                title if number == 0 else None,
                total_row,
            )
        )
    return Layout("\n".join(parts), tuple(omitted))


def flow(pairs: Sequence[str], width: int | None) -> list[str]:
    """Join short "label figure" pieces two spaces apart onto as few lines of `width` as they need, none split."""
    lines: list[str] = []
    for piece in pairs:
        if lines and (width is None or _cell_width(lines[-1]) + GAP + _cell_width(piece) <= width):
            lines[-1] += " " * GAP + piece
        else:
            lines.append(piece)
    return lines


def streams(wide: bool = False) -> bool:
    """Whether a table may be printed as its rows come: piped (or --wide) without colour, the width unlimited, so
    each column is as wide as its widest cell and every row one line. The caller must know those widths first."""
    return terminal_width(wide) is None and not is_terminal()


def print_streamed(columns: Sequence[Column], widths: Sequence[int], rows: Iterable[Sequence[str]]) -> None:
    """Header, rule and rows as they come, `widths` known beforehand (each column's widest cell or header, when
    `streams()`): the same bytes `print_fitted` prints, but a county's 100,000 households start at once (`| head`
    reads its lines and goes; issue 19). Every cell must print as it is (core/cells.is_plain)."""
    out = sys.stdout
    out.write("".join(plain_lines(columns, [], widths, header=True)))
    for chunk in _batches(iter(rows)):
        out.write("".join(plain_lines(columns, list(zip(*chunk, strict=True)), widths, header=False)))
        out.flush()
    out.flush()


def print_fitted(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    wide: bool = False,
    title: str | None = None,
    split_after: int | None = None,
    total_row: bool = False,
    columnwise: bool = False,
) -> None:
    """Print a fitted table on stdout; the columns it had to leave out are named on stderr with the --wide hint.
    `columnwise`: `rows` is the table a column at a time (`layout`)."""
    from minqing.ledgers.core.messages import render

    from .common import lang, note

    fitted = layout(
        columns,
        rows,
        width=terminal_width(wide),
        title=title,
        split_after=split_after,
        total_row=total_row,
        columnwise=columnwise,
    )
    typer.echo(fitted.text, nl=False)
    if fitted.omitted:
        note(
            render(
                "table_omitted",
                lang(),
                columns="、".join(fitted.omitted) if lang() == "zh" else ", ".join(fitted.omitted),
            )
        )


PASSES_KEEP = 100_000  # rows `print_fitted_passes` holds from its first pass rather than read them again


def print_fitted_passes(
    columns: Sequence[Column],
    rows: Callable[[], Iterable[Sequence[Any]]],
    *,
    wide: bool = False,
    keep: int | None = None,
) -> None:
    """`print_fitted` of a list too long to hold (issue 19: a county's million visits), the same bytes: `rows()`
    gives the rows afresh each time it is called. A first pass measures each column (its widest cell, and what
    `_measure` needs to fit a width: the cells with the longest unbreakable run and word), holding a batch at a
    time; a second pass prints them as they come: as plain lines when each row is one (a pipe, or a width they all
    fit in, no colour, no cell rich must draw), else drawn by rich a batch at a time. A list of at most `keep`
    (PASSES_KEEP) rows is not read twice: `print_fitted` lays it out."""
    from minqing.ledgers.core.messages import render

    from .common import lang, note

    keep = PASSES_KEEP if keep is None else keep
    width = terminal_width(wide)
    fitting = width is not None
    count = len(columns)
    kept: list[list[str]] | None = []
    reps: list[dict[str, int]] = [
        {} for _ in columns
    ]  # per column: the cells _measure needs, and their widths
    breaks = [False] * count  # a cell holding a line break
    plain = [True] * count
    for chunk in _batches(iter(rows())):
        by_column = [_texts(cells) for cells in zip(*chunk, strict=True)]
        if kept is not None:
            kept.extend(map(list, zip(*by_column, strict=True)))
            if len(kept) > keep:
                kept = None
        for i, cells in enumerate(by_column):
            distinct = widths_of(set(cells))
            found = _representatives(columns[i], distinct, fitting)
            reps[i] = _representatives(columns[i], {**reps[i], **found}, fitting)
            breaks[i] = breaks[i] or "\n" in "".join(distinct)
            plain[i] = plain[i] and all_plain(distinct)
    if kept is not None:
        print_fitted(columns, kept, wide=wide)
        return
    measures = [_measure(column, reps[i], fitting) for i, column in enumerate(columns)]
    shown = list(range(count))
    omitted: list[str] = []
    if fitting:
        floors = [m.floor for m in measures]
        optional = sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: (-columns[i].drop, -i))
        while _total([floors[i] for i in shown]) > width and optional:
            gone = optional.pop(0)
            shown.remove(gone)
            omitted.append(columns[gone].header)
    chosen = [columns[i] for i in shown]
    widths = _widths([measures[i] for i in shown], chosen, width)
    # draw's tests, over what the first pass saw.
    wrapped = any(
        max(reps[i].values(), default=0) > w or breaks[i] for i, w in zip(shown, widths, strict=True)
    )
    colour = is_terminal()
    out = sys.stdout
    if not all_plain([c.header for c in chosen]) or not all(plain[i] for i in shown):
        # A cell rich rewrites: rich draws the rows, a batch at a time. With every column's width fixed, a row is
        # drawn alike in any batch (tests/test_visit_list_stream.py compares), the header with the first, a blank
        # line between batches where rows are set apart.
        first = True
        for chunk in _batches(iter(rows())):
            by_column = [_texts(cells) for cells in zip(*chunk, strict=True)]
            batch = [list(row) for row in zip(*(by_column[i] for i in shown), strict=True)]
            text = draw_with_rich(chosen, batch, widths, None, False, colour, wrapped, show_header=first)
            typer.echo(("\n" if wrapped and not first else "") + text, nl=False)
            out.flush()
            first = False
    else:
        typer.echo(head_lines(chosen, widths, colour, wrapped), nl=False)
        first = True
        for chunk in _batches(iter(rows())):
            by_column = [_texts(cells) for cells in zip(*chunk, strict=True)]
            body = "".join(body_lines(chosen, [by_column[i] for i in shown], widths, None, wrapped))
            out.write(("\n" if wrapped and not first else "") + body)
            out.flush()
            first = False
        out.flush()
    if omitted:
        note(
            render(
                "table_omitted", lang(), columns="、".join(omitted) if lang() == "zh" else ", ".join(omitted)
            )
        )


def _batches(rows: Iterator[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    """Rows in lists of 100, doubling to 5,000: the first lines soon (`| head` closes the pipe and the listing stops
    at the next write), then few writes."""
    size = 100
    while chunk := list(itertools.islice(rows, size)):
        yield chunk
        size = min(size * 2, 5000)


def _widest_word(cell: str) -> int:
    return max((_cell_width(word) for word in cell.split()), default=0)


def _representatives(column: Column, cells: dict[str, int], fitting: bool) -> dict[str, int]:
    """The few of a column's cells `_measure` gives the same measure from as from all of them: the widest, and
    (fitting) the one with the longest unbreakable run and the one with the widest word."""
    if not cells:
        return {}
    keep = {max(cells, key=cells.__getitem__)}
    if fitting and column.kind in (TEXT, NAME):
        keep.add(max(cells, key=_longest_run))
        if column.kind == NAME:
            keep.add(max(cells, key=_widest_word))
    return {cell: cells[cell] for cell in keep}
