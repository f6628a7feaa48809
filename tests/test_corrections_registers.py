"""Issue 15: a clerk's corrections to the registers. `household edit|move|remove` and `cadre edit|move` are
operations (one commit with trailers, a reason, old values kept in history, checked by audit); bad input is refused
with exit 2 and nothing written; a removed household leaves the counts from its removal day, a moved household or
cadre counts at its new unit from the move day."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import refused, run
from foundation_util import World, world_template

from minqing.ledgers.core import model, operations
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import audit, schema

VILLAGE = "520602101201"  # 板栗园村 (h1, h2; group 一组)
GROUP = "52060210120101"
OTHER_VILLAGE = "520602102201"  # 宋家坝村 (h3)
LATER = "2026-12-05T10:00:00+08:00"


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def git(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def ok(w: World | Path, *args: str) -> str:
    path = w if isinstance(w, Path) else w.path
    result = run(*args, ledger=path)
    assert result.exit_code == 0, result.output
    return result.stdout


def entity(w: World, key: str) -> dict:
    led = Ledger.open(w.path)
    return yaml.safe_load((w.path / led.path_of(w[key])).read_text(encoding="utf-8"))


def audit_findings(path: Path) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in audit.audit_repo(path, mark=False).findings]


def last_commit(w: World) -> str:
    return git(w.path, "log", "-1", "--format=%B")


def changed_files(w: World) -> list[str]:
    return git(w.path, "show", "--no-renames", "--name-status", "--format=", "HEAD").split("\n")[:-1]


def assert_clean(w: World) -> None:
    """What every real correction must leave: audit and check find nothing, nothing uncommitted."""
    assert audit_findings(w.path) == []
    result = run("check", ledger=w.path)
    assert result.exit_code == 0, result.output
    assert git(w.path, "status", "--porcelain") == ""


def rollup(w: World, day: str, by: str = "village") -> dict[str, dict]:
    out = ok(w, "rollup", "--period", "month", "--date", day, "--by", by, "--format", "json")
    data = json.loads(out)
    return {row["unit"]: row for row in data["rows"]} | {"total": data["total"]}


def trailers(message: str) -> dict[str, list[str]]:
    return {key: list(values) for key, values in operations.parse_trailers(message).items()}


# ---------------------------------------------------------------- the table


def test_every_correction_is_a_row_with_its_history_ops_and_fields() -> None:
    for op in ("household.edit", "household.move", "household.remove", "cadre.edit", "cadre.move"):
        assert op in operations.OPS and operations.OPS[op].subject
    assert operations.OPS["household.move"].renames == {"household"}
    assert operations.ENTRY_FIELDS[("household", "edit")] >= {
        "head",
        "members",
        "group",
        "register_no",
        "reason",
    }
    assert operations.ENTRY_FIELDS[("item", "hand_over")] == {"leader", "reason"}
    move = operations.OPS["cadre.move"]
    assert move.allows("cadre", ("move",)) and move.allows("cadre", ("move", "unpair", "unpair"))
    assert move.allows("cadre", ("pair", "pair")) and not move.allows("cadre", ("pair", "move"))
    assert not move.allows("cadre", ()) and not move.allows("household", ("pair",))
    # cadre.edit may be done by whoever may add a cadre; household corrections by any active cadre (like add)
    assert operations.DEFAULT_PERMISSIONS["cadre.edit"] == operations.DEFAULT_PERMISSIONS["cadre.add"]
    assert "household.remove" not in operations.DEFAULT_PERMISSIONS


def test_schemas_know_the_new_ops_and_fields() -> None:
    props = {kind: schema.load(kind)["properties"] for kind in ("household", "cadre", "item")}
    assert props["household"]["remove_reason"]["enum"] == list(model.REMOVE_REASONS)
    assert {"edit", "move", "remove"} <= set(
        props["household"]["history"]["items"]["properties"]["op"]["enum"]
    )
    assert {"edit", "move"} <= set(props["cadre"]["history"]["items"]["properties"]["op"]["enum"])
    assert "hand_over" in props["item"]["history"]["items"]["properties"]["op"]["enum"]


# ---------------------------------------------------------------- household edit (更正)


def test_household_edit_records_only_what_differs_with_the_reason(w: World) -> None:
    before = entity(w, "h1")
    out = ok(
        w,
        "household",
        "edit",
        w["h1"],
        "--head",
        "测试户甲改",
        "--members",
        "4",  # unchanged: not recorded
        "--register-no",
        "BLY-009",
        "--reason",
        "户主姓名录错",
    )
    assert out.startswith(w["h1"]) and "已更正" in out
    after = entity(w, "h1")
    assert (after["head"], after["members"], after["register_no"]) == ("测试户甲改", 4, "BLY-009")
    entry = after["history"][-1]
    assert entry["op"] == "edit"
    assert entry["fields"] == {"head": "测试户甲改", "register_no": "BLY-009", "reason": "户主姓名录错"}
    assert after["history"][0]["fields"]["head"] == before["head"]  # the old value stays in the history
    message = last_commit(w)
    assert message.startswith(f"更正农户 {w['h1']} 测试户甲")
    assert trailers(message) == {
        "Ledger-Op": ["household.edit"],
        "Ledger-Entry": [w["h1"]],
        "Ledger-Actor": [w["admin"]],
    }
    assert changed_files(w) == [f"M\thouseholds/{VILLAGE}/{w['h1']}.yaml"]
    assert_clean(w)


def test_household_edit_sets_a_group_of_its_own_village(w: World) -> None:
    ok(w, "household", "edit", w["h2"], "--group", GROUP, "--members", "3", "--reason", "漏填组别")
    after = entity(w, "h2")
    assert (after["group"], after["members"]) == (GROUP, 3)
    rows = rollup(w, "2026-11-23", by="group")
    assert rows[GROUP]["households"] == 2  # h1 and now h2
    assert_clean(w)


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        ((), "--head"),  # nothing to correct
        (("--head", "新户主"), "--reason"),
        (("--head", "测试户甲", "--reason", "同"), "没有要更正的内容"),  # same as recorded
        (("--members", "0", "--reason", "错"), "--members"),
        (("--members", "51", "--reason", "错"), "--members"),
        (("--members", "四", "--reason", "错"), "--members"),
        (("--head", "  ", "--reason", "错"), "--head"),
        (("--head", "王/大", "--reason", "错"), "--head"),
        (("--group", "52060210120199", "--reason", "错"), "52060210120199"),  # not in the org tree
        (("--group", OTHER_VILLAGE, "--reason", "错"), "--group"),  # a village, not a group
        (("--head", "新户主", "--reason", " "), "--reason"),
    ],
)
def test_bad_household_edits_are_refused_and_write_nothing(
    w: World, args: tuple[str, ...], contains: str
) -> None:
    refused(w.path, "household", "edit", w["h1"], *args, contains=contains)


def test_household_edit_group_must_belong_to_the_households_village(w: World) -> None:
    result = refused(w.path, "household", "edit", w["h3"], "--group", GROUP, "--reason", "错", contains=GROUP)
    assert OTHER_VILLAGE in result.stderr  # what is accepted: a group of its own village
    refused(w.path, "household", "edit", "H-ZZZZZZ", "--head", "某", "--reason", "错", contains="H-ZZZZZZ")


# ---------------------------------------------------------------- household move (搬迁)


def test_household_move_renames_the_file_in_one_commit_and_lists_what_stays(w: World) -> None:
    old = f"households/{VILLAGE}/{w['h1']}.yaml"
    new = f"households/{OTHER_VILLAGE}/{w['h1']}.yaml"
    out = ok(w, "household", "move", w["h1"], "--village", OTHER_VILLAGE, "--reason", "易地扶贫搬迁")
    assert f"已搬迁至 {OTHER_VILLAGE}" in out
    # its items not closed are listed (they keep their unit), and so are its pairings
    for key in ("registered", "assigned", "in_progress", "resolved", "petition"):
        assert w[key] in out
    assert w["closed"] not in out
    assert f"结对保留：{w['town']}" in out
    assert sorted(changed_files(w)) == [f"A\t{new}", f"D\t{old}"]
    assert not (w.path / old).exists()
    data = yaml.safe_load((w.path / new).read_text(encoding="utf-8"))
    assert (data["village"], data["group"]) == (OTHER_VILLAGE, None)
    assert data["history"][-1]["fields"] == {"village": OTHER_VILLAGE, "reason": "易地扶贫搬迁"}
    assert data["history"][0]["fields"]["village"] == VILLAGE  # where it lived stays in the history
    assert data["pairings"] == [w["town"]]
    message = last_commit(w)
    assert message.startswith(f"搬迁 {w['h1']} 测试户甲：{VILLAGE} → {OTHER_VILLAGE}")
    assert trailers(message)["Ledger-Op"] == ["household.move"]
    assert trailers(message)["Ledger-Entry"] == [w["h1"]]
    assert entity(w, "registered")["unit"] == GROUP  # items keep the unit they were raised in
    # the whole story of the household is still one `git log --follow`
    assert len(git(w.path, "log", "--follow", "--format=%h", "--", new).split()) >= 3
    # found by id, shown, listed under the new village
    assert OTHER_VILLAGE in ok(w, "household", "show", w["h1"])
    assert w["h1"] in ok(w, "household", "list", "--unit", OTHER_VILLAGE)
    assert w["h1"] not in ok(w, "household", "list", "--unit", VILLAGE)
    assert_clean(w)


def test_log_reads_a_moved_household_as_one_file(w: World) -> None:
    ok(w, "household", "edit", w["h2"], "--members", "2", "--reason", "人口录错")
    ok(w, "household", "move", w["h2"], "--village", OTHER_VILLAGE, "--reason", "搬迁")
    out = json.loads(ok(w, "log", w["h2"], "--json"))
    ops = [entry["ledger_op"] for entry in out]
    assert ops == ["household.add", "household.edit", "household.move"]  # no delete/create pair
    assert out[-1]["path"] == f"households/{OTHER_VILLAGE}/{w['h2']}.yaml"


def test_log_of_a_household_names_its_paths_and_reads_what_the_wildcard_reads(
    w: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`log H-…` asks git for the paths the household's history names (a village, another, back again), not the
    wildcard households/*/H-….yaml, and shows the same entries; a household whose file is gone falls back to the
    wildcard and still shows its history."""
    from minqing.ledgers.read import history

    ok(w, "household", "move", w["h2"], "--village", OTHER_VILLAGE, "--reason", "搬迁")
    ok(w, "household", "edit", w["h2"], "--members", "2", "--reason", "人口录错")
    ok(w, "household", "move", w["h2"], "--village", VILLAGE, "--reason", "迁回")
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    named = json.loads(ok(w, "log", w["h2"], "--json"))
    monkeypatch.delenv("GIT_TRACE")
    asked = [line for line in trace.read_text(encoding="utf-8").splitlines() if "built-in: git log" in line]
    assert len(asked) == 1 and "*" not in asked[0], asked
    assert f"households/{OTHER_VILLAGE}/{w['h2']}.yaml" in asked[0] and f"households/{VILLAGE}/" in asked[0]
    assert [e["ledger_op"] for e in named] == [
        "household.add",
        "household.move",
        "household.edit",
        "household.move",
    ]
    monkeypatch.setattr(history, "_entity_paths", lambda ledger, entry_id: None)
    assert json.loads(ok(w, "log", w["h2"], "--json")) == named
    monkeypatch.undo()
    path = Ledger.open(w.path).path_of(w["h2"])
    git(w.path, "rm", "-q", path)
    git(
        w.path,
        "-c",
        "user.name=hand",
        "-c",
        "user.email=hand@example.invalid",
        "commit",
        "-qm",
        "hand delete",
    )
    gone = json.loads(ok(w, "log", w["h2"], "--json"))
    assert gone[:-1] == named and gone[-1]["ledger_op"] == ""


