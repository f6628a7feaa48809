"""Issue 19: a visits sheet's households and cadres come from the SQLite index when the ledger has one. The import
must write the same files, make the same commit and report the same findings as the one that reads every file."""

from __future__ import annotations

import subprocess

import pytest
from sheets_fixture import NOW, build_office, copy_office, write_csv

from minqing.ledgers.core import ids
from minqing.ledgers.ops import register, sheets
from minqing.ledgers.read.import_lookup import ImportLookup, has_index
from minqing.ledgers.read.index import Index


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    office = build_office(tmp_path_factory.mktemp("speed") / "office")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MINQING_NOW", NOW)
        ledger = office.ledger()
        # 钱五 was registered (建档) the day it was typed in, 孙六 three weeks before: only the file tells the first
        # from a household without a registration day, the index's first stay tells the second.
        for head, registered in (("钱五", "2026-11-23"), ("孙六", "2026-11-01")):
            office.homes[head] = register.add_household(
                ledger, None, head=head, village="520602101201", registered=registered, at=NOW
            ).id
    return office


def _outcome(office, rows, with_index: bool, tmp_path) -> tuple[str, ...]:
    """What importing `rows` leaves: the new tree and commit message, or the findings; ids drawn from one seed."""
    copy = copy_office(office, tmp_path / ("indexed" if with_index else "files"))
    ledger = copy.ledger()
    if with_index:
        Index.open(ledger).close()
    assert has_index(ledger) is with_index
    folder = tmp_path / f"sheet-{with_index}"
    folder.mkdir()
    sheet = write_csv(folder / "visits.csv", rows)  # one name: the commit subject names the file
    with ids.seeded(19):
        try:
            sheets.import_sheet(ledger, None, sheet, "visits")
        except sheets.ImportRejected as rejected:
            return tuple(finding.render("en").replace(sheet.name, "sheet") for finding in rejected.findings)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=copy.path, capture_output=True, text=True, check=True
        ).stdout

    return (git("rev-parse", "HEAD^{tree}"), git("log", "-1", "--format=%an %ae %ad%n%B"))


def _same_both_ways(office, rows, tmp_path) -> tuple[str, ...]:
    from_files = _outcome(office, rows, False, tmp_path)
    assert _outcome(office, rows, True, tmp_path) == from_files
    return from_files


HEADER = ["走访日期", "乡镇", "村", "户主姓名", "走访人", "走访情况", "走访类型"]


def test_visits_written_alike_from_the_index(base, tmp_path):
    rows = [
        HEADER,
        ["2026/11/21", "和平乡", "板栗园村", "曾国强", "李明、王芳", "了解就医情况", ""],
        ["2026年11月22日", "和平乡", "桃映村", "单田芳", "李明", "", "谈心谈话"],
        ["2026-11-22", "和平乡", "桃映村", "", "赵强", "", "蹲点"],
        ["2026-11-01", "和平乡", "板栗园村", "张三", "李明", "建档前的走访：张三没有建档日", ""],
        ["2026-11-02", "和平乡", "板栗园村", "孙六", "李明", "建档后", ""],
        ["2026-11-23", "和平乡", "板栗园村", "钱五", "李明", "建档当天", ""],
    ]
    outcome = _same_both_ways(base, rows, tmp_path)
    assert len(outcome) == 2 and "Ledger-Op: import.visits" in outcome[1]


def test_visits_refused_alike_from_the_index(base, tmp_path):
    rows = [
        HEADER,
        ["2026-12-01", "", "板栗园村", "张三", "李明", "", ""],  # in the future
        ["2026-11-21", "", "桃映村", "单田芳", "孙丽", "", ""],  # a recalled visitor
        ["2026-11-20", "", "板栗园村", "张三", "李明、王芳", "", ""],  # on the ledger already
        ["2026-11-21", "", "板栗园村", "曾国强", "李明", "", ""],
        ["2026-11-21", "", "板栗园村", "曾国强", "李明", "", ""],  # the row above again
        [
            "2026-11-22",
            "",
            "板栗园村",
            "钱五",
            "李明",
            "",
            "",
        ],  # before its registration day (same as typed in)
        ["2026-10-31", "", "板栗园村", "孙六", "李明", "", ""],  # before its registration day (weeks before)
        ["2026-11-21", "", "板栗园村", "无此人", "李明", "", ""],
        ["2026-11-21", "", "板栗园村", "张三", "王芳", "", ""],  # 王芳 of 板栗园村, not of 宋家坝村
        ["2026-11-21", "", "板栗园村", "张三", "无名氏", "", ""],
    ]
    findings = _same_both_ways(base, rows, tmp_path)
    assert [finding.split(": ")[0] for finding in findings] == [
        "sheet:2:走访日期",
        "sheet:3:村",  # two villages of that name
        "sheet:3:走访人",
        "sheet:4:走访日期",
        "sheet:6:走访日期",
        "sheet:7:走访日期",
        "sheet:8:走访日期",
        "sheet:9:户主姓名",
        "sheet:11:走访人",
    ]


def test_a_visit_row_with_its_id_is_compared_alike(base, tmp_path):
    from minqing.ledgers.read.visits import iter_visits

    visit = next(iter(iter_visits(base.ledger())))
    unchanged = [visit.id, "2026-11-20", "和平乡", "板栗园村", "张三", "李明、王芳", "了解住房情况", ""]
    changed = [*unchanged[:6], "另一种说法", ""]
    tree, message = _same_both_ways(base, [["编号", *HEADER], unchanged], tmp_path / "same")
    assert "Ledger-Op: import.visits" not in message  # the same visit again: skipped, no commit
    assert len(_same_both_ways(base, [["编号", *HEADER], changed], tmp_path / "differs")) == 1


def test_no_index_no_lookup_and_an_unreadable_household_reads_the_files(base, tmp_path):
    office = copy_office(base, tmp_path / "office")
    ledger = office.ledger()
    assert ImportLookup.open(ledger) is None  # building an index costs more than the files it would save
    Index.open(ledger).close()
    lookup = ImportLookup.open(ledger)
    assert lookup is not None
    try:
        homes = lookup.households()
        assert homes[office.homes["孙六"]].registered == "2026-11-01"
        assert homes[office.homes["钱五"]].registered == "2026-11-23"
        assert homes[office.homes["张三"]].registered is None
        assert lookup.cadres()[office.recalled].status == "recalled"
    finally:
        lookup.close()
    broken = ledger.path_of(office.homes["李四"])
    (office.path / broken).write_text("id: [unclosed\n", encoding="utf-8")
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "broken"],
        cwd=office.path,
        check=True,
    )
    assert ImportLookup.open(ledger) is None  # the files are read, and the import names the broken one
