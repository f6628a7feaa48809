"""ledgers/activities.py against real git ledgers: the stream format, one commit per activity, refusals that write
nothing, listing and totals, and the monthly minimum."""

from __future__ import annotations

import subprocess

import pytest
from conftest import snapshot

from minqing.ledgers.core.errors import BadInput, LedgerError, NotFound, Refused
from minqing.ledgers.ops import activities, register
from minqing.ledgers.read import activities as activity_reads
from minqing.ledgers.verify.check import check_tree

BANLI, TAOYING, HEPING, YIZU = "520602101201", "520602101202", "520602101", "52060210120101"


def _log(path, *args: str) -> str:
    return subprocess.run(["git", "log", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def test_add_writes_one_flow_document_and_one_commit(sample):
    led = sample.ledger()
    activity = activities.add_activity(
        led,
        None,
        kind="night_school",
        unit=BANLI,
        title="猕猴桃冬季管护",
        date="2026-11-20",
        participants="35",
        by=[sample.village_cadre, sample.township_leader, sample.village_cadre],
        at="2026-11-20T19:30:00+08:00",
    )
    text = (sample.path / "activities/2026-11.yaml").read_text(encoding="utf-8")
    assert text == (
        f"--- {{id: {activity.id}, date: '2026-11-20', kind: night_school, unit: '{BANLI}', title: 猕猴桃冬季管护, "
        f"participants: 35, by: [{sample.village_cadre}, {sample.township_leader}], note: null, "
        f"at: '2026-11-20T19:30:00+08:00', recorded_by: {sample.admin}}}\n"
    )
    assert activity.by == (sample.village_cadre, sample.township_leader)  # a repeated organiser counts once
    message = _log(sample.path, "-1", "--format=%an <%ae>%n%s%n%b")
    assert message.splitlines()[:2] == [
        f"测试管理员 <{sample.admin}@minqing.invalid>",
        "活动 农民夜校 板栗园村 2026-11-20：猕猴桃冬季管护（35 人）",
    ]
    assert f"Ledger-Op: activity.add\nLedger-Entry: {activity.id}\nLedger-Actor: {sample.admin}" in message
    assert _log(sample.path, "-1", "--name-only", "--format=").split() == ["activities/2026-11.yaml"]
    assert check_tree(sample.path).findings == []


def test_activities_append_to_their_month(sample):
    led = sample.ledger()
    first = activities.add_activity(
        led,
        None,
        kind="cleanup",
        unit=YIZU,
        title="清理河道",
        date="2026-11-02",
        at="2026-11-02T10:00:00+08:00",
    )
    second = activities.add_activity(
        led,
        None,
        kind="joint_meeting",
        unit=HEPING,
        title="对账销号联席会",
        date="2026-11-05",
        participants=12,
    )
    third = activities.add_activity(
        led, None, kind="drill", unit=TAOYING, title="防汛演练", date="2026-10-30", participants=0
    )
    assert [a.id for a in activities.iter_activities(led, month="2026-11")] == [first.id, second.id]
    assert [a.id for a in activities.iter_activities(led)] == [third.id, first.id, second.id]
    assert (first.participants, third.participants) == (None, 0)
    listed = activities.iter_activities(led)
    assert [(a.source.path, a.source.line) for a in listed] == [
        ("activities/2026-10.yaml", 1),
        ("activities/2026-11.yaml", 1),
        ("activities/2026-11.yaml", 2),
    ]
    assert len(_log(sample.path, "--format=%s", "--", "activities").splitlines()) == 3


@pytest.mark.parametrize(
    "change,error,field",
    [
        ({"kind": "party"}, BadInput, "--kind"),
        ({"kind": None}, BadInput, "--kind"),
        ({"unit": None}, BadInput, "--unit"),
        ({"unit": "abc"}, BadInput, "--unit"),
        ({"unit": "520602999"}, NotFound, "--unit"),
        ({"date": "2026-11-31"}, BadInput, "--date"),
        ({"date": "2026-11-24"}, BadInput, "--date"),  # after today (2026-11-23)
        ({"title": "  "}, BadInput, "--title"),
        ({"title": "第一行\n第二行"}, BadInput, "--title"),
        ({"participants": "-1"}, BadInput, "--participants"),
        ({"participants": "三十"}, BadInput, "--participants"),
        ({"participants": 100001}, BadInput, "--participants"),
        ({"by": ["C-ZZZZZZ"]}, NotFound, None),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(sample, change, error, field):
    values = {"kind": "lecture", "unit": BANLI, "title": "政策宣讲", "date": "2026-11-20", "participants": 10}
    values.update(change)
    before = snapshot(sample.path)
    with pytest.raises(error) as refused:
        activities.add_activity(sample.ledger(), None, **values)
    if field:
        assert refused.value.params.get("field") == field
    assert snapshot(sample.path) == before
    assert not (sample.path / "activities").exists()


def test_recalled_organiser_is_refused(sample):
    led = sample.ledger()
    register.recall_cadre(led, None, sample.village_cadre, "调回原单位")
    before = snapshot(sample.path)
    with pytest.raises(Refused) as refused:
        activities.add_activity(
            led, None, kind="lecture", unit=BANLI, title="宣讲", date="2026-11-20", by=[sample.village_cadre]
        )
    assert refused.value.key == "actor_recalled"
    assert snapshot(sample.path) == before


def test_list_filters_and_totals_by_kind(sample):
    led = sample.ledger()
    for kind, unit, day, people in (
        ("night_school", BANLI, "2026-11-03", 30),
        ("night_school", TAOYING, "2026-11-10", 25),
        ("lecture", HEPING, "2026-11-12", None),
        ("cleanup", YIZU, "2026-10-20", 8),
    ):
        activities.add_activity(led, None, kind=kind, unit=unit, title=kind, date=day, participants=people)
    assert len(activity_reads.list_activities(led)) == 4
    assert [a.unit for a in activity_reads.list_activities(led, month="2026-11", unit=HEPING)] == [
        BANLI,
        TAOYING,
        HEPING,
    ]
    assert [a.unit for a in activity_reads.list_activities(led, unit=BANLI)] == [YIZU, BANLI]
    assert [a.date for a in activity_reads.list_activities(led, kind="night_school")] == [
        "2026-11-03",
        "2026-11-10",
    ]
    totals = activity_reads.totals_by_kind(activity_reads.list_activities(led))
    assert [(t.kind, t.sessions, t.participants) for t in totals] == [
        ("night_school", 2, 55),
        ("lecture", 1, 0),
        ("cleanup", 1, 8),
    ]
    for bad in ({"month": "2026-1"}, {"month": "11/2026"}, {"kind": "party"}, {"unit": "999"}):
        with pytest.raises(LedgerError):
            activity_reads.list_activities(led, **bad)


def test_monthly_minimum_counts_villages_and_their_groups(sample):
    led = sample.ledger()
    for unit, day in (
        (BANLI, "2026-11-03"),
        (YIZU, "2026-11-04"),
        (HEPING, "2026-11-05"),
        (TAOYING, "2026-10-05"),
    ):
        activities.add_activity(led, None, kind="public_service", unit=unit, title="义务劳动", date=day)
    found = activity_reads.check_activity_minimum(led.units(), activities.iter_activities(led), "2026-11", 2)
    # 板栗园村 has 2 (one at its group); 桃映村's was in October; the township-wide one counts for no village
    assert [(s.village, s.name, s.count, s.minimum, s.path) for s in found] == [
        (TAOYING, "桃映村", 0, 2, "activities/2026-11.yaml"),
        ("520602102201", "宋家坝村", 0, 2, "activities/2026-11.yaml"),
    ]
