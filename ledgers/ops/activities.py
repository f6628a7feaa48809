"""Activities: night schools, cadre schools, lectures, public and farm services, cleanups, drills, joint meetings.

An append-only stream per month (`activities/<yyyy-mm>.yaml`, one flow-style document per activity, schemas/
activity.yaml). One `activity add` is one commit. The monthly minimum of 五帮五扶 (seed 003: at least 2 a month per
village) is checked by `check_activity_minimum`, a pure function over the activities of one month.
"""

from __future__ import annotations

from typing import Any

from ..core import fields as F
from ..core import ids, yamlio
from ..core.activities import ACTIVITY_LABELS, MAX_PARTICIPANTS, MAX_TITLE, Activity, kind_label
from ..core.errors import BadInput
from ..core.layout import activity_stream_path
from ..core.messages import Text
from ..core.model import ACTIVITY_KINDS
from ..core.operations import subject as operation_subject
from ..core.registers import territorial
from ..read.activities import iter_activities
from ..read.periods import require_open
from ..repo.store import Ledger
from .streams import active_cadres, changed, late_for, summary, void_document, write_correction


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
    late: str | None = None,
    at: str | None = None,
) -> Activity:
    """Validate and append one activity document, as one commit (Ledger-Op activity.add)."""
    with ledger.transaction(actor, "activity.add") as tx:
        kind = F.choice(kind, "--kind", ACTIVITY_KINDS, ACTIVITY_LABELS)
        if not unit:
            raise BadInput("required", field="--unit", accepted=Text("acc_unit_code"))
        place = territorial(ledger.unit(unit), "--unit")
        when = at or F.timestamp()
        day = F.parse_date(date or when[:10], "--date", allow_future=False)
        clean_title = _title(title)
        count = _participants(participants)
        organisers = _organisers(ledger, by or [])
        marker = require_open(ledger, day, place.code, late)
        taken = {activity.id for activity in iter_activities(ledger, month=day[:7], in_force=False)}
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
            late=marker,
        )
        tx.append(activity_stream_path(day), yamlio.dump_stream_doc(activity.to_dict()))
        people = f"（{count} 人）" if count is not None else ""
        subject = operation_subject(
            "activity.add",
            kind=kind_label(kind),
            place=place.name,
            day=day,
            title=clean_title[:30],
            people=people,
        )
        tx.commit(subject, [activity.id], at=when)
    return activity


def _title(title: str | None) -> str:
    clean_title = F.text(title, "--title", limit=MAX_TITLE)
    assert clean_title is not None
    if "\n" in clean_title:
        raise BadInput("bad_value", field="--title", value=clean_title, accepted=Text("acc_one_line"))
    return clean_title


def _participants(participants: int | str | None) -> int | None:
    if participants is None or str(participants).strip() == "":
        return None
    return F.positive_int(participants, "--participants", 0, MAX_PARTICIPANTS)


def _organisers(ledger: Ledger, by: list[str]) -> list[str]:
    return [cadre.id for cadre in active_cadres(ledger, by)]


def edit_activity(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    date: str | None = None,
    kind: str | None = None,
    unit: str | None = None,
    title: str | None = None,
    participants: int | str | None = None,
    by: list[str] | None = None,
    note: str | None = None,
    late: str | None = None,
    at: str | None = None,
) -> tuple[dict[str, Any], str]:
    """更正 an activity: the corrected record as a new document naming the original (ops/streams.py)."""
    from ..read.streams import document, locate  # the index (sqlite): only corrections need it

    why = F.text(reason, "--reason")
    assert why is not None
    with ledger.transaction(actor, "activity.edit") as tx:
        activity_id, path = locate(ledger, "activities", ref, "ACTIVITY")
        original = document(ledger, path, activity_id)
        wanted: dict[str, Any] = {}
        if date is not None:
            wanted["date"] = F.parse_date(date, "--date", allow_future=False)
        if kind is not None:
            wanted["kind"] = F.choice(kind, "--kind", ACTIVITY_KINDS, ACTIVITY_LABELS)
        if unit is not None:
            wanted["unit"] = territorial(ledger.unit(unit), "--unit").code
        if title is not None:
            wanted["title"] = _title(title)
        if participants is not None:
            wanted["participants"] = _participants(participants)
        if by is not None:
            wanted["by"] = _organisers(ledger, by)
        if note is not None:
            wanted["note"] = F.text(note, "--note", required=False)
        changes = changed(original, wanted)
        when = at or F.timestamp()
        marker = late_for(ledger, "activities", original, changes, late)
        written = write_correction(tx, "activities", original, changes, why, when, marker)
        doc = written[-1]
        tx.commit(
            operation_subject("activity.edit", activity=activity_id, new=doc["id"], what=summary(changes)),
            [entry["id"] for entry in written],
            at=when,
        )
    return doc, activity_id


def void_activity(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    late: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """作废 an activity recorded by mistake: it leaves every count and the 五帮五扶 minimum."""
    _, marker = void_document(
        ledger, actor, "activity", "activities", ref, id_field="ACTIVITY", reason=reason, late=late, at=at
    )
    return marker
