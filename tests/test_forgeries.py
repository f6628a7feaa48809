"""Forgeries that look legitimate (issue 13, items 3 and 4): each is made with plain git — a hand-edited file whose
snapshot is a consistent replay of its history, trailers in order, authored as the cadre the trailers name — so that
only the rule under test can catch it. For each one `minqing audit` must exit 1 with a finding line naming the forged
commit and the rule's code, and a central bare repo with `minqing hooks install --bare` must refuse the push. The same
kind of change made through the CLI must pass, so each rule is shown to be precise.

Black-box on purpose: only the `minqing` command (as a subprocess, `python -m minqing.cli`) and plain `git`; nothing
is imported from minqing.ledgers. Every subprocess gets its own environment, with the test clock switched on
explicitly (MINQING_TEST_CLOCK=1 + MINQING_NOW) except where the test is about that switch.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

NOW = "2026-11-23T10:00:00+08:00"
COUNTY = "520602"
TOWNSHIP = "520602101"
VILLAGE = "520602101201"
MINQING = [sys.executable, "-m", "minqing.cli"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def full_id_number(body: str) -> str:
    """An 18-digit ID number: the 17 digits and their ISO 7064 MOD 11-2 check character (GB 11643)."""
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


SYNTHETIC_ID = full_id_number("11010519491231002")  # 11010519491231002X


def shifted(stamp: str, **delta: float) -> str:
    return (datetime.fromisoformat(stamp) + timedelta(**delta)).isoformat()


# ---------------------------------------------------------------- running minqing and git


def environment(home: Path, **extra: str | None) -> dict[str, str]:
    """A clean environment: no MINQING_* or GIT_* from outside, the test clock pinned unless a test says otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINQING_", "GIT_"))}
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        MINQING_LANG="en",
        MINQING_LOCK_TIMEOUT="5",
        MINQING_TEST_CLOCK="1",
        MINQING_NOW=NOW,
    )
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def mq(
    path: Path | None, *args: str, cwd: Path | None = None, **env: str | None
) -> subprocess.CompletedProcess:
    """`minqing [-C path] args…` in a subprocess; a traceback is never acceptable output."""
    argv = [*MINQING, *(["-C", str(path)] if path else []), *args]
    where = cwd or (path.parent if path else None)
    assert where is not None, "a command outside a ledger needs a cwd"
    proc = subprocess.run(argv, cwd=where, capture_output=True, text=True, env=environment(where, **env))
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def ok(path: Path | None, *args: str, cwd: Path | None = None, **env: str | None) -> str:
    proc = mq(path, *args, cwd=cwd, **env)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout


def git_run(
    path: Path, *args: str, author: str | None = None, when: str | None = None
) -> subprocess.CompletedProcess:
    env = environment(
        path,
        GIT_AUTHOR_NAME="hand",
        GIT_AUTHOR_EMAIL="hand@example.invalid",
        GIT_COMMITTER_NAME="hand",
        GIT_COMMITTER_EMAIL="hand@example.invalid",
    )
    if author:
        name, _, email = author.partition(" <")
        env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = name, email.rstrip(">")
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, env=env)


def git(path: Path, *args: str, **kwargs: Any) -> str:
    proc = git_run(path, *args, **kwargs)
    assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout


def head(path: Path) -> str:
    return git(path, "rev-parse", "HEAD").strip()


def tree_state(path: Path) -> tuple[str, str]:
    return head(path), git(path, "status", "--porcelain", "--untracked-files=all")


# ---------------------------------------------------------------- the prepared ledger


@dataclass(frozen=True)
class Book:
    path: Path
    admin: str
    clerk: str
    clerk2: str  # a second clerk: clerks close nothing
    village: str  # village cadre: leader of the items, may close village items
    secretary: str  # village-level 第一书记, recalled in one test
    names: dict[str, str]
    home: str
    home2: str
    working: str  # Q-: in progress (led by `village`)
    ready: str  # Q-: resolved, feedback satisfied: the next step is close
    visit: str  # V-: a visit to `home`

    def author(self, cadre: str) -> str:
        return f"{self.names[cadre]} <{cadre}@minqing.invalid>"

    def item_rel(self, item: str) -> str:
        (found,) = (self.path / "issues").glob(f"*/{item}.yaml")
        return found.relative_to(self.path).as_posix()

    def household_rel(self, home: str) -> str:
        (found,) = (self.path / "households").glob(f"*/{home}.yaml")
        return found.relative_to(self.path).as_posix()

    def visits_rel(self) -> str:
        (found,) = (self.path / "visits").glob(f"*/{VILLAGE}.yaml")
        return found.relative_to(self.path).as_posix()


