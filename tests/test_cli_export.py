"""`minqing export`, and the round trip the issue asks for: export → edit nothing → import changes nothing.

Decision (docs/decisions/sheets.md): the no-op is importing an unchanged export into the SAME ledger. Rows carry
their 编号 and are compared with the ledger; into another ledger those ids are unknown (and ID numbers are masked),
so that is refused with a one-line reason per row rather than silently creating copies.
"""

from __future__ import annotations

import json

import pytest
from conftest import run, snapshot
from sheets_fixture import (
    build_office,
    copy_office,
    id_number,
    read_csv,
    read_xlsx,
    write_csv,
)

from minqing.ledgers.ops import sheets

KINDS = ("households", "cadres", "visits", "issues")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_office(tmp_path_factory.mktemp("cli_export") / "office")


@pytest.fixture
def office(base, tmp_path):
    return copy_office(base, tmp_path / "office")


def _export(office, tmp_path, kind, fmt, encoding=None, lang="zh", *more):
    out = tmp_path / f"{kind}-{lang}-{encoding or 'default'}.{fmt}"
    args = ["--lang", lang, "export", "--kind", kind, "--format", fmt, "--out", str(out), *more]
    if encoding:
        args += ["--encoding", encoding]
    result = run(*args, ledger=office.path)
    assert result.exit_code == 0, result.output
    return out, result


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "fmt, encoding, lang",
    [("xlsx", None, "zh"), ("csv", None, "zh"), ("csv", "gbk", "zh"), ("csv", "utf-8-sig", "en")],
)
def test_export_then_import_changes_nothing(office, tmp_path, kind, fmt, encoding, lang):
    out, _ = _export(office, tmp_path, kind, fmt, encoding, lang)
    before = snapshot(office.path)
    result = run("import", str(out), "--kind", kind, ledger=office.path)
    assert result.exit_code == 0, result.output
    rows = {"households": 4, "cadres": 7, "visits": 1, "issues": 2}[kind]
    assert result.stdout == f"没有新内容：{rows} 行都与台账一致，未提交\n"
    assert snapshot(office.path) == before


def test_csv_bytes_are_what_excel_opens(office, tmp_path):
    utf8, _ = _export(office, tmp_path, "households", "csv")
    assert utf8.read_bytes().startswith("\ufeff序号,编号,乡镇".encode())
    gbk, _ = _export(office, tmp_path, "households", "csv", "gbk")
    assert gbk.read_bytes().startswith("序号,编号,乡镇".encode("gbk"))
    assert read_csv(gbk, "gbk") == read_csv(utf8)


def test_household_sheet_content_and_masking(office, tmp_path):
    out, result = _export(office, tmp_path, "households", "xlsx")
    assert result.stderr == f"已导出 4 条到 {out}\n"
    rows = read_xlsx(out)
    assert rows[0] == [
        "序号",
        "编号",
        "乡镇",
        "村",
        "组",
        "户主姓名",
        "身份证号",
        "联系电话",
        "家庭人口",
        "户类别",
        "登记编号",
        "风险指标",
        "结对干部",
    ]
    zhang = next(row for row in rows if row[5] == "张三")
    assert zhang == [
        zhang[0],
        office.homes["张三"],
        "和平乡",
        "板栗园村",
        "一组",
        "张三",
        "520***********" + id_number(1)[-4:],
        "139****0001",
        "3",
        "贫困户",
        "",
        "",
        "王芳（" + office.wang_banli + "）",
    ]
    # Full ID numbers and phones never leave the ledger (they are not in it).
    text = out.read_bytes()
    for serial in (1, 2, 3, 4):
        assert id_number(serial).encode() not in text
        assert f"1390000{serial:04d}".encode() not in text


def test_item_sheet_content(office, tmp_path):
    out, _ = _export(office, tmp_path, "issues", "csv")
    rows = read_csv(out)
    assert rows[0][:12] == [
        "序号",
        "编号",
        "乡镇",
        "村",
        "组",
        "户主姓名",
        "事项种类",
        "台账",
        "问题类型",
        "问题描述",
        "来源",
        "登记日期",
    ]
    header = rows[0]
    roof = dict(zip(header, next(row for row in rows if "屋顶漏雨" in row), strict=True))
    assert {
        key: roof[key]
        for key in (
            "村",
            "组",
            "户主姓名",
            "问题类型",
            "走访日期",
            "走访人",
            "责任领导",
            "整改时限",
            "整改进展",
            "是否销号",
            "状态",
        )
    } == {
        "村": "板栗园村",
        "组": "一组",
        "户主姓名": "张三",
        "问题类型": "住房",
        "走访日期": "2026-11-20",
        "走访人": f"李明、王芳（{office.wang_banli}）",
        "责任领导": "李明",
        "整改时限": "2026-12-10",
        "整改进展": "已申请资金",
        "是否销号": "否",
        "状态": "办理中",
    }
    road = dict(zip(header, next(row for row in rows if "村道路灯损坏" in row), strict=True))
    assert (
        road["村"],
        road["户主姓名"],
        road["办结方式"],
        road["群众满意度"],
        road["是否销号"],
        road["状态"],
    ) == ("桃映村", "", "已解决", "满意", "是", "已销号")


