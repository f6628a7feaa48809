"""Trust boundaries (issue 14): what a ledger repo may hold besides the ledger, and whose history it is.

Each attack is made with plain git, as a clerk with a shell would: a roster of full ID numbers committed outside the
ledger's layout and deleted again; commits without trailers; a second root commit; and another ledger's history
merged in with `--allow-unrelated-histories` and a commit message that looks like `minqing sync`'s, whose admin then
adds admins and closes items through the CLI. `minqing audit` must name each commit, `check` must see the second
root, the central pre-receive hook (set up as in tests/test_forgeries.py) must refuse the push, and `sync` must refuse
an unrelated remote with one line and write nothing. What minqing itself writes (init, every operation, sync merges,
an admin's `config.edit` of `allowed_paths`) passes.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from test_forgeries import (
    COUNTY,
    NOW,
    Book,
    assert_clean,
    assert_flagged,
    assert_push_refused,
    assert_pushed,
    build,
    central_head,
    forge,
    full_id_number,
    git,
    git_run,
    head,
    mq,
    ok,
    push,
    tree_state,
)

from minqing.ledgers.verify.audit import wildmatch

HAND = "hand <hand@example.invalid>"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Book:
    made = build(tmp_path_factory.mktemp("boundary") / "ledger")
    assert mq(made.path, "audit", "--json").returncode == 0
    return made


@pytest.fixture
def book(template: Book, tmp_path: Path) -> Book:
    target = tmp_path / "ledger"
    shutil.copytree(template.path, target, symlinks=True)
    return replace(template, path=target)


@pytest.fixture
def central(book: Book, tmp_path: Path) -> Path:
    """The county's bare repo with minqing's pre-receive hook, holding the prepared history (as test_forgeries)."""
    bare = tmp_path / "central.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    ok(None, "hooks", "install", "--bare", str(bare), cwd=tmp_path)
    git(book.path, "remote", "add", "origin", str(bare))
    assert_pushed(book, bare)
    return bare


def hand_commit(book: Book, message: str, *args: str) -> str:
    """A plain `git commit`, no trailers, as somebody with a shell."""
    git(book.path, "commit", "-q", "-m", message, *args, author=HAND)
    return head(book.path)


def audit_json(book: Book) -> list[dict]:
    proc = mq(book.path, "audit", "--json")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def codes_of(findings: list[dict], sha: str) -> set[tuple[str, str]]:
    return {(f["code"], f["path"]) for f in findings if f["commit"] == sha}


def set_allowed_paths(book: Book, *patterns: str) -> str:
    """An admin's `config.edit` of minqing.yaml, committed by hand with trailers (docs: "Changing minqing.yaml")."""
    config = book.path / "minqing.yaml"
    text = config.read_text(encoding="utf-8")
    listed = "".join(f"\n- '{pattern}'" for pattern in patterns)
    text = re.sub(r"(?ms)^allowed_paths:.*?(?=^\S|\Z)", f"allowed_paths:{listed or ' []'}\n", text)
    config.write_text(text, encoding="utf-8")
    return forge(book, "允许的文件", "config.edit", ["minqing.yaml"], book.admin)


# ---------------------------------------------------------------- a. files outside the layout


def test_roster_outside_the_layout_added_then_deleted_is_flagged_and_refused(book: Book, central: Path):
    roster = "花名册.csv"
    numbers = [full_id_number(f"5206021980010100{i}") for i in range(1, 4)]
    (book.path / roster).write_text(
        "姓名,身份证号\n" + "".join(f"户主{i},{n}\n" for i, n in enumerate(numbers)), encoding="utf-8"
    )
    git(book.path, "add", roster)
    added = hand_commit(book, "花名册")
    git(book.path, "rm", "-q", roster)
    deleted = hand_commit(book, "删除花名册")
    # check sees the working tree only: the file is gone. audit names both commits, and the path.
    assert mq(book.path, "check").returncode == 0
    findings = audit_json(book)
    assert {("outside_layout", roster), ("no_trailers", roster)} <= codes_of(findings, added)
    assert {("outside_layout", roster), ("no_trailers", roster)} <= codes_of(findings, deleted)
    assert_flagged(book, added, "outside_layout")
    # The central repo refuses the push: the numbers never reach it.
    assert_push_refused(book, central, added)
    assert numbers[0] not in git(central, "log", "-p", "--all")


def test_outside_path_with_honest_trailers_is_still_outside_the_layout(book: Book, central: Path):
    (book.path / "notes").mkdir()
    (book.path / "notes" / "会议.txt").write_text("会议记录\n", encoding="utf-8")
    sha = forge(book, "会议记录", "config.edit", ["notes/会议.txt"], book.admin)
    assert codes_of(audit_json(book), sha) == {("outside_layout", "notes/会议.txt")}
    assert_push_refused(book, central, sha)


