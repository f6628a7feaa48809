"""doctor: what a killed command, a moved venv or a stale lock leaves behind, found and repaired."""

from __future__ import annotations

import json
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import git, run

from minqing.ledgers.core import yamlio
from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.sync import sync

AT = "2026-11-21T10:00:00+08:00"
VILLAGE = "520602101201"


@dataclass
class Base:
    path: Path
    admin: str
    leader: str
    home: str
    item: str


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    path = tmp_path_factory.mktemp("doctor") / "ledger"
    register.init(str(path), "520602", "碧江区", "管理员", at=AT)
    led = Ledger.open(path)
    register.add_unit(led, None, "520602101", "和平乡", "township", "520602", at=AT)
    register.add_unit(led, None, VILLAGE, "板栗园村", "village", "520602101", at=AT)
    leader = register.add_cadre(led, None, name="乡领导", unit="520602101", role="township_leader", at=AT).id
    home = register.add_household(led, None, head="甲", village=VILLAGE, at=AT).id
    item = workflow.add_item(
        led,
        None,
        desc="路灯坏了",
        category="infrastructure",
        kind="problem",
        ledger_name="livelihood",
        source="grid",
        unit=VILLAGE,
        at=AT,
    ).id
    return Base(path, led._configured_user() or "", leader, home, item)


@pytest.fixture
def ledger(base: Base, tmp_path: Path) -> Path:
    target = tmp_path / "ledger"
    shutil.copytree(base.path, target, symlinks=True)
    return target


def doctor(path: Path, *args: str) -> tuple[int, list[dict]]:
    result = run("--lang", "en", "doctor", "--json", *args, ledger=path)
    return result.exit_code, json.loads(result.stdout)


def head(path: Path) -> str:
    return git(path, "rev-parse", "HEAD").strip()


def test_healthy_ledger(ledger: Path):
    result = run("doctor", ledger=ledger)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "台账状态良好\n")


def test_missing_merge_drivers_are_reported_and_registered(ledger: Path):
    git(ledger, "config", "--remove-section", "merge.minqing-entity")
    git(
        ledger,
        "config",
        "merge.minqing-stream.driver",
        "/gone/venv/bin/python -m minqing.cli merge-driver %O %A %B %P",
    )
    code, found = doctor(ledger)
    assert code == 1
    assert [f["code"] for f in found] == ["drivers"]
    assert found[0]["message"].startswith("merge drivers minqing-stream, minqing-entity are not registered")
    code, fixed = doctor(ledger, "--fix")
    assert code == 0 and fixed[0]["fixed"]
    assert sync.missing_drivers(Ledger.open(ledger)) == []


def test_stale_lock_is_removed_live_lock_is_left(ledger: Path):
    lock = ledger / ".git/minqing/lock"
    lock.write_text(f"999999999 {socket.gethostname()} 2026-11-21T10:00:00+08:00")
    code, found = doctor(ledger)
    assert code == 1 and found[0]["code"] == "lock" and "process that is gone" in found[0]["message"]
    assert doctor(ledger, "--fix")[0] == 0
    assert not lock.exists()

    lock.write_text(f"{os.getpid()} {socket.gethostname()} 2026-11-21T10:00:00+08:00")
    code, found = doctor(ledger)
    assert code == 0 and not found[0]["problem"] and "a command is running" in found[0]["message"]
    lock.write_text("123 other-host 2026-11-21T10:00:00+08:00")
    code, found = doctor(ledger)
    assert code == 1 and "another machine" in found[0]["message"] and not found[0]["fixable"]
    lock.unlink()


def test_killed_before_commit_leftovers_are_committed_as_a_recovery(base: Base, ledger: Path):
    """A visit with a raised item was written to disk but the command died before its commit (files only), and an
    assign died after staging (files staged): both are complete, so --fix commits them as one recovery."""
    led = Ledger.open(ledger)
    visit, (raised,) = visits.add_visit(
        led,
        None,
        household=base.home,
        by=[base.leader],
        date="2026-11-21",
        raises=[("屋顶漏雨", "housing")],
        at=AT,
    )
    workflow.assign(led, None, base.item, leader=base.leader, resp_unit="和平乡", due="2026-12-07", at=AT)
    complete_tree = git(ledger, "rev-parse", "HEAD^{tree}").strip()
    git(ledger, "reset", "-q", "--soft", "HEAD~1")  # the assign: staged, not committed
    git(ledger, "reset", "-q", "HEAD~1")  # the visit: written, not committed (and the assign unstaged too)
    git(ledger, "add", f"issues/2026/{base.item}.yaml")  # restage the assign, as the killed command left it
    before = head(ledger)

    code, found = doctor(ledger)
    assert code == 1
    [leftover] = found
    assert leftover["code"] == "leftover" and leftover["fixable"]
    assert sorted(leftover["paths"]) == sorted(
        [f"issues/2026/{base.item}.yaml", f"issues/2026/{raised.id}.yaml", f"visits/2026-11/{VILLAGE}.yaml"]
    )
    refused = run("issue", "progress", base.item, "--note", "x", ledger=ledger)
    assert refused.exit_code == 4 and "minqing doctor" in refused.stderr

    # The entries are the admin's (the acting cadre above): another cadre may not commit them in their own name.
    code, refused_fix = doctor(ledger, "--fix", "--as", base.leader)
    assert code == 1 and not refused_fix[0]["fixed"] and base.admin in refused_fix[0]["message"]
    assert head(ledger) == before
    code, fixed = doctor(ledger, "--fix", "--as", base.admin)
    assert code == 0 and fixed[0]["fixed"]
    assert git(ledger, "rev-parse", "HEAD~1").strip() == before
    assert git(ledger, "rev-parse", "HEAD^{tree}").strip() == complete_tree
    message = git(ledger, "log", "-1", "--format=%an <%ae>%n%B")
    admin_name = Ledger.open(ledger).cadre(base.admin).name
    assert message.startswith(f"{admin_name} <{base.admin}@minqing.invalid>\n恢复中断操作留下的文件")
    assert "Ledger-Op: doctor.recover" in message and f"Ledger-Actor: {base.admin}" in message
    for entry in (visit.id, raised.id, base.item):
        assert f"Ledger-Entry: {entry}" in message
    assert git(ledger, "status", "--porcelain") == ""
    assert run("doctor", ledger=ledger).exit_code == 0


