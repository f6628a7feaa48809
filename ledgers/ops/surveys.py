"""群众满意度测评 (issue 18): one household's answer to the satisfaction survey, one document of the append-only
stream `surveys/<yyyy-mm>/<village-code>.yaml` (core/surveys.py), one commit (`survey.add`). `visit add --survey`
writes the same document inside the visit's own commit (ops/visits.py calls `survey_document`)."""

from __future__ import annotations

from typing import Any

from ..core import fields as F
from ..core import layout, yamlio
from ..core.errors import BadInput
from ..core.messages import Text
from ..core.model import Household
from ..core.operations import subject as operation_subject
from ..core.registers import on_register
from ..core.surveys import SURVEY_RESULTS, Survey, parse_round
from ..read.periods import require_open
from ..repo.store import Ledger, Transaction
from .streams import active_cadres, new_document_id, void_document


def survey_document(
    tx: Transaction,
    home: Household,
    *,
    result: str | None,
    day: str,
    round_number: int | None,
    by: list[str],
    when: str,
    visit: str | None = None,
    note: str | None = None,
    late: str | None = None,
) -> Survey:
    """Append one answer to its village's stream in the open transaction (validated values in, the record out)."""
    survey = Survey(
        id=new_document_id(tx, "S", layout.survey_stream_path(day, home.village)),
        date=day,
        household=home.id,
        village=home.village,
        unit=home.unit,
        result=F.choice(result, "--result" if visit is None else "--survey", SURVEY_RESULTS),
        round=round_number,
        by=tuple(by),
        visit=visit,
        note=F.text(note, "--note", required=False),
        at=when,
        recorded_by=tx.actor.id,
        late=late,
    )
    tx.append(layout.survey_stream_path(day, home.village), yamlio.dump_stream_doc(survey.to_dict()))
    return survey


def asking_cadres(ledger: Ledger, by: list[str]) -> list[str]:
    """The cadres who asked: each active, in the order given, without repeats (none given: the clerk alone)."""
    return [cadre.id for cadre in active_cadres(ledger, by)]


def add_survey(
    ledger: Ledger,
    actor: str | None,
    *,
    household: str | None,
    result: str | None,
    round_number: int | str | None = None,
    by: list[str] | None = None,
    date: str | None = None,
    note: str | None = None,
    late: str | None = None,
    at: str | None = None,
) -> Survey:
    """`survey add`: one household's answer as one commit."""
    with ledger.transaction(actor, "survey.add") as tx:
        if not household:
            raise BadInput("required", field="--household", accepted=Text("acc_household_id"))
        home = on_register(ledger.household(household, "--household"))  # 销户: no more surveys
        F.choice(result, "--result", SURVEY_RESULTS)  # refused before anything else is looked at
        round_no = parse_round(round_number, "--round", ledger.config.rounds())
        day = F.parse_date(date or (at or F.timestamp())[:10], "--date", allow_future=False)
        if home.registered and day < home.registered:
            raise BadInput(
                "date_order",
                field="--date",
                value=day,
                other=Text("registered_on", id=home.id, day=home.registered),
            )
        cadres = asking_cadres(ledger, by or [])
        marker = require_open(ledger, day, home.unit, late)
        when = at or F.timestamp()
        survey = survey_document(
            tx,
            home,
            result=result,
            day=day,
            round_number=round_no,
            by=cadres,
            when=when,
            note=note,
            late=marker,
        )
        tx.commit(_subject(home.head, survey), [survey.id], at=when)
    return survey


def _subject(head: str, survey: Survey) -> str:
    from ..core.messages import label

    shown = f"（第 {survey.round} 轮）" if survey.round else ""
    return operation_subject(
        "survey.add", who=head, day=survey.date, result=label(survey.result), round=shown
    )


def void_survey(
    ledger: Ledger,
    actor: str | None,
    ref: str,
    *,
    reason: str | None,
    late: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """作废 an answer typed in by mistake: a voiding document in its own stream file (core/streams.py); it leaves every
    count. Returns the voiding document."""
    _, marker = void_document(
        ledger, actor, "survey", "surveys", ref, id_field="SURVEY_ID", reason=reason, late=late, at=at
    )
    return marker
