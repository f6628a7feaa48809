"""`minqing check`: a clean ledger checks clean; each kind of hand edit a person could commit is reported with the
exact path, line and code, exit 1. Ledgers are real git repos; edits are made on the files and committed with plain
git, as a person would. The prepared ledger is built once per module and copied per test."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, git, run
from mutations import mutations

from minqing.ledgers.core import items, model, yamlio
from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import check as checks
from minqing.ledgers.verify import schema

ID_1 = "520602198001011232"
ID_2 = "11010519491231002X"
BILLION_LAUGHS = """\
id: C-AAAAAA
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
"""


@dataclass(frozen=True)
class Base:
    path: Path
    admin: str
    cadre: str  # village cadre, paired with home
    leader: str
    home: str  # 板栗园村 一组, paired with cadre, visited
    other_home: str  # 桃映村
    visit: str
    resolved_item: str  # resolved on the spot during the visit, no feedback yet
    closed_item: str  # assign → resolve → feedback satisfied → close
    registered_item: str  # added for a unit, untouched


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    path = tmp_path_factory.mktemp("check") / "ledger"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINQING_NOW", NOW)
        patch.delenv("MINQING_USER", raising=False)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        register.init(str(path), "520602", "碧江区", "测试管理员", at=NOW)
        led = Ledger.open(path)
        for code, name, level, parent in [
            ("520602101", "和平乡", "township", "520602"),
            ("520602101201", "板栗园村", "village", "520602101"),
            ("520602101202", "桃映村", "village", "520602101"),
            ("52060210120101", "一组", "group", "520602101201"),
        ]:
            register.add_unit(led, None, code, name, level, parent, at=NOW)
        cadre = register.add_cadre(led, None, name="村干部", unit="520602101201", role="village", at=NOW).id
        leader = register.add_cadre(
            led, None, name="乡领导", unit="520602101", role="township_leader", phone="13800001234", at=NOW
        ).id
        home = register.add_household(
            led, None, head="户甲", village="520602101201", group="52060210120101", id_number=ID_1, at=NOW
        ).id
        other = register.add_household(
            led, None, head="户乙", village="520602101202", id_number=ID_2, at=NOW
        ).id
        register.pair(led, None, cadre, home, at=NOW)
        visit, items = visits.add_visit(
            led,
            None,
            household=home,
            by=[cadre, leader],
            date="2026-11-23",
            raises=[("屋顶漏雨", "housing"), ("村道路灯损坏", "infrastructure")],
            on_spot=["当场修补"],
            at=NOW,
        )
        resolved, closed = items[0].id, items[1].id
        workflow.assign(led, None, closed, leader=leader, resp_unit="村委", due="2026-12-01", at=NOW)
        workflow.resolve(led, None, closed, "solved", "已更换灯具", at=NOW)
        workflow.feedback(led, None, closed, "satisfied", at=NOW)
        workflow.close(led, None, closed, at=NOW)
        registered = workflow.add_item(
            led,
            None,
            desc="组组通公路未硬化",
            category="infrastructure",
            kind="problem",
            ledger_name="livelihood",
            source="grid",
            unit="520602101202",
            at=NOW,
        ).id
        admin = led._configured_user() or ""
    return Base(path, admin, cadre, leader, home, other, visit.id, resolved, closed, registered)


@pytest.fixture
def ledger(base: Base, tmp_path: Path) -> Path:
    target = tmp_path / "ledger"
    shutil.copytree(base.path, target, symlinks=True)
    return target


# ---------------------------------------------------------------- helpers


def item_path(item_id: str) -> str:
    return f"issues/2026/{item_id}.yaml"


def home_path(home_id: str, village: str = "520602101201") -> str:
    return f"households/{village}/{home_id}.yaml"


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle` (what an editor jumping to path:line shows)."""
    hits = [number for number, text in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in text]
    return hits[occurrence - 1]


def edit_yaml(ledger: Path, rel: str, change: Any) -> None:
    data = yamlio.load((ledger / rel).read_text("utf-8"))
    change(data)
    (ledger / rel).write_text(yamlio.dump(data), "utf-8")


