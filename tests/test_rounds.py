"""五人大走访 teams and rounds (issue 18, seed 001): `visit add --round N`, minqing.yaml `team_roles` and `rounds`,
`check --teams` (one finding per team visit missing a seat, at its file and line) and `rollup --by round`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from conftest import Sample, git, refused, run

from minqing.ledgers.core.model import Cadre
from minqing.ledgers.core.surveys import missing_roles, team_role

VILLAGE = "520602101201"
STREAM = f"visits/2026-11/{VILLAGE}.yaml"


def ok(path: Path, *args: str) -> str:
    result = run(*args, ledger=path)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def team(sample: Sample) -> dict[str, str]:
    """The five seats of a team visit to 板栗园村: the sample's county and township leaders and village cadre (村主任
    by role), plus a 第一书记 and a 驻村队长 added through the CLI."""
    seats = {
        "county": sample.county_leader,
        "township": sample.township_leader,
        "village": sample.village_cadre,
    }
    for key, title in (("secretary", "第一书记"), ("leader", "驻村队长")):
        out = ok(
            sample.path, "cadre", "add", "--name", f"测试{title}", "--unit", VILLAGE, "--role", "village",
            "--title", title,
        )  # fmt: skip
        seats[key] = out.split()[0]
    return seats


def visit(sample: Sample, home: int, by: list[str], *extra: str, day: str = "2026-11-20") -> str:
    out = ok(
        sample.path, "visit", "add", "--household", sample.households[home], "--by", ",".join(by),
        "--date", day, *extra, "--as", sample.clerk,
    )  # fmt: skip
    return out.split()[0]


def set_config(sample: Sample, key: str, value: str) -> None:
    """An admin's edit of minqing.yaml, committed with its trailers (docs: "Changing minqing.yaml")."""
    path = sample.path / "minqing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[key] = yaml.safe_load(value)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(
        sample.path, "commit", "-q", "-am",
        f"配置 {key}\n\nLedger-Op: config.edit\nLedger-Entry: minqing.yaml\nLedger-Actor: {sample.admin}\n",
    )  # fmt: skip


# ---------------------------------------------------------------- visit add --round


def test_round_is_written_on_the_visit(sample: Sample, team: dict[str, str]) -> None:
    visit_id = visit(sample, 0, list(team.values()), "--round", "3")
    (doc,) = [doc for doc in yaml.safe_load_all((sample.path / STREAM).read_text(encoding="utf-8")) if doc]
    assert doc["id"] == visit_id and doc["round"] == 3
    listed = json.loads(ok(sample.path, "visit", "list", "--json"))
    assert [row.get("round") for row in listed if row["id"] == visit_id] == [3]
    plain = visit(sample, 1, [team["village"]])
    docs = [doc for doc in yaml.safe_load_all((sample.path / STREAM).read_text(encoding="utf-8")) if doc]
    assert [doc["id"] for doc in docs if "round" not in doc] == [plain]  # a visit outside the rounds has none
    assert run("audit", ledger=sample.path).exit_code == 0
    assert run("check", ledger=sample.path).exit_code == 0


@pytest.mark.parametrize("value", ["0", "5", "x", "第二轮", "-1"])
def test_a_round_outside_1_to_rounds_is_refused(sample: Sample, value: str) -> None:
    result = refused(
        sample.path, "visit", "add", "--household", sample.households[0], "--by", sample.village_cadre,
        "--round", value, "--as", sample.clerk,
    )  # fmt: skip
    assert f"--round 的值“{value}”无效：应为 1 到 4 的轮次（总轮数在 minqing.yaml 中设定）" in result.stderr
    english = refused(
        sample.path, "--lang", "en", "visit", "add", "--household", sample.households[0], "--by",
        sample.village_cadre, "--round", value, "--as", sample.clerk,
    )  # fmt: skip
    assert (
        f"--round: invalid value '{value}'; accepted: a round from 1 to 4 (minqing.yaml rounds)"
        in english.stderr
    )