def test_allowed_paths_permits_readme_from_the_next_commit_on(book: Book, central: Path):
    # Listing README.md and adding it in the same commit: only the parent's patterns apply.
    (book.path / "README.md").write_text("# 碧江区民情台账\n", encoding="utf-8")
    both = set_allowed_paths(book, "README.md", "docs/**")
    assert codes_of(audit_json(book), both) == {("outside_layout", "README.md")}
    git(book.path, "reset", "-q", "--hard", "HEAD~1")

    config_edit = set_allowed_paths(book, "README.md", "docs/**")
    (book.path / "README.md").write_text("# 碧江区民情台账\n", encoding="utf-8")
    (book.path / "docs" / "2026").mkdir(parents=True)
    (book.path / "docs" / "2026" / "说明.md").write_text("说明\n", encoding="utf-8")
    readme = forge(book, "说明文件", "config.edit", ["README.md", "docs/2026/说明.md"], book.admin)
    assert_clean(book)
    assert_pushed(book, central)
    assert config_edit != readme

    # A file the patterns do not reach (README.md is the top-level one only), and a clerk changing README.md
    # without trailers: both flagged.
    (book.path / "docs" / "README.md").write_text("x\n", encoding="utf-8")
    (book.path / "sub").mkdir()
    (book.path / "sub" / "README.md").write_text("x\n", encoding="utf-8")
    nested = forge(book, "子目录说明", "config.edit", ["sub/README.md"], book.admin)
    assert codes_of(audit_json(book), nested) == {("outside_layout", "sub/README.md")}
    git(book.path, "reset", "-q", "--hard", "HEAD~1")
    (book.path / "README.md").write_text("# 改了\n", encoding="utf-8")
    git(book.path, "add", "README.md")
    plain = hand_commit(book, "改说明")
    assert codes_of(audit_json(book), plain) == {("no_trailers", "README.md")}
    assert_push_refused(book, central, plain)


def test_allowed_paths_changed_by_a_clerk_is_refused_and_permits_nothing(book: Book):
    config = book.path / "minqing.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("allowed_paths: []", "allowed_paths:\n- '**'"),
        encoding="utf-8",
    )
    widened = forge(book, "允许一切", "config.edit", ["minqing.yaml"], book.clerk)
    assert ("role", "") in codes_of(audit_json(book), widened)


def test_commits_without_trailers_touching_nothing_of_the_ledger_are_flagged(book: Book, central: Path):
    set_allowed_paths(book, "README.md")
    (book.path / "README.md").write_text("# 台账\n", encoding="utf-8")
    git(book.path, "add", "README.md")
    readme = hand_commit(book, "说明")
    empty = hand_commit(book, "空提交", "--allow-empty")
    findings = audit_json(book)
    assert codes_of(findings, readme) == {("no_trailers", "README.md")}
    assert codes_of(findings, empty) == {("no_trailers", "")}
    assert [f["message"] for f in findings if f["commit"] == empty] == [
        "the commit has no Ledger-Op, Ledger-Entry, Ledger-Actor trailers; every commit of a ledger is a minqing "
        "operation"
    ]
    assert_push_refused(book, central, readme)


def test_commit_msg_hook_refuses_what_audit_would_flag(book: Book, foreign: tuple[Path, str]):
    ok(book.path, "hooks", "install")
    before = tree_state(book.path)
    empty = git_run(book.path, "commit", "-q", "--allow-empty", "-m", "空", author=HAND)
    assert empty.returncode == 1 and "trailers (-)" in empty.stderr
    (book.path / "花名册.csv").write_text("姓名\n", encoding="utf-8")
    git(book.path, "add", "花名册.csv")
    plain = git_run(book.path, "commit", "-q", "-m", "花名册", author=HAND)
    assert plain.returncode == 1
    assert (
        "every commit of a ledger needs Ledger-Op, Ledger-Entry, Ledger-Actor trailers (花名册.csv)"
        in plain.stderr
    )
    trailers = f"Ledger-Op: config.edit\nLedger-Entry: 花名册.csv\nLedger-Actor: {book.admin}\n"
    honest = git_run(book.path, "commit", "-q", "-m", f"花名册\n\n{trailers}", author=book.author(book.admin))
    assert honest.returncode == 1 and "outside_layout" in honest.stderr
    git(book.path, "reset", "-q", "HEAD", "--", "花名册.csv")
    (book.path / "花名册.csv").unlink()
    assert tree_state(book.path) == before
    # Another ledger's history merged with a message shaped like sync's: refused before git makes the commit.
    elsewhere, intruder = foreign
    git(book.path, "fetch", "-q", str(elsewhere), "main:refs/remotes/elsewhere/main")
    proc = git_run(
        book.path, "merge", "-q", "--no-ff", "--no-commit", "--allow-unrelated-histories", "elsewhere/main"
    )
    assert proc.returncode == 0, proc.stderr
    message = f"同步合并\n\nLedger-Op: sync.merge\nLedger-Entry: {intruder}\nLedger-Actor: {book.clerk}\n"
    merged = git_run(book.path, "commit", "-q", "-m", message, author=book.author(book.clerk))
    assert merged.returncode == 1
    assert "unrelated_merge" in merged.stderr and f"cadres/{intruder}.yaml: foreign_file" in merged.stderr
    git(book.path, "merge", "--abort")
    assert tree_state(book.path) == before


