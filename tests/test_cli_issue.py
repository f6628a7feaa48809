"""The item workflow through the CLI: every allowed transition (state written, one commit per operation with its
trailers, authored by the acting cadre) and every refused one (exit 2, one line, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import refused, run
from foundation_util import (
    World,
    commits,
    first_id,
    head,
    item_file,
    item_rel,
    last_commit,
    world_template,
)

NAMES = {
    "admin": "测试管理员",
    "clerk": "测试录入员",
    "village": "测试村干部",
    "town": "测试乡领导",
    "county": "测试县领导",
}


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    """A private copy of the prepared world: allowed operations write to it."""
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> World:
    """One copy for all refused commands: they write nothing, and `refused` checks that they did not."""
    return world_template(tmp_path_factory).copy(tmp_path_factory.mktemp("refused") / "ledger")


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def assert_op_commit(w: World, item_id: str, op: str, actor_key: str) -> None:
    """The newest commit is this operation alone: trailers, author = the acting cadre, only the item's file."""
    commit = last_commit(w.path)
    assert commit.trailers == {
        "Ledger-Op": [op],
        "Ledger-Entry": [item_id],
        "Ledger-Actor": [w[actor_key]],
    }
    assert (commit.author, commit.email) == (NAMES[actor_key], f"{w[actor_key]}@minqing.invalid")
    assert commit.files == (item_rel(w.path, item_id),)


# ---------------------------------------------------------------- allowed


def test_full_lifecycle_one_commit_per_operation_with_trailers_and_author(w: World) -> None:
    before = len(commits(w.path))
    out = ok(
        w,
        "issue", "add", "--desc", "村道路灯损坏", "--category", "infrastructure", "--kind", "problem",
        "--ledger", "livelihood", "--source", "grid", "--unit", "520602101201", "--as", w["clerk"],
    )  # fmt: skip
    q = first_id(out)
    assert out == f"{q} 已登记\n"
    assert_op_commit(w, q, "issue.add", "clerk")
    assert last_commit(w.path).subject == f"登记 {q} 村道路灯损坏"
    data = item_file(w.path, q)
    assert (data["state"], data["level"], data["unit"], data["household"], data["created"]) == (
        "registered", "village", "520602101201", None, "2026-11-23")  # fmt: skip

    out = ok(
        w,
        "issue", "assign", q, "--leader", w["town"], "--unit", "乡交通站", "--due", "2026-12-07",
        "--team", f"{w['village']},{w['county']}", "--plan", "更换灯具", "--as", w["town"],
    )  # fmt: skip
    assert out == f"{q} 已交办 时限 2026-12-07\n"
    assert_op_commit(w, q, "issue.assign", "town")
    assert last_commit(w.path).subject == f"交办 {q} 村道路灯损坏 → 测试乡领导 (限 2026-12-07)"
    data = item_file(w.path, q)
    assert (data["state"], data["leader"], data["resp_unit"], data["due"], data["team"], data["plan"]) == (
        "assigned", w["town"], "乡交通站", "2026-12-07", [w["village"], w["county"]], "更换灯具")  # fmt: skip

    ok(w, "issue", "progress", q, "--note", "已联系供电所", "--as", w["village"])
    assert_op_commit(w, q, "issue.progress", "village")
    assert item_file(w.path, q)["state"] == "in_progress"

    ok(w, "issue", "resolve", q, "--how", "solved", "--note", "已更换路灯", "--as", w["village"])
    assert_op_commit(w, q, "issue.resolve", "village")
    data = item_file(w.path, q)
    assert data["state"] == "resolved"
    assert data["resolution"] == {"how": "solved", "note": "已更换路灯", "date": "2026-11-23"}

    ok(w, "issue", "feedback", q, "--result", "satisfied", "--note", "满意", "--as", w["clerk"])
    assert_op_commit(w, q, "issue.feedback", "clerk")
    assert item_file(w.path, q)["feedback"] == "satisfied"

    out = ok(w, "issue", "close", q, "--as", w["village"])
    assert out == f"{q} 已销号\n"
    assert_op_commit(w, q, "issue.close", "village")
    data = item_file(w.path, q)
    assert (data["state"], data["closed"]) == ("closed", "2026-11-23")

    ok(w, "issue", "reopen", q, "--reason", "回访发现路灯又坏", "--as", w["town"])
    assert_op_commit(w, q, "issue.reopen", "town")
    data = item_file(w.path, q)
    assert (data["state"], data["closed"], data["feedback"], data["resolution"]) == (
        "in_progress",
        None,
        None,
        None,
    )

    ops = ["create", "assign", "progress", "resolve", "feedback", "close", "reopen"]
    actors = ["clerk", "town", "village", "village", "clerk", "village", "town"]
    assert [entry["op"] for entry in data["history"]] == ops
    assert [entry["by"] for entry in data["history"]] == [w[key] for key in actors]
    assert len({entry["id"] for entry in data["history"]}) == len(ops)
    assert data["history"][1]["fields"] == {
        "leader": w["town"], "resp_unit": "乡交通站", "due": "2026-12-07",
        "team": [w["village"], w["county"]], "plan": "更换灯具",
    }  # fmt: skip

    # `git log -- <item file>`: exactly one commit per operation, newest first, each with the trailers.
    story = commits(w.path, item_rel(w.path, q))
    assert [c.trailers["Ledger-Op"] for c in reversed(story)] == [
        ["issue.add"], ["issue.assign"], ["issue.progress"], ["issue.resolve"], ["issue.feedback"],
        ["issue.close"], ["issue.reopen"],
    ]  # fmt: skip
    assert all(c.trailers["Ledger-Entry"] == [q] for c in story)
    assert [c.trailers["Ledger-Actor"] for c in reversed(story)] == [[w[key]] for key in actors]
    assert [c.email for c in reversed(story)] == [f"{w[key]}@minqing.invalid" for key in actors]
    assert len(commits(w.path)) == before + 7


