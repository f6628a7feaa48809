"""`minqing visit add/list`: one commit per visit holding the stream document and every item raised (五人大走访),
talks and stays, streams per month and village. (Bad input: test_cli_bad_input.py; on-the-spot: test_cli_issue.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import run
from foundation_util import World, commit_count, first_id, item_file, last_commit, world_template


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def stream(w: World, rel: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((w.path / rel).read_text(encoding="utf-8")) if doc]


def test_five_person_visit_with_raised_items_is_one_commit(w: World) -> None:
    before = commit_count(w.path)
    visitors = [w[k] for k in ("county", "town", "village", "admin", "clerk")]
    out = ok(
        w,
        "visit", "add", "--household", w["h1"], "--by", ",".join(visitors), "--date", "2026-11-20",
        "--note", "五人大走访，入户核实", "--raise", "屋顶漏雨", "--category", "housing",
        "--raise", "孩子上学远", "--category", "education", "--as", w["clerk"],
    )  # fmt: skip
    lines = out.splitlines()
    visit_id = first_id(lines[0])
    assert lines[0] == f"{visit_id} 2026-11-20"
    items = [first_id(line.strip()) for line in lines[1:]]
    assert len(items) == 2
    assert commit_count(w.path) == before + 1
    commit = last_commit(w.path)
    # The subject names the visitors and one Ledger-Visitor trailer per visitor finds it for each (issue 17):
    # the author is the clerk who typed it in.
    assert (
        commit.subject
        == "走访 测试户甲 2026-11-20（测试县领导、测试乡领导、测试村干部、测试管理员、测试录入员），登记 2 项"
    )
    assert commit.trailers == {
        "Ledger-Op": ["visit.add"],
        "Ledger-Entry": [visit_id, *items],
        "Ledger-Actor": [w["clerk"]],
        "Ledger-Visitor": visitors,
    }
    rel = "visits/2026-11/520602101201.yaml"
    assert sorted(commit.files) == sorted([rel, *(f"issues/2026/{q}.yaml" for q in items)])
    (doc,) = stream(w, rel)
    assert doc == {
        "id": visit_id, "date": "2026-11-20", "kind": "visit", "household": w["h1"], "village": "520602101201",
        "unit": "52060210120101", "by": visitors, "note": "五人大走访，入户核实", "items": items,
        "at": "2026-11-23T10:00:00+08:00", "recorded_by": w["clerk"],
    }  # fmt: skip
    # One line per visit in the stream: merges and diffs stay trivial.
    assert (w.path / rel).read_text(encoding="utf-8").count("\n") == 1
    first = item_file(w.path, items[0])
    assert (first["desc"], first["category"], first["kind"], first["source"], first["visit"], first["state"]) == (
        "屋顶漏雨", "housing", "problem", "visit", visit_id, "registered")  # fmt: skip
    assert (first["household"], first["unit"], first["created"]) == (w["h1"], "52060210120101", "2026-11-20")
    assert item_file(w.path, items[1])["category"] == "education"


def test_repeated_visitor_is_recorded_once_and_items_take_the_given_kind(w: World) -> None:
    out = ok(w, "visit", "add", "--household", w["h2"], "--by", f"{w['town']}，{w['town']}、{w['village']}",
             "--raise", "想要一台电视", "--category", "other", "--item-kind", "wish")  # fmt: skip
    visit_id = first_id(out)
    (doc,) = stream(w, "visits/2026-11/520602101201.yaml")
    assert doc["id"] == visit_id and doc["by"] == [w["town"], w["village"]]
    assert doc["recorded_by"] == w["admin"]
    assert item_file(w.path, doc["items"][0])["kind"] == "wish"


def test_talks_and_stays_and_streams_per_month_and_village(w: World) -> None:
    ok(w, "visit", "add", "--household", w["h1"], "--by", w["town"], "--kind", "talk", "--date", "2026-10-30")
    ok(w, "visit", "add", "--household", w["h3"], "--by", w["county"])
    stay = first_id(ok(w, "visit", "add", "--kind", "stay", "--unit", "520602101202", "--by", w["county"],
                       "--note", "县领导蹲点"))  # fmt: skip
    ok(w, "visit", "add", "--household", w["h2"], "--by", w["village"])
    assert [doc["kind"] for doc in stream(w, "visits/2026-10/520602101201.yaml")] == ["talk"]
    assert [doc["household"] for doc in stream(w, "visits/2026-11/520602102201.yaml")] == [w["h3"]]
    (stay_doc,) = stream(w, "visits/2026-11/520602101202.yaml")
    assert (stay_doc["id"], stay_doc["household"], stay_doc["unit"], stay_doc["kind"]) == (
        stay, None, "520602101202", "stay")  # fmt: skip
    assert last_commit(w.path).subject == "走访 测试户乙 2026-11-23（测试村干部）"
    assert [doc["household"] for doc in stream(w, "visits/2026-11/520602101201.yaml")] == [w["h2"]]


def test_list_filters_and_household_show(w: World) -> None:
    v1 = first_id(ok(w, "visit", "add", "--household", w["h1"], "--by", w["town"], "--date", "2026-10-30"))
    v2 = first_id(ok(w, "visit", "add", "--household", w["h1"], "--by", w["village"], "--kind", "talk"))
    v3 = first_id(ok(w, "visit", "add", "--household", w["h3"], "--by", w["county"]))

    def ids(*options: str) -> list[str]:
        return [row["id"] for row in json.loads(ok(w, "visit", "list", "--json", *options))]

    assert ids() == [v1, v2, v3] or ids() == [v1, *sorted([v2, v3])]
    assert ids("--household", w["h1"]) == [v1, v2]
    assert ids("--unit", "520602102") == [v3]
    assert ids("--month", "2026-10") == [v1]
    assert ids("--month", "2026-09") == []
    table = ok(w, "visit", "list")
    assert "谈心谈话" in table and v2 in table
    view = json.loads(ok(w, "household", "show", w["h1"], "--json"))
    assert view["visits"] == [v1, v2]
