"""`status` and `issue list` in a real 80×24 terminal (issue 17): tmux runs them, the screen is read back.

A CliRunner is no terminal: this is the one test where stdout is a tty and the width comes from the terminal itself
(no COLUMNS). The screen must show whole ids and figures and Chinese headers (MINQING_LANG unset: Chinese is the
default). Without tmux the test is skipped, unless MINQING_REQUIRE_TOOLS=1 (CI installs it), when it fails.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run
from rich.cells import cell_len

TMUX = shutil.which("tmux")
WIDTH, HEIGHT = 80, 24

if TMUX is None:
    if os.environ.get("MINQING_REQUIRE_TOOLS") == "1":
        pytest.fail("tmux is not installed, and MINQING_REQUIRE_TOOLS=1 requires it", pytrace=False)
    pytestmark = pytest.mark.skip(
        reason="tmux is not installed (apt-get install tmux); set MINQING_REQUIRE_TOOLS=1 to fail instead"
    )


@pytest.fixture
def terminal(tmp_path: Path):
    """A detached 80×24 tmux session on its own server socket; yields a function that runs a command in it and
    returns the screen once the command has finished."""
    socket = str(tmp_path / "tmux.sock")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MINQING_LANG", "COLUMNS", "LINES", "TMUX")
    }
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"  # colours as a clerk gets them; capture-pane -p gives the characters only

    def tmux(*args: str) -> str:
        return subprocess.run(
            [TMUX, "-S", socket, *args], env=env, capture_output=True, text=True, check=True, timeout=30
        ).stdout

    tmux("-f", "/dev/null", "new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "sh")
    tmux("set-option", "-g", "history-limit", "5000")

    def screen(command: str) -> str:
        done = tmp_path / "done"
        done.unlink(missing_ok=True)
        tmux("send-keys", "clear; " + command + f"; touch {shlex.quote(str(done))}", "Enter")
        deadline = time.monotonic() + 60
        while not done.exists():
            assert time.monotonic() < deadline, tmux("capture-pane", "-p")
            time.sleep(0.1)
        return tmux("capture-pane", "-p", "-S", "-5000")

    try:
        yield screen
    finally:
        subprocess.run([TMUX, "-S", socket, "kill-server"], env=env, capture_output=True, timeout=30)


def minqing(demo: Path, *args: str) -> str:
    """The command line, the CLI run by this Python (no console script needed), MINQING_LANG unset."""
    return " ".join(
        shlex.quote(part)
        for part in ("env", "-u", "MINQING_LANG", sys.executable, "-m", "minqing.cli", "-C", str(demo), *args)
    )


def _fits(screen: str) -> None:
    assert all(cell_len(line) <= WIDTH for line in screen.splitlines())


def test_status_on_an_80_column_terminal(demo: Path, terminal) -> None:
    summary = json.loads(run("status", "--json", ledger=demo).stdout)
    screen = terminal(minqing(demo, "status"))
    _fits(screen)
    words = set(screen.split())
    assert "乡镇" in words and "责任领导" in words and "上报乡镇" in words  # Chinese headers, whole
    for row in summary["by_township"]:
        assert {row["name"], str(row["items"]), str(row["open"]), str(row["overdue"])} <= words
    for row in summary["by_leader"]:
        assert row["id"] in words and row["name"] in words
    for row in summary["overdue"][:10]:
        assert row["id"] in words and row["due"] in words
    assert "…" not in screen


def test_issue_list_on_an_80_column_terminal(demo: Path, terminal) -> None:
    items = json.loads(run("issue", "list", "--unit", "520602102", "--json", ledger=demo).stdout)
    screen = terminal(minqing(demo, "issue", "list", "--unit", "520602102"))
    _fits(screen)
    words = set(screen.split())
    assert {"编号", "描述", "单位", "状态", "责任领导", "时限"} <= words
    for item in items:
        assert item["id"] in words and item["unit"] in words
        assert item["due"] is None or item["due"] in words
        assert item["leader"] is None or item["leader"] in words
    assert "枫木坪村二组" in words or "路腊村三组" in words  # the unit's name beside its code
    assert "--wide" in screen  # the columns left out are named on the terminal (stderr)
