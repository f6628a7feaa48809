"""`minqing import` through the CLI: exit codes, exact messages, the commit it makes, and bad sheets writing nothing."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import run, snapshot
from sheets_fixture import build_office, copy_office, id_number, write_csv, write_xlsx, wrong_checksum


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_office(tmp_path_factory.mktemp("cli_import") / "office")


@pytest.fixture
def office(base, tmp_path):
    return copy_office(base, tmp_path / "office")


def git_log(path, *args):
    return subprocess.run(["git", "log", *args], cwd=path, capture_output=True, text=True).stdout


def test_import_households_makes_one_commit(office, tmp_path):
    sheet = write_csv(
        tmp_path / "农户.csv",
        [
            ["序号", "乡镇", "村", "组", "户主姓名", "身份证号", "联系电话", "家庭人口", "户类别"],
            ["1", "和平乡", "板栗园村", "一组", "王五", id_number(41), "13912345678", "3", "脱贫户"],
            ["2", "和平乡", "板栗园村", "二组", "赵六", "", "", "2", "监测户"],
        ],
    )
    before = snapshot(office.path)[0]
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 0, result.output
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=office.path, capture_output=True, text=True
    ).stdout
    assert result.stdout == f"已导入 2 户农户（2 行，0 行与台账一致），提交 {head[:10]}\n"
    assert result.stderr == ""
    assert git_log(office.path, f"{before}..HEAD", "--format=%s") == "导入农户 2 户（农户.csv）\n"
    body = git_log(office.path, "-1", "--format=%B")
    assert body.count("Ledger-Entry: H-") == 2 and "Ledger-Op: import.households\n" in body
    assert f"Ledger-Actor: {office.admin}\n" in body
    assert snapshot(office.path)[1] == ""


def test_import_json_and_english(office, tmp_path):
    sheet = write_csv(
        tmp_path / "c.csv", [["Name", "Unit", "Role", "Title", "备注"], ["周明", "和平乡", "村干部", "", "x"]]
    )
    result = run("--lang", "en", "import", str(sheet), "--kind", "cadres", "--json", ledger=office.path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "cadres" and data["rows"] == 1 and data["unchanged"] == 0
    assert data["dry_run"] is False and len(data["commit"]) == 40
    assert [entry[:2] for entry in data["created"]] == ["C-"]
    assert data["ignored_columns"] == ["备注"]
    assert result.stderr == "ignored columns: 备注\n"


def test_dry_run_checks_and_writes_nothing(office, tmp_path):
    sheet = write_csv(
        tmp_path / "h.csv", [["村", "户主姓名"], ["板栗园村", "钱七"], ["桃映村（520602101202）", "孙八"]]
    )
    before = snapshot(office.path)
    result = run("import", str(sheet), "--kind", "households", "--dry-run", ledger=office.path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "检查通过（2 行）：将新增 2 户农户，0 行与台账一致；--dry-run 未写入\n"
    assert snapshot(office.path) == before


def test_gbk_csv_is_detected_and_encoding_can_be_given(office, tmp_path):
    rows = [["村", "户主姓名", "户类别"], ["板栗园村", "钱七", "监测户"]]
    gbk = write_csv(tmp_path / "gbk.csv", rows, "gbk")
    result = run("import", str(gbk), "--kind", "households", "--dry-run", ledger=office.path)
    assert result.exit_code == 0 and "将新增 1 户农户" in result.stdout
    result = run("import", str(gbk), "--kind", "households", "--encoding", "gb18030", ledger=office.path)
    assert result.exit_code == 0, result.output
    result = run("import", str(gbk), "--kind", "households", "--encoding", "latin-9", ledger=office.path)
    assert result.exit_code == 2
    assert result.stderr == "minqing: --encoding 的值“latin-9”无效：应为 utf-8|utf-8-sig|gb18030|gbk\n"


def test_map_file_and_sheet_name(office, tmp_path):
    sheet = write_xlsx(
        tmp_path / "o.xlsx",
        [["行政村名称", "户主（姓名）", "编号"], ["板栗园村", "钱七", "001"]],
        sheet="花名册",
        extra_sheet="填表说明",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text("行政村名称: village\n编号: null\n", encoding="utf-8")
    result = run(
        "import",
        str(sheet),
        "--kind",
        "households",
        "--sheet",
        "花名册",
        "--map",
        str(mapping),
        ledger=office.path,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("已导入 1 户农户（1 行")
    result = run("import", str(sheet), "--kind", "households", "--sheet", "台账", ledger=office.path)
    assert result.exit_code == 2
    assert result.stderr == "minqing: “o.xlsx”中没有工作表“台账”：可选 填表说明、花名册\n"


def _bad(office, path, kind, lang="zh"):
    before = snapshot(office.path)
    result = run("--lang", lang, "import", str(path), "--kind", kind, ledger=office.path)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert snapshot(office.path) == before
    return result.stderr.splitlines()


def test_bad_household_sheet_reports_everything_and_writes_nothing(office, tmp_path):
    """Missing column, unknown village, duplicate rows, a wrong check digit: all in one run."""
    good, bad = id_number(51), wrong_checksum(id_number(52))
    sheet = write_csv(
        tmp_path / "bad.csv",
        [
            ["序号", "乡镇", "村", "身份证号", "家庭人口"],
            ["1", "和平乡", "板栗园村", bad, "3"],
            ["2", "和平乡", "杏花村", "", "2"],
            ["3", "和平乡", "板栗园村", good, "2"],
            ["4", "和平乡", "桃映村", good, "2"],
            ["5", "坝黄镇", "宋家坝村", id_number(4), "1"],
        ],
    )
    lines = _bad(office, sheet, "households")
    assert lines == [
        "bad.csv:1:户主姓名: 缺少列“户主姓名”：表头应有 户主姓名、head、户主、户主名、姓名 之一",
        f"bad.csv:2:身份证号: 身份证号“520***********{bad[-4:]}”无效（校验码不符）：应为 18 位且校验码正确（GB 11643）",
        "bad.csv:3:村: 没有与“杏花村”匹配的村",
        f"bad.csv:5:身份证号: 与第 4 行重复（520***********{good[-4:]}）：同一条只能导入一次",
        f"bad.csv:6:身份证号: 身份证号“520***********{id_number(4)[-4:]}”已登记为 {office.homes['李四']}",
        "minqing: bad.csv：5 行共 5 处错误，未写入任何内容（逐条见上）",
    ]


def test_bad_item_sheet_reports_everything_and_writes_nothing(office, tmp_path):
    """Missing column, bad dates, unknown village, duplicate rows: all in one run, in English too."""
    sheet = write_xlsx(
        tmp_path / "问题台账.xlsx",
        [
            ["序号", "乡镇", "村", "户主姓名", "问题描述", "责任领导", "整改时限", "走访日期"],
            [1, "和平乡", "板栗园村", "张三", "院坝未硬化", "李明", "2026-02-30", ""],
            [2, "和平乡", "杏花村", "", "路灯坏了", "", "", ""],
            [3, "和平乡", "板栗园村", "张三", "厕所改造", "", "", "下周"],
            [4, "和平乡", "板栗园村", "张三", "厕所改造", "", "", ""],
            [5, "和平乡", "板栗园村", "张三", "屋顶漏雨", "", "", ""],
        ],
        title="和平乡大走访问题台账",
    )
    lines = _bad(office, sheet, "issues")
    roof = next(item.id for item in office.ledger().iter_items() if item.desc == "屋顶漏雨")
    assert lines == [
        "问题台账.xlsx:3:问题类型: 缺少列“问题类型”：表头应有 问题类型、category、问题类别、问题分类 之一",
        "问题台账.xlsx:4:整改时限: 整改时限 的日期“2026-02-30”无效：应为 YYYY-MM-DD 格式的真实日期",
        "问题台账.xlsx:5:村: 没有与“杏花村”匹配的村",
        "问题台账.xlsx:6:走访日期: 走访日期 的日期“下周”无效：应为 YYYY-MM-DD 格式的真实日期",
        "问题台账.xlsx:7:问题描述: 与第 6 行重复（厕所改造）：同一条只能导入一次",
        f"问题台账.xlsx:8:问题描述: 问题描述“屋顶漏雨”已登记为 {roof}",
        "minqing: 问题台账.xlsx：6 行共 6 处错误，未写入任何内容（逐条见上）",
    ]
    english = _bad(office, sheet, "issues", lang="en")
    assert (
        english[1]
        == "问题台账.xlsx:4:整改时限: 整改时限: '2026-02-30' is not a valid date; accepted: a real date as YYYY-MM-DD"
    )
    assert (
        english[-1]
        == "minqing: 问题台账.xlsx: 6 problem(s) in 6 row(s); nothing was written (each one is listed above)"
    )


def test_refusals_of_the_command_itself(office, tmp_path):
    sheet = write_csv(tmp_path / "h.csv", [["村", "户主姓名"], ["板栗园村", "钱七"]])
    result = run("import", str(sheet), ledger=office.path)
    assert (result.exit_code, result.stderr) == (
        2,
        "minqing: 缺少必填项 --kind：应为 households|cadres|visits|issues|petitions|surveys\n",
    )
    result = run("import", str(sheet), "--kind", "farmers", ledger=office.path)
    assert (
        result.stderr
        == "minqing: --kind 的值“farmers”无效：应为 households|cadres|visits|issues|petitions|surveys\n"
    )
    result = run("import", str(tmp_path / "none.csv"), "--kind", "households", ledger=office.path)
    assert (result.exit_code, result.stderr) == (
        2,
        f"minqing: 无法读取“{tmp_path / 'none.csv'}”：文件不存在\n",
    )
    result = run("import", str(sheet), "--kind", "households", ledger=tmp_path)
    assert result.exit_code == 4
    result = run("import", str(sheet), "--kind", "households", "--as", "C-ZZZZZZ", ledger=office.path)
    assert result.exit_code == 2 and "C-ZZZZZZ" in result.stderr


def test_reimporting_the_same_sheet_is_refused_as_duplicates(office, tmp_path):
    sheet = write_csv(
        tmp_path / "h.csv", [["村", "户主姓名", "身份证号"], ["板栗园村", "钱七", id_number(61)]]
    )
    assert run("import", str(sheet), "--kind", "households", ledger=office.path).exit_code == 0
    lines = _bad(office, sheet, "households")
    home = next(h.id for h in office.ledger().iter_households() if h.head == "钱七")
    assert lines[0] == f"h.csv:2:身份证号: 身份证号“520***********{id_number(61)[-4:]}”已登记为 {home}"
