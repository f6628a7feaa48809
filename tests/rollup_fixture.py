"""A hand-built ledger with known counts for the index and rollup tests (built once per test session).

Timeline (all through ledgers/ operations with explicit `at=`; today is 2026-11-23, as conftest pins it):

county 碧江区 520602 · 和平乡 520602101 (板栗园村 …201 with 一组 …20101, 桃映村 …202) · 坝黄镇 520602102 (宋家坝村 …201)
cadres: V village@板栗园村, T township_leader@和平乡, C county_leader@520602, S village@桃映村 (recalled 11-10),
        W village@宋家坝村 (never visits), plus the admin and a clerk (not expected to visit)
households: H1 板栗园村/一组 poor · H2 板栗园村 monitored · H3 桃映村 general · H4 宋家坝村 poor
pairings (10-02): T–H1, V–H2, V–H4 (V–H4 undone 11-20)
visits: 08-20 H1 by V,T raising Q1 · 10-15 H2 by T · 11-05 H2 by V raising Q2, Q3 (Q3 on the spot)
        · 11-16 H4 by V · 11-20 talk H3 by T · 11-23 stay at 宋家坝村 by C
items:  Q1 housing (H1): assign T due 10-31 (10-16) → escalate township (10-20) → assign T due 11-10 (10-21)
           → escalate county (11-01) → assign C due 11-30 (11-02) → resolve 11-12 → satisfied 11-13 → close 11-14
        Q2 water (H2, 11-05): assign V due 11-15 (11-06) → progress 11-08 → resolve 11-18 → basic 11-19 → close 11-20
        Q3 policy (H2, 11-05): resolved on the spot 11-05
        Q4 infrastructure (unit 宋家坝村, 11-02): assign V due 11-20 (11-03)  → overdue
        Q5 wish education hardship (H3, 11-03): claim T 11-04 → fulfilled 11-10 → satisfied 11-11 → close 11-11
        Q6 petition other stability (H4, 09-20, due 11-19): escalate township 10-01 → assign T 10-02 → overdue
        Q7 income (H3, 11-21): explained 11-22 → unsatisfied 11-23 (open again)
        Q8 medical hardship (unit 坝黄镇 itself, 10-05): assign T due 10-20 (10-06) → resolve 10-10 → satisfied 10-11
           → close 10-12 → reopen 11-02 → overdue
activities: 10-08 lecture 和平乡 50 · 11-10 night school 板栗园村 30 · 11-18 cleanup 宋家坝村 12
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from minqing.ledgers.core import yamlio
from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.repo.store import Ledger

NOW = "2026-11-23T10:00:00+08:00"
HEPING, BAHUANG, COUNTY = "520602101", "520602102", "520602"
DEMO_HEPING = "520602202"  # 和平乡 in `minqing demo`: the statistics bureau's code (issue 16)
BANLI, TAOYING, SONGJIA, YIZU = "520602101201", "520602101202", "520602102201", "52060210120101"


@dataclass
class Hand:
    path: Path
    cadres: dict[str, str]
    homes: dict[str, str]
    items: dict[str, str]


def at(day: str, hour: int = 10) -> str:
    return f"2026-{day}T{hour:02d}:00:00+08:00"


def build(path: Path) -> Hand:
    saved = os.environ.get("MINQING_NOW")
    os.environ["MINQING_NOW"] = NOW
    try:
        return _build(path)
    finally:
        if saved is None:
            os.environ.pop("MINQING_NOW", None)
        else:
            os.environ["MINQING_NOW"] = saved


def _build(path: Path) -> Hand:
    setup = at("08-01", 9)
    register.init(str(path), COUNTY, "碧江区", "测试管理员", at=setup)
    led = Ledger.open(path)
    for code, name, level, parent in (
        (HEPING, "和平乡", "township", COUNTY),
        (BAHUANG, "坝黄镇", "township", COUNTY),
        (BANLI, "板栗园村", "village", HEPING),
        (TAOYING, "桃映村", "village", HEPING),
        (SONGJIA, "宋家坝村", "village", BAHUANG),
        (YIZU, "一组", "group", BANLI),
    ):
        register.add_unit(led, None, code, name, level, parent, at=setup)
    cadres = {}
    for key, name, unit, role in (
        ("clerk", "录入员", HEPING, "clerk"),
        ("V", "村干部甲", BANLI, "village"),
        ("T", "乡领导乙", HEPING, "township_leader"),
        ("C", "县领导丙", COUNTY, "county_leader"),
        ("S", "第一书记丁", TAOYING, "village"),
        ("W", "村干部戊", SONGJIA, "village"),
    ):
        cadres[key] = register.add_cadre(led, None, name=name, unit=unit, role=role, at=setup).id
    homes = {}
    for key, head, village, group, status in (
        ("H1", "农户甲", BANLI, YIZU, "poor"),
        ("H2", "农户乙", BANLI, None, "monitored"),
        ("H3", "农户丙", TAOYING, None, "general"),
        ("H4", "农户丁", SONGJIA, None, "poor"),
    ):
        homes[key] = register.add_household(
            led, None, head=head, village=village, group=group, status=status, at=setup
        ).id
    V, T, C = cadres["V"], cadres["T"], cadres["C"]  # noqa: N806
    register.pair(led, None, T, homes["H1"], at=at("10-02"))
    register.pair(led, None, V, homes["H2"], at=at("10-02"))
    register.pair(led, None, V, homes["H4"], at=at("10-02"))
    register.pair(led, None, V, homes["H4"], undo=True, at=at("11-20"))
    register.recall_cadre(led, None, cadres["S"], "调回原单位", at=at("11-10"))

    items: dict[str, str] = {}
    _, raised = visits.add_visit(
        led,
        None,
        household=homes["H1"],
        by=[V, T],
        date="2026-08-20",
        raises=[("屋顶漏雨", "housing")],
        at=at("08-20"),
    )
    items["Q1"] = raised[0].id
    items["Q6"] = workflow.add_item(
        led,
        None,
        desc="征地补偿款未足额发放",
        category="other",
        kind="petition",
        ledger_name="stability",
        source="petition",
        household=homes["H4"],
        at=at("09-20"),
    ).id
    workflow.escalate(led, None, items["Q6"], "township", "村里无法处理", at=at("10-01"))
    workflow.assign(led, None, items["Q6"], leader=T, resp_unit="乡信访办", due=None, at=at("10-02"))
    items["Q8"] = workflow.add_item(
        led,
        None,
        desc="乡卫生院缺药",
        category="medical",
        kind="problem",
        ledger_name="hardship",
        source="grid",
        unit=BAHUANG,
        at=at("10-05"),
    ).id
    workflow.assign(led, None, items["Q8"], leader=T, resp_unit="乡卫生院", due="2026-10-20", at=at("10-06"))
    workflow.resolve(led, None, items["Q8"], "solved", "已补药", at=at("10-10"))
    workflow.feedback(led, None, items["Q8"], "satisfied", at=at("10-11"))
    workflow.close(led, None, items["Q8"], at=at("10-12"))
    visits.add_visit(led, None, household=homes["H2"], by=[T], date="2026-10-15", at=at("10-15"))
    q1 = items["Q1"]
    workflow.assign(led, None, q1, leader=T, resp_unit="村委会", due="2026-10-31", at=at("10-16"))
    workflow.escalate(led, None, q1, "township", "需乡里统筹", at=at("10-20"))
    workflow.assign(led, None, q1, leader=T, resp_unit="乡政府", due="2026-11-10", at=at("10-21"))
    workflow.escalate(led, None, q1, "county", "需区住建局", at=at("11-01"))
    workflow.assign(led, None, q1, leader=C, resp_unit="区住建局", due="2026-11-30", at=at("11-02"))
    workflow.reopen(led, None, items["Q8"], "缺药再次发生", at=at("11-02"))
    items["Q4"] = workflow.add_item(
        led,
        None,
        desc="组组通公路塌方",
        category="infrastructure",
        kind="problem",
        ledger_name="livelihood",
        source="grid",
        unit=SONGJIA,
        at=at("11-02"),
    ).id
    workflow.assign(led, None, items["Q4"], leader=V, resp_unit="村委会", due="2026-11-20", at=at("11-03"))
    items["Q5"] = workflow.add_item(
        led,
        None,
        desc="想要一套课外书",
        category="education",
        kind="wish",
        ledger_name="hardship",
        source="visit",
        household=homes["H3"],
        at=at("11-03"),
    ).id
    workflow.claim(led, None, items["Q5"], T, at=at("11-04"))
    _, raised = visits.add_visit(
        led,
        None,
        household=homes["H2"],
        by=[V],
        date="2026-11-05",
        raises=[("饮水管破裂", "water"), ("咨询低保政策", "policy")],
        on_spot=["", "现场解答"],
        at=at("11-05"),
    )
    items["Q2"], items["Q3"] = raised[0].id, raised[1].id
    q2 = items["Q2"]
    workflow.assign(led, None, q2, leader=V, resp_unit="村委会", due="2026-11-15", at=at("11-06"))
    workflow.progress(led, None, q2, "已联系水管站", at=at("11-08"))
    _activity(led, "A-0000A1", "2026-10-08", "lecture", HEPING, 50)
    _activity(led, "A-0000A2", "2026-11-10", "night_school", BANLI, 30)
    workflow.resolve(led, None, items["Q5"], "fulfilled", "已送书", at=at("11-10"))
    workflow.feedback(led, None, items["Q5"], "satisfied", at=at("11-11"))
    workflow.close(led, None, items["Q5"], at=at("11-11", 15))
    workflow.resolve(led, None, q1, "solved", "已修缮", at=at("11-12"))
    workflow.feedback(led, None, q1, "satisfied", at=at("11-13"))
    workflow.close(led, None, q1, at=at("11-14"))
    visits.add_visit(led, None, household=homes["H4"], by=[V], date="2026-11-16", at=at("11-16"))
    workflow.resolve(led, None, q2, "solved", "已修复", at=at("11-18"))
    _activity(led, "A-0000A3", "2026-11-18", "cleanup", SONGJIA, 12)
    workflow.feedback(led, None, q2, "basic", at=at("11-19"))
    workflow.close(led, None, q2, at=at("11-20"))
    visits.add_visit(led, None, household=homes["H3"], by=[T], date="2026-11-20", kind="talk", at=at("11-20"))
    items["Q7"] = workflow.add_item(
        led,
        None,
        desc="要求安排公益岗位",
        category="income",
        kind="problem",
        ledger_name="livelihood",
        source="visit",
        household=homes["H3"],
        at=at("11-21"),
    ).id
    workflow.resolve(led, None, items["Q7"], "explained", "不符合条件，已解释", at=at("11-22"))
    workflow.feedback(led, None, items["Q7"], "unsatisfied", at=at("11-23", 9))
    visits.add_visit(
        led, None, household=None, by=[C], date="2026-11-23", kind="stay", unit=SONGJIA, at=at("11-23", 9)
    )
    return Hand(path, cadres, homes, items)


def _activity(led: Ledger, activity_id: str, date: str, kind: str, unit: str, participants: int) -> None:
    """Activities are issue 7's command; the stream format is docs/format.md's, written here as one operation."""
    doc = {
        "id": activity_id,
        "date": date,
        "kind": kind,
        "unit": unit,
        "title": kind,
        "participants": participants,
        "by": [],
        "at": f"{date}T10:00:00+08:00",
        "recorded_by": led._configured_user(),
    }
    with led.transaction(None, "activity.add") as tx:
        tx.append(f"activities/{date[:7]}.yaml", yamlio.dump_stream_doc(doc))
        tx.commit(f"活动 {kind} {date}", [activity_id], at=f"{date}T10:00:00+08:00")


_BUILT: dict[str, Hand] = {}


@pytest.fixture(scope="session")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Hand:
    """The hand-built ledger, read-only: tests that change it work on `hand_copy`. Built once per process even
    though several test modules import this fixture."""
    if "hand" not in _BUILT:
        _BUILT["hand"] = build(tmp_path_factory.mktemp("hand") / "ledger")
    return _BUILT["hand"]


@pytest.fixture
def hand_copy(hand: Hand, tmp_path: Path) -> Hand:
    target = tmp_path / "ledger"
    shutil.copytree(hand.path, target, symlinks=True)
    (target / ".git" / "minqing" / "index.sqlite").unlink(
        missing_ok=True
    )  # every copy starts without an index
    return Hand(target, hand.cadres, hand.homes, hand.items)


@pytest.fixture(scope="session")
def second_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another county (万山区 520603): one township, one village, one poor household with one open item."""
    if "second" in _BUILT:
        return _BUILT["second"].path
    path = tmp_path_factory.mktemp("wanshan") / "ledger"
    setup = at("08-01", 9)
    register.init(str(path), "520603", "万山区", "万山管理员", at=setup)
    led = Ledger.open(path)
    register.add_unit(led, None, "520603100", "万山镇", "township", "520603", at=setup)
    register.add_unit(led, None, "520603100201", "土坪村", "village", "520603100", at=setup)
    home = register.add_household(led, None, head="万山农户", village="520603100201", status="poor", at=setup)
    workflow.add_item(
        led, None, desc="饮水不稳定", category="water", kind="problem", ledger_name="livelihood", source="grid",
        household=home.id, at=at("11-04"),
    )  # fmt: skip
    _BUILT["second"] = Hand(path, {}, {"H1": home.id}, {})
    return path
