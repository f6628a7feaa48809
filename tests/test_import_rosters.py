"""Issue 16: person-level rosters (已脱贫人口名单), cadre rosters (帮扶责任人) and last year's sheets, through the CLI."""

from __future__ import annotations

import subprocess

import pytest
from conftest import run
from sheets_fixture import build_office, commit_count, copy_office, id_number, write_csv, write_xlsx

from minqing.ledgers.repo.store import Ledger


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_office(tmp_path_factory.mktemp("rosters") / "office")


@pytest.fixture
def office(base, tmp_path):
    return copy_office(base, tmp_path / "office")


def git_files(path):
    out = subprocess.run(["git", "grep", "-I", "-l", "", "HEAD"], cwd=path, capture_output=True, text=True)
    return out.stdout


def git_text(path):
    return subprocess.run(
        ["git", "grep", "-h", "-I", "", "HEAD"], cwd=path, capture_output=True, text=True
    ).stdout


# The national system's export: a title row, one row per person, 户编号 repeated, mixed dates, a 合计 footer.
NATIONAL_HEADER = [
    "序号", "县", "乡(镇)", "行政村", "户编号", "人编号", "姓名", "证件号码", "人数", "与户主关系",
    "户类型", "联系电话", "首次识别时间", "危房户", "是否解决安全饮用水", "民族",
]  # fmt: skip


def national_rows():
    return [
        ["碧江区已脱贫人口名单"],
        ["填报单位：和平乡", "", "", "", "", "", "", "", "", "", "", "", "导出日期：2026-11-20"],
        list(NATIONAL_HEADER),
        ["1", "碧江区", "和平乡", "板栗园村", "5206021012010001", "520602101201000101", "杨一", id_number(101),
         "3", "户主", "脱贫户", "13911110001", "2016年3月5日", "否", "是", "汉族"],
        ["2", "碧江区", "和平乡", "板栗园村", "5206021012010001", "520602101201000102", "杨二", id_number(102),
         "3", "配偶", "脱贫户", "", "2016年3月5日", "否", "是", "汉族"],
        ["3", "碧江区", "和平乡", "板栗园村", "5206021012010001", "520602101201000103", "杨三", id_number(103),
         "3", "之子", "脱贫户", "", "2016年3月5日", "否", "是", "汉族"],
        ["4", "碧江区", "和平乡", "桃映村", "5206021012020002", "520602101202000201", "吴四", id_number(104),
         "2", "户主", "监测户", "13911110002", "2020/11/10", "是", "否", "苗族"],
        ["5", "碧江区", "和平乡", "桃映村", "5206021012020002", "520602101202000202", "吴五", id_number(105),
         "2", "之女", "监测对象", "", "2020/11/10", "是", "否", "苗族"],
        ["合计", "", "", "", "", "", "", "", "5"],
        ["填表人：张录", "", "", "", "审核人：李明"],
    ]  # fmt: skip


def households(office):
    led = Ledger.open(office.path)
    return {home.head: home for home in led.iter_households()}