def test_english_headers_and_labels(office, tmp_path):
    out, _ = _export(office, tmp_path, "cadres", "csv", None, "en")
    rows = read_csv(out)
    assert rows[0] == ["no.", "id", "name", "unit", "role", "title", "phone", "status", "recall reason"]
    sun = next(row for row in rows if row[2] == "孙丽")
    assert sun[3:] == ["桃映村（520602101202）", "village", "", "", "recalled", "考核不合格"]


def test_filters_and_json(office, tmp_path):
    result = run("export", "--kind", "issues", "--state", "open", "--format", "json", ledger=office.path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(d["desc"], d["state"], d["village"], d["leader"]) for d in data] == [
        ("屋顶漏雨", "in_progress", "520602101201", office.leader)
    ]
    assert set(data[0]) == {column.field for column in sheets.COLUMNS["issues"] if column.field != "seq"}
    result = run(
        "export", "--kind", "households", "--unit", "520602101", "--state", "poor", ledger=office.path
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and ",张三," in lines[1]
    result = run("export", "--kind", "cadres", "--state", "recalled", "--format", "json", ledger=office.path)
    assert [c["name"] for c in json.loads(result.stdout)] == ["孙丽"]


def test_export_refusals(office, tmp_path):
    result = run("export", "--kind", "issues", "--format", "xlsx", ledger=office.path)
    assert (result.exit_code, result.stderr) == (
        2,
        "minqing: 缺少必填项 --out：应为 --format xlsx 须配 --out 文件路径（.xlsx）\n",
    )
    result = run("export", "--kind", "issues", "--state", "done", ledger=office.path)
    assert result.exit_code == 2
    assert (
        result.stderr
        == "minqing: --state 的值“done”无效：应为 registered|assigned|in_progress|resolved|closed|open"
        "（或 已登记、已交办、办理中、已办结、已销号）\n"
    )
    result = run("export", "--kind", "visits", "--state", "open", ledger=office.path)
    assert result.exit_code == 2
    result = run(
        "export", "--kind", "issues", "--format", "pdf", "--out", str(tmp_path / "x.pdf"), ledger=office.path
    )
    assert result.stderr == "minqing: --format 的值“pdf”无效：应为 xlsx|csv|json\n"
    result = run(
        "export", "--kind", "issues", "--out", str(tmp_path / "no" / "dir" / "x.csv"), ledger=office.path
    )
    assert result.exit_code == 2 and "--out" in result.stderr


def test_edited_export_is_refused_row_by_row(office, tmp_path):
    out, _ = _export(office, tmp_path, "households", "csv")
    rows = read_csv(out)
    header = rows[0]
    for row in rows[1:]:
        if row[5] == "张三":
            row[header.index("家庭人口")] = "5"
            row[header.index("户类别")] = "脱贫户"
    edited = write_csv(tmp_path / "edited.csv", rows)
    before = snapshot(office.path)
    result = run("import", str(edited), "--kind", "households", ledger=office.path)
    assert result.exit_code == 2
    row = next(n for n, r in enumerate(rows, start=1) if r[5] == "张三")
    assert result.stderr.splitlines()[:2] == [
        f"edited.csv:{row}:家庭人口: 家庭人口 台账中为“3”，表中为“5”：导入只新增条目，修改已有条目请用相应命令",
        f"edited.csv:{row}:户类别: 户类别 台账中为“贫困户”，表中为“脱贫户”：导入只新增条目，修改已有条目请用相应命令",
    ]
    assert snapshot(office.path) == before


def test_an_export_into_another_ledger_is_refused_not_copied(office, base, tmp_path):
    out, _ = _export(office, tmp_path, "households", "csv")
    other = build_office(tmp_path / "other")
    before = snapshot(other.path)
    result = run("import", str(out), "--kind", "households", ledger=other.path)
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("households-zh-default.csv:2:编号: 编号“H-") and first.endswith(
        "”不在本台账中：新登记的行请把编号留空"
    )
    assert snapshot(other.path) == before
    # Without the 编号 column the masked ID numbers still cannot register anyone anew.
    mapping = tmp_path / "map.yaml"
    mapping.write_text("编号: null\n", encoding="utf-8")
    result = run("import", str(out), "--kind", "households", "--map", str(mapping), ledger=other.path)
    assert result.exit_code == 2
    assert (
        "身份证号“520***********" in result.stderr and "是脱敏值：新登记须填完整号码，或留空" in result.stderr
    )


def test_import_then_export_gives_the_sheet_back(office, tmp_path):
    source = [
        [
            "乡镇",
            "村",
            "户主姓名",
            "问题类型",
            "问题描述",
            "责任领导",
            "责任单位",
            "整改时限",
            "整改措施",
            "整改进展",
            "是否销号",
            "群众满意度",
        ],
        [
            "和平乡",
            "板栗园村",
            "曾国强",
            "医疗",
            "慢病报销不清楚",
            "李明",
            "乡卫生院",
            "2026-12-01",
            "上门讲解",
            "已联系",
            "否",
            "",
        ],
        [
            "和平乡",
            "桃映村",
            "单田芳",
            "饮水",
            "水窖需要清淤",
            "李明",
            "乡水利站",
            "2026-11-30",
            "清淤",
            "已清淤",
            "是",
            "基本满意",
        ],
    ]
    sheet = write_csv(tmp_path / "src.csv", source)
    assert run("import", str(sheet), "--kind", "issues", ledger=office.path).exit_code == 0
    out, _ = _export(office, tmp_path, "issues", "csv")
    exported = read_csv(out)
    header = exported[0]
    for row in source[1:]:
        match = next(r for r in exported[1:] if r[header.index("问题描述")] == row[4])
        assert [match[header.index(name)] for name in source[0]] == row


def complete(words: str) -> list[str]:
    from typer.testing import CliRunner

    from minqing.cli.app import app

    env = {
        "_MINQING_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="minqing")
    assert result.exit_code == 0, result.output
    return result.output.split()


def test_shell_completion_of_enum_values_and_unit_codes(office):
    assert complete("minqing export --kind ") == [
        "households", "cadres", "visits", "issues", "petitions", "surveys",
    ]  # fmt: skip
    assert complete("minqing export --kind issues --state ") == [
        "registered",
        "assigned",
        "in_progress",
        "resolved",
        "closed",
        "open",
    ]
    assert complete("minqing export --kind households --state m") == ["monitored"]
    assert complete("minqing export --kind cadres --format x") == ["xlsx"]
    assert complete("minqing import a.csv --kind c") == ["cadres"]
    assert complete("minqing import a.csv --encoding g") == ["gb18030", "gbk"]
    assert complete(f"minqing -C {office.path} export --unit 52060210120") == [
        "520602101201",
        "52060210120101",
        "52060210120102",
        "520602101202",
        "52060210120201",
    ]
    assert complete(f"minqing -C {office.path} import a.csv --as {office.leader[:7]}") == [office.leader]
    assert complete("minqing -C /nonexistent export --unit 5") == []
    assert "--install-completion" in run("--help").stdout


def test_unmask_shows_what_this_machine_was_told_and_logs_it(office, tmp_path):
    sheet = write_csv(
        tmp_path / "h.csv",
        [["村", "户主姓名", "身份证号", "联系电话"], ["板栗园村", "钱七", id_number(71), "13912345678"]],
    )
    assert run("import", str(sheet), "--kind", "households", ledger=office.path).exit_code == 0
    out = tmp_path / "full.csv"
    result = run("export", "--kind", "households", "--unmask", "--out", str(out), ledger=office.path)
    assert result.exit_code == 0, result.output
    rows = {row[5]: row for row in read_csv(out)[1:]}
    assert (rows["钱七"][6], rows["钱七"][7]) == (id_number(71), "13912345678")
    assert (rows["张三"][6], rows["张三"][7]) == (id_number(1), "13900000001")  # added with household add
    log = (office.path / ".git" / "minqing" / "access.log").read_text(encoding="utf-8").splitlines()
    assert log[-1].split("\t")[1:4] == [office.admin, "区管理员", "export --kind households"]
    assert log[-1].split("\t")[4].startswith("shown=")
    before = snapshot(office.path)
    result = run("import", str(out), "--kind", "households", ledger=office.path)
    assert result.stdout == "没有新内容：5 行都与台账一致，未提交\n"
    assert snapshot(office.path) == before
    result = run("export", "--kind", "households", "--unmask", "--as", office.leader, ledger=office.path)
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"minqing: {office.leader}（乡镇领导）无权查看完整身份证号和电话：允许的角色为 admin\n"
    )
    assert len(
        (office.path / ".git" / "minqing" / "access.log").read_text(encoding="utf-8").splitlines()
    ) == len(log)


# ---------------------------------------------------------------- streamed from the files (issue 19)


def _every_file_read(led, kind: str) -> list[dict]:
    """The export's records as they were made before it streamed: every entity of the kind read at once, sorted
    in Python, heads and visits looked up in those files (what an import still compares rows with)."""
    ctx = sheets.SheetContext(led)
    if kind == "households":
        homes = sorted(ctx.households.values(), key=lambda h: (h.village, h.group or "", h.head, h.id))
        return [sheets.household_values(ctx, h) for h in homes]
    if kind == "visits":
        return [
            sheets.visit_values(ctx, v) for v in sorted(ctx.visits.values(), key=lambda v: (v.date, v.id))
        ]
    items = sorted(ctx.items.values(), key=lambda i: (i.created, i.id))
    return [sheets.item_values(ctx, i) for i in items]


@pytest.mark.parametrize("kind", ["households", "visits", "issues"])
def test_streamed_records_are_those_of_every_file_read_at_once(office, kind):
    from minqing.ledgers.repo.store import Ledger

    led = Ledger.open(office.path)
    streamed = list(sheets.export_table(led, kind).records)
    assert streamed == _every_file_read(led, kind)
    assert streamed  # the office has some of each
    if (
        kind == "issues"
    ):  # an item raised at a visit of two cadres: its visitors come from the index, in order
        assert any(len(record["visitors"]) == 2 for record in streamed)


def test_a_visit_of_several_cadres_keeps_their_order_in_an_items_export(office, tmp_path):
    from minqing.ledgers.ops import visits
    from minqing.ledgers.repo.store import Ledger

    led = Ledger.open(office.path)
    cadres = sorted(c.id for c in sheets.SheetContext(led).cadres.values() if c.status == "active")[:3]
    order = [cadres[2], cadres[0], cadres[1]]  # not sorted: the index must keep the document's order
    home = next(iter(sheets.SheetContext(led).households))
    visit, _ = visits.add_visit(
        led, office.admin, household=home, by=order, date="2026-11-20", raises=[("排序测试", "water")]
    )
    result = run("export", "--kind", "issues", "--format", "json", ledger=office.path)
    assert result.exit_code == 0, result.output
    (record,) = [d for d in json.loads(result.stdout) if d["desc"] == "排序测试"]
    assert record["visitors"] == order and record["visit_date"] == "2026-11-20", visit


def test_an_export_refused_half_way_leaves_the_file_it_would_replace(office, tmp_path):
    out = tmp_path / "issues.csv"
    out.write_text("上次的导出\n", encoding="utf-8")
    # A hand edit the index cannot read, committed: the export must name it, not leave the item out.
    item_file = next((office.path / "issues").rglob("Q-*.yaml"))
    item_file.write_text("id: [unclosed\n", encoding="utf-8")
    from conftest import git

    git(office.path, "commit", "-q", "-am", "hand edit")
    result = run("export", "--kind", "issues", "--out", str(out), ledger=office.path)
    assert result.exit_code == 4, result.output
    assert result.stderr.startswith(f"minqing: {item_file.relative_to(office.path)}:")
    assert out.read_text(encoding="utf-8") == "上次的导出\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.csv", "office"]


def test_a_row_the_encoding_cannot_hold_is_refused_naming_its_line(office, tmp_path):
    from minqing.ledgers.ops import register
    from minqing.ledgers.repo.store import Ledger

    led = Ledger.open(office.path)
    register.add_cadre(
        led, None, name="𠮷野", unit="520602101201", role="village", at="2026-11-20T09:00:00+08:00"
    )
    out = tmp_path / "cadres.csv"
    result = run("export", "--kind", "cadres", "--encoding", "gbk", "--out", str(out), ledger=office.path)
    assert result.exit_code == 2, result.output
    rows = run("export", "--kind", "cadres", ledger=office.path).stdout.splitlines()
    line = next(n for n, text in enumerate(rows, start=1) if "𠮷野" in text)
    assert (
        result.stderr
        == f"minqing: “{out}”不是 gbk 编码（第 {line} 行）：用 --encoding 指定，如 gb18030 或 utf-8\n"
    )
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["office"]
