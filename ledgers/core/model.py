"""The ledger's records: plain frozen dataclasses that know the file (and line) they came from.

Entity files hold a snapshot plus `history:`; the snapshot is what its history replays to (core/kinds.py).
`to_dict` fixes the key order written to disk (docs/format.md), so diffs stay minimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

ITEM_KINDS = ("problem", "appeal", "petition", "wish", "suggestion")
LEDGERS = ("livelihood", "hardship", "stability")
CATEGORIES = (
    "income",
    "education",
    "medical",
    "housing",
    "water",
    "infrastructure",
    "industry",
    "policy",
    "other",
)
# discipline (纪委, issue 18): the discipline-inspection channel, one of the four channels of seed 000
SOURCES = ("visit", "petition", "hotline", "review", "grid", "discipline")
LEVELS = ("village", "township", "county")
STATES = ("registered", "assigned", "in_progress", "resolved", "closed")
OPEN_STATES = ("registered", "assigned", "in_progress")
# 作废: a duplicate or mistaken entry, withdrawn. Not a step of the workflow (nothing moves on from it): it leaves
# every count, list and funnel, and the file and its history stay.
VOIDED = "voided"
HOW = ("solved", "explained", "on_the_spot", "fulfilled")
FEEDBACK = ("satisfied", "basic", "unsatisfied")
ROLES = ("clerk", "village", "township_leader", "county_leader", "admin")
CADRE_STATUS = ("active", "recalled")
HOUSEHOLD_STATUS = ("poor", "lifted", "monitored", "general")
# Why a household leaves the register (销户, issue 15); schemas/household.yaml lists the same.
REMOVE_REASONS = ("died", "moved_away", "merged", "duplicate", "other")
INDICATORS = ("food", "clothing", "education", "medical", "housing", "water")
INDICATOR_VALUES = ("ok", "risk")


def at_risk(indicators: Any) -> tuple[str, ...]:
    """The indicators a household's file marks `risk`, in the file's order (`household list`'s 风险指标 column)."""
    if not isinstance(indicators, dict):
        return ()
    return tuple(str(name) for name, value in indicators.items() if value == "risk")


# condolence (慰问, issue 18): a visit bringing condolences or relief to a household
VISIT_KINDS = ("visit", "talk", "stay", "condolence")
# A department (帮扶单位/后盾单位, issue 18) is outside the territorial tree: a county office sending cadres.
UNIT_LEVELS = ("county", "township", "village", "group", "department")
# Issue 7 (activities, quarterly reviews); schemas/activity.yaml and schemas/review.yaml use the same lists.
ACTIVITY_KINDS = (
    "night_school",
    "cadre_school",
    "lecture",
    "public_service",
    "farm_service",
    "cleanup",
    "drill",
    "joint_meeting",
    "other",
)
REVIEW_GRADES = ("excellent", "good", "fair", "poor")


@dataclass(frozen=True)
class Source:
    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class HistoryEntry:
    id: str
    at: str
    by: str
    op: str
    fields: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "by": self.by, "op": self.op, "fields": dict(self.fields)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryEntry:
        return cls(
            str(data["id"]), str(data["at"]), str(data["by"]), str(data["op"]), dict(data.get("fields") or {})
        )


class Record:
    """Shared (de)serialisation: dataclass fields in declaration order, `source` kept out of the file.

    Fields named in OPTIONAL are written only when set: they came after files were already in git, and a file
    without them must still equal the replay of its history."""

    source: Source | None
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def file_keys(cls) -> tuple[str, ...]:
        """The file's keys in declaration order (every field but `source`), asked of dataclasses once per class:
        a county's stream read makes a million visits, an import writes 100,000 households."""
        keys = _FILE_KEYS.get(cls)
        if keys is None:
            keys = _FILE_KEYS[cls] = tuple(
                spec.name
                for spec in fields(cls)  # type: ignore[arg-type]
                if spec.name != "source"
            )
        return keys

    def to_dict(self, history: tuple[HistoryEntry, ...] | None = None) -> dict[str, Any]:
        """The file's mapping; with `history`, that of the same record with this history (an import's new records,
        without a dataclasses.replace each)."""
        out: dict[str, Any] = {}
        for name in self.file_keys():
            value = getattr(self, name) if name != "history" or history is None else history
            if name == "history":
                value = [entry.to_dict() for entry in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            if value is None and name in self.OPTIONAL:
                continue
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Source | None = None) -> Any:
        kwargs: dict[str, Any] = {}
        for name in cls.file_keys():
            if name not in data:
                continue
            value = data[name]
            if name == "history":
                value = tuple(HistoryEntry.from_dict(entry) for entry in (value or ()))
            elif isinstance(value, list):
                value = tuple(value)
            kwargs[name] = value
        return cls(**kwargs, source=source)  # type: ignore[call-arg]


_FILE_KEYS: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True)
class Unit(Record):
    """A unit of the org tree (org/units.yaml). `aliases`: its earlier names, oldest first (org rename: found and
    imported by them too); `retired` / `merged_into`: the day it was merged into another unit (org merge, 撤并) and
    which; a retired code stays in the file for history and is never reused. `official`: see below."""

    code: str
    name: str
    level: str
    parent: str | None
    aliases: tuple[str, ...] | None = None
    retired: str | None = None
    merged_into: str | None = None
    # The bureau's official name (漳扎村村民委员会) when it differs from `name`, the short name offices use (漳扎村):
    # org import and org add keep both (core/orgtree.py: short_name); either one names the unit.
    official: str | None = None
    source: Source | None = None
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"aliases", "retired", "merged_into", "official"})


