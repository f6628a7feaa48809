"""Many writers at once (issue 10): 8 processes × 100 commands on one ledger.

Every command either succeeds (exit 0, its entry present exactly once) or is refused as busy (exit 3) having written
nothing; with retries all 800 land, one commit each; `check` and `audit` stay clean and `git fsck` finds nothing.

Each worker is its own OS process running the real CLI code (`minqing.cli.app`) in a loop, so the lock, the
plumbing commits and the rollback are exercised by true concurrency without paying 800 interpreter start-ups; a
smaller run goes through the installed `minqing` console script, one process per command. Every attempt carries a
unique tag (`w3-c17-a2`) in a note, plan or reason, so the ledger itself tells which attempts wrote something.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import NOW, git, refused, run, snapshot

from minqing.ledgers.core.kinds import KINDS
from minqing.ledgers.ops import register, workflow
from minqing.ledgers.read import visits as visit_reads
from minqing.ledgers.repo.store import Ledger

WORKERS = 8
COMMANDS_PER_WORKER = 100
ITEMS_PER_WORKER = 8
TRANSITIONS = ("assign", "progress", "resolve", "feedback", "close")
VISITS_PER_WORKER = COMMANDS_PER_WORKER - ITEMS_PER_WORKER * len(TRANSITIONS)  # 60
TAG = re.compile(r"w\d+-c\d+-a\d+")

# Runs the CLI in-process (the same click command `minqing` runs) for each command of its plan, retrying a busy (exit 3) command with a new attempt tag.
WORKER = r"""
import contextlib, io, json, sys, traceback
import typer.main
from minqing.cli.app import app

cli = typer.main.get_command(app)  # built once: Typer rebuilds the click tree on every app() call

plan = json.load(open(sys.argv[1], encoding="utf-8"))
log = []
for command in plan:
    attempt = 0
    while True:
        attempt += 1
        tag = f"{command['id']}-a{attempt}"
        argv = [arg.replace("{tag}", tag) for arg in command["argv"]]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main(args=argv, prog_name="minqing")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:
                code = "crash"
                err.write(traceback.format_exc())
        log.append({"id": command["id"], "tag": tag, "code": code, "stderr": err.getvalue()})
        if code != 3 or attempt >= 400:
            break
with open(sys.argv[2], "w", encoding="utf-8") as handle:
    json.dump(log, handle)
"""


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, MINQING_NOW=NOW, MINQING_LANG="en", GIT_CONFIG_NOSYSTEM="1", **extra)
    for name in ("MINQING_USER", "MINQING_LEDGER", "MINQING_CRASH_AT"):
        env.pop(name, None)
    return env


@dataclass
class Office:
    path: Path
    admin: str
    leader: str
    households: list[str]
    items: list[list[str]]  # per worker
    base_commits: int


def _build(path: Path, workers: int, items_per_worker: int) -> Office:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINQING_NOW", NOW)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.delenv("MINQING_USER", raising=False)
        register.init(str(path), "520602", "碧江区", "测试管理员", at=NOW)
        led = Ledger.open(path)
        register.add_unit(led, None, "520602101", "和平乡", "township", "520602", at=NOW)
        register.add_unit(led, None, "520602101201", "板栗园村", "village", "520602101", at=NOW)
        admin = led._configured_user() or ""
        leader = register.add_cadre(
            led, None, name="测试乡领导", unit="520602101", role="township_leader", at=NOW
        ).id
        homes = [
            register.add_household(led, None, head=f"测试户{n}", village="520602101201", at=NOW).id
            for n in range(workers)
        ]
        items = [
            [
                workflow.add_item(
                    led,
                    None,
                    desc=f"事项 {w}-{j}",
                    category="housing",
                    kind=None,
                    ledger_name=None,
                    source=None,
                    household=homes[w],
                    at=NOW,
                ).id
                for j in range(items_per_worker)
            ]
            for w in range(workers)
        ]
    count = int(git(path, "rev-list", "--count", "HEAD").strip())
    return Office(path, admin, leader, homes, items, count)


def _plan(office: Office, worker: int, visits_count: int, items_count: int) -> list[dict]:
    """`visits_count` visit adds interleaved with five transitions on each of the worker's items."""
    home = office.households[worker]
    transitions = []
    for item in office.items[worker][:items_count]:
        transitions += [
            ["issue", "assign", item, "--leader", office.leader, "--due", "2026-12-31", "--plan", "{tag}"],
            ["issue", "progress", item, "--note", "{tag}"],
            ["issue", "resolve", item, "--how", "solved", "--note", "{tag}"],
            ["issue", "feedback", item, "--result", "satisfied", "--note", "{tag}"],
            ["issue", "close", item, "--reason", "{tag}"],
        ]
    visit_cmds = [
        ["visit", "add", "--household", home, "--by", office.admin, "--note", "{tag}"]
        for _ in range(visits_count)
    ]
    merged: list[list[str]] = []
    while transitions or visit_cmds:
        # Alternate so visits (one shared stream file) and item files are written in every phase of the run.
        for source in (visit_cmds, transitions):
            if source:
                merged.append(source.pop(0))
    return [
        {"id": f"w{worker}-c{n}", "argv": ["-C", str(office.path), *argv]} for n, argv in enumerate(merged)
    ]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _plant_stale_lock(path: Path) -> None:
    """A lock left by a writer that was killed: every worker sees it at once and must take it over safely."""
    import socket

    lock = path / ".git" / "minqing" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(f"{_dead_pid()} {socket.gethostname()} {NOW}")


