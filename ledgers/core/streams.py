"""Corrections in append-only streams (issue 15), pure. A visit or an activity is never rewritten: a correction
or a void is a new document in a stream, and which documents are in force follows from the documents alone.

- `corrects: X`: this document replaces X (更正). It lives in the stream of its own (corrected) date and place.
- `voids: X`: X is withdrawn (作废). The voiding document lives in X's own stream file, copies X's date and place
  (so the file still holds only its month and village) and is itself out of force. When a correction moves a
  record to another file, the old file gets such a voiding document with `corrected_by:` naming the correction.

So each file settles its own documents: what a file's documents replace or void is in the same file, or (for a
correction that moved) voided there as well. The index parses one blob at a time and stays exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

CORRECTS = "corrects"
VOIDS = "voids"
CORRECTED_BY = "corrected_by"
REASON = "reason"
# The keys a correcting or voiding document adds to the record it copies.
REVISION_KEYS = (CORRECTS, VOIDS, CORRECTED_BY, REASON)
# A document's own id where a stream line begins (`--- {id: V-…`), never an id it names (`voids: V-…`).
_DOCUMENT_ID = re.compile(r"(?m)^(?:--- )?\{?id: ([A-Z]-[0-9A-HJKMNP-TV-Z]{6})")


def document_ids(text: str) -> set[str]:
    """The ids of the documents in a stream file's text, read without parsing it (audit, drawing a new id)."""
    return set(_DOCUMENT_ID.findall(text))


def replaced_ids(docs: Iterable[dict[str, Any]]) -> set[str]:
    """Ids the documents correct or void."""
    out: set[str] = set()
    for doc in docs:
        for key in (CORRECTS, VOIDS):
            if doc.get(key):
                out.add(str(doc[key]))
    return out


def in_force(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents of one stream that count: neither replaced nor voided, and not voiding documents."""
    gone = replaced_ids(docs)
    return [doc for doc in docs if str(doc.get("id")) not in gone and not doc.get(VOIDS)]


def is_revision(doc: dict[str, Any]) -> bool:
    return bool(doc.get(CORRECTS) or doc.get(VOIDS))
