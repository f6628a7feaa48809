"""Issue 19, import at sheet speed (round five): the per-row shortcuts of a visits import decide what the plain
paths decide.

- `_Planner.place` reuses what a row's 乡镇 / 村 / 组 texts gave in an earlier row without problems; every row with a
  wrong or ambiguous place still gets its own finding, and a sheet is written the same;
- an import runs with the cycle collector paused and leaves it as it found it;
- `fields.text` skips its per-character check for a printable text: no character of the refused categories is
  printable, so the same texts are refused."""

from __future__ import annotations

import gc
import subprocess
import sys
import unicodedata

import pytest
from sheets_fixture import NOW, build_office, copy_office, write_csv

from minqing.ledgers.core import fields as F
from minqing.ledgers.core import ids
from minqing.ledgers.core.errors import BadInput
from minqing.ledgers.ops import sheets

HEADER = ["走访日期", "乡镇", "村", "组", "户主姓名", "走访人", "走访情况"]
GOOD_ROWS = [
    ["2026-11-21", "和平乡", "板栗园村", "一组", "张三", "李明", "第一次"],
    ["2026-11-22", "和平乡", "板栗园村", "一组", "张三", "李明", "第二次"],
    ["2026-11-21", "和平乡", "板栗园村", "", "曾国强", "李明", ""],
    ["2026-11-23", "", "", "52060210120101", "张三", "李明", "组的代码"],
    ["2026-11-21", "坝黄镇", "宋家坝村", "", "李四", "王芳", "两位王芳：宋家坝村的这位"],
]
BAD_ROWS = [
    ["2026-11-21", "和平乡", "无此村", "", "张三", "李明", ""],
    ["2026-11-21", "和平乡", "无此村", "", "张三", "李明", ""],
    ["2026-11-21", "和平乡", "板栗园村", "一组", "张三", "李明", ""],
    # the place of the row above, a bad date
    ["2026-13-01", "和平乡", "板栗园村", "一组", "张三", "李明", ""],
    ["2026-11-21", "无此乡", "板栗园村", "", "曾国强", "李明", ""],
    ["2026-11-21", "无此乡", "板栗园村", "", "曾国强", "李明", ""],
    ["2026-11-21", "", "桃映村", "", "单田芳", "李明", ""],  # two villages of that name
    ["2026-11-21", "", "桃映村", "", "单田芳", "李明", ""],
    ["2026-11-22", "", "", "一组", "张三", "李明", ""],  # a group name means nothing without its village
    ["2026-11-22", "", "", "一组", "张三", "李明", ""],
    ["2026-11-21", "和平乡", "板栗园村", "三组", "曾国强", "李明", ""],
    ["2026-11-21", "和平乡", "板栗园村", "三组", "曾国强", "李明", ""],
]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_office(tmp_path_factory.mktemp("rows") / "office")


def _outcome(office, rows, tmp_path, name: str) -> tuple[str, ...]:
    """The findings of importing `rows`, or the new tree and commit; ids drawn from one seed."""
    copy = copy_office(office, tmp_path / name)
    folder = tmp_path / f"{name}-sheet"
    folder.mkdir()
    sheet = write_csv(folder / "visits.csv", [HEADER, *rows])
    with ids.seeded(19), pytest.MonkeyPatch.context() as env:
        env.setenv("MINQING_NOW", NOW)
        try:
            sheets.import_sheet(copy.ledger(), None, sheet, "visits")
        except sheets.ImportRejected as rejected:
            return tuple(finding.render("en") for finding in rejected.findings)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=copy.path, capture_output=True, text=True, check=True
        ).stdout

    return (git("rev-parse", "HEAD^{tree}"), git("log", "-1", "--format=%B"))


def _with_and_without_reuse(office, rows, tmp_path, monkeypatch) -> tuple[str, ...]:
    reused = _outcome(office, rows, tmp_path, "reused")
    with monkeypatch.context() as patch:
        patch.setattr(sheets._Planner, "place", sheets._Planner._place)  # each row's place worked out anew
        assert _outcome(office, rows, tmp_path, "anew") == reused
    return reused


def test_places_reused_write_the_same(base, tmp_path, monkeypatch):
    tree, message = _with_and_without_reuse(base, GOOD_ROWS, tmp_path, monkeypatch)
    assert "Ledger-Op: import.visits" in message


def test_each_row_with_a_wrong_place_has_its_finding(base, tmp_path, monkeypatch):
    findings = _with_and_without_reuse(base, BAD_ROWS, tmp_path, monkeypatch)
    where = [finding.split(": ")[0] for finding in findings]
    assert where == [
        "visits.csv:2:村",
        "visits.csv:3:村",
        "visits.csv:5:走访日期",
        "visits.csv:6:乡镇",
        "visits.csv:7:乡镇",
        "visits.csv:8:村",
        "visits.csv:9:村",
        "visits.csv:10:组",
        "visits.csv:11:组",
        "visits.csv:12:组",
        "visits.csv:13:组",
    ]


def test_the_cycle_collector_is_left_as_it_was(base, tmp_path):
    office = copy_office(base, tmp_path / "office")
    folder = tmp_path / "sheets"
    folder.mkdir()
    good = write_csv(folder / "good.csv", [HEADER, GOOD_ROWS[0]])
    other = write_csv(folder / "other.csv", [HEADER, GOOD_ROWS[2]])
    bad = write_csv(folder / "bad.csv", [HEADER, BAD_ROWS[0]])
    assert gc.isenabled()
    with ids.seeded(5), pytest.MonkeyPatch.context() as env:
        env.setenv("MINQING_NOW", NOW)
        sheets.import_sheet(office.ledger(), None, good, "visits")
        assert gc.isenabled()
        with pytest.raises(sheets.ImportRejected):
            sheets.import_sheet(office.ledger(), None, bad, "visits")
        assert gc.isenabled()
        gc.disable()
        try:
            sheets.import_sheet(office.ledger(), None, other, "visits", dry_run=True)
            assert not gc.isenabled()
        finally:
            gc.enable()


def test_no_printable_character_is_of_a_refused_category():
    refused = ("Cc", "Cf", "Cs", "Co", "Cn")
    printable_refused = [
        code
        for code in range(sys.maxunicode + 1)
        if chr(code).isprintable() and unicodedata.category(chr(code)) in refused
    ]
    assert printable_refused == []


@pytest.mark.parametrize(
    "text", ["王\u200b明", "\u202e明王", "走访\x07", "私用\ue000区", "未分配\U000e0080字"]
)
def test_texts_with_invisible_or_control_characters_are_refused(text):
    with pytest.raises(BadInput):
        F.text(text, "走访情况")


def test_line_breaks_and_tabs_in_free_text_pass():
    assert F.text("第一行\n第二行\t完", "走访情况") == "第一行\n第二行\t完"
    assert F.text("　全角空格　在中间", "走访情况") == "全角空格　在中间"
