"""`minqing household add/list/show/set/find` and `pair`/`unpair` (结对认亲): personal data masked everywhere and never
in git history; look-up by keyed hash. (Bad input: test_cli_bad_input.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import refused, run
from foundation_util import (
    ID_VALID,
    ID_VALID_2,
    ID_VALID_X,
    World,
    cadre_file,
    commit_count,
    git_out,
    household_file,
    last_commit,
    world_template,
)


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_add_with_every_option_keeps_only_masked_numbers_and_keyed_hashes(w: World) -> None:
    out = ok(w, "household", "add", "--head", "王大", "--village", "520602101201", "--group", "52060210120101",
             "--members", "5", "--status", "poor", "--id-number", ID_VALID_2, "--phone", "13712345678",
             "--register-no", "BLY-002", "--as", w["clerk"])  # fmt: skip
    home_id, head = out.split()
    assert head == "王大"
    path = w.path / "households" / "520602101201" / f"{home_id}.yaml"
    assert path.is_file()
    data = household_file(w.path, home_id)
    assert (data["village"], data["group"], data["members"], data["status"], data["register_no"]) == (
        "520602101201", "52060210120101", 5, "poor", "BLY-002")  # fmt: skip
    assert data["id_number"] == "520***********2341"
    assert data["phone"] == "137****5678"
    assert re.fullmatch(r"[0-9a-f]{64}", data["id_hash"]) and re.fullmatch(
        r"[0-9a-f]{64}", data["phone_hash"]
    )
    assert data["indicators"] == dict.fromkeys(
        ("food", "clothing", "education", "medical", "housing", "water"), "ok"
    )
    assert data["pairings"] == []
    commit = last_commit(w.path)
    assert commit.trailers == {
        "Ledger-Op": ["household.add"],
        "Ledger-Entry": [home_id],
        "Ledger-Actor": [w["clerk"]],
    }
    assert commit.subject == f"新增农户 {home_id} 王大"
    history = git_out(w.path, "log", "-p", "--all")
    for secret in (ID_VALID_2, "13712345678", ID_VALID):
        assert secret not in history
        assert not any(secret in p.read_text() for p in w.path.rglob("*.yaml"))


def test_defaults_one_member_general_status(w: World) -> None:
    home_id = ok(w, "household", "add", "--head", "李四", "--village", "520602101202").split()[0]
    data = household_file(w.path, home_id)
    assert (data["members"], data["status"], data["group"], data["id_number"], data["phone"]) == (
        1, "general", None, None, None)  # fmt: skip


def test_list_show_and_json_are_masked(w: World) -> None:
    table = ok(w, "household", "list")
    assert "520***********1232" in table and "139****5678" in table
    assert ID_VALID not in table and "13912345678" not in table
    view = json.loads(ok(w, "household", "show", w["h1"], "--json"))
    assert (view["id_number"], view["phone"], view["pairings"]) == (
        "520***********1232",
        "139****5678",
        [w["town"]],
    )
    assert sorted(view["items"])[:1] and w["registered"] in view["items"]
    assert ID_VALID not in ok(w, "household", "show", w["h1"])
    rows = json.loads(ok(w, "household", "list", "--json", "--status", "poor"))
    assert [row["id"] for row in rows] == [w["h1"]]
    assert [row["id"] for row in json.loads(ok(w, "household", "list", "--json", "--unit", "520602102"))] == [
        w["h3"]
    ]


def test_find_by_full_id_number_matches_the_keyed_hash(w: World) -> None:
    table = ok(w, "household", "find", "--id-number", ID_VALID)
    assert w["h1"] in table and ID_VALID not in table
    found = json.loads(ok(w, "household", "find", "--id-number", f" {ID_VALID} ", "--json"))
    assert found["id"] == w["h1"]
    # An X check character is matched case-insensitively.
    home_id = ok(w, "household", "add", "--head", "赵五", "--village", "520602101202",
                 "--id-number", ID_VALID_X.lower()).split()[0]  # fmt: skip
    assert household_file(w.path, home_id)["id_number"] == "110***********002X"
    assert json.loads(ok(w, "household", "find", "--id-number", ID_VALID_X, "--json"))["id"] == home_id
    refused(w.path, "household", "add", "--head", "赵五", "--village", "520602101201", "--id-number", ID_VALID_X,
            contains=home_id)  # fmt: skip


def test_set_indicators_status_members_and_phone(w: World) -> None:
    h = w["h2"]
    assert ok(w, "household", "set", h, "--housing", "risk", "--water", "risk", "--as", w["village"]) == (
        f"{h} 测试户乙\n")  # fmt: skip
    data = household_file(w.path, h)
    assert data["indicators"]["housing"] == "risk" and data["indicators"]["water"] == "risk"
    assert data["indicators"]["food"] == "ok"
    assert data["history"][-1]["op"] == "set"
    assert data["history"][-1]["fields"] == {"indicators": {"housing": "risk", "water": "risk"}}
    commit = last_commit(w.path)
    assert commit.trailers == {
        "Ledger-Op": ["household.set"],
        "Ledger-Entry": [h],
        "Ledger-Actor": [w["village"]],
    }
    ok(
        w,
        "household",
        "set",
        h,
        "--housing",
        "ok",
        "--status",
        "lifted",
        "--members",
        "3",
        "--phone",
        "13600001111",
    )
    data = household_file(w.path, h)
    assert (data["indicators"]["housing"], data["indicators"]["water"], data["status"], data["members"]) == (
        "ok", "risk", "lifted", 3)  # fmt: skip
    assert data["phone"] == "136****1111"
    table = ok(w, "household", "list", "--unit", "520602101201")
    assert "饮水" in table  # the remaining risk is shown by its label


def test_pair_and_unpair_write_both_sides_in_one_commit(w: World) -> None:
    before = commit_count(w.path)
    out = ok(w, "pair", w["village"], w["h2"][:5], "--as", w["town"])
    assert out == f"{w['village']} 测试村干部 ↔ {w['h2']} 测试户乙\n"
    assert commit_count(w.path) == before + 1
    commit = last_commit(w.path)
    assert commit.trailers == {
        "Ledger-Op": ["household.pair"],
        "Ledger-Entry": [w["village"], w["h2"]],
        "Ledger-Actor": [w["town"]],
    }
    assert sorted(commit.files) == sorted(
        [f"cadres/{w['village']}.yaml", f"households/520602101201/{w['h2']}.yaml"]
    )
    assert cadre_file(w.path, w["village"])["pairings"] == [w["h2"]]
    assert household_file(w.path, w["h2"])["pairings"] == [w["village"]]
    ok(w, "unpair", w["village"], w["h2"])
    assert last_commit(w.path).trailers["Ledger-Op"] == ["household.unpair"]
    assert cadre_file(w.path, w["village"])["pairings"] == []
    assert household_file(w.path, w["h2"])["pairings"] == []
    assert [e["op"] for e in household_file(w.path, w["h2"])["history"]] == ["create", "pair", "unpair"]


def test_a_recalled_cadre_can_still_be_unpaired(w: World) -> None:
    ok(w, "cadre", "recall", w["town"], "--reason", "调离")
    ok(w, "unpair", w["town"], w["h1"])
    assert household_file(w.path, w["h1"])["pairings"] == []
