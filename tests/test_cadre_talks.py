"""谈心谈话 with cadres (issue 18, seed 002): `visit add --kind talk --with C` names a cadre in place of a household;
the talk is kept in the stream of the village the cadre is posted to (or serves in), problems raised at it are the
unit's items, `duties` holds each work-team cadre to a talk a quarter, and rollups count talks with households and
with cadres apart. Audit catches a talk filed under another village. Through the CLI against real git ledgers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import git, refused, run

from minqing.ledgers.core import yamlio

BANLI = "520602101201"
TAOYING = "520602101202"
AGRI = "520602D01"


def ok(*args: str, ledger: Path) -> str:
    result = run(*args, ledger=ledger)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def team(sample):
    """A department's first secretary posted to 桃映村 (their own unit is the township), and the sample's village
    cadre of 板栗园村 (no posting: kept at the village they serve in)."""
    path = sample.path
    ok("org", "add", AGRI, "区农业农村局", ledger=path)
    out = ok(
        "cadre", "add", "--name", "王书记", "--unit", "520602101", "--role", "village", "--title", "第一书记",
        "--department", AGRI, ledger=path,
    )  # fmt: skip
    sample.secretary = out.split()[0]
    ok("cadre", "post", sample.secretary, "--village", TAOYING, ledger=path)
    return sample


def _stream(path: Path, village: str) -> list[dict]:
    return list(yaml.safe_load_all((path / f"visits/2026-11/{village}.yaml").read_text(encoding="utf-8")))


def test_a_talk_with_a_posted_cadre_is_kept_in_their_village(team):
    out = ok(
        "visit", "add", "--kind", "talk", "--with", team.secretary, "--by", team.township_leader,
        "--date", "2026-11-20", "--note", "谈驻村工作", "--raise", "驻村补助未按时发放", "--category", "other",
        ledger=team.path,
    )  # fmt: skip
    visit_id, item_id = out.split()[0], out.splitlines()[1].split()[0]
    (doc,) = _stream(team.path, TAOYING)
    assert (doc["id"], doc["kind"], doc["household"], doc["with_cadre"]) == (
        visit_id,
        "talk",
        None,
        team.secretary,
    )
    assert (doc["village"], doc["unit"], doc["by"], doc["items"]) == (TAOYING, TAOYING, [team.township_leader],
                                                                      [item_id])  # fmt: skip
    item = json.loads(ok("issue", "show", item_id, "--json", ledger=team.path))
    assert (item["household"], item["unit"], item["visit"]) == (None, TAOYING, visit_id)
    subject = git(team.path, "log", "-1", "--format=%s").strip()
    assert subject.startswith(f"谈心谈话 王书记（{team.secretary}） 2026-11-20") and subject.endswith(
        "登记 1 项"
    )
    assert f"Ledger-Visitor: {team.township_leader}" in git(team.path, "log", "-1", "--format=%B")
    listed = ok("visit", "list", ledger=team.path).splitlines()[2]
    assert f"干部 王书记 {team.secretary}" in listed  # the cadre talked with, where a household would be
    assert "驻村: — → 桃映村" in ok("log", team.secretary, ledger=team.path)
    assert run("audit", ledger=team.path).exit_code == 0
    assert run("check", ledger=team.path).exit_code == 0


def test_a_village_cadre_without_posting_is_talked_with_in_their_village(team):
    ok("visit", "add", "--kind", "谈心谈话", "--with", team.village_cadre, "--by", team.secretary,
       "--date", "2026-11-21", ledger=team.path)  # fmt: skip
    (doc,) = _stream(team.path, BANLI)
    assert (doc["with_cadre"], doc["village"]) == (team.village_cadre, BANLI)


@pytest.mark.parametrize(
    "extra,contains",
    [
        (("--household", "H"), "--household"),  # a household and a cadre: one or the other
        (("--kind", "visit"), "--kind talk"),
        (("--kind", "stay"), "--kind talk"),
    ],
)
def test_with_is_for_talks_only_and_excludes_a_household(team, extra, contains):
    args = ["visit", "add", "--with", team.secretary, "--by", team.township_leader, *extra]
    if "--kind" not in extra:
        args += ["--kind", "talk"]
    if "--household" in extra:
        args[args.index("H")] = team.households[0]
    refused(team.path, *args, contains=contains)


def test_refused_talks_write_nothing(team):
    talk = ("visit", "add", "--kind", "talk", "--by", team.township_leader)
    # a township cadre with no posting has no village stream to be kept in
    refused(team.path, *talk, "--with", team.clerk, contains="未驻村")
    english = refused(team.path, "--lang", "en", *talk, "--with", team.county_leader)
    assert "is neither posted to nor serving in a village" in english.stderr
    refused(team.path, *talk, "--with", team.township_leader, contains="--by")  # talking with oneself
    refused(team.path, *talk, "--with", "C-ZZZZZZ", contains="--with")
    ok("cadre", "recall", team.village_cadre, "--reason", "调离", ledger=team.path)
    refused(team.path, *talk, "--with", team.village_cadre, contains=team.village_cadre)


def test_duties_hold_each_team_cadre_to_a_talk_a_quarter(team):
    missing = run("duties", "--only", "cadre_talks", ledger=team.path)
    assert missing.exit_code == 1
    assert missing.stdout.splitlines() == [
        f"cadres/{team.secretary}.yaml: 驻村工作队干部 {team.secretary}（王书记）2026Q4 被谈心谈话 0 次：每季度至少 1 次"
    ]
    english = json.loads(
        run("--lang", "en", "duties", "--only", "cadre_talks", "--json", ledger=team.path).stdout
    )
    assert english["findings"][0]["message"].startswith(
        f"work-team cadre {team.secretary} (王书记) was talked with 0"
    )
    ok("visit", "add", "--kind", "talk", "--with", team.secretary, "--by", team.county_leader, "--date",
       "2026-10-09", ledger=team.path)  # fmt: skip
    assert run("duties", "--only", "cadre_talks", ledger=team.path).exit_code == 0
    # a talk with a household is not a talk with a cadre; minqing.yaml adds roles to the team
    ok("visit", "add", "--kind", "talk", "--household", team.households[0], "--by", team.village_cadre,
       "--date", "2026-11-02", ledger=team.path)  # fmt: skip
    config = team.path / "minqing.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("cadre_talk_roles: []", "cadre_talk_roles: [village]"),
        encoding="utf-8",
    )
    data = json.loads(run("duties", "--only", "cadre_talks", "--json", ledger=team.path).stdout)
    assert [(f["cadre"], f["count"]) for f in data["findings"]] == [(team.village_cadre, 0)]


def test_rollup_counts_talks_with_households_and_with_cadres_apart(team):
    for args in (
        ("--with", team.secretary, "--by", team.township_leader, "--date", "2026-11-05"),
        ("--with", team.village_cadre, "--by", team.secretary, "--date", "2026-11-06"),
        ("--household", team.households[0], "--by", team.village_cadre, "--date", "2026-11-07"),
    ):
        ok("visit", "add", "--kind", "talk", *args, ledger=team.path)
    data = json.loads(ok("rollup", "--by", "village", "--format", "json", ledger=team.path))
    got = {r["unit"]: (r["talks"], r["talks_households"], r["talks_cadres"]) for r in data["rows"]}
    assert (got[BANLI], got[TAOYING]) == ((2, 1, 1), (1, 0, 1))
    total = data["total"]
    assert (
        total["talks"],
        total["talks_households"],
        total["talks_cadres"],
        total["households_visited"],
    ) == (3, 1, 2, 1)
    department = json.loads(ok("rollup", "--by", "department", "--format", "json", ledger=team.path))["rows"][
        0
    ]
    assert (department["talks"], department["talks_cadres"]) == (
        1,
        1,
    )  # the secretary talked with the village cadre
    table = ok("rollup", "--by", "village", ledger=team.path)
    assert "与农户谈心" in table and "与干部谈心" in table
    assert "talks w/ cadres" in ok("--lang", "en", "rollup", "--format", "csv", ledger=team.path)


def test_audit_catches_a_talk_filed_under_another_village(team):
    """A hand-made `visit.add` commit in the exact shape minqing writes (trailers, visitor, author) whose talk with
    the secretary (posted to 桃映村) is kept in 板栗园村's stream."""
    ok("visit", "add", "--kind", "talk", "--with", team.secretary, "--by", team.township_leader,
       "--date", "2026-11-20", ledger=team.path)  # fmt: skip
    (doc,) = _stream(team.path, TAOYING)
    forged = dict(doc, id="V-0000AB", village=BANLI, unit=BANLI)
    rel = f"visits/2026-11/{BANLI}.yaml"
    (team.path / rel).write_text(yamlio.dump_stream_doc(forged), encoding="utf-8")
    subprocess.run(["git", "add", rel], cwd=team.path, check=True)
    actor = doc["recorded_by"]
    message = (
        f"谈心谈话 王书记 2026-11-20\n\nLedger-Op: visit.add\nLedger-Entry: V-0000AB\nLedger-Actor: {actor}\n"
        f"Ledger-Visitor: {team.township_leader}\n"
    )
    subprocess.run(["git", "-c", "user.name=管理员", "-c", f"user.email={actor}@minqing.invalid", "commit", "-q",
                    "-m", message], cwd=team.path, check=True)  # fmt: skip
    result = run("audit", ledger=team.path)
    assert result.exit_code == 1
    assert f"talk with {team.secretary} kept at {TAOYING}" in result.stdout


def test_a_talk_with_a_cadre_is_corrected_but_never_into_a_household_visit(team):
    out = ok("visit", "add", "--kind", "talk", "--with", team.secretary, "--by", team.township_leader,
             "--date", "2026-11-20", ledger=team.path)  # fmt: skip
    visit_id = out.split()[0]
    refused(team.path, "visit", "edit", visit_id, "--household", team.households[0], "--reason", "录错",
            contains="--household")  # fmt: skip
    ok("visit", "edit", visit_id, "--date", "2026-11-19", "--reason", "日期录错", ledger=team.path)
    docs = _stream(team.path, TAOYING)
    assert docs[-1]["corrects"] == visit_id and docs[-1]["with_cadre"] == team.secretary
    assert docs[-1]["date"] == "2026-11-19" and docs[-1]["household"] is None
    assert run("duties", "--only", "cadre_talks", ledger=team.path).exit_code == 0
    assert run("audit", ledger=team.path).exit_code == 0
    assert run("check", ledger=team.path).exit_code == 0
