"""Tables fit the terminal and never cut what matters (issue 17).

The demo county is built once for the module, through the CLI. Each listing the clerk reads (`status`, `issue list`,
`household list`, `cadre list`, `visit list`, `rollup`, `rank`) is rendered at 80 and at 200 columns (`COLUMNS`, as
a script or a narrow terminal gives it), and every id, code, date and figure of the data, taken from the same
command's JSON, must appear whole (as one whitespace-separated token: never `Q-5…`, never split over two lines),
no line may be wider than the terminal, and no header may be cut. Names stand beside the codes they name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from minqing.cli import tables
from minqing.cli.tables import KEY, NAME, NUMBER, TEXT, Column, draw_plain, draw_with_rich
from minqing.ledgers.core.cells import widths_of

WIDTHS = (80, 200)


def shown(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int | None, *args: str):
    """The command's table at `width` columns (None: a pipe, no width); fails on any line wider than that."""
    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(width))
    result = run(*args, ledger=demo)
    assert result.exit_code == 0, result.output
    if width is not None:
        wide = [line for line in result.stdout.splitlines() if cell_len(line) > width]
        assert not wide, f"{args} at {width}: {wide[:3]}"
    assert "…" not in _header_lines(result.stdout), result.stdout[:2000]
    return result


def data(demo: Path, *args: str):
    result = run(*args, ledger=demo)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _header_lines(text: str) -> str:
    """The lines just above each table's rule (its headers), where a cut header would show `…`."""
    lines = text.splitlines()
    return "\n".join(lines[i - 1] for i, line in enumerate(lines) if line.startswith("──") and i)


def tokens(text: str) -> set[str]:
    return set(text.split())


def assert_whole(text: str, values: Iterator[object], what: str) -> None:
    have = tokens(text)
    missing = sorted({str(value) for value in values if value not in (None, "")} - have)
    assert not missing, f"{what}: not shown whole: {missing[:10]}"