def test_recovery_needs_an_actor(base: Base, ledger: Path):
    led = Ledger.open(ledger)
    workflow.assign(led, None, base.item, leader=base.leader, resp_unit="乡", due="2026-12-07", at=AT)
    git(ledger, "reset", "-q", "HEAD~1")
    git(ledger, "config", "--unset", "minqing.user")
    code, found = doctor(ledger, "--fix")
    assert code == 1, found
    assert found[0]["message"].startswith("a recovery needs an acting cadre")
    assert git(ledger, "status", "--porcelain").strip() == f"M issues/2026/{base.item}.yaml"


def test_incomplete_leftovers_are_restored_from_head(base: Base, ledger: Path):
    item_path = ledger / f"issues/2026/{base.item}.yaml"
    original = item_path.read_text(encoding="utf-8")
    item_path.write_text(original[: len(original) // 2], encoding="utf-8")  # torn write
    forged = yamlio.load(original)
    forged["state"] = "closed"  # a hand edit the history does not explain
    stray = ledger / "issues/2026/Q-ZZZZZZ.yaml"
    stray.write_text(yamlio.dump(dict(forged, id="Q-ZZZZZZ")), encoding="utf-8")
    (ledger / "minqing.yaml").unlink()
    before = head(ledger)

    code, found = doctor(ledger)
    assert code == 1
    [broken] = found
    assert broken["code"] == "broken"
    assert sorted(broken["paths"]) == sorted(
        ["issues/2026/Q-ZZZZZZ.yaml", f"issues/2026/{base.item}.yaml", "minqing.yaml"]
    )
    code, fixed = doctor(ledger, "--fix")
    assert code == 0 and fixed[0]["fixed"]
    assert item_path.read_text(encoding="utf-8") == original
    assert not stray.exists() and (ledger / "minqing.yaml").exists()
    assert head(ledger) == before and git(ledger, "status", "--porcelain") == ""


def test_temp_files_and_stale_conflict_records_are_removed(base: Base, ledger: Path):
    temp = ledger / f"issues/2026/.{base.item}.yaml.4242.tmp"
    temp.write_text("half")
    sync.write_sidecar(
        ledger / ".git",
        "visits/2026-11/x.yaml",
        [
            sync.ConflictRecord(
                "V-AAAAAA", "visits/2026-11/x.yaml", "stream", "V-AAAAAA", {"zh": "x", "en": "x"}
            )
        ],
    )
    code, found = doctor(ledger)
    assert code == 1
    assert sorted(f["code"] for f in found) == ["stale_conflicts", "tmp"]
    tmp_finding = next(f for f in found if f["code"] == "tmp")
    assert tmp_finding["paths"] == [f"issues/2026/.{base.item}.yaml.4242.tmp"]
    assert doctor(ledger, "--fix")[0] == 0
    assert not temp.exists() and sync.read_sidecars(ledger / ".git") == {}


def test_clone_without_secret_gets_a_note_not_a_failure(ledger: Path):
    (ledger / ".git/minqing/secret").unlink()
    result = run("--lang", "en", "doctor", ledger=ledger)
    assert result.exit_code == 0
    assert result.stdout.startswith("note: this clone has no county secret")


def test_the_ref_an_interrupted_import_packed_under_is_found_and_removed(ledger: Path):
    """An import killed between fast-import and its update-ref -d leaves refs/minqing/packing on a throwaway commit."""
    git(ledger, "update-ref", "refs/minqing/packing", head(ledger))
    before = head(ledger)
    code, found = doctor(ledger)
    assert code == 1 and [f["code"] for f in found] == ["packing_ref"]
    assert "refs/minqing/packing" in found[0]["message"] and found[0]["fixable"]
    code, fixed = doctor(ledger, "--fix")
    assert code == 0 and fixed[0]["fixed"] and "removed the temporary ref" in fixed[0]["message"]
    assert git(ledger, "for-each-ref", "refs/minqing/packing") == "" and head(ledger) == before
    assert doctor(ledger) == (0, [])
