"""ledgers/workflow.py without the CLI: `apply` is the one place that says which transition is legal, so the whole
state × operation matrix is checked here, plus replay == snapshot on real files and the office's close policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from foundation_util import World, world_template

from minqing.ledgers.core import items as item_rules
from minqing.ledgers.core.config import Config
from minqing.ledgers.core.errors import Refused
from minqing.ledgers.core.kinds import KINDS
from minqing.ledgers.core.model import Cadre, HistoryEntry, Item, item_to_dict
from minqing.ledgers.ops import workflow
from minqing.ledgers.repo.store import Ledger

AT = "2026-11-23T10:00:00+08:00"


def entry(op: str, **fields) -> HistoryEntry:
    return HistoryEntry("OPID000000", AT, "C-AAAAAA", op, fields)


def created(kind: str = "problem", level: str = "village", due: str | None = None) -> Item:
    fields = {"id": "Q-AAAAAA", "kind": kind, "ledger": "livelihood", "category": "housing", "desc": "漏雨",
              "source": "visit", "household": "H-AAAAAA", "unit": "520602101201", "level": level,
              "created": "2026-11-23"}  # fmt: skip
    if due:
        fields["due"] = due
    return workflow.apply(None, entry("create", **fields))


ASSIGN = {
    "leader": "C-BBBBBB",
    "resp_unit": "乡住建站",
    "due": "2026-12-07",
    "team": ["C-CCCCCC"],
    "plan": "维修",
}


def in_state(state: str, kind: str = "problem") -> Item:
    """An item brought to `state` by legal operations."""
    item = created(kind)
    steps = {
        "registered": [],
        "assigned": [("assign", ASSIGN)],
        "in_progress": [("assign", ASSIGN), ("progress", {"note": "开工"})],
        "resolved": [("assign", ASSIGN), ("resolve", {"how": "solved", "note": "修好"})],
        "closed": [("resolve", {"how": "solved", "note": "修好"}), ("feedback", {"result": "satisfied"}),
                   ("close", {})],
    }[state]  # fmt: skip
    for op, fields in steps:
        item = workflow.apply(item, entry(op, **fields))
    assert item.state == state
    return item


OPS = {
    "assign": ASSIGN,
    "progress": {"note": "x"},
    "escalate": {"to": "township", "reason": "x"},
    "resolve": {"how": "solved", "note": "x"},
    "feedback": {"result": "satisfied"},
    "close": {"reason": "联系不上"},
    "reopen": {"reason": "x"},
    "extend": {"to": "2027-01-30", "reason": "x"},
    "claim": {"by": "C-DDDDDD"},
}

# The DESIGN §4 diagram, written out: which operations each state allows (claim: wishes only, checked below).
ALLOWED = {
    "registered": {"assign", "escalate", "resolve", "claim"},
    "assigned": {"assign", "progress", "escalate", "resolve", "extend", "claim"},
    "in_progress": {"assign", "progress", "escalate", "resolve", "extend", "claim"},
    "resolved": {"feedback", "close"},
    "closed": {"reopen"},
}

RESULT = {
    "assign": "assigned",
    "progress": "in_progress",
    "escalate": "registered",
    "resolve": "resolved",
    "feedback": None,  # satisfied keeps `resolved`
    "close": "closed",
    "reopen": "in_progress",
    "extend": None,
    "claim": None,
}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("op", list(OPS))
def test_state_operation_matrix(state: str, op: str) -> None:
    item = in_state(state, kind="wish")
    if op in ALLOWED[state]:
        after = workflow.apply(item, entry(op, **OPS[op]))
        assert after.state == (
            RESULT[op] or (item.state if op != "claim" or state != "registered" else "assigned")
        )
    else:
        with pytest.raises(Refused) as caught:
            workflow.apply(item, entry(op, **OPS[op]))
        assert caught.value.key == "transition"
        assert caught.value.params["state"] == state and caught.value.params["op"] == op


def test_apply_never_mutates_its_input() -> None:
    item = in_state("assigned")
    snapshot = item_to_dict(item)
    workflow.apply(item, entry("progress", note="x"))
    assert item_to_dict(item) == snapshot


def test_escalate_moves_up_clears_the_assignment_and_keeps_a_petitions_due() -> None:
    item = workflow.apply(in_state("in_progress"), entry("escalate", to="township", reason="x"))
    assert (item.state, item.level, item.leader, item.team, item.plan, item.due) == (
        "registered", "township", None, (), None, None)  # fmt: skip
    with pytest.raises(Refused):
        workflow.apply(item, entry("escalate", to="township", reason="x"))
    with pytest.raises(Refused):
        workflow.apply(item, entry("escalate", to="village", reason="x"))
    top = workflow.apply(item, entry("escalate", to="county", reason="x"))
    assert (top.state, top.level) == ("registered", "county")
    petition = created(kind="petition", due="2027-01-22")
    assert workflow.apply(petition, entry("escalate", to="county", reason="x")).due == "2027-01-22"


def test_feedback_unsatisfied_reopens_work_and_close_needs_feedback_or_reason() -> None:
    resolved = in_state("resolved")
    back = workflow.apply(resolved, entry("feedback", result="unsatisfied"))
    assert (back.state, back.feedback, back.resolution) == ("in_progress", "unsatisfied", None)
    with pytest.raises(Refused) as caught:
        workflow.apply(resolved, entry("close"))
    assert caught.value.params["hint"].key == "hint_close_feedback"
    basic = workflow.apply(resolved, entry("feedback", result="basic"))
    assert workflow.apply(basic, entry("close")).state == "closed"
    closed = workflow.apply(resolved, entry("close", reason="农户外出"))
    assert (closed.state, closed.close_reason, closed.closed) == ("closed", "农户外出", "2026-11-23")


def test_reopen_clears_the_closure() -> None:
    reopened = workflow.apply(in_state("closed"), entry("reopen", reason="又坏了"))
    assert (reopened.state, reopened.closed, reopened.feedback, reopened.resolution) == (
        "in_progress", None, None, None)  # fmt: skip


def test_extend_must_move_the_date_later_and_counts_extensions() -> None:
    item = in_state("assigned")
    with pytest.raises(Refused):
        workflow.apply(item, entry("extend", to="2026-12-07", reason="x"))
    later = workflow.apply(item, entry("extend", to="2026-12-20", reason="x"))
    assert (later.due, later.extensions) == ("2026-12-20", 1)


def test_claim_and_fulfilled_are_for_wishes_only() -> None:
    with pytest.raises(Refused):
        workflow.apply(in_state("registered"), entry("claim", by="C-DDDDDD"))
    with pytest.raises(Refused):
        workflow.apply(in_state("assigned"), entry("resolve", how="fulfilled", note="x"))
    wish = workflow.apply(in_state("registered", kind="wish"), entry("claim", by="C-DDDDDD"))
    assert (wish.state, wish.claimed_by, wish.leader) == ("assigned", "C-DDDDDD", "C-DDDDDD")
    with pytest.raises(Refused):
        workflow.apply(wish, entry("claim", by="C-EEEEEE"))
    assert (
        workflow.apply(wish, entry("resolve", how="fulfilled", note="圆梦")).resolution["how"] == "fulfilled"
    )


def test_history_must_start_with_a_single_create_and_know_its_ops() -> None:
    with pytest.raises(Refused):
        workflow.apply(None, entry("assign", **ASSIGN))
    with pytest.raises(Refused):
        workflow.apply(created(), entry("create", id="Q-AAAAAA"))
    with pytest.raises(Refused) as caught:
        workflow.apply(created(), entry("delete"))
    assert caught.value.render("en") == "Q-AAAAAA is registered; cannot delete: unknown operation delete"
    with pytest.raises(Refused):
        KINDS["item"].replay([])


def test_replay_equals_every_snapshot_on_disk(tmp_path_factory: pytest.TempPathFactory) -> None:
    w: World = world_template(tmp_path_factory)
    led = Ledger.open(w.path)
    items = list(led.iter_items())
    assert len(items) >= 12
    for item in items:
        assert item_to_dict(KINDS["item"].replay(item.history)) == item_to_dict(item)
    for cadre in led.iter_cadres():
        assert KINDS["cadre"].replay(cadre.history).to_dict() == cadre.to_dict()
    for home in led.iter_households():
        assert KINDS["household"].replay(home.history).to_dict() == home.to_dict()


def test_a_hand_edited_snapshot_no_longer_equals_its_replay(tmp_path: Path, tmp_path_factory) -> None:
    w = world_template(tmp_path_factory).copy(tmp_path / "ledger")
    path = next((w.path / "issues").glob(f"*/{w['registered']}.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["state"] = "closed"  # a forged closure
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    item = Ledger.open(w.path).item(
        w["registered"], verify=False
    )  # commands refuse it (tests/test_bad_input_corpus.py)
    assert item.state == "closed"
    assert KINDS["item"].replay(item.history).state == "registered"


# ---------------------------------------------------------------- office policy


def cadre(role: str) -> Cadre:
    return Cadre(id="C-AAAAAA", name="x", unit="520602", role=role)


@pytest.mark.parametrize(
    ("role", "levels"),
    [
        ("clerk", []),
        ("village", ["village"]),
        ("township_leader", ["village", "township"]),
        ("county_leader", ["village", "township", "county"]),
        ("admin", ["village", "township", "county"]),
    ],
)
def test_default_close_levels(role: str, levels: list[str]) -> None:
    config = Config.from_file_data(None)
    for level in ("village", "township", "county"):
        item = replace(in_state("resolved"), level=level, feedback="satisfied")
        if level in levels:
            item_rules.check_policy(item, entry("close"), config, cadre(role))
        else:
            with pytest.raises(Refused) as caught:
                item_rules.check_policy(item, entry("close"), config, cadre(role))
            assert caught.value.key == "close_not_allowed"


def test_close_levels_come_from_the_office_config() -> None:
    config = Config.from_file_data({"close_levels": {"clerk": ["village"]}})
    item_rules.check_policy(in_state("resolved"), entry("close"), config, cadre("clerk"))


def test_petition_extension_limits() -> None:
    config = Config.from_file_data(None)
    petition = replace(in_state("assigned", kind="petition"), due="2027-01-22")
    item_rules.check_policy(petition, entry("extend", to="2027-02-21", reason="x"), config, cadre("admin"))
    with pytest.raises(Refused):
        item_rules.check_policy(
            petition, entry("extend", to="2027-02-22", reason="x"), config, cadre("admin")
        )
    once = replace(petition, extensions=1)
    with pytest.raises(Refused):
        item_rules.check_policy(once, entry("extend", to="2027-01-25", reason="x"), config, cadre("admin"))
    generous = Config.from_file_data({"deadlines": {"petition_max_extensions": 2}})
    item_rules.check_policy(once, entry("extend", to="2027-01-25", reason="x"), generous, cadre("admin"))
    # Assignment may not push a petition past its legal answer date.
    with pytest.raises(Refused):
        item_rules.check_policy(
            petition, entry("assign", **(ASSIGN | {"due": "2027-02-01"})), config, cadre("admin")
        )
    item_rules.check_policy(
        petition, entry("assign", **(ASSIGN | {"due": "2027-01-10"})), config, cadre("admin")
    )


def test_working_days_skip_weekends() -> None:
    monday = dt.date(2026, 11, 23)
    assert item_rules.add_working_days(monday, 1) == dt.date(2026, 11, 24)
    assert item_rules.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Friday → Monday
    assert item_rules.add_working_days(dt.date(2026, 11, 28), 1) == dt.date(2026, 11, 30)  # Saturday → Monday
    assert item_rules.add_working_days(monday, 5) == dt.date(2026, 11, 30)


def test_overdue_is_open_and_past_due() -> None:
    item = in_state("assigned")
    assert not item_rules.is_overdue(item, dt.date(2026, 12, 7))
    assert item_rules.is_overdue(item, dt.date(2026, 12, 8))
    assert not item_rules.is_overdue(replace(item, state="resolved"), dt.date(2026, 12, 8))
    assert not item_rules.is_overdue(in_state("registered"), dt.date(2030, 1, 1))
