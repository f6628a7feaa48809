"""Visits, talks and stays: an append-only stream per month and village (visits/<yyyy-mm>/<village>.yaml).

One `visit add` is one commit holding the visit document and every item raised during it (五人大走访: several
visitors, problems written down on the spot, some solved on the spot)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..core import fields as F
from ..core import ids, layout, yamlio
from ..core.errors import BadInput, Refused
from ..core.items import apply as apply_item
from ..core.messages import Text
from ..core.messages import label as label_of
from ..core.model import ITEM_KINDS, VISIT_KINDS, Cadre, Household, Item, Visit
from ..core.operations import subject as operation_subject
from ..core.operations import visitor_trailers
from ..core.registers import on_register, territorial
from ..core.surveys import SURVEY_RESULTS, parse_round
from ..read.periods import require_open
from ..repo.store import Ledger, dump_item
from .streams import (
    active_cadres,
    changed,
    late_for,
    new_document_id,
    summary,
    void_document,
    write_correction,
)
from .surveys import survey_document
from .workflow import new_item


def add_visit(
    ledger: Ledger,
    actor: str | None,
    *,
    household: str | None,
    by: list[str],
    date: str | None = None,
    kind: str | None = "visit",
    note: str | None = None,
    unit: str | None = None,
    raises: list[tuple[str, str]] | None = None,
    on_spot: list[str] | None = None,
    item_kind: str | None = None,
    item_ledger: str | None = None,
    late: str | None = None,
    with_cadre: str | None = None,
    round_number: int | str | None = None,
    survey: str | None = None,
    at: str | None = None,
) -> tuple[Visit, list[Item]]:
    raises = raises or []
    on_spot = on_spot or []
    if len(on_spot) > len(raises):
        raise BadInput("mismatch_count", field="--on-spot", given=len(on_spot), raised=len(raises))
    with ledger.transaction(actor, "visit.add") as tx:
        kind = F.choice(kind or "visit", "--kind", VISIT_KINDS)
        day = F.parse_date(date or (at or F.timestamp())[:10], "--date", allow_future=False)
        cadres = _visiting_cadres(ledger, by)
        visitors = [cadre.id for cadre in cadres]
        # 五人大走访 rounds and the survey asked during the visit (issue 18, core/surveys.py)
        round_no = parse_round(round_number, "--round", ledger.config.rounds())
        if survey is not None:
            F.choice(survey, "--survey", SURVEY_RESULTS)
        home = None
        talked = None
        if with_cadre is not None:
            talked, place = _talked_with(ledger, with_cadre, household, kind, visitors)
            unit_code = place
        elif household:
            home = on_register(ledger.household(household, "--household"))  # 销户: no more visits
            place, unit_code = home.village, home.unit
        elif kind == "stay" and unit:
            unit_code = territorial(ledger.unit(unit), "--unit").code
            place = unit_code[:12]
        else:
            raise BadInput("required", field="--household", accepted=Text("acc_household_or_unit"))
        if raises and home is None and talked is None:
            raise BadInput("required", field="--household", accepted=Text("acc_household_for_items"))
        if survey is not None and home is None:
            raise BadInput("required", field="--household", accepted=Text("acc_household_for_survey"))
        if home is not None:
            _not_before_registration(home, day)
        marker = require_open(ledger, day, unit_code, late)
        visit_id = new_document_id(tx, "V", layout.visit_stream_path(day, place))
        when = at or F.timestamp()
        items: list[Item] = []
        taken: set[str] = set()
        item_kind = F.choice(item_kind or "problem", "--item-kind", ITEM_KINDS)
        for index, (desc, category) in enumerate(raises):
            item = new_item(
                tx,
                desc=F.text(desc, "--raise"),
                category=category,
                kind=item_kind,
                ledger_name=item_ledger,
                source="visit",
                household=home.id if home else None,
                # A problem of a cadre raised at a talk (谈心谈话) is the unit's item: the village they serve.
                unit=unit_code if home is None else None,
                visit=visit_id,
                at=when,
                created=day,
                taken=taken,
                late=marker,
            )
            taken.add(item.id)
            how_text = on_spot[index] if index < len(on_spot) else None
            if how_text and how_text.strip():
                item = _resolve_on_the_spot(tx, item, F.text(how_text, "--on-spot") or "", when, day)
            items.append(item)
        visit = Visit(
            id=visit_id,
            date=day,
            kind=kind,
            household=home.id if home else None,
            village=place,
            unit=unit_code,
            by=tuple(visitors),
            note=F.text(note, "--note", required=False),
            items=tuple(item.id for item in items),
            at=when,
            recorded_by=tx.actor.id,
            late=marker,
            with_cadre=talked.id if talked else None,
            round=round_no,
        )
        tx.append(layout.visit_stream_path(day, place), yamlio.dump_stream_doc(visit.to_dict()))
        asked = []  # the survey answer given during the visit, if any
        if survey is not None and home is not None:
            answer = survey_document(
                tx,
                home,
                result=survey,
                day=day,
                round_number=round_no,
                by=visitors,
                when=when,
                visit=visit_id,
                late=marker,
            )
            asked.append(answer.id)
        label = {"visit": "走访", "talk": "谈心谈话", "stay": "蹲点", "condolence": "慰问"}[kind]
        who = home.head if home else f"{talked.name}（{talked.id}）" if talked else unit_code
        raised = f"，登记 {len(items)} 项" if items else ""
        if asked:  # the survey answered during the visit (issue 18), as `survey add` names it
            raised += f"，满意度测评：{label_of(F.choice(survey, '--survey', SURVEY_RESULTS))}"
        subject = operation_subject(
            "visit.add", kind=label, who=who, day=day, visitors=_names(cadres), raised=raised
        )
        trailers = visitor_trailers([visit.to_dict()])
        tx.commit(subject, [visit_id, *asked, *(item.id for item in items)], at=when, extra=trailers)
    return visit, items


def _talked_with(
    ledger: Ledger, ref: str, household: str | None, kind: str, visitors: list[str]
) -> tuple[Cadre, str]:
    """谈心谈话 with a cadre (issue 18): the cadre and the village whose stream keeps the talk. A talk names a
    household or a cadre, never both; the cadre is kept at the village they are posted to (驻村), else the village
    they serve in (a village cadre), so a work team's talks are read with that village's visits. A cadre of a
    township or the county with no posting has no village stream: refused (docs/decisions.md)."""
    if household:
        raise BadInput("exclusive", field="--with", other="--household")
    if kind != "talk":
        raise BadInput("talk_with_kind", field="--with", value=kind)
    cadre = ledger.cadre(ref, "--with")
    if cadre.status != "active":
        raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
    if cadre.id in visitors:
        raise BadInput("talk_with_self", field="--with", cadre=cadre.id)
    village = cadre.posted or (cadre.unit[:12] if len(cadre.unit) >= 12 else None)
    if village is None:
        raise BadInput("talk_cadre_no_village", field="--with", cadre=cadre.id, name=cadre.name)
    return cadre, village


def _not_before_registration(home: Household, day: str) -> None:
    """No visit to a household before the day the office registered it (when that day is known)."""
    if home.registered and day < home.registered:
        raise BadInput(
            "date_order",
            field="--date",
            value=day,
            other=Text("registered_on", id=home.id, day=home.registered),
        )


def _visiting_cadres(ledger: Ledger, by: list[str]) -> list[Cadre]:
    """The visiting cadres, each active, in the order given, without repeats."""
    if not by:
        raise BadInput("required", field="--by", accepted=Text("acc_cadre_ids"))
    return active_cadres(ledger, by)


SUBJECT_NAMES = (
    5  # 五人大走访 names all five; a larger party is shortened (its trailers still name every one)
)


def _names(cadres: list[Cadre]) -> str:
    """The visitors for the commit subject: who went, not who typed it in (the author)."""
    names = "、".join(cadre.name or cadre.id for cadre in cadres[:SUBJECT_NAMES])
    return names if len(cadres) <= SUBJECT_NAMES else f"{names}等 {len(cadres)} 人"


def edit_visit(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    date: str | None = None,
    by: list[str] | None = None,
    household: str | None = None,
    note: str | None = None,
    late: str | None = None,
    round_number: int | str | None = None,
    at: str | None = None,
) -> tuple[dict[str, Any], str]:
    """更正 a visit: the corrected record as a new document naming the original (ops/streams.py). Every count uses
    the corrected record. Returns (the new document, the corrected id)."""
    from ..read.streams import document, locate  # the index (sqlite): only corrections need it

    why = F.text(reason, "--reason")
    assert why is not None
    with ledger.transaction(actor, "visit.edit") as tx:
        visit_id, path = locate(ledger, "visits", ref, "VISIT")
        original = document(ledger, path, visit_id)
        if household is not None and original.get("with_cadre"):
            # 谈心谈话 with a cadre (issue 18) names no household: correcting it into a household visit is a new record.
            raise BadInput("bad_value", field="--household", value=household, accepted=Text("acc_talk_with"))
        wanted: dict[str, Any] = {}
        if date is not None:
            wanted["date"] = F.parse_date(date, "--date", allow_future=False)
        if by is not None:
            wanted["by"] = [cadre.id for cadre in _visiting_cadres(ledger, by)]
        if household is not None:
            home = on_register(ledger.household(household, "--household"))
            wanted.update(household=home.id, village=home.village, unit=home.unit)
        if "date" in wanted or household is not None:
            visited = wanted.get("household") or original.get("household")
            if visited:
                _not_before_registration(
                    ledger.household(str(visited)), str(wanted.get("date") or original["date"])
                )
        if note is not None:
            wanted["note"] = F.text(note, "--note", required=False)
        if round_number is not None:  # the round of a team visit (issue 18)
            wanted["round"] = parse_round(round_number, "--round", ledger.config.rounds())
        changes = changed(original, wanted)
        when = at or F.timestamp()
        marker = late_for(ledger, "visits", original, changes, late)
        written = write_correction(tx, "visits", original, changes, why, when, marker)
        doc = written[-1]
        tx.commit(
            operation_subject("visit.edit", visit=visit_id, new=doc["id"], what=summary(changes)),
            [entry["id"] for entry in written],
            at=when,
            extra=visitor_trailers(written),  # the corrected record's visitors (a void names nobody)
        )
    return doc, visit_id


def void_visit(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    late: str | None = None,
    at: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """作废 a visit typed in by mistake. Returns the voiding document and the items raised during the visit, for
    the clerk to void (`issue void`) or keep."""
    original, marker = void_document(
        ledger, actor, "visit", "visits", ref, id_field="VISIT", reason=reason, late=late, at=at
    )
    return marker, [str(item) for item in original.get("items") or []]


def _resolve_on_the_spot(tx: Any, item: Item, how_text: str, when: str, day: str) -> Item:
    from ..core.model import HistoryEntry

    entry = HistoryEntry(
        ids.new_op_id(), when, tx.actor.id, "resolve", {"how": "on_the_spot", "note": how_text, "date": day}
    )
    updated = replace(apply_item(item, entry), history=item.history + (entry,))
    tx.put(layout.item_path(item.id, item.created), dump_item(updated))
    return updated
