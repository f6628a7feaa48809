"""History by person (issue 17): a visit is typed in by a clerk (the commit's author), but every cadre who went on
it finds it — `git log --grep='^Ledger-Visitor: C-…$'`, `minqing log --by C-…` and `minqing visit list --by C-…` —
and a correction of its visitors moves the credit. (Forged and missing trailers: test_forgeries.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, refused, run
from foundation_util import World, first_id, last_commit, world_template


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def visitor_commits(w: World, cadre: str) -> list[str]:
    return git(w.path, "log", f"--grep=^Ledger-Visitor: {cadre}$", "--format=%H").split()


def listed(w: World, *args: str) -> list[str]:
    return [visit["id"] for visit in json.loads(ok(w, "visit", "list", *args, "--json"))]


def logged(w: World, cadre: str) -> list[dict]:
    return json.loads(ok(w, "log", "--by", cadre, "--json"))


def test_every_visitor_finds_the_visit_the_clerk_typed_in(w: World) -> None:
    town, village, county, clerk = w["town"], w["village"], w["county"], w["clerk"]
    both = first_id(ok(w, "visit", "add", "--household", w["h1"], "--by", f"{town},{village}", "--as", clerk))
    both_commit = last_commit(w.path).sha
    alone = first_id(ok(w, "visit", "add", "--household", w["h2"], "--by", county, "--as", clerk))
    alone_commit = last_commit(w.path).sha
    # git: the author is the clerk; each visitor has a trailer of their own.
    assert git(w.path, "log", "-1", "--format=%ae", both_commit).strip() == f"{clerk}@minqing.invalid"
    assert visitor_commits(w, town) == [both_commit]
    assert visitor_commits(w, village) == [both_commit]
    assert visitor_commits(w, county) == [alone_commit]
    assert (
        git(w.path, "log", f"--author={town}@minqing.invalid", "--format=%H", f"{both_commit}~1..").split()
        == []
    )
    # minqing log --by: the visit document, typed by the clerk, found for each visitor and only for them.
    for cadre, visit in ((town, both), (village, both), (county, alone)):
        mine = [entry for entry in logged(w, cadre) if entry["entry"].startswith("V-")]
        assert [entry["entry"] for entry in mine] == [visit]
        assert mine[0]["actor"] == clerk and cadre in mine[0]["visitors"]
    shown = ok(w, "log", "--by", town)
    assert both in shown and alone not in shown
    # The clerk still finds what they typed in.
    assert {both, alone} <= {entry["entry"] for entry in logged(w, clerk)}
    # visit list --by: the same visits, a prefix works like everywhere.
    assert both in listed(w, "--by", town) and alone not in listed(w, "--by", town)
    assert alone in listed(w, "--by", county[:-1]) and both not in listed(w, "--by", county[:-1])
    assert both not in listed(w, "--by", clerk) and alone not in listed(w, "--by", clerk)
    assert run("audit", ledger=w.path).exit_code == 0


def test_a_corrected_party_moves_the_credit_and_a_void_names_nobody(w: World) -> None:
    town, village, county = w["town"], w["village"], w["county"]
    visit = first_id(ok(w, "visit", "add", "--household", w["h1"], "--by", town, "--date", "2026-11-20"))
    corrected = first_id(
        ok(w, "visit", "edit", visit, "--by", f"{county},{village}", "--reason", "走访人录错")
    )
    commit = last_commit(w.path)
    assert commit.trailers["Ledger-Visitor"] == [county, village]
    assert corrected not in listed(w, "--by", town) and visit not in listed(w, "--by", town)
    assert corrected in listed(w, "--by", county) and corrected in listed(w, "--by", village)
    assert corrected in {entry["entry"] for entry in logged(w, county)}
    ok(w, "visit", "void", corrected, "--reason", "重复录入")
    assert "Ledger-Visitor" not in last_commit(w.path).trailers
    assert corrected not in listed(w, "--by", county)
    result = run("audit", "--json", ledger=w.path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


def test_visit_list_by_an_unknown_cadre_is_refused(w: World) -> None:
    result = refused(w.path, "visit", "list", "--by", "C-ZZZZZZ", contains="--by")
    assert "C-ZZZZZZ" in result.stderr
    result = refused(w.path, "--lang", "en", "visit", "list", "--by", "C-ZZZZZZ", contains="--by")
    assert "C-ZZZZZZ" in result.stderr