def first_word(stdout: str) -> str:
    return stdout.split()[0]


def build(path: Path) -> Book:
    """Everything through the CLI, all at NOW."""
    out = ok(
        None,
        "init",
        str(path),
        "--county-code",
        COUNTY,
        "--county-name",
        "碧江区",
        "--admin-name",
        "测试管理员",
        cwd=path.parent,
    )
    admin = re.search(r"C-[0-9A-Z]{6}", out).group(0)  # type: ignore[union-attr]
    ok(path, "org", "add", TOWNSHIP, "和平乡", "--level", "township", "--parent", COUNTY, "--as", admin)
    ok(path, "org", "add", VILLAGE, "板栗园村", "--level", "village", "--parent", TOWNSHIP, "--as", admin)
    names = {admin: "测试管理员"}

    def cadre(name: str, unit: str, role: str) -> str:
        cid = first_word(
            ok(path, "cadre", "add", "--name", name, "--unit", unit, "--role", role, "--as", admin)
        )
        names[cid] = name
        return cid

    clerk = cadre("测试录入员", TOWNSHIP, "clerk")
    clerk2 = cadre("测试录入员乙", TOWNSHIP, "clerk")
    village = cadre("测试村干部", VILLAGE, "village")
    secretary = cadre("测试第一书记", VILLAGE, "village")
    home = first_word(ok(path, "household", "add", "--head", "测试户甲", "--village", VILLAGE, "--as", clerk))
    home2 = first_word(
        ok(path, "household", "add", "--head", "测试户乙", "--village", VILLAGE, "--as", clerk)
    )

    def item(desc: str, household: str) -> str:
        out = ok(
            path,
            "issue",
            "add",
            "--desc",
            desc,
            "--category",
            "water",
            "--household",
            household,
            "--as",
            clerk,
        )
        ref = first_word(out)
        ok(
            path,
            "issue",
            "assign",
            ref,
            "--leader",
            village,
            "--unit",
            "村委会",
            "--due",
            "2026-12-07",
            "--as",
            admin,
        )
        ok(path, "issue", "progress", ref, "--note", "已联系施工队", "--as", village)
        return ref

    working = item("自来水管冻裂", home)
    ready = item("村道路灯损坏", home2)
    ok(path, "issue", "resolve", ready, "--how", "solved", "--note", "已修复", "--as", village)
    ok(path, "issue", "feedback", ready, "--result", "satisfied", "--as", clerk)
    visit = first_word(
        ok(path, "visit", "add", "--household", home, "--by", village, "--note", "入户走访", "--as", clerk)
    )
    return Book(path, admin, clerk, clerk2, village, secretary, names, home, home2, working, ready, visit)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Book:
    book = build(tmp_path_factory.mktemp("forgeries") / "ledger")
    assert mq(book.path, "audit", "--json").returncode == 0
    return book


@pytest.fixture
def book(template: Book, tmp_path: Path) -> Book:
    target = tmp_path / "ledger"
    shutil.copytree(template.path, target, symlinks=True)
    return replace(template, path=target)


# ---------------------------------------------------------------- what a forger does with an editor and git


def read(book: Book, rel: str) -> dict[str, Any]:
    return yaml.safe_load((book.path / rel).read_text(encoding="utf-8"))


def write(book: Book, rel: str, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20)
    (book.path / rel).write_text(text, encoding="utf-8")


def append_entry(
    book: Book,
    rel: str,
    op: str,
    by: str,
    fields: dict[str, Any],
    snapshot: dict[str, Any],
    op_id: str = "F0RGED0001",
    at: str = NOW,
) -> None:
    """One more history entry and the snapshot fields it changes: the file is a consistent replay of its history."""
    data = read(book, rel)
    for key, value in snapshot.items():
        assert key in data, (rel, key)
        data[key] = copy.deepcopy(value)  # never shared with `fields`: PyYAML would write an anchor
    data["history"].append({"id": op_id, "at": at, "by": by, "op": op, "fields": copy.deepcopy(fields)})
    write(book, rel, data)