def test_household_move_into_a_group_and_visits_go_to_the_new_village(w: World) -> None:
    ok(w, "household", "move", w["h3"], "--village", VILLAGE, "--group", GROUP, "--reason", "随子女迁居")
    assert (entity(w, "h3")["village"], entity(w, "h3")["group"]) == (VILLAGE, GROUP)
    ok(w, "visit", "add", "--household", w["h3"], "--by", w["village"], "--note", "搬迁后回访")
    assert (w.path / f"visits/2026-11/{VILLAGE}.yaml").exists()
    assert_clean(w)


def test_a_moved_household_counts_in_its_new_village_from_the_move_day(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = rollup(w, "2026-11-23")
    assert (before[VILLAGE]["households"], before[OTHER_VILLAGE]["households"]) == (2, 1)
    monkeypatch.setenv("MINQING_NOW", LATER)
    ok(w, "household", "move", w["h1"], "--village", OTHER_VILLAGE, "--reason", "搬迁")
    november, december = rollup(w, "2026-11-23"), rollup(w, "2026-12-05")
    assert (november[VILLAGE]["households"], november[OTHER_VILLAGE]["households"]) == (2, 1)  # as it was
    assert (december[VILLAGE]["households"], december[OTHER_VILLAGE]["households"]) == (1, 2)
    assert december[OTHER_VILLAGE]["poor_households"] == 1  # h1 is poor
    assert november["total"]["households"] == december["total"]["households"] == 3
    assert json.loads(ok(w, "status", "--json"))["counts"]["households"] == 3
    assert_clean(w)


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("--reason", "搬迁"), "--village"),  # no village
        (("--village", VILLAGE, "--reason", "搬迁"), "已在该村"),  # where it already lives
        (("--village", "520602101", "--reason", "搬迁"), "--village"),  # a township
        (("--village", "520602101299", "--reason", "搬迁"), "520602101299"),  # not in the org tree
        (
            ("--village", OTHER_VILLAGE, "--group", GROUP, "--reason", "搬迁"),
            "--group",
        ),  # not of the new village
        (("--village", OTHER_VILLAGE), "--reason"),
    ],
)
def test_bad_household_moves_are_refused_and_write_nothing(
    w: World, args: tuple[str, ...], contains: str
) -> None:
    refused(w.path, "household", "move", w["h1"], *args, contains=contains)


