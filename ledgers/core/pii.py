"""Personal data: full ID numbers and phones never enter git. Files keep a masked form and a keyed hash.

Free text is screened too (issue 14): a clerk pastes "户主身份证 5206… 电话 139…" into a note as readily as into
the ID field. `find_numbers` finds citizen ID numbers (18 digits with a valid GB 11643 check character, or the
old 15-digit form with a real birth date) and mobile numbers, written with full-width digits, spaces or hyphens
between groups, or a +86 prefix; `mask_text` replaces each with its masked form.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import re
from dataclasses import dataclass

ID_NUMBER = "id_number"
MOBILE = "mobile"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Digits as typed: ASCII or full-width (a Chinese input method gives either); separators a space, an ideographic
# space or a hyphen of either width.
_DIGIT = "[0-9０-９]"
_SEP = "[ \u3000\\-－]?"
_WORD = "[0-9A-Za-z０-９Ｘｘ]"
_NARROW = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx", " \u3000-－")
# A candidate number: a mobile (1[3-9] and 9 more digits) or an ID number (15 or 18 characters, the last of 18 may
# be X), one separator allowed between digits, not inside a longer run of digits or letters (an org code, an entry
# id, a keyed hash). The C regex engine does the scanning; each candidate is then verified (check character, birth
# date) in Python. The first character is consumed before the look-behind (which then looks one character further
# back): a pattern that begins with a look-behind is tried at every character of the text (~40 ns each, as much as
# parsing a visit document, and check and audit scan every file); this one lets the engine skip to the characters a
# number can start with. The same matches from every position (tests/test_pii_scan.py holds it to the plain form).
# Compiled on first use (~1 ms): every command imports this module, and most never scan a text.
CANDIDATE_PATTERN = (
    rf"[1-8１-８](?<!{_WORD}[1-8１-８])"
    rf"(?:(?<=[1１])[3-9３-９]{_DIGIT}(?:{_SEP}{_DIGIT}){{8}}(?!{_WORD})"
    rf"|{_DIGIT}(?:{_SEP}{_DIGIT}){{13}}(?:(?:{_SEP}{_DIGIT}){{2}}{_SEP}[0-9０-９XxＸｘ])?(?!{_WORD}))"
)


def mask_id_number(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(number: str) -> str:
    if len(number) == 11 and number.startswith("1"):
        return number[:3] + "****" + number[-4:]
    return number[:-4].rstrip("-")[:4] + "****" + number[-4:]


def keyed_hash(secret: bytes, value: str) -> str:
    import hashlib  # OpenSSL's bindings: only when a value is digested, not on every read that masks
    import hmac

    return hmac.new(secret, value.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()


def id_check_character(first17: str) -> str:
    return _ID_CHECK[
        sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)) % 11
    ]


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def kind_of_number(digits: str) -> str | None:
    """ID_NUMBER, MOBILE or None for a string of digits (and X) with no separators."""
    upper = digits.upper()
    if len(upper) == 18 and upper[:17].isdigit() and (upper[17].isdigit() or upper[17] == "X"):
        born = _real_date(int(upper[6:10]), int(upper[10:12]), int(upper[12:14]))
        if born and 1900 <= int(upper[6:10]) and id_check_character(upper[:17]) == upper[17]:
            return ID_NUMBER
        return None
    if not upper.isdigit():
        return None
    if len(upper) == 15 and upper[0] in "12345678":
        if _real_date(1900 + int(upper[6:8]), int(upper[8:10]), int(upper[10:12])):
            return ID_NUMBER
        return None
    if len(upper) == 11 and upper[0] == "1" and upper[1] in "3456789":
        return MOBILE
    return None


@dataclass(frozen=True)
class Found:
    """One number in a text: where it is (start, end in the text as given), what it is, and its masked form."""

    start: int
    end: int
    kind: str
    masked: str


@functools.cache
def _candidates() -> re.Pattern[str]:
    return re.compile(CANDIDATE_PATTERN)


_SEPARATOR = re.compile(_SEP[:-1])
SHORTEST_GROUP = 3


def _grouped_as_typed(written: str) -> bool:
    """Whether separators split `written` the way people write these numbers (`139 1234 5678`, `520602 19800101
    1232`): every group at least three characters. A group code and a figure after it (`52060210120104 4组`) are
    two things, not a 15-digit ID number across a space."""
    if written.isalnum():
        return True
    return min(map(len, _SEPARATOR.split(written))) >= SHORTEST_GROUP


def find_numbers(text: str) -> list[Found]:
    """Every full ID number and mobile number in `text`, in order."""
    found: list[Found] = []
    position = 0
    search = _candidates().search
    while True:
        candidate = search(text, position)
        if candidate is None:
            return found
        written = candidate.group()
        digits = written.translate(_NARROW)
        kind = kind_of_number(digits) if _grouped_as_typed(written) else None
        if kind is None:
            position = candidate.start() + 1  # a date run into a phone ("2026-11-03 139…"): look again inside
            continue
        masked = mask_id_number(digits.upper()) if kind == ID_NUMBER else mask_phone(digits)
        found.append(Found(candidate.start(), candidate.end(), kind, masked))
        position = candidate.end()


def mask_text(text: str) -> tuple[str, list[Found]]:
    """`text` with every full number replaced by its masked form, and what was found."""
    found = find_numbers(text)
    if not found:
        return text, []
    out, position = [], 0
    for hit in found:
        out.append(text[position : hit.start])
        out.append(hit.masked)
        position = hit.end
    out.append(text[position:])
    return "".join(out), found


# What to do with a number found in free text: "mask" (the default) or "refuse", set from minqing.yaml when a
# ledger is opened; and what was masked during this command, for the one-line notice the CLI prints.
POLICY: contextvars.ContextVar[str] = contextvars.ContextVar("pii_policy", default="mask")
MASKED: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar("pii_masked", default=())


def note_masked(field: str, found: list[Found]) -> None:
    MASKED.set(MASKED.get() + tuple((field, hit.kind) for hit in found))


def take_masked() -> tuple[tuple[str, str], ...]:
    """What was masked since the last call (field, kind), and forget it."""
    masked = MASKED.get()
    MASKED.set(())
    return masked