@dataclass(frozen=True)
class Cadre(Record):
    id: str
    name: str = ""
    unit: str = ""
    role: str = "clerk"
    title: str | None = None
    phone: str | None = None
    phone_hash: str | None = None
    status: str = "active"
    recall_reason: str | None = None
    pairings: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    # The day the cadre took up the unit, when before it was typed in (an imported roster's --registered).
    registered: str | None = None
    # Issue 18: the helping unit (帮扶单位, a department code) the cadre belongs to, and the village they are posted
    # to (驻村, `cadre post`); visits and activities they do are credited to the department in the index.
    department: str | None = None
    posted: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    source: Source | None = None

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"registered", "department", "posted"})


@dataclass(frozen=True)
class Household(Record):
    id: str
    head: str = ""
    village: str = ""
    group: str | None = None
    members: int = 1
    status: str = "general"
    id_number: str | None = None
    id_hash: str | None = None
    phone: str | None = None
    phone_hash: str | None = None
    register_no: str | None = None
    indicators: dict[str, str] = field(default_factory=dict)
    pairings: tuple[str, ...] = ()
    removed: str | None = None  # the day it left the register (销户): out of every count from that day on
    remove_reason: str | None = None  # one of REMOVE_REASONS
    # The day the office registered it (建档), when known (`household add --registered`, an import of last year's
    # roster); no visit is dated before it. Absent: registered when it was typed in, bound unknown.
    registered: str | None = None
    # Keyed hashes of the other members' ID numbers (a person-level roster, 已脱贫人口名单): `household find
    # --id-number` finds a member's household; the numbers themselves are only in this machine's vault.
    member_hashes: tuple[str, ...] | None = None
    history: tuple[HistoryEntry, ...] = ()
    source: Source | None = None

    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {"removed", "remove_reason", "registered", "member_hashes"}
    )

    @property
    def unit(self) -> str:
        return self.group or self.village


@dataclass(frozen=True)
class Item(Record):
    id: str
    kind: str = "problem"
    ledger: str = "livelihood"
    category: str = "other"
    desc: str = ""
    source_kind: str = "visit"
    household: str | None = None
    unit: str = ""
    visit: str | None = None
    review: str | None = None
    level: str = "village"
    state: str = "registered"
    created: str = ""
    assign_by: str | None = None
    due: str | None = None
    leader: str | None = None
    resp_unit: str | None = None
    team: tuple[str, ...] = ()
    plan: str | None = None
    resolution: dict[str, Any] | None = None
    feedback: str | None = None
    closed: str | None = None
    close_reason: str | None = None
    extensions: int = 0
    claimed_by: str | None = None
    voided: str | None = None  # the day it was voided (作废)
    void_reason: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    source: Source | None = None

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"voided", "void_reason"})

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class Visit(Record):
    id: str
    date: str
    kind: str = "visit"
    household: str | None = None
    village: str = ""
    unit: str = ""
    by: tuple[str, ...] = ()
    note: str | None = None
    items: tuple[str, ...] = ()
    at: str = ""
    recorded_by: str = ""
    # A correction or a void (core/streams.py): the document it replaces or withdraws, and why.
    corrects: str | None = None
    voids: str | None = None
    corrected_by: str | None = None
    reason: str | None = None
    late: str | None = None  # 补录: why it was recorded inside a closed period (core/periods.py)
    # 谈心谈话 with a cadre (issue 18): the cadre talked with, in place of a household.
    with_cadre: str | None = None
    round: int | None = None  # 五人大走访 (issue 18): the round of a team visit, 1..minqing.yaml `rounds`
    source: Source | None = None

    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {"corrects", "voids", "corrected_by", "reason", "late", "with_cadre", "round"}
    )


# `source` is a reserved record attribute (file and line), so an item's `source:` key (visit|petition|…) is held
# as `source_kind` in memory and written back as `source:`.
ITEM_FILE_KEYS = {"source_kind": "source"}


def item_to_dict(item: Item) -> dict[str, Any]:
    raw = item.to_dict()
    return {ITEM_FILE_KEYS.get(key, key): value for key, value in raw.items()}


def item_from_dict(data: dict[str, Any], source: Source | None = None) -> Item:
    renamed = {("source_kind" if key == "source" else key): value for key, value in data.items()}
    return Item.from_dict(renamed, source)
