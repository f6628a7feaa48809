"""Helpers for the foundation tests: a prepared ledger built once per process and copied per test, and readers for
the resulting YAML and git history. Building goes through ledgers/ (fast); the tests then drive the CLI."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import NOW

# Valid GB 11643 numbers (checked by hand against the mod-11 rule); the …1237 form in the issue text is not valid.
ID_VALID = "520602198001011232"
ID_VALID_2 = "520602199002022341"
ID_VALID_X = "11010519491231002X"
ID_BAD_CHECK = "520602198001011237"


@contextlib.contextmanager
def office_env() -> Iterator[None]:
    """The conftest clock and environment, for fixtures built before the per-test autouse fixture runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINQING_NOW", NOW)
        patch.setenv("MINQING_LANG", "zh")
        patch.setenv("MINQING_LOCK_TIMEOUT", "2")
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for name in ("MINQING_USER", "MINQING_LEDGER", "NO_COLOR"):
            patch.delenv(name, raising=False)
        yield


def git_out(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def head(path: Path) -> str:
    return git_out(path, "rev-parse", "HEAD").strip()


def commit_count(path: Path) -> int:
    return int(git_out(path, "rev-list", "--count", "HEAD").strip())


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    subject: str
    trailers: dict[str, list[str]]
    files: tuple[str, ...]


def commits(path: Path, *paths: str, rev: str = "HEAD") -> list[Commit]:
    """Commits touching `paths` (all commits when none), newest first, with their trailers and changed files."""
    out = git_out(
        path, "log", "--format=%x1e%H%x1f%an%x1f%ae%x1f%s%x1f%b%x1f", "--name-only", rev, "--", *paths
    )
    found = []
    for record in out.split("\x1e")[1:]:
        sha, author, email, subject, body, names = record.split("\x1f")
        trailers: dict[str, list[str]] = {}
        for line in body.splitlines():
            if line.startswith("Ledger-") and ": " in line:
                key, value = line.split(": ", 1)
                trailers.setdefault(key, []).append(value)
        files = tuple(line for line in names.splitlines() if line.strip())
        found.append(Commit(sha, author, email, subject, trailers, files))
    return found


def last_commit(path: Path) -> Commit:
    return commits(path)[0]


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def item_file(root: Path, item_id: str) -> dict[str, Any]:
    (found,) = list((root / "issues").glob(f"*/{item_id}.yaml"))
    return read_yaml(found)


def item_rel(root: Path, item_id: str) -> str:
    (found,) = list((root / "issues").glob(f"*/{item_id}.yaml"))
    return found.relative_to(root).as_posix()


def household_file(root: Path, home_id: str) -> dict[str, Any]:
    (found,) = list((root / "households").glob(f"*/{home_id}.yaml"))
    return read_yaml(found)


def cadre_file(root: Path, cadre_id: str) -> dict[str, Any]:
    return read_yaml(root / "cadres" / f"{cadre_id}.yaml")


def first_id(stdout: str) -> str:
    """Commands that create print `<id> …` first."""
    return stdout.split()[0]


def copy_ledger(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


# ---------------------------------------------------------------- the prepared world


@dataclass
class World:
    """A ledger with an org tree, cadres of every role, households and items in every workflow state."""

    path: Path
    ids: dict[str, str] = field(default_factory=dict)
    ambiguous_prefix: str = ""  # `Q-` + one character shared by at least two items

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def copy(self, target: Path) -> World:
        copy_ledger(self.path, target)
        return World(target, dict(self.ids), self.ambiguous_prefix)


_TEMPLATES: dict[str, World] = {}


def world_template(factory: pytest.TempPathFactory) -> World:
    """Built once per test process (each xdist worker builds its own), then copied by the modules that use it."""
    if "world" not in _TEMPLATES:
        with office_env():
            _TEMPLATES["world"] = build_world(factory.mktemp("world") / "ledger")
    return _TEMPLATES["world"]


def build_world(path: Path) -> World:
    from minqing.ledgers.ops import register, workflow
    from minqing.ledgers.repo.store import Ledger

    register.init(str(path), "520602", "碧江区", "测试管理员", at=NOW)
    led = Ledger.open(path)
    w = World(path)
    w.ids["admin"] = led._configured_user() or ""
    for code, name, level, parent in [
        ("520602101", "和平乡", "township", "520602"),
        ("520602102", "坝黄镇", "township", "520602"),
        ("520602101201", "板栗园村", "village", "520602101"),
        ("520602101202", "桃映村", "village", "520602101"),
        ("520602102201", "宋家坝村", "village", "520602102"),
        ("52060210120101", "一组", "group", "520602101201"),
    ]:
        register.add_unit(led, None, code, name, level, parent)

    def cadre(key: str, name: str, unit: str, role: str, **extra: Any) -> None:
        w.ids[key] = register.add_cadre(led, None, name=name, unit=unit, role=role, **extra).id

    cadre("clerk", "测试录入员", "520602101", "clerk")
    cadre("village", "测试村干部", "520602101201", "village", title="村主任")
    cadre("town", "测试乡领导", "520602101", "township_leader", title="包村领导", phone="13800001234")
    cadre("county", "测试县领导", "520602", "county_leader")
    cadre("recalled", "测试召回书记", "520602101201", "village", title="第一书记")
    register.recall_cadre(led, None, w["recalled"], "考核不合格")

    w.ids["h1"] = register.add_household(
        led,
        None,
        head="测试户甲",
        village="520602101201",
        group="52060210120101",
        members=4,
        status="poor",
        id_number=ID_VALID,
        phone="13912345678",
        register_no="BLY-001",
    ).id
    w.ids["h2"] = register.add_household(
        led, None, head="测试户乙", village="520602101201", status="monitored"
    ).id
    w.ids["h3"] = register.add_household(led, None, head="测试户丙", village="520602102201").id
    register.pair(led, None, w["town"], w["h1"])

    def item(key: str, desc: str, **extra: Any) -> str:
        values: dict[str, Any] = {
            "category": "housing",
            "kind": "problem",
            "ledger_name": "livelihood",
            "source": "visit",
            "household": w["h1"],
        }
        values.update(extra)
        w.ids[key] = workflow.add_item(led, None, desc=desc, **values).id
        return w.ids[key]

    def assigned(key: str, desc: str, **extra: Any) -> str:
        ref = item(key, desc, **extra)
        workflow.assign(
            led,
            None,
            ref,
            leader=w["town"],
            resp_unit="乡住建站",
            due="2026-12-07",
            team=[w["village"]],
            plan="维修",
        )
        return ref

    item("registered", "屋顶漏雨")
    assigned("assigned", "院坝开裂")
    workflow.progress(led, None, assigned("in_progress", "厨房漏水"), "已联系施工队")
    workflow.resolve(led, None, assigned("resolved", "门窗破损"), "solved", "已更换门窗")
    ref = assigned("resolved_fb", "围墙倒塌")
    workflow.resolve(led, None, ref, "solved", "已重砌")
    workflow.feedback(led, None, ref, "satisfied")
    ref = assigned("closed", "猪圈漏雨")
    workflow.resolve(led, None, ref, "explained", "已解释危改政策")
    workflow.feedback(led, None, ref, "basic")
    workflow.close(led, None, ref)
    # A township-level item, resolved with satisfied feedback: a village cadre may not close it.
    ref = item(
        "township_resolved", "通组路塌方", category="infrastructure", household=None, unit="520602101201"
    )
    workflow.escalate(led, None, ref, "township", "需乡镇协调资金")
    workflow.assign(led, None, ref, leader=w["town"], resp_unit="乡交通站", due="2026-12-20")
    workflow.resolve(led, None, ref, "solved", "已修复")
    workflow.feedback(led, None, ref, "satisfied")
    ref = item("county_level", "跨乡水源纠纷", category="water", household=None, unit="520602101202")
    workflow.escalate(led, None, ref, "county", "涉及两个乡镇")
    item(
        "petition",
        "反映低保评定不公",
        category="policy",
        kind="petition",
        ledger_name="stability",
        source="petition",
    )
    ref = item(
        "petition_extended",
        "反映征地补偿",
        category="policy",
        kind="petition",
        ledger_name="stability",
        source="petition",
    )
    workflow.assign(led, None, ref, leader=w["town"], resp_unit="乡信访办", due=None)
    workflow.extend(led, None, ref, "2027-02-01", "待补充材料")
    item("wish", "想要一台电视", category="other", kind="wish", household=w["h2"])
    ref = item("wish_claimed", "孩子需要书包", category="education", kind="wish", household=w["h2"])
    workflow.claim(led, None, ref, w["town"])
    # Items until two share a first character: `Q-<char>` is then an ambiguous prefix. At least one filler
    # always, so every run has the same shape (a test that broke only when fillers were needed was flaky).
    for count in range(40):
        item(f"filler{count}", "备用事项", category="other", household=w["h3"])
        firsts = [value[2] for value in w.ids.values() if value.startswith("Q-")]
        shared = sorted({char for char in firsts if firsts.count(char) > 1})
        if shared:
            w.ambiguous_prefix = "Q-" + shared[0]
            break
    assert w.ambiguous_prefix
    return w
