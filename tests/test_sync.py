"""Several offices, one county: clone, sync, conflicts and resolve-conflict over real git repos and a bare central
repo in temp dirs (no network)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import git, run

from minqing.ledgers.core import yamlio
from minqing.ledgers.ops import periods, register, visits, workflow
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.sync import sync

NOW = "2026-11-23T10:00:00+08:00"
VILLAGE_A = "520602101201"  # 和平乡 板栗园村
VILLAGE_A2 = "520602101202"  # 和平乡 桃映村
VILLAGE_B = "520602102201"  # 坝黄镇 宋家坝村
NEW_VILLAGE = "520602101209"


def at(day: int, hour: int = 10, minute: int = 0) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


@dataclass
class Seed:
    path: Path
    admin: str
    leader_a: str  # township leader 和平乡 (office A)
    leader_b: str  # township leader 坝黄镇 (office B)
    county: str  # county leader: may settle conflicts
    homes: list[str]  # two in VILLAGE_A, one in VILLAGE_A2, one in VILLAGE_B
    shared_item: str  # registered in the seed, worked by both offices


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    path = tmp_path_factory.mktemp("seed") / "county"
    register.init(str(path), "520602", "碧江区", "管理员", at=at(1))
    led = Ledger.open(path)
    for code, name, level, parent in [
        ("520602101", "和平乡", "township", "520602"),
        ("520602102", "坝黄镇", "township", "520602"),
        (VILLAGE_A, "板栗园村", "village", "520602101"),
        (VILLAGE_A2, "桃映村", "village", "520602101"),
        (VILLAGE_B, "宋家坝村", "village", "520602102"),
    ]:
        register.add_unit(led, None, code, name, level, parent, at=at(1))
    admin = led._configured_user() or ""
    leader_a = register.add_cadre(
        led, None, name="和平乡领导", unit="520602101", role="township_leader", at=at(1)
    ).id
    leader_b = register.add_cadre(
        led, None, name="坝黄镇领导", unit="520602102", role="township_leader", at=at(1)
    ).id
    county = register.add_cadre(led, None, name="县领导", unit="520602", role="county_leader", at=at(1)).id
    homes = [
        register.add_household(led, None, head="甲", village=VILLAGE_A, status="poor", at=at(1)).id,
        register.add_household(led, None, head="乙", village=VILLAGE_A, at=at(1)).id,
        register.add_household(led, None, head="丙", village=VILLAGE_A2, at=at(1)).id,
        register.add_household(led, None, head="丁", village=VILLAGE_B, at=at(1)).id,
    ]
    shared = workflow.add_item(
        led,
        None,
        desc="村道塌方",
        category="infrastructure",
        kind="problem",
        ledger_name="livelihood",
        source="grid",
        unit=VILLAGE_A,
        at=at(2),
    ).id
    return Seed(path, admin, leader_a, leader_b, county, homes, shared)


@dataclass
class Offices:
    central: Path
    a: Path
    b: Path


def _clone(seed: Seed, central: Path, target: Path, user: str) -> Path:
    result = run(
        "clone",
        str(central),
        str(target),
        "--secret-file",
        str(seed.path / ".git/minqing/secret"),
        "--user",
        user,
    )
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture
def offices(seed: Seed, tmp_path: Path) -> Offices:
    central = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed.path), str(central)], check=True)
    return Offices(
        central,
        _clone(seed, central, tmp_path / "heping", seed.leader_a),
        _clone(seed, central, tmp_path / "bahuang", seed.leader_b),
    )


def head(path: Path, ref: str = "HEAD") -> str:
    return git(path, "rev-parse", ref).strip()


def sync_json(path: Path, *extra: str) -> tuple[int, dict]:
    result = run("sync", "--json", *extra, ledger=path)
    assert result.stdout.strip(), result.output
    return result.exit_code, json.loads(result.stdout)


def assert_consistent(path: Path) -> dict[str, int]:
    """Every entry exactly once, every snapshot the replay of its history; returns id -> occurrences."""
    seen: dict[str, int] = {}
    for stream in sorted((path / "visits").rglob("*.yaml")) if (path / "visits").exists() else []:
        for doc in yamlio.load_all(stream.read_text(encoding="utf-8")):
            seen[doc["id"]] = seen.get(doc["id"], 0) + 1
    for top in ("issues", "households", "cadres"):
        for entity in sorted((path / top).rglob("*.yaml")):
            rel = entity.relative_to(path).as_posix()
            text = entity.read_text(encoding="utf-8")
            data = yamlio.load(text)
            ops = [h["id"] for h in data["history"]]
            assert len(ops) == len(set(ops)), f"{rel}: an operation is duplicated"
            assert sync.replay_history(sync.replayer_for(rel), data["history"]) == data, (
                f"{rel}: snapshot != replay"
            )
            seen[data["id"]] = seen.get(data["id"], 0) + 1
    assert all(count == 1 for count in seen.values()), {k: v for k, v in seen.items() if v != 1}
    status = git(path, "status", "--porcelain")
    assert status == "", status
    return seen


# ---------------------------------------------------------------- clone


def test_clone_registers_drivers_secret_and_user(seed: Seed, offices: Offices):
    led = Ledger.open(offices.a)
    assert sync.missing_drivers(led) == []
    assert (offices.a / ".git/minqing/secret").read_text() == (seed.path / ".git/minqing/secret").read_text()
    assert led._configured_user() == seed.leader_a
    # git's untracked cache is in the index from the start: sync's look for a dirty tree, which may not take the
    # index lock, reads it but cannot write it (worktree.write_untracked_cache)
    assert git(offices.a, "config", "feature.manyFiles").strip() == "true"
    index = (offices.a / ".git/index").read_bytes()
    assert b"UNTR" in index and b"link" in index  # the cache, and the split index's link to its shared part


def test_clone_without_secret_warns_and_bad_sources_write_nothing(
    seed: Seed, offices: Offices, tmp_path: Path
):
    result = run("--lang", "en", "clone", str(offices.central), str(tmp_path / "nosecret"))
    assert result.exit_code == 0
    assert "warning: no --secret-file; id-number look-ups in this clone will not match" in result.stderr
    assert not (tmp_path / "nosecret/.git/minqing/secret").exists()

    gone = run("clone", str(tmp_path / "missing.git"), str(tmp_path / "x"))
    assert gone.exit_code == 3 and "无法连接远程库" in gone.stderr
    assert not (tmp_path / "x").exists()

    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q", "-b", "main")
    git(plain, "commit", "-q", "--allow-empty", "-m", "x")
    other = run("clone", str(plain), str(tmp_path / "y"))
    assert other.exit_code == 4 and "不是民情台账" in other.stderr
    assert not (tmp_path / "y").exists()

    bad_secret = tmp_path / "secret.txt"
    bad_secret.write_text("not hex\n")
    refused = run("clone", str(offices.central), str(tmp_path / "z"), "--secret-file", str(bad_secret))
    assert refused.exit_code == 2 and "--secret-file" in refused.stderr
    assert not (tmp_path / "z").exists()


def test_central_repo_setup_as_documented(seed: Seed, tmp_path: Path):
    county = tmp_path / "bijiang"
    shutil.copytree(seed.path, county, symlinks=True)
    central = tmp_path / "bijiang.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(central)], check=True)
    git(county, "remote", "add", "origin", str(central))
    first = run("--lang", "en", "sync", ledger=county)
    assert first.exit_code == 0, first.output
    assert first.stderr.endswith("origin/main: received 0 commit(s), pushed 14 commit(s)\n")
    assert head(central, "main") == head(county)
    # a bare repo made without -b main points HEAD at master: clone still checks out the ledger's branch
    plain = tmp_path / "plain.git"
    subprocess.run(["git", "-c", "init.defaultBranch=master", "init", "-q", "--bare", str(plain)], check=True)
    git(county, "push", "-q", str(plain), "main")
    clone = _clone(seed, plain, tmp_path / "heping", seed.leader_a)
    assert git(clone, "rev-parse", "--abbrev-ref", "HEAD@{upstream}").strip() == "origin/main"
    assert "master" not in (clone / ".git/config").read_text()
    assert run("sync", ledger=clone).exit_code == 0


# ---------------------------------------------------------------- the two-township scenario


def _work_offline(seed: Seed, offices: Offices) -> dict[str, str]:
    """Both offices work the same day without syncing: visits into the same month/village stream, their own items,
    and office A assigns the shared item while office B escalates it."""
    h1, h2, h3, h4 = seed.homes
    a, b = Ledger.open(offices.a), Ledger.open(offices.b)
    va, (qa,) = visits.add_visit(
        a,
        None,
        household=h1,
        by=[seed.leader_a],
        date="2026-11-21",
        raises=[("屋顶漏雨", "housing")],
        at=at(21, 9),
    )
    va2, _ = visits.add_visit(a, None, household=h3, by=[seed.leader_a], date="2026-11-21", at=at(21, 9, 30))
    workflow.assign(
        a, None, seed.shared_item, leader=seed.leader_a, resp_unit="和平乡", due="2026-12-07", at=at(21, 10)
    )
    workflow.assign(a, None, qa.id, leader=seed.leader_a, resp_unit="和平乡", due="2026-12-07", at=at(21, 11))
    workflow.progress(a, None, qa.id, "材料到位", at=at(21, 12))
    workflow.resolve(a, None, qa.id, "solved", "已修缮", at=at(21, 13))
    workflow.feedback(a, None, qa.id, "satisfied", at=at(21, 14))
    workflow.close(a, None, qa.id, at=at(21, 15))

    b = Ledger.open(offices.b)
    vb, (qb,) = visits.add_visit(
        b,
        None,
        household=h2,
        by=[seed.leader_b],
        date="2026-11-21",
        raises=[("饮水困难", "water")],
        at=at(21, 9, 15),
    )
    vb2, _ = visits.add_visit(b, None, household=h4, by=[seed.leader_b], date="2026-11-20", at=at(21, 9, 45))
    workflow.escalate(b, None, seed.shared_item, "township", "需乡镇协调资金", at=at(21, 11, 30))
    workflow.assign(b, None, qb.id, leader=seed.leader_b, resp_unit="坝黄镇", due="2026-12-10", at=at(21, 12))
    workflow.progress(b, None, qb.id, "已联系水务站", at=at(21, 13))
    return {"va": va.id, "va2": va2.id, "qa": qa.id, "vb": vb.id, "vb2": vb2.id, "qb": qb.id}


@pytest.mark.parametrize("first", ["a", "b"])
def test_two_townships_sync_in_either_order(seed: Seed, offices: Offices, first: str):
    made = _work_offline(seed, offices)
    one, two = (offices.a, offices.b) if first == "a" else (offices.b, offices.a)
    code, report = sync_json(one)
    assert code == 0 and report["pushed"] and not report["merged"] and report["received"] == 0
    code, report = sync_json(two)
    assert code == 0, report
    assert report["merged"] and report["pushed"] and report["attempts"] == 1
    assert report["received"] == (8 if first == "a" else 5)
    code, report = sync_json(one)
    assert code == 0 and report["fast_forward"] and not report["pushed"]

    assert head(offices.a) == head(offices.b) == head(offices.central)
    for clone in (offices.a, offices.b):
        seen = assert_consistent(clone)
        for entry in made.values():
            assert seen[entry] == 1
        stream = yamlio.load_all((clone / f"visits/2026-11/{VILLAGE_A}.yaml").read_text(encoding="utf-8"))
        assert [d["id"] for d in stream] == sorted([made["va"], made["vb"]])  # same date: ordered by id
        led = Ledger.open(clone)
        assert led.item(made["qa"]).state == "closed"
        assert led.item(made["qb"]).state == "in_progress"
        shared = led.item(seed.shared_item)
        # assigned at 10:00 by A, escalated at 11:30 by B: registered again at township level, leader cleared
        assert (shared.state, shared.level, shared.leader) == ("registered", "township", None)
        assert [h.op for h in shared.history] == ["create", "assign", "escalate"]

    merge = git(two, "log", "-1", "--format=%P%n%an <%ae>%n%B").splitlines()
    assert len(merge[0].split()) == 2
    actor = seed.leader_b if first == "a" else seed.leader_a
    assert merge[1].endswith(f"<{actor}@minqing.invalid>")
    assert merge[2].startswith("同步合并 origin/main")
    assert "Ledger-Op: sync.merge" in merge and f"Ledger-Actor: {actor}" in merge
    assert f"Ledger-Entry: {seed.shared_item}" in merge  # the one entity both sides changed
    assert_check_and_audit(two)


def test_a_clean_merge_is_the_tree_git_merge_makes_without_git_merge(
    seed: Seed, offices: Offices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A merge no person need settle is made by merge-tree and a move of the files that differ (git merge stats
    every file twice; read-tree walks the whole index): the same tree, files and index `git merge` with the same
    drivers leaves, and neither git merge nor read-tree is run."""
    _work_offline(seed, offices)
    assert sync_json(offices.a)[0] == 0
    by_git = tmp_path / "by-git"
    shutil.copytree(offices.b, by_git, symlinks=True)
    git(by_git, "fetch", "-q", "origin")
    git(by_git, "-c", "merge.renames=false", "merge", "--no-ff", "--no-commit", "-q", "origin/main")
    trace = tmp_path / "git-trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    code, report = sync_json(offices.b)
    monkeypatch.delenv("GIT_TRACE")
    assert code == 0 and report["merged"] and report["pushed"], report
    commands = trace.read_text(encoding="utf-8")
    assert "built-in: git merge-tree --write-tree" in commands
    assert "built-in: git read-tree" not in commands
    # merge-tree --write-tree came with git 2.38; an older git refuses it and `git merge` makes the merge
    assert ("built-in: git merge " in commands) == (_git_version() < (2, 38)), commands
    assert head(offices.b, "HEAD^{tree}") == git(by_git, "write-tree").strip()
    assert git(offices.b, "ls-files", "-s") == git(by_git, "ls-files", "-s")
    for rel in git(offices.b, "diff", "--name-only", "HEAD^1", "HEAD").split():
        assert (offices.b / rel).read_bytes() == (by_git / rel).read_bytes(), rel
    assert not (offices.b / ".git/MERGE_HEAD").exists() and not (offices.b / ".git/MERGE_MSG").exists()
    assert git(offices.b, "log", "-1", "--format=%s").startswith("同步合并 origin/main")
    assert_consistent(offices.b)
    # the other office only has to catch up: a fast-forward, again without git merge
    monkeypatch.setenv("GIT_TRACE", str(trace))
    code, report = sync_json(offices.a)
    monkeypatch.delenv("GIT_TRACE")
    assert code == 0 and report["fast_forward"] and not report["pushed"], report
    assert "built-in: git merge " not in trace.read_text(encoding="utf-8")
    assert "built-in: git read-tree" not in trace.read_text(encoding="utf-8")
    assert head(offices.a) == head(offices.b) and git(offices.a, "ls-files", "-s") == git(
        offices.b, "ls-files", "-s"
    )
    assert_consistent(offices.a)


