"""Cron-friendly (issue 17): cron mails whatever a job prints, so a report that worked prints nothing (`-v` lists
the files); a reader that goes away (`| head -1`) ends the command quietly with exit 0, not 1 ("findings"); a report
that fails (the ledger busy, exit 3) leaves no empty or half-written folder behind. Each one through a real process:
`python -m minqing.cli`, its stdout a real pipe. (On the demo's large log: test_docs_git_log.py.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import snapshot
from foundation_util import World, world_template

MINQING = [sys.executable, "-m", "minqing.cli"]
DAY = "2026-11-23"


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def minqing(w: World, *args: str, timeout: str = "1") -> subprocess.CompletedProcess:
    env = {**os.environ, "MINQING_LOCK_TIMEOUT": timeout}
    proc = subprocess.run([*MINQING, "-C", str(w.path), *args], capture_output=True, text=True, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def hold_lock(w: World) -> Path:
    """The writer lock as a live process on this host holds it (this test's own pid): never taken over."""
    lock = w.path / ".git" / "minqing" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(f"{os.getpid()} {socket.gethostname()} {DAY}T09:00:00+08:00")
    return lock


# ---------------------------------------------------------------- silent on success


def test_daily_and_nightly_print_nothing_and_list_the_files_with_verbose(w: World, tmp_path: Path) -> None:
    daily = tmp_path / "cron" / "daily"  # nested and missing: made, quietly
    proc = minqing(w, "report", "daily", "--date", DAY, "--out-dir", str(daily))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert files(daily) == [f"daily-{DAY}.{suffix}" for suffix in ("html", "json", "md")]
    proc = minqing(w, "report", "daily", "--date", DAY, "--out-dir", str(daily), "-v")
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        str(daily / f"daily-{DAY}.{suffix}") for suffix in ("md", "json", "html")
    ]
    assert minqing(w, "-v", "report", "daily", "--date", DAY, "--out-dir", str(daily)).stderr == proc.stderr
    nightly = tmp_path / "cron" / "nightly"
    proc = minqing(w, "report", "nightly", "--date", DAY, "--out-dir", str(nightly))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert files(nightly) == [f"{DAY}.{suffix}" for suffix in ("html", "json", "md")]
    proc = minqing(w, "report", "nightly", "--date", DAY, "--out-dir", str(nightly), "-v")
    assert proc.stderr.splitlines() == [str(nightly / f"{DAY}.{suffix}") for suffix in ("md", "json", "html")]


# ---------------------------------------------------------------- a failed report leaves nothing behind


@pytest.mark.parametrize("report", ["nightly", "daily"])
def test_a_report_refused_by_a_held_lock_leaves_no_folder(w: World, tmp_path: Path, report: str) -> None:
    lock = hold_lock(w)
    before = snapshot(w.path)
    out = tmp_path / "srv" / "reports"
    proc = minqing(w, "report", report, "--date", DAY, "--out-dir", str(out))
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
    assert not (tmp_path / "srv").exists()  # neither the folder nor its missing parent
    assert snapshot(w.path) == before
    # A folder that already holds earlier nights keeps exactly them: no new file, no temp file.
    out.mkdir(parents=True)
    (out / "2026-11-22.md").write_text("昨天的报表\n", encoding="utf-8")
    assert minqing(w, "report", report, "--date", DAY, "--out-dir", str(out)).returncode == 3
    assert files(out) == ["2026-11-22.md"]
    lock.unlink()
    assert minqing(w, "report", report, "--date", DAY, "--out-dir", str(out)).returncode == 0
    assert len(files(out)) == 4 and not [name for name in files(out) if name.endswith(".tmp")]


def test_a_folder_that_cannot_be_made_is_bad_input_and_leaves_nothing(w: World, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for target in (blocker, blocker / "reports"):
        proc = minqing(w, "report", "daily", "--date", DAY, "--out-dir", str(target))
        assert proc.returncode == 2, proc.stderr
        assert "--out-dir" in proc.stderr and str(target) in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert blocker.read_text(encoding="utf-8") == "x" and files(tmp_path) == ["a-file", "ledger"]


# ---------------------------------------------------------------- a reader that goes away


@pytest.mark.parametrize(
    "args",
    [("log",), ("log", "--json"), ("issue", "list"), ("household", "list"), ("audit", "--json")],
    ids=" ".join,
)
def test_a_closed_stdout_ends_quietly_with_exit_0(w: World, args: tuple[str, ...]) -> None:
    # The reader closes the pipe before minqing has started (Python alone takes longer to start than this), so
    # the very first line written meets a closed pipe however short the output is.
    proc = subprocess.Popen(
        [*MINQING, "-C", str(w.path), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 0, err
    assert err == ""


@pytest.mark.parametrize("args", ["log", "issue list", "log --json"])
def test_piped_to_head_exit_0(w: World, args: str) -> None:
    command = f"set -o pipefail; {' '.join(MINQING)} -C '{w.path}' {args} | head -1"
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # No error line (a table's notes about the columns it left out are the table's business).
    assert "minqing:" not in proc.stderr and "Error" not in proc.stderr, proc.stderr
    assert len(proc.stdout.splitlines()) == 1