# ---------------------------------------------------------------- household remove (销户)


def test_remove_is_refused_while_paired_or_with_items_not_closed_naming_them(w: World) -> None:
    result = refused(w.path, "household", "remove", w["h1"], "--reason", "died", contains=w["town"])
    assert "unpair" in result.stderr
    ok(w, "unpair", w["town"], w["h1"])
    result = refused(w.path, "household", "remove", w["h1"], "--reason", "died", contains="--transfer-to")
    for key in ("registered", "assigned", "in_progress", "resolved", "resolved_fb", "petition"):
        assert w[key] in result.stderr
    assert w["closed"] not in result.stderr


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        ((), "--reason"),
        (("--reason", "gone"), "died|moved_away|merged|duplicate|other"),
        (("--reason", "died", "--transfer-to", "{h3}"), "--transfer-to"),  # itself
        (("--reason", "died", "--transfer-to", "H-ZZZZZZ"), "H-ZZZZZZ"),
        (("--reason", "died", "--note", "\x1b[2J"), "--note"),
    ],
)
def test_bad_removals_are_refused_and_write_nothing(w: World, args: tuple[str, ...], contains: str) -> None:
    argv = [arg.format(h3=w["h3"]) for arg in args]
    refused(w.path, "household", "remove", w["h3"], *argv, contains=contains)


