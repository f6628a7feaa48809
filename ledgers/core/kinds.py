"""The record kinds, written once: id prefix, model, and how a history replays into the snapshot the tool writes.

An entity file is a snapshot followed by `history:`; the snapshot is always the replay of the history. The store
(verifying a file before a command builds on it), `check`, `audit`, the merge driver and `log` all replay through
`KINDS[kind]`, so what an op does is said in one apply function per kind (core/items.py, core/registers.py,
core/reviews.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from .errors import Refused
from .items import apply as apply_item
from .messages import Text
from .model import Cadre, HistoryEntry, Household, Item, item_from_dict, item_to_dict
from .periods import Closing, apply_closing
from .registers import apply_cadre, apply_household
from .reviews import Review, apply_review


@dataclass(frozen=True)
class RecordKind:
    name: str  # the file kind (core/layout.py)
    prefix: str  # the id letter: Q-…, H-…
    domain: str  # the first word of its Ledger-Ops: issue.assign, household.pair
    model: type
    apply: Callable[[Any, HistoryEntry], Any]
    from_dict: Callable[..., Any]
    to_dict: Callable[[Any], dict[str, Any]]

    def replay(self, history: Iterable[HistoryEntry], source: Any = None) -> Any:
        """The record its history makes. Raises Refused (or KeyError/TypeError for a malformed entry)."""
        entries = tuple(history)
        record = None
        for entry in entries:
            record = self.apply(record, entry)
        if record is None:
            raise Refused("transition", item="?", state="-", op="replay", hint=Text("hint_empty"))
        return replace(record, history=entries, source=source)

    def dict_with(self, record: Any, history: Iterable[HistoryEntry]) -> dict[str, Any]:
        """The file content of `record` with `history` as its history (what the tool writes)."""
        return self.to_dict(replace(record, history=tuple(history)))

    def snapshot(self, history: Iterable[HistoryEntry]) -> dict[str, Any]:
        """The file content (as a dict) its history replays to."""
        return self.to_dict(self.replay(history))

    def snapshot_of_dicts(self, history: Iterable[dict[str, Any]]) -> dict[str, Any]:
        return self.snapshot(HistoryEntry.from_dict(op) for op in history)


def _record_to_dict(record: Any) -> dict[str, Any]:
    return record.to_dict()


KINDS: dict[str, RecordKind] = {
    "item": RecordKind("item", "Q", "issue", Item, apply_item, item_from_dict, item_to_dict),
    "cadre": RecordKind("cadre", "C", "cadre", Cadre, apply_cadre, Cadre.from_dict, _record_to_dict),
    "household": RecordKind(
        "household", "H", "household", Household, apply_household, Household.from_dict, _record_to_dict
    ),
    "review": RecordKind("review", "R", "review", Review, apply_review, Review.from_dict, _record_to_dict),
    # No id letter: a closing is found by its month and unit (core/periods.py), never by a typed prefix.
    "period": RecordKind("period", "", "period", Closing, apply_closing, Closing.from_dict, _record_to_dict),
}
BY_PREFIX = {kind.prefix: kind for kind in KINDS.values() if kind.prefix}


def kind_of_record(record: Any) -> RecordKind:
    for kind in KINDS.values():
        if isinstance(record, kind.model):
            return kind
    raise TypeError(f"not a record kind: {type(record).__name__}")


def history_of(data: Any) -> list[HistoryEntry] | None:
    """The history entries of an entity file's data, or None when it has no well-formed history."""
    if not isinstance(data, dict) or not isinstance(data.get("history"), list):
        return None
    try:
        return [HistoryEntry.from_dict(entry) for entry in data["history"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