def edit_text(ledger: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    text = (ledger / rel).read_text("utf-8")
    assert text.count(old) >= count, (old, text)
    (ledger / rel).write_text(text.replace(old, new), "utf-8")


def commit(ledger: Path, message: str = "手工修改") -> None:
    git(ledger, "add", "-A")
    git(ledger, "commit", "-q", "-m", message)


def findings(ledger: Path, *extra: str) -> list[tuple[str, int, str]]:
    """(path, line, code) of every finding, through `minqing check --json`; a ledger with findings exits 1."""
    result = run("check", "--json", *extra, ledger=ledger)
    data = json.loads(result.stdout)
    assert data["count"] == len(data["findings"])
    assert result.exit_code == (1 if data["count"] else 0), result.output
    return [(f["path"], f["line"], f["code"]) for f in data["findings"]]


def messages_of(ledger: Path, lang: str = "zh") -> list[str]:
    result = run("--lang", lang, "check", ledger=ledger)
    return result.stdout.splitlines()


# ---------------------------------------------------------------- clean ledgers


def test_sample_ledger_checks_clean(sample) -> None:
    result = run("check", ledger=sample.path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == "检查通过：12 个文件没有问题"
    as_json = run("check", "--json", ledger=sample.path)
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == {"findings": [], "count": 0}


def test_ledger_with_visit_pairing_and_every_state_checks_clean(base: Base) -> None:
    result = run("--lang", "en", "check", ledger=base.path)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "clean: no findings in 12 files"
    led = Ledger.open(base.path)
    assert checks.check(led) == []
    states = {led.item(i).state for i in (base.resolved_item, base.closed_item, base.registered_item)}
    assert states == {"resolved", "closed", "registered"}


def test_outside_a_ledger_exits_4(tmp_path: Path) -> None:
    result = run("check", ledger=tmp_path)
    assert result.exit_code == 4
    assert "不是民情台账目录" in result.stderr


# ---------------------------------------------------------------- not ledger YAML


def test_billion_laughs_aliases_are_a_finding_not_a_hang(ledger: Path, base: Base) -> None:
    rel = f"cadres/{base.cadre}.yaml"
    (ledger / rel).write_text(BILLION_LAUGHS, "utf-8")
    commit(ledger)
    assert findings(ledger) == [(rel, 2, "yaml_alias")]
    assert messages_of(ledger, "en") == [
        f"{rel}:2: YAML anchor or alias (& or *) found; accepted: values written out in full"
    ]


def test_python_object_tag_is_a_finding(ledger: Path, base: Base) -> None:
    rel = item_path(base.registered_item)
    edit_text(ledger, rel, "desc: 组组通公路未硬化", "desc: !!python/object/apply:os.system [echo pwned]")
    commit(ledger)
    line = line_of(ledger / rel, "!!python")
    assert findings(ledger) == [(rel, line, "yaml_tag")]
    assert messages_of(ledger) == [
        f"{rel}:{line}: 含 YAML 标签 tag:yaml.org,2002:python/object/apply:os.system："
        "台账文件只接受不带标签的普通 YAML"
    ]


def test_duplicate_key_is_a_finding_at_the_second_key(ledger: Path, base: Base) -> None:
    rel = item_path(base.resolved_item)
    edit_text(ledger, rel, "state: resolved\n", "state: resolved\nstate: closed\n")
    commit(ledger)
    assert findings(ledger) == [(rel, line_of(ledger / rel, "state: closed"), "duplicate_key")]


def test_non_utf8_bytes_are_a_finding_at_their_line(ledger: Path, base: Base) -> None:
    rel = home_path(base.home)
    raw = (ledger / rel).read_bytes().replace("head: 户甲".encode(), "head: 户甲".encode("gbk"))
    (ledger / rel).write_bytes(raw)
    commit(ledger)
    assert findings(ledger) == [(rel, 2, "not_utf8")]
    assert messages_of(ledger, "en") == [f"{rel}:2: file is not UTF-8; accepted: UTF-8 text"]


def test_oversized_file_and_nul_bytes(ledger: Path, base: Base) -> None:
    big = f"cadres/{base.leader}.yaml"
    text = (ledger / big).read_text("utf-8")
    (ledger / big).write_text(
        text.replace("title: null", "title: " + "长" * yamlio.MAX_ENTITY_BYTES), "utf-8"
    )
    nul = home_path(base.home)
    edit_text(ledger, nul, "head: 户甲", "head: 户\x00甲")
    commit(ledger)
    assert findings(ledger) == [(big, 1, "too_large"), (nul, 2, "nul_bytes")]


def test_yaml_syntax_error_and_empty_file(ledger: Path, base: Base) -> None:
    rel = f"cadres/{base.leader}.yaml"
    edit_text(ledger, rel, "role: township_leader", "role: [township_leader")
    (ledger / f"cadres/{base.cadre}.yaml").write_text("", "utf-8")
    commit(ledger)
    got = findings(ledger)
    assert (f"cadres/{base.cadre}.yaml", 1, "schema") in got
    assert [code for path, _, code in got if path == rel] == ["yaml_syntax"]


def test_unreadable_file_does_not_cascade_into_missing_references(ledger: Path, base: Base) -> None:
    rel = home_path(base.home)
    (ledger / rel).write_bytes(b"id: H-1\n\xff\xfe\n")
    # The visit, both items and the cadre's pairing name this household: none of them is reported as missing;
    # a household that exists nowhere still is.
    other = item_path(base.registered_item)
    edit_text(ledger, other, "household: null", "household: H-ZZZZZZ")
    edit_text(ledger, other, "    source: grid\n", "    source: grid\n    household: H-ZZZZZZ\n")
    commit(ledger)
    assert findings(ledger) == [
        (rel, 2, "not_utf8"),
        (other, line_of(ledger / other, "household: H-ZZZZZZ"), "unknown_ref"),
    ]


# ---------------------------------------------------------------- schema


def test_wrong_enum_is_reported_at_its_line_with_what_is_accepted(ledger: Path, base: Base) -> None:
    rel = home_path(base.other_home, "520602101202")
    edit_text(ledger, rel, "status: general", "status: rich")
    commit(ledger)
    line = line_of(ledger / rel, "status: rich")
    assert findings(ledger) == [(rel, line, "schema")]
    assert messages_of(ledger) == [f"{rel}:{line}: status 的值“rich”无效：应为 poor|lifted|monitored|general"]
    assert messages_of(ledger, "en") == [
        f"{rel}:{line}: status: invalid value 'rich'; accepted: poor|lifted|monitored|general"
    ]


def test_schema_unknown_key_missing_key_wrong_type_and_bad_date(ledger: Path, base: Base) -> None:
    rel = item_path(base.registered_item)
    edit_text(ledger, rel, "plan: null\n", "plan: null\npriority: high\n")
    edit_text(ledger, rel, "extensions: 0\n", "")
    edit_text(ledger, rel, "unit: '520602101202'", "unit: 520602101202")
    edit_text(ledger, rel, "  at: '2026-11-23T10:00:00+08:00'", "  at: '2026-11-23 10:00'")
    commit(ledger)
    path = ledger / rel
    assert findings(ledger) == sorted(
        [
            (rel, 1, "schema"),  # extensions missing: reported on the document
            (rel, line_of(path, "unit: 520602101202"), "schema"),
            (rel, line_of(path, "priority: high"), "schema"),
            (rel, line_of(path, "at: '2026-11-23 10:00'"), "schema"),
        ]
    )
    text = "\n".join(messages_of(ledger, "en"))
    assert "extensions is required; accepted: a whole number ≥ 0" in text
    assert "unknown key priority; accepted keys: id, kind, ledger" in text
    assert (
        "unit: invalid value '520602101202'; accepted: a unit code of 6, 9, 12, 14 or 15 digits (quoted)"
        in text
    )
    assert "history[0].at: invalid value '2026-11-23 10:00'; accepted: YYYY-MM-DDTHH:MM:SS+08:00" in text


def test_impossible_date_and_document_that_is_not_a_mapping(ledger: Path, base: Base) -> None:
    rel = "visits/2026-11/520602101201.yaml"
    edit_text(ledger, rel, "date: '2026-11-23'", "date: '2026-11-31'")
    (ledger / f"cadres/{base.leader}.yaml").write_text("- just\n- a list\n", "utf-8")
    commit(ledger)
    got = findings(ledger)
    assert (rel, 1, "schema") in got
    assert (f"cadres/{base.leader}.yaml", 1, "schema") in got
    text = "\n".join(messages_of(ledger, "en"))
    assert "date: invalid value '2026-11-31'; accepted: a real date YYYY-MM-DD" in text
    assert """the document must be a mapping of keys, not '["just", "a list"]'""" in text


# ---------------------------------------------------------------- workflow and histories


def test_state_edited_to_closed_by_hand_differs_from_replay(ledger: Path, base: Base) -> None:
    rel = item_path(base.resolved_item)
    edit_text(ledger, rel, "state: resolved", "state: closed")
    commit(ledger)
    line = line_of(ledger / rel, "state: closed")
    assert findings(ledger) == [(rel, line, "snapshot_mismatch")]
    assert messages_of(ledger, "en") == [
        f"{rel}:{line}: state is 'closed' but replaying history gives 'resolved'; "
        "accepted: a snapshot equal to its history"
    ]


def test_closed_without_feedback_is_a_finding_at_the_close_entry(ledger: Path, base: Base) -> None:
    rel = item_path(base.resolved_item)

    def forge_close(data: dict[str, Any]) -> None:
        data["state"] = "closed"
        data["closed"] = "2026-11-23"
        data["history"].append({"id": "F0RGED0C10", "at": NOW, "by": base.admin, "op": "close", "fields": {}})

    edit_yaml(ledger, rel, forge_close)
    commit(ledger)
    line = line_of(ledger / rel, "op: close")
    assert findings(ledger) == [(rel, line, "closed_without_feedback")]


def test_closed_without_resolve_is_a_finding(ledger: Path, base: Base) -> None:
    rel = item_path(base.closed_item)

    def drop_resolve(data: dict[str, Any]) -> None:
        data["history"] = [entry for entry in data["history"] if entry["op"] not in ("resolve", "feedback")]

    edit_yaml(ledger, rel, drop_resolve)
    commit(ledger)
    assert findings(ledger) == [(rel, line_of(ledger / rel, "op: close"), "closed_unresolved")]


def test_close_with_a_reason_after_resolve_is_legal(ledger: Path, base: Base) -> None:
    rel = item_path(base.resolved_item)

    def close_with_reason(data: dict[str, Any]) -> None:
        data.update(state="closed", closed="2026-11-23", close_reason="农户外出务工，无法回访")
        data["history"].append(
            {
                "id": "REAS0N0C10",
                "at": NOW,
                "by": base.admin,
                "op": "close",
                "fields": {"reason": "农户外出务工，无法回访"},
            }
        )

    edit_yaml(ledger, rel, close_with_reason)
    commit(ledger)
    assert findings(ledger) == []


def test_illegal_transition_in_history(ledger: Path, base: Base) -> None:
    rel = item_path(base.registered_item)

    def progress_before_assign(data: dict[str, Any]) -> None:
        data["state"] = "in_progress"
        data["history"].append(
            {"id": "PR0GRESS00", "at": NOW, "by": base.admin, "op": "progress", "fields": {"note": "x"}}
        )

    edit_yaml(ledger, rel, progress_before_assign)
    commit(ledger)
    assert findings(ledger) == [(rel, line_of(ledger / rel, "op: progress"), "illegal_history")]
    message = messages_of(ledger, "en")[0]
    assert message.startswith(f"{rel}:{line_of(ledger / rel, 'op: progress')}: history[1] (")
    assert message.endswith(
        f"is not a legal step: {base.registered_item} is registered; cannot record progress: "
        "assign it first (issue assign)"
    )


def test_history_entry_missing_a_field(ledger: Path, base: Base) -> None:
    rel = item_path(base.closed_item)
    edit_text(ledger, rel, "    how: solved\n", "")
    edit_text(ledger, rel, "  how: solved\n", "  how: null\n")
    commit(ledger)
    got = findings(ledger)
    assert (rel, line_of(ledger / rel, "how: null"), "schema") in got
    # the schema finding stops the replay; fixed snapshot, the history alone is reported:
    edit_text(ledger, rel, "  how: null\n", "  how: solved\n")
    commit(ledger)
    assert findings(ledger) == [(rel, line_of(ledger / rel, "op: resolve") + 1, "illegal_history")]
    assert "history[2] (resolve) lacks fields.how" in messages_of(ledger, "en")[0]


def test_history_going_back_in_time(ledger: Path, base: Base) -> None:
    rel = item_path(base.closed_item)

    def backdate(data: dict[str, Any]) -> None:
        data["history"][3]["at"] = "2026-11-22T09:00:00+08:00"

    edit_yaml(ledger, rel, backdate)
    commit(ledger)
    # Out of order, and (issue 15) feedback now dated before the resolve it answers.
    found = findings(ledger)
    assert (rel, line_of(ledger / rel, "2026-11-22T09:00:00"), "history_order") in found
    assert {code for _, _, code in found} == {"history_order", "illegal_history"}


def test_history_entry_ids_are_unique_across_the_ledger(ledger: Path, base: Base) -> None:
    first = item_path(base.closed_item)
    second = item_path(base.registered_item)
    op_id = yamlio.load((ledger / first).read_text("utf-8"))["history"][0]["id"]

    def reuse(data: dict[str, Any]) -> None:
        data["history"][0]["id"] = op_id

    edit_yaml(ledger, second, reuse)
    commit(ledger)
    # items sort by id; the later path in the walk is the one reported
    later = max(first, second)
    assert findings(ledger) == [(later, line_of(ledger / later, f"id: {op_id}"), "duplicate_op_id")]


# ---------------------------------------------------------------- references and pairings


def test_missing_household_reference(ledger: Path, base: Base) -> None:
    rel = item_path(base.resolved_item)
    edit_text(ledger, rel, base.home, "H-ZZZZZZ", count=2)
    commit(ledger)
    line = line_of(ledger / rel, "household: H-ZZZZZZ")
    assert findings(ledger) == [(rel, line, "unknown_ref")]
    assert messages_of(ledger) == [
        f"{rel}:{line}: household 引用的农户 H-ZZZZZZ 不存在：应为台账中已有的农户"
    ]


def test_missing_cadre_unit_and_visit_references(ledger: Path, base: Base) -> None:
    stream = "visits/2026-11/520602101201.yaml"
    edit_text(ledger, stream, f"by: [{base.cadre}, {base.leader}]", f"by: [{base.cadre}, C-ZZZZZZ]")
    cadre_file = f"cadres/{base.leader}.yaml"
    edit_text(ledger, cadre_file, "unit: '520602101'", "unit: '520602109'", count=2)
    commit(ledger)
    assert findings(ledger) == [
        (cadre_file, line_of(ledger / cadre_file, "unit: '520602109'"), "unknown_ref"),
        (stream, 1, "unknown_ref"),
    ]


def test_household_in_a_unit_that_is_not_a_village(ledger: Path, base: Base) -> None:
    old = home_path(base.other_home, "520602101202")
    new = home_path(base.other_home, "520602101")
    (ledger / new).parent.mkdir(parents=True)
    (ledger / old).rename(ledger / new)
    edit_text(ledger, new, "village: '520602101202'", "village: '520602101'")
    commit(ledger)
    got = findings(ledger)
    assert (new, line_of(ledger / new, "village: '520602101'"), "schema") in got  # not 12 digits
    assert (new, line_of(ledger / new, "village: '520602101'"), "unknown_ref") in got  # a township


def test_pairing_recorded_on_one_side_only(ledger: Path, base: Base) -> None:
    rel = home_path(base.home)

    def forget_pairing(data: dict[str, Any]) -> None:
        data["pairings"] = []
        data["history"] = [entry for entry in data["history"] if entry["op"] != "pair"]

    edit_yaml(ledger, rel, forget_pairing)
    commit(ledger)
    cadre_file = f"cadres/{base.cadre}.yaml"
    line = line_of(ledger / cadre_file, f"- {base.home}")
    assert findings(ledger) == [(cadre_file, line, "unpaired")]
    assert messages_of(ledger, "en") == [
        f"{cadre_file}:{line}: pairings[0] is {base.home} but {rel} does not list {base.cadre} in its pairings; "
        "accepted: a pairing on both sides"
    ]


# ---------------------------------------------------------------- duplicates


def test_duplicate_visit_document_in_a_stream(ledger: Path, base: Base) -> None:
    rel = "visits/2026-11/520602101201.yaml"
    text = (ledger / rel).read_text("utf-8")
    (ledger / rel).write_text(text + text, "utf-8")
    commit(ledger)
    assert findings(ledger) == [(rel, 2, "duplicate_id")]
    assert messages_of(ledger, "en") == [
        f"{rel}:2: id {base.visit} is also used at {rel}:1; accepted: each id once"
    ]


def test_copied_cadre_file_is_misnamed_and_a_duplicate(ledger: Path, base: Base) -> None:
    source = f"cadres/{base.cadre}.yaml"
    copy = "cadres/C-ZZZZZZ.yaml"
    shutil.copy(ledger / source, ledger / copy)
    commit(ledger)
    id_line = line_of(ledger / copy, f"id: {base.cadre}")
    got = findings(ledger)
    reported = sorted({(path, code) for path, _, code in got})
    # whichever of the two sorts later is the duplicate; the copy is misnamed either way
    later = max(source, copy)
    assert (copy, id_line, "misnamed") in got
    assert (later, id_line, "duplicate_id") in got
    assert reported == sorted({(copy, "misnamed"), (later, "duplicate_id"), (later, "duplicate_op_id")})
    assert [code for _, _, code in got].count("duplicate_op_id") == 2  # create and pair entries


def test_two_households_with_the_same_id_number(ledger: Path, base: Base) -> None:
    first = home_path(base.home)
    second = home_path(base.other_home, "520602101202")
    digest = yamlio.load((ledger / first).read_text("utf-8"))["id_hash"]
    old = yamlio.load((ledger / second).read_text("utf-8"))["id_hash"]
    edit_text(ledger, second, old, digest, count=2)
    commit(ledger)
    later = max(first, second)
    assert findings(ledger) == [(later, line_of(ledger / later, "id_hash:"), "duplicate_id_hash")]


# ---------------------------------------------------------------- layout


def test_files_in_unexpected_places(ledger: Path, base: Base) -> None:
    item = item_path(base.registered_item)
    shutil.copy(ledger / item, ledger / f"issues/{base.registered_item}.yaml")
    (ledger / item).unlink()
    (ledger / "notes.txt").write_text("随手记\n", "utf-8")
    (ledger / "cadres/.C-ABCDEF.yaml.123.tmp").write_text("id: x\n", "utf-8")
    commit(ledger)
    assert findings(ledger) == [
        ("cadres/.C-ABCDEF.yaml.123.tmp", 1, "unexpected_path"),
        (f"issues/{base.registered_item}.yaml", 1, "unexpected_path"),
        ("notes.txt", 1, "unexpected_path"),
    ]
    text = messages_of(ledger, "en")
    assert text[1] == (
        f"issues/{base.registered_item}.yaml:1: file is not part of the ledger layout; "
        "accepted here: issues/<yyyy>/Q-XXXXXX.yaml"
    )
    assert text[2].startswith(
        "notes.txt:1: file is not part of the ledger layout; accepted here: minqing.yaml,"
    )


def test_symlink_is_not_a_ledger_file(ledger: Path, base: Base) -> None:
    (ledger / "cadres/C-LINK00.yaml").symlink_to(ledger / f"cadres/{base.cadre}.yaml")
    commit(ledger)
    assert findings(ledger) == [("cadres/C-LINK00.yaml", 1, "unexpected_path")]


def test_household_under_the_wrong_village(ledger: Path, base: Base) -> None:
    old = home_path(base.other_home, "520602101202")
    new = home_path(base.other_home, "520602101201")
    git(ledger, "mv", old, new)
    commit(ledger)
    line = line_of(ledger / new, "village: '520602101202'")
    assert findings(ledger) == [(new, line, "misplaced")]
    assert messages_of(ledger, "en") == [
        f"{new}:{line}: village is '520602101202', which does not match where the file is; accepted: {old}"
    ]


def test_item_under_the_wrong_year_and_misnamed(ledger: Path, base: Base) -> None:
    old = item_path(base.registered_item)
    moved = f"issues/2025/{base.registered_item}.yaml"
    (ledger / "issues/2025").mkdir()
    git(ledger, "mv", old, moved)
    renamed = item_path("Q-ZZZZZZ")
    git(ledger, "mv", item_path(base.closed_item), renamed)
    commit(ledger)
    assert findings(ledger) == sorted(
        [
            (moved, line_of(ledger / moved, "created: '2026-11-23'"), "misplaced"),
            (renamed, 1, "misnamed"),
        ]
    )


def test_visit_stream_in_the_wrong_month_and_village(ledger: Path, base: Base) -> None:
    (ledger / "visits/2026-10").mkdir()
    moved = "visits/2026-10/520602101202.yaml"
    git(ledger, "mv", "visits/2026-11/520602101201.yaml", moved)
    commit(ledger)
    assert findings(ledger) == [(moved, 1, "misplaced"), (moved, 1, "misplaced")]
    text = messages_of(ledger, "en")
    assert text == [
        f"{moved}:1: date is '2026-11-23', which does not match where the file is; "
        "accepted: visits/2026-11/520602101202.yaml",
        f"{moved}:1: village is '520602101201', which does not match where the file is; "
        "accepted: visits/2026-10/520602101201.yaml",
    ]


def test_config_with_unknown_role_and_text_where_a_number_belongs(ledger: Path) -> None:
    rel = "minqing.yaml"
    edit_text(ledger, rel, "  clerk: []\n", "  boss:\n  - county\n")
    edit_text(ledger, rel, "petition_answer_days: 60", "petition_answer_days: '60'")
    commit(ledger)
    path = ledger / rel
    assert findings(ledger) == sorted(
        [
            (rel, line_of(path, "boss:"), "schema"),
            (rel, line_of(path, "petition_answer_days: '60'"), "schema"),
        ]
    )
    text = messages_of(ledger, "en")
    assert text == sorted(
        [
            f"{rel}:{line_of(path, 'boss:')}: close_levels.boss: invalid value 'boss'; "
            "accepted: clerk|village|township_leader|county_leader|admin",
            f"{rel}:{line_of(path, 'petition_answer_days')}: deadlines.petition_answer_days: invalid value '60'; "
            "accepted: a whole number ≥ 1",
        ],
        key=lambda line: int(line.split(":")[1]),
    )


# ---------------------------------------------------------------- org tree


def test_org_tree_codes_parents_and_county(ledger: Path) -> None:
    rel = "org/units.yaml"

    def break_tree(data: dict[str, Any]) -> None:
        data["units"] += [
            {"code": "520602102201", "name": "无乡村", "level": "village", "parent": "520602102"},
            {"code": "520603101202", "name": "错码村", "level": "village", "parent": "520602101"},
            {"code": "5206021012", "name": "短码村", "level": "village", "parent": "520602101"},
            {"code": "520602101203", "name": "挂错层", "level": "village", "parent": "520602"},
            {"code": "520602101201", "name": "重复村", "level": "village", "parent": "520602101"},
        ]

    edit_yaml(ledger, rel, break_tree)
    edit_text(ledger, "minqing.yaml", "code: '520602'", "code: '520603'")
    commit(ledger)
    path = ledger / rel
    assert findings(ledger) == sorted(
        [
            ("minqing.yaml", line_of(ledger / "minqing.yaml", "code: '520603'"), "county_mismatch"),
            (rel, line_of(path, "parent: '520602102'"), "org_parent"),
            (rel, line_of(path, "code: '520603101202'"), "org_code"),
            (rel, line_of(path, "code: '5206021012'"), "org_code"),
            (rel, line_of(path, "code: '5206021012'"), "schema"),
            (rel, line_of(path, "parent: '520602'", 2), "org_parent"),
            (rel, line_of(path, "code: '520602101201'", 2), "duplicate_code"),
        ]
    )
    text = "\n".join(messages_of(ledger, "en"))
    assert "parent: unit code '520602102' is not in the org tree" in text
    assert (
        "code: code '520603101202' is invalid; accepted: a code that starts with its parent's 520602101"
        in text
    )
    assert "code: code '5206021012' is invalid; accepted: 12 digits for a village" in text
    assert "parent: '520602' is a county unit; accepted: a village unit" not in text
    assert "parent: '520602' is a county unit; accepted: a township unit" in text


# ---------------------------------------------------------------- output


def test_plain_output_is_sorted_path_line_and_json_has_stable_keys(ledger: Path, base: Base) -> None:
    edit_text(ledger, item_path(base.resolved_item), "state: resolved", "state: closed")
    edit_text(ledger, home_path(base.home), "status: general", "status: rich")
    (ledger / "notes.txt").write_text("x\n", "utf-8")
    commit(ledger)
    result = run("--lang", "en", "check", ledger=ledger)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert keys == sorted(keys) and len(lines) == 3
    assert all(re.match(r"^[^:]+:\d+: \S", line) for line in lines)
    assert result.stderr.strip() == "3 findings in 13 files"
    data = json.loads(run("check", "--json", ledger=ledger).stdout)
    assert data["count"] == 3
    assert all(list(f) == ["path", "line", "code", "message"] for f in data["findings"])


def test_check_does_not_write_anything(ledger: Path, base: Base) -> None:
    edit_text(ledger, item_path(base.resolved_item), "state: resolved", "state: closed")
    commit(ledger)
    before = git(ledger, "rev-parse", "HEAD"), git(ledger, "status", "--porcelain")
    assert run("check", ledger=ledger).exit_code == 1
    assert (git(ledger, "rev-parse", "HEAD"), git(ledger, "status", "--porcelain")) == before


# ---------------------------------------------------------------- schemas themselves


def test_schemas_are_valid_draft_2020_12_and_enums_match_the_model() -> None:
    from jsonschema import Draft202012Validator

    for kind in schema.KINDS:
        Draft202012Validator.check_schema(schema.load(kind))
    props = {kind: schema.load(kind)["properties"] for kind in schema.KINDS}
    assert props["item"]["kind"]["enum"] == list(model.ITEM_KINDS)
    assert props["item"]["ledger"]["enum"] == list(model.LEDGERS)
    assert props["item"]["category"]["enum"] == list(model.CATEGORIES)
    assert props["item"]["source"]["enum"] == list(model.SOURCES)
    assert props["item"]["level"]["enum"] == list(model.LEVELS)
    assert props["item"]["state"]["enum"] == [*model.STATES, model.VOIDED]
    assert props["item"]["resolution"]["properties"]["how"]["enum"] == list(model.HOW)
    assert props["item"]["feedback"]["enum"] == [*model.FEEDBACK, None]
    assert props["item"]["history"]["items"]["properties"]["op"]["enum"] == list(items.ITEM_OPS)
    assert props["cadre"]["role"]["enum"] == list(model.ROLES)
    assert props["cadre"]["status"]["enum"] == list(model.CADRE_STATUS)
    assert props["household"]["status"]["enum"] == list(model.HOUSEHOLD_STATUS)
    assert list(props["household"]["indicators"]["properties"]) == list(model.INDICATORS)
    assert props["household"]["indicators"]["properties"]["food"]["enum"] == list(model.INDICATOR_VALUES)
    assert props["visit"]["kind"]["enum"] == list(model.VISIT_KINDS)
    assert props["activity"]["kind"]["enum"] == list(model.ACTIVITY_KINDS)
    assert props["review"]["grade"]["enum"] == list(model.REVIEW_GRADES)
    assert props["units"]["units"]["items"]["properties"]["level"]["enum"] == list(model.UNIT_LEVELS[1:])
    # each record's keys, in the order the tools write them
    assert list(props["cadre"]) == [f.name for f in dataclasses.fields(model.Cadre) if f.name != "source"]
    assert list(props["household"]) == [
        f.name for f in dataclasses.fields(model.Household) if f.name != "source"
    ]
    assert list(props["visit"]) == [f.name for f in dataclasses.fields(model.Visit) if f.name != "source"]
    item_fields = [spec.name for spec in dataclasses.fields(model.Item)]
    item_keys = [model.ITEM_FILE_KEYS.get(f, f) for f in item_fields if f != "source"]
    assert list(props["item"]) == item_keys


def test_shared_definitions_are_the_same_in_every_schema() -> None:
    seen: dict[str, Any] = {}
    for kind in schema.KINDS:
        for name, definition in schema.load(kind).get("$defs", {}).items():
            assert seen.setdefault(name, definition) == definition, (kind, name)
    assert {"date", "timestamp", "code", "cadre_id", "history"} <= set(seen)


NASTY = [None, 0, -1, 1.5, True, "", "x", "2026-02-30", "C-ZZZZZZ", [], ["x"], [None], {}, {"k": 1}]


def test_fast_schema_gate_agrees_with_jsonschema_and_checks_never_crash(base: Base) -> None:
    from jsonschema import Draft202012Validator

    raw_files = checks.read_tree(base.path)
    parsed, problems = checks.parse_files(raw_files)
    assert problems == []
    samples = {f.kind: f for f in parsed if f.kind in schema.KINDS}
    samples["activity"] = checks.LedgerFile(
        "activities/2026-11.yaml",
        "activity",
        "",
        [
            {
                "id": "A-7K3M2Q",
                "date": "2026-11-20",
                "kind": "night_school",
                "unit": "520602101201",
                "title": "农民夜校",
                "participants": 40,
                "by": [base.cadre],
                "note": None,
                "at": NOW,
                "recorded_by": base.admin,
            }
        ],
    )
    samples["review"] = checks.LedgerFile(
        "reviews/2026Q4/520602101201.yaml",
        "review",
        "",
        [
            {
                "id": "R-7K3M2Q",
                "team": "520602101201",
                "quarter": "2026Q4",
                "report": "述职",
                "comment": None,
                "ratings": {"satisfied": 30, "basic": 5, "unsatisfied": 1},
                "grade": "good",
                "items": [],
                "history": [{"id": "7K3M2Q9XAB", "at": NOW, "by": base.admin, "op": "create", "fields": {}}],
            }
        ],
    )
    others = [f for f in parsed if f.path not in {s.path for s in samples.values()}]
    tried = 0
    for kind, sample_file in samples.items():
        gate = schema.compiled(kind)
        assert gate is not None, kind
        reference = Draft202012Validator(
            schema.load(kind), format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        assert gate(sample_file.docs[0]) and reference.is_valid(sample_file.docs[0])
        for keys, mutated in mutations(sample_file.docs[0], NASTY, items=2, dropped=3, additions=False):
            tried += 1
            assert gate(mutated) == reference.is_valid(mutated), (kind, keys, mutated)
            if tried % 20:
                continue  # the full check on a sample of mutations: it must report, never raise
            text = yamlio.dump(mutated) if isinstance(mutated, dict) else ""
            broken = checks.LedgerFile(sample_file.path, kind, text, [mutated])
            corpus = checks.Corpus([*others, broken], "en")
            for check_fn in checks.CHECKS:
                check_fn(corpus)
    assert tried > 2000