def test_clone_and_sync_keep_a_commit_graph_with_changed_path_filters(
    seed: Seed, offices: Offices, tmp_path: Path
):
    """A clone writes git's commit-graph with changed-path filters in the background (as git's auto-gc runs);
    after `sync`, every commit a path-limited `git log` reaches has a filter (git skips the trees of the commits
    that did not touch the path): the other office's commits, the merge, this office's own."""
    import time

    def filter_counts(clone: Path, rel: str) -> dict[str, int]:
        trace = tmp_path / "trace2"
        trace.unlink(missing_ok=True)
        env = dict(os.environ, GIT_TRACE2_PERF=str(trace))
        subprocess.run(
            ["git", "log", "--format=%H", "--", rel], cwd=clone, env=env, check=True, capture_output=True
        )
        stats = next(line for line in trace.read_text(encoding="utf-8").splitlines() if "bloom" in line)
        return json.loads(stats.split("statistics:", 1)[1])

    chain = offices.a / ".git/objects/info/commit-graphs/commit-graph-chain"
    deadline = time.monotonic() + 30
    while not chain.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    counts = filter_counts(offices.a, Ledger.open(offices.a).path_of(seed.shared_item))
    assert counts["filter_not_present"] == 0 and counts["definitely_not"] > 0, counts
    made = _work_offline(seed, offices)
    assert sync_json(offices.a)[0] == 0 and sync_json(offices.b)[0] == 0
    counts = filter_counts(offices.b, Ledger.open(offices.b).path_of(made["qb"]))
    assert counts["filter_not_present"] == 0 and counts["definitely_not"] > 0, counts