def test_remove_with_transfer_moves_the_open_items_in_the_same_commit(w: World) -> None:
    wishes = (w["wish"], w["wish_claimed"])
    out = ok(
        w,
        "household",
        "remove",
        w["h2"],
        "--reason",
        "merged",
        "--note",
        "并入丙户",
        "--transfer-to",
        w["h3"],
    )
    assert "已销户（合户，2026-11-23）" in out and all(q in out for q in wishes)
    home = entity(w, "h2")
    assert (home["removed"], home["remove_reason"]) == ("2026-11-23", "merged")
    assert home["history"][-1]["fields"] == {"reason": "merged", "note": "并入丙户", "transfer_to": w["h3"]}
    for key in ("wish", "wish_claimed"):
        item = entity(w, key)
        assert (item["household"], item["unit"]) == (w["h3"], OTHER_VILLAGE)
        assert item["history"][-1]["op"] == "edit" and w["h2"] in item["history"][-1]["fields"]["reason"]
    message = last_commit(w)
    assert message.startswith(f"销户 {w['h2']} 测试户乙（合户），2 项事项转给 {w['h3']}")
    assert sorted(trailers(message)["Ledger-Entry"]) == sorted([w["h2"], *wishes])
    assert len(changed_files(w)) == 3
    assert_clean(w)