@pytest.mark.parametrize("form", ["xlsx", "gb18030"])
def test_person_roster_groups_persons_into_households(office, tmp_path, form):
    rows = national_rows()
    if form == "xlsx":
        sheet = write_xlsx(tmp_path / "已脱贫人口名单.xlsx", rows)
    else:
        sheet = write_csv(tmp_path / "已脱贫人口名单.csv", rows, encoding="gb18030")
    before = commit_count(office.path)
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 0, result.output
    assert commit_count(office.path) == before + 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("已导入 2 户农户（5 行，0 行与台账一致），提交 ")
    assert "3 名家庭成员的证件号码只存于本机" in lines[1]
    assert lines[2] == "未导入的列：县、人编号、民族" or lines[2] == "未导入的列：县、民族"
    homes = households(office)
    yang, wu = homes["杨一"], homes["吴四"]
    assert "杨二" not in homes and "杨三" not in homes and "吴五" not in homes
    assert (yang.members, yang.status, yang.register_no, yang.registered) == (
        3, "lifted", "5206021012010001", "2016-03-05",
    )  # fmt: skip
    assert (wu.members, wu.status, wu.registered) == (2, "monitored", "2020-11-10")
    assert wu.indicators["housing"] == "risk" and wu.indicators["water"] == "risk"
    assert yang.indicators["housing"] == "ok" and yang.indicators["water"] == "ok"
    assert yang.id_number == "520***********" + id_number(101)[-4:]
    assert len(yang.member_hashes) == 2 and len(wu.member_hashes) == 1
    text = git_text(office.path)
    for serial in (101, 102, 103, 104, 105):
        assert id_number(serial) not in text
    assert "13911110001" not in text
    # A member's number finds the household (the vault is on this machine; git holds only keyed hashes).
    found = run("household", "find", "--id-number", id_number(103), "--json", ledger=office.path)
    assert found.exit_code == 0, found.output
    assert yang.id in found.stdout
    # The same roster again changes nothing.
    again = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("没有新内容：5 行都与台账一致，未提交")
    assert commit_count(office.path) == before + 1


def test_person_roster_members_must_match_the_count(office, tmp_path):
    rows = national_rows()
    rows[4][8] = "4"
    rows[6][9] = "之父"  # 吴家 has no 户主 row
    sheet = write_csv(tmp_path / "名单.csv", rows)
    before = commit_count(office.path)
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[:2] == [
        "名单.csv:5:人数: 人数 为 4，但户编号 5206021012010001 在表中有 3 人：两者应一致",
        "名单.csv:7:与户主关系: 与户主关系：户编号 5206021012020002 的各行中没有户主（与户主关系 为“户主”的一行）",
    ]
    assert "Traceback" not in result.output
    assert commit_count(office.path) == before


def test_monitoring_type_column_makes_a_lifted_household_monitored(office, tmp_path):
    # The national export's 易返贫致贫户(监测对象)类型 beside 户类型: a named type means monitored, blank leaves 脱贫户.
    header = [*NATIONAL_HEADER, "易返贫致贫户（监测对象）类型"]
    rows = [list(row) for row in national_rows()]
    rows[2] = header
    for index in (3, 4, 5):
        rows[index] = [*rows[index], "脱贫不稳定户"]
    for index in (6, 7):
        rows[index] = [*rows[index], ""]
    sheet = write_xlsx(tmp_path / "名单.xlsx", rows)
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 0, result.output
    homes = households(office)
    assert homes["杨一"].status == "monitored" and homes["吴四"].status == "monitored"

    rows[3][-1] = "富裕户"
    bad = write_csv(tmp_path / "名单2.csv", [[cell.replace("杨", "罗") for cell in row] for row in rows])
    before = commit_count(office.path)
    refused = run("import", str(bad), "--kind", "households", ledger=office.path)
    assert refused.exit_code == 2
    # Every fault of the sheet in one run: the 户编号 already registered, and the unknown type.
    typed = [
        line
        for line in refused.stderr.splitlines()
        if line.startswith("名单2.csv:4:易返贫致贫户（监测对象）类型: ")
    ]
    assert len(typed) == 1 and "富裕户" in typed[0] and "脱贫不稳定户" in typed[0]
    assert commit_count(office.path) == before


def test_an_unknown_personal_column_is_refused_not_dropped(office, tmp_path):
    sheet = write_csv(
        tmp_path / "农户.csv",
        [["村", "户主姓名", "家庭人口", "户主手机（备用）"], ["板栗园村", "周七", "2", "13911112222"]],
    )
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "农户.csv:1:户主手机（备用）: 列“户主手机（备用）”含个人信息（证件号码或电话），无法识别：用 --map 指定其字段（或 null 明确忽略），或删除该列"
    )


