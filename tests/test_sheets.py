"""ledgers/sheets.py without the CLI: reading sheets, parsing cells, planning imports, the history every import writes."""

from __future__ import annotations

import datetime as dt
import subprocess
import time

import pytest
from sheets_fixture import (
    build_office,
    commit_count,
    copy_office,
    head,
    id_number,
    write_csv,
    write_xlsx,
)

from minqing.ledgers.core import fields as F
from minqing.ledgers.core.errors import BadInput
from minqing.ledgers.core.kinds import KINDS
from minqing.ledgers.core.model import item_to_dict
from minqing.ledgers.ops import sheets


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_office(tmp_path_factory.mktemp("sheets") / "office")


@pytest.fixture
def office(base, tmp_path):
    return copy_office(base, tmp_path / "office")


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-03", "2026-11-03"),
        ("2026/11/3", "2026-11-03"),
        ("2026.11.03", "2026-11-03"),
        ("2026年11月3日", "2026-11-03"),
        ("20261103", "2026-11-03"),
        ("２０２６－１１－０３", "2026-11-03"),
    ],
)
def test_dates_as_chinese_sheets_write_them(text, expected):
    assert sheets.parse_date(text, "走访日期") == expected


@pytest.mark.parametrize("text", ["2026-02-30", "下周", "11/3/2026", "2026-13-01"])
def test_bad_dates_name_the_column_and_the_value(text):
    with pytest.raises(BadInput) as caught:
        sheets.parse_date(text, "走访日期")
    assert caught.value.key == "bad_date"
    assert caught.value.params == {"field": "走访日期", "value": text}


@pytest.mark.parametrize(
    "text, values, expected",
    [
        ("贫困户", sheets.HOUSEHOLD_STATUS, "poor"),
        ("建档立卡户", sheets.HOUSEHOLD_STATUS, "poor"),
        ("脱贫户", sheets.HOUSEHOLD_STATUS, "lifted"),
        ("已脱贫", sheets.HOUSEHOLD_STATUS, "lifted"),
        ("监测对象", sheets.HOUSEHOLD_STATUS, "monitored"),
        ("边缘易致贫户", sheets.HOUSEHOLD_STATUS, "monitored"),
        ("脱贫不稳定户", sheets.HOUSEHOLD_STATUS, "monitored"),
        ("突发严重困难户", sheets.HOUSEHOLD_STATUS, "monitored"),
        ("一般户", sheets.HOUSEHOLD_STATUS, "general"),
        ("monitored", sheets.HOUSEHOLD_STATUS, "monitored"),
        ("住房安全", sheets.CATEGORIES, "housing"),
        ("Income/Employment", sheets.CATEGORIES, "income"),
        ("基本满意", sheets.FEEDBACK, "basic"),
        ("县（区）", sheets.LEVELS, "county"),
        ("乡镇级", sheets.LEVELS, "township"),
        ("村干部", sheets.ROLES, "village"),
        ("已销号", sheets.STATES, "closed"),
    ],
)
def test_enum_cells_take_codes_labels_and_synonyms(text, values, expected):
    assert sheets.parse_enum(text, "列", values) == expected


def test_unknown_enum_lists_labels_and_codes():
    with pytest.raises(BadInput) as caught:
        sheets.parse_enum("什么户", "户类别", sheets.HOUSEHOLD_STATUS)
    assert caught.value.render("zh") == (
        "户类别 的值“什么户”无效：应为 贫困户、脱贫户、监测户、一般户 / poor|lifted|monitored|general"
    )


# ---------------------------------------------------------------- reading files


def test_csv_encodings_are_detected(tmp_path):
    rows = [["户主姓名", "村"], ["张三", "板栗园村"]]
    for encoding in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        path = write_csv(tmp_path / f"{encoding}.csv", rows, encoding)
        table = sheets.read_table(path)
        assert table.rows == [(1, ["户主姓名", "村"]), (2, ["张三", "板栗园村"])], encoding