@pytest.mark.parametrize("state", ["registered", "assigned", "in_progress"])
def test_escalate_from_each_open_state(w: World, state: str) -> None:
    q = w[state]
    out = ok(
        w, "issue", "escalate", q, "--to", "township", "--reason", "需乡镇协调资金", "--as", w["village"]
    )
    assert out == f"{q} 已登记 乡镇\n"
    assert_op_commit(w, q, "issue.escalate", "village")
    assert last_commit(w.path).subject.startswith(f"上报 {q} ")
    data = item_file(w.path, q)
    assert (data["state"], data["level"], data["leader"], data["due"], data["team"], data["plan"]) == (
        "registered", "township", None, None, [], None)  # fmt: skip
    assert data["history"][-1]["fields"] == {"to": "township", "reason": "需乡镇协调资金"}
    # History is kept: the earlier operations are still there.
    assert data["history"][0]["op"] == "create"


def test_escalate_village_straight_to_county_and_township_to_county(w: World) -> None:
    ok(w, "issue", "escalate", w["registered"], "--to", "county", "--reason", "跨乡镇", "--as", w["town"])
    assert item_file(w.path, w["registered"])["level"] == "county"
    q = w["in_progress"]
    ok(w, "issue", "escalate", q, "--to", "township", "--reason", "村里解决不了", "--as", w["village"])
    ok(w, "issue", "assign", q, "--leader", w["town"], "--due", "2026-12-15", "--as", w["town"])
    ok(w, "issue", "escalate", q, "--to", "county", "--reason", "需区里协调", "--as", w["town"])
    data = item_file(w.path, q)
    assert (data["state"], data["level"]) == ("registered", "county")
    assert [e["fields"].get("to") for e in data["history"] if e["op"] == "escalate"] == ["township", "county"]
    assert [c.trailers["Ledger-Op"][0] for c in commits(w.path, item_rel(w.path, q))][:3] == [
        "issue.escalate", "issue.assign", "issue.escalate"]  # fmt: skip


