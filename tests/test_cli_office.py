"""The offices' commands through the CLI: activity, review, rank, report daily, reconcile, cadre roster, duties.
Exit codes, exact messages, resulting files and commits; the numbers themselves are tested in test_office.py."""

from __future__ import annotations

import json
import subprocess

import office_fixture as ofx
import rollup_fixture as fx
from conftest import refused, run
from rollup_fixture import BAHUANG, BANLI, HEPING, SONGJIA, TAOYING

hand = fx.hand
office = ofx.office
office_copy = ofx.office_copy


def _subjects(path, count: int) -> list[str]:
    out = subprocess.run(["git", "log", f"-{count}", "--format=%s"], cwd=path, capture_output=True, text=True)
    return out.stdout.splitlines()


# ---------------------------------------------------------------- activity


def test_activity_add_and_list(sample):
    ok = run(
        "activity",
        "add",
        "--kind",
        "night_school",
        "--unit",
        "520602101201",
        "--date",
        "2026-11-20",
        "--title",
        "猕猴桃冬季管护",
        "--participants",
        "35",
        "--by",
        f"{sample.village_cadre},{sample.township_leader}",
        ledger=sample.path,
    )
    assert ok.exit_code == 0, ok.output
    activity_id = ok.stdout.split()[0]
    assert ok.stdout == f"{activity_id} 2026-11-20 农民夜校 35人\n"
    assert _subjects(sample.path, 1) == ["活动 农民夜校 板栗园村 2026-11-20：猕猴桃冬季管护（35 人）"]
    run(
        "activity",
        "add",
        "--kind",
        "lecture",
        "--unit",
        "520602101",
        "--title",
        "政策宣讲",
        ledger=sample.path,
    )
    listed = run("activity", "list", "--json", ledger=sample.path)
    data = json.loads(listed.stdout)
    assert (data["sessions"], data["participants"]) == (2, 35)
    assert data["by_kind"] == [
        {"kind": "night_school", "sessions": 1, "participants": 35},
        {"kind": "lecture", "sessions": 1, "participants": 0},
    ]
    assert data["activities"][1]["date"] == "2026-11-23"  # --date defaults to today
    table = run("activity", "list", "--month", "2026-11", "--unit", "520602101201", ledger=sample.path)
    assert (
        activity_id in table.stdout
        and "合计" in table.stdout
        and "政策宣讲" not in table.stdout.split("类型")[1]
    )


def test_activity_add_refusals(sample):
    base = ["activity", "add", "--unit", "520602101201", "--title", "宣讲"]
    refused(
        sample.path,
        *base,
        "--kind",
        "party",
        contains="--kind 的值“party”无效：应为 night_school|cadre_school|lecture|public_service|farm_service|"
        "cleanup|drill|joint_meeting|other",
    )
    refused(sample.path, *base, "--kind", "lecture", "--participants", "-3", contains="--participants")
    refused(sample.path, *base, "--kind", "lecture", "--date", "2026-12-01", contains="在将来")
    refused(sample.path, "activity", "add", "--kind", "lecture", "--title", "x", contains="缺少必填项 --unit")
    refused(sample.path, *base, "--kind", "lecture", "--by", "C-ZZZZZZ", contains="C-ZZZZZZ")
    refused(sample.path, "activity", "list", "--month", "2026/11", contains="--month")
    en = run(
        "--lang", "en", "activity", "add", "--kind", "x", "--unit", "1", "--title", "t", ledger=sample.path
    )
    assert en.exit_code == 2 and en.stderr.startswith(
        "minqing: --kind: invalid value 'x'; accepted: night_school|"
    )


# ---------------------------------------------------------------- review


