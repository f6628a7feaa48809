"""ledgers/audit.py against real git repos: a clean history audits clean, and every kind of bypass, made with plain
git as a person editing files by hand would, is caught (issue 5: one test per kind)."""

from __future__ import annotations

import time
from pathlib import Path

from audit_fixture import (
    NOW,
    Book,
    append_entry,
    author_of,
    codes,
    commit,
    edit,
    git,
    trailers,
)

from minqing.ledgers.core.kinds import KINDS
from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import audit


def head(path: Path) -> str:
    return git(path, "rev-parse", "HEAD").strip()[:10]


def test_template_history_audits_clean(book: Book):
    result = audit.audit_repo(book.path, lang="en")
    assert result.findings == ()
    assert result.commits == int(git(book.path, "rev-list", "--count", "HEAD"))
    # a clean run remembers where it got to
    assert git(book.path, "rev-parse", audit.MARK_REF).strip() == git(book.path, "rev-parse", "HEAD").strip()


def test_hand_edit_without_trailers_is_caught(book: Book):
    rel = book.rel(book.working)
    edit(book.path, rel, ("due: '2026-12-01'", "due: '2026-12-31'"))
    sha = commit(book.path, "延长期限")
    assert codes(book.path) == [(sha[:10], rel, "snapshot_mismatch"), (sha[:10], rel, "no_trailers")]


def test_hand_commit_of_a_new_file_without_trailers_is_caught(book: Book):
    (book.path / "issues" / "2026" / "notes.txt").write_text("备忘\n", encoding="utf-8")
    sha = commit(book.path, "备忘")
    assert codes(book.path) == [(sha[:10], "issues/2026/notes.txt", "no_trailers")]


def test_change_beyond_what_the_operation_allows_is_caught(book: Book):
    # A well-formed progress entry with trailers and the right author, but the due date moved in the snapshot too.
    rel = book.rel(book.working)
    edit(book.path, rel, ("due: '2026-12-01'", "due: '2026-12-31'"))
    append_entry(book.path, rel, "progress", book.village, "{note: 进展}")
    sha = commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.working], book.village),
        author_of(book, book.village),
    )
    assert codes(book.path) == [(sha[:10], rel, "snapshot_mismatch")]


def test_operation_that_appends_another_op_is_caught(book: Book):
    # Trailers say progress, the history gains an extend: the op recorded is not the op done.
    rel = book.rel(book.working)
    edit(book.path, rel, ("due: '2026-12-01'", "due: '2026-12-31'"), ("extensions: 0", "extensions: 1"))
    append_entry(book.path, rel, "extend", book.village, "{to: '2026-12-31', reason: 延期}")
    sha = commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.working], book.village),
        author_of(book, book.village),
    )
    assert codes(book.path) == [(sha[:10], rel, "op_mismatch")]


def test_commit_touching_a_second_item_is_caught(book: Book):
    rel_a, rel_b = book.rel(book.working), book.rel(book.fresh)
    append_entry(book.path, rel_a, "progress", book.village, "{note: 进展}")
    edit(book.path, rel_b, ("category: housing", "category: other"))
    sha = commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.working], book.village),
        author_of(book, book.village),
    )
    found = codes(book.path)
    assert (sha[:10], rel_b, "snapshot_mismatch") in found
    assert (sha[:10], rel_b, "op_mismatch") in found  # a file with no new entry: nothing the op recorded
    assert (sha[:10], "", "op_mismatch") in found  # issue.progress touches one item, not two
    assert (sha[:10], "", "entries_mismatch") in found  # Ledger-Entry names only one of them


def test_forbidden_transition_is_caught(book: Book):
    # A forged closure of a registered item, by a county leader who may close: the workflow itself forbids it.
    rel = book.rel(book.fresh)
    edit(book.path, rel, ("state: registered", "state: closed"), ("closed: null", "closed: '2026-11-23'"))
    append_entry(book.path, rel, "close", book.county)
    sha = commit(
        book.path, "销号", trailers("issue.close", [book.fresh], book.county), author_of(book, book.county)
    )
    assert codes(book.path) == [(sha[:10], rel, "transition")]


