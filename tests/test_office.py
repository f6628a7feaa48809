"""ledgers/office.py over the office fixture (tests/office_fixture.py): exact numbers for the ranking and each of
its components, the daily report, reconciliation, the roster, each duty check, and the rollup columns the
offices' work feeds (activities, participants, talks, stays, wishes)."""

from __future__ import annotations

import datetime as dt

import office_fixture as ofx
import pytest
import rollup_fixture as fx
from rollup_fixture import BAHUANG, BANLI, COUNTY, DEMO_HEPING, HEPING, SONGJIA, TAOYING

from minqing.ledgers.core.errors import BadInput, NotFound
from minqing.ledgers.read import office as O
from minqing.ledgers.read import rollup
from minqing.ledgers.read.activities import check_activity_minimum, iter_activities
from minqing.ledgers.read.index import Index

hand = fx.hand
office = ofx.office


def _row(ranking: O.Ranking, unit: str) -> dict:
    return next(row.to_dict() for row in ranking.rows if row.unit == unit)


# ---------------------------------------------------------------- the rollup columns this work feeds


def test_rollup_columns_for_activities_talks_stays_wishes(office):
    with Index.open(office.ledger()) as index:
        result = rollup.rollup([index], rollup.period_containing("month", dt.date(2026, 11, 1)), "township")
    rows = {row.unit: row.values for row in result.rows}
    keys = (
        "activities",
        "participants",
        "talks",
        "stays",
        "wishes_raised",
        "wishes_claimed",
        "wishes_fulfilled",
    )
    assert (
        {k: rows[HEPING][k] for k in keys}
        == {
            "activities": 4,  # night school 30, public service 20, farm service 8 (at a group), joint meeting (no count)
            "participants": 58,
            "talks": 2,  # H3 on 11-20, H1 on 11-22
            "stays": 0,
            "wishes_raised": 2,  # Q5, Q9
            "wishes_claimed": 2,
            "wishes_fulfilled": 1,  # Q5
        }
    )
    assert {k: rows[BAHUANG][k] for k in keys} == {
        "activities": 1,
        "participants": 12,
        "talks": 0,
        "stays": 1,  # C at 宋家坝村 on 11-23
        "wishes_raised": 0,
        "wishes_claimed": 0,
        "wishes_fulfilled": 0,
    }
    assert {k: result.total.values[k] for k in keys} == {
        "activities": 5,
        "participants": 70,
        "talks": 2,
        "stays": 1,
        "wishes_raised": 2,
        "wishes_claimed": 2,
        "wishes_fulfilled": 1,
    }


# ---------------------------------------------------------------- ranking


def test_rank_townships_every_component(office):
    ranking = O.rank(office.ledger(), "2026Q4", "township")
    assert [(row.rank, row.unit, row.score) for row in ranking.rows] == [
        (1, BAHUANG, 94.0),
        (2, HEPING, 83.6),
    ]
    assert (ranking.period.start, ranking.period.end, ranking.period.as_of) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        dt.date(2026, 11, 23),
    )
    heping = _row(ranking, HEPING)
    assert heping == {
        "rank": 2,
        "unit": HEPING,
        "name": "和平乡",
        "score": 83.6,
        # closed in Q4: Q1 (resolved before its due), Q5 (no due), Q2 (resolved 11-18, due 11-15: late)
        "on_time_rate": 0.6667,
        "on_time_points": 26.7,
        "closed": 3,
        "closed_on_time": 2,
        # H1 (talk 11-22), H2, H3 (talk 11-20): every household visited in the quarter
        "coverage": 1.0,
        "coverage_points": 30.0,
        "households": 3,
        "households_visited": 3,
        # feedback 3 good of 4 (Q7 unsatisfied) + reviews of 板栗园村 48/50, 桃映村 15/20, 和平乡 4/4 = 70/78
        "satisfaction_rate": 0.8974,
        "satisfaction_points": 26.9,
        "feedback": 4,
        "feedback_good": 3,
        "review_raters": 74,
        "review_good": 67,
        "overdue": 0,
        "overdue_penalty": 0,
        "grade": None,
    }
    bahuang = _row(ranking, BAHUANG)
    assert {
        k: bahuang[k] for k in ("on_time_rate", "closed", "coverage", "satisfaction_rate", "review_raters")
    } == {
        "on_time_rate": 1.0,
        "closed": 1,
        "coverage": 1.0,
        "satisfaction_rate": 1.0,
        "review_raters": 0,
    }
    # Q4, Q6 and the reopened Q8 are overdue at 11-23: 3 × 2 points off
    assert (bahuang["overdue"], bahuang["overdue_penalty"], bahuang["score"]) == (3, 6.0, 94.0)


