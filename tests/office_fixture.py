"""The hand-built rollup ledger (tests/rollup_fixture.py) plus the offices' other work, with known numbers.

Added on a copy of the hand ledger (today is 2026-11-23; see rollup_fixture for what is already there):

activities (through activities.add_activity): 11-12 public_service 板栗园村 20 by V · 11-21 farm_service 一组 (of
  板栗园村) 8 by T · 11-22 joint_meeting 和平乡 (no count)
  → November per village: 板栗园村 3 (with the fixture's night school), 桃映村 0, 宋家坝村 1 (the cleanup)
cadre C2 county_leader@520602 (11-01), never stays; C stays at 宋家坝村 on 11-23 (fixture)
talk: 11-22 H1 by T                              → paired at 11-23: H1 (talked), H2 (no talk)
wish Q9 (H2, 11-21) claimed by V 11-21           → V is its leader and claimant
reviews 2026Q4: 板栗园村 40/8/2 good, raising R1 (medical, 11-22) · 桃映村 10/5/5 fair · 和平乡 3/1/0 excellent
recall V on 11-22 (open: Q4, Q9; paired H2)      → needs reassignment
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import rollup_fixture as fx
from rollup_fixture import BANLI, COUNTY, HEPING, TAOYING, YIZU, at

from minqing.ledgers.ops import activities, register, reviews, visits, workflow
from minqing.ledgers.repo.store import Ledger

hand = fx.hand


@dataclass
class Office:
    path: Path
    cadres: dict[str, str]
    homes: dict[str, str]
    items: dict[str, str]
    reviews: dict[str, str]
    activities: dict[str, str]

    def ledger(self) -> Ledger:
        return Ledger.open(self.path)


def build(source: fx.Hand, target: Path) -> Office:
    shutil.copytree(source.path, target, symlinks=True)
    saved = os.environ.get("MINQING_NOW")
    os.environ["MINQING_NOW"] = fx.NOW
    try:
        return _build(source, target)
    finally:
        if saved is None:
            os.environ.pop("MINQING_NOW", None)
        else:
            os.environ["MINQING_NOW"] = saved


def _build(source: fx.Hand, path: Path) -> Office:
    led = Ledger.open(path)
    cadres, homes, items = dict(source.cadres), dict(source.homes), dict(source.items)
    V, T = cadres["V"], cadres["T"]  # noqa: N806
    acts = {}
    cadres["C2"] = register.add_cadre(
        led, None, name="县领导己", unit=COUNTY, role="county_leader", at=at("11-01")
    ).id
    acts["public"] = activities.add_activity(
        led,
        None,
        kind="public_service",
        unit=BANLI,
        title="义务理发",
        date="2026-11-12",
        participants=20,
        by=[V],
        at=at("11-12", 15),
    ).id
    items["Q9"] = workflow.add_item(
        led,
        None,
        desc="想要一台旧电脑学技术",
        category="education",
        kind="wish",
        ledger_name="hardship",
        source="visit",
        household=homes["H2"],
        at=at("11-21", 11),
    ).id
    workflow.claim(led, None, items["Q9"], V, at=at("11-21", 12))
    acts["farm"] = activities.add_activity(
        led,
        None,
        kind="farm_service",
        unit=YIZU,
        title="果树冬剪指导",
        date="2026-11-21",
        participants="8",
        by=[T],
        at=at("11-21", 16),
    ).id
    visits.add_visit(
        led, None, household=homes["H1"], by=[T], date="2026-11-22", kind="talk", at=at("11-22", 9)
    )
    acts["meeting"] = activities.add_activity(
        led,
        None,
        kind="joint_meeting",
        unit=HEPING,
        title="11月对账销号联席会",
        date="2026-11-22",
        at=at("11-22", 10),
    ).id
    banli, raised = reviews.add_review(
        led,
        None,
        team=BANLI,
        quarter="2026Q4",
        ratings="satisfied=40,basic=8,unsatisfied=2",
        grade="good",
        report="驻村工作队述职：通组路硬化、产业奖补",
        comment="成效明显，卫生室仍需加强",
        raises=[("村卫生室缺少常用药", "medical")],
        at=at("11-22", 11),
    )
    items["R1"] = raised[0].id
    taoying, _ = reviews.add_review(
        led,
        None,
        team=TAOYING,
        quarter="2026Q4",
        ratings="satisfied=10,basic=5,unsatisfied=5",
        grade="fair",
        at=at("11-22", 12),
    )
    heping, _ = reviews.add_review(
        led,
        None,
        team=HEPING,
        quarter="2026Q4",
        ratings="satisfied=3,basic=1",
        grade="excellent",
        at=at("11-22", 13),
    )
    register.recall_cadre(led, None, V, "驻村考核不合格", at=at("11-22", 14))
    return Office(
        path, cadres, homes, items, {"banli": banli.id, "taoying": taoying.id, "heping": heping.id}, acts
    )


_BUILT: dict[str, Office] = {}


@pytest.fixture(scope="session")
def office(hand: fx.Hand, tmp_path_factory: pytest.TempPathFactory) -> Office:
    """Read-only; built once per process."""
    if "office" not in _BUILT:
        _BUILT["office"] = build(hand, tmp_path_factory.mktemp("office") / "ledger")
    return _BUILT["office"]


@pytest.fixture
def office_copy(office: Office, tmp_path: Path) -> Office:
    target = tmp_path / "ledger"
    shutil.copytree(office.path, target, symlinks=True)
    return Office(target, office.cadres, office.homes, office.items, office.reviews, office.activities)