def test_a_removed_household_leaves_the_counts_from_that_day_and_nothing_more_happens_to_it(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    status_before = json.loads(ok(w, "status", "--json"))["counts"]["households"]
    monkeypatch.setenv("MINQING_NOW", LATER)
    ok(w, "household", "remove", w["h2"], "--reason", "died", "--transfer-to", w["h1"])
    november, december = rollup(w, "2026-11-23"), rollup(w, "2026-12-05")
    assert november[VILLAGE]["households"] == 2 and november[VILLAGE]["poor_households"] == 1  # unchanged
    assert december[VILLAGE]["households"] == 1 and december["total"]["households"] == 2
    assert json.loads(ok(w, "status", "--json"))["counts"]["households"] == status_before - 1
    # the file and its history stay; it is listed only with --all, marked
    assert w["h2"] not in ok(w, "household", "list")
    listed = [line for line in ok(w, "household", "list", "--all").splitlines() if w["h2"] in line]
    assert len(listed) == 1 and "已销户 2026-12-05" in listed[0]
    assert "remove" in ok(w, "household", "show", w["h2"])
    for args in (
        ("visit", "add", "--household", w["h2"], "--by", w["village"]),
        ("pair", w["village"], w["h2"]),
        ("household", "edit", w["h2"], "--head", "某", "--reason", "错"),
        ("household", "move", w["h2"], "--village", OTHER_VILLAGE, "--reason", "错"),
        ("household", "set", w["h2"], "--water", "risk"),
        ("household", "remove", w["h2"], "--reason", "other"),
        ("household", "remove", w["h3"], "--reason", "merged", "--transfer-to", w["h2"]),
        ("issue", "add", "--household", w["h2"], "--desc", "新问题", "--category", "other"),
        ("issue", "edit", w["registered"], "--household", w["h2"], "--reason", "错"),
    ):
        refused(w.path, *args, contains="已于 2026-12-05 销户")
    assert_clean(w)


# ---------------------------------------------------------------- cadre edit (更正)


def test_cadre_edit_corrects_name_title_and_phone_masked(w: World) -> None:
    before = entity(w, "town")
    ok(w, "cadre", "edit", w["town"], "--title", "驻村第一书记", "--phone", "13800005678", "--reason", "录错")
    after = entity(w, "town")
    assert (after["title"], after["phone"]) == ("驻村第一书记", "138****5678")
    assert len(after["phone_hash"]) == 64 and after["phone_hash"] != before["phone_hash"]
    assert "13800005678" not in (w.path / f"cadres/{w['town']}.yaml").read_text(encoding="utf-8")
    assert "13800005678" not in git(w.path, "log", "-p", "-1")
    entry = after["history"][-1]
    assert entry["op"] == "edit" and set(entry["fields"]) == {"title", "phone", "phone_hash", "reason"}
    assert trailers(last_commit(w))["Ledger-Op"] == ["cadre.edit"]
    ok(w, "cadre", "edit", w["clerk"], "--name", "测试录入员甲", "--reason", "同名区分")
    assert entity(w, "clerk")["name"] == "测试录入员甲"
    assert_clean(w)


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        ((), "--name"),
        (("--title", "第一书记"), "--reason"),
        (("--title", "包村领导", "--reason", "同"), "没有要更正的内容"),
        (("--phone", "13800001234", "--reason", "同"), "没有要更正的内容"),  # the same number (by its hash)
        (("--phone", "12345", "--reason", "错"), "12345"),
        (("--name", "", "--reason", "错"), "--name"),
        (("--title", "第一书记", "--reason", "错", "--as", "{clerk}"), "cadre.edit"),  # clerks may not
    ],
)
def test_bad_cadre_edits_are_refused_and_write_nothing(
    w: World, args: tuple[str, ...], contains: str
) -> None:
    argv = [arg.format(clerk=w["clerk"]) for arg in args]
    refused(w.path, "cadre", "edit", w["town"], *argv, contains=contains)


