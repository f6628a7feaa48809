"""ledgers/reviews.py against real git ledgers: the review file and its history, items raised at a review linked
both ways in one commit, amendments, option parsing, refusals that write nothing, and `check` on the result."""

from __future__ import annotations

import subprocess

import pytest
from conftest import snapshot

from minqing.ledgers.core import reviews as review_core
from minqing.ledgers.core.errors import AlreadyExists, BadInput, LedgerError, NotFound
from minqing.ledgers.core.kinds import KINDS
from minqing.ledgers.core.yamlio import load
from minqing.ledgers.ops import register, reviews
from minqing.ledgers.read import reviews as review_reads
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify.check import check_tree

BANLI, TAOYING, HEPING, YIZU = "520602101201", "520602101202", "520602101", "52060210120101"
AT = "2026-11-20T15:00:00+08:00"


def _log(path, *args: str) -> str:
    return subprocess.run(["git", "log", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def _add(led: Ledger, **change):
    values = dict(
        team=BANLI,
        quarter="2026Q4",
        ratings="satisfied=40,basic=8,unsatisfied=2",
        grade="good",
        report="一年来修通组路 3 公里",
        comment="成效明显",
        at=AT,
    )
    values.update(change)
    return reviews.add_review(led, None, **values)


def test_add_review_with_raised_items_is_one_commit_linked_both_ways(sample):
    led = sample.ledger()
    review, items = _add(led, raises=[("村卫生室缺少常用药", "medical"), ("通组路未硬化", "infrastructure")])
    path = sample.path / f"reviews/2026Q4/{BANLI}.yaml"
    data = load(path.read_text(encoding="utf-8"))
    assert list(data) == [
        "id",
        "team",
        "quarter",
        "report",
        "comment",
        "ratings",
        "grade",
        "items",
        "history",
    ]
    assert {k: data[k] for k in ("id", "team", "quarter", "ratings", "grade", "items")} == {
        "id": review.id,
        "team": BANLI,
        "quarter": "2026Q4",
        "ratings": {"satisfied": 40, "basic": 8, "unsatisfied": 2},
        "grade": "good",
        "items": [item.id for item in items],
    }
    assert [(entry["op"], entry["by"], entry["at"]) for entry in data["history"]] == [
        ("create", sample.admin, AT)
    ]
    for item in items:
        stored = led.item(item.id)
        assert (
            stored.source_kind,
            stored.review,
            stored.unit,
            stored.kind,
            stored.state,
            stored.created,
        ) == (
            "review",
            review.id,
            BANLI,
            "problem",
            "registered",
            "2026-11-20",
        )
    body = _log(sample.path, "-1", "--format=%s%n%b")
    assert body.splitlines()[0] == "一会三评 板栗园村 2026Q4（良好），登记问题 2 项"
    assert "Ledger-Op: review.add\n" in body
    assert [
        line[len("Ledger-Entry: ") :] for line in body.splitlines() if line.startswith("Ledger-Entry")
    ] == [
        review.id,
        *(item.id for item in items),
    ]
    assert len(_log(sample.path, "-1", "--name-only", "--format=").split()) == 3
    assert KINDS["review"].replay(review.history).to_dict() == data
    assert check_tree(sample.path).findings == []


def test_raise_and_set_amend_the_review_one_commit_each(sample):
    led = sample.ledger()
    review, _ = _add(led, report=None, comment=None)
    updated, items = reviews.raise_items(led, None, review.id[:5], raises=[("饮水池漏水", "water")], at=AT)
    assert updated.items == (items[0].id,)
    assert led.item(items[0].id).review == review.id
    assert _log(sample.path, "-1", "--format=%s") == "一会三评问题清单 板栗园村 2026Q4，登记 1 项\n"
    amended = reviews.set_review(led, None, review.id, grade="excellent", ratings="satisfied=45,basic=5")
    assert (amended.grade, amended.ratings) == ("excellent", {"satisfied": 45, "basic": 5, "unsatisfied": 0})
    assert [entry.op for entry in amended.history] == ["create", "raise", "set"]
    assert amended.history[-1].fields == {
        "ratings": {"satisfied": 45, "basic": 5, "unsatisfied": 0},
        "grade": "excellent",
    }
    stored = reviews.find_review(led, review.id)
    assert stored.to_dict() == KINDS["review"].replay(stored.history).to_dict()
    assert _log(sample.path, "-3", "--format=%(trailers:key=Ledger-Op,valueonly)").split() == [
        "review.set",
        "review.raise",
        "review.add",
    ]
    before = snapshot(sample.path)
    with pytest.raises(BadInput) as nothing:
        reviews.set_review(led, None, review.id, grade="excellent")  # already excellent: no change
    assert nothing.value.key == "required"
    with pytest.raises(BadInput):
        reviews.raise_items(led, None, review.id, raises=[])
    assert snapshot(sample.path) == before
    assert check_tree(sample.path).findings == []


def test_one_review_per_team_and_quarter(sample):
    led = sample.ledger()
    first, _ = _add(led)
    before = snapshot(sample.path)
    with pytest.raises(AlreadyExists) as again:
        _add(led, team="板栗园村", raises=[("不应登记", "other")])
    assert again.value.render("en") == (
        f"the 2026Q4 review of {BANLI} is already recorded as {first.id}; amend it with minqing review set {first.id}"
    )
    assert snapshot(sample.path) == before
    other, _ = _add(led, quarter="2026Q3")
    assert other.id != first.id


@pytest.mark.parametrize(
    "change,error,field",
    [
        ({"team": None}, BadInput, "--team"),
        ({"team": YIZU}, BadInput, "--team"),  # a group has no work team
        ({"team": "520602"}, BadInput, "--team"),
        ({"team": "不存在村"}, BadInput, "--team"),
        ({"team": "520602999999"}, NotFound, "--team"),
        ({"quarter": None}, BadInput, "--quarter"),
        ({"quarter": "2026Q5"}, BadInput, "--quarter"),
        ({"quarter": "2026-Q4"}, BadInput, "--quarter"),
        ({"quarter": "2027Q1"}, BadInput, "--quarter"),  # not begun (today 2026-11-23)
        ({"ratings": None}, BadInput, "--ratings"),
        ({"ratings": "good=3"}, BadInput, "--ratings"),
        ({"ratings": "satisfied=3,satisfied=4"}, BadInput, "--ratings"),
        ({"ratings": "satisfied"}, BadInput, "--ratings"),
        ({"ratings": "satisfied=-1"}, BadInput, "--ratings satisfied"),
        ({"grade": "great"}, BadInput, "--grade"),
        ({"grade": None}, BadInput, "--grade"),
        ({"raises": [("", "medical")]}, BadInput, "--desc"),
        ({"raises": [("缺药", "drugs")]}, BadInput, "--category"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(sample, change, error, field):
    before = snapshot(sample.path)
    with pytest.raises(error) as refused:
        _add(sample.ledger(), **change)
    assert refused.value.params.get("field") == field
    assert snapshot(sample.path) == before
    assert not (sample.path / "reviews").exists()


def test_team_by_name_quarter_case_and_report_from_a_file(sample, tmp_path):
    report = tmp_path / "述职.txt"
    report.write_text("\ufeff述职报告\r\n一、帮扶成效\r\n", encoding="utf-8")
    review, _ = _add(sample.ledger(), team="桃映村", quarter="2026q4", report=str(report))
    assert (review.team, review.quarter, review.report) == (TAOYING, "2026Q4", "述职报告\n一、帮扶成效")
    township, _ = _add(sample.ledger(), team=HEPING)
    assert township.team == HEPING
    binary = tmp_path / "scan.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(BadInput) as bad:
        _add(sample.ledger(), team=BANLI, report=str(binary))
    assert bad.value.params["field"] == "--report"


def test_ambiguous_team_name_lists_the_codes(sample):
    led = sample.ledger()
    register.add_unit(led, None, "520602102202", "桃映村", "village", "520602102")
    with pytest.raises(BadInput) as bad:
        _add(Ledger.open(sample.path), team="桃映村")
    assert "520602101202, 520602102202" in bad.value.render("en")


def test_parse_ratings_and_quarters():
    assert reviews.parse_ratings("basic=2，satisfied=1") == {"satisfied": 1, "basic": 2, "unsatisfied": 0}
    assert reviews.parse_ratings(" satisfied=0 basic=0 unsatisfied=7 ") == {
        "satisfied": 0,
        "basic": 0,
        "unsatisfied": 7,
    }
    assert reviews.quarter_bounds("2026Q4") == (
        reviews.F.to_date("2026-10-01"),
        reviews.F.to_date("2026-12-31"),
    )
    assert reviews.quarter_bounds("2024Q1")[1].isoformat() == "2024-03-31"
    assert review_core.quarter_of("2026-11-23") == "2026Q4"


def test_list_view_and_prefix_lookup(sample):
    led = sample.ledger()
    banli, items = _add(led, raises=[("缺药", "medical")])
    taoying, _ = _add(led, team=TAOYING, ratings="satisfied=0,basic=0,unsatisfied=0", grade="fair")
    older, _ = _add(led, quarter="2026Q3")
    assert [r.id for r in review_reads.list_reviews(led)] == [older.id, banli.id, taoying.id]
    assert [r.id for r in review_reads.list_reviews(led, quarter="2026Q4")] == [banli.id, taoying.id]
    assert [r.id for r in review_reads.list_reviews(led, team=TAOYING)] == [taoying.id]
    view = reviews.review_view(led, banli)
    assert {k: view[k] for k in ("team_name", "raters", "satisfaction", "items_open", "item_states")} == {
        "team_name": "板栗园村",
        "raters": 50,
        "satisfaction": 0.96,
        "items_open": 1,
        "item_states": {items[0].id: "registered"},
    }
    assert reviews.review_view(led, taoying)["satisfaction"] is None
    assert reviews.find_review(led, banli.id[2:6]).id == banli.id
    with pytest.raises(LedgerError):
        reviews.find_review(led, "R-ZZZZZZ")
    with pytest.raises(BadInput):
        review_reads.list_reviews(led, quarter="Q4")
