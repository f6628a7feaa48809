"""Issue 16: a township's 信访台账 imported as petition items (`import --kind petitions`), through the CLI."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import run
from sheets_fixture import build_office, commit_count, copy_office, write_csv, write_xlsx

from minqing.ledgers.repo.store import Ledger


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_office(tmp_path_factory.mktemp("petitions") / "office")


@pytest.fixture
def office(base, tmp_path):
    return copy_office(base, tmp_path / "office")


HEADER = ["序号或来信编号", "信访类型", "接件时间", "信访人姓名和相关信息", "信访内容", "案件地点", "联系电话", "办理情况"]  # fmt: skip


def ledger_rows():
    return [
        ["和平乡2026年信访台账"],
        ["填报单位：和平乡综治中心", "", "", "", "", "", "", "统计截至：2026年11月20日"],
        HEADER,
        ["1", "群众来访", "2026年11月3日", "张三，男，52岁", "反映屋后堡坎垮塌", "板栗园村", "13912340001", "已转村委会核实"],
        ["BJ-2026-07", "12345市民热线", "2026/11/10", "匿名", "反映村道路灯不亮", "和平乡桃映村", "", ""],
        ["3", "部门转入", "2026.11.18", "王大明（身份证520602198001011234）", "反映低保评定不公", "板栗园村", "13700002222", ""],
        ["4", "来信", 46335, "曾国强", "反映饮水管道破损", "板栗园村", "", "已派水管员"],
        ["合计", "4件"],
        ["填表人：张录", "", "", "审核人：李明"],
    ]  # fmt: skip


def items(office):
    led = Ledger.open(office.path)
    return sorted((led.item(entry) for entry in led.all_ids("Q")), key=lambda item: (item.created, item.desc))


@pytest.mark.parametrize("form", ["xlsx", "gb18030"])
def test_a_petition_ledger_becomes_petition_items(office, tmp_path, form):
    rows = ledger_rows()
    if form == "xlsx":
        sheet = write_xlsx(tmp_path / "信访台账.xlsx", rows)
    else:
        rows[6][2] = "46335"  # what a CSV saved from Excel holds for an unformatted date cell
        sheet = write_csv(tmp_path / "信访台账.csv", rows, encoding="gb18030")
    before = {item.id for item in items(office)}
    count = commit_count(office.path)
    result = run("import", str(sheet), "--kind", "petitions", ledger=office.path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("已导入 4 件信访（4 行，0 行与台账一致），提交 ")
    assert commit_count(office.path) == count + 1
    body = subprocess.run(
        ["git", "log", "-1", "--format=%B"], cwd=office.path, capture_output=True, text=True
    ).stdout
    assert "Ledger-Op: import.issues" in body and body.startswith("导入信访件 4 件（")
    new = [item for item in items(office) if item.id not in before]
    assert [(i.created, i.kind, i.source_kind, i.category) for i in new] == [
        ("2026-11-03", "petition", "petition", "other"),
        ("2026-11-09", "petition", "petition", "other"),
        ("2026-11-10", "petition", "hotline", "other"),
        ("2026-11-18", "petition", "grid", "other"),
    ]
    zhang, zeng, lamp, dibao = new
    # 张三 and 曾国强 are heads in 板栗园村: the items are theirs; 匿名 and 王大明 stay unit-level, named in the text.
    assert zhang.household == office.homes["张三"] and zeng.household == office.homes["曾国强"]
    assert lamp.household is None and lamp.unit == "520602101202" and "（信访人：匿名）" in lamp.desc
    assert "（来信编号：BJ-2026-07）" in lamp.desc
    assert dibao.household is None and dibao.unit == "520602101201"
    assert "520***********1234" in dibao.desc and "520602198001011234" not in dibao.desc
    assert "137****2222" in dibao.desc and "13700002222" not in dibao.desc
    assert "（办理情况：已转村委会核实）" in zhang.desc
    # deadlines run from the received date (信访工作条例: answered within 60 days)
    assert zhang.due == "2027-01-02" and zhang.assign_by is not None
    text = subprocess.run(["git", "grep", "-I", "", "HEAD"], cwd=office.path, capture_output=True, text=True)
    assert "13912340001" not in text.stdout and "13700002222" not in text.stdout
    assert run("audit", ledger=office.path).exit_code == 0


def test_bad_petition_rows_are_all_reported_and_nothing_written(office, tmp_path):
    rows = ledger_rows()
    rows[3][2] = "2026年13月3日"
    rows[4][5] = "火星村"
    rows[5][1] = "托梦"
    sheet = write_csv(tmp_path / "信访.csv", rows)
    count = commit_count(office.path)
    result = run("import", str(sheet), "--kind", "petitions", ledger=office.path)
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines[:3]] == [
        "信访.csv:4:接件时间",
        "信访.csv:5:案件地点",
        "信访.csv:6:信访类型",
    ]
    assert "Traceback" not in result.output
    assert commit_count(office.path) == count


def test_petitions_json_summary(office, tmp_path):
    sheet = write_csv(tmp_path / "p.csv", [HEADER, ledger_rows()[3]])
    result = run("import", str(sheet), "--kind", "petitions", "--json", ledger=office.path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "petitions" and data["rows"] == 1 and len(data["created"]) == 1