def test_cadre_roster_without_unit_or_role_columns(office, tmp_path):
    # A township's 帮扶责任人 roster: title row, 乡镇 + 村 instead of 单位, no 角色, 帮扶对象 naming households.
    sheet = write_xlsx(
        tmp_path / "帮扶责任人名册.xlsx",
        [
            ["序号", "姓名", "乡镇", "村", "职务", "联系电话", "帮扶对象"],
            ["1", "陈静", "和平乡", "板栗园村", "驻村工作队员", "13700001111", "曾国强"],
            ["2", "刘洋", "和平乡", "桃映村", "村委会主任", "", "单田芳"],
            ["合计", "2人"],
            ["填表人：张录", "", "", "审核人：李明"],
        ],
        title="和平乡帮扶责任人花名册",
    )
    result = run("import", str(sheet), "--kind", "cadres", ledger=office.path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("已导入 2 名干部（2 行，0 行与台账一致），提交 ")
    led = Ledger.open(office.path)
    cadres = {cadre.name: cadre for cadre in led.iter_cadres()}
    chen, liu = cadres["陈静"], cadres["刘洋"]
    assert (chen.unit, chen.role, chen.title) == ("520602101201", "village", "驻村工作队员")
    assert chen.phone == "137****1111" and "13700001111" not in git_text(office.path)
    assert (liu.unit, liu.role) == ("520602101202", "village")
    assert chen.pairings == (office.homes["曾国强"],) and liu.pairings == (office.homes["单田芳"],)
    assert led.household(office.homes["曾国强"]).pairings == (chen.id,)
    assert run("audit", ledger=office.path).exit_code == 0


def test_cadre_roster_role_for_a_township_unit(office, tmp_path):
    rows = [["姓名", "乡镇", "职务"], ["黄河", "和平乡", "副乡长"]]
    sheet = write_csv(tmp_path / "乡干部.csv", rows, encoding="gb18030")
    refused = run("import", str(sheet), "--kind", "cadres", ledger=office.path)
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[0] == (
        "乡干部.csv:2:角色: 角色：和平乡 不是村，无法推定角色：表中加“角色”列，或用 --role 指定整表的角色"
    )
    done = run("import", str(sheet), "--kind", "cadres", "--role", "township_leader", ledger=office.path)
    assert done.exit_code == 0, done.output
    cadre = next(c for c in Ledger.open(office.path).iter_cadres() if c.name == "黄河")
    assert (cadre.unit, cadre.role, cadre.title) == ("520602101", "township_leader", "副乡长")


def test_cadre_roster_unknown_paired_household(office, tmp_path):
    rows = [["姓名", "乡镇", "村", "结对户"], ["陈静", "和平乡", "板栗园村", "曾国强、无此人"]]
    sheet = write_csv(tmp_path / "结对.csv", rows)
    before = commit_count(office.path)
    result = run("import", str(sheet), "--kind", "cadres", ledger=office.path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("结对.csv:2:结对户: ")
    assert "无此人" in result.stderr.splitlines()[0]
    assert commit_count(office.path) == before


# ---------------------------------------------------------------- last year's sheets


def rollup_2020(office):
    import json

    out = run("rollup", "--from", "2020-01-01", "--to", "2020-12-31", "--format", "json", ledger=office.path)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["total"]


def test_last_years_roster_and_visits_give_last_years_rollup(office, tmp_path):
    # Nothing of 2020 yet: the fixture's households were registered in 2026.
    assert rollup_2020(office)["households"] == 0
    roster = write_csv(
        tmp_path / "2020年农户花名册.csv",
        [
            ["2020年农户花名册"],
            ["序号", "乡镇", "村", "户主姓名", "家庭人口", "户类别", "结对干部"],
            ["1", "和平乡", "板栗园村", "罗一", "4", "贫困户", "王芳"],
            ["2", "和平乡", "板栗园村", "罗二", "2", "一般户", ""],
            ["合计", "", "", "", "6"],
        ],
        encoding="gb18030",
    )
    result = run(
        "import", str(roster), "--kind", "households", "--registered", "2020-01-01", ledger=office.path
    )
    assert result.exit_code == 0, result.output
    homes = households(office)
    assert homes["罗一"].registered == "2020-01-01" and homes["罗二"].registered == "2020-01-01"
    visits = write_xlsx(
        tmp_path / "2020年走访台账.xlsx",
        [
            ["序号", "走访日期", "乡镇", "村", "户主姓名", "走访人", "走访情况"],
            ["1", "2020年3月5日", "和平乡", "板栗园村", "罗一", "王芳", "了解春耕"],
            ["2", "2020/6/18", "和平乡", "板栗园村", "罗一", "王芳", "了解务工"],
        ],
        title="2020年走访台账",
    )
    result = run("import", str(visits), "--kind", "visits", ledger=office.path)
    assert result.exit_code == 0, result.output
    total = rollup_2020(office)
    assert (total["households"], total["households_visited"], total["visits"]) == (2, 1, 2)
    assert total["pairing_coverage"] == 0.5  # 罗一's pairing made by the roster dates from 2020 too
    # 2020's 帮扶责任人 roster: the cadre and the pairing it makes date from --registered as well.
    cadres = write_csv(
        tmp_path / "2020年帮扶责任人.csv",
        [
            ["序号", "姓名", "乡镇", "村", "职务", "帮扶对象"],
            ["1", "罗成", "和平乡", "板栗园村", "驻村队员", "罗二"],
        ],
    )
    result = run("import", str(cadres), "--kind", "cadres", "--registered", "2020-03-01", ledger=office.path)
    assert result.exit_code == 0, result.output
    cadre = next(c for c in Ledger.open(office.path).iter_cadres() if c.name == "罗成")
    assert cadre.registered == "2020-03-01"
    assert rollup_2020(office)["pairing_coverage"] == 1.0
    assert run("audit", ledger=office.path).exit_code == 0
    assert run("check", ledger=office.path).exit_code == 0


def test_a_visit_before_the_registration_is_refused_per_row(office, tmp_path):
    roster = write_csv(
        tmp_path / "名单.csv",
        [NATIONAL_HEADER, national_rows()[3], national_rows()[4], national_rows()[5]],
    )
    assert run("import", str(roster), "--kind", "households", ledger=office.path).exit_code == 0
    home = households(office)["杨一"]
    visits = write_csv(
        tmp_path / "走访.csv",
        [
            ["走访日期", "村", "户主姓名", "走访人"],
            ["2015年12月1日", "板栗园村", "杨一", "王芳"],
            ["2016.3.6", "板栗园村", "杨一", "王芳"],
        ],
    )
    before = commit_count(office.path)
    result = run("import", str(visits), "--kind", "visits", ledger=office.path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("走访.csv:2:走访日期: ")
    assert "2016-03-05" in result.stderr.splitlines()[0] and home.id in result.stderr.splitlines()[0]
    assert len(result.stderr.splitlines()) == 2  # the row, then the summary: the second visit is fine
    assert commit_count(office.path) == before


def test_registered_must_be_a_past_day(office, tmp_path):
    roster = write_csv(tmp_path / "h.csv", [["村", "户主姓名"], ["板栗园村", "钱七"]])
    result = run(
        "import", str(roster), "--kind", "households", "--registered", "2020-13-01", ledger=office.path
    )
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("minqing: --registered")


def test_person_roster_with_both_head_and_person_names(office, tmp_path):
    # Some exports repeat the head's name (户主姓名) on every person's row beside the person's own 姓名.
    rows = national_rows()
    for index, row in enumerate(rows[2:8]):
        row.insert(6, "户主姓名" if index == 0 else ("杨一" if index <= 3 else "吴四"))
    sheet = write_xlsx(tmp_path / "名单.xlsx", rows)
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 0, result.output
    homes = households(office)
    assert homes["杨一"].members == 3 and homes["吴四"].members == 2


def test_registered_is_for_rosters_only(office, tmp_path):
    sheet = write_csv(tmp_path / "v.csv", [["走访日期", "村", "户主姓名", "走访人"]])
    result = run("import", str(sheet), "--kind", "visits", "--registered", "2020-01-01", ledger=office.path)
    assert (result.exit_code, result.stderr) == (
        2,
        "minqing: --registered 不能与 --kind visits 同时使用：二选一\n",
    )


def test_a_member_in_another_village_is_refused(office, tmp_path):
    rows = national_rows()
    rows[5][3] = "桃映村"  # 杨三's row names another village than the head's
    sheet = write_csv(tmp_path / "名单.csv", rows)
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "名单.csv:6:行政村: 行政村“桃映村”与 行政村（第 4 行）“板栗园村”矛盾：两者应一致"
    )


def test_a_roster_into_a_ledger_with_its_index_reads_only_the_households_it_names(
    office, tmp_path, monkeypatch
):
    """A households sheet is matched on the keys the index keeps (ID-number hashes, members' hashes, 户编号, village
    and head): the same findings and outputs as reading every household file, and only the files of the
    households its rows name are read (issue 19: into a county of 100,000 households that read was 23 s)."""
    roster = write_csv(tmp_path / "名单.csv", national_rows())
    assert run("import", str(roster), "--kind", "households", ledger=office.path).exit_code == 0
    header = ["序号", "乡(镇)", "行政村", "户编号", "姓名", "证件号码", "人数", "与户主关系"]
    clashes = write_csv(
        tmp_path / "新名单.csv",
        [
            list(header),
            [
                "1",
                "和平乡",
                "板栗园村",
                "5206021012019999",
                "周六",
                id_number(102),
                "1",
                "户主",
            ],  # 杨家 member
            [
                "2",
                "和平乡",
                "桃映村",
                "5206021012020002",
                "郑七",
                id_number(107),
                "1",
                "户主",
            ],  # 吴家's 户编号
            [
                "3",
                "和平乡",
                "板栗园村",
                "5206021012018888",
                "冯八",
                id_number(1),
                "1",
                "户主",
            ],  # 张三's number
            ["4", "和平乡", "板栗园村", "5206021012017777", "陈九", id_number(108), "1", "户主"],
        ],
    )
    plain, indexed = copy_office(office, tmp_path / "plain"), copy_office(office, tmp_path / "indexed")
    (plain.path / ".git/minqing/index.sqlite").unlink(missing_ok=True)
    assert run("reindex", ledger=indexed.path).exit_code == 0
    read: list[str] = []
    original = Ledger.read_yaml

    def counting(self, rel, *args, **kwargs):
        if rel.startswith("households/"):
            read.append(rel)
        return original(self, rel, *args, **kwargs)

    monkeypatch.setattr(Ledger, "read_yaml", counting)
    results = {}
    for copy in (plain, indexed):
        read.clear()
        refused = run("import", str(clashes), "--kind", "households", ledger=copy.path)
        again = run("import", str(roster), "--kind", "households", ledger=copy.path)
        results[copy.path.name] = (refused, again, len(read), commit_count(copy.path))
    (refused, again, plain_reads, plain_commits), (refused2, again2, index_reads, index_commits) = (
        results.values()
    )
    assert refused.exit_code == refused2.exit_code == 2
    assert refused.stderr == refused2.stderr
    finding = [line.split(": ", 1)[0] for line in refused.stderr.splitlines()[:3]]
    assert finding == ["新名单.csv:2:证件号码", "新名单.csv:3:户编号", "新名单.csv:4:证件号码"], (
        refused.stderr
    )
    assert again.exit_code == again2.exit_code == 0 and again.stdout == again2.stdout
    assert again.stdout.startswith("没有新内容") and plain_commits == index_commits
    total = len(households(office))
    assert plain_reads >= total and index_reads < total, (plain_reads, index_reads, total)