# ---------------------------------------------------------------- cadre move (调动)


def test_cadre_move_keeps_cases_and_pairings_and_lists_them(w: World) -> None:
    out = ok(w, "cadre", "move", w["town"], "--unit", "520602102", "--reason", "组织调动")
    assert "已调动至 520602102" in out and "仍由其负责" in out
    for key in ("assigned", "in_progress", "petition_extended", "wish_claimed"):
        assert w[key] in out
    assert w["resolved"] not in out  # resolved: no longer a case to lead
    assert f"结对保留：{w['h1']}" in out
    cadre = entity(w, "town")
    assert cadre["unit"] == "520602102" and cadre["pairings"] == [w["h1"]]
    assert cadre["history"][-1]["fields"] == {"unit": "520602102", "reason": "组织调动"}
    assert changed_files(w) == [f"M\tcadres/{w['town']}.yaml"]
    assert entity(w, "assigned")["leader"] == w["town"]
    assert_clean(w)


def test_cadre_move_hands_over_cases_and_pairings_in_one_commit(w: World) -> None:
    cases = [w[key] for key in ("assigned", "in_progress", "petition_extended", "wish_claimed")]
    out = ok(
        w,
        "cadre",
        "move",
        w["town"],
        "--unit",
        "520602102",
        "--reason",
        "组织调动",
        "--hand-over-to",
        w["county"],
    )
    assert f"移交 {w['county']}" in out and all(case in out for case in cases)
    for case in cases:
        item = yaml.safe_load((w.path / Ledger.open(w.path).path_of(case)).read_text(encoding="utf-8"))
        assert item["leader"] == w["county"]
        assert item["history"][-1]["op"] == "hand_over"
        assert item["history"][-1]["fields"] == {"leader": w["county"], "reason": "组织调动"}
    assert entity(w, "town")["pairings"] == [] and entity(w, "county")["pairings"] == [w["h1"]]
    assert entity(w, "h1")["pairings"] == [w["county"]]
    assert [e["op"] for e in entity(w, "h1")["history"][-2:]] == ["unpair", "pair"]
    assert [e["op"] for e in entity(w, "town")["history"][-2:]] == ["move", "unpair"]
    message = last_commit(w)
    assert message.startswith(f"调动干部 {w['town']} 测试乡领导：520602101 → 520602102，移交 测试县领导")
    assert sorted(trailers(message)["Ledger-Entry"]) == sorted([w["town"], w["county"], w["h1"], *cases])
    # the index follows the new leader: the old one leads nothing open, the new one everything handed over
    listed = json.loads(ok(w, "issue", "list", "--leader", w["county"], "--json"))
    assert {row["id"] for row in listed} >= set(cases)
    by_leader = rollup(w, "2026-11-23", by="leader")
    assert by_leader[w["county"]]["open"] == len(cases)
    assert by_leader[w["town"]]["open"] == 0
    assert_clean(w)


