"""The bad-input corpus (issue 10): what a clerk can mistype, paste or hand-edit, across all commands.

One table, one rule. Every case runs the real CLI and must: exit with the documented code (2 bad input or refused,
4 a ledger file is unreadable), print exactly one line on stderr with no traceback and nothing on stdout, and leave
HEAD and the working tree exactly as they were (conftest `refused`).

Part one is typed input: impossible dates, future visit dates, ID numbers with a bad checksum or length, phones of
the wrong form, unknown and ambiguous ID prefixes, codes outside the org tree, enum typos, refused transitions,
empty and whitespace-only text, control characters, 100 KB notes, path separators and `..` in anything that becomes
a path. Part two is files: sheets and maps given on the command line (non-UTF-8, YAML aliases, custom tags,
duplicate keys), and ledger files edited by hand and committed (non-UTF-8 bytes, billion laughs,
`!!python/object`, duplicate keys, schema breaks): every command that reads such a file exits 4 with
`path:line: message`.

Per-command bad-input tables live in tests/test_cli_bad_input.py; this corpus is the cross-cutting one.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import NOW, git, refused, run, snapshot

from minqing.ledgers.ops import register, workflow
from minqing.ledgers.repo.store import Ledger

ID_VALID = "520602198001011232"  # GB 11643 check digit correct
KB100 = "记" * 100_000


@dataclass
class World:
    path: Path
    ids: dict[str, str]


def _build(path: Path) -> World:
    ids: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINQING_NOW", NOW)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.delenv("MINQING_USER", raising=False)
        register.init(str(path), "520602", "碧江区", "测试管理员", at=NOW)
        led = Ledger.open(path)
        for code, name, level, parent in (
            ("520602101", "和平乡", "township", "520602"),
            ("520602102", "坝黄镇", "township", "520602"),
            ("520602101201", "板栗园村", "village", "520602101"),
            ("520602101202", "桃映村", "village", "520602101"),
            ("520602102201", "宋家坝村", "village", "520602102"),
            ("52060210120101", "一组", "group", "520602101201"),
        ):
            register.add_unit(led, None, code, name, level, parent, at=NOW)
        ids["admin"] = led._configured_user() or ""

        def cadre(key: str, name: str, unit: str, role: str, **extra: str) -> None:
            ids[key] = register.add_cadre(led, None, name=name, unit=unit, role=role, at=NOW, **extra).id

        cadre("clerk", "录入员", "520602101", "clerk")
        cadre("village", "村干部", "520602101201", "village")
        cadre("town", "乡领导", "520602101", "township_leader", phone="13800001234")
        cadre("county", "县领导", "520602", "county_leader")
        cadre("recalled", "召回干部", "520602101201", "village")
        register.recall_cadre(led, None, ids["recalled"], "考核不合格", at=NOW)
        ids["home"] = register.add_household(
            led, None, head="王大", village="520602101201", group="52060210120101", id_number=ID_VALID, at=NOW
        ).id
        ids["home2"] = register.add_household(led, None, head="李二", village="520602101201", at=NOW).id
        ids["home3"] = register.add_household(led, None, head="张三", village="520602102201", at=NOW).id
        register.pair(led, None, ids["town"], ids["home"], at=NOW)

        def item(key: str, kind: str | None = None, **where: str) -> str:
            where = where or {"household": ids["home"]}
            ids[key] = workflow.add_item(
                led,
                None,
                desc=f"事项{key}",
                category="housing",
                kind=kind,
                ledger_name=None,
                source=None,
                at=NOW,
                **where,
            ).id
            return ids[key]

        item("reg")
        for key in ("asg", "res", "sat", "closed", "cty"):
            item(key)
            workflow.assign(led, None, ids[key], leader=ids["town"], resp_unit=None, due="2026-12-31", at=NOW)
        for key in ("res", "sat", "closed"):
            workflow.resolve(led, None, ids[key], "solved", "已解决", at=NOW)
        for key in ("sat", "closed"):
            workflow.feedback(led, None, ids[key], "satisfied", at=NOW)
        workflow.close(led, None, ids["closed"], at=NOW)
        workflow.escalate(led, None, ids["cty"], "county", "需县里协调", at=NOW)
        item("pet", kind="petition")
        workflow.assign(led, None, ids["pet"], leader=ids["town"], resp_unit=None, due=None, at=NOW)
        workflow.extend(led, None, ids["pet"], "2027-01-31", "等待材料", at=NOW)
        item("wish", kind="wish")
        # Items until two share their first character: an ambiguous prefix (ids are random).
        seen: dict[str, str] = {}
        for n in range(40):
            new = item(f"extra{n}", unit="520602101202")
            if new[2] in seen:
                ids["amb"] = new[:3]
                break
            seen[new[2]] = new
        assert "amb" in ids
    return World(path, ids)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return _build(tmp_path_factory.mktemp("corpus") / "ledger")


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    code: int = 2
    contains: str | None = None


def c(case_id: str, *argv: str, code: int = 2, contains: str | None = None) -> Case:
    return Case(case_id, argv, code, contains)


VISIT = ("visit", "add", "--household", "{home}", "--by", "{town}")
ISSUE_ADD = ("issue", "add", "--category", "housing", "--household", "{home}")
HOUSEHOLD_ADD = ("household", "add", "--head", "新户", "--village", "520602101201")
CADRE_ADD = ("cadre", "add", "--name", "新干部", "--unit", "520602101", "--role", "clerk")
ACTIVITY = ("activity", "add", "--kind", "night_school", "--unit", "520602101201", "--title", "农民夜校")

TYPED: list[Case] = [
    # ---------------------------------------------------------------- malformed and impossible dates
    c("date-feb30", *VISIT, "--date", "2026-02-30", contains="2026-02-30"),
    c("date-month13", *VISIT, "--date", "2026-13-01", contains="2026-13-01"),
    c("date-day00", *VISIT, "--date", "2026-11-00", contains="2026-11-00"),
    c("date-short-form", *VISIT, "--date", "2026-1-5", contains="2026-1-5"),
    c("date-compact", *VISIT, "--date", "20261123", contains="20261123"),
    c("date-year0", *VISIT, "--date", "0000-01-01", contains="0000-01-01"),
    c("date-with-time", *VISIT, "--date", "2026-11-23T10:00", contains="2026-11-23T10:00"),
    c("date-words", *VISIT, "--date", "yesterday", contains="yesterday"),
    c("date-chinese", *VISIT, "--date", "2026年11月23日", contains="2026年11月23日"),
    c("date-due-feb29-nonleap", *ISSUE_ADD, "--desc", "漏雨", "--due", "2026-02-29", contains="2026-02-29"),
    c("date-due-before-created", *ISSUE_ADD, "--desc", "漏雨", "--due", "2026-11-01", contains="2026-11-01"),
    c(
        "date-assign-due-past",
        "issue",
        "assign",
        "{reg}",
        "--leader",
        "{town}",
        "--due",
        "2026-11-22",
        contains="2026-11-22",
    ),
    c(
        "date-extend-apr31",
        "issue",
        "extend",
        "{asg}",
        "--to",
        "2027-04-31",
        "--reason",
        "等",
        contains="2027-04-31",
    ),
    c(
        "date-activity-feb30",
        *ACTIVITY,
        "--date",
        "2026-02-30",
        "--participants",
        "10",
        contains="2026-02-30",
    ),
    c("date-rollup-feb30", "rollup", "--date", "2026-02-30", contains="2026-02-30"),
    c("date-rollup-from-bad", "rollup", "--from", "2026-11-31", "--to", "2026-11-30", contains="2026-11-31"),
    c("date-log-since-bad", "log", "--since", "2026-02-30", contains="2026-02-30"),
    # ---------------------------------------------------------------- future visit dates
    c("future-visit-tomorrow", *VISIT, "--date", "2026-11-24", contains="2026-11-24"),
    c("future-visit-far", *VISIT, "--date", "2099-01-01", contains="2099-01-01"),
    c("future-talk", *VISIT, "--kind", "talk", "--date", "2026-12-01", contains="2026-12-01"),
    c("future-activity", *ACTIVITY, "--date", "2026-12-25", "--participants", "10", contains="2026-12-25"),
    # ---------------------------------------------------------------- ID numbers
    c("idno-bad-checksum", *HOUSEHOLD_ADD, "--id-number", "520602198001011237", contains="id number"),
    c("idno-17-chars", *HOUSEHOLD_ADD, "--id-number", "52060219800101123", contains="17"),
    c("idno-19-chars", *HOUSEHOLD_ADD, "--id-number", "5206021980010112321", contains="19"),
    c("idno-letter", *HOUSEHOLD_ADD, "--id-number", "52060219800101123A", contains="id number"),
    c("idno-birth-month13", *HOUSEHOLD_ADD, "--id-number", "520602198013011232", contains="birth date"),
    c("idno-inner-space", *HOUSEHOLD_ADD, "--id-number", "520602 198001011232", contains="19 characters"),
    c("idno-duplicate", *HOUSEHOLD_ADD, "--id-number", ID_VALID, contains="{home}"),
    c("idno-find-bad", "household", "find", "--id-number", "520602198001011237", contains="id number"),
    c("idno-find-unknown", "household", "find", "--id-number", "11010519491231002X"),
    # ---------------------------------------------------------------- phones
    c("phone-10-digits", *HOUSEHOLD_ADD, "--phone", "1380000123", contains="1380000123"),
    c("phone-starts-12", *HOUSEHOLD_ADD, "--phone", "12800001234", contains="12800001234"),
    c("phone-letters", *CADRE_ADD, "--phone", "abcdefghijk", contains="abcdefghijk"),
    c("phone-dashes", *CADRE_ADD, "--phone", "138-0000-1234", contains="138****1234"),  # quoted back masked
    c("phone-landline-short", *CADRE_ADD, "--phone", "010-123", contains="010-123"),
    c("phone-set-bad", "household", "set", "{home2}", "--phone", "999", contains="999"),
    # ---------------------------------------------------------------- unknown and ambiguous ID prefixes
    c("id-unknown-item", "issue", "show", "Q-ZZZZZZ", contains="Q-ZZZZZZ"),
    c("id-ambiguous-item", "issue", "progress", "{amb}", "--note", "x", contains="{amb}"),
    c("id-ambiguous-show", "issue", "show", "{amb}", contains="{amb}"),
    c("id-unknown-household", "household", "show", "H-ZZZZZZ", contains="H-ZZZZZZ"),
    c("id-unknown-cadre", "cadre", "show", "C-ZZZZZZ", contains="C-ZZZZZZ"),
    c(
        "id-unknown-visit-household",
        "visit",
        "add",
        "--household",
        "H-ZZZZZZ",
        "--by",
        "{town}",
        contains="H-ZZZZZZ",
    ),
    c("id-unknown-visitor", "visit", "add", "--household", "{home}", "--by", "C-ZZZZZZ", contains="C-ZZZZZZ"),
    c(
        "id-unknown-leader",
        "issue",
        "assign",
        "{reg}",
        "--leader",
        "C-ZZZZZZ",
        "--due",
        "2026-12-31",
        contains="C-ZZZZZZ",
    ),
    c(
        "id-unknown-actor",
        "issue",
        "progress",
        "{asg}",
        "--note",
        "x",
        "--as",
        "C-ZZZZZZ",
        contains="C-ZZZZZZ",
    ),
    c("id-wrong-kind-letter", "issue", "show", "X-123456", contains="X-123456"),
    c("id-household-for-item", "issue", "show", "{home}", contains="{home}"),
    c("id-empty-body", "issue", "show", "Q-", contains="Q-"),
    c("id-too-long", "issue", "show", "Q-1234567", contains="Q-1234567"),
    c("id-punctuation", "issue", "show", "Q-!!", contains="Q-!!"),
    c("id-pair-unknown", "pair", "C-ZZZZZZ", "{home}", contains="C-ZZZZZZ"),
    c("id-log-unknown", "log", "Q-ZZZZZZ", contains="Q-ZZZZZZ"),
    c("id-claim-by-unknown", "issue", "claim", "{wish}", "--by", "C-ZZZZZZ", contains="C-ZZZZZZ"),
    c(
        "id-team-unknown",
        "issue",
        "assign",
        "{reg}",
        "--leader",
        "{town}",
        "--due",
        "2026-12-31",
        "--team",
        "C-ZZZZZZ",
        contains="C-ZZZZZZ",
    ),
    # ---------------------------------------------------------------- codes outside the org tree
    c(
        "code-unknown-village",
        "household",
        "add",
        "--head",
        "新户",
        "--village",
        "520602101299",
        contains="520602101299",
    ),
    c(
        "code-township-as-village",
        "household",
        "add",
        "--head",
        "新户",
        "--village",
        "520602101",
        contains="520602101",
    ),
    c(
        "code-unknown-parent",
        "org",
        "add",
        "520602199",
        "某乡",
        "--level",
        "township",
        "--parent",
        "520603",
        contains="520603",
    ),
    c(
        "code-not-extending-parent",
        "org",
        "add",
        "520603101",
        "某乡",
        "--level",
        "township",
        "--parent",
        "520602",
        contains="520603101",
    ),
    c(
        "code-8-digits",
        "org",
        "add",
        "52060210",
        "某乡",
        "--level",
        "township",
        "--parent",
        "520602",
        contains="52060210",
    ),
    c(
        "code-letters",
        "org",
        "add",
        "abc",
        "某乡",
        "--level",
        "township",
        "--parent",
        "520602",
        contains="abc",
    ),
    c(
        "code-exists",
        "org",
        "add",
        "520602101",
        "重名乡",
        "--level",
        "township",
        "--parent",
        "520602",
        contains="520602101",
    ),
    c("code-cadre-unit", *CADRE_ADD[:5], "999999", *CADRE_ADD[6:], contains="999999"),
    c(
        "code-issue-unit",
        "issue",
        "add",
        "--desc",
        "路灯",
        "--category",
        "infrastructure",
        "--unit",
        "520602109999",
        contains="520602109999",
    ),
    c("code-group-unknown", *HOUSEHOLD_ADD, "--group", "52060210120199", contains="52060210120199"),
    c(
        "code-group-other-village",
        "household",
        "add",
        "--head",
        "新户",
        "--village",
        "520602101202",
        "--group",
        "52060210120101",
        contains="52060210120101",
    ),
    c(
        "code-stay-unit",
        "visit",
        "add",
        "--kind",
        "stay",
        "--unit",
        "520602999999",
        "--by",
        "{county}",
        contains="520602999999",
    ),
    c(
        "code-activity-unit",
        "activity",
        "add",
        "--kind",
        "night_school",
        "--unit",
        "520699",
        "--title",
        "夜校",
        "--participants",
        "5",
        contains="520699",
    ),
    c("code-rollup-unit", "rollup", "--unit", "520602999", contains="520602999"),
    c(
        "code-review-team",
        "review",
        "add",
        "--team",
        "520602999999",
        "--quarter",
        "2026Q4",
        "--grade",
        "good",
        contains="520602999999",
    ),
    # ---------------------------------------------------------------- enum typos
    c(
        "enum-category",
        *ISSUE_ADD[:2],
        "--desc",
        "漏雨",
        "--category",
        "housingg",
        "--household",
        "{home}",
        contains="housingg",
    ),
    c("enum-kind", *ISSUE_ADD, "--desc", "漏雨", "--kind", "problme", contains="problme"),
    c("enum-ledger", *ISSUE_ADD, "--desc", "漏雨", "--ledger", "livelyhood", contains="livelyhood"),
    c("enum-source", *ISSUE_ADD, "--desc", "漏雨", "--source", "phone", contains="phone"),
    c("enum-role", *CADRE_ADD[:6], "--role", "leader", contains="leader"),
    c("enum-household-status", *HOUSEHOLD_ADD, "--status", "rich", contains="rich"),
    c("enum-indicator", "household", "set", "{home2}", "--housing", "bad", contains="bad"),
    c("enum-how", "issue", "resolve", "{asg}", "--how", "fixed", "--note", "x", contains="fixed"),
    c("enum-feedback", "issue", "feedback", "{res}", "--result", "happy", contains="happy"),
    c(
        "enum-escalate-to",
        "issue",
        "escalate",
        "{reg}",
        "--to",
        "province",
        "--reason",
        "x",
        contains="province",
    ),
    c("enum-visit-kind", *VISIT, "--kind", "chat", contains="chat"),
    c(
        "enum-org-level",
        "org",
        "add",
        "520602103",
        "某乡",
        "--level",
        "city",
        "--parent",
        "520602",
        contains="city",
    ),
    c("enum-list-state", "issue", "list", "--state", "opened", contains="opened"),
    c("enum-rollup-period", "rollup", "--period", "fortnight", contains="fortnight"),
    c("enum-rollup-by", "rollup", "--by", "province", contains="province"),
    c("enum-rollup-format", "rollup", "--format", "pdf", contains="pdf"),
    c(
        "enum-activity-kind",
        "activity",
        "add",
        "--kind",
        "party",
        "--unit",
        "520602101201",
        "--title",
        "x",
        "--participants",
        "3",
        contains="party",
    ),
    c(
        "enum-review-grade",
        "review",
        "add",
        "--team",
        "520602101201",
        "--quarter",
        "2026Q4",
        "--ratings",
        "satisfied=4,basic=1,unsatisfied=0",
        "--grade",
        "great",
        contains="great",
    ),
    c(
        "enum-review-quarter",
        "review",
        "add",
        "--team",
        "520602101201",
        "--quarter",
        "2026Q5",
        "--grade",
        "good",
        contains="2026Q5",
    ),
    c("enum-export-kind", "export", "--kind", "people", contains="people"),
    c("enum-reconcile-ledger", "reconcile", "--ledger", "money", contains="money"),
    c("enum-rank-by", "rank", "--by", "village", contains="village"),
    c("enum-find-kind", "find", "王", "--kind", "person", contains="person"),
    # ---------------------------------------------------------------- refused transitions and roles
    c("refuse-close-registered", "issue", "close", "{reg}", contains="{reg}"),
    c(
        "refuse-resolve-closed",
        "issue",
        "resolve",
        "{closed}",
        "--how",
        "solved",
        "--note",
        "x",
        contains="{closed}",
    ),
    c("refuse-feedback-registered", "issue", "feedback", "{reg}", "--result", "satisfied", contains="{reg}"),
    c("refuse-reopen-open", "issue", "reopen", "{asg}", "--reason", "x", contains="{asg}"),
    c(
        "refuse-extend-registered",
        "issue",
        "extend",
        "{reg}",
        "--to",
        "2027-01-01",
        "--reason",
        "x",
        contains="{reg}",
    ),
    c("refuse-progress-registered", "issue", "progress", "{reg}", "--note", "x", contains="{reg}"),
    c("refuse-claim-non-wish", "issue", "claim", "{reg}", "--by", "{town}", contains="{reg}"),
    c(
        "refuse-escalate-down",
        "issue",
        "escalate",
        "{cty}",
        "--to",
        "township",
        "--reason",
        "x",
        contains="{cty}",
    ),
    c("refuse-close-without-feedback", "issue", "close", "{res}", contains="{res}"),
    c("refuse-close-by-clerk", "issue", "close", "{sat}", "--as", "{clerk}", contains="{clerk}"),
    c("refuse-close-county-by-town", "issue", "close", "{cty}", "--as", "{town}", contains="{town}"),
    c(
        "refuse-petition-second-extension",
        "issue",
        "extend",
        "{pet}",
        "--to",
        "2027-02-15",
        "--reason",
        "x",
        contains="{pet}",
    ),
    c("refuse-cadre-add-by-clerk", *CADRE_ADD, "--as", "{clerk}", contains="{clerk}"),
    c(
        "refuse-org-add-by-town",
        "org",
        "add",
        "520602103",
        "某乡",
        "--level",
        "township",
        "--parent",
        "520602",
        "--as",
        "{town}",
        contains="{town}",
    ),
    c(
        "refuse-actor-recalled",
        "issue",
        "progress",
        "{asg}",
        "--note",
        "x",
        "--as",
        "{recalled}",
        contains="{recalled}",
    ),
    c(
        "refuse-visitor-recalled",
        "visit",
        "add",
        "--household",
        "{home}",
        "--by",
        "{recalled}",
        contains="{recalled}",
    ),
    c(
        "refuse-leader-recalled",
        "issue",
        "assign",
        "{reg}",
        "--leader",
        "{recalled}",
        "--due",
        "2026-12-31",
        contains="{recalled}",
    ),
    c("refuse-already-paired", "pair", "{town}", "{home}", contains="{town}"),
    c("refuse-not-paired", "unpair", "{village}", "{home}", contains="{village}"),
    c("refuse-recall-twice", "cadre", "recall", "{recalled}", "--reason", "x", contains="{recalled}"),
    c(
        "refuse-fulfilled-not-wish",
        "issue",
        "resolve",
        "{asg}",
        "--how",
        "fulfilled",
        "--note",
        "x",
        contains="{asg}",
    ),
    # ---------------------------------------------------------------- empty and whitespace-only text
    c("empty-desc", *ISSUE_ADD, "--desc", "", contains="--desc"),
    c("blank-desc", *ISSUE_ADD, "--desc", "   ", contains="--desc"),
    c("blank-desc-tabs-newlines", *ISSUE_ADD, "--desc", "\t\n \n", contains="--desc"),
    c("blank-desc-ideographic-space", *ISSUE_ADD, "--desc", "\u3000\u3000", contains="--desc"),
    c("blank-progress-note", "issue", "progress", "{asg}", "--note", "  ", contains="--note"),
    c("empty-cadre-name", *CADRE_ADD[:3], "", *CADRE_ADD[4:], contains="--name"),
    c(
        "blank-household-head",
        "household",
        "add",
        "--head",
        " ",
        "--village",
        "520602101201",
        contains="--head",
    ),
    c("blank-reopen-reason", "issue", "reopen", "{closed}", "--reason", " ", contains="--reason"),
    c("empty-recall-reason", "cadre", "recall", "{village}", "--reason", "", contains="--reason"),
    c("blank-org-name", "org", "add", "520602103", "  ", "--level", "township", "--parent", "520602"),
    c("blank-raise", *VISIT, "--raise", " ", "--category", "housing", contains="--raise"),
    c(
        "blank-activity-title",
        "activity",
        "add",
        "--kind",
        "lecture",
        "--unit",
        "520602101201",
        "--title",
        " ",
        "--participants",
        "3",
        contains="--title",
    ),
    # ---------------------------------------------------------------- control characters
    c("ctrl-nul-desc", *ISSUE_ADD, "--desc", "漏\x00雨", contains="--desc"),
    c("ctrl-escape-desc", *ISSUE_ADD, "--desc", "漏\x1b[31m雨", contains="--desc"),
    c("ctrl-bell-note", *VISIT, "--note", "走访\x07", contains="--note"),
    c("ctrl-backspace-name", *CADRE_ADD[:3], "张\x08三", *CADRE_ADD[4:], contains="--name"),
    c("ctrl-carriage-return", *ISSUE_ADD, "--desc", "一行\r二行", contains="--desc"),
    c("ctrl-nel", *ISSUE_ADD, "--desc", "一行\x85二行", contains="--desc"),
    c("ctrl-lone-surrogate", *ISSUE_ADD, "--desc", "漏\ud800雨", contains="--desc"),
    c(
        "ctrl-bidi-override-head",
        "household",
        "add",
        "--head",
        "王\u202e大",
        "--village",
        "520602101201",
        contains="--head",
    ),
    c("ctrl-private-use", *ISSUE_ADD, "--desc", "漏\ue000雨", contains="--desc"),
    c("ctrl-newline-in-name", *CADRE_ADD[:3], "张\n三", *CADRE_ADD[4:], contains="--name"),
    # ---------------------------------------------------------------- 100 KB notes
    c("huge-visit-note", *VISIT, "--note", KB100, contains="--note"),
    c("huge-issue-desc", *ISSUE_ADD, "--desc", KB100, contains="--desc"),
    c("huge-progress-note", "issue", "progress", "{asg}", "--note", KB100, contains="--note"),
    c(
        "huge-resolve-note",
        "issue",
        "resolve",
        "{asg}",
        "--how",
        "solved",
        "--note",
        KB100,
        contains="--note",
    ),
    c("huge-cadre-title", *CADRE_ADD, "--title", KB100, contains="--title"),
    c("huge-name", *CADRE_ADD[:3], "名" * 41, *CADRE_ADD[4:], contains="--name"),
    c("huge-register-no", *HOUSEHOLD_ADD, "--register-no", "号" * 100, contains="--register-no"),
    c("huge-activity-note", *ACTIVITY, "--participants", "3", "--note", KB100, contains="--note"),
    # ---------------------------------------------------------------- path separators and .. in what becomes a path
    c(
        "path-village-dotdot",
        "household",
        "add",
        "--head",
        "新户",
        "--village",
        "../520602101201",
        contains="../520602101201",
    ),
    c(
        "path-village-slash",
        "household",
        "add",
        "--head",
        "新户",
        "--village",
        "520602101201/../x",
        contains="520602101201/../x",
    ),
    c("path-village-absolute", "household", "add", "--head", "新户", "--village", "/etc", contains="/etc"),
    c(
        "path-org-code",
        "org",
        "add",
        "520602101/..",
        "某乡",
        "--level",
        "township",
        "--parent",
        "520602",
        contains="520602101/..",
    ),
    c("path-item-id", "issue", "show", "Q-../../etc", contains="Q-../../etc"),
    c(
        "path-item-id-progress",
        "issue",
        "progress",
        "../issues/2026/x",
        "--note",
        "x",
        contains="../issues/2026/x",
    ),
    c(
        "path-household-ref",
        "visit",
        "add",
        "--household",
        "../H-ZZZZZZ",
        "--by",
        "{town}",
        contains="../H-ZZZZZZ",
    ),
    c("path-actor", "issue", "progress", "{asg}", "--note", "x", "--as", "../../cadres/x", contains="--as"),
    c("path-name-slash", *CADRE_ADD[:3], "张/三", *CADRE_ADD[4:], contains="--name"),
    c(
        "path-head-backslash",
        "household",
        "add",
        "--head",
        "..\\王",
        "--village",
        "520602101201",
        contains="--head",
    ),
    c("path-date", *VISIT, "--date", "2026-11/../../x", contains="2026-11/../../x"),
    c("path-group", *HOUSEHOLD_ADD, "--group", "../../x", contains="../../x"),
    c(
        "path-issue-unit",
        "issue",
        "add",
        "--desc",
        "路灯",
        "--category",
        "infrastructure",
        "--unit",
        "/etc/passwd",
        contains="/etc/passwd",
    ),
    c(
        "path-review-team",
        "review",
        "add",
        "--team",
        "../../x",
        "--quarter",
        "2026Q4",
        "--grade",
        "good",
        contains="../../x",
    ),
    c(
        "path-activity-unit",
        "activity",
        "add",
        "--kind",
        "lecture",
        "--unit",
        "../520602101201",
        "--title",
        "宣讲",
        "--participants",
        "3",
        contains="../520602101201",
    ),
]

# The satisfaction survey and rounds (issue 18).
SURVEY = ("survey", "add", "--household", "{home}", "--result", "satisfied")
TYPED += [
    c("date-survey-feb30", *SURVEY, "--date", "2026-02-30", contains="2026-02-30"),
    c("future-survey", *SURVEY, "--date", "2026-11-24", contains="2026-11-24"),
    c(
        "enum-survey-result",
        "survey",
        "add",
        "--household",
        "{home}",
        "--result",
        "satisfy",
        contains="satisfy",
    ),
    c("enum-visit-survey", *VISIT, "--survey", "ok", contains="--survey"),
    c("round-zero", *VISIT, "--round", "0", contains="--round"),
    c("round-past-rounds", *SURVEY, "--round", "5", contains="--round"),
    c("round-words", *VISIT, "--round", "second", contains="second"),
    c("ctrl-escape-survey-note", *SURVEY, "--note", "满意\x1b[31m", contains="--note"),
    c("huge-survey-note", *SURVEY, "--note", KB100, contains="--note"),
    c(
        "id-unknown-survey-household",
        "survey",
        "add",
        "--household",
        "H-ZZZZZZ",
        "--result",
        "basic",
        contains="H-ZZZZZZ",
    ),
    c("id-unknown-survey-void", "survey", "void", "S-ZZZZZZ", "--reason", "误录", contains="S-ZZZZZZ"),
]


def _fill(text: str, world: World) -> str:
    for key, value in world.ids.items():
        text = text.replace("{" + key + "}", value)
    return text


@pytest.mark.parametrize("case", TYPED, ids=[case.id for case in TYPED])
def test_typed_input_is_refused_cleanly(world: World, case: Case) -> None:
    argv = [_fill(arg, world) for arg in case.argv]
    result = refused(world.path, "--lang", "en", *argv, code=case.code)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("minqing: ")
    if case.contains:
        assert _fill(case.contains, world) in result.stderr, result.stderr


def test_the_corpus_is_large_and_varied() -> None:
    assert len(TYPED) + len(INPUT_FILES) + len(HAND_EDITS) >= 100
    assert len({case.id for case in TYPED}) == len(TYPED)
    groups = {case.id.split("-")[0] for case in TYPED}
    assert {
        "date",
        "future",
        "idno",
        "phone",
        "id",
        "code",
        "enum",
        "refuse",
        "empty",
        "blank",
        "ctrl",
        "huge",
        "path",
    } <= groups


# ---------------------------------------------------------------- files given on the command line

BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
)
PYTHON_TAG = "户主: !!python/object/apply:os.system ['echo pwned > /tmp/minqing-pwned']\n"
CSV_HEADER = "户主,村,人口\n"


@dataclass(frozen=True)
class InputFile:
    id: str
    name: str
    content: bytes
    argv: tuple[str, ...]  # {file} is the written file, {csv} a valid sheet next to it
    contains: str | None = None
    rows: int = 0  # an import lists each bad row as `file:row:column: message` before its one-line verdict


INPUT_FILES: list[InputFile] = [
    InputFile(
        "sheet-not-utf8-nor-gb18030",
        "h.csv",
        CSV_HEADER.encode() + b"\xff\xfe\xfa,520602101201,3\n",
        ("import", "{file}", "--kind", "households", "--encoding", "utf-8"),
    ),
    InputFile(
        "sheet-binary", "h.csv", b"\x00\x01\x02\x03" * 64, ("import", "{file}", "--kind", "households")
    ),
    InputFile(
        "sheet-xlsx-garbage",
        "h.xlsx",
        b"PK\x03\x04 not really a zip",
        ("import", "{file}", "--kind", "households"),
    ),
    InputFile("sheet-empty", "h.csv", b"", ("import", "{file}", "--kind", "households")),
    InputFile(
        "sheet-kind-typo",
        "h.csv",
        (CSV_HEADER + "王五,520602101201,3\n").encode(),
        ("import", "{file}", "--kind", "houses"),
        "houses",
    ),
    InputFile(
        "sheet-bad-rows",
        "h.csv",
        (CSV_HEADER + "王五,520602109999,3\n赵六,520602101201,0\n").encode(),
        ("import", "{file}", "--kind", "households"),
        "2 problem(s)",
        rows=2,
    ),
    InputFile(
        "map-billion-laughs",
        "map.yaml",
        BILLION_LAUGHS.encode(),
        ("import", "{csv}", "--kind", "households", "--map", "{file}"),
    ),
    InputFile(
        "map-python-tag",
        "map.yaml",
        PYTHON_TAG.encode(),
        ("import", "{csv}", "--kind", "households", "--map", "{file}"),
    ),
    InputFile(
        "map-duplicate-keys",
        "map.yaml",
        "户主: head\n户主: village\n".encode(),
        ("import", "{csv}", "--kind", "households", "--map", "{file}"),
    ),
    InputFile(
        "map-not-utf8",
        "map.yaml",
        "户主: head\n".encode("gb18030"),
        ("import", "{csv}", "--kind", "households", "--map", "{file}"),
    ),
    InputFile(
        "map-not-a-mapping",
        "map.yaml",
        b"- head\n- village\n",
        ("import", "{csv}", "--kind", "households", "--map", "{file}"),
    ),
    InputFile(
        "review-report-not-utf8",
        "report.txt",
        "述职报告".encode("gb18030") + b"\xff",
        (
            "review",
            "add",
            "--team",
            "520602101201",
            "--quarter",
            "2026Q4",
            "--grade",
            "good",
            "--report",
            "{file}",
        ),
    ),
]


@pytest.mark.parametrize("case", INPUT_FILES, ids=[case.id for case in INPUT_FILES])
def test_bad_files_given_on_the_command_line(world: World, tmp_path: Path, case: InputFile) -> None:
    target = tmp_path / case.name
    target.write_bytes(case.content)
    sheet = tmp_path / "ok.csv"
    sheet.write_text(CSV_HEADER + "王五,520602101201,3\n", encoding="utf-8")
    argv = [
        _fill(arg, world).replace("{file}", str(target)).replace("{csv}", str(sheet)) for arg in case.argv
    ]
    if case.rows:
        before = snapshot(world.path)
        result = run("--lang", "en", *argv, ledger=world.path)
        assert result.exit_code == 2 and snapshot(world.path) == before
        *row_lines, verdict = result.stderr.splitlines()
        assert len(row_lines) == case.rows
        assert all(line.startswith(f"{case.name}:") for line in row_lines), row_lines
        assert verdict.startswith("minqing: ")
    else:
        result = refused(world.path, "--lang", "en", *argv, code=2)
    assert result.stdout == ""
    if case.contains:
        assert case.contains in result.stderr
    assert not Path("/tmp/minqing-pwned").exists()


# ---------------------------------------------------------------- ledger files edited by hand and committed


@dataclass(frozen=True)
class HandEdit:
    id: str
    target: str  # a key of world.ids (its entity file) or a repo-relative path
    edit: Callable[[bytes], bytes]
    argv: tuple[str, ...]
    line: int  # the line the message must name


def _replace(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(content: bytes) -> bytes:
        assert old in content, (old, content[:200])
        return content.replace(old, new, 1)

    return edit


def _append(extra: bytes) -> Callable[[bytes], bytes]:
    return lambda content: content + extra


HAND_EDITS: list[HandEdit] = [
    HandEdit(
        "item-not-utf8",
        "asg",
        _replace("事项asg".encode(), "事项asg".encode("gb18030")),
        ("issue", "show", "{asg}"),
        5,
    ),
    HandEdit(
        "item-nul-byte",
        "asg",
        _replace(b"category: housing", b"category: hous\x00ing"),
        ("issue", "progress", "{asg}", "--note", "x"),
        4,
    ),
    HandEdit(
        "item-billion-laughs",
        "asg",
        _append(BILLION_LAUGHS.replace("a:", "zz:", 1).encode()),
        ("issue", "progress", "{asg}", "--note", "x"),
        0,
    ),
    HandEdit(
        "item-python-tag",
        "asg",
        _replace(b"category: housing", b"category: !!python/object:os.system x"),
        ("issue", "show", "{asg}"),
        4,
    ),
    HandEdit(
        "item-duplicate-key",
        "asg",
        _replace(b"category: housing\n", b"category: housing\ncategory: water\n"),
        ("issue", "show", "{asg}"),
        5,
    ),
    HandEdit(
        "item-yaml-syntax",
        "asg",
        _replace(b"category: housing", b"category: [housing"),
        ("issue", "resolve", "{asg}", "--how", "solved", "--note", "x"),
        0,
    ),
    HandEdit("item-history-not-a-list", "asg", _append(b"history_extra: 1\n"), ("issue", "show", "{asg}"), 0),
    HandEdit(
        "item-not-a-mapping", "asg", lambda content: b"- just\n- a list\n", ("issue", "show", "{asg}"), 1
    ),
    HandEdit(
        "item-wrong-id",
        "asg",
        lambda content: content.replace(b"id: Q-", b"id: Q-ZZ", 1),
        ("issue", "show", "{asg}"),
        1,
    ),
    HandEdit(
        "item-forged-state",
        "asg",
        _replace(b"state: assigned", b"state: closed"),
        ("issue", "reopen", "{asg}", "--reason", "x"),
        0,
    ),
    HandEdit(
        "cadre-python-tag",
        "town",
        _replace(b"role: township_leader", b"role: !!python/name:os.system"),
        ("issue", "progress", "{asg}", "--note", "x", "--as", "{town}"),
        0,
    ),
    HandEdit(
        "cadre-duplicate-key",
        "town",
        _replace(b"role: township_leader\n", b"role: township_leader\nrole: admin\n"),
        ("cadre", "show", "{town}"),
        0,
    ),
    HandEdit(
        "household-not-utf8",
        "home2",
        _append("note: 备注\n".encode("gb18030")),
        ("household", "show", "{home2}"),
        0,
    ),
    HandEdit(
        "household-billion-laughs",
        "home2",
        _append(BILLION_LAUGHS.replace("a:", "zz:", 1).encode()),
        ("visit", "add", "--household", "{home2}", "--by", "{town}"),
        0,
    ),
    HandEdit(
        "units-duplicate-key",
        "org/units.yaml",
        _replace(b"county:", b"county: {code: '520602'}\ncounty:"),
        ("household", "add", "--head", "新户", "--village", "520602101201"),
        2,
    ),
    HandEdit("units-alias", "org/units.yaml", _append(b"extra: &x [1]\nmore: *x\n"), ("org", "list"), 0),
    HandEdit(
        "config-python-tag",
        "minqing.yaml",
        _replace(b"locale: zh-CN", b"locale: !!python/object:x {}"),
        ("issue", "progress", "{asg}", "--note", "x"),
        0,
    ),
    HandEdit(
        "stream-not-utf8",
        "visits/2026-11/520602101201.yaml",
        _append(b"--- {id: V-ZZZZZZ, note: \xff}\n"),
        ("visit", "list"),
        0,
    ),
    HandEdit(
        "stream-billion-laughs",
        "visits/2026-11/520602101201.yaml",
        _append(b"--- " + BILLION_LAUGHS.replace("\n", "\n    ").encode()),
        ("visit", "list"),
        0,
    ),
]


def _entity_path(world: World, target: str) -> str:
    if "/" in target or target.endswith(".yaml"):
        return target
    entry = world.ids[target]
    led = Ledger.open(world.path)
    return led.path_of(entry) if hasattr(led, "path_of") else ""


@pytest.fixture
def visit_stream(world: World) -> None:
    """The stream cases need a visit file; one visit is committed for them (and stays: nothing else counts)."""
    stream = world.path / "visits" / "2026-11" / "520602101201.yaml"
    if not stream.exists():
        assert (
            run(
                "visit", "add", "--household", world.ids["home"], "--by", world.ids["town"], ledger=world.path
            ).exit_code
            == 0
        )


@pytest.mark.parametrize("case", HAND_EDITS, ids=[case.id for case in HAND_EDITS])
def test_hand_edited_file_makes_readers_exit_4_with_path_and_line(
    world: World, case: HandEdit, visit_stream: None
) -> None:
    rel = _entity_path(world, case.target)
    path = world.path / rel
    original = path.read_bytes()
    path.write_bytes(case.edit(original))
    git(world.path, "commit", "-q", "-m", f"hand edit {case.id}", "--", rel)  # the edit is history now
    try:
        argv = [_fill(arg, world) for arg in case.argv]
        result = refused(world.path, "--lang", "en", *argv, code=4)
        assert result.stdout == ""
        first = result.stderr.removeprefix("minqing: ")
        assert first.startswith(f"{rel}:"), result.stderr
        line = int(first[len(rel) + 1 :].split(":", 1)[0])
        if case.line:
            assert line == case.line, result.stderr
        else:
            assert line >= 1, result.stderr
    finally:
        git(world.path, "reset", "-q", "--hard", "HEAD~1")
    assert path.read_bytes() == original


def test_git_reset_restored_every_hand_edit(world: World) -> None:
    status = subprocess.run(["git", "status", "--porcelain"], cwd=world.path, capture_output=True, text=True)
    assert status.stdout == ""


# ---------------------------------------------------------------- hostile sheets (issue 14)


def _xlsx_with(parts: dict[str, bytes]) -> bytes:
    """A one-sheet workbook as openpyxl writes it, with some parts replaced or added."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["户主", "村", "人口"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in parts:
                new.writestr(info.filename, old.read(info.filename))
        for name, content in parts.items():
            new.writestr(name, content)
    return out.getvalue()