def test_review_add_raise_set_list_show(sample, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("驻村工作队述职\n", encoding="utf-8")
    ok = run(
        "review",
        "add",
        "--team",
        "板栗园村",
        "--quarter",
        "2026Q4",
        "--report",
        str(report),
        "--comment",
        "成效明显",
        "--ratings",
        "satisfied=40,basic=8,unsatisfied=2",
        "--grade",
        "good",
        "--raise",
        "卫生室缺药",
        "--category",
        "medical",
        ledger=sample.path,
    )
    assert ok.exit_code == 0, ok.output
    first, second = ok.stdout.splitlines()
    review_id = first.split()[0]
    assert first == f"{review_id} 520602101201 2026Q4 良好"
    item_id = second.split()[0]
    assert second == f"  {item_id} 已登记 卫生室缺药"
    shown_item = json.loads(run("issue", "show", item_id, "--json", ledger=sample.path).stdout)
    assert (shown_item["review"], shown_item["source"], shown_item["unit"]) == (review_id, "review", BANLI)
    raised = run(
        "review",
        "raise",
        review_id,
        "--raise",
        "通组路未硬化",
        "--category",
        "infrastructure",
        ledger=sample.path,
    )
    assert raised.exit_code == 0 and raised.stdout.startswith(f"{review_id} 520602101201 2026Q4\n")
    amended = run("review", "set", review_id[:4], "--grade", "excellent", ledger=sample.path)
    assert amended.stdout == f"{review_id} 520602101201 2026Q4 优秀\n"
    assert _subjects(sample.path, 3) == [
        "更新一会三评 板栗园村 2026Q4",
        "一会三评问题清单 板栗园村 2026Q4，登记 1 项",
        "一会三评 板栗园村 2026Q4（良好），登记问题 1 项",
    ]
    views = json.loads(run("review", "list", "--json", ledger=sample.path).stdout)
    assert [
        (v["id"], v["grade"], v["raters"], v["satisfaction"], len(v["items"]), v["items_open"]) for v in views
    ] == [(review_id, "excellent", 50, 0.96, 2, 2)]
    assert views[0]["report"] == "驻村工作队述职"
    shown = run("review", "show", review_id, ledger=sample.path)
    assert "满意 40，基本满意 8，不满意 2（满意率 96.0%）" in shown.stdout
    assert f"{item_id} 已登记" in shown.stdout
    history = json.loads(run("review", "show", review_id, "--json", ledger=sample.path).stdout)["history"]
    assert [entry["op"] for entry in history] == ["create", "raise", "set"]
    table = run("review", "list", "--quarter", "2026Q4", ledger=sample.path)
    assert "板栗园村 520602101201" in table.stdout and "96.0%" in table.stdout


def test_review_refusals(sample):
    base = ["review", "add", "--team", "520602101201", "--quarter", "2026Q4", "--grade", "good"]
    refused(sample.path, *base, "--ratings", "good=3", contains="--ratings 的值“good=3”无效")
    refused(sample.path, *base, "--ratings", "satisfied=1", "--raise", "缺药", contains="--category")
    refused(
        sample.path,
        *base[:-2],
        "--ratings",
        "satisfied=1",
        "--grade",
        "best",
        contains="excellent|good|fair|poor",
    )
    refused(
        sample.path,
        "review",
        "add",
        "--team",
        "520602101201",
        "--quarter",
        "2027Q2",
        "--grade",
        "good",
        "--ratings",
        "satisfied=1",
        contains="已开始的季度（今天 2026-11-23）",
    )
    assert run(*base, "--ratings", "satisfied=1", ledger=sample.path).exit_code == 0
    refused(sample.path, *base, "--ratings", "satisfied=2", contains="已登记为 R-")
    refused(sample.path, "review", "set", "R-ZZZZZZ", "--grade", "good", contains="R-ZZZZZZ")
    refused(sample.path, "review", "raise", "R-", contains="--raise")
    refused(sample.path, "review", "list", "--quarter", "2026-4", contains="--quarter")


# ---------------------------------------------------------------- rank


def test_rank_json_csv_and_table(office):
    data = json.loads(
        run("rank", "--quarter", "2026Q4", "--by", "team", "--format", "json", ledger=office.path).stdout
    )
    assert (data["quarter"], data["by"], data["as_of"]) == ("2026Q4", "team", "2026-11-23")
    assert data["formula"] == {
        "weights": {"on_time": 40.0, "coverage": 30.0, "satisfaction": 30.0},
        "overdue_points": 2.0,
        "overdue_cap": 30.0,
        "no_data_share": 0.5,
    }
    assert [(r["rank"], r["unit"], r["score"]) for r in data["rows"]] == [
        (1, TAOYING, 91.8),
        (2, BANLI, 78.8),
        (3, SONGJIA, 61.0),
    ]
    csv_text = run("rank", "--quarter", "2026Q4", "--format", "csv", ledger=office.path).stdout
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[:4] == ["名次", "代码", "乡镇", "得分"]
    assert lines[1].split(",")[:4] == ["1", BAHUANG, "坝黄镇", "94.0"]
    assert lines[2].split(",")[:4] == ["2", HEPING, "和平乡", "83.6"]
    assert "66.7% (2/3)" in lines[2] and "89.7% (70/78)" in lines[2]
    table = run("rank", "--quarter", "2026Q4", ledger=office.path)
    assert table.exit_code == 0 and "得分 = 40×按期率" in table.stderr
    assert "-6.0" in table.stdout


def test_rank_xlsx_and_refusals(office, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "rank.xlsx"
    ok = run("rank", "--quarter", "2026Q4", "--format", "xlsx", "--out", str(target), ledger=office.path)
    assert ok.exit_code == 0, ok.output
    sheet = load_workbook(target).active
    assert sheet["A1"].value.startswith("2026Q4 乡镇排名")
    assert [cell.value for cell in sheet[3]][:4] == [1, BAHUANG, "坝黄镇", "94.0"]
    assert sheet.max_row == 6  # title, header, 2 townships, blank, formula
    refused(office.path, "rank", "--format", "xlsx", contains="--out")
    refused(office.path, "rank", "--by", "village", contains="township|team")
    refused(office.path, "rank", "--quarter", "2026Q9", contains="YYYYQn")
    refused(office.path, "rank", "--format", "pdf", contains="table|md|csv|json|xlsx")


# ---------------------------------------------------------------- report daily


def test_report_daily_json_md_and_folder(office, tmp_path):
    data = json.loads(
        run("report", "daily", "--date", "2026-11-21", "--format", "json", ledger=office.path).stdout
    )
    assert data["date"] == "2026-11-21"
    assert data["total"] == {
        "unit": "total",
        "name": "合计",
        "level": None,
        "visits": 0,
        "talks": 0,
        "stays": 0,
        "households_visited": 0,
        "opened": 2,
        "on_the_spot": 0,
        "closed": 0,
        "fell_overdue": 1,
        "overdue": 3,
        "wishes_fulfilled": 0,
        "activities": 1,
        "participants": 8,
    }
    assert [row["id"] for row in data["fell_overdue"]] == [office.items["Q4"]]
    md = run("report", "daily", "--date", "2026-11-21", "--format", "md", ledger=office.path).stdout
    assert md.startswith("# 碧江区 民情日报 2026-11-21\n")
    assert "| **合计** | **0** | **0** | **0** | **0** | **2** |" in md
    assert "## 当日转为超期（1）" in md
    folder = tmp_path / "reports"
    written = run("report", "daily", "--out-dir", str(folder), ledger=office.path)
    assert written.exit_code == 0 and written.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == [
        "daily-2026-11-22.html",
        "daily-2026-11-22.json",
        "daily-2026-11-22.md",
    ]
    assert json.loads((folder / "daily-2026-11-22.json").read_text(encoding="utf-8"))["total"]["talks"] == 1
    table = run("report", "daily", ledger=office.path)
    assert "碧江区 民情日报 2026-11-22" in table.stdout
    refused(office.path, "report", "daily", "--date", "2026-11-30", contains="在将来")
    refused(office.path, "report", "daily", "--format", "xlsx", contains="table|md|json")


# ---------------------------------------------------------------- reconcile


def test_reconcile_table_json_and_xlsx(office, tmp_path):
    from openpyxl import load_workbook

    data = json.loads(run("reconcile", "--format", "json", ledger=office.path).stdout)
    assert (data["unit"], data["open"], data["overdue"], data["ledger"]) == ("520602", 6, 3, None)
    stability = json.loads(
        run("reconcile", "--ledger", "stability", "--format", "json", ledger=office.path).stdout
    )
    assert [(r["id"], r["days_since"], r["overdue_days"], r["last_op"]) for r in stability["rows"]] == [
        (office.items["Q6"], 52, 4, "assign")
    ]
    table = run("reconcile", "--unit", SONGJIA, ledger=office.path).stdout
    assert table.startswith(
        "对账销号 宋家坝村（520602102201）全部台账 截至 2026-11-23：未销号 2 项，超期 2 项\n"
    )
    assert "2026-10-02 交办 测试管理员" in table
    target = tmp_path / "对账.xlsx"
    ok = run(
        "reconcile", "--ledger", "hardship", "--format", "xlsx", "--out", str(target), ledger=office.path
    )
    assert ok.exit_code == 0 and str(target) in ok.stderr
    sheet = load_workbook(target).active
    assert sheet["A1"].value == "对账销号 碧江区（520602）困难群众 截至 2026-11-23：未销号 2 项，超期 1 项"
    assert [cell.value for cell in sheet[2]][-3:] == ["最近办理", "距今天数", "处理意见"]
    assert [sheet.cell(row=r, column=2).value for r in (3, 4)] == [office.items["Q9"], office.items["Q8"]]
    assert sheet.page_setup.orientation == "landscape"
    refused(office.path, "reconcile", "--ledger", "money", contains="livelihood|hardship|stability")
    refused(office.path, "reconcile", "--unit", "520602999", contains="520602999")


# ---------------------------------------------------------------- cadre roster


def test_cadre_roster(office):
    data = json.loads(run("cadre", "roster", "--recalled", "--format", "json", ledger=office.path).stdout)
    assert (data["cadres"], data["recalled"], data["needs_reassignment"]) == (2, 2, 1)
    first = data["rows"][0]
    assert (first["id"], first["open_cases"], first["open_wishes"], first["needs_reassignment"]) == (
        office.cadres["V"],
        [office.items["Q4"], office.items["Q9"]],
        [office.items["Q9"]],
        True,
    )
    table = run("cadre", "roster", "--recalled", ledger=office.path)
    assert table.stdout.startswith("干部花名册：2 人，召回 2 人，需重新交办 1 人\n")
    assert "驻村考核不合格" in table.stdout and "（无职务） 8（召回 2）" in table.stderr
    everyone = json.loads(
        run("cadre", "roster", "--unit", BAHUANG, "--format", "json", ledger=office.path).stdout
    )
    assert [row["name"] for row in everyone["rows"]] == ["村干部戊"]
    refused(office.path, "cadre", "roster", "--unit", "9", contains="9")


# ---------------------------------------------------------------- duties


def test_duties_exit_1_with_findings(office):
    found = run("duties", ledger=office.path)
    assert found.exit_code == 1
    assert found.stdout.splitlines() == [
        f"activities/2026-11.yaml: {TAOYING}（桃映村）2026-11 开展活动 0 次：每月至少 2 次（五帮五扶）",
        f"activities/2026-11.yaml: {SONGJIA}（宋家坝村）2026-11 开展活动 1 次：每月至少 2 次（五帮五扶）",
        f"cadres/{office.cadres['C2']}.yaml: 县级领导 {office.cadres['C2']}（县领导己）2026-11 蹲点 0 次：每月至少 1 次",
        f"households/{BANLI}/{office.homes['H2']}.yaml: 结对户 {office.homes['H2']}（农户乙）2026Q4 谈心谈话 0 次："
        "每季度至少 1 次",
    ]
    assert found.stderr == "minqing: 4 项工作未达标（2026-11, 2026Q4）\n"
    data = json.loads(run("duties", "--only", "stays", "--json", ledger=office.path).stdout)
    assert (data["count"], data["minimums"]) == (1, {"stays": 1})
    assert data["findings"][0]["cadre"] == office.cadres["C2"]
    clean = run(
        "duties", "--only", "activities", "--activity-minimum", "1", "--month", "2026-11", ledger=office.path
    )
    assert clean.exit_code == 1 and len(clean.stdout.splitlines()) == 1  # 桃映村 still has none
    none = run("duties", "--only", "talks", "--quarter", "2026Q3", ledger=office.path)
    assert (none.exit_code, none.stdout, none.stderr) == (0, "", "各项工作均已达标（2026-11, 2026Q3）\n")
    en = run("--lang", "en", "duties", "--only", "activities", ledger=office.path)
    assert en.stdout.splitlines()[0] == (
        f"activities/2026-11.yaml: {TAOYING} (桃映村) held 0 activities in 2026-11; at least 2 a month are required (五帮五扶)"
    )
    refused(office.path, "duties", "--only", "visits", contains="activities|stays|talks")
    refused(office.path, "duties", "--month", "2026-12", contains="在将来")


def test_config_minimums_are_used(office_copy):
    config = office_copy.path / "minqing.yaml"
    text = config.read_text(encoding="utf-8").replace("activity_minimum: 2", "activity_minimum: 1")
    text = text.replace("talk_minimum: 1", "talk_minimum: 0")
    config.write_text(text, encoding="utf-8")
    data = json.loads(run("duties", "--json", ledger=office_copy.path).stdout)
    # (the replace above also sets cadre_talk_minimum to 0; a helping unit's minimum follows activity_minimum)
    assert data["minimums"] == {"activities": 1, "stays": 1, "talks": 0, "departments": 1, "cadre_talks": 0}
    assert [f["code"] for f in data["findings"]] == ["activity_minimum", "stay_missing"]


def test_check_activity_minimum(office):
    plain = run("check", ledger=office.path)
    assert plain.exit_code == 0, plain.output
    flagged = run("check", "--activity-minimum", "2", ledger=office.path)
    assert flagged.exit_code == 1
    assert flagged.stdout.splitlines() == [
        f"activities/2026-11.yaml: {TAOYING}（桃映村）2026-11 开展活动 0 次：每月至少 2 次（五帮五扶）",
        f"activities/2026-11.yaml: {SONGJIA}（宋家坝村）2026-11 开展活动 1 次：每月至少 2 次（五帮五扶）",
    ]
    data = json.loads(
        run("check", "--activity-minimum", "1", "--month", "2026-10", "--json", ledger=office.path).stdout
    )
    assert data["count"] == 3 and {f["code"] for f in data["findings"]} == {"activity_minimum"}
    assert run("check", "--month", "2026-11", ledger=office.path).exit_code == 1  # the config's minimum, 2
    refused(office.path, "check", "--activity-minimum", "two", contains="--activity-minimum")


def test_activity_add_prompts_at_a_terminal(sample):
    from test_prompts import _converse

    code, screen = _converse(
        sample.path,
        ["activity", "add", "--participants", "20"],
        ["lecture", "999", "520602101201", "政策宣讲"],
    )
    assert code == 0, screen
    assert screen.count("单位代码 (--unit)") == 2  # the unknown unit is reported, then asked again
    text = (sample.path / "activities/2026-11.yaml").read_text(encoding="utf-8")
    assert "kind: lecture, unit: '520602101201', title: 政策宣讲, participants: 20" in text