def test_csv_with_a_wrong_encoding_option_is_refused(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [["户主姓名"], ["张三"]], "gbk")
    with pytest.raises(BadInput) as caught:
        sheets.read_table(path, encoding="utf-8")
    assert caught.value.key == "bad_encoding"
    assert caught.value.params == {"path": "gbk.csv", "encoding": "utf-8", "line": 1}


def test_xlsx_keeps_sheet_row_numbers_and_marks_rounded_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["户主姓名", "身份证号", "走访日期"],
            ["张三", 520602198001011234, dt.date(2026, 11, 3)],
        ],
        title="和平乡农户台账",
    )
    table = sheets.read_table(path)
    assert table.rows[0] == (1, ["和平乡农户台账", "", ""])
    assert table.rows[1] == (3, ["户主姓名", "身份证号", "走访日期"])
    number, cells = table.rows[2]
    assert (number, cells[0], cells[2]) == (4, "张三", "2026-11-03")
    assert table.lossy == frozenset({(4, 1)})


def test_xlsx_sheet_by_name_and_unknown_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", [["户主姓名", "村"], ["张三", "板栗园村"]], sheet="农户", extra_sheet="说明"
    )
    assert sheets.read_table(path, sheet="农户").rows[-1] == (2, ["张三", "板栗园村"])
    assert sheets.read_table(path).rows[0] == (1, ["说明", "本表为填表说明"])
    with pytest.raises(BadInput) as caught:
        sheets.read_table(path, sheet="台账")
    assert caught.value.params == {"path": "t.xlsx", "sheet": "台账", "sheets": "说明、农户"}


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(BadInput) as caught:
        sheets.read_table(tmp_path / "old.xls")
    assert caught.value.key == "bad_value"
    with pytest.raises(BadInput) as caught:
        sheets.read_table(tmp_path / "none.csv")
    assert caught.value.key == "sheet_unreadable"