def test_unsatisfied_feedback_sends_the_item_back_to_in_progress(w: World) -> None:
    q = w["resolved"]
    out = ok(w, "issue", "feedback", q, "--result", "unsatisfied", "--note", "还是漏", "--as", w["clerk"])
    assert out == f"{q} 办理中 时限 2026-12-07\n"
    assert_op_commit(w, q, "issue.feedback", "clerk")
    data = item_file(w.path, q)
    assert (data["state"], data["feedback"], data["resolution"]) == ("in_progress", "unsatisfied", None)
    # Worked again, resolved again; the household cannot be reached, so it is closed with a recorded reason.
    ok(w, "issue", "resolve", q, "--how", "solved", "--note", "再次维修", "--as", w["village"])
    assert item_file(w.path, q)["feedback"] is None
    ok(w, "issue", "close", q, "--reason", "农户外出务工，联系不上", "--as", w["town"])
    data = item_file(w.path, q)
    assert (data["state"], data["close_reason"]) == ("closed", "农户外出务工，联系不上")
    assert [e["op"] for e in data["history"]] == [
        "create", "assign", "resolve", "feedback", "resolve", "close"]  # fmt: skip


def test_basic_feedback_then_close_by_each_role_allowed_at_village_level(w: World) -> None:
    for key in ("village", "town", "county", "admin"):
        q = first_id(ok(w, "issue", "add", "--desc", f"{key} 的事项", "--category", "other",
                        "--household", w["h2"]))  # fmt: skip
        ok(w, "issue", "resolve", q, "--how", "explained", "--note", "政策解释")
        ok(w, "issue", "feedback", q, "--result", "basic")
        ok(w, "issue", "close", q, "--as", w[key])
        assert_op_commit(w, q, "issue.close", key)
        assert item_file(w.path, q)["state"] == "closed"


def test_township_level_item_closed_by_a_township_leader(w: World) -> None:
    q = w["township_resolved"]
    ok(w, "issue", "close", q, "--as", w["town"])
    assert item_file(w.path, q)["state"] == "closed"


def test_extend_an_ordinary_item_twice(w: World) -> None:
    q = w["assigned"]
    assert ok(w, "issue", "extend", q, "--to", "2026-12-20", "--reason", "等待材料", "--as", w["village"]) == (
        f"{q} 已交办 时限 2026-12-20\n")  # fmt: skip
    assert_op_commit(w, q, "issue.extend", "village")
    assert last_commit(w.path).subject == f"延期 {q} 院坝开裂 至 2026-12-20"
    ok(w, "issue", "extend", q, "--to", "2027-03-01", "--reason", "冬季停工", "--as", w["town"])
    data = item_file(w.path, q)
    assert (data["due"], data["extensions"]) == ("2027-03-01", 2)


def test_petition_deadlines_default_and_one_extension_within_30_days(w: World) -> None:
    out = ok(w, "issue", "add", "--desc", "反映低保评定", "--category", "policy", "--kind", "petition",
             "--ledger", "stability", "--source", "petition", "--household", w["h1"])  # fmt: skip
    q = first_id(out)
    data = item_file(w.path, q)
    # 2026-11-23 is a Monday: assign by the next working day (日接日清), answer within 60 days.
    assert (data["assign_by"], data["due"]) == ("2026-11-24", "2027-01-22")
    ok(w, "issue", "assign", q, "--leader", w["town"], "--unit", "乡信访办")
    assert item_file(w.path, q)["due"] == "2027-01-22"
    ok(w, "issue", "extend", q, "--to", "2027-02-21", "--reason", "需调查取证", "--as", w["town"])
    data = item_file(w.path, q)
    assert (data["due"], data["extensions"]) == ("2027-02-21", 1)