def _git_version() -> tuple[int, int]:
    words = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True).stdout.split()
    major, minor = words[2].split(".")[:2]
    return int(major), int(minor)


def assert_met_and_whole(offices: Offices, made: dict[str, str]) -> None:
    """Office A syncs after B: the three heads meet, each of the day's entries is there once, check and audit
    pass."""
    assert sync_json(offices.a)[0] == 0
    assert head(offices.a) == head(offices.b) == head(offices.central)
    seen = assert_consistent(offices.a)
    assert all(seen[entry] == 1 for entry in made.values())
    assert_check_and_audit(offices.a)


def assert_check_and_audit(path: Path) -> None:
    """`minqing check` and `minqing audit` pass after merges (when those commands are installed)."""
    for command in ("check", "audit"):
        if _has_command(command):
            result = run(command, ledger=path)
            assert result.exit_code == 0, result.output


def _has_command(name: str) -> bool:
    import typer

    from minqing.cli.app import app

    return name in typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_sync_reports_what_came_in_per_township(seed: Seed, offices: Offices):
    made = _work_offline(seed, offices)
    assert sync_json(offices.a)[0] == 0
    code, report = sync_json(offices.b)
    assert code == 0
    rows = {row["code"]: row for row in report["townships"]}
    # from A: two visits in 和平乡 raising one item, the item's five transitions, one assign of the shared item
    assert rows == {
        "520602101": {
            "code": "520602101",
            "name": "和平乡",
            "visits": 2,
            "items": 1,
            "transitions": 6,
            "other": 0,
        }
    }
    assert made["qa"]
    text = run("sync", ledger=offices.a)
    assert text.exit_code == 0
    assert (
        "坝黄镇" in text.stdout and "和平乡" in text.stdout
    )  # B's visit in 坝黄镇, B's escalation in 和平乡