def test_a_moved_cadre_counts_at_the_new_unit_from_the_move_day(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINQING_NOW", LATER)
    ok(w, "cadre", "move", w["village"], "--unit", OTHER_VILLAGE, "--reason", "交流任职")
    november, december = rollup(w, "2026-11-23"), rollup(w, "2026-12-05")
    assert november[VILLAGE]["cadres"] == 1 and november[OTHER_VILLAGE]["cadres"] == 0
    assert december[VILLAGE]["cadres"] == 0 and december[OTHER_VILLAGE]["cadres"] == 1
    assert_clean(w)


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("--reason", "调动"), "--unit"),
        (("--unit", "520602101", "--reason", "调动"), "已在该单位"),
        (("--unit", "520602999", "--reason", "调动"), "520602999"),
        (("--unit", "520602102"), "--reason"),
        (("--unit", "520602102", "--reason", "调动", "--hand-over-to", "{town}"), "--hand-over-to"),
        (("--unit", "520602102", "--reason", "调动", "--hand-over-to", "{recalled}"), "{recalled}"),
        (("--unit", "520602102", "--reason", "调动", "--hand-over-to", "C-ZZZZZZ"), "C-ZZZZZZ"),
        (("--unit", "520602102", "--reason", "调动", "--as", "{clerk}"), "cadre.move"),
    ],
)
def test_bad_cadre_moves_are_refused_and_write_nothing(
    w: World, args: tuple[str, ...], contains: str
) -> None:
    argv = [arg.format(**w.ids) for arg in args]
    refused(w.path, "cadre", "move", w["town"], *argv, contains=contains.format(**w.ids))


# ---------------------------------------------------------------- audit: the same changes by hand


def hand_commit(w: World, op: str, entries: list[str], actor: str) -> None:
    git(w.path, "add", "-A")
    body = "\n".join([f"Ledger-Op: {op}", *(f"Ledger-Entry: {e}" for e in entries), f"Ledger-Actor: {actor}"])
    git(
        w.path,
        "-c",
        "user.name=x",
        "-c",
        f"user.email={actor}@minqing.invalid",
        "commit",
        "-qm",
        f"hand\n\n{body}\n",
    )


def forged_entry(op: str, by: str, **fields: object) -> dict:
    return {"id": "F0RGED0M01", "at": "2026-11-23T10:00:00+08:00", "by": by, "op": op, "fields": fields}


def test_audit_flags_a_household_moved_by_plain_git(w: World) -> None:
    """git mv with trailers and no move entry: the file's village no longer matches its history."""
    old = f"households/{VILLAGE}/{w['h2']}.yaml"
    new = f"households/{OTHER_VILLAGE}/{w['h2']}.yaml"
    (w.path / new).parent.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((w.path / old).read_text(encoding="utf-8"))
    data["village"] = OTHER_VILLAGE
    (w.path / old).unlink()
    (w.path / new).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hand_commit(w, "household.move", [w["h2"]], w["admin"])
    codes = {code for code, _ in audit_findings(w.path)}
    assert {"snapshot_mismatch", "op_mismatch"} <= codes and "deleted" not in codes


def test_audit_flags_a_move_that_also_changes_something_else(w: World) -> None:
    old = f"households/{VILLAGE}/{w['h2']}.yaml"
    new = f"households/{OTHER_VILLAGE}/{w['h2']}.yaml"
    data = yaml.safe_load((w.path / old).read_text(encoding="utf-8"))
    data["village"], data["status"] = OTHER_VILLAGE, "poor"  # 搬迁, and quietly made poor
    data["history"].append(
        forged_entry("move", w["admin"], village=OTHER_VILLAGE, reason="搬迁", status="poor")
    )
    (w.path / old).unlink()
    (w.path / new).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hand_commit(w, "household.move", [w["h2"]], w["admin"])
    codes = [code for code, _ in audit_findings(w.path)]
    assert "field_not_allowed" in codes


def test_audit_flags_a_deletion_dressed_as_a_move(w: World) -> None:
    (w.path / f"households/{VILLAGE}/{w['h2']}.yaml").unlink()
    hand_commit(w, "household.move", [w["h2"]], w["admin"])
    assert "deleted" in [code for code, _ in audit_findings(w.path)]