def test_wildmatch_semantics():
    assert wildmatch("README.md", "README.md")
    assert not wildmatch("README.md", "docs/README.md")
    assert wildmatch("**/README.md", "README.md") and wildmatch("**/README.md", "a/b/README.md")
    assert wildmatch("docs/**", "docs/a/b.md") and not wildmatch("docs/**", "docsx/a.md")
    assert wildmatch("*.md", "a.md") and not wildmatch("*.md", "docs/a.md")
    assert wildmatch("docs/*.md", "docs/a.md") and not wildmatch("docs/*.md", "docs/x/a.md")
    assert wildmatch("a/**/b", "a/b") and wildmatch("a/**/b", "a/x/y/b")
    assert wildmatch("/README.md", "README.md")
    assert wildmatch("report-[0-9].pdf", "report-7.pdf") and not wildmatch(
        "report-[!0-9].pdf", "report-7.pdf"
    )
    assert wildmatch("?.txt", "a.txt") and not wildmatch("?.txt", "/.txt")
    assert wildmatch("**", "anything/at/all")


# ---------------------------------------------------------------- b. the ledger's one root


def test_second_root_made_with_checkout_orphan_and_merged(book: Book, central: Path):
    main = git(book.path, "symbolic-ref", "--short", "HEAD").strip()
    init_message = git(book.path, "log", "--format=%B", "--max-parents=0", "-1", "HEAD")
    git(book.path, "checkout", "-q", "--orphan", "stray")
    root = forge_message(book, init_message, book.admin)  # the same tree, the init commit's own message
    git(book.path, "checkout", "-q", main)
    merge = merge_unrelated(book, "stray", book.clerk)
    findings = audit_json(book)
    assert ("foreign_root", "") in codes_of(findings, root)
    assert ("unrelated_merge", "") in codes_of(findings, merge)
    check = mq(book.path, "check", "--json")
    assert check.returncode == 1
    assert [f["code"] for f in json.loads(check.stdout)["findings"]] == ["foreign_root"]
    assert_push_refused(book, central, merge)


def forge_message(book: Book, message: str, actor: str) -> str:
    git(book.path, "commit", "-q", "-m", message, author=book.author(actor), when=NOW)
    return head(book.path)


def merge_unrelated(book: Book, other: str, actor: str) -> str:
    """`git merge --allow-unrelated-histories` concluded with a message shaped like minqing sync's merge commits
    (files both ledgers began with are taken from this side)."""
    proc = git_run(book.path, "merge", "-q", "--no-ff", "--no-commit", "--allow-unrelated-histories", other)
    conflicted = git(book.path, "diff", "--name-only", "--diff-filter=U").split()
    assert proc.returncode == 0 or conflicted, proc.stderr
    for path in conflicted:
        git(book.path, "checkout", "-q", "--ours", "--", path)
        git(book.path, "add", path)
    message = f"同步合并 {other}\n\nLedger-Op: sync.merge\nLedger-Actor: {actor}\n"
    return forge_message(book, message, actor)


@pytest.fixture
def foreign(tmp_path: Path) -> tuple[Path, str]:
    """A second ledger of the same county, made elsewhere with `minqing init`, with its own admin."""
    path = tmp_path / "elsewhere"
    out = ok(
        None,
        "init",
        str(path),
        "--county-code",
        COUNTY,
        "--county-name",
        "碧江区",
        "--admin-name",
        "外来管理员",
        cwd=tmp_path,
    )
    admin = re.search(r"C-[0-9A-Z]{6}", out).group(0)  # type: ignore[union-attr]
    return path, admin