def test_rank_teams_uses_village_reviews_and_grades(office):
    ranking = O.rank(office.ledger(), "2026Q4", "team")
    assert [(r.rank, r.unit, r.score, r.grade) for r in ranking.rows] == [
        (1, TAOYING, 91.8, "fair"),
        (2, BANLI, 78.8, "good"),
        (3, SONGJIA, 61.0, None),
    ]
    taoying = _row(ranking, TAOYING)
    # Q5 satisfied + Q7 unsatisfied, plus the review's 15 of 20: 16/22
    assert (taoying["satisfaction_rate"], taoying["satisfaction_points"]) == (0.7273, 21.8)
    songjia = _row(ranking, SONGJIA)
    # nothing closed and no feedback: those components score half their weight
    assert (songjia["on_time_rate"], songjia["on_time_points"]) == (None, 20.0)
    assert (songjia["satisfaction_rate"], songjia["satisfaction_points"]) == (None, 15.0)
    assert (songjia["overdue"], songjia["overdue_penalty"]) == (2, 4.0)
    banli = _row(ranking, BANLI)
    assert (banli["closed"], banli["closed_on_time"], banli["review_raters"], banli["review_good"]) == (
        2,
        1,
        50,
        48,
    )


def test_rank_equal_scores_share_a_rank(office):
    ranking = O.rank(office.ledger(), "2026Q3", "team")
    # Q3 (Jul–Sep): nothing closed, no feedback, only H1 visited (08-20); Q1 opened 08-20 is not yet due.
    assert [(r.rank, r.unit, r.score) for r in ranking.rows] == [
        (1, BANLI, 50.0),  # 20 + 15 (1 of 2 households) + 15
        (2, TAOYING, 35.0),  # equal scores and overdue counts: by code
        (2, SONGJIA, 35.0),
    ]


def test_rank_refuses_bad_quarters_and_groupings(office):
    led = office.ledger()
    with pytest.raises(BadInput) as bad:
        O.rank(led, "2026Q5", "township")
    assert bad.value.params["field"] == "--quarter"
    with pytest.raises(BadInput) as future:
        O.rank(led, "2027Q1", "township")
    assert "2026-11-23" in future.value.render("en")
    with pytest.raises(BadInput) as grouping:
        O.rank(led, "2026Q4", "village")
    assert grouping.value.render("en") == "--by: invalid value 'village'; accepted: township|team"


def test_rank_defaults_to_the_current_quarter_by_township(office):
    ranking = O.rank(office.ledger(), None, None)
    assert (ranking.quarter, ranking.by) == ("2026Q4", "township")


# ---------------------------------------------------------------- daily report


def test_daily_report_for_a_day(office):
    daily = O.daily_report(office.ledger(), "2026-11-21")
    rows = {row.unit: row.values for row in daily.rows}
    assert rows[HEPING] == {
        "visits": 0,
        "talks": 0,
        "stays": 0,
        "households_visited": 0,
        "opened": 2,  # Q7 and the wish Q9
        "on_the_spot": 0,
        "closed": 0,
        "fell_overdue": 0,
        "overdue": 0,
        "wishes_fulfilled": 0,
        "activities": 1,  # the farm service at 一组
        "participants": 8,
    }
    assert (rows[BAHUANG]["fell_overdue"], rows[BAHUANG]["overdue"]) == (1, 3)  # Q4 was due 11-20
    assert daily.total.values["opened"] == 2 and daily.total.values["fell_overdue"] == 1
    assert [row["id"] for row in daily.raised] == [office.items["Q9"], office.items["Q7"]]  # by unit
    assert [(row["id"], row["due"], row["leader_name"]) for row in daily.fell_overdue] == [
        (office.items["Q4"], "2026-11-20", "村干部甲")
    ]
    assert [(a["kind"], a["unit"], a["participants"]) for a in daily.activities] == [
        ("farm_service", fx.YIZU, 8)
    ]


def test_daily_report_defaults_to_yesterday(office):
    daily = O.daily_report(office.ledger())
    assert daily.date == "2026-11-22"
    heping = next(row.values for row in daily.rows if row.unit == HEPING)
    assert (heping["talks"], heping["households_visited"], heping["opened"], heping["activities"]) == (
        1,
        1,
        1,
        1,
    )
    assert daily.fell_overdue == ()
    assert [row["id"] for row in daily.raised] == [office.items["R1"]]


