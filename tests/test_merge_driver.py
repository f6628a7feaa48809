"""The merge driver as pure functions (streams, entities, keys), then through a real `git merge`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from minqing.ledgers.core import yamlio
from minqing.ledgers.core.kinds import KINDS
from minqing.ledgers.core.model import HistoryEntry, item_to_dict
from minqing.ledgers.repo import drivers
from minqing.ledgers.sync import sync

T0 = "2026-11-20T09:00:00+08:00"


def op(op_id: str, at: str, name: str, by: str = "C-AAAAAA", **fields) -> dict:
    return {"id": op_id, "at": at, "by": by, "op": name, "fields": fields}


CREATE = op(
    "CREATE0001",
    T0,
    "create",
    id="Q-7K3M2Q",
    kind="problem",
    ledger="livelihood",
    category="housing",
    desc="危房改造",
    source="visit",
    unit="520602101201",
    created="2026-11-20",
)


def item_text(*ops: dict) -> str:
    item = KINDS["item"].replay(tuple(HistoryEntry.from_dict(o) for o in ops))
    return yamlio.dump(item_to_dict(item))


def load(text: str) -> dict:
    return yamlio.load(text)


def at(day: int, hour: int = 10) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:00:00+08:00"


# ---------------------------------------------------------------- streams


def visit(vid: str, date: str, note: str = "走访", household: str = "H-AAAAAA") -> dict:
    return {
        "id": vid,
        "date": date,
        "kind": "visit",
        "household": household,
        "village": "520602101201",
        "unit": "520602101201",
        "by": ["C-AAAAAA"],
        "note": note,
        "items": [],
        "at": f"{date}T10:00:00+08:00",
        "recorded_by": "C-AAAAAA",
    }


def stream(*docs: dict) -> str:
    return "".join(yamlio.dump_stream_doc(d) for d in docs)


def stream_ids(text: str) -> list[str]:
    return [d["id"] for d in yamlio.load_all(text)]


def test_stream_union_sorted_by_date_then_id():
    base = stream(visit("V-000001", "2026-11-01"))
    ours = base + stream(visit("V-Z00002", "2026-11-05"), visit("V-000003", "2026-11-02"))
    theirs = base + stream(visit("V-A00004", "2026-11-05"), visit("V-000005", "2026-11-03"))
    result = sync.merge_stream(base, ours, theirs, "visits/2026-11/520602101201.yaml")
    assert result.clean
    assert stream_ids(result.text) == ["V-000001", "V-000003", "V-000005", "V-A00004", "V-Z00002"]
    # symmetric: the other office merging the other way round writes the same bytes
    assert sync.merge_stream(base, theirs, ours).text == result.text


def test_stream_add_add_without_base_and_same_doc_on_both_sides():
    shared = visit("V-000001", "2026-11-01")
    ours = stream(shared, visit("V-000002", "2026-11-02"))
    theirs = stream(visit("V-000003", "2026-11-01"), shared)
    result = sync.merge_stream("", ours, theirs)
    assert result.clean
    assert stream_ids(result.text) == ["V-000001", "V-000003", "V-000002"]


def test_stream_one_sided_edit_wins_and_two_sided_edit_conflicts():
    base = stream(visit("V-000001", "2026-11-01"), visit("V-000002", "2026-11-02"))
    ours = stream(
        visit("V-000001", "2026-11-01", note="本方更正"), visit("V-000002", "2026-11-02", note="甲")
    )
    theirs = stream(visit("V-000001", "2026-11-01"), visit("V-000002", "2026-11-02", note="乙"))
    result = sync.merge_stream(base, ours, theirs, "visits/2026-11/520602101201.yaml")
    docs = yamlio.load_all(result.text)
    assert docs[0]["note"] == "本方更正"
    assert docs[1]["note"] == "甲"  # provisional: ours, until a person decides
    [conflict] = result.conflicts
    assert (conflict.id, conflict.kind, conflict.entry) == ("V-000002", "stream", "V-000002")
    assert conflict.ours["note"] == "甲" and conflict.theirs["note"] == "乙"
    assert conflict.ours_summary == "note=甲" and conflict.theirs_summary == "note=乙"
    assert "V-000002" in conflict.reason_text("en")


def test_stream_document_missing_on_one_side_is_kept():
    base = stream(visit("V-000001", "2026-11-01"), visit("V-000002", "2026-11-02"))
    ours = stream(visit("V-000001", "2026-11-01"))
    theirs = base + stream(visit("V-000003", "2026-11-03"))
    assert stream_ids(sync.merge_stream(base, ours, theirs).text) == ["V-000001", "V-000002", "V-000003"]


def test_unparseable_stream_is_a_whole_file_conflict_keeping_ours():
    ours = stream(visit("V-000001", "2026-11-01"))
    result = sync.merge_file("visits/2026-11/x.yaml", "", ours, "--- {id: [unclosed\n")
    assert result.text == ours
    [conflict] = result.conflicts
    assert conflict.kind == "file" and conflict.id == "visits/2026-11/x.yaml"
    assert conflict.theirs == "--- {id: [unclosed\n"


# ---------------------------------------------------------------- entities


ASSIGN = op("ASSIGN0001", at(21), "assign", leader="C-BBBBBB", due="2026-12-07")
RESOLVE = op("RESOLVE001", at(22), "resolve", how="solved", note="已修缮", date="2026-11-22")
FEEDBACK = op("FEEDBACK01", at(22, 11), "feedback", result="satisfied")


def test_entity_histories_union_and_state_replayed():
    base = item_text(CREATE, ASSIGN)
    ours = item_text(CREATE, ASSIGN, op("PROGRESS01", at(22, 9), "progress", note="材料已到"))
    theirs = item_text(CREATE, ASSIGN, op("EXTEND0001", at(21, 15), "extend", to="2026-12-20", reason="雨季"))
    result = sync.merge_entity(base, ours, theirs, "issues/2026/Q-7K3M2Q.yaml")
    assert result.clean
    data = load(result.text)
    assert [h["id"] for h in data["history"]] == ["CREATE0001", "ASSIGN0001", "EXTEND0001", "PROGRESS01"]
    assert (data["state"], data["due"], data["extensions"]) == ("in_progress", "2026-12-20", 1)
    assert sync.merge_entity(base, theirs, ours, "issues/2026/Q-7K3M2Q.yaml").text == result.text


def test_escalate_on_one_side_assign_on_the_other_replays_in_time_order():
    base = item_text(CREATE)
    assigned = item_text(CREATE, op("ASSIGN0001", at(21, 9), "assign", leader="C-BBBBBB", due="2026-12-07"))
    escalated = item_text(
        CREATE, op("ESCAL00001", at(21, 11), "escalate", to="township", reason="需乡镇协调")
    )
    data = load(sync.merge_entity(base, escalated, assigned, "issues/2026/Q-7K3M2Q.yaml").text)
    # assigned first, then escalated: registered again at township level, leader cleared
    assert (data["state"], data["level"], data["leader"]) == ("registered", "township", None)
    assert [h["op"] for h in data["history"]] == ["create", "assign", "escalate"]


def test_same_timestamp_ops_keep_their_side_order():
    """visit add --on-spot writes create and resolve with one timestamp; a plain (at, id) sort would break it."""
    create = dict(CREATE, id="ZZZZZZZZZ1", at=at(21))
    resolve = op("AAAAAAAAA1", at(21), "resolve", how="on_the_spot", note="当场", date="2026-11-21")
    ours = item_text(create, resolve)
    theirs = item_text(create)
    data = load(sync.merge_entity("", ours, theirs, "issues/2026/Q-7K3M2Q.yaml").text)
    assert [h["op"] for h in data["history"]] == ["create", "resolve"]


def test_each_sides_order_is_kept_when_clocks_or_earlier_merges_disagree():
    c = op("C000000001", at(20), "create")
    a = op("A000000001", at(21, 10), "set")
    b = op("B000000001", at(21, 5), "set")
    e = op("E000000001", at(21, 12), "set")
    skewed = op("S000000001", at(19), "set")  # a township PC whose clock is a day behind
    # ours made a then e; theirs made b and had already merged a after it
    assert [o["id"] for o in sync.merge_histories([c], [c, a, e], [c, b, a], "H-X")] == [
        "C000000001",
        "B000000001",
        "A000000001",
        "E000000001",
    ]
    assert [o["id"] for o in sync.merge_histories([c], [c], [c, skewed], "H-X")] == [
        "C000000001",
        "S000000001",
    ]


def test_two_different_closures_are_a_conflict_never_picked():
    base = item_text(CREATE, ASSIGN)
    ours = item_text(CREATE, ASSIGN, RESOLVE, FEEDBACK, op("CLOSE00001", at(22, 12), "close"))
    explained = op("RESOLVE002", at(23), "resolve", how="explained", note="不符合政策", date="2026-11-23")
    theirs = item_text(
        CREATE,
        ASSIGN,
        explained,
        op("FEEDBACK02", at(23, 11), "feedback", result="basic"),
        op("CLOSE00002", at(23, 12), "close", by="C-CCCCCC"),
    )
    result = sync.merge_entity(base, ours, theirs, "issues/2026/Q-7K3M2Q.yaml")
    assert result.text == ours
    [conflict] = result.conflicts
    assert (conflict.id, conflict.kind, conflict.path) == ("Q-7K3M2Q", "entity", "issues/2026/Q-7K3M2Q.yaml")
    assert conflict.ours == ours and conflict.theirs == theirs
    assert "resolve how=solved" in conflict.ours_summary and conflict.ours_summary.endswith("→ closed")
    assert "resolve how=explained" in conflict.theirs_summary
    assert "Q-7K3M2Q" in conflict.reason_text("zh") and "resolve" in conflict.reason_text("en")


def test_close_on_one_side_unsatisfied_feedback_on_the_other_conflicts():
    base = item_text(CREATE, ASSIGN, RESOLVE)
    ours = item_text(CREATE, ASSIGN, RESOLVE, FEEDBACK, op("CLOSE00001", at(23), "close"))
    theirs = item_text(
        CREATE, ASSIGN, RESOLVE, op("FEEDBACK02", at(22, 12), "feedback", result="unsatisfied")
    )
    result = sync.merge_entity(base, ours, theirs, "issues/2026/Q-7K3M2Q.yaml")
    assert not result.clean


def test_reopened_and_closed_again_on_one_side_reopened_on_the_other_conflicts():
    closed = [CREATE, ASSIGN, RESOLVE, FEEDBACK, op("CLOSE00001", at(22, 12), "close")]
    base = item_text(*closed)
    ours = item_text(
        *closed,
        op("REOPEN0001", at(24, 9), "reopen", reason="群众反映未修好"),
        op("RESOLVE003", at(25), "resolve", how="solved", note="返修", date="2026-11-25"),
        op("FEEDBACK03", at(25, 11), "feedback", result="satisfied"),
        op("CLOSE00003", at(25, 12), "close"),
    )
    theirs = item_text(*closed, op("REOPEN0002", at(24, 15), "reopen", reason="回访不满意"))
    result = sync.merge_entity(base, ours, theirs, "issues/2026/Q-7K3M2Q.yaml")
    assert not result.clean and result.conflicts[0].theirs_summary.endswith("→ in_progress")


def test_an_op_removed_by_a_settled_conflict_stays_removed():
    base = item_text(CREATE, ASSIGN, RESOLVE)
    theirs = item_text(CREATE, ASSIGN)  # the other office took a version without our resolve
    ours = item_text(CREATE, ASSIGN, RESOLVE, FEEDBACK)
    merged = sync.merge_histories(
        load(base)["history"], load(ours)["history"], load(theirs)["history"], "Q-7K3M2Q"
    )
    assert [h["id"] for h in merged] == ["CREATE0001", "ASSIGN0001", "FEEDBACK01"]


def test_rewritten_op_is_a_conflict():
    base = item_text(CREATE)
    ours = item_text(CREATE, ASSIGN)
    theirs = item_text(CREATE, dict(ASSIGN, fields={"leader": "C-DDDDDD", "due": "2026-12-07"}))
    [conflict] = sync.merge_file("issues/2026/Q-7K3M2Q.yaml", base, ours, theirs).conflicts
    assert conflict.kind == "file" and "ASSIGN0001" in conflict.reason_text("en")


def test_household_sets_from_two_offices_both_apply():
    create = op(
        "HCREATE001",
        T0,
        "create",
        id="H-AAAAAA",
        head="张三",
        village="520602101201",
        members=3,
        status="poor",
    )

    def home(*ops: dict) -> str:
        return yamlio.dump(KINDS["household"].replay(tuple(HistoryEntry.from_dict(o) for o in ops)).to_dict())

    base = home(create)
    ours = home(create, op("HSET000001", at(21), "set", indicators={"water": "risk"}))
    theirs = home(
        create,
        op("HSET000002", at(22), "set", members=4),
        op("HPAIR00001", at(22, 11), "pair", cadre="C-BBBBBB"),
    )
    data = load(sync.merge_entity(base, ours, theirs, "households/520602101201/H-AAAAAA.yaml").text)
    assert data["indicators"]["water"] == "risk" and data["members"] == 4 and data["pairings"] == ["C-BBBBBB"]


def test_reviews_replay_through_the_review_workflow():
    from minqing.ledgers.core.reviews import review_to_dict

    def review(*ops: dict) -> str:
        return yamlio.dump(
            review_to_dict(KINDS["review"].replay(tuple(HistoryEntry.from_dict(o) for o in ops)))
        )

    create = op(
        "R000000001", T0, "create", id="R-AAAAAA", team="520602101201", quarter="2026Q4", grade="good"
    )
    base = review(create)
    ours = review(create, op("R000000002", at(21), "set", comment="点评：走访到位"))
    theirs = review(create, op("R000000003", at(22), "raise", items=["Q-7K3M2Q"]))
    data = load(sync.merge_file("reviews/2026Q4/520602101201.yaml", base, ours, theirs).text)
    assert data["comment"] == "点评：走访到位" and data["items"] == ["Q-7K3M2Q"]
    assert [h["id"] for h in data["history"]] == ["R000000001", "R000000002", "R000000003"]


def test_entities_without_a_replay_merge_snapshot_keys_and_history():
    base = yamlio.dump({"id": "X-AAAAAA", "score": None, "history": [op("X1", T0, "create")]})
    ours = yamlio.dump(
        {"id": "X-AAAAAA", "score": 90, "history": [op("X1", T0, "create"), op("X2", at(21), "rate")]}
    )
    theirs = yamlio.dump(
        {
            "id": "X-AAAAAA",
            "score": None,
            "note": "好",
            "history": [op("X1", T0, "create"), op("X3", at(22), "note")],
        }
    )
    result = sync.merge_entity(base, ours, theirs, "unknown/X-AAAAAA.yaml")
    data = load(result.text)
    assert data["score"] == 90 and data["note"] == "好"
    assert [h["id"] for h in data["history"]] == ["X1", "X2", "X3"]


# ---------------------------------------------------------------- keys


UNITS = {
    "county": {"code": "520602", "name": "碧江区"},
    "units": [{"code": "520602101", "name": "和平乡", "level": "township", "parent": "520602"}],
}


def units_text(*extra: dict, county_name: str = "碧江区") -> str:
    data = {"county": {"code": "520602", "name": county_name}, "units": UNITS["units"] + list(extra)}
    return yamlio.dump(data)


def village(code: str, name: str) -> dict:
    return {"code": code, "name": name, "level": "village", "parent": code[:9]}


def test_units_added_on_both_sides_are_merged_by_code():
    base = units_text()
    ours = units_text(village("520602101202", "桃映村"))
    theirs = units_text(village("520602101201", "板栗园村"), county_name="碧江区（新）")
    result = sync.merge_keys(base, ours, theirs, "org/units.yaml")
    assert result.clean
    data = load(result.text)
    assert [u["code"] for u in data["units"]] == ["520602101", "520602101201", "520602101202"]
    assert data["county"]["name"] == "碧江区（新）"


def test_same_unit_code_added_with_different_names_conflicts():
    base = units_text()
    result = sync.merge_keys(
        base,
        units_text(village("520602101201", "板栗园村")),
        units_text(village("520602101201", "板栗村")),
        "org/units.yaml",
    )
    [conflict] = result.conflicts
    assert (conflict.id, conflict.entry) == ("org/units.yaml#520602101201", "520602101201")
    assert conflict.ours["name"] == "板栗园村" and conflict.theirs["name"] == "板栗村"


def test_config_three_way_by_top_level_key():
    def config(default_days: int = 15, answer_days: int = 60, minimum: int = 2, locale: str = "zh-CN") -> str:
        return yamlio.dump(
            {
                "schema": 1,
                "locale": locale,
                "deadlines": {"default_days": default_days, "petition_answer_days": answer_days},
                "activity_minimum": minimum,
            }
        )

    base = config()
    result = sync.merge_keys(base, config(default_days=10), config(minimum=3, locale="en"), "minqing.yaml")
    assert result.clean
    assert load(result.text) == load(config(default_days=10, minimum=3, locale="en"))
    # a section is one value: two different changes inside deadlines conflict
    [conflict] = sync.merge_keys(
        base, config(default_days=10), config(answer_days=30), "minqing.yaml"
    ).conflicts
    assert (conflict.id, conflict.entry) == ("minqing.yaml#deadlines", "minqing.yaml")
    assert conflict.ours == {"default_days": 10, "petition_answer_days": 60}
    assert conflict.theirs == {"default_days": 15, "petition_answer_days": 30}


# ---------------------------------------------------------------- through git


def _git(path: Path, *args: str) -> str:
    env_args = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    return subprocess.run(["git", *env_args, *args], cwd=path, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    from minqing.ledgers.ops import register

    register.init(str(tmp_path / "l"), "520602", "碧江区", "管理员", at=T0)
    return tmp_path / "l"


def test_init_registers_drivers_with_the_absolute_interpreter(repo: Path):
    from minqing.ledgers.repo.store import Ledger

    ledger = Ledger.open(repo)
    assert sync.missing_drivers(ledger) == []
    for name in drivers.DRIVER_NAMES:
        command = _git(repo, "config", f"merge.{name}.driver").strip()
        assert command == f"{sys.executable} -m minqing.ledgers.sync.driver %O %A %B %P"


def test_a_ledger_registered_with_the_cli_command_still_has_its_drivers(repo: Path):
    """Ledgers registered before the lean driver module name `python -m minqing.cli merge-driver`: still valid."""
    from minqing.ledgers.repo.store import Ledger

    for name in drivers.DRIVER_NAMES:
        _git(
            repo,
            "config",
            f"merge.{name}.driver",
            f"{sys.executable} -m minqing.cli merge-driver %O %A %B %P",
        )
    assert sync.missing_drivers(Ledger.open(repo)) == []


def test_the_driver_module_merges_as_the_cli_command_does(tmp_path: Path):
    """The same three sides through `python -m minqing.ledgers.sync.driver` and `python -m minqing.cli
    merge-driver` give the same file and exit code; a wrong call is a usage line and exit 2."""
    import subprocess

    path = "visits/2026-11/520602101201.yaml"
    base = stream(visit("V-000001", "2026-11-01"))
    theirs = stream(visit("V-000001", "2026-11-01"), visit("V-000009", "2026-11-09"))
    ours = stream(visit("V-000001", "2026-11-01"), visit("V-000005", "2026-11-05"))
    results = []
    for command in (["-m", "minqing.ledgers.sync.driver"], ["-m", "minqing.cli", "merge-driver"]):
        work = tmp_path / command[1]
        (work / ".git").mkdir(parents=True)
        for side, text in (("O", base), ("A", ours), ("B", theirs)):
            (work / side).write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, *command, "O", "A", "B", path], cwd=work, capture_output=True)
        results.append((done.returncode, (work / "A").read_text(encoding="utf-8")))
    assert results[0] == results[1] and results[0][0] == 0
    assert "V-000005" in results[0][1] and "V-000009" in results[0][1]
    wrong = subprocess.run(
        [sys.executable, "-m", "minqing.ledgers.sync.driver", "O"], capture_output=True, text=True
    )
    assert wrong.returncode == 2 and wrong.stderr.startswith("usage: python -m minqing.ledgers.sync.driver")


def test_git_merge_runs_the_driver_and_leaves_a_sidecar_on_conflict(repo: Path):
    path = "visits/2026-11/520602101201.yaml"
    (repo / "visits/2026-11").mkdir(parents=True)
    (repo / path).write_text(stream(visit("V-000001", "2026-11-01")))
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "checkout", "-qb", "other")
    (repo / path).write_text(
        stream(visit("V-000001", "2026-11-01", note="乙"), visit("V-000009", "2026-11-09"))
    )
    _git(repo, "commit", "-qam", "theirs")
    _git(repo, "checkout", "-q", "main")
    (repo / path).write_text(
        stream(visit("V-000001", "2026-11-01", note="甲"), visit("V-000002", "2026-11-02"))
    )
    _git(repo, "commit", "-qam", "ours")
    proc = subprocess.run(
        ["git", "merge", "--no-commit", "-q", "other"], cwd=repo, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert stream_ids((repo / path).read_text()) == ["V-000001", "V-000002", "V-000009"]
    assert "<<<<" not in (repo / path).read_text()
    assert _git(repo, "diff", "--name-only", "--diff-filter=U").split() == [path]
    sidecars = sync.read_sidecars(repo / ".git")
    [record] = sidecars[path]
    assert (record.id, record.ours["note"], record.theirs["note"]) == ("V-000001", "甲", "乙")


def test_git_merge_clean_stream_merge_exits_zero(repo: Path):
    path = "activities/2026-11.yaml"
    (repo / "activities").mkdir()
    (repo / path).write_text("")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "checkout", "-qb", "other")
    (repo / path).write_text(stream(visit("A-000002", "2026-11-02")))
    _git(repo, "commit", "-qam", "theirs")
    _git(repo, "checkout", "-q", "main")
    (repo / path).write_text(stream(visit("A-000001", "2026-11-03")))
    _git(repo, "commit", "-qam", "ours")
    proc = subprocess.run(
        ["git", "merge", "--no-commit", "-q", "other"], cwd=repo, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert stream_ids((repo / path).read_text()) == ["A-000002", "A-000001"]
    assert sync.read_sidecars(repo / ".git") == {}
