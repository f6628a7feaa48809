"""`minqing rollup`, `reindex` and `report nightly` through the CLI: every format produced and parsed back,
bad input refused with one line and nothing written."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import rollup_fixture as fx
import wcwidth
from conftest import refused, run, snapshot
from rollup_fixture import BAHUANG, HEPING, Hand

from minqing.ledgers.read.rollup import METRICS
from minqing.ledgers.repo import store

hand, hand_copy, second_county = fx.hand, fx.hand_copy, fx.second_county


def ok(*args: str, ledger: Path | None = None) -> str:
    result = run(*args, ledger=ledger)
    assert result.exit_code == 0, result.output
    assert result.stderr == "", result.stderr
    return result.stdout


class Html(HTMLParser):
    """Collects tags, attributes and text, so tests can check the page is whole and self-contained."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def parse_html(text: str) -> Html:
    page = Html()
    page.feed(text)
    page.close()
    return page


# ---------------------------------------------------------------- table


def test_default_is_this_month_by_township_as_plain_text(hand: Hand):
    out = ok("rollup", ledger=hand.path)
    assert "\x1b" not in out  # no colour codes without a terminal
    lines = out.splitlines()
    assert lines[0] == "碧江区 月 2026-11 按乡镇（2026-11-01..2026-11-30，截至 2026-11-23）"
    rows = {
        line.split()[0]: line.split()[1:] for line in lines if line and line.split()[0] in ("和平乡", "合计")
    }
    # the last section (counts as the articles report them, issue 18) wins in this dict
    assert rows["和平乡"] == ["2", "0", "0", "0", "0", "0", "2", "2", "4", "5"]
    sections = out.split("\n\n")
    assert [section.splitlines()[0] for section in sections[1:]] == [
        "走访与覆盖",
        "事项办理",
        "上报漏斗、微心愿与活动",
        "户数、结对与台账（文章口径）",
    ]
    visits = sections[1].splitlines()
    # the last three: talks with households, talks with cadres, cadres posted to a village (issue 18)
    assert visits[3].split() == [
        "碧江区（本级）", "0", "0", "0", "0", "0", "—", "0", "—", "—", "0", "1", "0", "0", "0", "0"
    ]  # fmt: skip
    assert visits[4].split() == [
        "和平乡",
        "1",
        "1",
        "0",
        "3",
        "2",
        "66.7%",
        "1",
        "0.0%",
        "66.7%",
        "1",
        "2",
        "0",
        "1",
        "0",
        "0",
    ]
    assert visits[-1].split() == [
        "合计",
        "2",
        "1",
        "1",
        "4",
        "3",
        "75.0%",
        "2",
        "50.0%",
        "50.0%",
        "1",
        "4",
        "1",
        "1",
        "0",
        "0",
    ]
    items = sections[2].splitlines()
    # beside 满意率: the household survey's 测评户 and 群众认可度 (issue 18; no survey in this ledger)
    assert items[-1].split() == [
        "合计",
        "5",
        "3",
        "2",
        "4",
        "3",
        "66.7%",
        "15",
        "75.0%",
        "0",
        "—",
        "1",
        "1",
        "否",
    ]
    # CJK-correct widths: every line of a table has the same display width.
    for section in sections[1:]:
        assert len({wcwidth.wcswidth(line) for line in section.splitlines()[1:]}) == 1


def test_leader_table_is_the_baoan_view(hand: Hand):
    out = ok("rollup", "--by", "leader", ledger=hand.path)
    sections = out.split("\n\n")
    assert [section.splitlines()[0] for section in sections[1:]] == [
        "事项办理",
        "上报漏斗、微心愿与活动",
        "户数、结对与台账（文章口径）",
    ]
    items = {line.split()[0]: line.split()[1:6] for line in sections[1].splitlines()[3:]}
    assert items == {
        "乡领导乙": ["1", "1", "1", "2", "2"],
        "村干部甲": ["2", "1", "0", "1", "1"],
        "县领导丙": ["0", "1", "1", "0", "0"],
        "未交办": ["2", "0", "0", "1", "0"],
        "合计": ["5", "3", "2", "4", "3"],
    }
    assert sections[1].splitlines()[1].split()[0] == "包案领导"