def test_foreign_admin_merged_in_is_not_this_ledgers(
    book: Book, central: Path, foreign: tuple[Path, str], tmp_path: Path
):
    elsewhere, intruder = foreign
    git(book.path, "fetch", "-q", str(elsewhere), "main:refs/remotes/elsewhere/main")
    merge = merge_unrelated(book, "elsewhere/main", book.clerk)
    intruder_rel = f"cadres/{intruder}.yaml"
    assert (book.path / intruder_rel).is_file()
    # Before issue 14 the intruder was accepted: the CLI lets them add an admin and close an item.
    ok(book.path, "cadre", "add", "--name", "新管理员", "--unit", COUNTY, "--role", "admin", "--as", intruder)
    new_admin = head(book.path)
    ok(book.path, "issue", "close", book.ready, "--as", intruder)
    closed = head(book.path)

    findings = audit_json(book)
    foreign_root = git(elsewhere, "rev-parse", "HEAD").strip()
    assert codes_of(findings, foreign_root) == {("foreign_root", "")}
    merged = codes_of(findings, merge)
    assert ("unrelated_merge", "") in merged and ("foreign_file", intruder_rel) in merged
    assert ("unknown_actor", "") in codes_of(findings, new_admin)  # the cadre.add by the intruder
    assert ("unknown_actor", "") in codes_of(findings, closed)  # the closure by the intruder
    assert_flagged(book, merge, "unrelated_merge")

    check = mq(book.path, "--lang", "en", "check")
    assert check.returncode == 1
    assert "HEAD's history has 2 root commits" in check.stdout

    assert_push_refused(book, central, merge)
    proc = push(book)
    assert foreign_root[:10] in proc.stderr and "foreign_root" in proc.stderr

    # sync refuses to carry it anywhere: one line, exit 2, nothing written.
    before = tree_state(book.path)
    synced = mq(book.path, "sync", "--as", book.clerk)
    assert synced.returncode == 2, synced.stderr
    assert synced.stderr.strip().count("\n") == 0
    assert "this ledger's history has 2 root commits" in synced.stderr
    assert tree_state(book.path) == before

    # A central repo without the hook took the history anyway: an honest office syncing with it refuses it.
    lax = tmp_path / "lax.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(lax))
    git(book.path, "push", "-q", str(lax), "HEAD:refs/heads/main")
    honest = tmp_path / "honest"
    git(tmp_path, "clone", "-q", str(central), str(honest))
    honest_book = replace(book, path=honest)
    git(honest, "remote", "add", "lax", str(lax))
    before = tree_state(honest)
    refused = mq(honest, "sync", "--remote", "lax", "--as", book.clerk)
    assert refused.returncode == 2, refused.stderr
    assert (
        "the remote lax/main holds the root commit" in refused.stderr and foreign_root[:10] in refused.stderr
    )
    assert "nothing merged, nothing written" in refused.stderr
    assert tree_state(honest) == before
    assert_clean(honest_book)


def test_sync_refuses_a_remote_with_an_unrelated_history(book: Book, foreign: tuple[Path, str]):
    elsewhere, _ = foreign
    git(book.path, "remote", "add", "elsewhere", str(elsewhere))
    before = tree_state(book.path)
    proc = mq(book.path, "sync", "--remote", "elsewhere", "--as", book.clerk)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        "minqing: the remote elsewhere/main has a history unrelated to this ledger's (no common root commit): "
        "nothing merged, nothing written\n"
    )
    assert tree_state(book.path) == before
    assert not (book.path / ".git" / "MERGE_HEAD").exists()
    # The merge begun by hand and left for sync to conclude (as after a sync killed mid-merge): refused too.
    proc = git_run(
        book.path, "merge", "-q", "--no-ff", "--no-commit", "--allow-unrelated-histories", "elsewhere/main"
    )
    assert proc.returncode == 0, proc.stderr
    finish = mq(book.path, "sync", "--remote", "elsewhere", "--as", book.clerk)
    assert finish.returncode == 2, finish.stderr
    assert "elsewhere/main has a history unrelated to this ledger's" in finish.stderr
    assert head(book.path) == before[0]
    git(book.path, "merge", "--abort")
    assert tree_state(book.path) == before
    assert_clean(book)


def test_minqings_own_history_with_a_sync_merge_has_one_root_and_passes(
    book: Book, central: Path, tmp_path: Path
):
    """init, org, cadres, households, items, a visit (the prepared ledger), and a real `minqing sync` merge of two
    offices that changed the same item, pushed through the central pre-receive hook."""
    township = tmp_path / "township"
    git(tmp_path, "clone", "-q", str(central), str(township))
    ok(township, "issue", "progress", book.working, "--note", "乡里已跟进", "--as", book.village)
    ok(township, "sync", "--as", book.village)
    ok(book.path, "issue", "progress", book.working, "--note", "村里已跟进", "--as", book.village)
    ok(book.path, "sync", "--as", book.clerk)
    assert len(git(book.path, "log", "-1", "--format=%P").split()) == 2
    assert central_head(central) == head(book.path)
    assert len(git(book.path, "rev-list", "--max-parents=0", "HEAD").split()) == 1
    assert mq(book.path, "check").returncode == 0
    assert_clean(book)
    assert_clean(replace(book, path=township))