# ---------------------------------------------------------------- a true conflict


def _close_both_ways(seed: Seed, offices: Offices) -> None:
    for path, leader, how, hour in (
        (offices.a, seed.leader_a, "solved", 9),
        (offices.b, seed.leader_b, "explained", 10),
    ):
        led = Ledger.open(path)
        workflow.assign(
            led, None, seed.shared_item, leader=leader, resp_unit="乡", due="2026-12-07", at=at(21, hour)
        )
        workflow.resolve(led, None, seed.shared_item, how, "处理意见", at=at(21, hour, 10))
        workflow.feedback(led, None, seed.shared_item, "satisfied", at=at(21, hour, 20))
        workflow.close(led, None, seed.shared_item, at=at(21, hour, 30))


def test_true_conflict_stops_before_push_until_settled(seed: Seed, offices: Offices):
    _close_both_ways(seed, offices)
    visits.add_visit(
        Ledger.open(offices.b),
        None,
        household=seed.homes[3],
        by=[seed.leader_b],
        date="2026-11-22",
        at=at(22),
    )
    assert sync_json(offices.a)[0] == 0
    central_before = head(offices.central, "main")
    b_before = head(offices.b)

    result = run("sync", ledger=offices.b)
    assert result.exit_code == 1
    assert seed.shared_item in result.stdout and "resolve-conflict" in result.stderr
    assert head(offices.central, "main") == central_before  # nothing pushed
    assert head(offices.b) == b_before

    listed = run("--lang", "en", "conflicts", "--json", ledger=offices.b)
    assert listed.exit_code == 1
    [conflict] = json.loads(listed.stdout)
    assert conflict["id"] == seed.shared_item and conflict["kind"] == "entity"
    assert "resolve how=explained" in conflict["ours"] and "resolve how=solved" in conflict["theirs"]
    assert conflict["ours"].endswith("→ closed") and conflict["theirs"].endswith("→ closed")
    assert "do not replay together" in conflict["reason"]
    # the file stays readable while the conflict waits: this office's version
    assert Ledger.open(offices.b).item(seed.shared_item).resolution["how"] == "explained"
    # sync again changes nothing and still exits 1
    assert run("sync", ledger=offices.b).exit_code == 1
    assert head(offices.central, "main") == central_before

    doctor = run("doctor", ledger=offices.b)
    assert doctor.exit_code == 1 and "1 处冲突需要人工决定" in doctor.stdout

    # a township leader may not settle (minqing.yaml permissions: conflict.resolve → admin, county_leader)
    denied = run("resolve-conflict", seed.shared_item[:4], "--take", "theirs", ledger=offices.b)
    assert denied.exit_code == 2 and "conflict.resolve" in denied.stderr
    bad = run("resolve-conflict", seed.shared_item, "--take", "both", "--as", seed.county, ledger=offices.b)
    assert bad.exit_code == 2 and "ours|theirs" in bad.stderr
    unknown = run(
        "--lang", "en", "resolve-conflict", "V-NOPE", "--take", "ours", "--as", seed.county, ledger=offices.b
    )
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        f"minqing: 'V-NOPE' is not an open conflict; accepted: {seed.shared_item} (see minqing conflicts)\n"
    )

    settled = run(
        "resolve-conflict", seed.shared_item[:5], "--take", "theirs", "--as", seed.county, ledger=offices.b
    )
    assert settled.exit_code == 0, settled.output
    commit = git(offices.b, "log", "-1", "--format=%P%n%B").splitlines()
    assert len(commit[0].split()) == 2
    assert commit[1] == f"解决同步冲突 {seed.shared_item} 采用对方版本"
    assert "Ledger-Op: conflict.resolve" in commit and f"Ledger-Entry: {seed.shared_item}" in commit
    assert f"Ledger-Actor: {seed.county}" in commit
    assert run("conflicts", ledger=offices.b).exit_code == 0
    assert not (offices.b / ".git/MERGE_HEAD").exists()

    assert sync_json(offices.b)[0] == 0
    assert sync_json(offices.a)[0] == 0
    assert head(offices.a) == head(offices.b) == head(offices.central)
    for clone in (offices.a, offices.b):
        assert_consistent(clone)
        item = Ledger.open(clone).item(seed.shared_item)
        assert (item.state, item.resolution["how"]) == ("closed", "solved")
    assert_check_and_audit(offices.a)
    # office B's closure is not lost: it is in the history of the merge's first parent
    assert "explained" in git(
        offices.b, "log", "-p", "--full-history", "--", f"issues/2026/{seed.shared_item}.yaml"
    )


