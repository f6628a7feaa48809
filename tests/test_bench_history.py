"""The benchmark ledger built of real operations (issue 19, `python -m bench.generate --history ops`): audit and check
accept every commit of it, and there is one commit per operation."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Counter[str]]:
    """A tiny county of real operations, and the commits of each operation the generator says it made."""
    path = tmp_path_factory.mktemp("bench-history") / "ledger"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.generate",
            str(path),
            "--size",
            "tiny",
            "--history",
            "ops",
            "--seed",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    counts = done.stdout.splitlines()[0].split()  # "cadre.add=20 household.add=200 …"
    return path, Counter({op: int(count) for op, count in (pair.split("=") for pair in counts)})


def _minqing(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    user = subprocess.run(
        ["git", "config", "minqing.user"], cwd=path, capture_output=True, text=True, check=True
    ).stdout.strip()
    env = dict(os.environ, MINQING_LEDGER=str(path), MINQING_LANG="en", NO_COLOR="1", MINQING_USER=user)
    command = [sys.executable, "-m", "minqing.cli", *args]
    return subprocess.run(command, cwd=path, env=env, capture_output=True, text=True, timeout=600)


def test_audit_finds_nothing(ledger: tuple[Path, Counter[str]]) -> None:
    path, _ = ledger
    done = _minqing(path, "audit")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "clean" in done.stderr  # the verdict is a status line (stderr); findings would be on stdout


def test_check_finds_nothing(ledger: tuple[Path, Counter[str]]) -> None:
    path, _ = ledger
    done = _minqing(path, "check")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_one_commit_per_operation(ledger: tuple[Path, Counter[str]]) -> None:
    path, ops = ledger
    log = subprocess.run(
        ["git", "log", "--format=%(trailers:key=Ledger-Op,valueonly)"],
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = Counter(line.strip() for line in log.splitlines() if line.strip())
    assert found == ops + Counter({"ledger.init": 1})
    for op in (
        "org.add",
        "cadre.add",
        "household.add",
        "household.pair",
        "issue.add",
        "issue.close",
        "visit.add",
    ):
        assert ops[op] > 0, op


def test_working_tree_is_head(ledger: tuple[Path, Counter[str]]) -> None:
    path, _ = ledger
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=path, capture_output=True, text=True, check=True
    ).stdout
    assert status == ""