def _tags_in_ledger(path: Path) -> Counter[str]:
    """Every attempt tag written anywhere: visit notes and the fields of every item history entry."""
    led = Ledger.open(path)
    found: Counter[str] = Counter()
    for visit in visit_reads.iter_visits(led):
        for tag in TAG.findall(visit.note or ""):
            found[tag] += 1
    for item in led.iter_items():
        for entry in item.history:
            for value in entry.fields.values():
                for tag in TAG.findall(str(value)):
                    found[tag] += 1
    return found


@dataclass
class StressRun:
    office: Office
    log: list[dict]
    seconds: float


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> StressRun:
    base = tmp_path_factory.mktemp("concurrency")
    office = _build(base / "ledger", WORKERS, ITEMS_PER_WORKER)
    _plant_stale_lock(office.path)
    (base / "worker.py").write_text(WORKER, encoding="utf-8")
    procs = []
    started = time.monotonic()
    # A short lock timeout makes busy refusals (exit 3) happen, so the "busy writes nothing" rule is exercised.
    env = _env(MINQING_LOCK_TIMEOUT="0.15")
    for worker in range(WORKERS):
        plan = base / f"plan{worker}.json"
        plan.write_text(
            json.dumps(_plan(office, worker, VISITS_PER_WORKER, ITEMS_PER_WORKER)), encoding="utf-8"
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, str(base / "worker.py"), str(plan), str(base / f"log{worker}.json")],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        )
    for proc in procs:
        output, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, output.decode(errors="replace")
    seconds = time.monotonic() - started
    log: list[dict] = []
    for worker in range(WORKERS):
        log += json.loads((base / f"log{worker}.json").read_text(encoding="utf-8"))
    busy = sum(1 for entry in log if entry["code"] == 3)
    print(
        f"\nconcurrency: {WORKERS}x{COMMANDS_PER_WORKER} commands in {seconds:.1f}s, {busy} busy refusals retried"
    )
    return StressRun(office, log, seconds)


def test_every_command_succeeds_or_is_busy(stress: StressRun) -> None:
    codes = Counter(entry["code"] for entry in stress.log)
    unexpected = [entry for entry in stress.log if entry["code"] not in (0, 3)]
    assert not unexpected, unexpected[:3]
    assert set(codes) <= {0, 3}
    finals: dict[str, int] = {}
    for entry in stress.log:
        finals[entry["id"]] = entry["code"]
    assert len(finals) == WORKERS * COMMANDS_PER_WORKER == 800
    assert all(code == 0 for code in finals.values()), Counter(finals.values())
    assert codes[0] == 800


def test_busy_messages_are_one_line_with_the_holder(stress: StressRun) -> None:
    for entry in stress.log:
        lines = [line for line in entry["stderr"].splitlines() if line.strip()]
        if entry["code"] == 3:
            assert len(lines) == 1, entry
            assert lines[0].startswith("minqing: the ledger is busy ("), entry
            assert "Traceback" not in entry["stderr"]
        else:
            assert lines == [], entry