def test_settling_ours_and_two_conflicts_commit_once(seed: Seed, offices: Offices):
    _close_both_ways(seed, offices)
    a, b = Ledger.open(offices.a), Ledger.open(offices.b)
    # and both offices add the same new village code under different names
    register.add_unit(a, seed.admin, NEW_VILLAGE, "新村（甲）", "village", "520602101", at=at(22))
    register.add_unit(b, seed.admin, NEW_VILLAGE, "新村（乙）", "village", "520602101", at=at(22, 11))
    assert sync_json(offices.a, "--as", seed.admin)[0] == 0
    code, report = sync_json(offices.b)
    assert code == 1
    assert sorted(c["id"] for c in report["conflicts"]) == sorted(
        [seed.shared_item, f"org/units.yaml#{NEW_VILLAGE}"]
    )

    first = run(
        "resolve-conflict",
        f"org/units.yaml#{NEW_VILLAGE}",
        "--take",
        "ours",
        "--as",
        seed.county,
        ledger=offices.b,
    )
    assert first.exit_code == 0 and "还有 1 处冲突" in first.stderr
    assert (offices.b / ".git/MERGE_HEAD").exists()
    [left] = json.loads(run("conflicts", "--json", ledger=offices.b).stdout)
    assert left["id"] == seed.shared_item
    second = run(
        "resolve-conflict", seed.shared_item, "--take", "ours", "--as", seed.county, ledger=offices.b
    )
    assert second.exit_code == 0
    body = git(offices.b, "log", "-1", "--format=%B")
    assert body.startswith("解决同步冲突 2 项")
    assert f"{seed.shared_item}: ours" in body and f"org/units.yaml#{NEW_VILLAGE}: ours" in body
    assert f"Ledger-Entry: {NEW_VILLAGE}" in body and f"Ledger-Entry: {seed.shared_item}" in body
    assert sync_json(offices.b)[0] == 0
    assert sync_json(offices.a)[0] == 0
    assert_check_and_audit(offices.a)
    for clone in (offices.a, offices.b):
        led = Ledger.open(clone)
        assert led.units()[NEW_VILLAGE].name == "新村（乙）"
        assert led.item(seed.shared_item).resolution["how"] == "explained"
        assert_consistent(clone)


def test_conflicts_outside_the_driver_and_settled_by_hand(seed: Seed, offices: Offices):
    _close_both_ways(seed, offices)
    for path, text in ((offices.a, "甲\n"), (offices.b, "乙\n")):
        (path / "notes.txt").write_text(text)
        git(path, "add", "notes.txt")
        git(path, "commit", "-qm", "notes")
    assert sync_json(offices.a)[0] == 0
    code, report = sync_json(offices.b)
    assert code == 1
    assert sorted(c["id"] for c in report["conflicts"]) == sorted([seed.shared_item, "notes.txt"])
    settled = run("resolve-conflict", "notes.txt", "--take", "theirs", "--as", seed.county, ledger=offices.b)
    assert settled.exit_code == 0 and (offices.b / "notes.txt").read_text() == "甲\n"
    item_path = f"issues/2026/{seed.shared_item}.yaml"
    git(offices.b, "checkout", "--theirs", "--", item_path)  # a person settles the other one with plain git
    git(offices.b, "add", "--", item_path)
    assert run("conflicts", ledger=offices.b).exit_code == 0
    denied = run("sync", ledger=offices.b)  # the township leader may not record a settlement
    assert denied.exit_code == 2 and "conflict.resolve" in denied.stderr
    assert sync_json(offices.b, "--as", seed.county)[0] == 0
    body = git(offices.b, "log", "-1", "--format=%B")
    assert body.startswith("解决同步冲突 2 项")
    assert f"{seed.shared_item}: staged" in body and "notes.txt: theirs" in body
    assert "Ledger-Op: conflict.resolve" in body and f"Ledger-Entry: {seed.shared_item}" in body
    assert head(offices.central, "main") == head(offices.b)


