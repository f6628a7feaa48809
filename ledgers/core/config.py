"""minqing.yaml: office settings with sensible defaults. Roles and what each may do live here (DESIGN §4)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .errors import Refused
from .model import ROLES, Cadre
from .operations import DEFAULT_PERMISSIONS

ALL_ROLES = list(ROLES)

DEFAULTS: dict[str, Any] = {
    "schema": 1,
    "county": {"code": "", "name": ""},
    "locale": "zh-CN",
    "deadlines": {
        # 限时办结: days from registration to the due date of an item given none (a petition follows its legal
        # limits instead). null: items without --due have no due date until they are assigned.
        "default_days": None,
        "petition_assign_working_days": 1,
        "petition_answer_days": 60,
        "petition_max_extensions": 1,
        "petition_max_extension_days": 30,
    },
    # Who may close (销号) an item at each level.
    "close_levels": {
        "clerk": [],
        "village": ["village"],
        "township_leader": ["village", "township"],
        "county_leader": ["village", "township", "county"],
        "admin": ["village", "township", "county"],
    },
    # Which roles may perform each operation (defaults from the table of operations, core/operations.py). Ops not
    # listed are open to every active cadre.
    "permissions": DEFAULT_PERMISSIONS,
    "unmask_roles": ["admin"],
    "require_signed": False,
    "activity_minimum": 2,
    # Duties checked by `minqing duties` (issue 7): stays (蹲点) a month per cadre of `stay_roles`, talks
    # (谈心谈话) a quarter per paired household.
    "stay_minimum": 1,
    "stay_roles": ["county_leader"],
    "talk_minimum": 1,
    # Issue 18: talks (谈心谈话) a quarter per work-team cadre: every cadre posted to a village (cadre post) and the
    # cadres of `cadre_talk_roles`. A helping unit's 五帮五扶 minimum is `activity_minimum` unless
    # `department_activity_minimum` is set.
    "cadre_talk_minimum": 1,
    "cadre_talk_roles": [],
    # 五人大走访 (issue 18, core/surveys.py): the seats a team visit (a visit in a round) should fill, checked by
    # `check --teams`, and how many rounds the campaign has (`visit add --round 1..rounds`).
    "team_roles": ["county_leader", "township_leader", "team_leader", "first_secretary", "village"],
    "rounds": 4,
    # Full ID numbers and mobile numbers typed into free text (notes, descriptions, plans, reasons, commit
    # subjects): "mask" writes them masked with a one-line notice, "refuse" refuses the command (exit 2).
    "pii_in_text": "mask",
    # Paths outside the ledger's layout that a commit may touch (git wildmatch patterns, e.g. "README.md",
    # "docs/**"). Any other path is flagged by `audit` and refused by the pre-receive hook.
    "allowed_paths": [],
}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Config:
    data: dict[str, Any]

    @classmethod
    def from_file_data(cls, data: dict[str, Any] | None) -> Config:
        return cls(_merge(DEFAULTS, data or {}))

    @property
    def county_code(self) -> str:
        return str(self.data["county"]["code"])

    @property
    def county_name(self) -> str:
        return str(self.data["county"]["name"])

    def deadline(self, key: str) -> int:
        return int(self.data["deadlines"][key])

    def default_days(self) -> int | None:
        value = self.data["deadlines"].get("default_days")
        return int(value) if value is not None else None

    def allowed_roles(self, op: str) -> list[str]:
        return list(self.data["permissions"].get(op, ALL_ROLES))

    def require(self, actor: Cadre, op: str) -> None:
        allowed = self.allowed_roles(op)
        if actor.role not in allowed:
            raise Refused(
                "role_not_allowed", actor=actor.id, role=actor.role, op=op, allowed=", ".join(allowed)
            )

    def require_close(self, actor: Cadre, level: str) -> None:
        levels = self.data["close_levels"].get(actor.role, [])
        if level not in levels:
            allowed = [role for role, lv in self.data["close_levels"].items() if level in lv]
            raise Refused(
                "close_not_allowed", actor=actor.id, role=actor.role, level=level, allowed=", ".join(allowed)
            )

    def pii_policy(self) -> str:
        return "refuse" if self.data.get("pii_in_text") == "refuse" else "mask"

    def allowed_paths(self) -> list[str]:
        return [str(pattern) for pattern in self.data.get("allowed_paths") or []]

    def team_roles(self) -> list[str]:
        return [str(seat) for seat in self.data.get("team_roles") or []]

    def rounds(self) -> int:
        value = self.data.get("rounds")
        return int(value) if isinstance(value, int) and value >= 1 else 4

    def may_unmask(self, actor: Cadre) -> bool:
        return actor.role in self.data["unmask_roles"]


def initial(county_code: str, county_name: str) -> dict[str, Any]:
    """What `init` writes: the defaults spelled out, so an office sees every setting it can change."""
    data = copy.deepcopy(DEFAULTS)
    data["county"] = {"code": county_code, "name": county_name}
    return data