def test_actor_whose_role_may_not_close_is_caught(book: Book):
    # A clerk closes a resolved item with satisfied feedback: a legal transition, but clerks close nothing.
    rel = book.rel(book.ready)
    edit(book.path, rel, ("state: resolved", "state: closed"), ("closed: null", "closed: '2026-11-23'"))
    append_entry(book.path, rel, "close", book.clerk)
    sha = commit(
        book.path, "销号", trailers("issue.close", [book.ready], book.clerk), author_of(book, book.clerk)
    )
    result = audit.audit_repo(book.path, mark=False, lang="en")
    assert [(f.commit[:10], f.path, f.code) for f in result.findings] == [(sha[:10], rel, "role")]
    assert "may not close a village-level item" in result.findings[0].message


def test_actor_whose_role_may_not_do_the_operation_is_caught(book: Book):
    # issue.escalate is for village cadres and leaders (minqing.yaml permissions), not clerks. The forger writes
    # the file exactly as the tool would (snapshot = replay), so only the role is wrong.
    from minqing.ledgers.core.model import HistoryEntry
    from minqing.ledgers.repo.store import dump_item

    rel = book.rel(book.working)
    item = Ledger.open(book.path).item(book.working)
    entry = HistoryEntry("F0RGED0002", NOW, book.clerk, "escalate", {"to": "township", "reason": "上报"})
    (book.path / rel).write_text(dump_item(KINDS["item"].replay(item.history + (entry,))), encoding="utf-8")
    sha = commit(
        book.path, "上报", trailers("issue.escalate", [book.working], book.clerk), author_of(book, book.clerk)
    )
    result = audit.audit_repo(book.path, mark=False, lang="en")
    assert [(f.commit[:10], f.code) for f in result.findings] == [(sha[:10], "role")]
    assert "may not do issue.escalate" in result.findings[0].message


def test_rewriting_an_earlier_history_entry_is_caught(book: Book):
    rel = book.rel(book.working)
    edit(book.path, rel, ("note: 已报修", "note: 已修好"))  # the progress entry's note, written two days ago
    sha = commit(
        book.path,
        "更正",
        trailers("issue.progress", [book.working], book.village),
        author_of(book, book.village),
    )
    found = audit.audit_repo(book.path, mark=False, lang="en").findings
    assert [(f.commit[:10], f.path, f.code) for f in found] == [(sha[:10], rel, "history_rewritten")]
    assert found[0].line > 0 and (book.path / rel).read_text().splitlines()[found[0].line - 1].startswith(
        "- id:"
    )


def test_deleting_an_earlier_history_entry_is_caught(book: Book):
    rel = book.rel(book.working)
    lines = (book.path / rel).read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("- id:"))
    (book.path / rel).write_text("".join(lines[:last]), encoding="utf-8")
    sha = commit(
        book.path, "删除", trailers("issue.progress", [book.working], book.admin), author_of(book, book.admin)
    )
    assert (sha[:10], rel, "history_rewritten") in codes(book.path)


def test_deleting_an_entry_file_is_caught(book: Book):
    rel = book.rel(book.fresh)
    git(book.path, "rm", "-q", rel)
    sha = commit(
        book.path, "删除", trailers("issue.close", [book.fresh], book.admin), author_of(book, book.admin)
    )
    assert codes(book.path) == [(sha[:10], rel, "deleted")]


def test_trailer_actor_other_than_the_author_is_caught(book: Book):
    rel = book.rel(book.working)
    append_entry(book.path, rel, "progress", book.village, "{note: 进展}")
    sha = commit(book.path, "进展", trailers("issue.progress", [book.working], book.village))  # author: hand
    result = audit.audit_repo(book.path, mark=False, lang="en")
    assert [(f.commit[:10], f.path, f.code) for f in result.findings] == [(sha[:10], "", "actor_mismatch")]
    assert result.findings[0].author == "hand <hand@example.invalid>"


