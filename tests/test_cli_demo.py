"""`minqing demo`: the synthetic 碧江区 of seed 001 (215 households with a problem at 和平乡, 104 referred to the
township, 25 of those to the district), deterministic per --seed, never mixed into an existing ledger.

The demo takes several seconds, so it is built once for the module; a second build with the same seed runs in a
subprocess at the same time, for the determinism check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import refused, run
from foundation_util import commit_count, commits, git_out, head, office_env

SEED = "5"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("demo")
    twin_path = base / "twin"
    env = dict(os.environ, MINQING_LANG="zh", GIT_CONFIG_NOSYSTEM="1")
    env.pop("MINQING_NOW", None)  # the demo carries its own calendar: the twin runs on the real clock
    twin = subprocess.Popen(
        [sys.executable, "-m", "minqing.cli", "demo", str(twin_path), "--seed", SEED],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with office_env():
        result = run("demo", str(base / "bijiang"), "--seed", SEED)
    out, err = twin.communicate(timeout=600)
    assert twin.returncode == 0, err.decode()
    assert result.exit_code == 0, result.output
    return {"path": base / "bijiang", "twin": twin_path, "result": result, "twin_out": out.decode()}


def test_prints_where_it_is_and_the_status(demo: dict) -> None:
    lines = demo["result"].stdout.splitlines()
    assert lines[0] == f"示例台账已建在 {demo['path'].resolve()}"
    assert lines[1].startswith("碧江区（520602） 截至 ")
    assert "和平乡" in demo["result"].stdout


def test_heping_funnel_215_104_25(demo: dict) -> None:
    data = json.loads(run("status", "--json", ledger=demo["path"]).stdout)
    heping = next(row for row in data["by_township"] if row["name"] == "和平乡")
    assert (heping["items"], heping["escalated_township"], heping["escalated_county"]) == (215, 104, 25)
    assert len(data["by_township"]) >= 3
    # Items in every state, and a county-sized register behind them.
    assert all(count > 0 for count in data["by_state"].values()), data["by_state"]
    assert data["counts"]["households"] >= 300 and data["counts"]["visits"] > 0
    items = json.loads(run("issue", "list", "--json", ledger=demo["path"]).stdout)
    assert {row["kind"] for row in items} == {"problem", "appeal", "petition", "wish", "suggestion"}
    assert {row["level"] for row in items} == {"village", "township", "county"}
    heping_items = [row for row in items if row["unit"].startswith("520602202")]
    assert len(heping_items) == 215
    assert len({row["household"] for row in heping_items}) == 215  # one problem per household


def test_every_commit_is_a_named_operation_and_the_tree_is_clean(demo: dict) -> None:
    path = demo["path"]
    total = commit_count(path)
    assert total > 1000
    log = commits(path)
    assert len(log) == total
    assert all(c.trailers.get("Ledger-Op") and c.trailers.get("Ledger-Actor") for c in log)
    assert all(c.email == f"{c.trailers['Ledger-Actor'][0]}@minqing.invalid" for c in log)
    assert git_out(path, "status", "--porcelain", "--untracked-files=all") == ""


def test_same_seed_same_history(demo: dict) -> None:
    assert head(demo["twin"]) == head(demo["path"])


def test_a_second_run_into_the_same_path_is_refused(demo: dict) -> None:
    result = refused(demo["path"], "demo", str(demo["path"]), "--seed", SEED)
    assert "已经是台账" in result.stderr


def test_a_non_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    result = run("demo", str(tmp_path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "不是空目录" in result.stderr
    assert os.listdir(tmp_path) == ["notes.txt"]
