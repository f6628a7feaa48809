"""Help formatting measured in terminal cells (imported only when help is rendered; see cli/help_lang.py).

Click wraps help with `textwrap`, which counts characters and breaks only at spaces; a Chinese character takes two
terminal columns and a Chinese sentence has no spaces, so zh help would overflow an 80-column terminal. This
formatter measures cells (rich's `cell_len`) and may break between any two Chinese characters or after the `|` of a
code list, never inside an ASCII word such as an option name or a code. A `\\b` paragraph (examples) is never
rewrapped.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from typer._click import formatting
from typer._click._textwrap import TextWrapper

# A run of wide (CJK) characters may break between any two of them; closing punctuation stays with what it closes.
_WIDE = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"
_CLOSING = "，。、；：！？）」』》〉”’…"
_NARROW = r"[^\s|\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"
# An ASCII word may also break after a "|" (a list of accepted codes, `income|education|…`), never elsewhere.
_OPENING = "（「『《〈“‘"
# Opening punctuation stays with what it opens.
_CHUNK = re.compile(rf"\s+|[{_OPENING}]*(?:{_WIDE}[{_CLOSING}]*|{_NARROW}+\|?[{_CLOSING}]*)|\|")


def cells(text: str) -> int:
    return cell_len(text)


class CellWrapper(TextWrapper):
    """click's TextWrapper, measuring terminal cells and breaking between Chinese characters."""

    def _split(self, text: str) -> list[str]:
        return _CHUNK.findall(text)

    def _wrap_chunks(self, chunks: list[str]) -> list[str]:
        lines: list[str] = []
        pending = list(chunks)
        while pending:
            indent = self.subsequent_indent if lines else self.initial_indent
            room = self.width - cells(indent)
            line: list[str] = []
            used = 0
            while pending and pending[0].isspace() and not line:
                pending.pop(0)  # a line never starts with the space it was broken at
            while pending:
                width = cells(pending[0])
                if used + width <= room:
                    used += width
                    line.append(pending.pop(0))
                elif not line:  # one word wider than the line: cut it (only a very long path or URL)
                    head, rest = _cut(pending[0], room)
                    line.append(head)
                    pending[0] = rest
                    break
                else:
                    break
            if line:
                lines.append(indent + "".join(line).rstrip())
        return lines


def _cut(word: str, room: int) -> tuple[str, str]:
    used = 0
    for index, char in enumerate(word):
        used += cells(char)
        if used > max(room, 1):
            return word[: max(index, 1)], word[max(index, 1) :]
    return word, ""


def wrap_text(text: str, width: int, indent: str = "") -> str:
    """click's wrap_text with preserve_paragraphs, measured in cells: paragraphs are rewrapped, a paragraph whose
    first line is `\\b` is kept line by line (examples)."""
    wrapper = CellWrapper(width, initial_indent=indent, subsequent_indent=indent, replace_whitespace=False)
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.expandtabs().strip("\n")):
        lines = block.splitlines()
        if lines and lines[0].strip() == "\b":
            paragraphs.append(wrapper.indent_only("\n".join(lines[1:])))
        else:
            paragraphs.append(wrapper.fill(" ".join(line.strip() for line in lines)))
    return "\n\n".join(paragraphs)


class CellFormatter(formatting.HelpFormatter):
    """click's HelpFormatter whose wrapping counts terminal cells (see the module's docstring)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = f"{'Usage: ' if prefix is None else prefix:>{self.current_indent}}{prog} "
        room = self.width - self.current_indent
        if cells(head) + 20 <= room:  # the arguments fit to the right of the command, as click does
            wrapper = CellWrapper(room, initial_indent=head, subsequent_indent=" " * cells(head))
            self.write(wrapper.fill(args) + "\n")
        else:
            indent = " " * (self.current_indent + 4)
            wrapper = CellWrapper(room, initial_indent=indent, subsequent_indent=indent)
            self.write(head.rstrip() + "\n" + wrapper.fill(args) + "\n")

    def write_heading(self, heading: str) -> None:
        # click adds an ASCII colon; a Chinese heading takes a full-width one
        colon = "：" if cells(heading[-1:]) == 2 else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_text(self, text: str) -> None:
        self.write(wrap_text(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_width = min(max((cells(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cells(first) <= first_width - col_spacing:
                self.write(" " * (first_width - cells(first)))
            else:
                self.write("\n" + " " * (first_width + self.current_indent))
            lines = wrap_text(second, max(self.width - first_width - 2, 10)).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_width + self.current_indent}}{line}\n")