def test_history_entry_by_someone_else_is_caught(book: Book):
    rel = book.rel(book.working)
    append_entry(book.path, rel, "progress", book.county, "{note: 进展}")
    sha = commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.working], book.village),
        author_of(book, book.village),
    )
    assert codes(book.path) == [(sha[:10], rel, "by_mismatch")]


def test_unknown_and_recalled_actors_are_caught(book: Book):
    rel = book.rel(book.working)
    append_entry(book.path, rel, "progress", "C-ZZZZZZ", "{note: 进展}")
    first = commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.working], "C-ZZZZZZ"),
        "某人 <C-ZZZZZZ@minqing.invalid>",
    )
    led = Ledger.open(book.path)
    with_recall = register.recall_cadre(led, book.admin, book.village, "调离", at=NOW)
    assert with_recall.status == "recalled"
    append_entry(book.path, rel, "progress", book.village, "{note: 又进展}", op_id="F0RGED0003")
    second = commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.working], book.village),
        author_of(book, book.village),
    )
    assert codes(book.path) == [
        (first[:10], "", "unknown_actor"),
        (second[:10], "", "recalled_actor"),
    ]


def test_ledger_entry_trailer_naming_another_entry_is_caught(book: Book):
    rel = book.rel(book.working)
    append_entry(book.path, rel, "progress", book.village, "{note: 进展}")
    sha = commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.ready], book.village),
        author_of(book, book.village),
    )
    result = audit.audit_repo(book.path, mark=False, lang="en")
    assert [(f.commit[:10], f.path, f.code) for f in result.findings] == [(sha[:10], "", "entries_mismatch")]
    assert book.ready in result.findings[0].message and book.working in result.findings[0].message


def test_rewriting_an_earlier_visit_in_a_stream_is_caught(book: Book):
    rel = next(str(p.relative_to(book.path)) for p in (book.path / "visits").rglob("*.yaml"))
    edit(book.path, rel, ("入户走访", "未入户"))
    sha = commit(
        book.path, "更正走访", trailers("visit.add", [book.visit], book.clerk), author_of(book, book.clerk)
    )
    assert (sha[:10], rel, "stream_rewritten") in codes(book.path)


def test_rewritten_history_is_reported_against_the_audited_mark(book: Book):
    assert audit.audit_repo(book.path).findings == ()
    marked = git(book.path, "rev-parse", audit.MARK_REF).strip()
    git(book.path, "reset", "-q", "--hard", "HEAD~2")
    workflow.progress(Ledger.open(book.path), book.village, book.working, "重做", at=NOW)
    found = audit.audit_repo(book.path, lang="en").findings
    assert [(f.commit, f.code) for f in found] == [(marked, "rewrite")]
    assert "no longer in the history" in found[0].message
    # the mark does not move past a rewrite: the finding stays until a person deletes the ref
    assert git(book.path, "rev-parse", audit.MARK_REF).strip() == marked
    assert audit.audit_repo(book.path).findings[0].code == "rewrite"
    git(book.path, "update-ref", "-d", audit.MARK_REF)
    assert audit.audit_repo(book.path).findings == ()


def test_since_limits_the_range(book: Book):
    start = git(book.path, "rev-parse", "HEAD").strip()
    rel = book.rel(book.working)
    edit(book.path, rel, ("due: '2026-12-01'", "due: '2026-12-31'"))
    sha = commit(book.path, "延长期限")
    result = audit.audit_repo(book.path, since=start, mark=False, lang="en")
    assert result.commits == 1 and {f.commit for f in result.findings} == {sha}


