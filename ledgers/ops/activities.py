"""Activities: night schools, cadre schools, lectures, public and farm services, cleanups, drills, joint meetings.

An append-only stream per month (`activities/<yyyy-mm>.yaml`, one flow-style document per activity, schemas/
activity.yaml). One `activity add` is one commit. The monthly minimum of 五帮五扶 (seed 003: at least 2 a month per
village) is checked by `check_activity_minimum`, a pure function over the activities of one month.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..core import fields as F
from ..core import ids, yamlio
from ..core.errors import BadInput, Refused
from ..core.messages import Text
from ..core.model import ACTIVITY_KINDS, Source, Unit, _Record
from ..repo.store import Ledger

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
class Activity(_Record):
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
    source: Source | None = None


def stream_path(date: str) -> str:
    return f"activities/{date[:7]}.yaml"


def kind_label(kind: str, lang: str = "zh") -> str:
    pair = ACTIVITY_LABELS.get(kind)
    return (pair[1] if lang == "en" else pair[0]) if pair else kind


def add_activity(
    ledger: Ledger,
    actor: str | None,
    *,
    kind: str | None,
    unit: str | None,
    title: str | None,
    date: str | None = None,
    participants: int | str | None = None,
    by: list[str] | None = None,
    note: str | None = None,
    at: str | None = None,
) -> Activity:
    """Validate and append one activity document, as one commit (Ledger-Op activity.add)."""
    with ledger.transaction(actor, "activity.add") as tx:
        kind = F.choice(kind, "--kind", ACTIVITY_KINDS)
        if not unit:
            raise BadInput("required", field="--unit", accepted=Text("acc_unit_code"))
        place = ledger.unit(unit)
        when = at or F.timestamp()
        day = F.parse_date(date or when[:10], "--date", allow_future=False)
        clean_title = F.text(title, "--title", limit=MAX_TITLE)
        assert clean_title is not None
        if "\n" in clean_title:
            raise BadInput("bad_value", field="--title", value=clean_title, accepted=Text("acc_one_line"))
        count = (
            None
            if participants is None or str(participants).strip() == ""
            else F.positive_int(participants, "--participants", 0, MAX_PARTICIPANTS)
        )
        organisers: list[str] = []
        for ref in by or []:
            cadre = ledger.cadre(ref, "--by")
            if cadre.status != "active":
                raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
            if cadre.id not in organisers:
                organisers.append(cadre.id)
        taken = {activity.id for activity in iter_activities(ledger, month=day[:7])}
        activity = Activity(
            id=ids.new_id("A", taken),
            date=day,
            kind=kind,
            unit=place.code,
            title=clean_title,
            participants=count,
            by=tuple(organisers),
            note=F.text(note, "--note", required=False),
            at=when,
            recorded_by=tx.actor.id,
        )
        tx.append(stream_path(day), yamlio.dump_stream_doc(activity.to_dict()))
        people = f"（{count} 人）" if count is not None else ""
        subject = f"活动 {kind_label(kind)} {place.name} {day}：{clean_title[:30]}{people}"
        tx.commit(subject, [activity.id], at=when)
    return activity


def _months(ledger: Ledger) -> list[str]:
    base = ledger.root / "activities"
    if not base.is_dir():
        return []
    return sorted(path.stem for path in base.glob("*.yaml"))


def iter_activities(
    ledger: Ledger,
    *,
    month: str | None = None,
    unit: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Iterator[Activity]:
    """Activities in date order, optionally of one month (YYYY-MM), under one unit code prefix, of one kind, and
    between two dates (inclusive). Arguments are already validated."""
    months = [month] if month else _months(ledger)
    found: list[Activity] = []
    for name in months:
        if since and name < since[:7] or until and name > until[:7]:
            continue
        rel = stream_path(name + "-01")
        text = ledger.read_text(rel)
        if text is None:
            continue
        for line, doc in _documents(rel, text):
            activity = _build(doc, rel, line)
            if unit and not activity.unit.startswith(unit):
                continue
            if kind and activity.kind != kind:
                continue
            if since and activity.date < since or until and activity.date > until:
                continue
            found.append(activity)
    found.sort(key=lambda a: (a.date, a.at, a.id))
    yield from found


def _documents(rel: str, text: str) -> Iterable[tuple[int, dict[str, Any]]]:
    """(line, document) pairs: each stream document starts with `---` on its own line, so lines are exact."""
    from ..core.errors import CorruptFile

    try:
        docs = yamlio.load_all(text)
    except yamlio.YamlProblem as problem:
        raise CorruptFile("corrupt_file", path=rel, line=problem.line, detail=problem.message) from None
    starts = [number for number, line in enumerate(text.splitlines(), start=1) if line.startswith("---")]
    for position, doc in enumerate(docs):
        if not isinstance(doc, dict):
            raise CorruptFile("corrupt_file", path=rel, line=0, detail="a stream document is not a mapping")
        yield (starts[position] if position < len(starts) else 0), doc


def _build(doc: dict[str, Any], rel: str, line: int) -> Activity:
    from ..core.errors import CorruptFile

    try:
        return Activity.from_dict(doc, Source(rel, line))
    except (TypeError, KeyError, ValueError) as exc:
        raise CorruptFile(
            "corrupt_file", path=rel, line=line, detail=f"does not match its schema ({exc})"
        ) from None


def list_activities(
    ledger: Ledger,
    *,
    month: str | None = None,
    unit: str | None = None,
    kind: str | None = None,
) -> list[Activity]:
    """`activity list`: validates the filters, then filters the stream."""
    if month is not None:
        month = parse_month(month, "--month")
    prefix = ledger.unit(unit).code if unit else None
    if kind:
        kind = F.choice(kind, "--kind", ACTIVITY_KINDS)
    return list(iter_activities(ledger, month=month, unit=prefix, kind=kind))


def parse_month(value: str, field: str) -> str:
    text = (value or "").strip()
    try:
        if len(text) != 7:
            raise ValueError
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise BadInput("bad_value", field=field, value=value, accepted=Text("acc_month")) from None
    return text


@dataclass(frozen=True)
class KindTotal:
    kind: str
    sessions: int
    participants: int


def totals_by_kind(activities: Iterable[Activity]) -> list[KindTotal]:
    """Sessions and participants per kind, in the order of ACTIVITY_KINDS (kinds with no session left out)."""
    sessions: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for activity in activities:
        sessions[activity.kind] += 1
        people[activity.kind] += activity.participants or 0
    return [KindTotal(kind, sessions[kind], people[kind]) for kind in ACTIVITY_KINDS if sessions[kind]]


@dataclass(frozen=True)
class Shortfall:
    """A village below the monthly activity minimum (五帮五扶: at least 2 a month)."""

    village: str
    name: str
    month: str
    count: int
    minimum: int
    path: str
    line: int


def check_activity_minimum(
    units: dict[str, Unit], activities: Iterable[Activity], month: str, minimum: int
) -> list[Shortfall]:
    """Every village with fewer than `minimum` activities in `month` (activities at the village or one of its
    groups count; township- and county-wide ones do not, since 五帮五扶 is counted per village). Pure function."""
    count: Counter[str] = Counter()
    for activity in activities:
        if activity.date[:7] == month and len(activity.unit) >= 12:
            count[activity.unit[:12]] += 1
    out = []
    for code in sorted(units):
        unit = units[code]
        if unit.level != "village" or count[code] >= minimum:
            continue
        out.append(Shortfall(code, unit.name, month, count[code], minimum, stream_path(month + "-01"), 0))
    return out
