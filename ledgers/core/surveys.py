"""The satisfaction survey (群众满意度测评) and the rounds of team visits (五人大走访), pure (issue 18).

A survey answer is one document of an append-only stream, `surveys/<yyyy-mm>/<village-code>.yaml`, shaped like a
visit's stream: a household asked whether it is satisfied (satisfied | basic | unsatisfied, the same answers as an
item's feedback), in a round of the campaign, by the cadres who asked. The rate the articles print (群众认可度
97.64%) is (satisfied + basic) / households surveyed; a household asked twice counts once, by its latest answer.

A team visit is a visit recorded in a round (`visit add --round N`). minqing.yaml `team_roles` names the roles such
a team should bring; `check --teams` reports a team visit missing one. A cadre fills one team role: the one its
title names (第一书记, 驻村队长, …), else its role code (county_leader, township_leader, village).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from .errors import BadInput
from .messages import Text
from .model import FEEDBACK, Cadre, Record, Source

SURVEY_RESULTS = FEEDBACK  # 满意 | 基本满意 | 不满意: the answers an item's feedback takes too
SURVEY_GOOD = ("satisfied", "basic")  # 认可: what the articles' 认可度 counts

# The five seats of 五人大走访 (seed 001), in the order the article names them. (zh, en) labels; the zh label and
# the titles below are what a cadre's free-text `title` is matched against.
TEAM_ROLES: dict[str, tuple[str, str]] = {
    "county_leader": ("县级领导", "county leader"),
    "township_leader": ("包村领导", "township leader"),
    "team_leader": ("驻村工作队长", "work-team leader"),
    "first_secretary": ("第一书记", "first secretary"),
    "village": ("村两委", "village committee"),
}
DEFAULT_TEAM_ROLES = tuple(TEAM_ROLES)
DEFAULT_ROUNDS = 4  # 四轮 (seed 001)
# Titles offices write, for the team role they fill. Checked before the cadre's role code: a first secretary is
# registered with role `village` but fills the 第一书记 seat, not the 村两委 one.
TEAM_TITLES: dict[str, str] = {
    "县级领导": "county_leader",
    "县领导": "county_leader",
    "区级领导": "county_leader",
    "包村领导": "township_leader",
    "包村干部": "township_leader",
    "驻村工作队长": "team_leader",
    "驻村队长": "team_leader",
    "工作队长": "team_leader",
    "第一书记": "first_secretary",
    "驻村第一书记": "first_secretary",
    "村主任": "village",
    "村支书": "village",
    "村党支部书记": "village",
    "村委会主任": "village",
    "村两委": "village",
}
# A cadre's role code -> the team role it fills when its title names none.
ROLE_SEATS = {"county_leader": "county_leader", "township_leader": "township_leader", "village": "village"}


@dataclass(frozen=True)
class Survey(Record):
    id: str
    date: str
    household: str = ""
    village: str = ""
    unit: str = ""
    result: str = "satisfied"
    round: int | None = None
    by: tuple[str, ...] = ()
    visit: str | None = None  # the visit it was asked during (`visit add --survey`)
    note: str | None = None
    at: str = ""
    recorded_by: str = ""
    # A correction or a void (core/streams.py), as in the other streams.
    corrects: str | None = None
    voids: str | None = None
    corrected_by: str | None = None
    reason: str | None = None
    late: str | None = None
    source: Source | None = None

    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {"round", "visit", "corrects", "voids", "corrected_by", "reason", "late"}
    )


def team_role(cadre: Cadre) -> str | None:
    """The seat of a team visit a cadre fills: its title's, else its role's, else none (a clerk)."""
    title = (cadre.title or "").strip()
    for text, seat in TEAM_TITLES.items():
        if title == text:
            return seat
    return ROLE_SEATS.get(cadre.role)


def missing_roles(required: Iterable[str], visitors: Iterable[Cadre]) -> list[str]:
    """The team roles in `required` that none of the visitors fills."""
    filled = {team_role(cadre) for cadre in visitors}
    return [seat for seat in required if seat not in filled]


def parse_round(value: int | str | None, field: str, rounds: int) -> int | None:
    """A round number 1..rounds (minqing.yaml `rounds`), or None when not given."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= rounds:
        raise BadInput("bad_value", field=field, value=value, accepted=Text("acc_round", rounds=rounds))
    return int(text)


def role_label(seat: str, lang: str = "zh") -> str:
    pair = TEAM_ROLES.get(seat)
    return (pair[1] if lang == "en" else pair[0]) if pair else seat
