"""A small ledger with items in known states, built once per test module and copied per test, plus the helpers a
forger would use: edit a file's text, append a history entry, commit with plain git."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.repo.store import Ledger

NOW = "2026-11-23T10:00:00+08:00"
T1 = "2026-11-20T09:00:00+08:00"
T2 = "2026-11-21T09:00:00+08:00"
T3 = "2026-11-22T09:00:00+08:00"


@dataclass
class Book:
    """Who and what is in the template ledger (ids are random, so tests read them from here)."""

    path: Path
    admin: str
    clerk: str
    village: str  # village cadre (may close village items)
    county: str  # county leader
    homes: list[str]
    ready: str  # Q-: resolved, feedback satisfied: the next step is close
    fresh: str  # Q-: registered
    working: str  # Q-: in progress, due 2026-12-01
    visit: str  # V-: the visit that raised `fresh`

    def rel(self, item_id: str) -> str:
        return Ledger.open(self.path).path_of(item_id)

    def copy(self, target: Path) -> Book:
        shutil.copytree(self.path, target, symlinks=True)
        return Book(**{**self.__dict__, "path": target})


def build(root: Path) -> Book:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINQING_NOW", NOW)
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for name in ("MINQING_USER", "MINQING_LEDGER"):
            mp.delenv(name, raising=False)
        path = root / "ledger"
        register.init(str(path), "520602", "碧江区", "测试管理员", at=T1)
        led = Ledger.open(path)
        admin = led._configured_user() or ""
        register.add_unit(led, None, "520602101", "和平乡", "township", "520602", at=T1)
        register.add_unit(led, None, "520602101201", "板栗园村", "village", "520602101", at=T1)
        clerk = register.add_cadre(led, None, name="测试录入员", unit="520602101", role="clerk", at=T1).id
        village = register.add_cadre(
            led, None, name="测试村干部", unit="520602101201", role="village", at=T1
        ).id
        county = register.add_cadre(
            led, None, name="测试县领导", unit="520602", role="county_leader", at=T1
        ).id
        homes = [
            register.add_household(
                led,
                None,
                head="测试户甲",
                village="520602101201",
                id_number="11010519491231002X",
                phone="13800001234",
                at=T1,
            ).id,
            register.add_household(led, None, head="测试户乙", village="520602101201", at=T1).id,
        ]
        ready = workflow.add_item(
            led,
            clerk,
            desc="村道路灯损坏",
            category="infrastructure",
            kind=None,
            ledger_name=None,
            source=None,
            household=homes[0],
            at=T1,
        ).id
        workflow.assign(led, admin, ready, leader=village, resp_unit="村委会", due="2026-12-01", at=T1)
        workflow.progress(led, village, ready, "已联系供电所", at=T2)
        workflow.resolve(led, village, ready, "solved", "已修复", at=T2)
        workflow.feedback(led, village, ready, "satisfied", at=T2)
        working = workflow.add_item(
            led,
            clerk,
            desc="自来水管冻裂",
            category="water",
            kind=None,
            ledger_name=None,
            source=None,
            household=homes[1],
            at=T2,
        ).id
        workflow.assign(led, admin, working, leader=village, resp_unit="村委会", due="2026-12-01", at=T2)
        workflow.progress(led, village, working, "已报修", at=T2)
        visit, items = visits.add_visit(
            led,
            clerk,
            household=homes[1],
            by=[village, clerk],
            date="2026-11-22",
            note="入户走访",
            raises=[("屋顶漏雨", "housing")],
            at=T3,
        )
        return Book(path, admin, clerk, village, county, homes, ready, items[0].id, working, visit.id)


# ---------------------------------------------------------------- what a person with a text editor and git does


def git(path: Path, *args: str, author: str | None = None) -> str:
    env = {
        "GIT_AUTHOR_NAME": "hand",
        "GIT_AUTHOR_EMAIL": "hand@example.invalid",
        "GIT_COMMITTER_NAME": "hand",
        "GIT_COMMITTER_EMAIL": "hand@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(path),
        "PATH": __import__("os").environ["PATH"],
        # A hand commit is made "now" on the test clock, like the tool's own (audit's clock rule compares them).
        "GIT_AUTHOR_DATE": NOW,
        "GIT_COMMITTER_DATE": NOW,
    }
    if author:
        name, _, email = author.partition(" <")
        env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = name, email.rstrip(">")
    proc = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout


def edit(path: Path, rel: str, *replacements: tuple[str, str]) -> None:
    target = path / rel
    text = target.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, (rel, old)
        text = text.replace(old, new, 1)
    target.write_text(text, encoding="utf-8")


def append_entry(
    path: Path, rel: str, op: str, by: str, fields: str = "{}", op_id: str = "F0RGED0001"
) -> None:
    """History is the last key of an entity file: a forged entry is a few lines at the end."""
    with open(path / rel, "a", encoding="utf-8") as handle:
        handle.write(f"- id: {op_id}\n  at: '{NOW}'\n  by: {by}\n  op: {op}\n  fields: {fields}\n")


def trailers(op: str, entries: list[str], actor: str) -> str:
    return (
        f"Ledger-Op: {op}\n" + "".join(f"Ledger-Entry: {e}\n" for e in entries) + f"Ledger-Actor: {actor}\n"
    )


def commit(path: Path, subject: str, body: str = "", author: str | None = None) -> str:
    git(path, "add", "-A")
    message = subject + ("\n\n" + body if body else "")
    git(path, "commit", "-q", "-m", message, author=author)
    return git(path, "rev-parse", "HEAD").strip()


def author_of(book: Book, cadre_id: str) -> str:
    name = Ledger.open(book.path).cadre(cadre_id).name
    return f"{name} <{cadre_id}@minqing.invalid>"


def codes(path: Path, **kwargs: object) -> list[tuple[str, str, str]]:
    """(short commit, path, code) of every finding of a full audit (no mark set)."""
    from minqing.ledgers.verify import audit

    result = audit.audit_repo(path, mark=False, lang="en", **kwargs)  # type: ignore[arg-type]
    return [(f.commit[:10], f.path, f.code) for f in result.findings]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """A small ledger with a history (`build`), made once per test module."""
    return build(tmp_path_factory.mktemp("template"))


@pytest.fixture
def book(template: Book, tmp_path: Path) -> Book:
    """A copy of the module's template for one test to change."""
    return template.copy(tmp_path / "ledger")