def test_map_file_overrides_and_ignores_columns(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("户主: head\n行政村: village\n编号: null\n", encoding="utf-8")
    assert sheets.load_mapping(path, "households") == {"户主": "head", "行政村": "village", "编号": None}
    path.write_text("户主: householder\n", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        sheets.load_mapping(path, "households")
    assert caught.value.params["field"] == "--map 户主"
    assert caught.value.params["value"] == "householder"


# ---------------------------------------------------------------- planning and writing


def _import(office, rows, kind, name="sheet.csv", **options):
    path = write_csv(office.path.parent / name, rows)
    return sheets.import_sheet(office.ledger(), None, path, kind, **options)


def test_households_become_one_commit_whose_files_replay(office):
    before = commit_count(office.path)
    result = _import(
        office,
        [
            [
                "序号",
                "乡镇",
                "村",
                "组",
                "户主姓名",
                "身份证号",
                "联系电话",
                "家庭人口",
                "户类别",
                "风险指标",
                "结对干部",
            ],
            [
                "1",
                "和平乡",
                "板栗园村",
                "二组",
                "王五",
                id_number(11),
                "13912345678",
                "5人",
                "贫困户",
                "住房、饮水",
                "王芳",
            ],
            ["2", "坝黄镇", "桃映村", "", "赵六", "", "", "", "", "", ""],
        ],
        "households",
    )
    assert commit_count(office.path) == before + 1
    assert len(result.created) == 2 and result.unchanged == 0 and result.rows == 2
    led = office.ledger()
    first, second = (led.household(entry) for entry in result.created)
    assert (first.head, first.village, first.group, first.members, first.status) == (
        "王五",
        "520602101201",
        "52060210120102",
        5,
        "poor",
    )
    assert first.id_number == "520***********" + id_number(11)[-4:]
    assert first.phone == "139****5678" and first.id_hash and first.phone_hash
    assert first.indicators == {
        "food": "ok",
        "clothing": "ok",
        "education": "ok",
        "medical": "ok",
        "housing": "risk",
        "water": "risk",
    }
    assert first.pairings == (office.wang_banli,)
    assert [entry.op for entry in first.history] == ["create", "set", "pair"]
    assert (second.village, second.members, second.status) == ("520602102202", 1, "general")
    # The snapshot is exactly the replay of the history, as check and audit require.
    assert KINDS["household"].replay(first.history).to_dict() == first.to_dict()
    cadre = led.cadre(office.wang_banli)
    assert cadre.pairings == tuple(sorted((office.homes["张三"], first.id)))
    assert KINDS["cadre"].replay(cadre.history).to_dict() == cadre.to_dict()
    message = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>%n%B"], cwd=office.path, capture_output=True, text=True
    ).stdout
    assert message.splitlines()[:2] == [
        f"区管理员 <{office.admin}@minqing.invalid>",
        "导入农户 2 户（sheet.csv）",
    ]
    assert f"Ledger-Op: import.households\nLedger-Entry: {first.id}\nLedger-Entry: {second.id}\n" in message
    assert f"Ledger-Entry: {office.wang_banli}\nLedger-Actor: {office.admin}" in message
    assert all(
        entry.by == office.admin and entry.at == "2026-11-23T10:00:00+08:00" for entry in first.history
    )


def test_full_id_numbers_never_reach_the_repo(office):
    number = id_number(12)
    _import(office, [["村", "户主姓名", "身份证号"], ["板栗园村", "钱七", number]], "households")
    log = subprocess.run(
        ["git", "log", "-p", "--all"], cwd=office.path, capture_output=True, text=True
    ).stdout
    assert number not in log and number[:17] not in log


def _rejected(office, rows, kind, **options) -> list[str]:
    before = (head(office.path), commit_count(office.path))
    with pytest.raises(sheets.ImportRejected) as caught:
        _import(office, rows, kind, **options)
    assert (head(office.path), commit_count(office.path)) == before
    status = subprocess.run(["git", "status", "--porcelain"], cwd=office.path, capture_output=True, text=True)
    assert status.stdout == ""
    return [finding.render("zh") for finding in caught.value.findings]


def test_names_resolve_and_ambiguous_names_list_candidates(office):
    problems = _rejected(
        office,
        [
            ["村", "户主姓名", "结对干部"],
            ["桃映村", "甲", ""],
            ["板栗园村", "乙", "王芳"],
            ["宋家坝村", "丙", "王芳（C-0000ZZ）"],
            ["宋家坝村", "丁", "李明"],
        ],
        "households",
    )
    assert problems == [
        "sheet.csv:2:村: “桃映村”匹配多个村：和平乡 桃映村（520602101202）、坝黄镇 桃映村（520602102202）",
        "sheet.csv:4:结对干部: 没有与“王芳（C-0000ZZ）”匹配的干部",
    ]


def test_ambiguous_cadre_outside_both_units_lists_both(office):
    problems = _rejected(office, [["村", "户主姓名", "结对干部"], ["和平乡", "甲", "王芳"]], "households")
    assert problems[0] == "sheet.csv:2:村: 没有与“和平乡”匹配的村"
    problems = _rejected(
        office, [["乡镇", "村", "户主姓名", "结对干部"], ["和平乡", "桃映村", "甲", "王芳"]], "households"
    )
    assert problems == [
        f"sheet.csv:2:结对干部: “王芳”匹配多个干部：王芳（{min(office.wang_banli, office.wang_songjia)}，"
        + ("板栗园村" if office.wang_banli < office.wang_songjia else "宋家坝村")
        + f"）、王芳（{max(office.wang_banli, office.wang_songjia)}，"
        + ("宋家坝村" if office.wang_banli < office.wang_songjia else "板栗园村")
        + "）"
    ]


def test_every_bad_row_is_reported_at_once_and_nothing_is_written(office):
    good = id_number(21)
    bad = id_number(22)[:-1] + ("9" if id_number(22)[-1] != "9" else "8")
    problems = _rejected(
        office,
        [
            ["序号", "乡镇", "村", "户主姓名", "身份证号", "家庭人口", "户类别"],
            [
                "1",
                "和平乡",
                "板栗园村",
                "周一",
                bad,
                "3",
                "脱贫户",
            ],
            ["2", "和平乡", "不存在村", "周二", "", "2", "一般户"],
            ["3", "和平乡", "板栗园村", "周三", good, "abc", "什么户"],
            ["4", "和平乡", "板栗园村", "周三", "", "1", ""],
            ["5", "和平乡", "桃映村", "周四", good, "1", ""],
            ["6", "和平乡", "板栗园村", "张三", "", "1", ""],
            ["7", "和平乡", "板栗园村", "", "", "", ""],
        ],
        "households",
    )
    assert problems == [
        f"sheet.csv:2:身份证号: 身份证号“520***********{bad[-4:]}”无效（校验码不符）："
        "应为 18 位且校验码正确（GB 11643）",
        "sheet.csv:3:村: 没有与“不存在村”匹配的村",
        "sheet.csv:4:家庭人口: 家庭人口 的值“abc”无效：应为 1–50 的整数",
        "sheet.csv:4:户类别: 户类别 的值“什么户”无效：应为 贫困户、脱贫户、监测户、一般户 / poor|lifted|monitored|general",
        "sheet.csv:5:户主姓名: 与第 4 行重复（板栗园村 周三）：同一条只能导入一次",
        f"sheet.csv:6:身份证号: 与第 4 行重复（520***********{good[-4:]}）：同一条只能导入一次",
        f"sheet.csv:7:户主姓名: 户主姓名“张三”已登记为 {office.homes['张三']}",
        "sheet.csv:8:户主姓名: 缺少必填项 户主姓名：应为 该单元格的值",
    ]


def test_missing_columns_are_reported_once_with_the_row_problems(office):
    problems = _rejected(
        office, [["乡镇", "身份证号", "家庭人口"], ["和平乡", id_number(30), "99"]], "households"
    )
    assert problems == [
        "sheet.csv:1:村: 缺少列“村”：表头应有 村、village、村（社区）、行政村、村名 之一",
        "sheet.csv:1:户主姓名: 缺少列“户主姓名”：表头应有 户主姓名、head、户主、户主名、姓名 之一",
        "sheet.csv:2:家庭人口: 家庭人口 的值“99”无效：应为 1–50 的整数",
    ]


def test_no_header_row(office):
    with pytest.raises(BadInput) as caught:
        _import(office, [["甲", "乙"], ["1", "2"]], "households")
    assert caught.value.key == "no_header"


def test_header_below_a_title_and_english_headers(office):
    path = write_xlsx(
        office.path.parent / "en.xlsx",
        [["no.", "Village", "Head", "Members", "Status"], [1, "板栗园村", "吴八", 2, "lifted"]],
        title="Households",
    )
    result = sheets.import_sheet(office.ledger(), None, path, "households")
    home = office.ledger().household(result.created[0])
    assert (home.head, home.members, home.status) == ("吴八", 2, "lifted")


def test_number_cells_for_id_numbers_are_refused(office):
    path = write_xlsx(
        office.path.parent / "n.xlsx",
        [["村", "户主姓名", "身份证号"], ["板栗园村", "吴九", 520602198001011234]],
    )
    with pytest.raises(sheets.ImportRejected) as caught:
        sheets.import_sheet(office.ledger(), None, path, "households")
    assert [f.render("en") for f in caught.value.findings] == [
        "n.xlsx:2:身份证号: 身份证号 is a number cell and Excel keeps only 15 digits, so the number is damaged; "
        "accepted: the column formatted as text and re-entered"
    ]


def test_dry_run_writes_nothing(office):
    before = head(office.path)
    result = _import(office, [["村", "户主姓名"], ["板栗园村", "吴十"]], "households", dry_run=True)
    assert result.dry_run and result.commit is None and len(result.created) == 1
    assert head(office.path) == before
    assert not list((office.path / "households" / "520602101201").glob(f"{result.created[0]}.yaml"))


def test_cadres_with_roles_titles_and_a_recall(office):
    result = _import(
        office,
        [
            ["姓名", "单位", "角色", "职务", "联系电话", "状态", "召回原因"],
            ["周明", "和平乡", "乡镇领导", "包村领导", "13700001111", "", ""],
            ["吴芳", "板栗园村（520602101201）", "村干部", "第一书记", "", "在岗", ""],
            ["郑强", "520602101202", "village", "驻村队长", "", "已召回", "驻村考核不合格"],
        ],
        "cadres",
    )
    led = office.ledger()
    made = [led.cadre(entry) for entry in result.created]
    assert [(c.name, c.unit, c.role, c.title, c.status) for c in made] == [
        ("周明", "520602101", "township_leader", "包村领导", "active"),
        ("吴芳", "520602101201", "village", "第一书记", "active"),
        ("郑强", "520602101202", "village", "驻村队长", "recalled"),
    ]
    assert [e.op for e in made[2].history] == ["create", "recall"]
    assert made[2].recall_reason == "驻村考核不合格" and made[0].phone == "137****1111"


def test_a_clerk_may_not_import_cadres(office, monkeypatch):
    monkeypatch.setenv("MINQING_USER", office.clerk)
    problems = _rejected(office, [["姓名", "单位", "角色"], ["周明", "和平乡", "村干部"]], "cadres")
    assert problems == [
        f"sheet.csv:2:姓名: {office.clerk}（录入员）无权执行“cadre.add”：允许的角色为 admin, county_leader, township_leader"
    ]


def test_visits_resolve_households_and_visitors(office):
    result = _import(
        office,
        [
            ["走访日期", "乡镇", "村", "户主姓名", "走访人", "走访情况", "走访类型"],
            ["2026/11/21", "和平乡", "板栗园村", "曾国强", "李明、王芳", "了解就医情况", ""],
            ["2026年11月22日", "和平乡", "桃映村", "单田芳", "李明", "", "谈心谈话"],
            ["2026-11-22", "和平乡", "桃映村", "", "赵强", "", "蹲点"],
        ],
        "visits",
    )
    from minqing.ledgers.read.visits import iter_visits

    made = {v.id: v for v in iter_visits(office.ledger()) if v.id in result.created}
    rows = [(v.date, v.kind, v.household, v.unit, v.by, v.note) for v in (made[i] for i in result.created)]
    assert rows == [
        (
            "2026-11-21",
            "visit",
            office.homes["曾国强"],
            "520602101201",
            (office.leader, office.wang_banli),
            "了解就医情况",
        ),
        ("2026-11-22", "talk", office.homes["单田芳"], "520602101202", (office.leader,), None),
        ("2026-11-22", "stay", None, "520602101202", (office.county,), None),
    ]
    # The import's one commit names every visitor (issue 17), so `git log --grep` finds the visits for each.
    trailers = subprocess.run(
        [
            "git",
            "log",
            "-1",
            "--format=%(trailers:key=Ledger-Visitor,valueonly,separator=%x20)",
            result.commit,
        ],
        cwd=office.path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert trailers == [office.leader, office.wang_banli, office.county]


def test_visits_refuse_future_dates_recalled_visitors_and_repeats(office):
    problems = _rejected(
        office,
        [
            ["走访日期", "村", "户主姓名", "走访人"],
            ["2026-12-01", "板栗园村", "张三", "李明"],
            ["2026-11-21", "520602101202", "单田芳", "孙丽"],
            ["2026-11-20", "板栗园村", "张三", "李明、王芳"],
            ["2026-11-21", "板栗园村", "曾国强", "李明"],
            ["2026-11-21", "板栗园村", "曾国强", "李明"],
        ],
        "visits",
    )
    from minqing.ledgers.read.visits import iter_visits

    visit_id = next(v.id for v in iter_visits(office.ledger()))
    recalled = office.recalled
    assert problems == [
        "sheet.csv:2:走访日期: 走访日期 的日期“2026-12-01”在将来：最晚为 2026-11-23",
        f"sheet.csv:3:走访人: 操作人 {recalled}（孙丽）已被召回，不能操作台账",
        f"sheet.csv:4:走访日期: 走访日期“2026-11-20”已登记为 {visit_id}",
        "sheet.csv:6:走访日期: 与第 5 行重复（2026-11-21 曾国强）：同一条只能导入一次",
    ]


ISSUE_HEADER = [
    "序号",
    "乡镇",
    "村",
    "组",
    "户主姓名",
    "事项种类",
    "问题类型",
    "问题描述",
    "责任领导",
    "责任单位",
    "整改时限",
    "整改措施",
    "整改进展",
    "是否销号",
    "群众满意度",
    "走访日期",
    "走访人",
    "层级",
]


def test_item_rows_become_their_whole_workflow(office):
    result = _import(
        office,
        [
            ISSUE_HEADER,
            [
                "1",
                "和平乡",
                "板栗园村",
                "",
                "曾国强",
                "",
                "医疗",
                "慢病报销不清楚",
                "李明",
                "乡卫生院",
                "2026-12-01",
                "上门讲解",
                "已联系卫生院",
                "否",
                "",
                "2026-11-21",
                "李明、王芳",
                "",
            ],
            [
                "2",
                "和平乡",
                "板栗园村",
                "",
                "曾国强",
                "",
                "饮水",
                "水管冻裂",
                "李明",
                "乡水利站",
                "2026-11-30",
                "更换水管",
                "已更换",
                "是",
                "满意",
                "2026-11-21",
                "李明、王芳",
                "",
            ],
            [
                "3",
                "和平乡",
                "桃映村",
                "",
                "单田芳",
                "",
                "政策咨询",
                "咨询低保条件",
                "",
                "",
                "",
                "",
                "已现场解释",
                "是",
                "基本满意",
                "",
                "",
                "",
            ],
            [
                "4",
                "和平乡",
                "桃映村",
                "",
                "",
                "",
                "基础设施",
                "组组通公路未硬化",
                "赵强",
                "县交通局",
                "2027-03-01",
                "",
                "",
                "",
                "",
                "",
                "",
                "县级",
            ],
            [
                "5",
                "和平乡",
                "桃映村",
                "",
                "",
                "信访",
                "其他",
                "土地边界纠纷",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "6",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "微心愿",
                "教育",
                "想要一个书包",
                "",
                "",
                "",
                "",
                "",
                "是",
                "满意",
                "",
                "",
                "",
            ],
            [
                "7",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "",
                "收入就业",
                "希望介绍务工岗位",
                "李明",
                "",
                "2026-12-20",
                "",
                "",
                "",
                "不满意",
                "",
                "",
                "",
            ],
        ],
        "issues",
    )
    led = office.ledger()
    items = [led.item(entry) for entry in result.created if entry.startswith("Q-")]
    ops = [[e.op for e in item.history] for item in items]
    assert ops == [
        ["create", "assign", "progress"],
        ["create", "assign", "progress", "resolve", "feedback", "close"],
        ["create", "resolve", "feedback", "close"],
        ["create", "escalate", "assign"],
        ["create"],
        ["create", "resolve", "feedback", "close"],
        ["create", "assign", "resolve", "feedback"],
    ]
    states = [(i.state, i.level, i.leader, i.due, i.feedback) for i in items]
    assert states == [
        ("in_progress", "village", office.leader, "2026-12-01", None),
        ("closed", "village", office.leader, "2026-11-30", "satisfied"),
        ("closed", "village", None, None, "basic"),
        ("assigned", "county", office.county, "2027-03-01", None),
        ("registered", "village", None, "2027-01-22", None),
        ("closed", "village", None, None, "satisfied"),
        ("in_progress", "village", office.leader, "2026-12-20", "unsatisfied"),
    ]
    assert items[2].resolution == {"how": "solved", "note": "已现场解释", "date": "2026-11-23"}
    closed = led.item(items[2].id)
    assert [e.fields for e in closed.history[1:]] == [
        {"how": "solved", "note": "已现场解释", "date": "2026-11-23"},
        {"result": "basic"},
        {"date": "2026-11-23"},
    ]
    assert items[4].kind == "petition" and items[4].assign_by == "2026-11-24"
    assert items[5].kind == "wish" and items[5].history[1].fields["how"] == "fulfilled"
    # Rows 1 and 2 were raised in one visit: one visit record lists both, and both items point at it.
    visit_id = items[0].visit
    assert visit_id and items[1].visit == visit_id and items[0].source_kind == "visit"
    from minqing.ledgers.read.visits import iter_visits

    visit = next(v for v in iter_visits(led) if v.id == visit_id)
    assert (visit.date, visit.by, visit.items) == (
        "2026-11-21",
        (office.leader, office.wang_banli),
        (items[0].id, items[1].id),
    )
    for item in items:
        assert item_to_dict(KINDS["item"].replay(item.history)) == item_to_dict(item)


def test_items_raised_in_a_visit_already_on_the_ledger_link_to_it(office):
    led = office.ledger()
    from minqing.ledgers.read.visits import iter_visits

    existing = iter_visits(led)[0]
    result = _import(
        office,
        [
            ISSUE_HEADER,
            [
                "1",
                "和平乡",
                "板栗园村",
                "一组",
                "张三",
                "",
                "饮水",
                "水窖需要清淤",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "2026-11-20",
                "王芳、李明",
                "",
            ],
        ],
        "issues",
    )
    assert result.created == (result.created[0],)
    item = office.ledger().item(result.created[0])
    assert item.visit == existing.id and item.source_kind == "visit" and item.created == "2026-11-20"


def test_item_rows_that_contradict_the_workflow(office, monkeypatch):
    problems = _rejected(
        office,
        [
            ISSUE_HEADER + ["状态"],
            [
                "1",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "",
                "住房",
                "甲",
                "",
                "",
                "",
                "危房改造",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "2",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "",
                "住房",
                "乙",
                "李明",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "3",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "",
                "住房",
                "丙",
                "",
                "",
                "",
                "",
                "",
                "是",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "4",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "",
                "住房",
                "丁",
                "",
                "",
                "",
                "",
                "",
                "是",
                "满意",
                "",
                "",
                "",
                "办理中",
            ],
            [
                "5",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "",
                "住房",
                "戊",
                "李明",
                "",
                "2026-11-01",
                "",
                "",
                "",
                "",
                "2026-11-20",
                "",
                "",
                "",
            ],
            [
                "6",
                "和平乡",
                "板栗园村",
                "",
                "张三",
                "",
                "住房",
                "屋顶漏雨",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "7",
                "和平乡",
                "板栗园村",
                "",
                "",
                "",
                "住房",
                "己",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "王芳",
                "",
                "",
            ],
        ],
        "issues",
    )
    item = next(i for i in office.ledger().iter_items() if i.desc == "屋顶漏雨")
    assert problems == [
        "sheet.csv:2:整改措施: 填了 整改措施 就必须同时填 责任领导",
        "sheet.csv:3:责任领导: 填了 责任领导 就必须同时填 整改时限",
        problems[2],
        "sheet.csv:5:是否销号: 是否销号“是”与 状态“办理中”矛盾：两者应一致",
        "sheet.csv:6:整改时限: 整改时限“2026-11-01”早于 2026-11-20：应晚于 2026-11-20",
        f"sheet.csv:7:问题描述: 问题描述“屋顶漏雨”已登记为 {item.id}",
        "sheet.csv:8:走访人: 填了 走访人 就必须同时填 户主姓名",
    ]
    assert problems[2].startswith("sheet.csv:4:群众满意度: ") and "不能销号" in problems[2]


def test_a_clerk_may_not_import_closed_items(office, monkeypatch):
    monkeypatch.setenv("MINQING_USER", office.clerk)
    problems = _rejected(
        office,
        [
            ISSUE_HEADER,
            ["1", "和平乡", "桃映村", "", "", "", "其他", "甲", "", "", "", "", "", "是", "满意", "", "", ""],
        ],
        "issues",
    )
    assert problems == [
        f"sheet.csv:2:群众满意度: {office.clerk}（录入员）无权对村级事项销号：允许的角色为 village, township_leader, county_leader, admin"
    ]


def test_planning_again_when_the_ledger_moved(office, monkeypatch):
    """Another writer committing between the check and the lock: the import re-plans against the new HEAD."""
    from minqing.ledgers.ops import register

    path = write_csv(office.path.parent / "h.csv", [["村", "户主姓名"], ["板栗园村", "吴一"]])
    real_plan = sheets.plan_import
    calls = []

    def plan_then_race(*args, **kwargs):
        plan = real_plan(*args, **kwargs)
        if not calls:
            register.add_household(args[0], None, head="吴一", village="520602101201")
        calls.append(plan)
        return plan

    monkeypatch.setattr(sheets, "plan_import", plan_then_race)
    with pytest.raises(sheets.ImportRejected) as caught:
        sheets.import_sheet(office.ledger(), None, path, "households")
    assert len(calls) == 1  # the second plan raised: 吴一 is on the ledger now
    assert caught.value.findings[0].error.key == "duplicate"


def test_ten_thousand_households_in_one_commit(office, capsys):
    rows = [["序号", "乡镇", "村", "户主姓名", "身份证号", "联系电话", "家庭人口", "户类别"]]
    statuses = ["贫困户", "一般户", "监测户", "脱贫户"]
    for n in range(10_000):
        birth = f"{1950 + n % 50}{n % 12 + 1:02d}{n % 28 + 1:02d}"
        rows.append(
            [
                str(n + 1),
                "和平乡",
                ("板栗园村", "桃映村")[n % 2],
                f"户{n}",
                id_number(n, birth),
                f"139{n:08d}",
                str(1 + n % 6),
                statuses[n % 4],
            ]
        )
    path = write_csv(office.path.parent / "big.csv", rows)
    before = commit_count(office.path)
    started = time.monotonic()
    result = sheets.import_sheet(office.ledger(), None, path, "households")
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\n[benchmark] import of 10,000 households: {elapsed:.1f} s")
    assert len(result.created) == 10_000 and commit_count(office.path) == before + 1
    files = list((office.path / "households").rglob("H-*.yaml"))
    assert len(files) == 10_000 + 4
    changed = subprocess.run(
        ["git", "show", "--name-only", "--format=", "HEAD"], cwd=office.path, capture_output=True, text=True
    ).stdout.split()
    assert len(changed) == 10_000
    sample = office.ledger().household(result.created[-1])
    assert (sample.head, sample.status, sample.members) == ("户9999", "lifted", 4)
    assert F.today().isoformat() == "2026-11-23"


def test_an_imported_household_is_written_as_household_add_writes_it(office):
    """Same create fields in the same order: import and `household add` must not drift apart."""
    from minqing.ledgers.core import yamlio
    from minqing.ledgers.ops import register

    result = _import(
        office,
        [
            ["村", "组", "户主姓名", "身份证号", "联系电话", "家庭人口", "户类别", "登记编号"],
            ["板栗园村", "一组", "冯一", id_number(81), "13912340001", "4", "监测户", "BL-001"],
        ],
        "households",
    )
    led = office.ledger()
    imported = led.household(result.created[0])
    added = register.add_household(
        led,
        None,
        head="冯二",
        village="520602101201",
        group="52060210120101",
        members=4,
        status="monitored",
        id_number=id_number(82),
        phone="13912340002",
        register_no="BL-001",
        at="2026-11-23T10:00:00+08:00",
    )

    def shape(home):
        data = yamlio.load((office.path / f"households/520602101201/{home.id}.yaml").read_text("utf-8"))
        entry = data["history"][0]
        return list(data), list(entry), list(entry["fields"])

    assert shape(imported) == shape(added)