def test_table_out_file_equals_stdout(hand: Hand, tmp_path: Path):
    target = tmp_path / "month.txt"
    assert ok("rollup", "--out", str(target), ledger=hand.path) == ""
    assert target.read_text(encoding="utf-8") == ok("rollup", ledger=hand.path)


# ---------------------------------------------------------------- json, csv, md


def test_json_is_stable_and_complete(hand: Hand):
    data = json.loads(ok("rollup", "--format", "json", ledger=hand.path))
    assert list(data) == ["period", "by", "unit", "ledgers", "metrics", "rows", "total"]
    assert data["period"] == {
        "kind": "month",
        "from": "2026-11-01",
        "to": "2026-11-30",
        "as_of": "2026-11-23",
        "label": "2026-11",
    }
    assert data["by"] == "township" and data["unit"] is None
    assert data["ledgers"][0]["county"] == "520602" and len(data["ledgers"][0]["commit"]) == 40
    assert [row["unit"] for row in data["rows"]] == ["520602", HEPING, BAHUANG]
    heping = data["rows"][1]
    assert list(heping)[:3] == ["unit", "name", "level"]
    assert list(heping)[3:] == data["metrics"]
    assert (heping["name"], heping["level"], heping["coverage"], heping["cleared"]) == (
        "和平乡",
        "township",
        0.6667,
        False,
    )
    assert data["total"]["unit"] == "total"
    assert (
        data["total"]["raised"],
        data["total"]["escalated_township"],
        data["total"]["escalated_county"],
    ) == (8, 2, 1)
    assert ok("rollup", "--format", "json", ledger=hand.path) == ok(
        "rollup", "--format", "json", ledger=hand.path
    )


def test_csv_has_a_bom_and_reads_back(hand: Hand, tmp_path: Path):
    target = tmp_path / "month.csv"
    ok("rollup", "--by", "village", "--format", "csv", "--out", str(target), ledger=hand.path)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = table[0]
    assert header[:5] == ["代码", "单位", "走访", "谈心谈话", "蹲点"]
    assert len(header) == 2 + len(METRICS)  # code, name, then every metric (issue 18 adds some each)
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert list(rows) == ["520602", HEPING, "520602101201", "520602101202", BAHUANG, "520602102201", "total"]
    banli = rows["520602101201"]
    assert (banli["单位"], banli["走访覆盖率"], banli["办结天数中位数"], banli["清零"]) == (
        "板栗园村",
        "0.5",
        "50.5",
        "是",
    )
    assert rows[BAHUANG]["单位"] == "坝黄镇（本级）"
    assert rows["520602101202"]["贫困户覆盖率"] == ""  # no poor household: no rate
    assert rows["total"]["排查问题"] == "8"


def test_csv_in_english(hand: Hand):
    result = run("--lang", "en", "rollup", "--format", "csv", ledger=hand.path)
    assert result.exit_code == 0
    table = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert table[0][:4] == ["code", "unit", "visits", "talks"]
    assert table[-1][:2] == ["total", "total"]
    assert table[1][1] == "碧江区 (own level)"


def test_markdown(hand: Hand):
    out = ok("rollup", "--format", "md", ledger=hand.path)
    lines = out.splitlines()
    assert lines[0] == "# 碧江区 月 2026-11 按乡镇（2026-11-01..2026-11-30，截至 2026-11-23）"
    assert "## 事项办理" in lines
    assert "| 坝黄镇 | 1 | 0 | 0 | 3 | 3 | — | — | — | 0 | — | 0 | 0 | 否 |" in lines
    assert (
        "| **合计** | **5** | **3** | **2** | **4** | **3** | **66.7%** | **15** | **75.0%** | **0** | **—** | **1** | **1** |"
        " **否** |" in lines
    )


# ---------------------------------------------------------------- xlsx, html