def test_petition_assigned_on_a_friday_is_due_for_assignment_on_monday(w: World, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_NOW", "2026-11-27T09:00:00+08:00")
    q = first_id(ok(w, "issue", "add", "--desc", "周五来访", "--category", "policy", "--kind", "petition",
                    "--source", "petition", "--unit", "520602101202"))  # fmt: skip
    assert item_file(w.path, q)["assign_by"] == "2026-11-30"


def test_claim_a_wish_and_resolve_it_fulfilled(w: World) -> None:
    q = w["wish"]
    assert ok(w, "issue", "claim", q, "--by", w["village"], "--as", w["clerk"]) == f"{q} 已交办\n"
    assert_op_commit(w, q, "issue.claim", "clerk")
    data = item_file(w.path, q)
    assert (data["state"], data["claimed_by"], data["leader"]) == ("assigned", w["village"], w["village"])
    ok(w, "issue", "resolve", q, "--how", "fulfilled", "--note", "已送电视", "--as", w["village"])
    data = item_file(w.path, q)
    assert (data["state"], data["resolution"]["how"]) == ("resolved", "fulfilled")


def test_resolve_explained_and_on_the_spot(w: World) -> None:
    ok(w, "issue", "resolve", w["registered"], "--how", "explained", "--note", "不符合危改条件，已解释政策")
    ok(w, "issue", "resolve", w["assigned"], "--how", "on_the_spot", "--note", "当场修好")
    assert item_file(w.path, w["registered"])["resolution"]["how"] == "explained"
    assert item_file(w.path, w["assigned"])["resolution"]["how"] == "on_the_spot"


def test_on_the_spot_resolution_through_visit_add_is_part_of_the_visit_commit(w: World) -> None:
    before = len(commits(w.path))
    out = ok(
        w,
        "visit", "add", "--household", w["h1"], "--by", f"{w['town']},{w['village']}", "--date", "2026-11-22",
        "--raise", "水管爆裂", "--category", "water", "--on-spot", "当场更换水管",
        "--raise", "危房改造", "--category", "housing", "--as", w["clerk"],
    )  # fmt: skip
    lines = out.splitlines()
    visit_id = first_id(lines[0])
    spot, later = first_id(lines[1].strip()), first_id(lines[2].strip())
    assert lines[1].strip() == f"{spot} 已办结 水管爆裂"
    assert lines[2].strip() == f"{later} 已登记 危房改造"
    assert len(commits(w.path)) == before + 1
    commit = last_commit(w.path)
    assert commit.trailers == {
        "Ledger-Op": ["visit.add"],
        "Ledger-Entry": [visit_id, spot, later],
        "Ledger-Actor": [w["clerk"]],
        "Ledger-Visitor": [
            w["town"],
            w["village"],
        ],  # one per visitor, so `git log --grep` finds each (issue 17)
    }
    data = item_file(w.path, spot)
    assert data["state"] == "resolved"
    assert data["resolution"] == {"how": "on_the_spot", "note": "当场更换水管", "date": "2026-11-22"}
    assert [e["op"] for e in data["history"]] == ["create", "resolve"]
    assert (data["visit"], data["source"], data["created"]) == (visit_id, "visit", "2026-11-22")
    assert item_file(w.path, later)["state"] == "registered"


def test_unique_prefix_lowercase_and_crockford_aliases_are_accepted(w: World) -> None:
    q = w["registered"]
    ok(w, "issue", "progress", w["assigned"][:5].lower(), "--note", "开工")
    assert item_file(w.path, w["assigned"])["state"] == "in_progress"
    body = q[2:].replace("1", "l").replace("0", "o").lower()
    shown = json.loads(ok(w, "issue", "show", "q-" + body, "--json"))
    assert shown["id"] == q


def test_acting_cadre_from_environment(w: World, env_as) -> None:
    env_as(w["village"])
    ok(w, "issue", "progress", w["assigned"], "--note", "已开工")
    assert_op_commit(w, w["assigned"], "issue.progress", "village")
    # --as wins over MINQING_USER.
    ok(w, "issue", "progress", w["assigned"], "--note", "过半", "--as", w["town"])
    assert_op_commit(w, w["assigned"], "issue.progress", "town")


def test_show_text_and_json(w: World) -> None:
    q = w["closed"]
    data = json.loads(ok(w, "issue", "show", q, "--json"))
    assert (data["id"], data["state"], data["feedback"], data["overdue"]) == (q, "closed", "basic", False)
    assert data["path"] == item_rel(w.path, q)
    assert [e["op"] for e in data["history"]] == ["create", "assign", "resolve", "feedback", "close"]
    text = ok(w, "issue", "show", q)
    assert "state         已销号" in text
    assert "历史：" in text and "  销号  " in text
    assert f"team={w['village']}, plan=维修" in text  # lists shown as ids, not Python reprs


def test_list_filters(w: World, monkeypatch) -> None:
    def ids(*options: str) -> list[str]:
        return sorted(row["id"] for row in json.loads(ok(w, "issue", "list", "--json", *options)))

    assert ids("--state", "closed") == [w["closed"]]
    assert ids("--state", "in_progress") == [w["in_progress"]]
    assert set(ids("--state", "open")) >= {w["registered"], w["assigned"], w["petition"], w["county_level"]}
    assert w["closed"] not in ids("--state", "open")
    assert ids("--kind", "wish") == sorted([w["wish"], w["wish_claimed"]])
    assert ids("--kind", "petition", "--ledger", "stability") == sorted(
        [w["petition"], w["petition_extended"]]
    )
    assert ids("--category", "water") == [w["county_level"]]
    assert ids("--unit", "520602101202") == [w["county_level"]]
    assert set(ids("--leader", w["town"])) == {
        w["assigned"], w["in_progress"], w["resolved"], w["resolved_fb"], w["closed"],
        w["township_resolved"], w["petition_extended"], w["wish_claimed"],
    }  # fmt: skip
    assert ids("--overdue") == []
    monkeypatch.setenv("MINQING_NOW", "2026-12-10T09:00:00+08:00")
    assert ids("--overdue") == sorted([w["assigned"], w["in_progress"]])
    rows = json.loads(ok(w, "issue", "list", "--json", "--overdue"))
    assert all(row["overdue"] is True for row in rows)
    assert list(rows[0]) == [
        "id", "kind", "ledger", "category", "desc", "unit", "household", "level", "state", "created", "due",
        "leader", "overdue",
    ]  # fmt: skip


# ---------------------------------------------------------------- refused


REFUSED = [
    # (case id, argv with {names} from the world, text that must appear in the one-line message)
    ("close-registered", "issue close {registered}", "不能销号"),
    ("close-assigned", "issue close {assigned}", "不能销号"),
    ("close-in-progress", "issue close {in_progress}", "请先办结"),
    ("close-closed", "issue close {closed}", "已销号"),
    ("close-resolved-no-feedback-no-reason", "issue close {resolved}", "--reason"),
    ("close-by-clerk", "issue close {resolved_fb} --as {clerk}", "录入员"),
    ("close-township-item-by-village-cadre", "issue close {township_resolved} --as {village}", "乡镇级事项"),
    ("resolve-closed", "issue resolve {closed} --how solved --note x", "只有未办结的事项才能办结"),
    ("resolve-resolved", "issue resolve {resolved} --how solved --note x", "已办结"),
    ("resolve-fulfilled-non-wish", "issue resolve {assigned} --how fulfilled --note x", "微心愿"),
    (
        "resolve-bad-how",
        "issue resolve {assigned} --how magic --note x",
        "solved|explained|on_the_spot|fulfilled",
    ),
    ("resolve-no-note", "issue resolve {assigned} --how solved", "--note"),
    ("feedback-registered", "issue feedback {registered} --result satisfied", "回访意见在办结之后"),
    ("feedback-assigned", "issue feedback {assigned} --result satisfied", "不能回访"),
    ("feedback-in-progress", "issue feedback {in_progress} --result basic", "不能回访"),
    ("feedback-closed", "issue feedback {closed} --result satisfied", "已销号"),
    ("feedback-bad-result", "issue feedback {resolved} --result meh", "satisfied|basic|unsatisfied"),
    ("progress-before-assign", "issue progress {registered} --note 已开工", "请先交办"),
    ("progress-resolved", "issue progress {resolved} --note x", "已办结"),
    ("progress-empty-note", "issue progress {assigned} --note ' '", "--note"),
    ("escalate-resolved", "issue escalate {township_resolved} --to township --reason x", "已办结"),
    (
        "escalate-county-to-township",
        "issue escalate {county_level} --to township --reason x",
        "已在县（区）级",
    ),
    ("escalate-county-to-county", "issue escalate {county_level} --to county --reason x", "--to 必须更高"),
    ("escalate-to-village", "issue escalate {registered} --to village --reason x", "township|county"),
    ("escalate-closed", "issue escalate {closed} --to township --reason x", "已销号"),
    ("escalate-no-reason", "issue escalate {registered} --to township", "--reason"),
    (
        "escalate-by-clerk",
        "issue escalate {registered} --to township --reason x --as {clerk}",
        "issue.escalate",
    ),
    ("reopen-open-item", "issue reopen {assigned} --reason x", "只有已销号的事项才能重新打开"),
    ("reopen-no-reason", "issue reopen {closed}", "--reason"),
    ("reopen-by-clerk", "issue reopen {closed} --reason x --as {clerk}", "issue.reopen"),
    ("extend-registered", "issue extend {registered} --to 2026-12-30 --reason x", "只有已交办"),
    ("extend-earlier", "issue extend {assigned} --to 2026-12-01 --reason x", "2026-12-07"),
    ("extend-same-date", "issue extend {assigned} --to 2026-12-07 --reason x", "新时限必须晚于"),
    ("extend-bad-date", "issue extend {assigned} --to 2026-02-30 --reason x", "2026-02-30"),
    ("extend-slash-date", "issue extend {assigned} --to 2026/12/30 --reason x", "YYYY-MM-DD"),
    ("extend-no-reason", "issue extend {assigned} --to 2026-12-30", "--reason"),
    ("extend-petition-twice", "issue extend {petition_extended} --to 2027-02-10 --reason x", "信访"),
    ("extend-by-clerk", "issue extend {assigned} --to 2026-12-30 --reason x --as {clerk}", "issue.extend"),
    ("claim-non-wish", "issue claim {registered} --by {village}", "只有微心愿可以认领"),
    ("claim-claimed-wish", "issue claim {wish_claimed} --by {village}", "已被"),
    ("claim-unknown-cadre", "issue claim {wish} --by C-ZZZZZZ", "C-ZZZZZZ"),
    ("claim-no-by", "issue claim {wish}", "--by"),
    ("assign-closed", "issue assign {closed} --leader {town} --due 2026-12-30", "只有未办结的事项才能交办"),
    ("assign-no-leader", "issue assign {registered} --due 2026-12-30", "--leader"),
    ("assign-no-due", "issue assign {registered} --leader {town}", "--due"),
    ("assign-past-due", "issue assign {registered} --leader {town} --due 2026-11-01", "2026-11-01"),
    ("assign-bad-due", "issue assign {registered} --leader {town} --due 2026-13-01", "2026-13-01"),
    ("assign-unknown-leader", "issue assign {registered} --leader C-ZZZZZZ --due 2026-12-30", "C-ZZZZZZ"),
    ("assign-recalled-leader", "issue assign {registered} --leader {recalled} --due 2026-12-30", "召回"),
    ("assign-household-as-leader", "issue assign {registered} --leader {h1} --due 2026-12-30", "--leader"),
    (
        "assign-unknown-team",
        "issue assign {registered} --leader {town} --due 2026-12-30 --team C-ZZZZZZ",
        "C-ZZZZZZ",
    ),
    ("recalled-actor-progress", "issue progress {assigned} --note x --as {recalled}", "已被召回"),
    ("recalled-actor-close", "issue close {resolved_fb} --as {recalled}", "已被召回"),
    (
        "recalled-actor-add",
        "issue add --desc x --category other --unit 520602101201 --as {recalled}",
        "已被召回",
    ),
    ("unknown-actor", "issue progress {assigned} --note x --as C-ZZZZZZ", "C-ZZZZZZ"),
    ("malformed-actor", "issue progress {assigned} --note x --as 张三", "--as"),
    ("household-as-actor", "issue progress {assigned} --note x --as {h1}", "--as"),
    ("unknown-id", "issue close Q-ZZZZZZ", "Q-ZZZZZZ"),
    ("unknown-id-show", "issue show Q-ZZZZZZ", "Q-ZZZZZZ"),
    ("malformed-id", "issue resolve XYZ-1 --how solved --note x", "XYZ-1"),
    ("cadre-id-as-item", "issue show {town}", "Q-"),
]


def _argv(w: World, template: str) -> list[str]:
    import shlex

    return [part.format(**w.ids) for part in shlex.split(template)]


@pytest.mark.parametrize(
    ("argv", "contains"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED]
)
def test_refused_transitions_write_nothing(shared: World, argv: str, contains: str) -> None:
    result = refused(shared.path, *_argv(shared, argv))
    assert contains in result.stderr, result.stderr
    assert result.stderr.startswith("minqing: ") and result.stdout == ""


def test_refused_in_english_too(shared: World) -> None:
    result = refused(shared.path, "--lang", "en", "issue", "close", shared["registered"])
    assert result.stderr.strip() == (
        f"minqing: {shared['registered']} is registered; cannot close: "
        "resolve it and record the household's feedback first"
    )


def test_ambiguous_prefix_lists_the_matches(shared: World) -> None:
    prefix = shared.ambiguous_prefix
    matches = sorted(value for value in shared.ids.values() if value.startswith(prefix))
    assert len(matches) >= 2
    result = refused(shared.path, "issue", "show", prefix)
    assert f"“{prefix}”匹配多个事项" in result.stderr
    for match in matches:
        assert match in result.stderr
    refused(shared.path, "issue", "close", prefix.lower(), contains="匹配多个事项")


def test_recalled_actor_from_environment_is_refused(shared: World, env_as) -> None:
    env_as(shared["recalled"])
    refused(shared.path, "issue", "progress", shared["assigned"], "--note", "x", contains="已被召回")


def test_petition_deadline_cannot_be_stretched_by_assign_or_add(shared: World) -> None:
    # The legal answer date (60 days) moves only through `issue extend`, once, by at most 30 days.
    refused(shared.path, "issue", "assign", shared["petition"], "--leader", shared["town"], "--due", "2027-12-31",
            contains="信访")  # fmt: skip
    refused(shared.path, "issue", "add", "--desc", "x", "--category", "policy", "--kind", "petition",
            "--unit", "520602101201", "--due", "2027-06-01", contains="信访")  # fmt: skip


def test_petition_extension_longer_than_30_days_is_refused(w: World) -> None:
    q = w["petition"]
    ok(w, "issue", "assign", q, "--leader", w["town"])
    due = item_file(w.path, q)["due"]
    assert due == "2027-01-22"
    before = head(w.path)
    refused(w.path, "issue", "extend", q, "--to", "2027-02-22", "--reason", "x", "--as", w["town"],
            contains="30")  # fmt: skip
    assert head(w.path) == before
    ok(w, "issue", "extend", q, "--to", "2027-02-21", "--reason", "x", "--as", w["town"])


def test_close_after_unsatisfied_feedback_is_refused(w: World) -> None:
    q = w["resolved"]
    ok(w, "issue", "feedback", q, "--result", "unsatisfied")
    refused(w.path, "issue", "close", q, contains="办理中")
    refused(w.path, "issue", "close", q, "--reason", "联系不上", contains="办理中")
