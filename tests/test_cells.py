"""core/cells: the widths tables are laid out by are rich's own (rich draws the tables), however they are counted."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from minqing.ledgers.core.cells import all_plain, cell_width, is_plain, widths_of

# What ledgers hold and what could trip a counted measure: ASCII, Chinese, ideographic punctuation with its
# combining tone marks (U+302A-302F, zero cells), fullwidth forms, accents, combining marks, emoji and joiners,
# tabs, control codes and line breaks.
ALPHABET = st.sampled_from(
    [*"aZ09 -_.:/()", *"测试户张三村组乡镇", *"、。〃〆〇《》「」【】〜〪〭〯〰〾", *"（），：；１ＡｚＸ",
     *"éü", "\u0301", "\u200d", "\ufe0f", *"😀👍", *"\t\x1b\x7f\x85", "\n", "\u3000", "\uff61", "\u4dc0", "\u3400"]
)  # fmt: skip
TEXTS = st.text(ALPHABET, max_size=30)


def rich_width(text: str) -> int:
    return max((cell_len(line) for line in text.split("\n")), default=0)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_cell_width_is_richs(text: str) -> None:
    cell_width.cache_clear()
    assert cell_width(text) == rich_width(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, max_size=8))
def test_a_column_at_once_is_each_cell_alone(cells: list[str]) -> None:
    assert widths_of(set(cells)) == {cell: rich_width(cell) for cell in cells}
    assert all_plain(cells) == all(is_plain(cell) for cell in cells)


def test_the_counted_cases() -> None:
    assert cell_width("测试干部1609 C-6MASFM") == 21
    assert cell_width("碧江区（520602）") == 16
    assert widths_of(["Q-2TT71M", "2024-12-01"]) == {"Q-2TT71M": 8, "2024-12-01": 10}
    assert widths_of(["测试户22200", "〪"]) == {"测试户22200": 11, "〪": rich_width("〪")}
