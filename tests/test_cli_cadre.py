"""`minqing cadre add/list/show/recall`: the roster, phones masked, recall (召回) and what a recall stops.
(Bad input: test_cli_bad_input.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import refused, run
from foundation_util import World, cadre_file, git_out, last_commit, world_template


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_add_with_title_and_phone_masked_and_hashed(w: World) -> None:
    out = ok(w, "cadre", "add", "--name", "李明", "--unit", "520602101201", "--role", "village",
             "--title", "第一书记", "--phone", "139 1234 5678", "--as", w["town"])  # fmt: skip
    cadre_id, name = out.split()
    assert name == "李明" and re.fullmatch(r"C-[0-9A-HJKMNP-TV-Z]{6}", cadre_id)
    data = cadre_file(w.path, cadre_id)
    assert (data["name"], data["unit"], data["role"], data["title"], data["status"]) == (
        "李明", "520602101201", "village", "第一书记", "active")  # fmt: skip
    assert data["phone"] == "139****5678"
    assert re.fullmatch(r"[0-9a-f]{64}", data["phone_hash"])
    assert data["history"][0]["fields"]["phone"] == "139****5678"
    commit = last_commit(w.path)
    assert commit.subject == f"新增干部 {cadre_id} 李明（village）"
    assert commit.trailers == {
        "Ledger-Op": ["cadre.add"],
        "Ledger-Entry": [cadre_id],
        "Ledger-Actor": [w["town"]],
    }
    assert commit.files == (f"cadres/{cadre_id}.yaml",)
    # The full number is in no file and no commit.
    assert "13912345678" not in git_out(w.path, "log", "-p", "--all")
    assert not any("13912345678" in p.read_text() for p in w.path.rglob("*.yaml"))


def test_same_phone_gives_same_hash_across_cadres(w: World) -> None:
    first = ok(
        w, "cadre", "add", "--name", "甲", "--unit", "520602101", "--role", "clerk", "--phone", "13912345678"
    )
    second = ok(w, "cadre", "add", "--name", "乙", "--unit", "520602101", "--role", "clerk",
                "--phone", "+86 139 1234 5678")  # fmt: skip
    assert (
        cadre_file(w.path, first.split()[0])["phone_hash"]
        == cadre_file(w.path, second.split()[0])["phone_hash"]
    )


def test_landline_phone_is_accepted_and_masked(w: World) -> None:
    out = ok(
        w, "cadre", "add", "--name", "丙", "--unit", "520602101", "--role", "clerk", "--phone", "0856-5221234"
    )
    assert cadre_file(w.path, out.split()[0])["phone"] == "0856****1234"


def test_list_filters_by_unit_subtree_and_status(w: World) -> None:
    def ids(*options: str) -> list[str]:
        return [row["id"] for row in json.loads(ok(w, "cadre", "list", "--json", *options))]

    everyone = ids()
    assert sorted(everyone) == sorted(
        w[k] for k in ("admin", "clerk", "village", "town", "county", "recalled")
    )
    assert sorted(ids("--unit", "520602101")) == sorted(
        w[k] for k in ("clerk", "village", "town", "recalled")
    )
    assert sorted(ids("--unit", "520602101201")) == sorted([w["village"], w["recalled"]])
    assert ids("--status", "recalled") == [w["recalled"]]
    assert w["recalled"] not in ids("--status", "active")
    table = ok(w, "cadre", "list")
    assert "138****1234" in table and "13800001234" not in table
    assert "已召回" in table and "乡镇领导" in table


def test_show_lists_open_cases(w: World) -> None:
    view = json.loads(ok(w, "cadre", "show", w["town"], "--json"))
    assert (view["id"], view["name"], view["role"], view["title"]) == (
        w["town"],
        "测试乡领导",
        "township_leader",
        "包村领导",
    )
    assert view["pairings"] == [w["h1"]]
    assert sorted(view["open_cases"]) == sorted(w[k] for k in ("assigned", "in_progress", "petition_extended",
                                                             "wish_claimed"))  # fmt: skip
    assert view["needs_reassignment"] is False
    text = ok(w, "cadre", "show", w["town"][:5])
    assert "测试乡领导" in text and "138****1234" in text


def test_recall_records_the_reason_and_flags_open_cases(w: World) -> None:
    out = ok(w, "cadre", "recall", w["town"], "--reason", "驻村考核不合格", "--as", w["county"])
    assert out == f"{w['town']} 测试乡领导 已召回\n"
    data = cadre_file(w.path, w["town"])
    assert (data["status"], data["recall_reason"]) == ("recalled", "驻村考核不合格")
    assert [e["op"] for e in data["history"]] == ["create", "pair", "recall"]
    commit = last_commit(w.path)
    assert commit.trailers == {
        "Ledger-Op": ["cadre.recall"],
        "Ledger-Entry": [w["town"]],
        "Ledger-Actor": [w["county"]],
    }
    assert commit.subject == f"召回干部 {w['town']} 测试乡领导"
    view = json.loads(ok(w, "cadre", "show", w["town"], "--json"))
    assert view["needs_reassignment"] is True
    # A recalled cadre can no longer act, lead, visit or pair.
    refused(w.path, "issue", "progress", w["assigned"], "--note", "x", "--as", w["town"], contains="已被召回")
    refused(w.path, "issue", "assign", w["registered"], "--leader", w["town"], "--due", "2026-12-30",
            contains="已被召回")  # fmt: skip
    refused(w.path, "visit", "add", "--household", w["h1"], "--by", w["town"], contains="已被召回")
    refused(w.path, "pair", w["town"], w["h2"], contains="已被召回")
    # Their open cases can be reassigned to someone else.
    ok(w, "issue", "assign", w["assigned"], "--leader", w["county"], "--due", "2026-12-30")


def test_the_last_active_admin_cannot_be_recalled(w: World) -> None:
    refused(w.path, "cadre", "recall", w["admin"], "--reason", "调离", contains="最后一名在岗管理员")
    second = ok(w, "cadre", "add", "--name", "新管理员", "--unit", "520602", "--role", "admin").split()[0]
    ok(w, "cadre", "recall", w["admin"], "--reason", "调离", "--as", second)
    assert cadre_file(w.path, w["admin"])["status"] == "recalled"
    refused(w.path, "cadre", "recall", second, "--reason", "x", "--as", second, contains="最后一名在岗管理员")
