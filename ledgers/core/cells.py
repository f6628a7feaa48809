"""How wide a text is at a terminal, in cells (a Chinese character takes two), and whether it prints as it is.

One measure for the tables `cli/` draws and for the index, which keeps each household head's width so a county's
`household list` knows its column widths before its first row (issue 19: the list streams)."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection

# Control codes: rich rewrites them (and trims blanks around a cell), so such a cell is not printed as it is.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


# Printable ASCII (one cell) and the Chinese a ledger is written in (two): CJK ideographs, the ideographic
# punctuation (less its combining tone marks U+302A-302F) and the fullwidth forms. A text of these alone is measured
# by counting; tests/test_cells.py holds this to rich's own measure.
_ASCII_OR_CHINESE = re.compile("[ -~\u3001-\u3029\u3030-\u303e\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]*\\Z")


@functools.lru_cache(maxsize=1 << 16)
def cell_width(text: str) -> int:
    """The widest line of `text`, in cells. Cached: a cell is measured for its column, for wrapping and for
    drawing, and names and labels repeat."""
    if "\n" not in text and text.isascii() and text.isprintable():
        return len(text)  # most cells are ids, codes and figures: one cell a character
    if _ASCII_OR_CHINESE.match(
        text
    ):  # names, places, descriptions: rich's measure goes a character at a time
        return 2 * len(text) - len(text.encode("ascii", "ignore"))
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


LIST_TEXT_LIMIT = 40  # characters of a description or note a list shows; `show` has the rest


def shorten(text: str, limit: int = LIST_TEXT_LIMIT) -> str:
    """A list's view of a long text: its first `limit` characters and …; the entry's `show` prints all of it. The
    index keeps the width of each visit's note so shortened (`visit list` knows its widths before its rows)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def counted(text: str) -> bool:
    """Whether `text` is printable ASCII and Chinese alone, measured by counting (one cell, or two)."""
    return _ASCII_OR_CHINESE.match(text) is not None


def widths_of(cells: Collection[str]) -> dict[str, int]:
    """Each of `cells` (a column's distinct cells) -> its width. A column of ids, codes, dates and figures is
    settled in one pass over its joined text (one cell a character), not a cell at a time."""
    joined = "".join(cells)
    if joined.isascii() and joined.isprintable():  # no line breaks either: "\n" is not printable
        return dict(zip(cells, map(len, cells), strict=True))
    if _ASCII_OR_CHINESE.match(joined):
        return {cell: 2 * len(cell) - len(cell.encode("ascii", "ignore")) for cell in cells}
    return {cell: cell_width(cell) for cell in cells}


def all_plain(cells: Collection[str]) -> bool:
    """`is_plain` of every cell: the control codes looked for in one pass over the column."""
    return not CONTROL.search("".join(cells)) and all(cell == cell.strip() for cell in cells)


def is_plain(text: str) -> bool:
    """Printed as it is: no control codes, no blanks at either end."""
    return not CONTROL.search(text) and text == text.strip()