def test_xlsx_one_sheet_per_grouping(hand: Hand, tmp_path: Path):
    target = tmp_path / "month.xlsx"
    assert ok("rollup", "--format", "xlsx", "--out", str(target), ledger=hand.path) == ""
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [
        "按乡镇", "按县（区）", "按村", "按组", "按包案领导", "按类别", "按台账", "按轮次", "按帮扶单位"
    ]  # fmt: skip
    sheet = book["按乡镇"]
    assert sheet.freeze_panes == "C2"
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["代码", "单位", "走访", "谈心谈话"]
    assert sheet["A3"].value == HEPING and sheet["B3"].value == "和平乡"
    coverage = header.index("走访覆盖率") + 1
    assert sheet.cell(row=3, column=coverage).value == 0.6667
    assert sheet.cell(row=3, column=coverage).number_format == "0.0%"
    assert sheet["A5"].value == "total" and sheet["A5"].font.bold
    assert sheet.cell(row=5, column=header.index("排查问题") + 1).value == 8
    leaders = book["按包案领导"]
    assert [cell.value for cell in leaders[1]][:3] == ["干部编号", "包案领导", "新增事项"]
    assert leaders.max_row >= 6


def test_html_is_self_contained_with_charts(hand: Hand, tmp_path: Path):
    target = tmp_path / "month.html"
    ok("rollup", "--format", "html", "--out", str(target), ledger=hand.path)
    text = target.read_text(encoding="utf-8")
    page = parse_html(text)
    assert page.tags.count("svg") == 3  # coverage, open/overdue, the funnel
    assert page.tags.count("table") == 4
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not [value for name, value in page.attrs if name in ("src", "href")]
    assert "@media print" in text
    words = "".join(page.text)
    assert "和平乡" in words and "上报漏斗" in words and "66.7%" in words
    assert text == ok("rollup", "--format", "html", ledger=hand.path)


# ---------------------------------------------------------------- failing on overdue, bad input


def test_fail_on_overdue(hand: Hand):
    result = run("rollup", "--format", "json", "--fail-on-overdue", ledger=hand.path)
    assert result.exit_code == 1
    assert result.stderr.strip() == "minqing: 3 项事项超期（截至 2026-11-23）"
    assert json.loads(result.stdout)["total"]["overdue"] == 3  # the report is still printed
    quiet = run("rollup", "--unit", HEPING, "--fail-on-overdue", ledger=hand.path)
    assert quiet.exit_code == 0


@pytest.mark.parametrize(
    "args,contains",
    [
        (("--period", "fortnight"), "--period"),
        (("--from", "2026-11-10", "--to", "2026-11-01"), "2026-11-01"),
        (("--date", "2026-02-30"), "--date"),
        (("--unit", "520602109"), "520602109"),
        (("--unit", "和平乡"), "--unit"),
        (("--by", "province"), "--by"),
        (("--format", "pdf"), "--format"),
        (("--date", "2026-11-01", "--from", "2026-11-01"), "--date"),
        (("--format", "xlsx"), "--out"),
        (("--out", "/nonexistent/dir/month.json", "--format", "json"), "/nonexistent/dir/month.json"),
    ],
)
def test_bad_input_is_one_line_exit_2(hand: Hand, args, contains):
    refused(hand.path, "rollup", *args, contains=contains)


def test_out_to_a_directory_is_refused_and_nothing_written(hand: Hand, tmp_path: Path):
    folder = tmp_path / "reports"
    folder.mkdir()
    refused(hand.path, "rollup", "--out", str(folder), contains=str(folder))
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["reports"]  # no temp file left behind