def test_resolve_conflict_without_a_merge_is_refused(offices: Offices, seed: Seed):
    result = run(
        "--lang", "en", "resolve-conflict", "Q-AAAA", "--take", "ours", "--as", seed.county, ledger=offices.a
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "minqing: no sync merge is in progress; there is no conflict to settle"


# ---------------------------------------------------------------- remote trouble


def test_unreachable_remote_exits_3_and_loses_nothing(seed: Seed, offices: Offices, tmp_path: Path):
    visits.add_visit(
        Ledger.open(offices.a),
        None,
        household=seed.homes[0],
        by=[seed.leader_a],
        date="2026-11-22",
        at=at(22),
    )
    before = head(offices.a)
    shutil.move(str(offices.central), str(tmp_path / "moved.git"))
    result = run("--lang", "en", "sync", ledger=offices.a)
    assert result.exit_code == 3
    assert result.stderr.startswith("minqing: cannot reach the remote origin:")
    assert head(offices.a) == before and git(offices.a, "status", "--porcelain") == ""
    shutil.move(str(tmp_path / "moved.git"), str(offices.central))
    assert run("sync", ledger=offices.a).exit_code == 0
    assert head(offices.central, "main") == before


def test_unknown_remote_is_bad_input(offices: Offices):
    result = run("--lang", "en", "sync", "--remote", "county", ledger=offices.a)
    assert result.exit_code == 2
    assert result.stderr.strip() == "minqing: --remote: there is no remote 'county'; accepted: origin"


def test_push_race_is_retried(seed: Seed, offices: Offices):
    """Office B pushes while office A is pushing (a pre-push hook makes the race happen every time)."""
    visits.add_visit(
        Ledger.open(offices.b),
        None,
        household=seed.homes[3],
        by=[seed.leader_b],
        date="2026-11-22",
        at=at(22),
    )
    visits.add_visit(
        Ledger.open(offices.a),
        None,
        household=seed.homes[0],
        by=[seed.leader_a],
        date="2026-11-22",
        at=at(22, 11),
    )
    hook = offices.a / ".git/hooks/pre-push"
    marker = offices.a.parent / "raced"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e '{marker}' ] && exit 0\n"
        f"touch '{marker}'\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"cd '{offices.b}' && git push -q origin HEAD:refs/heads/main\n"
    )
    hook.chmod(0o755)
    code, report = sync_json(offices.a)
    assert code == 0, report
    assert report["attempts"] == 2 and report["merged"] and report["pushed"]
    assert head(offices.central, "main") == head(offices.a)
    assert sync_json(offices.b)[0] == 0
    assert_consistent(offices.b)


def test_sync_refuses_a_dirty_tree(seed: Seed, offices: Offices):
    before = head(offices.a)
    stray = offices.a / "issues/2026/Q-ZZZZZZ.yaml"  # an item file a killed `issue add` left untracked
    stray.write_text("id: Q-ZZZZZZ\n")
    result = run("--lang", "en", "sync", ledger=offices.a)
    assert result.exit_code == 4
    assert result.stderr == (
        "minqing: the working tree has uncommitted ledger changes (issues/2026/Q-ZZZZZZ.yaml); "
        "run minqing doctor first\n"
    )
    stray.unlink()
    (offices.a / f"issues/2026/{seed.shared_item}.yaml").write_text("broken: [\n")
    assert run("sync", ledger=offices.a).exit_code == 4
    assert head(offices.a) == before


# ---------------------------------------------------------------- killed midway