def test_each_success_is_in_the_ledger_exactly_once_and_each_busy_attempt_not_at_all(
    stress: StressRun,
) -> None:
    found = _tags_in_ledger(stress.office.path)
    for entry in stress.log:
        expected = 1 if entry["code"] == 0 else 0
        assert found[entry["tag"]] == expected, entry
    assert sum(found.values()) == 800


def test_one_commit_per_successful_command_with_trailers(stress: StressRun) -> None:
    path = stress.office.path
    total = int(git(path, "rev-list", "--count", "HEAD").strip())
    assert total == stress.office.base_commits + 800
    ops = git(path, "log", f"-{800}", "--format=%(trailers:key=Ledger-Op,valueonly,separator=%x2C)").split()
    assert Counter(ops) == Counter(
        {"visit.add": WORKERS * VISITS_PER_WORKER}
        | {f"issue.{op}": WORKERS * ITEMS_PER_WORKER for op in TRANSITIONS}
    )


def test_every_item_went_through_its_transitions_once_in_order(stress: StressRun) -> None:
    led = Ledger.open(stress.office.path)
    for worker_items in stress.office.items:
        for item_id in worker_items:
            item = led.item(item_id)
            assert [entry.op for entry in item.history] == ["create", *TRANSITIONS]
            assert item.state == "closed"
            assert KINDS["item"].replay(item.history).state == "closed"


def test_tree_is_clean_lock_released_and_no_temp_files_left(stress: StressRun) -> None:
    path = stress.office.path
    assert git(path, "status", "--porcelain", "--untracked-files=all") == ""
    state = path / ".git" / "minqing"
    assert not (state / "lock").exists()
    assert not (state / "pending.json").exists()
    assert sorted(p.name for p in state.glob("lock.*.tmp")) == []
    assert [p for p in path.rglob(".*.tmp")] == []