def test_not_a_ledger(tmp_path: Path):
    result = run("rollup", ledger=tmp_path)
    assert result.exit_code == 4
    assert len(result.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- index through the CLI


def test_corrupt_index_is_rebuilt_with_a_note(hand_copy: Hand):
    before = ok("rollup", "--format", "json", ledger=hand_copy.path)
    (hand_copy.path / ".git" / "minqing" / "index.sqlite").write_bytes(os.urandom(4096))
    result = run("rollup", "--format", "json", ledger=hand_copy.path)
    assert result.exit_code == 0
    assert result.stderr.count("\n") == 1 and "索引缓存" in result.stderr and "已从台账重建" in result.stderr
    assert result.stdout == before


def test_reindex(hand_copy: Hand):
    state = snapshot(hand_copy.path)
    out = ok("reindex", ledger=hand_copy.path)
    assert out.startswith("已重建索引：28 个文件（事项 8，农户 4，走访 6，干部 7），提交 ")
    assert snapshot(hand_copy.path) == state


def test_many_repos_default_to_one_row_per_county(hand: Hand, second_county: Path):
    data = json.loads(
        ok("rollup", "--repo", str(hand.path), "--repo", str(second_county), "--format", "json")
    )
    assert data["by"] == "county"
    assert [(row["unit"], row["name"], row["opened"]) for row in data["rows"]] == [
        ("520602", "碧江区", 5),
        ("520603", "万山区", 1),
    ]
    assert data["total"]["households"] == 5
    assert [entry["county"] for entry in data["ledgers"]] == ["520602", "520603"]
    refused(hand.path, "rollup", "--repo", str(hand.path), "--repo", str(hand.path), contains="520602")


# ---------------------------------------------------------------- nightly report


def test_nightly_writes_three_files_silently(hand: Hand, tmp_path: Path):
    folder = tmp_path / "reports"
    result = run("report", "nightly", "--date", "2026-11-23", "--out-dir", str(folder), ledger=hand.path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert sorted(p.name for p in folder.iterdir()) == ["2026-11-23.html", "2026-11-23.json", "2026-11-23.md"]
    data = json.loads((folder / "2026-11-23.json").read_text(encoding="utf-8"))
    assert (data["date"], data["by"]) == ("2026-11-23", "township")
    assert (data["day"]["period"]["from"], data["day"]["period"]["to"]) == ("2026-11-23", "2026-11-23")
    assert data["month_to_date"]["period"] == {
        "kind": "month_to_date",
        "from": "2026-11-01",
        "to": "2026-11-23",
        "as_of": "2026-11-23",
        "label": "2026-11-01..2026-11-23",
    }
    assert data["day"]["total"]["stays"] == 1 and data["day"]["total"]["opened"] == 0
    assert data["month_to_date"]["total"]["opened"] == 5 and data["month_to_date"]["total"]["overdue"] == 3
    md = (folder / "2026-11-23.md").read_text(encoding="utf-8")
    assert md.startswith("# 碧江区 民情日报 2026-11-23\n")
    assert md.count("\n## 碧江区 ") == 2
    page = parse_html((folder / "2026-11-23.html").read_text(encoding="utf-8"))
    assert page.tags.count("svg") == 6 and "script" not in page.tags


def test_nightly_verbose_lists_the_files(hand: Hand, tmp_path: Path):
    folder = tmp_path / "out"
    result = run(
        "report", "nightly", "--date", "2026-11-20", "--out-dir", str(folder), "-v", ledger=hand.path
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines() == [
        str(folder / f"2026-11-20.{suffix}") for suffix in ("md", "json", "html")
    ]


def test_nightly_waits_for_the_lock_then_exits_3(hand_copy: Hand, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.2)
    lock = hand_copy.path / ".git" / "minqing" / "lock"
    lock.write_text(f"{os.getpid()} {socket.gethostname()} 2026-11-23T09:00:00+08:00")
    folder = tmp_path / "reports"
    refused(hand_copy.path, "report", "nightly", "--out-dir", str(folder), code=3)
    assert not folder.exists()  # made only once the report is ready (issue 17: no empty folder left behind)
    lock.unlink()
    assert run("report", "nightly", "--out-dir", str(folder), ledger=hand_copy.path).exit_code == 0
    assert len(list(folder.iterdir())) == 3


def test_nightly_needs_an_out_dir(hand: Hand):
    refused(hand.path, "report", "nightly", contains="--out-dir")
