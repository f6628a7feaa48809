"""Helping units (帮扶单位/后盾单位, issue 18): departments outside the territorial tree, their cadres posted to villages
(驻村, `cadre post`), the work credited to them (visits and activities through `--by`), 五帮五扶 per department in
`duties`, `rollup --by department`; audit catches a forged posting and two offices' postings merge in sync.

Through the CLI against real git ledgers (the `sample` ledger of conftest: 和平乡 with 板栗园村 and 桃映村, 坝黄镇
with 宋家坝村)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import git, refused, run, snapshot

from minqing.ledgers.core import yamlio

BANLI = "520602101201"
TAOYING = "520602101202"
SONGJIA = "520602102201"
AGRI = "520602D01"
EDU = "520602D02"


def ok(*args: str, ledger: Path) -> str:
    result = run(*args, ledger=ledger)
    assert result.exit_code == 0, result.output
    return result.stdout


def new_id(output: str) -> str:
    return output.split()[0]


@pytest.fixture
def office(sample):
    """Two departments, a cadre of each, one posted to 板栗园村."""
    path = sample.path
    ok("org", "add", AGRI, "区农业农村局", "--level", "department", ledger=path)
    ok("org", "add", EDU, "区教育局", ledger=path)  # the level is read from the code
    sample.agri = new_id(
        ok(
            "cadre", "add", "--name", "王书记", "--unit", "520602101", "--role", "village",
            "--title", "第一书记", "--department", "区农业农村局", ledger=path,
        )
    )  # fmt: skip
    sample.edu = new_id(
        ok("cadre", "add", "--name", "赵老师", "--unit", SONGJIA, "--role", "village",
           "--department", EDU, ledger=path)
    )  # fmt: skip
    ok("cadre", "post", sample.agri, "--village", "板栗园村", "--reason", "选派第一书记", ledger=path)
    return sample


def test_department_is_added_and_listed_outside_the_tree(office):
    units = {u["code"]: u for u in json.loads(ok("org", "list", "--json", ledger=office.path))}
    assert units[AGRI] == {"code": AGRI, "name": "区农业农村局", "level": "department", "parent": "520602"}
    listing = ok("org", "list", ledger=office.path).splitlines()
    # departments come after the whole territorial tree, at the townships' depth
    assert [line.split()[:2] for line in listing[-2:]] == [["区农业农村局", AGRI], ["区教育局", EDU]]
    assert "帮扶单位" in listing[-1]
    assert (
        git(office.path, "log", "-1", "--format=%s").strip() == "驻村 " + office.agri + " 王书记 → 板栗园村"
    )
    assert run("audit", ledger=office.path).exit_code == 0
    assert run("check", ledger=office.path).exit_code == 0


@pytest.mark.parametrize(
    "args,contains",
    [
        (("520603D01", "外县局"), "520602D01"),  # another county's code
        (("520602101D1", "乡里的局", "--level", "department"), "520602 + D"),
        (("520602101203", "新村", "--level", "department"), "520602 + D"),
        (("520602D01", "重复"), "已存在"),
        (("520602D03", "局", "--level", "village"), "520602D03"),
        (("520602D03", "局", "--parent", "520602101"), "--parent"),
    ],
)
def test_bad_department_codes_are_refused(office, args, contains):
    refused(office.path, "org", "add", *args, contains=contains)


def test_refusals_in_english(office):
    result = refused(office.path, "--lang", "en", "org", "add", "520602X01", "局", "--level", "department")
    assert "the county code 520602, D and 2-3 digits" in result.stderr


def test_cadre_show_has_department_and_posting(office):
    shown = json.loads(ok("cadre", "show", office.agri, "--json", ledger=office.path))
    assert (shown["department"], shown["posted"], shown["unit"]) == (AGRI, BANLI, "520602101")
    text = ok("cadre", "show", office.edu, ledger=office.path)
    assert f"department          {EDU}" in text and "posted" not in text
    data = yaml.safe_load((office.path / f"cadres/{office.agri}.yaml").read_text(encoding="utf-8"))
    assert data["history"][-1]["op"] == "post"
    assert data["history"][-1]["fields"] == {"village": BANLI, "reason": "选派第一书记"}
    body = git(office.path, "log", "-1", "--format=%B")
    assert "Ledger-Op: cadre.post" in body and f"Ledger-Entry: {office.agri}" in body


def test_post_names_a_new_department_and_moves_the_posting(office):
    ok("cadre", "post", office.edu, "--village", TAOYING, "--department", "区农业农村局", ledger=office.path)
    shown = json.loads(ok("cadre", "show", office.edu, "--json", ledger=office.path))
    assert (shown["department"], shown["posted"]) == (AGRI, TAOYING)
    assert git(office.path, "log", "-1", "--format=%s").strip().endswith("→ 桃映村（区农业农村局）")
    assert run("audit", ledger=office.path).exit_code == 0


@pytest.mark.parametrize(
    "args,contains",
    [
        (("--village", "520602101"), "村级"),  # a township is not a village
        (("--village", "520602101299"), "520602101299"),
        ((), "--village"),
        (("--village", BANLI), "已驻该村"),  # the same posting again
        (("--village", TAOYING, "--department", "520602101"), "帮扶单位"),
    ],
)
def test_bad_postings_are_refused(office, args, contains):
    refused(office.path, "cadre", "post", office.agri, *args, contains=contains)


def test_a_cadre_without_a_department_needs_one_to_be_posted(office):
    refused(office.path, "cadre", "post", office.village_cadre, "--village", BANLI, contains="--department")
    refused(
        office.path, "--lang", "en", "cadre", "post", office.village_cadre, "--village", BANLI,
        contains="a department code or name",
    )  # fmt: skip


def test_a_department_is_no_place_for_cadres_items_or_activities(office):
    refused(
        office.path, "cadre", "add", "--name", "甲", "--unit", AGRI, "--role", "village", contains="--unit"
    )
    refused(office.path, "cadre", "add", "--name", "甲", "--unit", BANLI, "--role", "village",
            "--department", "520602101", contains="--department")  # fmt: skip
    refused(
        office.path, "issue", "add", "--unit", AGRI, "--desc", "x", "--category", "other", contains="--unit"
    )
    refused(office.path, "activity", "add", "--kind", "lecture", "--unit", AGRI, "--title", "讲座",
            "--by", office.agri, contains="--unit")  # fmt: skip


def _credit_some_work(office) -> None:
    path = office.path
    home = office.households[0]  # 测试户甲 of 板栗园村
    ok("visit", "add", "--household", home, "--by", f"{office.agri},{office.village_cadre}", "--date",
       "2026-11-10", "--raise", "屋顶漏雨", "--category", "housing", "--raise", "缺水", "--category", "water",
       ledger=path)  # fmt: skip
    ok("visit", "add", "--household", office.households[3], "--by", f"{office.edu},{office.agri}",
       "--date", "2026-11-12", ledger=path)  # fmt: skip  # a joint visit: credited to both departments
    ok("visit", "add", "--household", home, "--by", office.village_cadre, "--date", "2026-11-13", ledger=path)
    for day in ("2026-11-03", "2026-11-17"):
        ok("activity", "add", "--kind", "farm_service", "--unit", BANLI, "--date", day, "--title", "送技术",
           "--participants", "20", "--by", office.agri, ledger=path)  # fmt: skip
    ok("activity", "add", "--kind", "lecture", "--unit", SONGJIA, "--date", "2026-11-05", "--title", "讲政策",
       "--participants", "15", "--by", office.edu, ledger=path)  # fmt: skip


def test_rollup_by_department_credits_the_cadres_work(office):
    _credit_some_work(office)
    data = json.loads(ok("rollup", "--by", "department", "--format", "json", ledger=office.path))
    assert data["by"] == "department"
    got = {row["unit"]: row for row in data["rows"]}
    assert list(got) == [AGRI, EDU]
    keys = ("visits", "talks", "cadres", "cadres_posted", "cadres_without_visit", "raised", "activities",
            "participants")  # fmt: skip
    assert {code: [row[k] for k in keys] for code, row in got.items()} == {
        AGRI: [2, 0, 1, 1, 0, 2, 2, 40],
        EDU: [1, 0, 1, 0, 0, 0, 1, 15],
    }
    assert [data["total"][k] for k in keys] == [3, 0, 2, 1, 0, 2, 3, 55]  # the sum of the rows
    assert got[AGRI]["level"] == "department" and got[AGRI]["name"] == "区农业农村局"
    assert (
        got[AGRI]["opened"] is None and got[AGRI]["households"] is None
    )  # nothing is filed against a department
    # by village: the posting counts where the cadre is posted
    village = {r["unit"]: r for r in json.loads(ok("rollup", "--by", "village", "--format", "json",
                                                     ledger=office.path))["rows"]}  # fmt: skip
    assert (village[BANLI]["cadres_posted"], village[TAOYING]["cadres_posted"]) == (1, 0)
    # --unit filters where the work was done; every format prints the rows
    heping = json.loads(ok("rollup", "--by", "department", "--unit", "520602101", "--format", "json",
                           ledger=office.path))  # fmt: skip
    assert [(r["unit"], r["visits"], r["activities"]) for r in heping["rows"]] == [(AGRI, 1, 2), (EDU, 0, 0)]
    table = ok("rollup", "--by", "帮扶单位", ledger=office.path)
    assert "帮扶单位工作量" in table and "区农业农村局" in table and "驻村干部" in table
    english = ok("--lang", "en", "rollup", "--by", "department", "--format", "csv", ledger=office.path)
    assert english.lstrip("\ufeff").splitlines()[0].startswith("code,department,visits,talks")
    assert "| 区教育局 |" in ok("rollup", "--by", "department", "--format", "md", ledger=office.path)


def test_duties_hold_each_department_to_two_activities_a_month(office):
    _credit_some_work(office)
    result = run("duties", "--only", "departments", ledger=office.path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"activities/2026-11.yaml: 帮扶单位 {EDU}（区教育局）2026-11 开展活动 1 次：每月至少 2 次（五帮五扶）"
    ]
    data = json.loads(
        run("--lang", "en", "duties", "--only", "departments", "--json", ledger=office.path).stdout
    )
    assert (data["minimums"], data["count"]) == ({"departments": 2}, 1)
    assert data["findings"][0]["message"].startswith(
        f"department {EDU} (区教育局) held 1 activities in 2026-11"
    )
    met = run("duties", "--only", "departments", "--activity-minimum", "1", ledger=office.path)
    assert met.exit_code == 0
    # minqing.yaml may set a helping unit's own minimum
    config = office.path / "minqing.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "department_activity_minimum: 3\n", encoding="utf-8"
    )
    strict = json.loads(run("duties", "--only", "departments", "--json", ledger=office.path).stdout)
    assert [(f["department"], f["count"], f["minimum"]) for f in strict["findings"]] == [
        (AGRI, 2, 3),
        (EDU, 1, 3),
    ]


# ---------------------------------------------------------------- audit: a forged posting


def _forge(path: Path, cadre_id: str, mutate, op: str = "cadre.post") -> None:
    """A hand-made commit in the exact shape of `cadre post` (trailers, author, snapshot = replay of its history)
    whose content `mutate` bends: only audit's rule for the operation can catch it."""
    rel = f"cadres/{cadre_id}.yaml"
    data = yaml.safe_load((path / rel).read_text(encoding="utf-8"))
    admin = data["history"][0]["by"]
    mutate(data)
    (path / rel).write_text(yamlio.dump(data), encoding="utf-8")
    subprocess.run(["git", "add", rel], cwd=path, check=True)
    message = f"驻村 {cadre_id}\n\nLedger-Op: {op}\nLedger-Entry: {cadre_id}\nLedger-Actor: {admin}\n"
    env_author = ["-c", "user.name=管理员", "-c", f"user.email={admin}@minqing.invalid"]
    subprocess.run(["git", *env_author, "commit", "-q", "-m", message], cwd=path, check=True)