@pytest.mark.parametrize("width", WIDTHS)
def test_status(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    summary = data(demo, "status", "--json")
    text = shown(demo, monkeypatch, width, "status").stdout
    assert_whole(text, summary["counts"].values(), "counts")
    assert_whole(text, summary["by_state"].values(), "states")
    for row in summary["by_township"]:
        assert_whole(text, [row["name"], row["items"], row["open"], row["overdue"]], "township")
        assert_whole(text, [row["escalated_township"], row["escalated_county"]], "funnel")
    for row in summary["by_leader"]:
        assert f"{row['name']} {row['id']}" in text  # name beside id, on one line
        assert_whole(text, [row["open"], row["overdue"]], "leader")
    for row in summary["overdue"][:10]:
        assert_whole(text, [row["id"], row["due"], row["leader"]], "overdue item")
    assert "乡镇" in text and "责任领导" in text and "超期" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_issue_list(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    items = data(demo, "issue", "list", "--json")
    result = shown(demo, monkeypatch, width, "issue", "list")
    text = result.stdout
    assert_whole(text, (item["id"] for item in items), "ids")
    assert_whole(text, (item["due"] for item in items), "deadlines")
    assert_whole(text, (item["unit"] for item in items), "unit codes")
    assert_whole(text, (item["leader"] for item in items), "leader ids")
    # names beside codes: the unit's (a group's with its village's) and the leader's
    assert "陈家寨村二组" in text and "叶某春" in text
    if width == 80:  # what did not fit is named, and --wide brings it back
        assert "--wide" in result.stderr and "台账" in result.stderr
        wide = shown(demo, monkeypatch, None, "issue", "list", "--wide").stdout
        assert "台账" in wide.splitlines()[0] and "民生诉求" in wide
    else:
        assert not result.stderr


@pytest.mark.parametrize("width", WIDTHS)
def test_household_list(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    homes = data(demo, "household", "list", "--json")
    text = shown(demo, monkeypatch, width, "household", "list").stdout
    assert_whole(text, (home["id"] for home in homes), "ids")
    assert_whole(text, (home["village"] for home in homes), "village codes")
    assert_whole(text, (home["group"] for home in homes), "group codes")
    assert_whole(text, (home["members"] for home in homes), "members")
    # the village's name and its township's beside the code
    line = next(line for line in text.splitlines() if line.startswith(homes[0]["id"]))
    assert "和平乡" in line and "陈家寨村" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_cadre_list(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    cadres = data(demo, "cadre", "list", "--json")
    text = shown(demo, monkeypatch, width, "cadre", "list").stdout
    assert_whole(text, (cadre["id"] for cadre in cadres), "ids")
    assert_whole(text, (cadre["unit"] for cadre in cadres), "unit codes")
    assert_whole(text, (len(cadre["pairings"]) for cadre in cadres), "pairings")
    assert "甘溪坪村" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_visit_list(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    visits = data(demo, "visit", "list", "--month", "2026-09", "--json")
    text = shown(demo, monkeypatch, width, "visit", "list", "--month", "2026-09").stdout
    assert_whole(text, (visit["id"] for visit in visits), "ids")
    assert_whole(text, (visit["date"] for visit in visits), "dates")
    assert_whole(text, (visit["household"] for visit in visits), "households")
    assert_whole(text, (visit["village"] for visit in visits), "village codes")
    assert_whole(text, (cadre for visit in visits for cadre in visit["by"]), "visitors")
    assert "叶某春" in text and "陈家寨村" in text


def _row_tokens(text: str, name: str) -> list[str]:
    """The figures of one row of a sheet, across every table it was dealt into, in order."""
    out: list[str] = []
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0].startswith(name):
            out += parts[1:]
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_rollup(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    args = ("rollup", "--period", "quarter", "--date", "2026-10-01")
    sheet = data(demo, *args, "--format", "json")
    text = shown(demo, monkeypatch, width, *args).stdout
    wide = shown(demo, monkeypatch, None, *args, "--wide").stdout
    for row in [*sheet["rows"], sheet["total"]]:
        figures = _row_tokens(text, row["name"])
        # every figure of the row, in the same order as the one wide table: split, never cut
        assert figures == _row_tokens(wide, row["name"]), row["name"]
        for key in (
            "visits",
            "households",
            "households_visited",
            "opened",
            "closed",
            "open",
            "overdue",
            "raised",
        ):
            assert str(row[key]) in figures, (row["name"], key)
        for key in ("coverage", "on_time_rate"):
            if row[key] is not None:
                assert f"{row[key] * 100:.1f}%" in figures, (row["name"], key)


@pytest.mark.parametrize("width", WIDTHS)
def test_rank(demo: Path, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    ranking = data(demo, "rank", "--quarter", "2026Q4", "--format", "json")
    text = shown(demo, monkeypatch, width, "rank", "--quarter", "2026Q4").stdout
    for row in ranking["rows"]:
        assert_whole(
            text,
            [
                row["unit"],
                row["name"],
                f"{row['score']:.1f}",
                row["overdue"],
                f"{row['coverage_points']:.1f}",
            ],
            "rank row",
        )
        assert f"({row['households_visited']}/{row['households']})" in text


def test_english_headers_fit_too(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = data(demo, "issue", "list", "--json")
    text = shown(demo, monkeypatch, 80, "--lang", "en", "issue", "list").stdout
    assert_whole(text, (item["id"] for item in items), "ids")
    assert text.split()[:2] == ["id", "description"]
    shown(demo, monkeypatch, 80, "--lang", "en", "status")
    shown(demo, monkeypatch, 80, "--lang", "en", "rollup", "--period", "quarter", "--date", "2026-10-01")


def test_a_pipe_without_a_width_keeps_one_line_per_row(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    homes = data(demo, "household", "list", "--json")
    text = shown(demo, monkeypatch, None, "household", "list").stdout
    lines = text.splitlines()
    assert len(lines) == 2 + len(homes)  # header, rule, one line each: grep and awk see whole rows
    assert "身份证号" in lines[0]


def test_log_speaks_the_chosen_language_with_names(demo: Path) -> None:
    item = data(demo, "issue", "list", "--state", "closed", "--json")[0]
    zh = run("log", item["id"], ledger=demo).stdout
    assert "类型: — → 问题" in zh and "kind:" not in zh and "状态: 已办结 → 已销号" in zh
    leader = run("cadre", "show", item["leader"], "--json", ledger=demo)
    name = json.loads(leader.stdout)["name"]
    assert f"责任领导: — → {name} {item['leader']}" in zh
    head = json.loads(run("household", "show", item["household"], "--json", ledger=demo).stdout)["head"]
    assert f"农户: — → {head} {item['household']}" in zh
    en = run("--lang", "en", "log", item["id"], ledger=demo).stdout
    assert "kind: — → problem" in en and "state: resolved → closed" in en


# ---------------------------------------------------------------- the plain renderer is rich's text


CELL_TEXT = st.text(alphabet=st.sampled_from(list("aZ0 -.:王芳欧阳路灯…·（）\u3000é\t\x1b")), max_size=8)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([KEY, NUMBER, TEXT, NAME]), min_size=1, max_size=5),
    st.lists(st.lists(CELL_TEXT, min_size=5, max_size=5), max_size=6),
    st.lists(CELL_TEXT, min_size=5, max_size=5),
    st.integers(0, 3),
)
def test_plain_tables_are_richs_bytes(
    kinds: list[str], rows: list[list[str]], headers: list[str], extra: int
) -> None:
    """A table that fits (every cell on one line, no colour, no title) is drawn without rich for speed (50,000
    households piped to a file): it must be exactly what rich draws."""
    columns = [Column(header.strip() or "h", kind) for header, kind in zip(headers, kinds, strict=False)]
    cells = [row[: len(columns)] for row in rows]
    widths = [
        max([cell_len(column.header)] + [cell_len(row[i]) for row in cells]) + extra
        for i, column in enumerate(columns)
    ]
    rich_text = draw_with_rich(columns, cells, widths, None, False, colour=False, wrapped=False)
    if any(_needs_rich(cell) for row in [[c.header for c in columns], *cells] for cell in row):
        return  # tabs and control codes: rich rewrites them, so draw gives those to rich
    assert draw_plain(columns, cells, widths) == rich_text


def _needs_rich(cell: str) -> bool:
    return cell != cell.strip() or any(ord(char) < 32 or 0x7F <= ord(char) <= 0x9F for char in cell)


WRAPPING_TEXT = st.text(alphabet=st.sampled_from(list("aZ0 -.:王芳欧阳路灯…·（）\u3000é\n")), max_size=14)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from([KEY, NUMBER, TEXT, NAME]), min_size=1, max_size=5),
    st.lists(st.lists(WRAPPING_TEXT, min_size=5, max_size=5), max_size=6),
    st.lists(WRAPPING_TEXT, min_size=5, max_size=5),
    st.lists(st.integers(1, 12), min_size=5, max_size=5),
    st.booleans(),
    st.one_of(st.none(), WRAPPING_TEXT),
    st.booleans(),
)
def test_rows_drawn_without_richs_table_are_its_bytes(
    kinds: list[str],
    rows: list[list[str]],
    headers: list[str],
    widths: list[int],
    colour: bool,
    title: str | None,
    total_row: bool,
) -> None:
    """Rows drawn without rich's table (a county's overdue items at an 80-column terminal took 13 s in it): cells
    narrower than their text, line breaks, names apart by spaces, words wider than a line, headers on two lines,
    a title, a total row (bold at a terminal), colour. Whatever the table, `draw` gives what rich's table draws."""
    columns = [
        Column(header.replace("\n", "").strip() or "h", kind)
        for header, kind in zip(headers, kinds, strict=False)
    ]
    cells = [[cell.strip() for cell in row[: len(columns)]] for row in rows]
    widths = widths[: len(columns)]
    by_column = [list(column) for column in zip(*cells, strict=True)] if cells else [[] for _ in columns]
    distinct = [widths_of(set(column)) for column in by_column]
    wrapped = any(
        max(sizes.values(), default=0) > width or "\n" in "".join(sizes)
        for sizes, width in zip(distinct, widths, strict=True)
    )
    title = None if title is None else title.strip()
    expected = draw_with_rich(columns, cells, widths, title, total_row, colour=colour, wrapped=wrapped)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "is_terminal", lambda: colour)
        assert tables.draw(columns, by_column, distinct, widths, title, total_row) == expected


@pytest.mark.parametrize("terminal", [False, True], ids=["COLUMNS", "terminal"])
def test_a_wrapped_listing_is_what_richs_table_drew(
    demo: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """`issue list` at 80 columns wraps names and places onto two lines: byte for byte what rich's table drew
    of every row, piped with COLUMNS and at a terminal (bold headers)."""
    monkeypatch.setattr(tables, "is_terminal", lambda: terminal)
    result = shown(demo, monkeypatch, 80, "issue", "list")
    lines = result.stdout.splitlines()
    assert any(line.startswith(" ") for line in lines[2:]) and "" in lines  # rows wrapped, set apart
    with monkeypatch.context() as patch:
        patch.setattr(tables, "needs_rich", lambda *_: True)
        by_rich = shown(demo, monkeypatch, 80, "issue", "list")
    assert result.stdout == by_rich.stdout