def forge(
    book: Book,
    subject: str,
    op: str,
    entries: list[str],
    actor: str,
    author: str | None = None,
    when: str = NOW,
    visitors: tuple[str, ...] = (),
) -> str:
    """Commit everything with legitimate-looking trailers, authored as `author` (default: the actor); one
    Ledger-Visitor trailer per cadre in `visitors`."""
    git(book.path, "add", "-A")
    body = (
        f"Ledger-Op: {op}\n" + "".join(f"Ledger-Entry: {e}\n" for e in entries) + f"Ledger-Actor: {actor}\n"
    )
    body += "".join(f"Ledger-Visitor: {cadre}\n" for cadre in visitors)
    git(
        book.path,
        "commit",
        "-q",
        "-m",
        f"{subject}\n\n{body}",
        author=author or book.author(actor),
        when=when,
    )
    return head(book.path)


# ---------------------------------------------------------------- what audit and the central repo say


def finding_lines(proc: subprocess.CompletedProcess, sha: str) -> list[str]:
    return [line for line in proc.stdout.splitlines() if line.startswith(sha[:10])]


def assert_flagged(book: Book, sha: str, *codes: str) -> None:
    """`minqing audit` exits 1 with a finding line of this commit carrying one of `codes`."""
    proc = mq(book.path, "audit")
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = finding_lines(proc, sha)
    wanted = "|".join(re.escape(code) for code in codes)
    assert any(re.search(rf": ({wanted}): ", line) for line in lines), (codes, proc.stdout)


def assert_clean(book: Book) -> None:
    proc = mq(book.path, "audit")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert proc.stdout == ""


@pytest.fixture
def central(book: Book, tmp_path: Path) -> Path:
    """A county bare repo with minqing's pre-receive hook, holding the prepared ledger's history."""
    bare = tmp_path / "central.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    ok(None, "hooks", "install", "--bare", str(bare), cwd=tmp_path)
    assert (bare / "hooks" / "pre-receive").is_file()
    git(book.path, "remote", "add", "origin", str(bare))
    assert_pushed(book, bare)
    return bare


def push(book: Book) -> subprocess.CompletedProcess:
    return git_run(book.path, "push", "-q", "origin", "HEAD:refs/heads/main")


def central_head(bare: Path) -> str:
    return git(bare, "rev-parse", "refs/heads/main").strip()


def assert_pushed(book: Book, bare: Path) -> None:
    proc = push(book)
    assert proc.returncode == 0, proc.stderr
    assert central_head(bare) == head(book.path)


def assert_push_refused(book: Book, bare: Path, sha: str) -> None:
    before = central_head(bare)
    proc = push(book)
    assert proc.returncode != 0, proc.stderr
    assert sha[:10] in proc.stderr, proc.stderr
    assert central_head(bare) == before


# ---------------------------------------------------------------- 1. set-like operations outside their fields


def test_clerk_promoting_self_to_admin_by_cadre_set_is_field_not_allowed(book: Book, central: Path):
    # Legitimate: a new admin comes in through `cadre add`, by an admin.
    ok(
        book.path,
        "cadre",
        "add",
        "--name",
        "新管理员",
        "--unit",
        COUNTY,
        "--role",
        "admin",
        "--as",
        book.admin,
    )
    assert_clean(book)
    assert_pushed(book, central)
    # Forged: the clerk's own file gains `set role: admin`, the snapshot says admin, everything signed by the clerk.
    rel = f"cadres/{book.clerk}.yaml"
    assert read(book, rel)["role"] == "clerk"
    append_entry(book, rel, "set", book.clerk, {"role": "admin"}, {"role": "admin"})
    sha = forge(book, f"更新干部 {book.clerk} 测试录入员", "cadre.set", [book.clerk], book.clerk)
    assert_flagged(book, sha, "field_not_allowed")
    assert_push_refused(book, central, sha)


def ssh_public_key(where: Path, name: str) -> Path:
    key = where / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return Path(f"{key}.pub")


