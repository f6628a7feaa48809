"""Issue 15: a clerk's corrections. Items are corrected (更正) and voided (作废) as operations: one commit each with
trailers and a reason, old values kept in history, checked by audit; bad input refused with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import refused, run
from foundation_util import World, world_template

from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import audit


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def git(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def item_file(w: World, key: str) -> dict:
    led = Ledger.open(w.path)
    return yaml.safe_load((w.path / led.path_of(w[key])).read_text(encoding="utf-8"))


def audit_codes(w: World) -> list[str]:
    return [finding.code for finding in audit.audit_repo(w.path, mark=False).findings]


def rollup_total(w: World) -> dict:
    out = ok(w, "rollup", "--period", "year", "--date", "2026-11-23", "--format", "json")
    return json.loads(out)["total"]


# ---------------------------------------------------------------- 更正


def test_edit_corrects_the_item_keeps_the_old_values_and_is_one_audited_commit(w: World) -> None:
    before = item_file(w, "registered")
    out = ok(
        w, "issue", "edit", w["registered"], "--category", "water", "--desc", "水管漏水", "--reason", "录错"
    )
    assert out.startswith(w["registered"])
    after = item_file(w, "registered")
    assert (after["category"], after["desc"]) == ("water", "水管漏水")
    entry = after["history"][-1]
    assert entry["op"] == "edit"
    assert entry["fields"] == {"desc": "水管漏水", "category": "water", "reason": "录错"}
    # the old values are still in the history (the create entry) and in git
    assert after["history"][0]["fields"]["desc"] == before["desc"]
    message = git(w.path, "log", "-1", "--format=%B")
    assert message.startswith(f"更正 {w['registered']}")
    assert "Ledger-Op: issue.edit" in message and f"Ledger-Entry: {w['registered']}" in message
    assert audit_codes(w) == []
    shown = ok(w, "issue", "show", w["registered"])
    assert "更正" in shown and "录错" in shown


def test_edit_moves_an_item_to_another_household_or_to_a_unit(w: World) -> None:
    ok(w, "issue", "edit", w["registered"], "--household", w["h3"], "--reason", "户录错")
    moved = item_file(w, "registered")
    assert moved["household"] == w["h3"] and moved["unit"] == "520602102201"
    ok(w, "issue", "edit", w["registered"], "--unit", "520602101202", "--reason", "是村里的事")
    moved = item_file(w, "registered")
    assert moved["household"] is None and moved["unit"] == "520602101202"
    assert audit_codes(w) == []


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("--category", "housing", "--reason", "同"), "没有要更正的内容"),  # nothing differs
        (("--category", "water"), "--reason"),  # no reason
        (("--category", "roads", "--reason", "错"), "roads"),
        (("--kind", "petition", "--reason", "错"), "信访"),
        (("--household", "H-ZZZZZZ", "--reason", "错"), "H-ZZZZZZ"),
        (("--unit", "520602999999", "--reason", "错"), "520602999999"),
        (("--household", "{h1}", "--unit", "520602101202", "--reason", "错"), "--household"),
        (("--desc", "  ", "--reason", "错"), "--desc"),
    ],
)
def test_bad_edits_are_refused_and_write_nothing(w: World, args: tuple[str, ...], contains: str) -> None:
    argv = [arg.format(h1=w["h1"]) for arg in args]
    refused(w.path, "issue", "edit", w["registered"], *argv, contains=contains)


def test_a_closed_item_is_corrected_only_by_a_role_that_may_close_it(w: World) -> None:
    refused(
        w.path,
        "issue",
        "edit",
        w["closed"],
        "--desc",
        "更正",
        "--reason",
        "错",
        "--as",
        w["clerk"],
        contains="",
    )
    ok(
        w,
        "issue",
        "edit",
        w["closed"],
        "--desc",
        "猪圈屋顶漏雨",
        "--reason",
        "描述不全",
        "--as",
        w["village"],
    )
    assert item_file(w, "closed")["state"] == "closed"
    assert audit_codes(w) == []


# ---------------------------------------------------------------- 作废


def test_void_takes_the_item_out_of_every_count_and_list_but_show_keeps_it(w: World) -> None:
    total_before = rollup_total(w)
    status_before = json.loads(ok(w, "status", "--json"))["counts"]
    listed_before = ok(w, "issue", "list")
    assert w["in_progress"] in listed_before
    out = ok(w, "issue", "void", w["in_progress"], "--reason", "与另一事项重复")
    assert "已作废" in out
    voided = item_file(w, "in_progress")
    assert (voided["state"], voided["void_reason"]) == ("voided", "与另一事项重复")
    assert voided["voided"] == "2026-11-23"
    total_after = rollup_total(w)
    assert total_after["raised"] == total_before["raised"] - 1
    assert total_after["open"] == total_before["open"] - 1
    status_after = json.loads(ok(w, "status", "--json"))["counts"]
    assert status_after["items"] == status_before["items"] - 1
    assert status_after["open"] == status_before["open"] - 1
    assert w["in_progress"] not in ok(w, "issue", "list")
    assert w["in_progress"] not in ok(w, "issue", "list", "--state", "open")
    listed_all = [line for line in ok(w, "issue", "list", "--all").splitlines() if w["in_progress"] in line]
    assert len(listed_all) == 1 and "已作废" in listed_all[0]
    only_voided = ok(w, "issue", "list", "--state", "voided", "--json")
    assert [row["id"] for row in json.loads(only_voided)] == [w["in_progress"]]
    assert "已作废" in ok(w, "issue", "show", w["in_progress"])
    assert git(w.path, "log", "-1", "--format=%s").startswith(f"作废 {w['in_progress']}")
    assert audit_codes(w) == []
    assert run("check", ledger=w.path).exit_code == 0


def test_a_voided_item_cannot_be_worked_on_voided_again_or_corrected(w: World) -> None:
    ok(w, "issue", "void", w["registered"], "--reason", "重复")
    for args in (
        ("issue", "assign", w["registered"], "--leader", w["town"], "--due", "2026-12-30"),
        ("issue", "resolve", w["registered"], "--how", "solved", "--note", "x"),
        ("issue", "void", w["registered"], "--reason", "再次"),
        ("issue", "edit", w["registered"], "--desc", "新", "--reason", "错"),
    ):
        refused(w.path, *args, contains="已作废")


def test_void_needs_a_reason_and_a_closed_item_a_closing_role(w: World) -> None:
    refused(w.path, "issue", "void", w["registered"], contains="--reason")
    refused(w.path, "issue", "void", w["closed"], "--reason", "错", "--as", w["clerk"])
    ok(w, "issue", "void", w["closed"], "--reason", "重复登记", "--as", w["village"])


def test_audit_flags_a_void_forged_by_hand(w: World) -> None:
    """A clerk who cannot void a closed item edits the file by hand and commits it with the right trailers."""
    led = Ledger.open(w.path)
    rel = led.path_of(w["closed"])
    path = w.path / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["state"] = "voided"
    data["voided"] = "2026-11-23"
    data["void_reason"] = "冒充"
    data["history"].append(
        {"id": "F0RGED0V01", "at": "2026-11-23T10:00:00+08:00", "by": w["clerk"], "op": "void",
         "fields": {"reason": "冒充"}}
    )  # fmt: skip
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(w.path, "add", "-A")
    message = f"作废\n\nLedger-Op: issue.void\nLedger-Entry: {w['closed']}\nLedger-Actor: {w['clerk']}\n"
    git(
        w.path,
        "-c",
        "user.name=x",
        "-c",
        f"user.email={w['clerk']}@minqing.invalid",
        "commit",
        "-qm",
        message,
    )
    assert audit_codes(w) != []


# ---------------------------------------------------------------- visits and activities: append-only corrections


def add_visit(w: World, date: str = "2026-11-20", **extra: str) -> str:
    args = [
        "visit",
        "add",
        "--household",
        w["h1"],
        "--by",
        w["village"],
        "--date",
        date,
        "--note",
        "入户走访",
    ]
    for key, value in extra.items():
        args += [f"--{key}", value]
    return ok(w, *args).split()[0]


def visits_in(w: World, month: str) -> int:
    out = ok(w, "rollup", "--period", "month", "--date", f"{month}-15", "--format", "json")
    return json.loads(out)["total"]["visits"]


def stream_text(w: World, rel: str) -> str:
    return (w.path / rel).read_text(encoding="utf-8")


def test_a_visit_corrected_in_place_is_a_new_document_and_counts_once(w: World) -> None:
    original = add_visit(w)
    before = stream_text(w, "visits/2026-11/520602101201.yaml")
    count = visits_in(w, "2026-11")
    out = ok(w, "visit", "edit", original, "--note", "入户走访，核实低保", "--reason", "记录不全")
    corrected = out.split()[0]
    assert corrected != original and f"更正 {original}" in out
    after = stream_text(w, "visits/2026-11/520602101201.yaml")
    assert after.startswith(before)  # append-only: the original is untouched
    assert f"corrects: {original}" in after and "reason: 记录不全" in after
    assert visits_in(w, "2026-11") == count
    listed = ok(w, "visit", "list")
    assert corrected in listed and original not in listed and "核实低保" in listed
    assert git(w.path, "log", "-1", "--format=%s").startswith(f"更正走访 {original} → {corrected}")
    # The old id still leads to the record in force.
    again = ok(w, "visit", "edit", original, "--by", f"{w['village']},{w['town']}", "--reason", "漏记走访人")
    assert f"更正 {corrected}" in again
    assert audit_codes(w) == []
    assert run("check", ledger=w.path).exit_code == 0


def test_a_visit_moved_to_another_month_is_voided_in_its_old_file(w: World) -> None:
    original = add_visit(w, date="2026-11-20")
    november, october = visits_in(w, "2026-11"), visits_in(w, "2026-10")
    out = ok(w, "visit", "edit", original, "--date", "2026-10-20", "--reason", "日期录错")
    corrected = out.split()[0]
    assert visits_in(w, "2026-11") == november - 1
    assert visits_in(w, "2026-10") == october + 1
    old_file = stream_text(w, "visits/2026-11/520602101201.yaml")
    assert f"voids: {original}" in old_file and f"corrected_by: {corrected}" in old_file
    assert f"corrects: {original}" in stream_text(w, "visits/2026-10/520602101201.yaml")
    entries = git(w.path, "log", "-1", "--format=%(trailers:key=Ledger-Entry,valueonly)").split()
    assert corrected in entries and len(entries) == 2
    assert audit_codes(w) == []


def test_a_voided_visit_leaves_the_counts_and_lists_its_items(w: World) -> None:
    raised = ok(
        w, "visit", "add", "--household", w["h1"], "--by", w["village"], "--date", "2026-11-20",
        "--raise", "屋顶漏雨", "--category", "housing",
    )  # fmt: skip
    visit_id, item_id = raised.split()[0], raised.split()[2]
    count = visits_in(w, "2026-11")
    result = run("visit", "void", visit_id, "--reason", "重复录入", ledger=w.path)
    assert result.exit_code == 0, result.output
    assert "已作废" in result.stdout and item_id in result.stderr and "issue void" in result.stderr
    assert visits_in(w, "2026-11") == count - 1
    assert visit_id not in ok(w, "visit", "list")
    refused(w.path, "visit", "void", visit_id, "--reason", "再次", contains="已由")
    refused(w.path, "visit", "edit", visit_id, "--note", "x", "--reason", "错", contains="已由")
    assert audit_codes(w) == []


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("--note", "入户走访", "--reason", "同"), "没有要更正的内容"),
        (("--note", "新"), "--reason"),
        (("--date", "2026-12-01", "--reason", "错"), "2026-12-01"),
        (("--date", "2026-02-30", "--reason", "错"), "2026-02-30"),
        (("--household", "H-ZZZZZZ", "--reason", "错"), "H-ZZZZZZ"),
        (("--by", "{recalled}", "--reason", "错"), "{recalled}"),
        (("--note", "新", "--reason", "  "), "--reason"),
    ],
)
def test_bad_visit_corrections_are_refused_and_write_nothing(
    w: World, args: tuple[str, ...], contains: str
) -> None:
    visit_id = add_visit(w)
    argv = [arg.format(recalled=w["recalled"]) for arg in args]
    refused(w.path, "visit", "edit", visit_id, *argv, contains=contains.format(recalled=w["recalled"]))


def test_unknown_visits_and_activities_are_refused(w: World) -> None:
    refused(w.path, "visit", "edit", "V-ZZZZZZ", "--note", "x", "--reason", "y", contains="V-ZZZZZZ")
    refused(w.path, "visit", "void", "V-ZZZZZZ", "--reason", "y", contains="V-ZZZZZZ")
    refused(w.path, "activity", "void", "A-ZZZZZZ", "--reason", "y", contains="A-ZZZZZZ")


def test_activity_corrections_change_the_totals_as_corrected(w: World) -> None:
    out = ok(
        w, "activity", "add", "--kind", "night_school", "--unit", "520602101201", "--date", "2026-11-20",
        "--title", "猕猴桃冬季管护", "--participants", "35",
    )  # fmt: skip
    activity_id = out.split()[0]

    def totals() -> tuple[int, int]:
        total = json.loads(ok(w, "rollup", "--period", "month", "--date", "2026-11-15", "--format", "json"))[
            "total"
        ]
        return total["activities"], total["participants"]

    activities, people = totals()
    corrected = ok(
        w, "activity", "edit", activity_id, "--participants", "53", "--reason", "人数录错"
    ).split()[0]
    assert totals() == (activities, people + 18)
    refused(
        w.path,
        "activity",
        "edit",
        corrected,
        "--participants",
        "53",
        "--reason",
        "同",
        contains="没有要更正的内容",
    )
    ok(w, "activity", "void", corrected, "--reason", "重复录入")
    assert totals() == (activities - 1, people - 35)
    assert corrected not in ok(w, "activity", "list")
    refused(w.path, "activity", "edit", activity_id, "--title", "新", "--reason", "错", contains="已由")
    assert audit_codes(w) == []
    assert run("check", ledger=w.path).exit_code == 0


# ---------------------------------------------------------------- undo (撤销)


def test_undo_voids_todays_visit_and_its_items_as_a_new_operation(w: World) -> None:
    raised = ok(
        w, "visit", "add", "--household", w["h1"], "--by", w["village"], "--date", "2026-11-23",
        "--raise", "屋顶漏雨", "--category", "housing", "--as", w["clerk"],
    )  # fmt: skip
    visit_id, item_id = raised.split()[0], raised.split()[2]
    count = visits_in(w, "2026-11")
    head = git(w.path, "rev-parse", "HEAD").strip()
    out = ok(w, "undo", "--reason", "录错了户", "--as", w["clerk"])
    assert "visit.add" in out and visit_id not in out and item_id in out  # the void is a new document
    assert git(w.path, "rev-parse", "HEAD~1").strip() == head  # a new commit, nothing rewritten
    message = git(w.path, "log", "-1", "--format=%B")
    assert message.startswith("撤销 visit.add") and "Ledger-Op: undo" in message
    assert visits_in(w, "2026-11") == count - 1
    assert item_file_by_id(w, item_id)["state"] == "voided"
    assert audit_codes(w) == []


def item_file_by_id(w: World, item_id: str) -> dict:
    led = Ledger.open(w.path)
    return yaml.safe_load((w.path / led.path_of(item_id)).read_text(encoding="utf-8"))


def test_undo_reverses_a_pairing(w: World) -> None:
    ok(w, "pair", w["village"], w["h2"], "--as", w["town"])
    ok(w, "undo", "--as", w["town"])
    assert w["h2"] not in Ledger.open(w.path).cadre(w["village"]).pairings
    assert audit_codes(w) == []


def test_undo_is_refused_when_others_built_on_it_or_it_has_its_own_correction(w: World) -> None:
    out = ok(w, "issue", "add", "--desc", "路灯坏了", "--category", "infrastructure", "--unit", "520602101201",
             "--as", w["clerk"])  # fmt: skip
    item_id = out.split()[0]
    ok(w, "issue", "assign", item_id, "--leader", w["town"], "--due", "2026-12-20", "--as", w["town"])
    result = refused(w.path, "undo", "--as", w["clerk"], contains="交办")
    assert item_id not in result.stdout
    # The township leader's own last operation is an assign: corrected with its own commands.
    refused(w.path, "undo", "--as", w["town"], contains="issue edit")
    # A cadre who never did anything has nothing to undo.
    refused(w.path, "undo", "--as", w["county"], contains=w["county"])


def test_undo_only_reaches_back_to_today(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(w, "pair", w["village"], w["h2"], "--as", w["town"])
    monkeypatch.setenv("MINQING_NOW", "2026-11-24T09:00:00+08:00")
    refused(w.path, "undo", "--as", w["town"], contains="2026-11-23")


def test_audit_flags_voids_outside_their_operation_and_of_records_not_there(w: World) -> None:
    visit_id = add_visit(w)
    rel = "visits/2026-11/520602101201.yaml"
    base = (
        f"date: '2026-11-20', kind: visit, household: {w['h1']}, village: '520602101201', unit: '520602101201', "
        f"by: [{w['village']}], note: x, items: [], at: '2026-11-23T10:00:00+08:00', recorded_by: {w['admin']}"
    )

    def hand(line: str, op: str, entry: str) -> str:
        with open(w.path / rel, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        git(w.path, "add", "-A")
        message = f"手工\n\nLedger-Op: {op}\nLedger-Entry: {entry}\nLedger-Actor: {w['admin']}\n"
        stamp = {
            "GIT_AUTHOR_DATE": "2026-11-23T10:00:00+08:00",
            "GIT_COMMITTER_DATE": "2026-11-23T10:00:00+08:00",
        }
        subprocess.run(
            ["git", "-c", "user.name=x", "-c", f"user.email={w['admin']}@minqing.invalid", "commit", "-qm", message],
            cwd=w.path, check=True, env={**os.environ, **stamp},
        )  # fmt: skip
        return git(w.path, "rev-parse", "HEAD").strip()

    sneaked = hand(
        f"--- {{id: V-FAKE01, {base}, voids: {visit_id}, reason: 偷偷作废}}", "visit.add", "V-FAKE01"
    )
    unknown = hand(f"--- {{id: V-FAKE02, {base}, voids: V-ZZZZZZ, reason: 作废}}", "visit.void", "V-FAKE02")
    found = [(f.commit, f.code) for f in audit.audit_repo(w.path, mark=False).findings]
    assert found == [(sneaked, "revision_outside_op"), (unknown, "revision_unknown")]


# ---------------------------------------------------------------- dates that cannot be


def test_no_visit_before_the_household_was_registered(w: World) -> None:
    home = ok(
        w, "household", "add", "--head", "测试户戊", "--village", "520602101201", "--registered", "2026-11-10"
    ).split()[0]
    refused(
        w.path, "visit", "add", "--household", home, "--by", w["village"], "--date", "2026-11-09",
        contains="2026-11-10",
    )  # fmt: skip
    visit_id = ok(
        w, "visit", "add", "--household", home, "--by", w["village"], "--date", "2026-11-10"
    ).split()[0]
    refused(
        w.path, "visit", "edit", visit_id, "--date", "2026-11-01", "--reason", "错", contains="2026-11-10"
    )
    refused(w.path, "household", "add", "--head", "测试户己", "--village", "520602101201",
            "--registered", "2026-12-01", contains="2026-12-01")  # fmt: skip
    assert audit_codes(w) == []


def test_an_item_is_not_resolved_before_raised_nor_fed_back_or_closed_before_resolved(w: World) -> None:
    from minqing.ledgers.core.errors import Refused
    from minqing.ledgers.ops import workflow

    led = Ledger.open(w.path)
    with pytest.raises(Refused, match="before it was registered"):
        workflow.resolve(led, None, w["assigned"], "solved", "已修", at="2026-11-01T10:00:00+08:00")
    with pytest.raises(Refused, match="feedback on 2026-11-02"):
        workflow.feedback(led, None, w["resolved"], "satisfied", at="2026-11-02T10:00:00+08:00")
    with pytest.raises(Refused, match="closed on 2026-11-03"):
        workflow.close(led, None, w["resolved_fb"], at="2026-11-03T10:00:00+08:00")
    assert run("check", ledger=w.path).exit_code == 0