def test_daily_report_closed_and_fell_overdue(office):
    daily = O.daily_report(office.ledger(), "2026-11-20")
    assert [row["id"] for row in daily.closed] == [office.items["Q2"]]
    assert [row["id"] for row in daily.fell_overdue] == [office.items["Q6"]]  # due 11-19
    assert daily.total.values["closed"] == 1 and daily.total.values["talks"] == 1


def test_daily_report_refuses_future_dates(office):
    with pytest.raises(BadInput) as bad:
        O.daily_report(office.ledger(), "2026-11-24")
    assert bad.value.key == "future_date"


# ---------------------------------------------------------------- reconciliation


def test_reconcile_whole_county(office):
    sheet = O.reconcile(office.ledger())
    items = office.items
    assert [
        (r.id, r.unit, r.state, r.last_op, r.last_date, r.days_since, r.overdue_days) for r in sheet.rows
    ] == [
        (items["Q9"], BANLI, "assigned", "claim", "2026-11-21", 2, None),
        (items["R1"], BANLI, "registered", "create", "2026-11-22", 1, None),
        (items["Q7"], TAOYING, "in_progress", "feedback", "2026-11-23", 0, None),
        (items["Q8"], BAHUANG, "in_progress", "reopen", "2026-11-02", 21, 34),
        (items["Q6"], SONGJIA, "assigned", "assign", "2026-10-02", 52, 4),
        (items["Q4"], SONGJIA, "assigned", "assign", "2026-11-03", 20, 3),
    ]
    data = sheet.to_dict()
    assert (data["unit"], data["open"], data["overdue"]) == (COUNTY, 6, 3)
    q6 = next(r for r in sheet.rows if r.id == items["Q6"])
    assert (q6.ledger, q6.kind, q6.head, q6.leader_name, q6.level) == (
        "stability",
        "petition",
        "农户丁",
        "乡领导乙",
        "township",
    )


def test_reconcile_by_ledger_and_unit(office):
    led = office.ledger()
    assert [r.id for r in O.reconcile(led, "stability").rows] == [office.items["Q6"]]
    assert [r.id for r in O.reconcile(led, "hardship", BAHUANG).rows] == [office.items["Q8"]]
    assert [r.id for r in O.reconcile(led, "livelihood", HEPING).rows] == [
        office.items["R1"],
        office.items["Q7"],
    ]
    assert O.reconcile(led, "hardship", TAOYING).rows == ()


def test_reconcile_refuses_bad_input(office):
    led = office.ledger()
    with pytest.raises(BadInput) as bad:
        O.reconcile(led, "money")
    assert (
        bad.value.render("en") == "--ledger: invalid value 'money'; accepted: livelihood|hardship|stability"
    )
    with pytest.raises(NotFound):
        O.reconcile(led, None, "520602999")


# ---------------------------------------------------------------- roster


def test_roster_flags_recalled_cadres_with_open_cases(office):
    roster = O.roster(office.ledger())
    data = roster.to_dict()
    assert (data["cadres"], data["recalled"], data["needs_reassignment"]) == (8, 2, 1)
    assert data["by_title"] == {"": {"total": 8, "active": 6, "recalled": 2}}
    first = roster.rows[0]
    assert (first.id, first.status, first.recalled, first.recall_reason) == (
        office.cadres["V"],
        "recalled",
        "2026-11-22",
        "驻村考核不合格",
    )
    # claiming a wish makes the claimant its leader, so Q9 is both an open case and an open wish
    assert first.open_cases == (office.items["Q4"], office.items["Q9"])
    assert first.open_wishes == (office.items["Q9"],)
    assert (first.pairings, first.needs_reassignment) == (1, True)
    second = roster.rows[1]
    assert (second.id, second.status, second.needs_reassignment, second.open_cases) == (
        office.cadres["S"],
        "recalled",
        False,
        (),
    )
    t = next(row for row in roster.rows if row.id == office.cadres["T"])
    assert (t.status, t.pairings, t.open_cases) == ("active", 1, (office.items["Q6"], office.items["Q8"]))


def test_roster_recalled_only_and_by_unit(office):
    led = office.ledger()
    assert [row.id for row in O.roster(led, recalled_only=True).rows] == [
        office.cadres["V"],
        office.cadres["S"],
    ]
    by_unit = O.roster(led, unit=HEPING)
    assert sorted(row.id for row in by_unit.rows) == sorted(
        office.cadres[key] for key in ("clerk", "V", "T", "S")
    )
    assert by_unit.to_dict()["needs_reassignment"] == 1


# ---------------------------------------------------------------- duties


