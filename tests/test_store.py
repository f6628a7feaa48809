"""ledgers/store.py against real git repos: discovery, atomic writes, the writer lock (Busy → exit 3), one commit per
operation with trailers, rollback of a refused operation, prefix resolution."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from conftest import refused, run, snapshot
from foundation_util import World, commit_count, commits, git_out, head, world_template

from minqing.ledgers.core import ids
from minqing.ledgers.core.errors import (
    Ambiguous,
    BadInput,
    Busy,
    EnvironmentProblem,
    NotALedger,
    NotFound,
    Refused,
)
from minqing.ledgers.ops import workflow
from minqing.ledgers.repo.store import Ledger, atomic_write, find_root


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


# ---------------------------------------------------------------- discovery


def test_find_root_walks_up_and_open_refuses_outside(w: World, tmp_path: Path) -> None:
    deep = w.path / "issues" / "2026"
    assert find_root(deep) == w.path.resolve()
    assert Ledger.open(deep).root == w.path.resolve()
    with pytest.raises(NotALedger) as caught:
        Ledger.open(tmp_path / "nowhere")
    assert caught.value.exit_code == 4
    with pytest.raises(NotALedger):
        Ledger.open(tmp_path)


# ---------------------------------------------------------------- atomic writes


def test_atomic_write_replaces_the_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.yaml"
    atomic_write(target, b"one\n")
    atomic_write(target, "二\n".encode())
    assert target.read_text(encoding="utf-8") == "二\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.yaml"]


def test_atomic_write_failure_keeps_the_old_file_and_removes_the_temp(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "file.yaml"
    atomic_write(target, b"old\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(EnvironmentProblem) as caught:
        atomic_write(target, b"new\n")
    assert caught.value.exit_code == 4
    assert "No space left on device" in caught.value.render("en")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.yaml"]


def test_operations_leave_no_temp_files_in_the_tree(w: World) -> None:
    led = Ledger.open(w.path)
    workflow.progress(led, None, w["assigned"], "开工")
    leftovers = [p for p in w.path.rglob("*") if ".git" not in p.parts and p.name.endswith(".tmp")]
    assert leftovers == []
    assert git_out(w.path, "status", "--porcelain", "--untracked-files=all") == ""


# ---------------------------------------------------------------- one commit per operation


def test_a_transaction_is_exactly_one_commit_with_trailers_and_author(w: World) -> None:
    led = Ledger.open(w.path)
    before = commit_count(w.path)
    with led.transaction(w["town"], "issue.progress") as tx:
        tx.put("issues/2026/probe.txt", "a\n")
        tx.put("issues/2026/probe2.txt", "b\n")
        tx.commit("进展 测试", ["Q-TEST00", "Q-TEST01"])
    assert commit_count(w.path) == before + 1
    (commit,) = commits(w.path)[:1]
    assert commit.subject == "进展 测试"
    assert commit.trailers == {
        "Ledger-Op": ["issue.progress"],
        "Ledger-Entry": ["Q-TEST00", "Q-TEST01"],
        "Ledger-Actor": [w["town"]],
    }
    assert (commit.author, commit.email) == ("测试乡领导", f"{w['town']}@minqing.invalid")
    assert sorted(commit.files) == ["issues/2026/probe.txt", "issues/2026/probe2.txt"]
    committer = git_out(w.path, "log", "-1", "--format=%cn <%ce> %cI").strip()
    assert committer == f"测试乡领导 <{w['town']}@minqing.invalid> 2026-11-23T10:00:00+08:00"


def test_an_error_inside_a_transaction_restores_every_file(w: World) -> None:
    led = Ledger.open(w.path)
    before = snapshot(w.path)
    existing = w.path / "org" / "units.yaml"
    original = existing.read_bytes()
    with pytest.raises(BadInput), led.transaction(None, "org.add") as tx:
        tx.put("org/units.yaml", "broken: [\n")
        tx.put("cadres/C-NEW000.yaml", "id: C-NEW000\n")
        raise BadInput("required", field="--x", accepted="y")
    assert existing.read_bytes() == original
    assert not (w.path / "cadres" / "C-NEW000.yaml").exists()
    assert snapshot(w.path) == before


def test_a_refused_library_operation_writes_nothing(w: World) -> None:
    led = Ledger.open(w.path)
    before = snapshot(w.path)
    with pytest.raises(Refused):
        workflow.close(led, None, w["registered"])
    with pytest.raises(Refused):
        workflow.close(led, w["clerk"], w["resolved_fb"])
    assert snapshot(w.path) == before


def test_a_transaction_that_forgets_to_commit_is_a_bug_and_writes_nothing(w: World) -> None:
    led = Ledger.open(w.path)
    before = snapshot(w.path)
    with pytest.raises(RuntimeError), led.transaction(None, "issue.progress") as tx:
        tx.put("issues/2026/stray.txt", "x\n")
    assert snapshot(w.path) == before


def test_a_staged_hand_edit_is_never_swept_into_an_operation(w: World) -> None:
    units = w.path / "org" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "# hand edit\n", encoding="utf-8")
    git_out(w.path, "add", "org/units.yaml")
    before = head(w.path)
    result = run("issue", "progress", w["assigned"], "--note", "开工", ledger=w.path)
    assert result.exit_code == 4
    assert len(result.stderr.strip().splitlines()) == 1 and "org/units.yaml" in result.stderr
    assert head(w.path) == before
    assert "# hand edit" not in git_out(w.path, "show", "HEAD:org/units.yaml")


# ---------------------------------------------------------------- the lock


def test_lock_timeout_is_busy(w: World) -> None:
    led = Ledger.open(w.path)
    other = Ledger.open(w.path)
    with led.lock():
        with pytest.raises(Busy) as caught, other.lock(timeout=0.1):
            pass
    assert caught.value.exit_code == 3
    assert str(os.getpid()) in caught.value.render("en")
    with other.lock(timeout=0.1):  # released
        pass


def test_a_writer_waits_then_exits_3_through_the_cli_and_writes_nothing(w: World, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_LOCK_TIMEOUT", "0.2")
    led = Ledger.open(w.path)
    with led.lock():
        result = refused(w.path, "issue", "progress", w["assigned"], "--note", "开工", code=3)
        assert "台账正被其他操作占用" in result.stderr and "请稍后重试" in result.stderr
        # Readers do not take the lock.
        shown = run("issue", "show", w["assigned"], "--json", ledger=w.path)
        assert shown.exit_code == 0
    assert run("issue", "progress", w["assigned"], "--note", "开工", ledger=w.path).exit_code == 0


def test_a_stale_lock_of_a_dead_process_is_taken_over(w: World) -> None:
    led = Ledger.open(w.path)
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (led.state_dir / "lock").write_text(f"{dead} {socket.gethostname()} 2026-11-23T09:00:00+08:00")
    with led.lock(timeout=0.2):
        pass
    assert not (led.state_dir / "lock").exists()


def test_a_lock_held_from_another_host_is_respected(w: World) -> None:
    led = Ledger.open(w.path)
    (led.state_dir / "lock").write_text("1 some-other-host 2026-11-23T09:00:00+08:00")
    with pytest.raises(Busy), led.lock(timeout=0.1):
        pass
    assert (led.state_dir / "lock").exists()


# ---------------------------------------------------------------- ids and prefixes


def test_resolve_full_ids_unique_prefixes_and_ambiguity(w: World) -> None:
    led = Ledger.open(w.path)
    q = w["registered"]
    assert led.resolve("Q", q, "ID") == q
    assert led.resolve("Q", q.lower(), "ID") == q
    assert led.resolve("Q", q[2:], "ID") == q  # the kind letter may be left out
    with pytest.raises(Ambiguous) as caught:
        led.resolve("Q", w.ambiguous_prefix, "ID")
    matches = sorted(v for v in w.ids.values() if v.startswith(w.ambiguous_prefix))
    assert all(m in caught.value.render("en") for m in matches)
    with pytest.raises(NotFound):
        led.resolve("Q", "Q-ZZZZZZ", "ID")
    with pytest.raises(BadInput):
        led.resolve("Q", w["town"], "ID")
    assert led.path_of(q) == f"issues/2026/{q}.yaml"


def test_new_ids_are_random_and_well_formed() -> None:
    made = {ids.new_id("Q") for _ in range(200)}
    assert len(made) == 200
    assert all(ids.is_id(value, "Q") for value in made)
    with ids.seeded(7):
        first = [ids.new_id("H") for _ in range(3)]
    with ids.seeded(7):
        assert [ids.new_id("H") for _ in range(3)] == first


def test_locate_follows_a_household_moved_and_removed_through_the_same_ledger(w: World) -> None:
    """`locate` remembers where it found a household (the demo and an import ask again and again) but believes it
    only after a stat: moved by one operation, or its file gone, it is looked for again."""
    from minqing.ledgers.ops import register

    led = Ledger.open(w.path)
    home = w["h3"]
    assert led.locate(home) == f"households/520602102201/{home}.yaml"
    assert led.locate(home) == f"households/520602102201/{home}.yaml"  # remembered
    register.move_household(led, None, home, village="520602101202", reason="搬迁到桃映村")
    assert led.locate(home) == f"households/520602101202/{home}.yaml"
    assert led.household(home).village == "520602101202"
    (w.path / f"households/520602101202/{home}.yaml").unlink()
    assert led.locate(home) is None