HOSTILE_FILES: list[InputFile] = [
    InputFile(
        "sheet-mixed-utf8-gbk",
        "h.csv",
        CSV_HEADER.encode() + "李四,520602101201,3\n".encode("gbk"),
        ("import", "{file}", "--kind", "households"),
        "line 2 is not",
    ),
    InputFile(
        "sheet-xlsx-ratio-bomb",
        "h.xlsx",
        _xlsx_with({"xl/sharedStrings.xml": b"<sst><si><t>" + b"A" * (4 * 1024 * 1024) + b"</t></si></sst>"}),
        ("import", "{file}", "--kind", "households"),
        "compression ratio of part xl/sharedStrings.xml",
    ),
    InputFile(
        "sheet-xlsx-dimension-bomb",
        "h.xlsx",
        _xlsx_with(
            {
                "xl/worksheets/sheet1.xml": b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml'
                b'/2006/main"><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
            }
        ),
        ("import", "{file}", "--kind", "households"),
        "over the limit of 200,000",
    ),
    InputFile(
        "sheet-xlsx-unknown-sheet",
        "h.xlsx",
        _xlsx_with({}),
        ("import", "{file}", "--kind", "households", "--sheet", "nope"),
        "has no sheet 'nope'",
    ),
]


@pytest.mark.parametrize("case", HOSTILE_FILES, ids=[case.id for case in HOSTILE_FILES])
def test_hostile_sheets_given_on_the_command_line(world: World, tmp_path: Path, case: InputFile) -> None:
    test_bad_files_given_on_the_command_line(world, tmp_path, case)