def test_duties_this_month_and_quarter(office):
    result = O.duties(office.ledger())
    assert (result.month, result.quarter) == ("2026-11", "2026Q4")
    assert result.minimums == {"activities": 2, "stays": 1, "talks": 1, "departments": 2, "cadre_talks": 1}
    found = [(d.code, d.path, d.params.get("count")) for d in result.findings]
    assert found == [
        ("activity_minimum", "activities/2026-11.yaml", 0),  # 桃映村
        ("activity_minimum", "activities/2026-11.yaml", 1),  # 宋家坝村: the cleanup only
        ("stay_missing", f"cadres/{office.cadres['C2']}.yaml", 0),
        ("talk_missing", f"households/{BANLI}/{office.homes['H2']}.yaml", 0),
    ]
    assert [d.params.get("village") for d in result.findings[:2]] == [TAOYING, SONGJIA]
    assert result.findings[2].render("en") == (
        f"cadres/{office.cadres['C2']}.yaml: county leader {office.cadres['C2']} (县领导己) made 0 stays in 2026-11; "
        "at least 1 a month are required"
    )
    assert (
        result.findings[3].message("zh")
        == f"结对户 {office.homes['H2']}（农户乙）2026Q4 谈心谈话 0 次：每季度至少 1 次"
    )


def test_duties_of_an_earlier_month(office):
    result = O.duties(office.ledger(), month="2026-10", quarter="2026Q3")
    codes = [
        (d.code, d.params.get("village") or d.params.get("cadre") or d.params.get("household"))
        for d in result.findings
    ]
    # October: only a township-wide lecture (not counted per village); C made no stay; C2 was not yet in post.
    # 2026Q3: nobody was paired before 10-02, so no talk was owed.
    assert codes == [
        ("activity_minimum", BANLI),
        ("activity_minimum", TAOYING),
        ("activity_minimum", SONGJIA),
        ("stay_missing", office.cadres["C"]),
    ]


def test_duties_only_and_minimum_override(office):
    led = office.ledger()
    only = O.duties(led, only="activities", activity_minimum="4")
    assert only.minimums == {"activities": 4}
    assert [d.params["village"] for d in only.findings] == [BANLI, TAOYING, SONGJIA]
    assert O.duties(led, only="activities", activity_minimum=0).findings == ()
    with pytest.raises(BadInput):
        O.duties(led, only="visits")
    with pytest.raises(BadInput):
        O.duties(led, month="2026-13")
    with pytest.raises(BadInput):
        O.duties(led, month="2026-12")


def test_check_activity_minimum_is_pure(office):
    led = office.ledger()
    found = check_activity_minimum(led.units(), iter_activities(led), "2026-11", 3)
    assert [(s.village, s.count) for s in found] == [(TAOYING, 0), (SONGJIA, 1)]
    assert check_activity_minimum(led.units(), [], "2026-11", 0) == []


# ---------------------------------------------------------------- the demo county shows all of it


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory):
    from minqing.ledgers.ops import demo

    return demo.build(tmp_path_factory.mktemp("demo") / "ledger", seed=1)


def test_demo_has_activities_reviews_talks_stays_and_their_findings(demo_ledger):
    from collections import Counter

    from minqing.ledgers.ops import reviews
    from minqing.ledgers.read import queries

    acts = list(iter_activities(demo_ledger))
    # 11 villages × 2 a month (3 short in October, 3 in November), 4 joint meetings and 1 county-wide a month
    assert Counter(a.date[:7] for a in acts) == {"2026-09": 27, "2026-10": 24, "2026-11": 24}
    quarter = reviews.iter_reviews(demo_ledger, "2026Q3")
    assert (len(quarter), sum(len(r.items) for r in quarter)) == (
        11,
        3,
    )  # problems raised outside 和平乡 only
    kinds = Counter(v.kind for v in queries.visits(demo_ledger))
    # 193 talks with paired households and 3 with the cadres the departments posted (issue 18)
    assert (kinds["talk"], kinds["stay"]) == (196, 8)
    found = O.duties(demo_ledger)
    assert Counter(d.code for d in found.findings) == {
        "talk_missing": 25,
        "activity_minimum": 2,
        "stay_missing": 1,
    }
    roster = O.roster(demo_ledger, recalled_only=True)
    assert (len(roster.rows), roster.to_dict()["needs_reassignment"], len(roster.rows[0].open_cases)) == (
        1,
        1,
        3,
    )
    # and 和平乡 still has exactly 215 items, 104 referred to the township and 25 to the 区
    with Index.open(demo_ledger) as index:
        result = rollup.rollup([index], rollup.period_containing("quarter", dt.date(2026, 11, 1)), "township")
    heping = next(row.values for row in result.rows if row.unit == DEMO_HEPING)
    assert (heping["raised"], heping["escalated_township"], heping["escalated_county"]) == (215, 104, 25)