def test_key_added_to_another_cadre_by_cadre_set_is_field_not_allowed(
    book: Book, central: Path, tmp_path: Path
):
    # Legitimate: `cadre key add` by an admin (Ledger-Op: cadre.key).
    registered = ssh_public_key(tmp_path, "village_key")
    ok(book.path, "cadre", "key", "add", book.village, "--ssh-pubkey", str(registered), "--as", book.admin)
    rel = f"cadres/{book.village}.yaml"
    keys = read(book, rel)["keys"]
    assert keys == [registered.read_text(encoding="utf-8").strip()]
    assert_clean(book)
    assert_pushed(book, central)
    # Forged: the same admin slips a second key into the village cadre's list through a generic `set`.
    stranger = ssh_public_key(tmp_path, "stranger").read_text(encoding="utf-8").strip()
    both = [*keys, stranger]
    append_entry(book, rel, "set", book.admin, {"keys": both}, {"keys": both})
    sha = forge(book, f"更新干部 {book.village} 测试村干部", "cadre.set", [book.village], book.admin)
    assert_flagged(book, sha, "field_not_allowed")
    assert_push_refused(book, central, sha)


def test_recalled_cadre_made_active_by_cadre_set_is_field_not_allowed(book: Book, central: Path):
    # Legitimate: the recall itself, through the CLI.
    ok(book.path, "cadre", "recall", book.secretary, "--reason", "考核不合格", "--as", book.admin)
    rel = f"cadres/{book.secretary}.yaml"
    assert read(book, rel)["status"] == "recalled"
    assert_clean(book)
    assert_pushed(book, central)
    # Forged: an admin quietly sets the status back to active (there is no command that un-recalls).
    append_entry(book, rel, "set", book.admin, {"status": "active"}, {"status": "active"})
    sha = forge(book, f"更新干部 {book.secretary} 测试第一书记", "cadre.set", [book.secretary], book.admin)
    assert_flagged(book, sha, "field_not_allowed")
    assert_push_refused(book, central, sha)


def test_full_id_number_written_by_household_set_is_refused(book: Book, central: Path):
    assert SYNTHETIC_ID == "11010519491231002X"
    # Legitimate: `household set` of the status, by the clerk.
    ok(book.path, "household", "set", book.home, "--status", "poor", "--as", book.clerk)
    rel = book.household_rel(book.home)
    assert read(book, rel)["status"] == "poor"
    assert_clean(book)
    assert_pushed(book, central)
    # Forged: a `set` that carries the full 18-digit ID number into git history.
    fields = {"id_number": SYNTHETIC_ID}
    append_entry(book, rel, "set", book.clerk, fields, fields)
    sha = forge(book, f"更新农户 {book.home} 测试户甲", "household.set", [book.home], book.clerk)
    assert_flagged(book, sha, "field_not_allowed", "full_id_number")
    assert_push_refused(book, central, sha)
    assert SYNTHETIC_ID not in git(central, "log", "-p", "--all")


# ---------------------------------------------------------------- 2. doctor.recover


def close_snapshot() -> dict[str, Any]:
    return {"state": "closed", "closed": NOW[:10]}


def test_recovery_holding_a_closure_by_a_clerk_is_caught(book: Book, central: Path):
    # A clerk commits a "recovery" whose entry is a close recorded by another clerk: clerks close nothing.
    rel = book.item_rel(book.ready)
    append_entry(book, rel, "close", book.clerk2, {"date": NOW[:10]}, close_snapshot())
    sha = forge(book, "恢复中断操作留下的文件", "doctor.recover", [book.ready], book.clerk)
    assert_flagged(book, sha, "role", "by_mismatch", "unknown_actor", "actor_mismatch")
    assert_push_refused(book, central, sha)


def test_recovery_holding_an_entry_by_an_unknown_cadre_is_caught(book: Book, central: Path):
    rel = book.item_rel(book.working)
    append_entry(book, rel, "progress", "C-ZZZZZZ", {"note": "中断后恢复"}, {})
    sha = forge(book, "恢复中断操作留下的文件", "doctor.recover", [book.working], book.clerk)
    assert_flagged(book, sha, "role", "by_mismatch", "unknown_actor", "actor_mismatch")
    assert_push_refused(book, central, sha)


