"""audit at scale: what it remembers of earlier commits is a summary (a digest of each entity file's entries, a
stream's ids packed in one string), the listing is read a window at a time, and an incremental audit starts few git
processes. Each shortcut must give exactly the findings the full reading gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_fixture import Book, codes, commit, edit, git

from minqing.ledgers.core.model import HistoryEntry
from minqing.ledgers.ops import visits, workflow
from minqing.ledgers.repo.gitwalk import Git, Objects, log_changes
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import audit
from minqing.ledgers.verify.audit_log import CommitLog
from minqing.ledgers.verify.audit_seen import entries_digest, entry_reprs, pack_ids
from minqing.ledgers.verify.audit_trees import paths_under


def entry(op_id: str, **fields) -> HistoryEntry:
    return HistoryEntry(op_id, "2026-11-20T09:00:00+08:00", "C-AAAAAA", "edit", fields)


# ---------------------------------------------------------------- the summaries


def test_a_digest_vouches_for_equal_entries_only():
    same = [entry("1", note="a"), entry("2", members=3)]
    assert entries_digest(entry_reprs(same)) == entries_digest(entry_reprs(list(same)))
    assert entries_digest(entry_reprs(same)) != entries_digest(entry_reprs([entry("1", note="b"), same[1]]))
    # "3" and 3 differ (a forger's retyped value is a rewrite)
    assert entries_digest(entry_reprs([entry("2", members="3")])) != entries_digest(entry_reprs([same[1]]))
    # NaN is never equal to itself: no digest, the entries are compared in full
    assert entries_digest(entry_reprs([entry("3", score=float("nan"))])) is None
    assert entries_digest(entry_reprs([entry("3", note="nan")])) is not None


def test_stream_ids_pack_and_unpack_whatever_they_hold():
    assert pack_ids("b", {"V-1", "V-2"}).unpack() == {"V-1", "V-2"}
    assert pack_ids("b", set()).unpack() == set()
    odd = {"V-1\nV-2", "", "V-3"}  # forged ids holding the separator, or empty, are kept as a set
    assert pack_ids("b", odd).unpack() == odd


# ---------------------------------------------------------------- reading git


def test_paths_under_lists_what_ls_tree_lists(tmp_path: Path):
    repo = tmp_path / "repo"
    for rel in (
        "periods/2026-10/520602.yaml",
        "periods/2026-11/520602101.yaml",
        "periods/a/b/c.yaml",
        "x.txt",
    ):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(rel)
    git(repo, "init", "-q")
    git(repo, "add", "periods", "x.txt")
    git(repo, "commit", "-q", "-m", "files")
    objects = Objects(Git(repo))
    try:
        head = git(repo, "rev-parse", "HEAD").strip()
        listed = git(repo, "ls-tree", "-r", "--name-only", head, "--", "periods/").split()
        assert paths_under(objects, head, "periods") == listed
        assert paths_under(objects, head, "reviews") == []
        (repo / "periods" / "2026-12 copy.yaml").write_text("x")  # ls-tree's own listing is what counts then
        git(repo, "add", "periods")
        git(repo, "commit", "-q", "-m", "a name with a space")
        assert paths_under(objects, git(repo, "rev-parse", "HEAD").strip(), "periods") is None
    finally:
        objects.close()


def test_the_commit_log_reads_what_log_changes_reads(book: Book):
    git(book.path, "checkout", "-q", "-b", "side", "HEAD~2")
    (book.path / "notes.txt").write_text("side\n")
    git(book.path, "add", "notes.txt")
    git(book.path, "commit", "-q", "-m", "side")
    git(book.path, "checkout", "-q", "-")
    git(book.path, "merge", "-q", "--no-edit", "side")
    log = CommitLog(Git(book.path), ["HEAD"])
    try:
        read = [entry for window in log.windows(3) for entry in window]
        assert read == log_changes(Git(book.path), ["HEAD"])
        children: dict[str, int] = {}
        for _, parents, _ in read:
            for parent in parents:
                children[parent] = children.get(parent, 0) + 1
        assert log.children == children
        assert log.roots == [sha for sha, parents, _ in read if not parents]
        assert log.last == read[-1][0]
        assert log.count == len(read)
    finally:
        log.close()


# ---------------------------------------------------------------- findings


def test_an_entry_rewritten_two_commits_later_is_still_caught(book: Book):
    """The parent's blob is the one remembered: the digest must see the rewrite."""
    rel = book.rel(book.working)
    workflow.progress(Ledger.open(book.path), book.village, book.working, "再次上门")
    assert codes(book.path) == []
    edit(book.path, rel, ("已报修", "已修好"))
    sha = commit(book.path, "改写")
    assert (sha[:10], rel, "history_rewritten") in codes(book.path)


def test_an_incremental_audit_reports_a_mark_that_is_no_longer_an_ancestor(book: Book):
    assert audit.audit_repo(book.path, lang="en").ok
    tree = git(book.path, "rev-parse", "HEAD^{tree}").strip()
    elsewhere = git(book.path, "commit-tree", tree, "-p", "HEAD~1", "-m", "rewritten").strip()
    git(book.path, "update-ref", audit.MARK_REF, elsewhere)
    result = audit.audit_repo(book.path, since=audit.MARK_REF, lang="en")
    assert [f.code for f in result.findings][:1] == ["rewrite"]
    assert git(book.path, "rev-parse", audit.MARK_REF).strip() == elsewhere  # not moved past a rewrite


def test_an_incremental_audit_after_one_commit_starts_few_git_processes(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    assert audit.audit_repo(book.path, lang="en").ok
    visits.add_visit(
        Ledger.open(book.path),
        book.clerk,
        household=book.homes[0],
        by=[book.village],
        date="2026-11-23",
        note="回访",
    )
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    result = audit.audit_repo(book.path, since=audit.MARK_REF, lang="en")
    assert result.ok and result.commits == 1
    started = [line for line in trace.read_text().splitlines() if "built-in: git" in line]
    # rev-parse HEAD, rev-parse the mark, log, cat-file, update-ref
    assert len(started) <= 5, started
