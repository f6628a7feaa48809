"""`minqing status`: the clerk's one screen, exact counts on the prepared ledger, at several office dates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, run
from foundation_util import World, item_rel, world_template


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path_factory.mktemp("status") / "ledger")


def status(w: World) -> dict:
    result = run("status", "--json", ledger=w.path)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fillers(w: World) -> int:
    return sum(1 for key in w.ids if key.startswith("filler"))


def test_counts_on_the_prepared_ledger(w: World) -> None:
    data = status(w)
    extra = fillers(w)
    assert data["county"] == {"code": "520602", "name": "碧江区"}
    assert data["today"] == "2026-11-23"
    assert data["counts"] == {
        "households": 3, "cadres": 6, "visits": 0, "items": 12 + extra, "open": 8 + extra, "resolved": 3,
        "closed": 1, "overdue": 0, "due_this_week": 0, "petitions_unassigned_late": 0,
    }  # fmt: skip
    assert data["by_state"] == {
        "registered": 4 + extra, "assigned": 3, "in_progress": 1, "resolved": 3, "closed": 1}  # fmt: skip
    heping = {"code": "520602101", "name": "和平乡", "items": 12, "open": 8, "overdue": 0,
              "escalated_township": 2, "escalated_county": 1}  # fmt: skip
    bahuang = {"code": "520602102", "name": "坝黄镇", "items": extra, "open": extra, "overdue": 0,
               "escalated_township": 0, "escalated_county": 0}  # fmt: skip
    assert data["by_township"] == ([heping, bahuang] if extra else [heping])
    assert data["by_leader"] == [
        {"id": w["town"], "name": "测试乡领导", "open": 4, "overdue": 0, "due_this_week": 0}
    ]
    assert data["overdue"] == []


def test_due_this_week_on_the_monday_of_the_deadline(w: World, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_NOW", "2026-12-07T08:00:00+08:00")
    data = status(w)
    assert (data["counts"]["due_this_week"], data["counts"]["overdue"]) == (2, 0)
    assert data["counts"]["petitions_unassigned_late"] == 1  # registered on 11-23, due for assignment 11-24
    assert data["by_leader"][0]["due_this_week"] == 2


def test_overdue_after_the_deadline(w: World, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_NOW", "2026-12-10T08:00:00+08:00")
    data = status(w)
    assert data["counts"]["overdue"] == 2
    assert [row["id"] for row in data["overdue"]] == sorted([w["assigned"], w["in_progress"]])
    assert data["overdue"][0]["due"] == "2026-12-07" and data["overdue"][0]["leader"] == w["town"]
    assert data["by_township"][0]["overdue"] == 2
    assert data["by_leader"][0] == {"id": w["town"], "name": "测试乡领导", "open": 4, "overdue": 2,
                                    "due_this_week": 0}  # fmt: skip
    text = run("status", ledger=w.path).stdout
    assert "超期 2" in text and "超期事项：" in text and w["assigned"] in text


def test_text_screen(w: World) -> None:
    result = run("status", ledger=w.path)
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "碧江区（520602） 截至 2026-11-23"
    assert lines[1] == f"农户 3  干部 6  走访 0  事项 {12 + fillers(w)}"
    assert "已办结待销号 3" in lines[2] and "已销号 1" in lines[2]
    assert "和平乡" in result.stdout and "测试乡领导 " + w["town"] in result.stdout
    english = run("--lang", "en", "status", ledger=w.path).stdout
    assert english.splitlines()[0] == "碧江区（520602） as of 2026-11-23"
    assert "resolved awaiting close 3" in english


def test_the_screen_shows_the_leaders_most_overdue_first_and_counts_the_rest(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A county has thousands of leaders with open items: the screen shows LEADERS_SHOWN of them, most overdue
    first, and says how many more and where they all are; `--json` keeps every one."""
    from minqing.cli import cmd_ledger

    leaders = json.loads(run("status", "--json", ledger=demo).stdout)["by_leader"]
    assert len(leaders) > 3
    monkeypatch.setattr(cmd_ledger, "LEADERS_SHOWN", 3)
    text = run("status", ledger=demo).stdout
    shown = [row for row in leaders if f"{row['name']} {row['id']}" in text]
    assert shown == leaders[:3]
    assert f"（另有 {len(leaders) - 3} 位责任领导有在办事项：minqing rollup --by leader）" in text
    english = run("--lang", "en", "status", ledger=demo).stdout
    assert f"({len(leaders) - 3} more leaders with open items: minqing rollup --by leader)" in english
    monkeypatch.setattr(cmd_ledger, "LEADERS_SHOWN", len(leaders))
    assert "位责任领导有在办事项" not in run("status", ledger=demo).stdout


def test_an_empty_ledger(tmp_path: Path) -> None:
    run(
        "init",
        str(tmp_path / "new"),
        "--county-code",
        "520602",
        "--county-name",
        "碧江区",
        "--admin-name",
        "张华",
    )
    data = json.loads(run("status", "--json", ledger=tmp_path / "new").stdout)
    assert data["counts"] == dict.fromkeys(data["counts"], 0) | {"cadres": 1}
    assert data["by_township"] == [] and data["by_leader"] == [] and data["overdue"] == []


def test_a_hand_broken_file_is_one_line_with_its_path_and_exit_4(tmp_path: Path, w: World) -> None:
    broken = w.copy(tmp_path / "broken")
    rel = item_rel(broken.path, broken["registered"])
    (broken.path / rel).write_text("id: Q-XXXXXX\nstate: [unclosed\n", encoding="utf-8")
    git(broken.path, "commit", "-q", "-am", "hand edit")
    for argv in (
        ["issue", "show", broken["registered"]],
        ["issue", "progress", broken["registered"], "--note", "x"],
    ):
        result = run(*argv, ledger=broken.path)
        assert result.exit_code == 4
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"minqing: {rel}:"), result.stderr
        assert "minqing check" in lines[0]


def test_the_screen_shows_ten_overdue_items_and_counts_the_rest(tmp_path: Path, monkeypatch) -> None:
    """The text screen lists the ten most overdue items and names how many more there are; `--json` lists all."""
    demo = tmp_path / "demo"
    assert run("demo", str(demo)).exit_code == 0
    monkeypatch.setenv("MINQING_NOW", "2027-12-01T08:00:00+08:00")
    data = json.loads(run("status", "--json", ledger=demo).stdout)
    overdue = data["counts"]["overdue"]
    assert overdue > 10 and len(data["overdue"]) == overdue
    assert [row["due"] for row in data["overdue"]] == sorted(row["due"] for row in data["overdue"])
    text = run("status", ledger=demo).stdout
    listed = [row["id"] for row in data["overdue"] if row["id"] in text]
    assert listed == [row["id"] for row in data["overdue"][:10]]
    assert f"（另有 {overdue - 10} 项超期：minqing issue list --overdue）" in text
