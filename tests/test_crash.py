"""kill -9 at any moment (issue 10): never a half-written or unparsable file, every command that exited 0 is in the
ledger, `minqing doctor` reports what a killed command left and `doctor --fix` repairs it.

Two ways to kill a writer:
- at a named point, through the installed console script: MINQING_CRASH_AT=<point> makes the store SIGKILL its own
  process there (ledgers/store.py `crash_point`): before the first file is complete, between files, with every
  file written, with the journal written, with files staged, with the commit object made, with HEAD moved.
- at random moments, 200 times: a forked writer runs operations in a loop and reports each success through a
  pipe; the test kills its whole process group (the writer and any git it is running, as a power cut would) after
  a random delay, then checks the ledger, runs doctor, and starts the next writer.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import NOW, git, refused, run, snapshot

from minqing.ledgers.core.errors import LedgerError
from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.read import visits as visit_reads
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import check

VILLAGE = "520602101201"
TAG = re.compile(r"k\d+-\d+")
POINTS = ("write", "tmp", "commit", "journal", "index", "update-ref", "ref")
PARTIAL = ("write", "tmp", "commit")  # killed before the operation's commit was fully described: undone
COMPLETE = ("journal", "index", "update-ref")  # every file written, commit recorded: finished by doctor --fix


@dataclass
class Base:
    path: Path
    admin: str
    leader: str
    homes: list[str]
    items: list[str]  # assigned, so `issue progress` can repeat on them


def _build(path: Path) -> Base:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINQING_NOW", NOW)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.delenv("MINQING_USER", raising=False)
        register.init(str(path), "520602", "碧江区", "测试管理员", at=NOW)
        led = Ledger.open(path)
        register.add_unit(led, None, "520602101", "和平乡", "township", "520602", at=NOW)
        register.add_unit(led, None, VILLAGE, "板栗园村", "village", "520602101", at=NOW)
        leader = register.add_cadre(
            led, None, name="乡领导", unit="520602101", role="township_leader", at=NOW
        ).id
        homes = [
            register.add_household(led, None, head=f"户{n}", village=VILLAGE, at=NOW).id for n in range(3)
        ]
        items = []
        for n in range(3):
            item = workflow.add_item(
                led,
                None,
                desc=f"事项{n}",
                category="water",
                kind=None,
                ledger_name=None,
                source=None,
                household=homes[n],
                at=NOW,
            )
            workflow.assign(led, None, item.id, leader=leader, resp_unit=None, due="2026-12-31", at=NOW)
            items.append(item.id)
        return Base(path, led._configured_user() or "", leader, homes, items)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return _build(tmp_path_factory.mktemp("crash") / "ledger")


@pytest.fixture
def base(template: Base, tmp_path: Path) -> Base:
    target = tmp_path / "ledger"
    shutil.copytree(template.path, target, symlinks=True)
    return Base(target, template.admin, template.leader, template.homes, template.items)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, MINQING_NOW=NOW, MINQING_LANG="en", GIT_CONFIG_NOSYSTEM="1", **extra)
    for name in ("MINQING_USER", "MINQING_LEDGER"):
        env.pop(name, None)
    return env


def _minqing() -> str:
    exe = shutil.which("minqing")
    if exe is None:
        pytest.skip("the minqing console script is not on PATH")
    return exe


def _doctor(path: Path, *args: str) -> tuple[int, list[dict]]:
    result = run("--lang", "en", "doctor", "--json", *args, ledger=path)
    return result.exit_code, json.loads(result.stdout or "[]")


def _parse_problems(path: Path) -> list[str]:
    """Every ledger file in the working tree parsed as the tools read it; the problems (none is allowed)."""
    _parsed, problems = check.parse_files(check.read_tree(path))
    return [f"{rel}:{problem.line}: {problem.message}" for rel, problem in problems]


def _tags(path: Path) -> Counter[str]:
    """Where each attempt tag is in the ledger: a visit's note, an item's description, a progress note."""
    led = Ledger.open(path)
    found: Counter[str] = Counter()
    for visit in visit_reads.iter_visits(led):
        found.update(TAG.findall(visit.note or ""))
    for item in led.iter_items():
        found.update(TAG.findall(item.desc))
        for entry in item.history:
            if entry.op == "progress":
                found.update(TAG.findall(str(entry.fields.get("note", ""))))
    return found


def _leftovers(path: Path) -> list[str]:
    """What a killed writer can leave that doctor must report."""
    out = [line for line in git(path, "status", "--porcelain", "--untracked-files=all").splitlines()]
    state = path / ".git" / "minqing"
    out += [p.name for p in state.glob("lock")]
    out += [p.relative_to(path).as_posix() for p in (path / ".git").glob("*.lock")]
    out += [p.relative_to(path).as_posix() for p in (path / ".git" / "refs").rglob("*.lock")]
    return out


def _assert_audit_clean(path: Path) -> None:
    """`minqing audit` (issue 5) accepts the history, recovered commits included."""
    from typer.testing import CliRunner

    from minqing.cli.app import app

    if CliRunner().invoke(app, ["audit", "--help"]).exit_code != 0:
        return  # not registered yet
    result = run("audit", ledger=path)
    assert result.exit_code == 0, result.output


def _assert_healthy(path: Path) -> None:
    code, found = _doctor(path)
    assert code == 0, found
    assert _leftovers(path) == []
    assert not (path / ".git" / "minqing" / "pending.json").exists()


# ---------------------------------------------------------------- named points, the real console script


def _crashed_visit(base: Base, point: str, tag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _minqing(),
            "-C",
            str(base.path),
            "visit",
            "add",
            "--household",
            base.homes[0],
            "--by",
            base.admin,
            "--note",
            tag,
            "--raise",
            f"{tag} 屋顶漏雨",
            "--category",
            "housing",
            "--raise",
            f"{tag} 饮水不通",
            "--category",
            "water",
        ],
        env=_env(MINQING_CRASH_AT=point),
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("point", POINTS)
def test_killed_visit_with_two_items_at_each_point(base: Base, point: str) -> None:
    before_head = git(base.path, "rev-parse", "HEAD").strip()
    proc = _crashed_visit(base, point, "k0-1")
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert _parse_problems(base.path) == []
    moved = git(base.path, "rev-parse", "HEAD").strip() != before_head
    assert moved == (point == "ref")

    code, found = _doctor(base.path)
    assert code == 1, found
    codes = sorted(f["code"] for f in found if f["problem"])
    # At "tmp" the first file is not yet in place: nothing to undo but the temp file (and the lock).
    expected = {"ref": ["lock"], "tmp": ["lock", "tmp"]}.get(point, ["interrupted", "lock"])
    assert codes == expected, found
    if point in ("write", "commit"):
        [finding] = [f for f in found if f["code"] == "interrupted"]
        assert finding["message"].startswith("the command 'visit.add' was interrupted while writing")
    if point in COMPLETE:
        [finding] = [f for f in found if f["code"] == "interrupted"]
        assert finding["message"].startswith(
            "the command '走访 户0 2026-11-23（测试管理员），登记 2 项' was interrupted before"
        )

    if point not in ("ref", "tmp"):
        # Until doctor settles it, every write is refused with one line and writes nothing.
        stale = base.path / ".git" / "minqing" / "lock"
        stale.unlink()  # the stale lock alone would be taken over; the journal is what refuses
        refused(
            base.path,
            "issue",
            "progress",
            base.items[1],
            "--note",
            "x",
            code=4,
            contains="minqing doctor --fix",
        )

    code, fixed = _doctor(base.path, "--fix")
    assert code == 0, fixed
    _assert_healthy(base.path)
    tags = _tags(base.path)
    log = git(
        base.path,
        "log",
        "--format=%H%x00%s%x00%(trailers:key=Ledger-Recovered,valueonly)",
        f"{before_head}..",
    )
    commits = [line.split("\0") for line in log.splitlines() if line]
    if point in PARTIAL:
        assert tags == Counter()  # undone: nothing of the killed command is in the ledger
        assert commits == []
    else:
        assert tags == Counter({"k0-1": 3})  # the visit and its two items, once each
        [(_sha, subject, recovered)] = commits
        assert subject == "走访 户0 2026-11-23（测试管理员），登记 2 项"
        assert recovered.startswith("doctor ") == (point in COMPLETE)
    assert run("check", ledger=base.path).exit_code == 0
    _assert_audit_clean(base.path)
    # The ledger works again.
    again = run(
        "visit", "add", "--household", base.homes[0], "--by", base.admin, "--note", "k0-2", ledger=base.path
    )
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("point", ("write", "journal", "index", "ref"))
def test_killed_transition_at_each_point(base: Base, point: str) -> None:
    before = git(base.path, "rev-parse", "HEAD").strip()
    proc = subprocess.run(
        [_minqing(), "-C", str(base.path), "issue", "progress", base.items[0], "--note", "k0-3"],
        env=_env(MINQING_CRASH_AT=point),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -signal.SIGKILL
    assert _parse_problems(base.path) == []
    assert _doctor(base.path)[0] == 1
    assert _doctor(base.path, "--fix")[0] == 0
    _assert_healthy(base.path)
    history = Ledger.open(base.path).item(base.items[0]).history
    notes = [entry.fields.get("note") for entry in history if entry.op == "progress"]
    assert notes == ([] if point == "write" else ["k0-3"])
    assert len(git(base.path, "rev-list", f"{before}..").split()) == (0 if point == "write" else 1)


def test_stale_git_index_lock_fails_writes_cleanly_until_doctor_removes_it(base: Base) -> None:
    """A git killed while writing the index leaves .git/index.lock: commits fail (exit 4, nothing written)."""
    (base.path / ".git" / "index.lock").write_bytes(b"")
    result = refused(base.path, "issue", "progress", base.items[0], "--note", "x", code=4)
    assert "index.lock" in result.stderr
    code, found = _doctor(base.path)
    assert code == 1 and [f["code"] for f in found if f["problem"]] == ["git_lock"]
    assert found[0]["paths"] == [".git/index.lock"]
    assert _doctor(base.path, "--fix")[0] == 0
    _assert_healthy(base.path)
    assert run("issue", "progress", base.items[0], "--note", "x", ledger=base.path).exit_code == 0


def test_doctor_killed_while_finishing_is_finished_by_the_next_doctor(base: Base, monkeypatch) -> None:
    proc = _crashed_visit(base, "index", "k0-4")
    assert proc.returncode == -signal.SIGKILL
    before = git(base.path, "rev-parse", "HEAD").strip()
    env = _env(MINQING_CRASH_AT="index")
    doctor = subprocess.run(
        [_minqing(), "-C", str(base.path), "doctor", "--fix"], env=env, capture_output=True
    )
    assert doctor.returncode == -signal.SIGKILL
    assert git(base.path, "rev-parse", "HEAD").strip() == before
    assert _doctor(base.path, "--fix")[0] == 0
    _assert_healthy(base.path)
    assert _tags(base.path) == Counter({"k0-4": 3})


def test_killed_console_script_at_random_moments(base: Base) -> None:
    """The real `minqing` process (start-up included), killed after a random delay: 12 times."""
    exe = _minqing()
    rng = random.Random(10)
    confirmed: list[str] = []
    for n in range(12):
        tag = f"k1-{n}"
        proc = subprocess.Popen(
            [
                exe,
                "-C",
                str(base.path),
                "visit",
                "add",
                "--household",
                base.homes[1],
                "--by",
                base.admin,
                "--note",
                tag,
                "--raise",
                f"{tag} 路灯",
                "--category",
                "infrastructure",
            ],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.05, 0.8))
        with _suppress_lookup():
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.wait() == 0:
            confirmed.append(tag)
        _after_kill(base.path, confirmed)


# ---------------------------------------------------------------- 200 kills at random moments


class _suppress_lookup:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, value: object, tb: object) -> bool:
        return kind is ProcessLookupError


def _writer(path: Path, cycle: int, out_fd: int, items: list[str], homes: list[str], admin: str) -> None:
    """Runs in the forked child: operations until killed, each success reported as `OK tag`."""
    os.setpgid(0, 0)
    rng = random.Random(cycle)
    led = Ledger.open(path)
    n = 0
    while True:
        tag = f"k{cycle + 100}-{n}"
        n += 1
        try:
            if rng.random() < 0.6:
                raises = [(f"{tag} 问题{i}", "housing") for i in range(rng.randint(0, 2))]
                visits.add_visit(led, None, household=rng.choice(homes), by=[admin], note=tag, raises=raises)
            else:
                workflow.progress(led, None, rng.choice(items), tag)
        except LedgerError as error:
            os.write(out_fd, f"ERR {tag} {error.exit_code} {error}\n".encode())
            continue
        os.write(out_fd, f"OK {tag}\n".encode())


def _after_kill(path: Path, confirmed: list[str], seen: Counter[str] | None = None) -> None:
    """The invariants after one kill: files parse, doctor reports iff something is left, --fix repairs it all,
    and every operation that reported success is in the ledger exactly once."""
    assert _parse_problems(path) == []
    left = _leftovers(path)
    code, found = _doctor(path)
    assert code == (1 if left else 0), (left, found)
    if seen is not None:
        for finding in found:
            if finding["code"] == "interrupted":
                partial = "while writing" in finding["message"]
                seen["interrupted-partial" if partial else "interrupted-complete"] += 1
            else:
                seen[finding["code"]] += 1
    if code:
        assert all(f["fixable"] for f in found if f["problem"]), found
        code, fixed = _doctor(path, "--fix")
        assert code == 0, fixed
    _assert_healthy(path)
    tags = _tags(path)
    missing = [tag for tag in confirmed if tags[tag] == 0]
    assert missing == [], missing
    assert [tag for tag, count in tags.items() if count > 1 + 2] == []  # a visit note plus at most two items


def test_200_kills_at_random_moments(template: Base, tmp_path: Path) -> None:
    path = tmp_path / "ledger"
    shutil.copytree(template.path, path, symlinks=True)
    rng = random.Random(2026)
    confirmed: list[str] = []
    refused_writes: list[str] = []
    seen: Counter[str] = Counter()  # what doctor found after the kills, for the record
    kills = 0
    for cycle in range(200):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the writer
            os.close(read_fd)
            try:
                _writer(path, cycle, write_fd, template.items, template.homes, template.admin)
            finally:
                os._exit(0)
        os.close(write_fd)
        time.sleep(rng.uniform(0.0, 0.25))
        with _suppress_lookup():
            os.killpg(pid, signal.SIGKILL)  # the writer and any git it is running: a power cut
        with _suppress_lookup():
            os.kill(pid, signal.SIGKILL)  # in case it had not yet moved to its own group
        os.waitpid(pid, 0)
        kills += 1
        with os.fdopen(read_fd, "rb") as pipe:
            for line in pipe.read().decode().splitlines():
                word, tag, *rest = line.split(" ", 2)
                if word == "OK":
                    confirmed.append(tag)
                else:
                    refused_writes.append(line)
        _after_kill(path, confirmed, seen)
    assert kills == 200
    # A writer never sees a refusal: doctor left nothing behind for the next one.
    assert refused_writes == []
    assert len(confirmed) > 100  # the kills landed while work was being done, not only before it started
    # Kills landed mid-write (undone) and between "all written" and "HEAD moved" (finished), not only between ops.
    assert seen["interrupted-partial"] > 0 and seen["interrupted-complete"] > 0, seen
    assert run("check", ledger=path).exit_code == 0
    fsck = subprocess.run(
        ["git", "fsck", "--full", "--no-dangling"], cwd=path, capture_output=True, text=True
    )
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    tags = _tags(path)
    assert all(tags[tag] >= 1 for tag in confirmed)
    print(
        f"\ncrash: 200 kills, {len(confirmed)} confirmed operations, {len(tags)} in the ledger; found {dict(seen)}"
    )
    _assert_audit_clean(path)


def test_snapshot_helper_sees_untracked_files(base: Base) -> None:
    """The guard used by every refusal test notices a stray file (so "nothing written" means something)."""
    before = snapshot(base.path)
    (base.path / "issues" / "stray.yaml").write_text("x: 1\n")
    assert snapshot(base.path) != before