def test_minqing_yaml_rounds_sets_the_last_round(sample: Sample) -> None:
    set_config(sample, "rounds", "6")
    visit(sample, 0, [sample.village_cadre], "--round", "6")
    refused(
        sample.path, "visit", "add", "--household", sample.households[0], "--by", sample.village_cadre,
        "--round", "7", "--as", sample.clerk, contains="1 到 6",
    )  # fmt: skip


# ---------------------------------------------------------------- check --teams


def test_a_full_team_passes_and_a_short_one_is_one_finding_at_its_line(
    sample: Sample, team: dict[str, str]
) -> None:
    full = visit(sample, 0, list(team.values()), "--round", "1")
    short = visit(
        sample, 1, [team["county"], team["township"], team["village"], sample.clerk], "--round", "1"
    )
    visit(sample, 0, [team["village"]], day="2026-11-21")  # no round: not a team visit, not judged
    assert full != short
    assert run("check", ledger=sample.path).exit_code == 0  # plain check does not judge teams
    result = run("check", "--teams", ledger=sample.path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{STREAM}:2: 第 1 轮走访 {short} 缺少驻村工作队长、第一书记（minqing.yaml team_roles）"
    ]
    english = run("--lang", "en", "check", "--teams", "--json", ledger=sample.path)
    assert english.exit_code == 1
    (finding,) = json.loads(english.stdout)["findings"]
    assert finding == {
        "path": STREAM,
        "line": 2,
        "code": "team_incomplete",
        "message": f"team visit {short} of round 1 lacks: work-team leader, first secretary (minqing.yaml team_roles)",
    }


def test_a_corrected_team_is_judged_by_its_correction(sample: Sample, team: dict[str, str]) -> None:
    short = visit(sample, 0, [team["county"], team["township"]], "--round", "2")
    assert run("check", "--teams", ledger=sample.path).exit_code == 1
    ok(sample.path, "visit", "edit", short, "--by", ",".join(team.values()), "--reason", "漏录三名队员")
    assert run("check", "--teams", ledger=sample.path).exit_code == 0


def test_team_roles_come_from_minqing_yaml(sample: Sample, team: dict[str, str]) -> None:
    visit(sample, 0, [team["county"], team["secretary"]], "--round", "1")
    assert run("check", "--teams", ledger=sample.path).exit_code == 1
    set_config(sample, "team_roles", "[county_leader, first_secretary]")
    assert run("check", "--teams", ledger=sample.path).exit_code == 0
    set_config(sample, "team_roles", "[county_leader, first_secretary, team_leader]")
    result = run("check", "--teams", ledger=sample.path)
    assert result.exit_code == 1 and "缺少驻村工作队长（" in result.stdout
    set_config(sample, "team_roles", "[]")  # an office that does not check its teams
    assert run("check", "--teams", ledger=sample.path).exit_code == 0
    assert run("check", ledger=sample.path).exit_code == 0  # the settings are valid minqing.yaml


def test_an_unknown_team_role_in_minqing_yaml_is_a_check_finding(sample: Sample) -> None:
    set_config(sample, "team_roles", "[mayor]")
    result = run("check", ledger=sample.path)
    assert result.exit_code == 1 and "minqing.yaml" in result.stdout and "mayor" in result.stdout


def test_seats_follow_the_title_before_the_role() -> None:
    def cadre(role: str, title: str | None = None) -> Cadre:
        return Cadre(id="C-000000", role=role, title=title)

    assert team_role(cadre("village", "第一书记")) == "first_secretary"
    assert team_role(cadre("village", "驻村工作队长")) == "team_leader"
    assert team_role(cadre("village", "村主任")) == "village"
    assert team_role(cadre("village")) == "village"
    assert team_role(cadre("township_leader", "副乡长")) == "township_leader"
    assert team_role(cadre("county_leader")) == "county_leader"
    assert team_role(cadre("clerk", "录入员")) is None
    five = [
        cadre("county_leader"),
        cadre("township_leader"),
        cadre("village", "驻村队长"),
        cadre("village", "第一书记"),
    ]
    assert missing_roles(["county_leader", "first_secretary", "village"], five) == ["village"]


