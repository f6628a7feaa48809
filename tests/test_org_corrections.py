"""Issue 15, units: `org rename` (更名: the old name stays as an alias for finding and importing) and `org merge`
(撤并建制村: households, cadres and unfinished items move in one commit, the code is retired and never reused,
rollups of periods before the merge still show the old unit). Each is one operation checked by audit; bad input is
refused with exit 2 and nothing written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import refused, run, snapshot
from foundation_util import World, world_template
from sheets_fixture import write_csv

from minqing.ledgers.core import operations
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import audit, schema

TOWNSHIP = "520602101"  # 和平乡
OTHER_TOWNSHIP = "520602102"  # 坝黄镇
VILLAGE = "520602101201"  # 板栗园村: h1 (group 一组, paired), h2, the village cadre, most items
GROUP = "52060210120101"  # 一组
SIBLING = "520602101202"  # 桃映村 (the county-level item)
OTHER_VILLAGE = "520602102201"  # 宋家坝村 (h3)
DECEMBER = "2026-12-05T10:00:00+08:00"


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def git(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def units(w: World) -> dict[str, dict]:
    data = yaml.safe_load((w.path / "org/units.yaml").read_text(encoding="utf-8"))
    assert schema.is_valid("units", data)
    return {str(unit["code"]): unit for unit in data["units"]}


def entity(w: World, ref: str) -> dict:
    led = Ledger.open(w.path)
    return yaml.safe_load((w.path / led.path_of(ref)).read_text(encoding="utf-8"))


def audit_findings(path: Path) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in audit.audit_repo(path, mark=False).findings]


def assert_clean(w: World) -> None:
    assert audit_findings(w.path) == []
    result = run("check", ledger=w.path)
    assert result.exit_code == 0, result.output
    assert git(w.path, "status", "--porcelain") == ""


def trailers(w: World) -> dict[str, list[str]]:
    message = git(w.path, "log", "-1", "--format=%B")
    return {key: list(values) for key, values in operations.parse_trailers(message).items()}


def changed_files(w: World) -> list[str]:
    return sorted(git(w.path, "show", "--no-renames", "--name-status", "--format=", "HEAD").split("\n")[:-1])


def rollup(w: World, day: str, by: str = "village") -> dict[str, dict]:
    out = ok(w, "rollup", "--period", "month", "--date", day, "--by", by, "--format", "json")
    data = json.loads(out)
    return {row["unit"]: row for row in data["rows"]} | {"total": data["total"]}


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


def write_units(w: World, change) -> None:
    path = w.path / "org/units.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change({str(unit["code"]): unit for unit in data["units"]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------- the table and the file format


def test_rename_and_merge_are_rows_of_the_table_for_admins() -> None:
    for op in ("org.rename", "org.merge"):
        assert operations.OPS[op].subject and operations.DEFAULT_PERMISSIONS[op] == ["admin"]
    merge = operations.OPS["org.merge"]
    assert merge.renames == {"household"} and merge.files == {"units"}
    assert merge.allows("household", ("move",)) and merge.allows("item", ("edit",))
    assert merge.allows("cadre", ("move",)) and not merge.allows("cadre", ("edit",))
    assert not operations.OPS["org.rename"].entities


def test_units_schema_takes_aliases_and_retirement_only_in_shape() -> None:
    base = {"code": VILLAGE, "name": "板栗村", "level": "village", "parent": TOWNSHIP}
    county = {"code": "520602", "name": "碧江区"}
    good = dict(base, aliases=["板栗园村"], retired="2026-12-05", merged_into=SIBLING)
    assert schema.is_valid("units", {"county": county, "units": [base, good]})
    for bad in ({"aliases": []}, {"aliases": [""]}, {"retired": "12/05"}, {"merged_into": "52"}):
        assert not schema.is_valid("units", {"county": county, "units": [dict(base, **bad)]})


# ---------------------------------------------------------------- org rename (更名)


def test_rename_keeps_the_old_name_as_an_alias_in_one_commit(w: World) -> None:
    before = units(w)[VILLAGE]
    assert "aliases" not in before  # written only when there is one: old files stay valid
    out = ok(w, "org", "rename", VILLAGE, "板栗村", "--reason", "县政府批复更名")
    assert out.strip() == f"{VILLAGE} 已更名：板栗园村 → 板栗村"
    assert units(w)[VILLAGE] == dict(before, name="板栗村", aliases=["板栗园村"])
    assert (
        git(w.path, "log", "-1", "--format=%s").strip()
        == f"单位更名 {VILLAGE}：板栗园村 → 板栗村：县政府批复更名"
    )
    assert trailers(w) == {
        "Ledger-Op": ["org.rename"],
        "Ledger-Entry": [VILLAGE],
        "Ledger-Actor": [w["admin"]],
    }
    assert changed_files(w) == ["M\torg/units.yaml"]
    ok(w, "org", "rename", VILLAGE, "板栗社区")  # the reason is optional; aliases oldest first
    assert units(w)[VILLAGE]["aliases"] == ["板栗园村", "板栗村"]
    listed = ok(w, "org", "list")
    assert "板栗社区" in listed and "曾用名 板栗园村、板栗村" in listed
    assert_clean(w)


def test_a_unit_is_found_by_its_old_name_after_a_rename(w: World) -> None:
    ok(w, "org", "rename", VILLAGE, "板栗村", "--reason", "更名")
    hits = json.loads(ok(w, "find", "板栗园村", "--json"))
    assert [(h["kind"], h["id"], h["name"], h["match"]) for h in hits] == [
        ("unit", VILLAGE, "板栗村", "alias")
    ]
    hits = json.loads(ok(w, "find", "bly", "--kind", "unit", "--json"))  # pinyin of the old name too
    assert [h["id"] for h in hits] == [VILLAGE]
    hits = json.loads(ok(w, "find", "板栗村", "--kind", "unit", "--json"))
    assert [(h["id"], h["match"]) for h in hits] == [(VILLAGE, "name")]
    # households there show the unit's current name
    homes = json.loads(ok(w, "find", "测试户乙", "--json"))
    assert [(h["id"], h["unit_name"]) for h in homes] == [(w["h2"], "板栗村")]


def test_a_households_sheet_naming_the_old_village_imports_into_the_renamed_one(
    w: World, tmp_path: Path
) -> None:
    ok(w, "org", "rename", VILLAGE, "板栗村", "--reason", "更名")
    sheet = write_csv(
        tmp_path / "农户.csv",
        [
            ["序号", "乡镇", "村", "组", "户主姓名", "家庭人口", "户类别"],
            ["1", "和平乡", "板栗园村", "一组", "王五", "3", "脱贫户"],
            ["2", "和平乡", "板栗村", "", "赵六", "2", "监测户"],
        ],
    )
    out = ok(w, "import", str(sheet), "--kind", "households", "--json")
    created = json.loads(out)["created"]
    assert len(created) == 2
    homes = {entity(w, ref)["head"]: entity(w, ref) for ref in created}
    assert (homes["王五"]["village"], homes["王五"]["group"]) == (VILLAGE, GROUP)
    assert homes["赵六"]["village"] == VILLAGE
    assert_clean(w)


def test_a_name_in_service_wins_over_an_old_name(w: World, tmp_path: Path) -> None:
    """桃映村 renamed 板栗园村's old name away... a sheet's name is a current name first, then an alias."""
    ok(w, "org", "rename", VILLAGE, "板栗村")
    ok(w, "org", "rename", SIBLING, "板栗园村")  # now the current name of another village
    sheet = write_csv(tmp_path / "h.csv", [["乡镇", "村", "户主姓名"], ["和平乡", "板栗园村", "钱七"]])
    created = json.loads(ok(w, "import", str(sheet), "--kind", "households", "--json"))["created"]
    assert entity(w, created[0])["village"] == SIBLING


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("520602101299", "新村"), "520602101299"),  # unknown code
        (("5206021012", "新村"), "5206021012"),  # not a code of the tree
        (("520602", "新区"), "minqing.yaml"),  # the county: its name lives in minqing.yaml
        ((VILLAGE, "板栗园村"), "板栗园村"),  # the same name
        ((VILLAGE, "  "), "NAME"),  # empty
        ((VILLAGE, "板栗/村"), "NAME"),
        ((VILLAGE, "板栗村", "--as", "clerk"), "org.rename"),  # not an admin
    ],
)
def test_bad_renames_are_refused_and_write_nothing(w: World, args: tuple[str, ...], contains: str) -> None:
    args = tuple(w[a] if a == "clerk" else a for a in args)
    refused(w.path, "org", "rename", *args, contains=contains)


# ---------------------------------------------------------------- org merge (撤并)


def test_merge_moves_households_cadres_and_open_items_and_retires_the_code(w: World) -> None:
    before = {
        key: entity(w, w[key]) for key in ("registered", "in_progress", "resolved", "closed", "county_level")
    }
    out = ok(w, "org", "merge", VILLAGE, "--into", SIBLING, "--reason", "撤并建制村")
    assert f"{VILLAGE} 板栗园村 已撤并入 {SIBLING} 桃映村" in out and f"一并撤销的组：{GROUP}" in out
    # the village and its group are retired, never removed
    org = units(w)
    assert (org[VILLAGE]["retired"], org[VILLAGE]["merged_into"]) == ("2026-11-23", SIBLING)
    assert (org[GROUP]["retired"], org[GROUP]["merged_into"]) == ("2026-11-23", SIBLING)
    assert "retired" not in org[SIBLING]
    # households: the file moves to the new village's directory with a `move` entry (group dropped)
    for key in ("h1", "h2"):
        home = entity(w, w[key])
        assert (home["village"], home.get("group")) == (SIBLING, None)
        assert home["history"][-1]["op"] == "move"
        assert home["history"][-1]["fields"] == {"village": SIBLING, "reason": "撤并建制村"}
        assert not (w.path / f"households/{VILLAGE}/{w[key]}.yaml").exists()
    assert entity(w, w["h1"])["pairings"] == [w["town"]]  # pairings stay
    assert entity(w, w["h3"])["village"] == OTHER_VILLAGE
    # active cadres of the village (and its groups) move; a recalled one keeps its history as it was
    assert entity(w, w["village"])["unit"] == SIBLING
    assert entity(w, w["village"])["history"][-1]["fields"] == {"unit": SIBLING, "reason": "撤并建制村"}
    assert entity(w, w["recalled"])["unit"] == VILLAGE
    assert entity(w, w["town"])["unit"] == TOWNSHIP
    # unfinished items are re-filed with their household kept; a closed one stays where it was raised
    for key in ("registered", "in_progress", "resolved"):
        item = entity(w, w[key])
        assert (item["unit"], item["household"]) == (SIBLING, w["h1"])
        assert item["history"][-1]["op"] == "edit"
        assert item["history"][-1]["fields"] == {
            "unit": SIBLING,
            "household": w["h1"],
            "reason": "撤并建制村",
        }
        assert item["state"] == before[key]["state"]
    assert entity(w, w["closed"]) == before["closed"]
    assert entity(w, w["county_level"]) == before["county_level"]  # already at 桃映村
    # one commit naming the retired codes and every entry it moved
    found = trailers(w)
    assert found["Ledger-Op"] == ["org.merge"] and found["Ledger-Actor"] == [w["admin"]]
    assert found["Ledger-Entry"][:2] == [VILLAGE, GROUP]
    assert {w["h1"], w["h2"], w["village"], w["registered"]} <= set(found["Ledger-Entry"])
    assert w["closed"] not in found["Ledger-Entry"] and w["recalled"] not in found["Ledger-Entry"]
    files = changed_files(w)
    assert (
        f"D\thouseholds/{VILLAGE}/{w['h1']}.yaml" in files
        and f"A\thouseholds/{SIBLING}/{w['h1']}.yaml" in files
    )
    assert "M\torg/units.yaml" in files
    assert f"2026-11-23 撤并入 {SIBLING}" in ok(w, "org", "list")
    assert_clean(w)


def test_a_retired_code_is_never_reused_nor_given_anything_new(w: World) -> None:
    ok(w, "org", "merge", VILLAGE, "--into", SIBLING, "--reason", "撤并建制村")
    refused(
        w.path,
        "org",
        "add",
        VILLAGE,
        "板栗园村",
        "--level",
        "village",
        "--parent",
        TOWNSHIP,
        contains="不再使用",
    )
    refused(
        w.path,
        "org",
        "add",
        "52060210120102",
        "二组",
        "--level",
        "group",
        "--parent",
        VILLAGE,
        contains=VILLAGE,
    )
    refused(w.path, "household", "add", "--head", "新户", "--village", VILLAGE, contains=SIBLING)
    refused(w.path, "household", "move", w["h3"], "--village", VILLAGE, "--reason", "搬迁", contains=VILLAGE)
    refused(w.path, "cadre", "add", "--name", "新干部", "--unit", GROUP, "--role", "village", contains=GROUP)
    refused(w.path, "cadre", "move", w["town"], "--unit", VILLAGE, "--reason", "调动", contains=VILLAGE)
    refused(w.path, "org", "rename", VILLAGE, "新名", contains="撤并")
    refused(w.path, "org", "merge", VILLAGE, "--into", OTHER_VILLAGE, "--reason", "再并", contains=VILLAGE)
    refused(w.path, "org", "merge", OTHER_VILLAGE, "--into", VILLAGE, "--reason", "并入", contains="--into")


def test_merge_with_group_into_places_every_household_in_that_group(w: World) -> None:
    ok(w, "org", "add", "52060210120201", "一组", "--level", "group", "--parent", SIBLING)
    target = "52060210120201"
    ok(w, "org", "merge", VILLAGE, "--into", SIBLING, "--group-into", target, "--reason", "撤并建制村")
    assert {(entity(w, w[k])["village"], entity(w, w[k])["group"]) for k in ("h1", "h2")} == {
        (SIBLING, target)
    }
    assert units(w)[GROUP]["merged_into"] == target
    assert units(w)[VILLAGE]["merged_into"] == SIBLING
    assert_clean(w)


def test_a_group_merges_into_another_group_of_its_village(w: World) -> None:
    ok(w, "org", "add", "52060210120102", "二组", "--level", "group", "--parent", VILLAGE)
    ok(w, "org", "merge", GROUP, "--into", "52060210120102", "--reason", "合并村民小组")
    home = entity(w, w["h1"])
    assert (home["village"], home["group"]) == (VILLAGE, "52060210120102")
    assert home["history"][-1]["op"] == "move"
    assert (w.path / f"households/{VILLAGE}/{w['h1']}.yaml").exists()  # same village: the file stays
    assert entity(w, w["h2"])["history"][-1]["op"] == "create"  # not in the group
    assert units(w)[GROUP]["merged_into"] == "52060210120102"
    assert "retired" not in units(w)[VILLAGE]
    assert_clean(w)


def test_a_township_merges_once_its_villages_are_merged(w: World) -> None:
    refused(
        w.path, "org", "merge", TOWNSHIP, "--into", OTHER_TOWNSHIP, "--reason", "撤乡并镇", contains=VILLAGE
    )
    for code in (VILLAGE, SIBLING):
        ok(w, "org", "merge", code, "--into", OTHER_VILLAGE, "--reason", "撤乡并镇")
    ok(w, "org", "merge", TOWNSHIP, "--into", OTHER_TOWNSHIP, "--reason", "撤乡并镇")
    assert units(w)[TOWNSHIP]["merged_into"] == OTHER_TOWNSHIP
    for key in ("clerk", "town"):  # the township's cadres
        assert entity(w, w[key])["unit"] == OTHER_TOWNSHIP
    assert {entity(w, w[k])["village"] for k in ("h1", "h2", "h3")} == {OTHER_VILLAGE}
    assert entity(w, w["county_level"])["unit"] == OTHER_VILLAGE
    assert_clean(w)


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("520602101299", "--into", SIBLING, "--reason", "撤并"), "520602101299"),  # unknown code
        ((VILLAGE, "--into", "520602101299", "--reason", "撤并"), "520602101299"),  # unknown target
        ((VILLAGE, "--into", VILLAGE, "--reason", "撤并"), "--into"),  # the same code
        ((VILLAGE, "--into", TOWNSHIP, "--reason", "撤并"), "--into"),  # another level
        ((GROUP, "--into", SIBLING, "--reason", "撤并"), "--into"),  # a group into a village
        (("520602", "--into", TOWNSHIP, "--reason", "撤并"), "minqing.yaml"),  # the county
        ((VILLAGE, "--reason", "撤并"), "--into"),  # no target
        ((VILLAGE, "--into", SIBLING), "--reason"),  # no reason
        ((VILLAGE, "--into", SIBLING, "--reason", "  "), "--reason"),
        (
            (VILLAGE, "--into", SIBLING, "--reason", "撤并", "--group-into", GROUP),
            "--group-into",
        ),  # not of it
        ((TOWNSHIP, "--into", OTHER_TOWNSHIP, "--reason", "撤并", "--group-into", GROUP), "--group-into"),
        ((VILLAGE, "--into", SIBLING, "--reason", "撤并", "--as", "town"), "org.merge"),  # not an admin
        ((VILLAGE, "--into", SIBLING, "--reason", "撤并", "--as", "clerk"), "org.merge"),
    ],
)
def test_bad_merges_are_refused_and_write_nothing(w: World, args: tuple[str, ...], contains: str) -> None:
    args = tuple(w[a] if a in ("town", "clerk") else a for a in args)
    refused(w.path, "org", "merge", *args, contains=contains)


def test_rollups_before_the_merge_show_the_old_unit_as_it_was(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINQING_NOW", DECEMBER)
    november = rollup(w, "2026-11-15")
    ok(w, "org", "merge", VILLAGE, "--into", SIBLING, "--reason", "撤并建制村")
    assert units(w)[VILLAGE]["retired"] == "2026-12-05"
    # November, rolled up before or after the merge: the same rows, the old village in them with its households,
    # cadres and visits; unfinished items were re-filed (item edit of unit), so their figures follow them
    again = rollup(w, "2026-11-15")
    assert again.keys() == november.keys()
    register = ("households", "households_visited", "poor_households", "pairing_coverage", "cadres", "visits")
    for key in again:
        assert {m: again[key][m] for m in register} == {m: november[key][m] for m in register}
    # Ledger books are unit × ledger: the re-filed items now make a book at the sibling village instead.
    books = ("ledger_books", "ledger_entries")
    assert {k: v for k, v in again["total"].items() if k not in books} == {
        k: v for k, v in november["total"].items() if k not in books
    }
    assert again["total"]["ledger_entries"] == november["total"]["ledger_entries"]
    assert november[VILLAGE]["open"] > 0 and again[VILLAGE]["open"] == 0
    assert (again[VILLAGE]["households"], again[VILLAGE]["cadres"]) == (2, 1)
    assert again[SIBLING]["households"] == 0
    # December, the month of the merge: it is still a row (it existed on its first days), empty at month end
    december = rollup(w, "2026-12-10")
    assert december[VILLAGE]["households"] == 0 and december[SIBLING]["households"] == 2
    assert december[SIBLING]["cadres"] == 1
    # January: the retired village is no row; what stayed at it (a closed item) counts under 桃映村
    monkeypatch.setenv("MINQING_NOW", "2027-01-20T10:00:00+08:00")
    january = rollup(w, "2027-01-10")
    assert VILLAGE not in january and january[SIBLING]["households"] == 2
    assert january["total"]["raised"] == december["total"]["raised"]
    assert sum(row["raised"] for key, row in january.items() if key != "total") == january["total"]["raised"]
    groups = rollup(w, "2027-01-10", by="group")
    assert GROUP not in groups
    assert rollup(w, "2026-11-15", by="group")[GROUP]["households"] == 1


def test_a_sheet_naming_a_merged_village_is_refused_naming_where_it_went(w: World, tmp_path: Path) -> None:
    ok(w, "org", "merge", VILLAGE, "--into", SIBLING, "--reason", "撤并建制村")
    sheet = write_csv(tmp_path / "h.csv", [["乡镇", "村", "户主姓名"], ["和平乡", "板栗园村", "钱七"]])
    before = snapshot(w.path)
    result = run("import", str(sheet), "--kind", "households", ledger=w.path)
    assert result.exit_code == 2 and snapshot(w.path) == before
    assert f"h.csv:2:村: 村：单位 {VILLAGE}（板栗园村）已于 2026-11-23 撤并入 {SIBLING}" in result.stderr


# ---------------------------------------------------------------- audit: hand-forged renames and merges


def test_audit_flags_a_rename_made_with_plain_git(w: World) -> None:
    def rename(by_code: dict) -> None:
        by_code[VILLAGE]["name"] = "板栗村"  # no alias: the old name is lost

    write_units(w, rename)
    hand_commit(w, "org.rename", [VILLAGE], w["admin"])
    assert ("op_mismatch", "org/units.yaml") in audit_findings(w.path)


def test_audit_flags_a_rename_that_changes_more_than_the_name(w: World) -> None:
    def rename(by_code: dict) -> None:
        by_code[VILLAGE].update(name="板栗村", aliases=["板栗园村"], parent=OTHER_TOWNSHIP)

    write_units(w, rename)
    hand_commit(w, "org.rename", [VILLAGE], w["admin"])
    assert ("op_mismatch", "org/units.yaml") in audit_findings(w.path)


def test_audit_flags_a_rename_by_a_clerk(w: World) -> None:
    write_units(w, lambda by_code: by_code[VILLAGE].update(name="板栗村", aliases=["板栗园村"]))
    hand_commit(w, "org.rename", [VILLAGE], w["clerk"])
    assert [code for code, _ in audit_findings(w.path)] == ["role"]


def test_audit_accepts_a_rename_made_by_hand_in_its_exact_shape(w: World) -> None:
    write_units(w, lambda by_code: by_code[VILLAGE].update(name="板栗村", aliases=["板栗园村"]))
    hand_commit(w, "org.rename", [VILLAGE], w["admin"])
    assert audit_findings(w.path) == []


def test_audit_flags_a_merge_that_only_retires_the_unit(w: World) -> None:
    write_units(w, lambda by_code: by_code[GROUP].update(retired="2026-11-23", merged_into=SIBLING))
    hand_commit(w, "org.merge", [GROUP], w["admin"])  # a group retired into a village: another level
    assert ("op_mismatch", "org/units.yaml") in audit_findings(w.path)


def test_audit_flags_a_merge_moving_a_household_elsewhere(w: World) -> None:
    ok(w, "org", "merge", VILLAGE, "--into", SIBLING, "--reason", "撤并建制村")
    assert audit_findings(w.path) == []
    # the same commit remade by hand, with h2 sent to 宋家坝村 instead
    git(w.path, "reset", "-q", "--hard", "HEAD~1")
    old = f"households/{VILLAGE}/{w['h2']}.yaml"
    new = f"households/{OTHER_VILLAGE}/{w['h2']}.yaml"
    ok(w, "household", "move", w["h2"], "--village", OTHER_VILLAGE, "--reason", "撤并建制村")
    moved = (w.path / new).read_text(encoding="utf-8")
    git(w.path, "reset", "-q", "--hard", "HEAD~1")
    (w.path / old).unlink()
    (w.path / new).write_text(moved, encoding="utf-8")
    write_units(
        w,
        lambda by_code: [
            by_code[c].update(retired="2026-11-23", merged_into=SIBLING) for c in (VILLAGE, GROUP)
        ],
    )
    hand_commit(w, "org.merge", [VILLAGE, GROUP, w["h2"]], w["admin"])
    findings = audit_findings(w.path)
    assert ("op_mismatch", new) in findings
    assert all(path != "org/units.yaml" for _, path in findings)


def test_audit_flags_a_merge_that_edits_an_item_outside_the_retired_unit(w: World) -> None:
    path = w.path / Ledger.open(w.path).path_of(w["county_level"])  # at 桃映村, not retired
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["unit"] = OTHER_VILLAGE
    data["history"].append(
        {
            "id": "F0RGED0M01",
            "at": "2026-11-23T10:00:00+08:00",
            "by": w["admin"],
            "op": "edit",
            "fields": {"unit": OTHER_VILLAGE, "reason": "撤并"},
        }
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    write_units(
        w, lambda by_code: [by_code[c].update(retired="2026-11-23", merged_into=SIBLING) for c in (VILLAGE,)]
    )
    hand_commit(w, "org.merge", [VILLAGE, w["county_level"]], w["admin"])
    findings = audit_findings(w.path)
    assert ("op_mismatch", str(path.relative_to(w.path))) in findings