def test_recovery_of_another_cadres_entry_without_a_crash_journal_is_caught(book: Book, central: Path):
    # Legitimate: the clerk's own command left its file uncommitted; `doctor --fix` by the same clerk commits it.
    ok(book.path, "issue", "progress", book.working, "--note", "再次联系", "--as", book.clerk)
    git(book.path, "reset", "-q", "HEAD~1")  # the commit undone, the file kept: what a killed command leaves
    assert git(book.path, "status", "--porcelain").strip()
    ok(book.path, "doctor", "--fix", "--as", book.clerk)
    assert git(book.path, "status", "--porcelain", "--untracked-files=all") == ""
    assert "Ledger-Op: doctor.recover" in git(book.path, "log", "-1", "--format=%B")
    assert_clean(book)
    assert_pushed(book, central)
    # Forged: no command crashed, yet the clerk "recovers" a progress entry recorded by the village cadre (who may
    # record progress, so the role check alone passes it).
    rel = book.item_rel(book.working)
    append_entry(book, rel, "progress", book.village, {"note": "已完成一半"}, {}, op_id="F0RGED0002")
    sha = forge(book, "恢复中断操作留下的文件", "doctor.recover", [book.working], book.clerk)
    assert_flagged(book, sha, "by_mismatch", "actor_mismatch")
    assert_push_refused(book, central, sha)


# ---------------------------------------------------------------- 3. a visit appended twice


def test_visit_appended_again_with_the_same_id_is_duplicate_id(book: Book, central: Path):
    # Legitimate: another visit to the same household, through the CLI, lands in the same stream file.
    rel = book.visits_rel()
    ok(
        book.path,
        "visit",
        "add",
        "--household",
        book.home,
        "--by",
        book.village,
        "--note",
        "回访",
        "--as",
        book.clerk,
    )
    assert len((book.path / rel).read_text(encoding="utf-8").split("\n---")) == 2
    assert_clean(book)
    assert mq(book.path, "check").returncode == 0
    assert_pushed(book, central)
    # Forged: the first visit's document appended once more, same id, a different note.
    text = (book.path / rel).read_text(encoding="utf-8")
    (original,) = [doc for doc in text.split("\n---") if f"id: {book.visit}" in doc]
    again = original.removeprefix("---").replace("入户走访", "未入户，电话回访")
    assert again != original.removeprefix("---")
    (book.path / rel).write_text(text.rstrip("\n") + "\n---" + again.rstrip("\n") + "\n", encoding="utf-8")
    docs = list(yaml.safe_load_all((book.path / rel).read_text(encoding="utf-8")))
    assert [d["id"] for d in docs].count(book.visit) == 2 and len(docs) == 3
    sha = forge(book, "走访 测试户甲 2026-11-23", "visit.add", [book.visit], book.clerk)
    assert_flagged(book, sha, "duplicate_id")
    assert_push_refused(book, central, sha)
    checked = mq(book.path, "check")
    assert checked.returncode == 1, (checked.stdout, checked.stderr)


def append_visit(book: Book, visit_id: str, by: list[str]) -> None:
    """A visit to `home` typed into its stream by hand, exactly as `visit add` writes one (same keys and order)."""
    rel = book.visits_rel()
    text = (book.path / rel).read_text(encoding="utf-8")
    (original,) = [doc for doc in yaml.safe_load_all(text) if doc and doc["id"] == book.visit]
    doc = {**original, "id": visit_id, "by": by, "note": "再次入户", "recorded_by": book.clerk}
    dumped = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=True, width=1 << 20)
    (book.path / rel).write_text(text + "--- " + dumped, encoding="utf-8")