# ---------------------------------------------------------------- rollup --by round


def test_rollup_by_round(sample: Sample, team: dict[str, str]) -> None:
    everyone = list(team.values())
    visit(sample, 0, everyone, "--round", "1", day="2026-11-03")
    visit(sample, 1, everyone, "--round", "1", "--survey", "不满意", day="2026-11-04")
    visit(sample, 0, everyone, "--round", "2", "--survey", "满意", day="2026-11-17")
    visit(sample, 0, everyone, "--round", "2", day="2026-11-18")  # the same household twice in one round
    visit(sample, 1, [team["village"]], day="2026-11-18")  # outside the rounds: no round row
    ok(
        sample.path,
        "survey",
        "add",
        "--household",
        sample.households[2],
        "--result",
        "基本满意",
        "--date",
        "2026-11-19",
    )
    args = ("rollup", "--period", "month", "--date", "2026-11-20", "--by")
    data = json.loads(ok(sample.path, *args, "轮次", "--format", "json"))
    assert data["by"] == "round"
    rows = [
        (
            row["unit"],
            row["name"],
            row["visits"],
            row["households_visited"],
            row["surveyed"],
            row["survey_satisfaction"],
        )
        for row in data["rows"]
    ]
    assert rows == [
        ("1", "第 1 轮", 2, 2, 1, 0.0),
        ("2", "第 2 轮", 2, 1, 1, 1.0),
        ("-", "未分轮次", 0, 0, 1, 1.0),
    ]
    total = data["total"]
    assert (total["visits"], total["households_visited"], total["surveyed"], total["survey_satisfaction"]) == (
        4, 3, 3, 0.6667,
    )  # fmt: skip
    assert total["opened"] is None and data["rows"][0]["coverage"] is None  # nothing else has a round
    table = ok(sample.path, *args, "round")
    assert "按轮次" in table and "第 2 轮" in table and "群众认可度" in table and "66.7%" in table
    english = list(
        csv.DictReader(
            io.StringIO(ok(sample.path, "--lang", "en", *args, "round", "--format", "csv").lstrip("\ufeff"))
        )
    )
    assert [(row["round"], row["surveyed"], row["survey satisfaction"]) for row in english][:3] == [
        ("round 1", "1", "0.0"), ("round 2", "1", "1.0"), ("no round", "1", "1.0"),
    ]  # fmt: skip
    assert run("audit", ledger=sample.path).exit_code == 0


def test_a_wrong_round_is_corrected_with_visit_edit(sample: Sample, team: dict[str, str]) -> None:
    wrong = visit(sample, 0, list(team.values()), "--round", "3")
    refused(sample.path, "visit", "edit", wrong, "--round", "9", "--reason", "轮次录错", contains="--round")
    out = ok(sample.path, "visit", "edit", wrong, "--round", "2", "--reason", "轮次录错")
    assert out.split()[2:] == ["更正", wrong]
    data = json.loads(ok(sample.path, "rollup", "--by", "round", "--format", "json", "--date", "2026-11-20"))
    assert [(row["unit"], row["visits"]) for row in data["rows"]] == [("2", 1)]
    assert run("audit", ledger=sample.path).exit_code == 0


def test_a_round_past_minqing_yaml_rounds_is_a_check_finding(sample: Sample, team: dict[str, str]) -> None:
    visit(sample, 0, list(team.values()), "--round", "4")
    path = sample.path / STREAM
    path.write_text(path.read_text(encoding="utf-8").replace("round: 4", "round: 9"), encoding="utf-8")
    result = run("check", ledger=sample.path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{STREAM}:1: round 为 9，超出 minqing.yaml 设定的 4 轮：应为 1 到 4"
    ]
    git(sample.path, "checkout", "-q", "--", STREAM)
    set_config(sample, "rounds", "3")  # an office that lowers its rounds: the visits of round 4 stand out
    assert "round 为 4，超出 minqing.yaml 设定的 3 轮" in run("check", ledger=sample.path).stdout
