"""`minqing undo` (撤销, issue 15): reverse the acting cadre's last operation, the same day, as a new operation.

Nothing is rewritten: the undo is one more commit (`Ledger-Op: undo`) whose entries withdraw what the operation
added — a visit or an activity is voided (core/streams.py), an item registered is voided (作废), a pairing is ended
or restored. It is refused when the operation was not made today, when a later operation by anyone touched what it
wrote (listing those commits), and for operations that have their own correction command (named in the refusal).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import fields as F
from ..core.errors import Refused
from ..core.layout import AUTHOR_DOMAIN
from ..core.operations import parse_trailers, subject
from ..read.streams import document, locate
from ..repo.store import Ledger, Transaction
from .streams import write_void

# What undoes each operation: the operations undo knows how to reverse.
UNDOABLE = ("visit.add", "activity.add", "issue.add", "household.pair", "household.unpair", "survey.add")
# The command that corrects an operation undo does not reverse.
CORRECTED_BY = {
    "issue": "minqing issue edit / issue void / issue reopen",
    "visit": "minqing visit edit / visit void",
    "activity": "minqing activity edit / activity void",
    "survey": "minqing survey void",
    "household": "minqing household edit / move / remove",
    "cadre": "minqing cadre edit / move / recall",
    "period": "minqing period reopen",
    "undo": "minqing pair / unpair / visit add / activity add / issue add",
}


@dataclass(frozen=True)
class Undone:
    op: str  # the operation undone
    commit: str
    entries: tuple[str, ...]  # what the undo wrote


def _last_operation(ledger: Ledger, actor_id: str) -> tuple[str, str, str]:
    """(commit, author date, message) of the last commit authored by the cadre."""
    out = ledger.git("log", "-1", f"--author=<{actor_id}@{AUTHOR_DOMAIN}>", "--format=%H%x1f%aI%x1f%B")
    if not out.strip():
        raise Refused("undo_nothing", actor=actor_id)
    sha, when, message = out.split("\x1f", 2)
    return sha, when, message


def _later_touching(ledger: Ledger, sha: str, entries: set[str]) -> list[str]:
    """`short-sha subject` of every later commit (by anyone) that lists one of `entries`."""
    out = ledger.git(
        "log", f"{sha}..HEAD", "--format=%h%x1f%s%x1f%(trailers:key=Ledger-Entry,valueonly,separator=%x1e)"
    )
    found = []
    for line in out.splitlines():
        short, title, listed = (line.split("\x1f") + ["", ""])[:3]
        if entries & set(filter(None, listed.split("\x1e"))):
            found.append(f"{short} {title}")
    return found


def undo(ledger: Ledger, actor: str | None, reason: str | None) -> Undone:
    why = F.text(reason, "--reason", required=False) or "撤销"
    with ledger.transaction(actor, "undo") as tx:
        sha, when, message = _last_operation(ledger, tx.actor.id)
        trailers = parse_trailers(message)
        op = (trailers.get("Ledger-Op") or ("?",))[0]
        entries = tuple(trailers.get("Ledger-Entry") or ())
        if op not in UNDOABLE:
            hint = CORRECTED_BY.get(op.split(".")[0], "minqing log")
            raise Refused("undo_unsupported", op=op, commit=sha[:10], hint=hint)
        if when[:10] != F.today().isoformat():
            raise Refused("undo_not_today", op=op, commit=sha[:10], day=when[:10])
        later = _later_touching(ledger, sha, set(entries))
        if later:
            raise Refused("undo_depended_on", op=op, commit=sha[:10], later="; ".join(later[:3]))
        written = _reverse(ledger, tx, op, entries, why)
        tx.commit(subject("undo", undone=op, commit=sha[:10], reason=why[:40]), written)
    return Undone(op, sha, tuple(written))


def _reverse(ledger: Ledger, tx: Transaction, op: str, entries: tuple[str, ...], why: str) -> list[str]:
    now = F.timestamp()
    written: list[str] = []
    if op in ("visit.add", "activity.add"):
        kind, prefix = ("visits", "V-") if op == "visit.add" else ("activities", "A-")
        record = next(entry for entry in entries if entry.startswith(prefix))
        found, path = locate(ledger, kind, record, "undo")
        if found != record:
            raise Refused("undo_depended_on", op=op, commit=record, later=found)
        original = document(ledger, path, record)
        written.append(write_void(tx, kind, original, why, now, original.get("late") and why)["id"])
    # The survey answer recorded by the operation (survey add, or visit add --survey) is voided with it (issue 18).
    if op in ("visit.add", "survey.add"):
        for entry in entries:
            if entry.startswith("S-"):
                found, path = locate(ledger, "surveys", entry, "undo")
                if found != entry:
                    raise Refused("undo_depended_on", op=op, commit=entry, later=found)
                original = document(ledger, path, entry)
                written.append(
                    write_void(tx, "surveys", original, why, now, original.get("late") and why)["id"]
                )
    for entry in entries:
        if entry.startswith("Q-") and op in ("visit.add", "issue.add"):
            item = ledger.item(entry)
            tx.advance(item, "void", {"reason": why}, now)
            written.append(item.id)
    if op in ("household.pair", "household.unpair"):
        reverse = "unpair" if op == "household.pair" else "pair"
        cadre = ledger.cadre(next(e for e in entries if e.startswith("C-")))
        home = ledger.household(next(e for e in entries if e.startswith("H-")))
        tx.advance(cadre, reverse, {"household": home.id}, now)
        tx.advance(home, reverse, {"cadre": cadre.id}, now)
        written += [cadre.id, home.id]
    return written