def test_git_fsck_is_clean(stress: StressRun) -> None:
    proc = subprocess.run(
        ["git", "fsck", "--full", "--strict", "--no-dangling"],
        cwd=stress.office.path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_check_is_clean_after_the_stress(stress: StressRun) -> None:
    result = run("check", ledger=stress.office.path)
    assert result.exit_code == 0, result.output


def _has_command(name: str) -> bool:
    from typer.testing import CliRunner

    from minqing.cli.app import app

    return CliRunner().invoke(app, [name, "--help"]).exit_code == 0


def test_audit_is_clean_after_the_stress(stress: StressRun) -> None:
    if not _has_command("audit"):
        pytest.skip("minqing audit is not registered yet (issue 5)")
    result = run("audit", ledger=stress.office.path)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- the installed console script


def test_console_script_writers_in_parallel(tmp_path: Path) -> None:
    """8 `minqing` processes at once, 4 commands each, one process per command (what cron plus clerks do)."""
    exe = shutil.which("minqing")
    if exe is None:
        pytest.skip("the minqing console script is not on PATH")
    office = _build(tmp_path / "ledger", WORKERS, 1)
    plans = [_plan(office, worker, 2, 1)[:4] for worker in range(WORKERS)]
    # Runs each worker's commands one after another in a shell, all workers at once; retries busy (exit 3).
    script = (
        'for cmd in "$@"; do n=0; while :; do n=$((n+1)); '
        'eval "minqing $(printf %s "$cmd" | sed "s/{tag}/$TAGBASE-$n/g")"; rc=$?; '
        'echo "$rc" >> "$LOG"; [ $rc -ne 3 ] && break; done; done'
    )
    procs = []
    for worker, plan in enumerate(plans):
        commands = [" ".join(_quote(arg) for arg in command["argv"]) for command in plan]
        env = _env(MINQING_LOCK_TIMEOUT="5", LOG=str(tmp_path / f"rc{worker}"), TAGBASE=f"w{worker}-c0-a")
        procs.append(
            subprocess.Popen(["sh", "-c", script, "sh", *commands], env=env, stdout=subprocess.DEVNULL)
        )
    for proc in procs:
        assert proc.wait(timeout=300) == 0
    codes = [
        int(line) for worker in range(WORKERS) for line in (tmp_path / f"rc{worker}").read_text().split()
    ]
    assert codes.count(0) == WORKERS * 4 and set(codes) <= {0, 3}
    total = int(git(office.path, "rev-list", "--count", "HEAD").strip())
    assert total == office.base_commits + WORKERS * 4
    assert git(office.path, "status", "--porcelain", "--untracked-files=all") == ""
    assert run("check", ledger=office.path).exit_code == 0


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------- the lock, one rule at a time


@pytest.fixture
def small(tmp_path: Path) -> Office:
    return _build(tmp_path / "ledger", 1, 1)


def test_busy_ledger_exits_3_with_one_line_and_writes_nothing(small: Office, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_LOCK_TIMEOUT", "0.2")
    with Ledger.open(small.path).lock():
        result = refused(
            small.path, "visit", "add", "--household", small.households[0], "--by", small.admin, code=3
        )
        assert f"{os.getpid()} " in result.stderr  # names the holder: pid host time
        refused(small.path, "issue", "progress", small.items[0][0], "--note", "x", code=3)


def test_busy_through_the_console_script(small: Office) -> None:
    exe = shutil.which("minqing")
    if exe is None:
        pytest.skip("the minqing console script is not on PATH")
    before = snapshot(small.path)
    with Ledger.open(small.path).lock():
        proc = subprocess.run(
            [
                exe,
                "-C",
                str(small.path),
                "visit",
                "add",
                "--household",
                small.households[0],
                "--by",
                small.admin,
            ],
            env=_env(MINQING_LOCK_TIMEOUT="0.2"),
            capture_output=True,
            text=True,
        )
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "busy" in proc.stderr
    assert snapshot(small.path) == before


def test_a_stale_lock_of_a_dead_process_is_taken_over(small: Office) -> None:
    _plant_stale_lock(small.path)
    result = run("visit", "add", "--household", small.households[0], "--by", small.admin, ledger=small.path)
    assert result.exit_code == 0, result.output
    assert not (small.path / ".git" / "minqing" / "lock").exists()


def test_a_live_lock_from_this_host_is_never_taken_over(small: Office, monkeypatch) -> None:
    import socket

    monkeypatch.setenv("MINQING_LOCK_TIMEOUT", "0.2")
    lock = small.path / ".git" / "minqing" / "lock"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock.write_text(f"{sleeper.pid} {socket.gethostname()} {NOW}")
        refused(small.path, "visit", "add", "--household", small.households[0], "--by", small.admin, code=3)
        assert lock.read_text().startswith(f"{sleeper.pid} ")
    finally:
        sleeper.kill()
        sleeper.wait()
        lock.unlink()


def test_a_lock_from_another_host_is_left_alone(small: Office, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_LOCK_TIMEOUT", "0.2")
    lock = small.path / ".git" / "minqing" / "lock"
    lock.write_text(f"{_dead_pid()} another-office-pc {NOW}")
    try:
        refused(small.path, "visit", "add", "--household", small.households[0], "--by", small.admin, code=3)
        assert lock.exists()
    finally:
        lock.unlink()


def test_stale_lock_takeover_race_lets_exactly_one_writer_in(small: Office) -> None:
    """Many processes find the same dead holder at the same moment; each must still get the lock alone.

    Each process takes the lock, records (enter, leave) times while holding it, and the intervals must not
    overlap: a takeover that deleted a live writer's lock would let two holders overlap."""
    code = r"""
import json, sys, time
from minqing.ledgers.repo.store import Ledger
led = Ledger.open(sys.argv[1])
spans = []
for _ in range(5):
    with led.lock(timeout=30):
        start = time.monotonic()
        time.sleep(0.01)
        spans.append((start, time.monotonic()))
print(json.dumps(spans))
"""
    spans = []
    for _round in range(3):
        _plant_stale_lock(small.path)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(small.path)], env=_env(), stdout=subprocess.PIPE
            )
            for _ in range(6)
        ]
        for proc in procs:
            out, _ = proc.communicate(timeout=120)
            assert proc.returncode == 0
            spans += json.loads(out)
    spans.sort()
    assert len(spans) == 3 * 6 * 5
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, "two processes held the ledger lock at the same time"
    assert not (small.path / ".git" / "minqing" / "lock").exists()