def test_visit_whose_visitor_trailers_are_not_its_visitors_is_visitor_mismatch(book: Book, central: Path):
    # Legitimate: a visit typed in by hand whose trailers name exactly its visitors, as `visit add` writes them.
    append_visit(book, "V-F0RGE1", [book.village])
    forge(
        book,
        "走访 测试户甲 2026-11-23（测试村干部）",
        "visit.add",
        ["V-F0RGE1"],
        book.clerk,
        visitors=(book.village,),
    )
    assert_clean(book)
    assert_pushed(book, central)
    # Forged: the trailer credits the first secretary with a visit only the village cadre went on, so
    # `git log --grep='Ledger-Visitor: …'` would count it for the wrong person.
    append_visit(book, "V-F0RGE2", [book.village])
    sha = forge(
        book, "走访 测试户甲 2026-11-23", "visit.add", ["V-F0RGE2"], book.clerk, visitors=(book.secretary,)
    )
    found = git(book.path, "log", f"--grep=^Ledger-Visitor: {book.secretary}$", "--format=%H").split()
    assert found == [sha]
    assert_flagged(book, sha, "visitor_mismatch")
    (line,) = [line for line in finding_lines(mq(book.path, "audit"), sha) if ": visitor_mismatch: " in line]
    assert book.secretary in line and book.village in line
    assert_push_refused(book, central, sha)


def test_visit_committed_without_its_visitor_trailer_is_visitor_mismatch(book: Book, central: Path):
    # Forged: everything else as `visit add` makes it, but the visitor's trailer left out (the visit hidden from
    # `git log --grep` for the cadre who went).
    append_visit(book, "V-F0RGE3", [book.village, book.secretary])
    sha = forge(
        book, "走访 测试户甲 2026-11-23", "visit.add", ["V-F0RGE3"], book.clerk, visitors=(book.village,)
    )
    assert_flagged(book, sha, "visitor_mismatch")
    assert_push_refused(book, central, sha)


def test_visit_committed_with_no_visitor_trailer_at_all_is_an_older_minqings_and_accepted(
    book: Book, central: Path
):
    # A ledger written before minqing wrote Ledger-Visitor trailers: its visit commits carry none. They stay valid
    # (the document's `by` is the record; `log --by` reads it), so old ledgers audit clean after the upgrade.
    append_visit(book, "V-0LDER1", [book.village, book.secretary])
    sha = forge(book, "走访 测试户甲 2026-11-23", "visit.add", ["V-0LDER1"], book.clerk)
    assert "Ledger-Visitor" not in git(book.path, "show", "-s", "--format=%B", sha)
    assert_clean(book)
    assert_pushed(book, central)
    by_secretary = mq(book.path, "log", "--by", book.secretary, "--json")
    assert by_secretary.returncode == 0 and "V-0LDER1" in by_secretary.stdout


# ---------------------------------------------------------------- 4. the clock


OLD = "2026-11-20T09:00:00+08:00"  # three days before the prepared ledger's last commit


def forge_resolve(book: Book, at: str, when: str, op_id: str = "F0RGED0003") -> str:
    """The village cadre (the item's leader) resolves the in-progress item by hand, exactly as the command would."""
    rel = book.item_rel(book.working)
    resolution = {"how": "solved", "note": "已更换水管", "date": at[:10]}
    append_entry(
        book,
        rel,
        "resolve",
        book.village,
        resolution,
        {"state": "resolved", "resolution": resolution},
        op_id,
        at,
    )
    return forge(
        book, f"办结 {book.working} 自来水管冻裂", "issue.resolve", [book.working], book.village, when=when
    )


def test_history_entry_and_commit_dated_days_before_the_parent_are_clock_backwards(book: Book, central: Path):
    # Legitimate: the prepared ledger, every entry written by the CLI at the office clock.
    assert_clean(book)
    sha = forge_resolve(book, at=OLD, when=OLD)
    assert git(book.path, "log", "-1", "--format=%aI").strip() == OLD
    assert_flagged(book, sha, "clock_backwards")
    assert_push_refused(book, central, sha)


def test_history_entry_dated_days_before_the_parent_commit_is_clock_backwards(book: Book, central: Path):
    # The commit itself carries an honest date; only the entry's `at` is backdated.
    sha = forge_resolve(book, at=OLD, when=shifted(NOW, minutes=5))
    assert_flagged(book, sha, "clock_backwards")
    assert_push_refused(book, central, sha)


def test_commit_dated_hours_before_its_parent_is_clock_backwards(book: Book, central: Path):
    # The entry is dated like its parent; the commit's author date is two hours earlier.
    sha = forge_resolve(book, at=NOW, when=shifted(NOW, hours=-2))
    assert_flagged(book, sha, "clock_backwards")
    assert_push_refused(book, central, sha)