def _post_to(code: str):
    def mutate(data: dict) -> None:
        entry = dict(data["history"][-1])
        entry.update(id="0123456789", at="2026-11-23T11:00:00+08:00", op="post", fields={"village": code})
        data["history"].append(entry)
        data["posted"] = code

    return mutate


def test_audit_catches_a_posting_to_a_township(office):
    _forge(office.path, office.edu, _post_to("520602101"))
    result = run("audit", ledger=office.path)
    assert result.exit_code == 1
    assert "cadre.post" in result.stdout and "village: 520602101" in result.stdout


def test_audit_accepts_the_same_posting_made_by_hand_to_a_village(office):
    _forge(office.path, office.edu, _post_to(TAOYING))
    assert run("audit", ledger=office.path).exit_code == 0


def test_audit_catches_a_unit_change_smuggled_into_a_posting(office):
    def mutate(data: dict) -> None:
        _post_to(TAOYING)(data)
        data["history"][-1]["fields"]["unit"] = TAOYING
        data["unit"] = TAOYING

    _forge(office.path, office.edu, mutate)
    assert run("audit", ledger=office.path).exit_code == 1


# ---------------------------------------------------------------- two offices: postings merge in sync


def test_postings_made_in_two_clones_merge(office, tmp_path: Path):
    central = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office.path), str(central)], check=True)
    secret = str(office.path / ".git/minqing/secret")
    clones = []
    for name in ("a", "b"):
        target = tmp_path / name
        ok("clone", str(central), str(target), "--secret-file", secret, "--user", office.admin, ledger=None)
        clones.append(target)
    a, b = clones
    ok("cadre", "post", office.edu, "--village", TAOYING, "--department", AGRI, ledger=a)
    ok("org", "add", "520602D03", "区卫健局", ledger=b)
    ok("cadre", "post", office.agri, "--village", SONGJIA, ledger=b)
    before_b = snapshot(b)
    assert run("sync", ledger=a).exit_code == 0
    assert run("sync", ledger=b).exit_code == 0
    assert snapshot(b) != before_b
    assert run("sync", ledger=a).exit_code == 0
    for clone in (a, b):
        edu = json.loads(ok("cadre", "show", office.edu, "--json", ledger=clone))
        agri = json.loads(ok("cadre", "show", office.agri, "--json", ledger=clone))
        assert (edu["posted"], edu["department"], agri["posted"]) == (TAOYING, AGRI, SONGJIA)
        assert "520602D03" in ok("org", "list", ledger=clone)
        assert run("audit", ledger=clone).exit_code == 0
        assert run("check", ledger=clone).exit_code == 0


def test_org_import_takes_departments_listed_with_the_units(sample, tmp_path: Path):
    sheet = tmp_path / "单位名单.csv"
    sheet.write_text(
        "统计用区划代码,城乡分类代码,名称\n520602D05,,区水务局\n520602101203,220,新村村民委员会\n",
        encoding="utf-8",
    )
    assert run("org", "import", str(sheet), ledger=sample.path).exit_code == 0
    units = {u["code"]: u for u in json.loads(ok("org", "list", "--json", ledger=sample.path))}
    assert (units["520602D05"]["level"], units["520602D05"]["parent"]) == ("department", "520602")
    assert units["520602101203"]["name"] == "新村"
    assert run("audit", ledger=sample.path).exit_code == 0
    other = tmp_path / "外县.csv"
    other.write_text("统计用区划代码,城乡分类代码,名称\n520603D01,,外县局\n", encoding="utf-8")
    before = snapshot(sample.path)
    wrong = run("org", "import", str(other), ledger=sample.path)
    assert wrong.exit_code == 2 and "520603D01" in wrong.stderr  # one line per finding, then the summary
    assert snapshot(sample.path) == before
