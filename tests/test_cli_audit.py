"""The CLI of issue 5 on real git repos: `log` (exact output), `audit`, git hooks (commit-msg in a ledger, pre-receive
in a central bare repo, both exercised by real `git commit` / `git push`), signing keys, and unmasking."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from audit_fixture import Book, append_entry, author_of, commit, edit, git, trailers
from conftest import refused, run

from minqing.ledgers.core.errors import Refused
from minqing.ledgers.ops import workflow
from minqing.ledgers.repo import privacy
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import audit


def commits_of(path: Path, rel: str) -> list[str]:
    return git(path, "log", "--reverse", "--format=%H", "--", rel).split()


def try_git(path: Path, *args: str, author: str | None = None, env: dict[str, str] | None = None):
    """Like audit_fixture.git, but returns the process: hooks are expected to refuse some of these."""
    full = {
        "GIT_AUTHOR_NAME": "hand",
        "GIT_AUTHOR_EMAIL": "hand@example.invalid",
        "GIT_COMMITTER_NAME": "hand",
        "GIT_COMMITTER_EMAIL": "hand@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(path),
        "PATH": os.environ["PATH"],
        "MINQING_LANG": "zh",
        **(env or {}),
    }
    if author:
        name, _, email = author.partition(" <")
        full["GIT_AUTHOR_NAME"], full["GIT_AUTHOR_EMAIL"] = name, email.rstrip(">")
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, env=full)


# ---------------------------------------------------------------- log


def test_log_of_one_item_is_exact(book: Book):
    rel = book.rel(book.working)
    add, assign, progress = commits_of(book.path, rel)
    led = Ledger.open(book.path)
    workflow.extend(led, book.village, book.working, "2026-12-15", "等材料", at="2026-11-23T10:00:00+08:00")
    extend = commits_of(book.path, rel)[-1]
    result = run("log", book.working, ledger=book.path)
    assert result.exit_code == 0, result.output
    unit_name = led.unit("520602101201").name  # issue 17: names beside codes, labels for codes
    assert result.stdout == (
        f"2026-11-21 09:00  {add[:10]}  登记 issue.add  {book.working}  测试录入员 ({book.clerk})\n"
        f"    编号: — → {book.working}\n"
        "    类型: — → 问题\n"
        "    台账: — → 民生诉求\n"
        "    类别: — → 饮水\n"
        "    描述: — → 自来水管冻裂\n"
        "    来源: — → grid\n"
        f"    农户: — → {led.household(book.homes[1]).head} {book.homes[1]}\n"
        f"    单位: — → {unit_name} 520602101201\n"
        "    层级: — → 村\n"
        "    状态: — → 已登记\n"
        "    登记日期: — → 2026-11-21\n"
        "    延期次数: — → 0\n"
        f"2026-11-21 09:00  {assign[:10]}  交办 issue.assign  {book.working}  测试管理员 ({book.admin})\n"
        "    状态: 已登记 → 已交办\n"
        "    时限: — → 2026-12-01\n"
        f"    责任领导: — → 测试村干部 {book.village}\n"
        "    责任单位: — → 村委会\n"
        f"2026-11-21 09:00  {progress[:10]}  记录进展 issue.progress  {book.working}  测试村干部 ({book.village})\n"
        "    状态: 已交办 → 办理中\n"
        f"2026-11-23 10:00  {extend[:10]}  延期 issue.extend  {book.working}  测试村干部 ({book.village})\n"
        "    时限: 2026-12-01 → 2026-12-15\n"
        "    延期次数: 0 → 1\n"
    )


def test_log_names_the_households_inside_a_list(book: Book):
    """A cadre's `pairings` change is a list of households: each is shown with its head, the first one too (it is
    mentioned nowhere else in the entry)."""
    for home in book.homes:
        assert run("pair", book.village, home, ledger=book.path).exit_code == 0
    out = run("--lang", "en", "log", book.village, "-n", "1", ledger=book.path).stdout
    line = next(text for text in out.splitlines() if "→" in text and book.homes[1] in text)
    led = Ledger.open(book.path)
    named = {home: f"{led.household(home).head} {home}" for home in book.homes}
    both = ",".join(named[home] for home in sorted(book.homes))  # a pairings list is kept in id order
    assert line.split(": ", 1)[1] == f"{named[book.homes[0]]} → {both}", out


def test_log_shows_a_hand_edit_with_its_author_and_the_changed_field(book: Book):
    rel = book.rel(book.working)
    edit(book.path, rel, ("due: '2026-12-01'", "due: '2026-12-31'"))
    sha = commit(book.path, "延长期限")
    result = run("log", book.working, "-n", "1", ledger=book.path)
    when = git(book.path, "log", "-1", "--format=%aI").strip()[:16].replace("T", " ")
    assert result.stdout == (
        f"{when}  {sha[:10]}  手工改动/edit  {book.working}  hand (hand@example.invalid)\n"
        "    时限: 2026-12-01 → 2026-12-31\n"
    )


def test_log_filters_and_json(book: Book):
    everything = json.loads(run("log", "--json", ledger=book.path).stdout)
    # one line per operation recorded: init's 3 files + 2 units + 3 cadres + 2 households + 2 items × 1 add
    # + assign/progress/resolve/feedback + assign/progress + the visit and its item
    assert [e["op"] for e in everything].count("create") == 1 + 3 + 2 + 3
    closes = run("log", "--op", "feedback", "--json", ledger=book.path)
    data = json.loads(closes.stdout)
    assert [(e["entry"], e["ledger_op"], e["actor"]) for e in data] == [
        (book.ready, "issue.feedback", book.village)
    ]
    assert data[0]["changes"] == [{"field": "feedback", "old": None, "new": "satisfied"}]
    by_admin = json.loads(run("log", "--by", book.admin[:4], "--json", ledger=book.path).stdout)
    assert {e["ledger_op"] for e in by_admin} == {
        "ledger.init",
        "org.add",
        "cadre.add",
        "household.add",
        "issue.assign",
    }
    assert json.loads(run("log", "--since", "2026-11-22", "--json", ledger=book.path).stdout)[0]["entry"] in (
        book.visit,
        book.fresh,
    )
    visit = json.loads(run("log", book.visit, "--json", ledger=book.path).stdout)
    assert [(e["entry"], e["op"], e["ledger_op"]) for e in visit] == [(book.visit, "append", "visit.add")]
    unit = json.loads(run("log", "520602101201", "--json", ledger=book.path).stdout)
    assert [(e["entry"], e["op"]) for e in unit] == [("520602101201", "add")]
    refused(book.path, "log", "--since", "2026-13-01", contains="--since")
    refused(book.path, "log", "Q-ZZZZZZ", contains="Q-ZZZZZZ")


def test_log_masks_and_unmasks_only_for_allowed_roles_and_records_the_access(book: Book):
    home = book.homes[0]
    masked = run("log", home, ledger=book.path).stdout
    assert "    身份证号: — → 110***********002X\n" in masked and "    电话: — → 138****1234\n" in masked
    assert "11010519491231002X" not in masked and "hash" not in masked
    log_file = book.path / ".git" / "minqing" / privacy.ACCESS_LOG
    refused(book.path, "log", home, "--unmask", "--as", book.clerk, contains="无权查看完整身份证号")
    assert not log_file.exists()
    shown = run("log", home, "--unmask", "--as", book.admin, ledger=book.path).stdout
    assert "    身份证号: — → 11010519491231002X\n" in shown and "    电话: — → 13800001234\n" in shown
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert lines == [
        f"2026-11-23T10:00:00+08:00\t{book.admin}\t测试管理员\tlog {home}\tshown={home}\tidentity=unproven"
    ]
    # nothing of it is in git
    assert "11010519491231002X" not in git(book.path, "log", "-p", "--all")


# ---------------------------------------------------------------- audit


def test_audit_cli_clean_then_finding_with_exit_1(book: Book):
    result = run("audit", ledger=book.path)
    total = int(git(book.path, "rev-list", "--count", "HEAD"))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"审计通过：{total} 个提交均符合其记录的操作\n"
    rel = book.rel(book.ready)
    edit(book.path, rel, ("state: resolved", "state: closed"), ("closed: null", "closed: '2026-11-23'"))
    append_entry(book.path, rel, "close", book.clerk)
    sha = commit(
        book.path, "销号", trailers("issue.close", [book.ready], book.clerk), author_of(book, book.clerk)
    )
    result = run("--lang", "en", "audit", ledger=book.path)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{sha[:10]} {rel}:{len((book.path / rel).read_text().splitlines()) - 4}: role: {book.clerk} (clerk) may "
        "not close a village-level item; allowed roles: village, township_leader, county_leader, admin "
        f"(测试录入员 <{book.clerk}@minqing.invalid>)\n"
    )
    assert result.stderr == f"audit: 1 finding(s) in {total + 1} commit(s)\n"
    data = json.loads(run("audit", "--json", ledger=book.path).stdout)
    assert data["ok"] is False and data["commits"] == total + 1
    assert [(f["commit"], f["path"], f["code"]) for f in data["findings"]] == [(sha, rel, "role")]
    refused(book.path, "audit", "--since", "nonsense", contains="--since")


# ---------------------------------------------------------------- hooks


def test_commit_msg_hook_refuses_hand_commits_of_ledger_files(book: Book):
    result = run("hooks", "install", ledger=book.path)
    assert result.exit_code == 0, result.output
    hook = book.path / ".git" / "hooks" / "commit-msg"
    assert os.access(hook, os.X_OK) and "hooks run commit-msg" in hook.read_text()
    before = git(book.path, "rev-parse", "HEAD")
    rel = book.rel(book.working)
    edit(book.path, rel, ("due: '2026-12-01'", "due: '2026-12-31'"))
    proc = try_git(book.path, "commit", "-q", "-am", "改期限")
    assert proc.returncode == 1
    assert f"不能手工提交台账文件 {rel}（缺少 Ledger-Op, Ledger-Entry, Ledger-Actor）" in proc.stderr
    assert "minqing issue assign|progress|resolve|feedback|close|extend" in proc.stderr
    assert git(book.path, "rev-parse", "HEAD") == before
    # A forged operation with trailers is audited before git makes the commit.
    append_entry(book.path, rel, "progress", book.village, "{note: 进展}")
    proc = try_git(
        book.path,
        "commit",
        "-q",
        "-am",
        "进展\n\n" + trailers("issue.progress", [book.working], book.village),
        author=author_of(book, book.village),
    )
    assert proc.returncode == 1 and "snapshot_mismatch" in proc.stderr and "提交被拒绝" in proc.stderr
    assert git(book.path, "rev-parse", "HEAD") == before
    git(book.path, "checkout", "--", rel)
    # A file outside the ledger without trailers is refused too (issue 14, tests/test_boundary.py); an admin's
    # config edit with trailers passes.
    (book.path / "说明.txt").write_text("本台账由区扶贫办维护\n", encoding="utf-8")
    assert try_git(book.path, "add", "说明.txt").returncode == 0
    proc = try_git(book.path, "commit", "-q", "-m", "说明")
    assert proc.returncode == 1 and "台账库中的提交必须带" in proc.stderr
    assert try_git(book.path, "reset", "-q", "HEAD", "--", "说明.txt").returncode == 0
    (book.path / "说明.txt").unlink()
    edit(book.path, "minqing.yaml", ("activity_minimum: 2", "activity_minimum: 3"))
    proc = try_git(
        book.path,
        "commit",
        "-q",
        "-am",
        "活动下限改为 3",
        "--trailer",
        "Ledger-Op: config.edit",
        "--trailer",
        "Ledger-Entry: minqing.yaml",
        "--trailer",
        f"Ledger-Actor: {book.admin}",
        author=author_of(book, book.admin),
    )
    assert proc.returncode == 0, proc.stderr
    assert audit.audit_repo(book.path, mark=False).findings == ()
    # Installing again is fine; replacing somebody else's hook needs --force.
    assert run("hooks", "install", ledger=book.path).exit_code == 0
    hook.write_text("#!/bin/sh\nexit 0\n")
    refused(book.path, "hooks", "install", contains="--force")
    assert run("hooks", "install", "--force", ledger=book.path).exit_code == 0


def test_pre_receive_hook_rejects_a_forged_closure_and_accepts_good_pushes(book: Book, tmp_path: Path):
    central = tmp_path / "central.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(central))
    result = run("hooks", "install", "--bare", str(central))
    assert result.exit_code == 0, result.output
    assert (central / "hooks" / "pre-receive").is_file()
    assert git(central, "config", "receive.denyNonFastForwards").strip() == "true"
    git(book.path, "remote", "add", "origin", str(central))
    first = try_git(book.path, "push", "-q", "origin", "main")
    assert first.returncode == 0, first.stderr
    accepted = git(central, "rev-parse", "main").strip()
    # The forged closure: a clerk closes a resolved item by hand, trailers and author all in order.
    rel = book.rel(book.ready)
    edit(book.path, rel, ("state: resolved", "state: closed"), ("closed: null", "closed: '2026-11-23'"))
    append_entry(book.path, rel, "close", book.clerk)
    forged = commit(
        book.path, "销号", trailers("issue.close", [book.ready], book.clerk), author_of(book, book.clerk)
    )
    push = try_git(book.path, "push", "-q", "origin", "main")
    assert push.returncode != 0
    assert f"{forged[:10]} {rel}" in push.stderr and ": role: " in push.stderr
    assert "推送被拒绝：审计发现 1 个问题" in push.stderr
    assert git(central, "rev-parse", "main").strip() == accepted
    # Undo locally, close properly with minqing, push: accepted.
    git(book.path, "reset", "-q", "--hard", "HEAD~1")
    workflow.close(Ledger.open(book.path), book.village, book.ready, at="2026-11-23T10:00:00+08:00")
    good = try_git(book.path, "push", "-q", "origin", "main")
    assert good.returncode == 0, good.stderr
    assert git(central, "rev-parse", "main").strip() == git(book.path, "rev-parse", "HEAD").strip()
    # Rewinding the central branch is refused.
    git(book.path, "reset", "-q", "--hard", "HEAD~1")
    assert try_git(book.path, "push", "-q", "-f", "origin", "main").returncode != 0
    refused(book.path, "hooks", "install", "--bare", str(book.path), contains="--bare")


# ---------------------------------------------------------------- keys and signatures


def keypair(where: Path, name: str) -> Path:
    key = where / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def test_keys_signing_and_require_signed(book: Book, tmp_path: Path):
    key = keypair(tmp_path, "village_key")
    refused(
        book.path,
        "cadre",
        "key",
        "add",
        book.village,
        "--ssh-pubkey",
        str(key),
        "--as",
        book.admin,
        contains="不是 SSH 公钥",
    )
    refused(
        book.path,
        "cadre",
        "key",
        "add",
        book.village,
        "--ssh-pubkey",
        f"{key}.pub",
        "--as",
        book.clerk,
        contains="cadre.key",
    )
    refused(book.path, "cadre", "key", "use", book.village, str(key), contains="没有登记给")
    added = run(
        "cadre",
        "key",
        "add",
        book.village,
        "--ssh-pubkey",
        f"{key}.pub",
        "--as",
        book.admin,
        ledger=book.path,
    )
    assert added.exit_code == 0, added.output
    public = (tmp_path / "village_key.pub").read_text().strip()
    assert Ledger.open(book.path).cadre(book.village).keys == (public,)
    assert "Ledger-Op: cadre.key" in git(book.path, "log", "-1", "--format=%B")
    refused(
        book.path,
        "cadre",
        "key",
        "add",
        book.village,
        "--ssh-pubkey",
        f"{key}.pub",
        "--as",
        book.admin,
        contains="已登记给",
    )
    used = run("cadre", "key", "use", book.village, str(key), ledger=book.path)
    assert used.exit_code == 0, used.output
    assert git(book.path, "config", f"minqing.{book.village}.signingkey").strip() == str(key)
    # From now on the office requires signatures (an admin's audited config edit).
    edit(book.path, "minqing.yaml", ("require_signed: false", "require_signed: true"))
    commit(
        book.path,
        "要求签名",
        trailers("config.edit", ["minqing.yaml"], book.admin),
        author_of(book, book.admin),
    )
    led = Ledger.open(book.path)
    workflow.progress(led, book.village, book.working, "签名的进展", at="2026-11-23T10:00:00+08:00")
    signed = git(book.path, "rev-parse", "HEAD").strip()
    assert "gpgsig" in git(book.path, "cat-file", "commit", signed)
    # The clerk's key is not on this machine: acting as the clerk is refused, nothing written.
    with pytest.raises(Refused, match="requires signing"):
        workflow.progress(led, book.clerk, book.working, "未签名的进展", at="2026-11-23T10:00:00+08:00")
    assert git(book.path, "rev-parse", "HEAD").strip() == signed
    # So an unsigned commit can only be made by hand, and audit names it.
    append_entry(
        book.path, book.rel(book.working), "progress", book.clerk, "{note: 未签名的进展}", op_id="UNS1GNED09"
    )
    git(book.path, "add", "-A")
    commit(
        book.path,
        "进展",
        trailers("issue.progress", [book.working], book.clerk),
        author_of(book, book.clerk),
    )
    unsigned = git(book.path, "rev-parse", "HEAD").strip()
    # A hand commit signed with a key nobody registered, claiming to be the village cadre.
    stranger = keypair(tmp_path, "stranger")
    rel = book.rel(book.working)
    append_entry(book.path, rel, "progress", book.village, "{note: 冒名}", op_id="F0RGED0009")
    git(book.path, "add", "-A")
    proc = try_git(
        book.path,
        "-c",
        "gpg.format=ssh",
        "-c",
        f"user.signingkey={stranger}",
        "commit",
        "-q",
        "-S",
        "-m",
        "进展\n\n" + trailers("issue.progress", [book.working], book.village),
        author=author_of(book, book.village),
    )
    assert proc.returncode == 0, proc.stderr
    impostor = git(book.path, "rev-parse", "HEAD").strip()
    found = audit.audit_repo(book.path, mark=False, lang="en").findings
    assert [(f.commit, f.code) for f in found] == [(unsigned, "unsigned"), (impostor, "unsigned")]
    assert "no signature" in found[0].message and signed not in {f.commit for f in found}


def test_log_of_a_deleted_entry_and_of_rewritten_history(book: Book):
    rel = book.rel(book.working)
    edit(book.path, rel, ("note: 已报修", "note: 已修好"))
    rewrite = commit(book.path, "更正")
    git(book.path, "rm", "-q", rel)
    delete = commit(book.path, "删除")
    result = run("log", book.working, "-n", "2", ledger=book.path)
    op_id = [line for line in git(book.path, "show", f"{rewrite}~1:{rel}").splitlines() if "- id:" in line][
        -1
    ][6:]
    when = git(book.path, "log", "-1", "--format=%aI").strip()[:16].replace("T", " ")
    assert result.stdout == (
        f"{when}  {rewrite[:10]}  手工改动/edit  {book.working}  hand (hand@example.invalid)\n"
        f"    history[{op_id}].fields.note: 已报修 → 已修好\n"
        f"{when}  {delete[:10]}  手工改动/delete  {book.working}  hand (hand@example.invalid)\n"
    )
    refused(book.path, "log", book.working[:4], contains=book.working[:4])  # a prefix needs the file


def test_commit_msg_hook_sends_a_hand_merge_to_minqing_sync(book: Book):
    assert run("hooks", "install", ledger=book.path).exit_code == 0
    git(book.path, "branch", "other")
    workflow.progress(
        Ledger.open(book.path), book.village, book.working, "甲方", at="2026-11-23T10:00:00+08:00"
    )
    git(book.path, "checkout", "-q", "other")
    workflow.resolve(
        Ledger.open(book.path), book.village, book.fresh, "solved", "乙方", at="2026-11-23T10:00:00+08:00"
    )
    git(book.path, "checkout", "-q", "main")
    before = git(book.path, "rev-parse", "HEAD")
    proc = try_git(book.path, "merge", "--no-ff", "-m", "合并", "other")
    assert proc.returncode != 0
    assert "请用 minqing 命令修改，如 minqing sync (git merge --abort first)" in proc.stderr
    assert git(book.path, "rev-parse", "HEAD") == before
    # The same merge with honest trailers is a union of both sides: the hook audits it as a merge and lets it in.
    proc = try_git(
        book.path,
        "commit",
        "-q",
        "-m",
        "同步合并\n\n" + trailers("sync.merge", [book.working], book.admin),
        author=author_of(book, book.admin),
    )
    assert proc.returncode == 0, proc.stderr
    assert len(git(book.path, "log", "-1", "--format=%P").split()) == 2
    assert audit.audit_repo(book.path, mark=False).findings == ()


def test_privacy_api_for_show_and_export_commands(book: Book):
    from minqing.ledgers.core.errors import Refused

    led = Ledger.open(book.path)
    home = led.household(book.homes[0])
    with pytest.raises(Refused):
        with privacy.unmasking(led, book.village, "household show"):
            pass
    with privacy.unmasking(led, book.admin, f"household show {home.id}") as reveal:
        view = reveal.view(home.to_dict())
        assert (view["id_number"], view["phone"]) == ("11010519491231002X", "13800001234")
        other = reveal.view(led.household(book.homes[1]).to_dict())  # no numbers given: nothing to reveal
        assert other["id_number"] is None
    assert privacy.access_log(led) == [
        {
            "at": "2026-11-23T10:00:00+08:00",
            "actor": book.admin,
            "name": "测试管理员",
            "what": f"household show {home.id}",
            "shown": home.id,
            "identity": "unproven",  # named with --as only: no key of the admin's on this machine
        }
    ]
    # A fresh clone (or another machine) was never told the numbers: unmasking shows the masked values.
    (book.path / ".git" / "minqing" / privacy.VAULT).unlink()
    with privacy.unmasking(led, book.admin, "household show") as reveal:
        assert reveal.view(home.to_dict())["id_number"] == "110***********002X"
    assert privacy.access_log(led)[-1]["shown"] == "-"
