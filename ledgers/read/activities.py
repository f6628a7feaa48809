"""Reading the activity streams (activities/<yyyy-mm>.yaml): listings, totals by kind and the 五帮五扶 minimum."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..core import fields as F
from ..core import streams, yamlio
from ..core.activities import ACTIVITY_LABELS, Activity, parse_month
from ..core.layout import activity_stream_path
from ..core.model import ACTIVITY_KINDS, Source, Unit
from ..repo.store import Ledger


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
    in_force: bool = True,
) -> Iterator[Activity]:
    """Activities in date order, optionally of one month (YYYY-MM), under one unit code prefix, of one kind, and
    between two dates (inclusive). Arguments are already validated. Corrected and voided documents are left out
    (core/streams.py) unless `in_force` is False (every document ever written: ids already taken)."""
    months = [month] if month else _months(ledger)
    found: list[Activity] = []
    for name in months:
        if since and name < since[:7] or until and name > until[:7]:
            continue
        rel = activity_stream_path(name + "-01")
        text = ledger.read_text(rel)
        if text is None:
            continue
        documents = list(_documents(rel, text))
        counted = {id(doc) for doc in streams.in_force([doc for _, doc in documents])} if in_force else None
        for line, doc in documents:
            if counted is not None and id(doc) not in counted:
                continue
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
        raise CorruptFile("corrupt_file", path=rel, line=problem.line, detail=problem.said) from None
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
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[Activity]:
    """`activity list`: validates the filters, then filters the stream. One month (--month), one year (--year: 今年以来
    856 期 9,800 人次 is `--year` with today's), a range (--from, --to default today; a month YYYY-MM is its first /
    last day), or everything."""
    since, until = _span(month, year, start, end)
    if month is not None:
        month = parse_month(month, "--month")
    prefix = ledger.unit(unit).code if unit else None
    if kind:
        kind = F.choice(kind, "--kind", ACTIVITY_KINDS, ACTIVITY_LABELS)
    return list(iter_activities(ledger, month=month, unit=prefix, kind=kind, since=since, until=until))


def _span(
    month: str | None, year: str | None, start: str | None, end: str | None
) -> tuple[str | None, str | None]:
    """The [since, until] days of --year or --from/--to (None, None without them); one of --month, --year and
    --from/--to at a time."""
    from ..core.errors import BadInput
    from ..core.messages import Text
    from .rollup import month_or_day

    ranged = start is not None or end is not None
    given = [
        name
        for name, value in (("--month", month), ("--year", year), ("--from/--to", ranged or None))
        if value
    ]
    if len(given) > 1:
        raise BadInput("exclusive", field=given[0], other=given[1])
    if year is not None:
        text = year.strip()
        if not (len(text) == 4 and text.isdigit() and text >= "1900"):
            raise BadInput("bad_value", field="--year", value=year, accepted=Text("acc_year"))
        return f"{text}-01-01", f"{text}-12-31"
    if not ranged:
        return None, None
    if start is None:
        raise BadInput("required", field="--from", accepted=Text("acc_date_with_to"))
    first_day = month_or_day(start, "--from", last=False)
    last_day = month_or_day(end, "--to", last=True) if end is not None else F.today()
    if last_day < first_day:
        raise BadInput("date_order", field="--to", value=last_day.isoformat(), other=first_day.isoformat())
    return first_day.isoformat(), last_day.isoformat()


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
        out.append(
            Shortfall(code, unit.name, month, count[code], minimum, activity_stream_path(month + "-01"), 0)
        )
    return out
