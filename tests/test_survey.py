"""群众满意度测评 (issue 18, seed 001: 群众认可度 97.64%): `survey add`, `visit add --survey`, `import --kind surveys`,
the rollup's `surveyed` and `survey_satisfaction` beside the items' satisfaction, and audit, check and sync of the
survey stream — all through the CLI against real git ledgers in temp dirs."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import NOW, Sample, git, refused, run, snapshot
from foundation_util import commit_count, last_commit

VILLAGE = "520602101201"  # 和平乡 板栗园村 (households 甲 and 乙 of the sample)
STREAM = f"surveys/2026-11/{VILLAGE}.yaml"


def ok(path: Path, *args: str) -> str:
    result = run(*args, ledger=path)
    assert result.exit_code == 0, result.output
    return result.stdout


def stream(path: Path, rel: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((path / rel).read_text(encoding="utf-8")) if doc]


def rollup_json(path: Path, *args: str) -> dict:
    return json.loads(
        ok(path, "rollup", "--format", "json", "--period", "month", "--date", "2026-11-20", *args)
    )


# ---------------------------------------------------------------- survey add


def test_survey_add_is_one_commit_with_its_document(sample: Sample) -> None:
    before = commit_count(sample.path)
    home = sample.households[0]
    out = ok(
        sample.path, "survey", "add", "--household", home[:5], "--result", "基本满意", "--round", "2",
        "--by", sample.village_cadre, "--date", "2026-11-20", "--note", "对危改进度基本认可", "--as", sample.clerk,
    )  # fmt: skip
    survey_id = out.split()[0]
    assert out.strip() == f"{survey_id} 2026-11-20 {home} 基本满意 第 2 轮"
    assert commit_count(sample.path) == before + 1
    commit = last_commit(sample.path)
    assert commit.subject == "满意度测评 测试户甲 2026-11-20：基本满意（第 2 轮）"
    assert commit.trailers == {
        "Ledger-Op": ["survey.add"],
        "Ledger-Entry": [survey_id],
        "Ledger-Actor": [sample.clerk],
    }
    assert list(commit.files) == [STREAM]
    assert stream(sample.path, STREAM) == [
        {
            "id": survey_id, "date": "2026-11-20", "household": home, "village": VILLAGE,
            "unit": "52060210120101", "result": "basic", "round": 2, "by": [sample.village_cadre],
            "note": "对危改进度基本认可", "at": NOW, "recorded_by": sample.clerk,
        }
    ]  # fmt: skip
    for command in ("check", "audit"):
        assert run(command, ledger=sample.path).exit_code == 0


def test_survey_add_in_english_takes_the_codes(sample: Sample) -> None:
    out = ok(
        sample.path, "--lang", "en", "survey", "add", "--household", sample.households[2], "--result",
        "unsatisfied", "--date", "2026-11-21", "--as", sample.clerk,
    )  # fmt: skip
    assert out.strip().endswith(f"{sample.households[2]} unsatisfied")
    (doc,) = stream(sample.path, "surveys/2026-11/520602101202.yaml")
    assert doc["result"] == "unsatisfied" and "round" not in doc and doc["by"] == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["--result", "很好"],
            "--result 的值“很好”无效：应为 satisfied|basic|unsatisfied（或 满意、基本满意、不满意）",
        ),
        (["--result", "满意", "--round", "5"], "--round 的值“5”无效：应为 1 到 4 的轮次"),
        (["--result", "满意", "--round", "第二轮"], "--round 的值“第二轮”无效"),
        (["--result", "满意", "--date", "2027-01-01"], "--date"),
        (["--result", "满意", "--by", "C-ZZZZZZ"], "C-ZZZZZZ"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(sample: Sample, args: list[str], says: str) -> None:
    result = refused(
        sample.path, "survey", "add", "--household", sample.households[0], *args, "--as", sample.clerk
    )
    assert says in result.stderr


def test_missing_or_unknown_household_is_refused(sample: Sample) -> None:
    refused(
        sample.path,
        "--no-input",
        "survey",
        "add",
        "--result",
        "满意",
        "--as",
        sample.clerk,
        contains="--household",
    )
    result = refused(
        sample.path, "--lang", "en", "survey", "add", "--household", "H-ZZZZZZ", "--result", "satisfied",
        "--as", sample.clerk,
    )  # fmt: skip
    assert "--household" in result.stderr and "H-ZZZZZZ" in result.stderr


# ---------------------------------------------------------------- visit add --survey


def test_visit_with_survey_is_one_commit_holding_both(sample: Sample) -> None:
    before = commit_count(sample.path)
    home = sample.households[1]
    out = ok(
        sample.path, "visit", "add", "--household", home, "--by",
        f"{sample.county_leader},{sample.township_leader},{sample.village_cadre}", "--round", "1",
        "--survey", "满意", "--date", "2026-11-19", "--as", sample.clerk,
    )  # fmt: skip
    visit_id = out.split()[0]
    assert commit_count(sample.path) == before + 1
    commit = last_commit(sample.path)
    (survey,) = stream(sample.path, STREAM)
    assert commit.trailers["Ledger-Op"] == ["visit.add"]
    assert (
        commit.subject == "走访 测试户乙 2026-11-19（测试县领导、测试乡领导、测试村干部），满意度测评：满意"
    )
    assert commit.trailers["Ledger-Entry"] == [visit_id, survey["id"]]
    assert sorted(commit.files) == sorted([STREAM, f"visits/2026-11/{VILLAGE}.yaml"])
    assert survey["visit"] == visit_id and survey["household"] == home and survey["round"] == 1
    assert survey["result"] == "satisfied"
    assert survey["by"] == [sample.county_leader, sample.township_leader, sample.village_cadre]
    (visit,) = stream(sample.path, f"visits/2026-11/{VILLAGE}.yaml")
    assert visit["round"] == 1
    for command in ("check", "audit"):
        assert run(command, ledger=sample.path).exit_code == 0


def test_visit_survey_refused_without_a_household_or_with_a_bad_answer(sample: Sample) -> None:
    refused(
        sample.path, "visit", "add", "--kind", "stay", "--unit", VILLAGE, "--by", sample.county_leader,
        "--survey", "满意", "--as", sample.clerk, contains="--household",
    )  # fmt: skip
    refused(
        sample.path, "visit", "add", "--household", sample.households[0], "--by", sample.village_cadre,
        "--survey", "还行", "--as", sample.clerk, contains="--survey",
    )  # fmt: skip


# ---------------------------------------------------------------- rollup


def test_rollup_counts_each_household_once_by_its_latest_answer(sample: Sample) -> None:
    h1, h2, h3, h4 = sample.households
    for home, result, day in [
        (h1, "unsatisfied", "2026-11-02"),
        (h1, "satisfied", "2026-11-10"),  # asked again after the repair: this answer counts
        (h2, "basic", "2026-11-05"),
        (h3, "unsatisfied", "2026-11-06"),
        (h4, "satisfied", "2026-10-30"),  # last month: not in November's figures
    ]:
        ok(
            sample.path,
            "survey",
            "add",
            "--household",
            home,
            "--result",
            result,
            "--date",
            day,
            "--as",
            sample.clerk,
        )
    data = rollup_json(sample.path, "--by", "village")
    rows = {row["unit"]: row for row in data["rows"]}
    assert (rows[VILLAGE]["surveyed"], rows[VILLAGE]["survey_satisfaction"]) == (2, 1.0)
    assert (rows["520602101202"]["surveyed"], rows["520602101202"]["survey_satisfaction"]) == (1, 0.0)
    assert (rows["520602102201"]["surveyed"], rows["520602102201"]["survey_satisfaction"]) == (0, None)
    assert (data["total"]["surveyed"], data["total"]["survey_satisfaction"]) == (3, 0.6667)
    keys = data["metrics"]
    # beside the items' satisfaction (feedback on resolved items), in that order
    assert keys.index("surveyed") == keys.index("satisfaction_rate") + 1
    assert keys.index("survey_satisfaction") == keys.index("surveyed") + 1
    table = ok(sample.path, "rollup", "--period", "month", "--date", "2026-11-20", "--by", "village")
    assert "测评户" in table and "群众认可度" in table and "66.7%" in table
    # a leader or category row has no survey figure
    by_leader = rollup_json(sample.path, "--by", "leader")
    assert by_leader["total"]["surveyed"] is None


def test_five_thousand_households_give_the_articles_9764(sample: Sample, tmp_path: Path) -> None:
    """Seed 001: 群众认可度 97.64% — 5,000 households surveyed, 4,882 satisfied or basically satisfied. Built as an
    office would: a roster of households and a survey sheet, each imported in one commit."""
    roster, sheet = tmp_path / "农户.csv", tmp_path / "测评.csv"
    villages = ["板栗园村", "桃映村"]
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["户主姓名", "村"])
        writer.writerows([f"测评户{n:04d}", villages[n % 2]] for n in range(5000))
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["序号", "户主姓名", "村", "测评结果", "轮次", "测评日期"])
        for n in range(5000):
            answer = "满意" if n < 4500 else "基本满意" if n < 4882 else "不满意"
            writer.writerow([n + 1, f"测评户{n:04d}", villages[n % 2], answer, "第四轮", "2026-11-20"])
    ok(sample.path, "import", str(roster), "--kind", "households", "--as", sample.clerk)
    before = commit_count(sample.path)
    out = ok(sample.path, "import", str(sheet), "--kind", "surveys", "--as", sample.clerk)
    assert "已导入 5000 户满意度测评" in out
    assert commit_count(sample.path) == before + 1
    assert last_commit(sample.path).trailers["Ledger-Op"] == ["import.surveys"]
    data = rollup_json(sample.path, "--by", "township")
    assert (data["total"]["surveyed"], data["total"]["survey_satisfaction"]) == (5000, 0.9764)
    by_round = rollup_json(sample.path, "--by", "round")
    assert [(row["name"], row["surveyed"], row["survey_satisfaction"]) for row in by_round["rows"]] == [
        ("第 4 轮", 5000, 0.9764)
    ]
    table = ok(sample.path, "rollup", "--period", "month", "--date", "2026-11-20", "--by", "county")
    assert "97.6%" in table
    assert run("audit", ledger=sample.path).exit_code == 0


# ---------------------------------------------------------------- import


def rejected(path: Path, sheet: Path) -> str:
    """An import refused as a whole: exit 2, one line per problem (file:row:column) and nothing written."""
    before = snapshot(path)
    result = run("import", str(sheet), "--kind", "surveys", ledger=path)
    assert result.exit_code == 2, result.output
    assert "未写入任何内容" in result.stderr
    assert snapshot(path) == before
    return result.stderr


def test_survey_sheet_with_bad_rows_writes_nothing(sample: Sample, tmp_path: Path) -> None:
    sheet = tmp_path / "测评.csv"
    sheet.write_text(
        "户主姓名,村,测评结果,轮次,测评日期\n"
        "测试户甲,板栗园村,很好,第2轮,2026-11-20\n"
        "测试户乙,板栗园村,满意,第9轮,2026-11-20\n"
        "测试户乙,板栗园村,满意,2,2026-11-20\n"
        "测试户乙,板栗园村,满意,2,2026-11-20\n"
        "无此户,板栗园村,满意,2,2026-11-20\n",
        encoding="utf-8",
    )
    shown = rejected(sample.path, sheet)
    assert "测评.csv:2:测评结果" in shown and "很好" in shown
    assert "测评.csv:3:轮次" in shown and "第9轮" in shown
    assert "测评.csv:5:" in shown  # the same household, round and day twice
    assert "测评.csv:6:户主姓名" in shown


def test_survey_sheet_without_a_result_column_is_refused(sample: Sample, tmp_path: Path) -> None:
    sheet = tmp_path / "测评.csv"
    sheet.write_text("户主姓名,村,测评日期\n测试户甲,板栗园村,2026-11-20\n", encoding="utf-8")
    assert "缺少列“测评结果”" in rejected(sample.path, sheet)


# ---------------------------------------------------------------- audit, check, sync


def test_a_hand_written_survey_is_caught_by_audit_and_check(sample: Sample) -> None:
    """A forger appends an answer with plain git, trailers copied from a real survey commit, claiming another
    cadre recorded it, and a second one naming a household that does not exist."""
    ok(
        sample.path,
        "survey",
        "add",
        "--household",
        sample.households[0],
        "--result",
        "不满意",
        "--date",
        "2026-11-20",
        "--as",
        sample.clerk,
    )
    real = stream(sample.path, STREAM)[0]
    forged = {**real, "id": "S-FFFFFF", "result": "satisfied", "recorded_by": sample.county_leader}
    ghost = {**real, "id": "S-GGGGGG", "household": "H-ZZZZZZ"}
    with (sample.path / STREAM).open("a", encoding="utf-8") as handle:
        for doc in (forged, ghost):
            handle.write("--- " + json.dumps(doc, ensure_ascii=False) + "\n")
    git(sample.path, "add", STREAM)
    git(
        sample.path, "commit", "-q", "-m",
        f"满意度测评\n\nLedger-Op: survey.add\nLedger-Entry: S-FFFFFF\nLedger-Actor: {sample.clerk}\n",
    )  # fmt: skip
    audit = run("audit", "--json", ledger=sample.path)
    assert audit.exit_code == 1
    codes = {finding["code"] for finding in json.loads(audit.stdout)["findings"]}
    assert {"by_mismatch", "op_mismatch", "entries_mismatch"} <= codes
    check = run("check", ledger=sample.path)
    assert check.exit_code == 1 and f"{STREAM}:3:" in check.stdout and "H-ZZZZZZ" in check.stdout


def test_rewriting_a_survey_answer_is_caught(sample: Sample) -> None:
    ok(
        sample.path,
        "survey",
        "add",
        "--household",
        sample.households[0],
        "--result",
        "不满意",
        "--date",
        "2026-11-20",
        "--as",
        sample.clerk,
    )
    path = sample.path / STREAM
    path.write_text(path.read_text(encoding="utf-8").replace("unsatisfied", "satisfied"), encoding="utf-8")
    git(sample.path, "commit", "-q", "-am", f"改\n\nLedger-Op: survey.add\nLedger-Actor: {sample.clerk}\n")
    audit = run("audit", "--json", ledger=sample.path)
    assert audit.exit_code == 1
    assert "stream_rewritten" in {finding["code"] for finding in json.loads(audit.stdout)["findings"]}


def test_two_offices_surveying_the_same_village_merge_in_sync(sample: Sample, tmp_path: Path) -> None:
    central = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(sample.path), str(central)], check=True)
    secret = str(sample.path / ".git/minqing/secret")
    offices = []
    for name, user in (("a", sample.township_leader), ("b", sample.village_cadre)):
        target = tmp_path / name
        result = run("clone", str(central), str(target), "--secret-file", secret, "--user", user)
        assert result.exit_code == 0, result.output
        offices.append(target)
    a, b = offices
    ok(a, "survey", "add", "--household", sample.households[0], "--result", "满意", "--date", "2026-11-20")
    ok(
        b,
        "survey",
        "add",
        "--household",
        sample.households[1],
        "--result",
        "基本满意",
        "--date",
        "2026-11-21",
    )
    ok(a, "sync")
    ok(b, "sync")
    ok(a, "sync")
    for office in (a, b):
        assert sorted(doc["result"] for doc in stream(office, STREAM)) == ["basic", "satisfied"]
        assert run("audit", ledger=office).exit_code == 0
        assert run("check", ledger=office).exit_code == 0
    assert rollup_json(b, "--by", "village")["total"]["surveyed"] == 2


# ---------------------------------------------------------------- 作废 and 撤销


def test_a_voided_answer_leaves_the_count(sample: Sample) -> None:
    first = ok(
        sample.path,
        "survey",
        "add",
        "--household",
        sample.households[0],
        "--result",
        "不满意",
        "--date",
        "2026-11-20",
    )
    survey_id = first.split()[0]
    assert rollup_json(sample.path, "--by", "village")["total"]["surveyed"] == 1
    out = ok(sample.path, "survey", "void", survey_id[:5], "--reason", "录错户")
    void_id = out.split()[0]
    assert out.strip() == f"{void_id} 作废 {survey_id}"
    commit = last_commit(sample.path)
    assert commit.subject == f"作废满意度测评 {survey_id}：录错户"
    assert commit.trailers["Ledger-Op"] == ["survey.void"] and commit.trailers["Ledger-Entry"] == [void_id]
    assert rollup_json(sample.path, "--by", "village")["total"]["surveyed"] == 0
    again = refused(sample.path, "survey", "void", survey_id, "--reason", "再次")
    assert void_id in again.stderr
    refused(sample.path, "survey", "void", "S-ZZZZZZ", "--reason", "无", contains="S-ZZZZZZ")
    refused(sample.path, "survey", "void", survey_id, contains="--reason")
    for command in ("check", "audit"):
        assert run(command, ledger=sample.path).exit_code == 0


def test_undo_of_a_visit_voids_the_answer_given_during_it(sample: Sample) -> None:
    day = NOW[:10]
    ok(
        sample.path, "visit", "add", "--household", sample.households[0], "--by", sample.village_cadre,
        "--survey", "满意", "--date", day, "--as", sample.clerk,
    )  # fmt: skip
    assert rollup_json(sample.path, "--by", "village")["total"]["surveyed"] == 1
    ok(sample.path, "undo", "--reason", "录错", "--as", sample.clerk)
    data = rollup_json(sample.path, "--by", "village")
    assert (data["total"]["visits"], data["total"]["surveyed"]) == (0, 0)
    ok(
        sample.path,
        "survey",
        "add",
        "--household",
        sample.households[1],
        "--result",
        "满意",
        "--as",
        sample.clerk,
    )
    assert rollup_json(sample.path, "--by", "village")["total"]["surveyed"] == 1
    ok(sample.path, "undo", "--reason", "重复", "--as", sample.clerk)
    assert rollup_json(sample.path, "--by", "village")["total"]["surveyed"] == 0
    for command in ("check", "audit"):
        assert run(command, ledger=sample.path).exit_code == 0


def test_a_month_reported_before_the_survey_existed_shows_no_survey_figure(sample: Sample) -> None:
    """Figures stored by `period close` before minqing knew the survey have no survey keys; `--as-reported` shows
    them as not reported rather than failing."""
    ok(sample.path, "period", "close", "2026-10", "--as", sample.county_leader)
    path = sample.path / "periods/2026-10/520602.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["reported"]["total"]["surveyed"] == 0

    def older(rollup: dict) -> dict:
        for row in (*rollup["rows"], rollup["total"]):
            del row["surveyed"], row["survey_satisfaction"]
        return rollup

    data["reported"] = older(data["reported"])
    for entry in data["history"]:
        if "reported" in entry["fields"]:
            entry["fields"]["reported"] = older(entry["fields"]["reported"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    args = ("rollup", "--period", "month", "--date", "2026-10-15", "--as-reported")
    reported = json.loads(ok(sample.path, *args, "--format", "json"))
    assert reported["total"]["surveyed"] is None and reported["total"]["survey_satisfaction"] is None
    assert "测评户" in ok(sample.path, *args)
