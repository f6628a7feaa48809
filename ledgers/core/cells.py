"""How wide a text is at a terminal, in cells (a Chinese character takes two), and whether it prints as it is.

One measure for the tables `cli/` draws and for the index, which keeps each household head's width so a county's
`household list` knows its column widths before its first row (issue 19: the list streams)."""

from __future__ import annotations

import functools
import re

# Control codes: rich rewrites them (and trims blanks around a cell), so such a cell is not printed as it is.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@functools.lru_cache(maxsize=1 << 16)
def cell_width(text: str) -> int:
    """The widest line of `text`, in cells. Cached: a cell is measured for its column, for wrapping and for
    drawing, and names and labels repeat."""
    if "\n" not in text and text.isascii() and text.isprintable():
        return len(text)  # most cells are ids, codes and figures: one cell a character
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


def is_plain(text: str) -> bool:
    """Printed as it is: no control codes, no blanks at either end."""
    return not CONTROL.search(text) and text == text.strip()
