"""Activities (night school, lectures, services, cleanup, drills, meetings), pure: the record, labels and month parsing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from .errors import BadInput
from .messages import Text
from .model import Record, Source

ACTIVITY_LABELS = {
    "night_school": ("农民夜校", "night school"),
    "cadre_school": ("干部培训", "cadre school"),
    "lecture": ("政策宣讲", "lecture"),
    "public_service": ("公益服务", "public service"),
    "farm_service": ("农技服务", "farm service"),
    "cleanup": ("环境整治", "cleanup"),
    "drill": ("应急演练", "drill"),
    "joint_meeting": ("联席会议", "joint meeting"),
    "other": ("其他", "other"),
}


MAX_PARTICIPANTS = 100_000  # a county-wide rally, not a typo with extra zeros


MAX_TITLE = 200


@dataclass(frozen=True)
class Activity(Record):
    id: str
    date: str
    kind: str = "other"
    unit: str = ""
    title: str = ""
    participants: int | None = None
    by: tuple[str, ...] = ()
    note: str | None = None
    at: str = ""
    recorded_by: str = ""
    # A correction or a void (core/streams.py): the document it replaces or withdraws, and why.
    corrects: str | None = None
    voids: str | None = None
    corrected_by: str | None = None
    reason: str | None = None
    late: str | None = None  # 补录: why it was recorded inside a closed period (core/periods.py)
    source: Source | None = None

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"corrects", "voids", "corrected_by", "reason", "late"})


def kind_label(kind: str, lang: str = "zh") -> str:
    pair = ACTIVITY_LABELS.get(kind)
    return (pair[1] if lang == "en" else pair[0]) if pair else kind


def parse_month(value: str, field: str) -> str:
    text = (value or "").strip()
    try:
        if len(text) != 7:
            raise ValueError
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise BadInput("bad_value", field=field, value=value, accepted=Text("acc_month")) from None
    return text
