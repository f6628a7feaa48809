"""`issue add --visit` names an existing visit (found through the index) to the same household."""

from __future__ import annotations

import yaml
from conftest import refused, run


def _visit(sample, home: str) -> str:
    result = run(
        "visit",
        "add",
        "--household",
        home,
        "--by",
        sample.village_cadre,
        "--date",
        "2026-11-20",
        "--as",
        sample.clerk,
        ledger=sample.path,
    )
    assert result.exit_code == 0, result.output
    return result.stdout.split()[0]


def test_item_linked_to_its_visit(sample):
    visit = _visit(sample, sample.households[0])
    result = run(
        "issue",
        "add",
        "--desc",
        "补登记的问题",
        "--category",
        "water",
        "--household",
        sample.households[0],
        "--visit",
        visit[:5],
        "--as",
        sample.clerk,
        ledger=sample.path,
    )
    assert result.exit_code == 0, result.output
    item_id = result.stdout.split()[0]
    path = next(sample.path.glob(f"issues/*/{item_id}.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["visit"] == visit and data["household"] == sample.households[0] and data["source"] == "visit"


def test_visit_of_another_household_is_refused(sample):
    visit = _visit(sample, sample.households[0])
    result = refused(
        sample.path,
        "issue",
        "add",
        "--desc",
        "问题",
        "--category",
        "water",
        "--household",
        sample.households[1],
        "--visit",
        visit,
        "--as",
        sample.clerk,
        contains=visit,
    )
    assert sample.households[0] in result.stderr


def test_unknown_visit_is_refused(sample):
    refused(
        sample.path,
        "issue",
        "add",
        "--desc",
        "问题",
        "--category",
        "water",
        "--household",
        sample.households[0],
        "--visit",
        "V-ZZZZZZ",
        "--as",
        sample.clerk,
        contains="V-ZZZZZZ",
    )