def test_sync_killed_after_fetch_and_during_merge_is_explained_and_finished(seed: Seed, offices: Offices):
    made = _work_offline(seed, offices)
    assert sync_json(offices.a)[0] == 0
    # the steps of `sync` run by hand and stopped: fetch …
    git(offices.b, "fetch", "-q", "origin")
    doctor = run("--lang", "en", "doctor", ledger=offices.b)
    assert doctor.exit_code == 0
    assert "commit(s) fetched from origin are not merged yet; run minqing sync" in doctor.stdout
    # … then the merge, with the drivers, but no commit: as if killed before committing
    proc = subprocess.run(
        ["git", "merge", "--no-ff", "--no-commit", "-q", "origin/main"],
        cwd=offices.b,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    doctor = run("--lang", "en", "doctor", ledger=offices.b)
    assert doctor.exit_code == 1
    assert "was interrupted after every file merged; run minqing sync to finish it" in doctor.stdout
    # other commands refuse to commit on top of a half-done merge
    blocked = run("issue", "progress", made["qb"], "--note", "x", ledger=offices.b)
    assert blocked.exit_code == 4 and "doctor" in blocked.stderr
    code, report = sync_json(offices.b)
    assert code == 0 and report["merged"] and report["pushed"]
    assert "Ledger-Op: sync.merge" in git(offices.b, "log", "-1", "--format=%B")
    assert run("doctor", ledger=offices.b).exit_code == 0
    assert_met_and_whole(offices, made)


@pytest.mark.parametrize("recovered_by", ["sync", "doctor"])
def test_sync_killed_while_moving_the_merged_files_loses_nothing(
    seed: Seed, offices: Offices, recovered_by: str
):
    """Killed once the files and the index are moved to the merged tree and before MERGE_HEAD is written (a killed
    read-tree left the same): nothing is pushed or committed, other commands refuse to commit on top of it, doctor
    names it, and the next sync (or doctor --fix, then sync) puts the files back and merges again, nothing lost or
    doubled."""
    made = _work_offline(seed, offices)
    assert sync_json(offices.a)[0] == 0
    before, central = head(offices.b), head(offices.central)
    killed = subprocess.run(
        [sys.executable, "-m", "minqing.cli", "-C", str(offices.b), "sync"],
        env=dict(os.environ, MINQING_CRASH_AT="move"),
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert head(offices.b) == before and head(offices.central) == central
    assert not (offices.b / ".git/MERGE_HEAD").exists()
    assert git(offices.b, "status", "--porcelain")  # the merged files, staged
    blocked = run("issue", "progress", made["qb"], "--note", "x", ledger=offices.b)
    assert blocked.exit_code == 4 and "doctor" in blocked.stderr
    doctor = run("--lang", "en", "doctor", ledger=offices.b)
    assert doctor.exit_code == 1
    assert "was interrupted while it moved the merged files" in doctor.stdout, doctor.stdout
    assert "left complete but uncommitted" not in doctor.stdout  # not a leftover to commit in someone's name
    if recovered_by == "doctor":
        fixed = run("--lang", "en", "doctor", "--fix", ledger=offices.b)
        assert fixed.exit_code == 0, fixed.stdout
        assert git(offices.b, "status", "--porcelain") == "" and head(offices.b) == before
    code, report = sync_json(offices.b)
    assert code == 0 and report["merged"] and report["pushed"], report
    assert not (offices.b / ".git/minqing/sync-move").exists()
    assert run("doctor", ledger=offices.b).exit_code == 0
    assert_met_and_whole(offices, made)


def test_a_git_merge_cut_before_merge_head_is_put_back(seed: Seed, offices: Offices):
    """The merge git makes when merge-tree finds a conflict writes MERGE_HEAD after the files too: a kill between
    (made here by hand: the merge's files and index, its journal, no MERGE_HEAD) is put back by the next sync,
    which then merges again."""
    made = _work_offline(seed, offices)
    assert sync_json(offices.a)[0] == 0
    git(offices.b, "fetch", "-q", "origin")
    before, remote = head(offices.b), head(offices.b, "origin/main")
    git(offices.b, "-c", "merge.renames=false", "merge", "--no-ff", "--no-commit", "-q", "origin/main")
    for name in ("MERGE_HEAD", "MERGE_MSG", "MERGE_MODE"):
        (offices.b / ".git" / name).unlink()
    (offices.b / ".git/minqing/sync-move").write_text(f"{before} {remote}\n", encoding="ascii")
    assert git(offices.b, "status", "--porcelain")
    code, report = sync_json(offices.b)
    assert code == 0 and report["merged"] and report["pushed"], report
    assert_met_and_whole(offices, made)


# ---------------------------------------------------------------- many offices


OPS = ("visit", "visit", "advance", "advance", "household", "sync")
STEPS = [("assign", {}), ("progress", {}), ("resolve", {}), ("feedback", {}), ("close", {})]


@pytest.mark.slow
def test_five_offices_fifty_random_operations_lose_and_duplicate_nothing(seed: Seed, tmp_path: Path):
    rng = random.Random(6)
    central = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed.path), str(central)], check=True)
    leaders = [seed.leader_a, seed.leader_b, seed.county, seed.admin, seed.leader_a]
    clones = [_clone(seed, central, tmp_path / f"office{n}", leaders[n]) for n in range(5)]
    created_visits: set[str] = set()
    owned: dict[str, tuple[int, list[str]]] = {}  # item -> (office, op ids recorded)
    household_ops: dict[str, list[str]] = {h: [] for h in seed.homes}
    clock = [0]

    def tick() -> str:
        clock[0] += 1
        minute = clock[0]
        moment = f"2026-11-22T{8 + minute // 60:02d}:{minute % 60:02d}:00+08:00"
        os.environ["MINQING_NOW"] = (
            moment  # the offices' clock moves on: merges are dated after what they merge
        )
        return moment

    for _round in range(50):
        for n in rng.sample(range(5), 5):
            led = Ledger.open(clones[n])
            kind = rng.choice(OPS)
            if kind == "visit":
                home = rng.choice(seed.homes)
                raises = [("问题", "other")] if rng.random() < 0.5 else []
                visit, items = visits.add_visit(
                    led, None, household=home, by=[leaders[n]], date="2026-11-22", raises=raises, at=tick()
                )
                created_visits.add(visit.id)
                for item in items:
                    owned[item.id] = (n, [h.id for h in item.history])
            elif kind == "advance":
                mine = [q for q, (office, ops) in owned.items() if office == n and len(ops) < 6]
                if not mine:
                    continue
                item_id = rng.choice(mine)
                step = STEPS[len(owned[item_id][1]) - 1][0]
                when = tick()
                if step == "assign":
                    done = workflow.assign(
                        led, None, item_id, leader=leaders[n], resp_unit="乡", due="2026-12-31", at=when
                    )
                elif step == "progress":
                    done = workflow.progress(led, None, item_id, "推进", at=when)
                elif step == "resolve":
                    done = workflow.resolve(led, None, item_id, "solved", "办结", at=when)
                elif step == "feedback":
                    done = workflow.feedback(led, None, item_id, "satisfied", at=when)
                else:
                    done = workflow.close(led, None, item_id, at=when)
                owned[item_id][1].append(done.history[-1].id)
            elif kind == "household":
                home = rng.choice(seed.homes)
                value = rng.choice(["ok", "risk"])
                done = register.set_household(led, None, home, indicators={"water": value}, at=tick())
                household_ops[home].append(done.history[-1].id)
            else:
                code, report = sync_json(clones[n])
                assert code == 0, report
    for _ in range(2):
        for clone in clones:
            code, report = sync_json(clone)
            assert code == 0, report
    heads = {head(clone) for clone in clones} | {head(central, "main")}
    assert len(heads) == 1
    assert_check_and_audit(clones[0])
    for clone in clones:
        seen = assert_consistent(clone)
        assert {v for v in seen if v.startswith("V-")} == created_visits
        led = Ledger.open(clone)
        for item_id, (_office, ops) in owned.items():
            assert [h.id for h in led.item(item_id).history] == ops
        for home, ops in household_ops.items():
            history = [h.id for h in led.household(home).history]
            assert len(history) == len(set(history))
            assert [op for op in history if op in set(ops)] == [op for op in ops]
            assert set(ops) <= set(history)


