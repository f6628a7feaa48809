"""clone and sync fetch through GitPython (ledgers/sync/remote.py): a progress line at a terminal, silence under
cron. The transfer goes over git's file:// transport, which reports progress like ssh:// and https:// do."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from conftest import git, run

from minqing.ledgers.ops import register
from minqing.ledgers.sync import remote


def _central(tmp_path: Path) -> Path:
    source = tmp_path / "county"
    register.init(str(source), "520602", "碧江区", "管理员")
    central = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(central)], check=True)
    return central


def test_clone_draws_progress_on_the_stream_it_is_given(tmp_path: Path):
    central = _central(tmp_path)
    shown = io.StringIO()
    remote.clone(central.as_uri(), tmp_path / "office", progress=shown, lang="en")
    assert (tmp_path / "office" / "minqing.yaml").is_file()
    assert "receiving objects" in shown.getvalue() and "100%" in shown.getvalue()
    zh = io.StringIO()
    remote.clone(central.as_uri(), tmp_path / "office-zh", progress=zh, lang="zh")
    assert "接收对象" in zh.getvalue()


def test_fetch_draws_progress_and_a_missing_ref_is_reported(tmp_path: Path):
    central = _central(tmp_path)
    remote.clone(central.as_uri(), tmp_path / "office")
    shown = io.StringIO()
    remote.fetch(tmp_path / "office", "origin", "+refs/heads/main:refs/remotes/origin/main", shown, "en")
    try:
        remote.fetch(tmp_path / "office", "origin", "+refs/heads/nope:refs/remotes/origin/nope")
    except remote.TransferFailed as failed:
        assert "couldn't find remote ref" in failed.detail
    else:
        raise AssertionError("fetching a missing branch must fail")


def test_clone_and_sync_without_a_terminal_print_no_progress(tmp_path: Path):
    central = _central(tmp_path)
    cloned = run("--lang", "en", "clone", central.as_uri(), str(tmp_path / "office"))
    assert cloned.exit_code == 0, cloned.output
    assert "%" not in cloned.stderr and "receiving" not in cloned.stderr
    synced = run("--lang", "en", "sync", "--json", ledger=tmp_path / "office")
    assert synced.exit_code == 0, synced.output
    assert "%" not in synced.stderr


def test_an_unreachable_remote_is_exit_3_with_one_line(tmp_path: Path):
    result = run("clone", (tmp_path / "nowhere.git").as_uri(), str(tmp_path / "office"))
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert "fatal: " in result.stderr and "stderr:" not in result.stderr  # git's own words, unwrapped
    assert not (tmp_path / "office").exists()


def test_fetch_without_progress_runs_git_directly_with_the_same_failures(tmp_path: Path):
    """No progress stream (cron, a pipe): git itself, not GitPython; the failures read the same either way."""
    central = _central(tmp_path)
    remote.clone(central.as_uri(), tmp_path / "office")
    refspec = "+refs/heads/main:refs/remotes/origin/main"
    remote.fetch(tmp_path / "office", "origin", refspec)
    fetched = git(tmp_path / "office", "rev-parse", "refs/remotes/origin/main")
    assert fetched == git(central, "rev-parse", "main")
    details = []
    for shown in (None, io.StringIO()):
        for where, spec in (((tmp_path / "nowhere.git").as_uri(), refspec), ("origin", "+refs/heads/nope:x")):
            try:
                remote.fetch(tmp_path / "office", where, spec, shown, "en")
            except remote.TransferFailed as failed:
                details.append(failed.detail)
            else:
                raise AssertionError(f"fetching {where} {spec} must fail")
    assert details[:2] == details[2:]
    assert details[0].startswith("fatal: ") and "couldn't find remote ref" in details[1]