def test_config_edit_by_hand_with_trailers_passes_for_an_admin_only(book: Book):
    edit(book.path, "minqing.yaml", ("activity_minimum: 2", "activity_minimum: 3"))
    commit(
        book.path,
        "活动下限改为 3",
        trailers("config.edit", ["minqing.yaml"], book.admin),
        author_of(book, book.admin),
    )
    assert codes(book.path) == []
    edit(book.path, "minqing.yaml", ("activity_minimum: 3", "activity_minimum: 1"))
    sha = commit(
        book.path,
        "活动下限改为 1",
        trailers("config.edit", ["minqing.yaml"], book.clerk),
        author_of(book, book.clerk),
    )
    assert codes(book.path) == [(sha[:10], "", "role")]


def test_forged_merge_that_drops_an_entry_is_caught_and_a_union_merge_passes(book: Book):
    led = Ledger.open(book.path)
    base = head(book.path)
    git(book.path, "branch", "other")
    workflow.progress(led, book.village, book.working, "甲方进展", at=NOW)
    git(book.path, "checkout", "-q", "other")
    workflow.extend(Ledger.open(book.path), book.village, book.working, "2026-12-15", "等材料", at=NOW)
    git(book.path, "checkout", "-q", "main")
    # Merge keeping only our side of the item file: the other side's extend entry is lost.
    git(book.path, "merge", "-q", "--no-commit", "-s", "ours", "other")
    rel = book.rel(book.working)
    sha = commit(book.path, "同步合并", trailers("sync.merge", [], book.admin), author_of(book, book.admin))
    assert codes(book.path, since=base) == [(sha[:10], rel, "merge_mismatch")]
    # The honest merge: both entries, snapshot replayed (what the sync merge driver writes).
    git(book.path, "reset", "-q", "--hard", "HEAD~1")
    git(book.path, "merge", "-q", "--no-commit", "-s", "ours", "other")
    ours = led.item(book.working)
    theirs_text = git(book.path, "show", f"other:{rel}")
    from minqing.ledgers.core import yamlio
    from minqing.ledgers.core.model import item_from_dict
    from minqing.ledgers.repo.store import dump_item

    theirs = item_from_dict(yamlio.load(theirs_text))
    merged = list(ours.history) + [e for e in theirs.history if e.id not in {x.id for x in ours.history}]
    (book.path / rel).write_text(dump_item(KINDS["item"].replay(merged)), encoding="utf-8")
    commit(
        book.path, "同步合并", trailers("sync.merge", [book.working], book.admin), author_of(book, book.admin)
    )
    assert codes(book.path, since=base) == []


def test_a_few_hundred_operations_audit_clean_and_fast(template: Book, tmp_path: Path):
    book = template.copy(tmp_path / "ledger")
    led = Ledger.open(book.path)
    with led.batch():
        for n in range(50):
            # In date order after the template (audit flags a commit dated before its parent).
            day = f"2026-11-22T{10 + n // 6:02d}:{n % 6 * 10:02d}:00+08:00"
            home = book.homes[n % 2]
            visit, items = visits.add_visit(
                led,
                book.clerk,
                household=home,
                by=[book.village],
                date=day[:10],
                note=f"第{n}次走访",
                raises=[(f"问题{n}", "water")],
                on_spot=["现场解决"] if n % 5 == 0 else None,
                at=day,
            )
            item = items[0].id
            if n % 5 == 0:
                workflow.feedback(led, book.village, item, "satisfied", at=day)
                workflow.close(led, book.village, item, at=day)
                continue
            workflow.assign(
                led, book.admin, item, leader=book.village, resp_unit="村委会", due="2026-12-20", at=day
            )
            workflow.progress(led, book.village, item, "办理中", at=day)
            if n % 3 == 0:
                workflow.escalate(led, book.village, item, "township", "需乡镇协调", at=day)
                continue
            workflow.extend(led, book.village, item, "2026-12-31", "等材料", at=day)
            workflow.resolve(led, book.village, item, "explained", "政策解释", at=day)
            workflow.feedback(led, book.village, item, "basic", at=day)
            workflow.close(led, book.village, item, at=day)
        for n in range(20):  # pair and unpair, back and forth: two entity files per commit
            register.pair(led, book.admin, book.village, book.homes[0], undo=n % 2 == 1, at=NOW)
    total = int(git(book.path, "rev-list", "--count", "HEAD"))
    assert total > 300
    started = time.perf_counter()
    result = audit.audit_repo(book.path, lang="en")
    elapsed = time.perf_counter() - started
    assert result.findings == ()
    assert result.commits == total
    print(f"audited {total} commits in {elapsed:.2f}s")