def test_corrections_and_a_closed_period_merge_in_sync(seed: Seed, offices: Offices):
    """Issue 15: corrections are operations like any other, so two offices' corrections merge (streams by id,
    entities by history), and a township's closed period reaches the other office."""
    h1, h2, _, h4 = seed.homes
    a, b = Ledger.open(offices.a), Ledger.open(offices.b)
    va, (qa,) = visits.add_visit(
        a,
        None,
        household=h1,
        by=[seed.leader_a],
        date="2026-11-21",
        raises=[("重复登记", "other")],
        at=at(21, 9),
    )
    doc, _ = visits.edit_visit(a, None, va.id, reason="日期录错", date="2026-11-20", at=at(21, 10))
    workflow.void(a, None, qa.id, "重复", at=at(21, 11))
    workflow.edit(a, None, seed.shared_item, reason="类别录错", category="water", at=at(21, 12))
    vb, _ = visits.add_visit(b, None, household=h2, by=[seed.leader_b], date="2026-11-21", at=at(21, 9, 15))
    visits.void_visit(b, None, vb.id, reason="重复录入", at=at(21, 9, 20))
    visits.add_visit(b, None, household=h4, by=[seed.leader_b], date="2026-11-20", at=at(21, 9, 45))
    periods.close_period(b, seed.leader_b, "2026-10", "520602102")
    assert sync_json(offices.a)[0] == 0
    assert sync_json(offices.b)[0] == 0
    assert sync_json(offices.a)[0] == 0
    assert head(offices.a) == head(offices.b) == head(offices.central)
    for clone in (offices.a, offices.b):
        assert_consistent(clone)
        led = Ledger.open(clone)
        assert led.item(qa.id).state == "voided"
        assert led.item(seed.shared_item).category == "water"
        assert (clone / "periods/2026-10/520602102.yaml").exists()
        listed = run("visit", "list", ledger=clone).stdout
        assert doc["id"] in listed and va.id not in listed and vb.id not in listed
        assert_check_and_audit(clone)


def test_a_merge_is_not_committed_while_a_conflict_stage_remains(tmp_path: Path) -> None:
    """A merge begun by hand and left with a conflict stage (no driver's record of it): sync finishes merges in
    progress, but not this one; it lists the path as a conflict for a person and commits nothing (the commit
    itself would stop at write-tree, which refuses conflict stages)."""
    path = tmp_path / "l"
    register.init(str(path), "520602", "碧江区", "管理员", at="2026-11-21T10:00:00+08:00")
    subprocess.run(["git", "clone", "-q", "--bare", str(path), str(tmp_path / "central.git")], check=True)
    git(path, "remote", "add", "origin", str(tmp_path / "central.git"))
    git(path, "checkout", "-qb", "other")
    (path / "notes.txt").write_text("theirs\n")
    git(path, "add", "notes.txt")
    git(path, "commit", "-qm", "theirs")
    git(path, "checkout", "-q", "main")
    (path / "notes.txt").write_text("ours\n")
    git(path, "add", "notes.txt")
    git(path, "commit", "-qm", "ours")
    head = git(path, "rev-parse", "HEAD").strip()
    subprocess.run(["git", "merge", "--no-commit", "-q", "other"], cwd=path, capture_output=True)
    assert (path / ".git" / "MERGE_HEAD").exists()
    result = run("--lang", "en", "sync", ledger=path)
    assert result.exit_code == 1 and "notes.txt" in result.stdout and "1 conflict(s)" in result.stderr
    assert git(path, "rev-parse", "HEAD").strip() == head and (path / ".git" / "MERGE_HEAD").exists()