def test_audit_flags_a_removal_forged_by_hand(w: World) -> None:
    """A paired household 'removed' by editing its file: the history does not allow it (pairings first)."""
    path = w.path / f"households/{VILLAGE}/{w['h1']}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["removed"], data["remove_reason"] = "2026-11-23", "died"
    data["history"].append(forged_entry("remove", w["admin"], reason="died"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hand_commit(w, "household.remove", [w["h1"]], w["admin"])
    assert "transition" in [code for code, _ in audit_findings(w.path)]


def test_audit_flags_a_hand_over_outside_a_cadre_move(w: World) -> None:
    """An item's leader changed by hand under a household.remove: only edit entries belong to that operation."""
    rel = Ledger.open(w.path).path_of(w["assigned"])
    data = yaml.safe_load((w.path / rel).read_text(encoding="utf-8"))
    data["leader"] = w["county"]
    data["history"].append(forged_entry("hand_over", w["admin"], leader=w["county"], reason="x"))
    (w.path / rel).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hand_commit(w, "household.remove", [w["assigned"]], w["admin"])
    assert "op_mismatch" in [code for code, _ in audit_findings(w.path)]


# ---------------------------------------------------------------- several offices


def _offices(w: World, tmp_path: Path) -> tuple[Path, Path]:
    central = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(w.path), str(central)], check=True)
    clones = []
    for name, user in (("heping", w["admin"]), ("bahuang", w["town"])):
        target = tmp_path / name
        secret = str(w.path / ".git/minqing/secret")
        ok(Path("."), "clone", str(central), str(target), "--secret-file", secret, "--user", user)
        clones.append(target)
    return clones[0], clones[1]


def test_sync_merges_a_moved_household_with_the_other_office_s_work(w: World, tmp_path: Path) -> None:
    a, b = _offices(w, tmp_path)
    ok(a, "household", "move", w["h2"], "--village", OTHER_VILLAGE, "--reason", "搬迁")
    ok(a, "sync")
    ok(b, "visit", "add", "--household", w["h3"], "--by", w["town"], "--note", "走访")
    ok(b, "household", "edit", w["h1"], "--register-no", "BLY-100", "--reason", "编号录错")
    ok(b, "sync")
    ok(a, "sync")
    for clone in (a, b):
        assert not (clone / f"households/{VILLAGE}/{w['h2']}.yaml").exists()
        assert (clone / f"households/{OTHER_VILLAGE}/{w['h2']}.yaml").exists()
        assert git(clone, "status", "--porcelain") == ""
        assert audit_findings(clone) == []
        assert run("check", ledger=clone).exit_code == 0
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


@pytest.mark.parametrize("mover_first", [True, False])
def test_sync_carries_the_other_office_s_change_to_a_moved_household_to_its_new_path(
    w: World, tmp_path: Path, mover_first: bool
) -> None:
    """git's rename detection hands the moved file to the entity merge driver: both histories are kept."""
    a, b = _offices(w, tmp_path)
    ok(a, "household", "move", w["h2"], "--village", OTHER_VILLAGE, "--reason", "搬迁")
    ok(b, "household", "set", w["h2"], "--water", "risk")
    for clone in (a, b) if mover_first else (b, a):
        ok(clone, "sync")
    ok(a if mover_first else b, "sync")
    for clone in (a, b):
        assert not (clone / f"households/{VILLAGE}/{w['h2']}.yaml").exists()
        data = yaml.safe_load(
            (clone / f"households/{OTHER_VILLAGE}/{w['h2']}.yaml").read_text(encoding="utf-8")
        )
        assert data["indicators"]["water"] == "risk" and data["village"] == OTHER_VILLAGE
        assert sorted(entry["op"] for entry in data["history"][-2:]) == ["move", "set"]
        assert audit_findings(clone) == []
        assert run("check", ledger=clone).exit_code == 0