def _write_item(book: Book, item_id: str, history) -> str:
    from minqing.ledgers.repo.store import dump_item

    item = KINDS["item"].replay(history)
    rel = f"issues/{item.created[:4]}/{item_id}.yaml"
    (book.path / rel).write_text(dump_item(item), encoding="utf-8")
    return rel


def test_bulk_import_needs_each_operations_own_permission(book: Book):
    # import.issues writes new items with their whole history; a clerk may import, but not close.
    from minqing.ledgers.core.model import HistoryEntry

    def entry(n: int, op: str, fields: dict) -> HistoryEntry:
        return HistoryEntry(f"1MP0RT000{n}", NOW, book.clerk, op, fields)

    create = {
        "id": "Q-1MP0RT",
        "kind": "problem",
        "ledger": "livelihood",
        "category": "water",
        "desc": "导入",
        "source": "grid",
        "household": book.homes[0],
        "unit": "520602101201",
        "level": "village",
        "created": "2026-11-23",
    }
    steps = [
        entry(1, "create", create),
        entry(2, "assign", {"leader": book.village, "due": "2026-12-01"}),
        entry(3, "resolve", {"how": "solved", "note": "已修"}),
        entry(4, "feedback", {"result": "satisfied"}),
    ]
    rel = _write_item(book, "Q-1MP0RT", steps)
    commit(
        book.path,
        "导入事项 1 项",
        trailers("import.issues", ["Q-1MP0RT"], book.clerk),
        author_of(book, book.clerk),
    )
    assert codes(book.path) == []
    rel = _write_item(
        book,
        "Q-1MP0RS",
        [
            entry(5, "create", {**create, "id": "Q-1MP0RS"}),
            entry(6, "resolve", {"how": "solved", "note": "已修"}),
            entry(7, "feedback", {"result": "satisfied"}),
            entry(8, "close", {}),
        ],
    )
    sha = commit(
        book.path,
        "导入事项 1 项",
        trailers("import.issues", ["Q-1MP0RS"], book.clerk),
        author_of(book, book.clerk),
    )
    assert codes(book.path) == [(sha[:10], rel, "role")]


def test_doctor_recovery_judges_each_entry_by_its_own_actor(book: Book):
    rel = book.rel(book.working)
    append_entry(book.path, rel, "progress", book.village, "{note: 中断后恢复}")
    # The crash journal named the village cadre as the interrupted operation's actor; doctor records it.
    recovered = (
        trailers("doctor.recover", [book.working], book.admin) + f"Ledger-Recovered-Actor: {book.village}\n"
    )
    commit(book.path, "恢复", recovered, author_of(book, book.admin))
    assert codes(book.path) == []
    rel = book.rel(book.ready)
    edit(book.path, rel, ("state: resolved", "state: closed"), ("closed: null", "closed: '2026-11-23'"))
    append_entry(book.path, rel, "close", book.clerk, op_id="F0RGED0004")
    recovered = (
        trailers("doctor.recover", [book.ready], book.admin) + f"Ledger-Recovered-Actor: {book.clerk}\n"
    )
    sha = commit(book.path, "恢复", recovered, author_of(book, book.admin))
    assert codes(book.path) == [(sha[:10], rel, "role")]


def test_unknown_operation_is_caught(book: Book):
    rel = book.rel(book.working)
    append_entry(book.path, rel, "progress", book.village, "{note: 进展}")
    sha = commit(
        book.path, "进展", trailers("issue.fix", [book.working], book.village), author_of(book, book.village)
    )
    assert codes(book.path) == [(sha[:10], rel, "unknown_op")]
