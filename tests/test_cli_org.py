"""`minqing org add` / `org list`: GB/T 2260 and 12-digit division codes, each child extending its parent's code.
(Bad input: test_cli_bad_input.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run
from foundation_util import World, commit_count, last_commit, read_yaml, world_template


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def test_add_township_village_and_groups_of_both_lengths(w: World) -> None:
    before = commit_count(w.path)
    steps = [
        ("520602103", "滑石乡", "township", "520602"),
        ("520602103201", "老麻塘村", "village", "520602103"),
        ("52060210320101", "一组", "group", "520602103201"),
        ("520602103201002", "第二网格", "group", "520602103201"),
    ]
    for code, name, level, parent in steps:
        result = run("org", "add", code, name, "--level", level, "--parent", parent, ledger=w.path)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"{code} {name}\n"
        commit = last_commit(w.path)
        assert commit.subject == f"新增单位 {code} {name}"
        assert commit.trailers == {
            "Ledger-Op": ["org.add"],
            "Ledger-Entry": [code],
            "Ledger-Actor": [w["admin"]],
        }
        assert commit.files == ("org/units.yaml",)
    assert commit_count(w.path) == before + 4
    data = read_yaml(w.path / "org/units.yaml")
    codes = [unit["code"] for unit in data["units"]]
    assert codes == sorted(codes)  # kept sorted: diffs stay small
    assert {
        "code": "520602103201002",
        "name": "第二网格",
        "level": "group",
        "parent": "520602103201",
    } in data["units"]
    text = (w.path / "org/units.yaml").read_text()
    assert "'520602103201'" in text  # numeric codes are written quoted, so they stay strings


def test_codes_and_names_are_trimmed(w: World) -> None:
    result = run(
        "org", "add", " 520602103 ", " 滑石乡 ", "--level", "township", "--parent", "520602", ledger=w.path
    )
    assert result.exit_code == 0, result.output
    units = read_yaml(w.path / "org/units.yaml")["units"]
    assert {"code": "520602103", "name": "滑石乡", "level": "township", "parent": "520602"} in units


def test_list_is_a_tree_and_json_lists_every_unit(w: World) -> None:
    result = run("org", "list", ledger=w.path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines[2:]]
    assert names == ["碧江区", "和平乡", "板栗园村", "一组", "桃映村", "坝黄镇", "宋家坝村"]
    indents = [len(line) - len(line.lstrip()) for line in lines[2:]]
    assert indents == [0, 2, 4, 6, 4, 2, 4]
    units = json.loads(run("org", "list", "--json", ledger=w.path).stdout)
    assert units[0] == {"code": "520602", "name": "碧江区", "level": "county", "parent": None}
    assert [u["code"] for u in units if u["level"] == "village"] == [
        "520602101201",
        "520602101202",
        "520602102201",
    ]
    assert len(units) == 7