def test_dates_a_few_minutes_before_the_parent_are_tolerated(book: Book, central: Path):
    # A clerk's PC clock nine minutes slow: entry and commit both 9 minutes before the parent commit.
    earlier = shifted(NOW, minutes=-9)
    forge_resolve(book, at=earlier, when=earlier)
    assert_clean(book)
    assert_pushed(book, central)
    # And the CLI on that PC, its clock still 9 minutes slow, writes a commit that audits clean.
    ok(
        book.path,
        "issue",
        "close",
        book.ready,
        "--as",
        book.village,
        MINQING_NOW=earlier,
    )
    assert_clean(book)
    assert_pushed(book, central)


# ---------------------------------------------------------------- 5. the test clock


def added_item(path: Path, stdout: str) -> dict[str, Any]:
    (found,) = (path / "issues").glob(f"*/{first_word(stdout)}.yaml")
    return yaml.safe_load(found.read_text(encoding="utf-8"))


def test_minqing_now_alone_does_not_pin_the_clock(book: Book):
    china = timezone(timedelta(hours=8))
    years = {datetime.now(china).year}
    out = ok(
        book.path, "issue", "add", "--desc", "路灯不亮", "--category", "infrastructure", "--unit", VILLAGE,
        "--as", book.clerk, MINQING_TEST_CLOCK=None, MINQING_NOW="2020-01-01T09:00:00+08:00",
    )  # fmt: skip
    years.add(datetime.now(china).year)
    at = added_item(book.path, out)["history"][0]["at"]
    assert int(str(at)[:4]) in years, at
    assert int(git(book.path, "log", "-1", "--format=%aI").strip()[:4]) in years


def test_minqing_now_with_the_test_switch_pins_the_clock(tmp_path: Path):
    pinned = "2020-01-01T09:00:00+08:00"
    path = tmp_path / "ledger"
    ok(
        None, "init", str(path), "--county-code", COUNTY, "--county-name", "碧江区", "--admin-name", "测试管理员",
        MINQING_TEST_CLOCK="1", MINQING_NOW=pinned, cwd=tmp_path,
    )  # fmt: skip
    out = ok(
        path, "issue", "add", "--desc", "路灯不亮", "--category", "infrastructure", "--unit", COUNTY,
        MINQING_TEST_CLOCK="1", MINQING_NOW=pinned,
    )  # fmt: skip
    data = added_item(path, out)
    assert data["history"][0]["at"] == pinned and data["created"] == "2020-01-01"
    assert git(path, "log", "-1", "--format=%aI").strip() == pinned


# ---------------------------------------------------------------- 6. create rules hold for import too


PETITION = ["--desc", "反映征地补偿", "--category", "policy", "--kind", "petition", "--ledger", "stability"]
SHEET_HEADER = "序号,乡镇,村,户主姓名,事项种类,问题类型,问题描述,整改时限\n"


def test_petition_due_beyond_the_answer_limit_is_refused_by_add_and_by_import(book: Book, tmp_path: Path):
    limit = (datetime.fromisoformat(NOW).date() + timedelta(days=60)).isoformat()  # 2027-01-22
    beyond = (datetime.fromisoformat(NOW).date() + timedelta(days=61)).isoformat()
    before = tree_state(book.path)
    proc = mq(book.path, "issue", "add", *PETITION, "--source", "petition", "--unit", VILLAGE, "--due", beyond,
              "--as", book.clerk)  # fmt: skip
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert tree_state(book.path) == before
    sheet = tmp_path / "信访台账.csv"
    sheet.write_text(SHEET_HEADER + f"1,和平乡,板栗园村,,信访,其他,土地边界纠纷,{beyond}\n", encoding="utf-8")
    proc = mq(book.path, "import", str(sheet), "--kind", "issues", "--as", book.clerk)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert tree_state(book.path) == before
    # At the limit both are accepted.
    ok(book.path, "issue", "add", *PETITION, "--source", "petition", "--unit", VILLAGE, "--due", limit,
       "--as", book.clerk)  # fmt: skip
    sheet.write_text(SHEET_HEADER + f"1,和平乡,板栗园村,,信访,其他,土地边界纠纷,{limit}\n", encoding="utf-8")
    ok(book.path, "import", str(sheet), "--kind", "issues", "--as", book.clerk)
    assert_clean(book)
