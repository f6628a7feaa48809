"""Correcting (更正) and voiding (作废) a visit or an activity (issue 15). The streams stay append-only: a correction
is a new document that names the one it corrects, a void a new document that names the one it withdraws; which
documents count is settled in core/streams.py. One command is one commit, with a reason."""

from __future__ import annotations

from typing import Any

from ..core import fields as F
from ..core import ids, layout, yamlio
from ..core import streams as S
from ..core.activities import Activity
from ..core.errors import BadInput, Refused
from ..core.model import Cadre, Visit
from ..core.operations import subject as operation_subject
from ..core.surveys import Survey
from ..read.periods import require_open
from ..read.stream_ids import stream_id_indexed
from ..repo.store import Ledger, Transaction

# stream kind -> (id prefix, record class)
RECORDS: dict[str, tuple[str, type]] = {
    "visits": ("V", Visit),
    "activities": ("A", Activity),
    "surveys": ("S", Survey),
}


def stream_path(kind: str, doc: dict[str, Any]) -> str:
    if kind == "visits":
        return layout.visit_stream_path(str(doc["date"]), str(doc["village"]))
    if kind == "surveys":
        return layout.survey_stream_path(str(doc["date"]), str(doc["village"]))
    return layout.activity_stream_path(str(doc["date"]))


def _record(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The document as its record class writes it (key order of docs/format.md), revision keys stripped."""
    plain = {key: value for key, value in doc.items() if key not in S.REVISION_KEYS}
    return RECORDS[kind][1].from_dict(plain).to_dict()


def changed(original: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The values of `wanted` that differ from the original; refused when there are none."""
    changes = {key: value for key, value in wanted.items() if original.get(key) != value}
    if not changes:
        raise BadInput("nothing_to_correct", id=str(original.get("id")))
    return changes


def summary(changes: dict[str, Any]) -> str:
    """`key → value、…` for a commit subject, cut to a readable length."""
    parts = [
        f"{key} → {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in changes.items()
    ]
    text = "、".join(parts)
    return text if len(text) <= 60 else text[:59] + "…"


def late_for(
    ledger: Ledger, kind: str, original: dict[str, Any], changes: dict[str, Any], late: str | None
) -> str | None:
    """The 补录 marker a correction or void needs: the record's old and new dates may fall in a closed period."""
    marker = None
    for doc in (original, {**original, **changes}):
        unit = str(doc.get("unit") or doc.get("village") or "")
        marker = require_open(ledger, str(doc["date"]), unit, late) or marker
    return marker


def new_document_id(tx: Transaction, prefix: str, rel: str) -> str:
    """A fresh id for a document appended to the stream `rel`: none of the ids already in that file (as this
    transaction has it) and none the index knows. Ids are 30 random bits: a county's million visits would hold
    hundreds of pairs drawn alike, each a duplicate that check and audit report; a drawn id already used is drawn
    again. (An id written elsewhere since the index was last brought up to date is not seen: a far smaller window.)"""
    taken = S.document_ids((tx.current(rel) or b"").decode("utf-8", "replace"))
    while True:
        candidate = ids.new_id(prefix, taken)
        if not stream_id_indexed(tx.ledger, candidate):
            return candidate
        taken.add(candidate)


def write_correction(
    tx: Transaction,
    kind: str,
    original: dict[str, Any],
    changes: dict[str, Any],
    reason: str,
    when: str,
    late: str | None = None,
) -> list[dict[str, Any]]:
    """Append the corrected record (and, when it belongs in another file, a void in the old one first). Returns
    the documents written, the corrected record last."""
    prefix = RECORDS[kind][0]
    corrected = _record(kind, {**original, **changes, "late": late})
    old_path, new_path = stream_path(kind, original), stream_path(kind, corrected)
    new_id = new_document_id(tx, prefix, new_path)
    document = {**corrected, "id": new_id, "at": when, "recorded_by": tx.actor.id}
    document.update({S.CORRECTS: str(original["id"]), S.REASON: reason})
    written = []
    if new_path != old_path:
        marker = {**_record(kind, {**original, "late": late}), "id": new_document_id(tx, prefix, old_path)}
        marker.update({"at": when, "recorded_by": tx.actor.id})
        marker.update({S.VOIDS: str(original["id"]), S.CORRECTED_BY: new_id, S.REASON: reason})
        tx.append(old_path, yamlio.dump_stream_doc(marker))
        written.append(marker)
    tx.append(new_path, yamlio.dump_stream_doc(document))
    return [*written, document]


def write_void(
    tx: Transaction, kind: str, original: dict[str, Any], reason: str, when: str, late: str | None = None
) -> dict[str, Any]:
    """Append a document withdrawing `original`, in its own stream file."""
    marker = {
        **_record(kind, {**original, "late": late}),
        "id": new_document_id(tx, RECORDS[kind][0], stream_path(kind, original)),
        "at": when,
        "recorded_by": tx.actor.id,
    }
    marker.update({S.VOIDS: str(original["id"]), S.REASON: reason})
    tx.append(stream_path(kind, original), yamlio.dump_stream_doc(marker))
    return marker


def active_cadres(ledger: Ledger, refs: list[str], field: str = "--by") -> list[Cadre]:
    """The cadres named (visitors, organisers, askers), each active, in the order given, without repeats."""
    cadres: list[Cadre] = []
    for ref in refs:
        cadre = ledger.cadre(ref, field)
        if cadre.status != "active":
            raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
        if all(cadre.id != known.id for known in cadres):
            cadres.append(cadre)
    return cadres


def void_document(
    ledger: Ledger,
    actor: str | None,
    record: str,
    stream: str,
    ref: str,
    *,
    id_field: str,
    reason: str | None,
    late: str | None,
    at: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """作废 one `record` (visit, activity, survey) of `stream`: a voiding document in the original's file, one
    `<record>.void` commit. Returns the original and the voiding document."""
    from ..read.streams import document, locate  # the index (sqlite): only corrections need it

    why = F.text(reason, "--reason")
    assert why is not None
    op = f"{record}.void"
    with ledger.transaction(actor, op) as tx:
        found_id, path = locate(ledger, stream, ref, id_field)
        original = document(ledger, path, found_id)
        when = at or F.timestamp()
        marker = write_void(tx, stream, original, why, when, late_for(ledger, stream, original, {}, late))
        tx.commit(operation_subject(op, **{record: found_id, "reason": why[:40]}), [marker["id"]], at=when)
    return original, marker
