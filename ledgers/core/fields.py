"""Validation of single values given by a user: dates, enums, text, phones, ID numbers, org codes.

Each function returns the normalized value or raises BadInput naming the field, the value and what is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping

from . import pii
from .errors import BadInput
from .messages import EXTRA_LABELS, LABELS, SYNONYMS, Text

MAX_TEXT = 4000  # a note longer than this is a pasted document, not a ledger line
MAX_NAME = 40

CHINA = dt.timezone(dt.timedelta(hours=8))


def today() -> dt.date:
    return now().date()


def now() -> dt.datetime:
    """The office clock (UTC+8). For tests only: MINQING_NOW pins it, and only where the test-only switch
    MINQING_TEST_CLOCK=1 is also set, so no real command can be made to record a time of the user's choosing."""
    import os

    pinned = os.environ.get("MINQING_NOW") if os.environ.get("MINQING_TEST_CLOCK") == "1" else None
    if pinned:
        value = dt.datetime.fromisoformat(pinned)
        # In office time whatever offset was given: `today()` and `timestamp()` must agree on the date.
        return (value if value.tzinfo else value.replace(tzinfo=CHINA)).astimezone(CHINA)
    return dt.datetime.now(CHINA).replace(microsecond=0)


def timestamp(moment: dt.datetime | None = None) -> str:
    return (moment or now()).astimezone(CHINA).replace(microsecond=0).isoformat()


def parse_date(value: str | dt.date, field: str, allow_future: bool = True) -> str:
    if isinstance(value, dt.date):
        parsed = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise BadInput("bad_date", field=field, value=value)
        try:
            parsed = dt.date.fromisoformat(text)
        except ValueError:
            raise BadInput("bad_date", field=field, value=value) from None
    if not allow_future and parsed > today():
        raise BadInput("future_date", field=field, value=value, today=today().isoformat())
    return parsed.isoformat()


def to_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def spelling(value: str) -> str:
    """How an enum value or a header is compared: full-width to half-width, case-folded, without spaces or the
    required-markers (*, ：) a sheet's header may carry."""
    folded = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return re.sub(r"[\s*＊:：]+", "", folded)


Labels = Mapping[str, tuple[str, ...]]


def choice_labels(code: str, labels: Labels | None = None) -> tuple[str, ...]:
    """A code's (zh, en, other spellings…): from `labels` when the option has its own table (a review grade, an
    activity kind, a rollup period), else the shared catalog (messages.LABELS, EXTRA_LABELS)."""
    if labels is not None:
        return tuple(labels.get(code, ()))
    return tuple(LABELS.get(code) or EXTRA_LABELS.get(code) or ())


def choice_index(allowed: Iterable[str], labels: Labels | None = None) -> dict[str, str]:
    """Every spelling that names exactly one allowed code: the code, its labels, and (with the shared catalog)
    the synonyms offices write. A spelling two allowed codes share names neither."""
    options = list(allowed)
    found: dict[str, set[str]] = {}
    for code in options:
        for text in (code, *choice_labels(code, labels)):
            found.setdefault(spelling(text), set()).add(code)
    if labels is None:
        for text, code in SYNONYMS.items():
            if code in options:
                found.setdefault(spelling(text), set()).add(code)
    return {text: next(iter(codes)) for text, codes in found.items() if len(codes) == 1 and text}


def choice(value: str | None, field: str, allowed: Iterable[str], labels: Labels | None = None) -> str:
    """An enum option: its code, or a label or synonym naming exactly one of the allowed codes (`--status 脱贫户`)."""
    options = list(allowed)
    text = (value or "").strip()
    if text in options:
        return text
    if not text:
        raise BadInput("required", field=field, accepted=accepted_choices(options, labels))
    code = choice_index(options, labels).get(spelling(text))
    if code is None:
        raise BadInput("bad_value", field=field, value=value, accepted=accepted_choices(options, labels))
    return code


def accepted_choices(options: list[str], labels: Labels | None = None) -> str | Text:
    """The codes, and in Chinese their labels too: `poor|lifted|…（或 贫困户、脱贫户、…）`."""
    codes = "|".join(options)
    shown = [pair[0] for pair in (choice_labels(code, labels) for code in options) if pair]
    return _Accepted(codes, "、".join(shown)) if shown else codes


class _Accepted(Text):
    """The accepted codes and, for a Chinese reader, their labels (an English reader types the codes)."""

    def __init__(self, codes: str, labels: str) -> None:
        super().__init__("acc_choice", codes=codes, labels=labels)

    def render(self, lang: str = "zh") -> str:
        return str(self.params["codes"]) if lang == "en" else super().render(lang)


def text(value: str | None, field: str, limit: int = MAX_TEXT, required: bool = True) -> str | None:
    if value is None or not value.strip():
        if required:
            raise BadInput("empty_text", field=field)
        return None
    cleaned = value.strip()
    # isprintable() is false for every character of those categories (and for separators): a printable text, as
    # most are, is settled in one C pass instead of a category look-up per character (an import's 10,000 names).
    if not cleaned.isprintable():
        for char in cleaned:
            # Cf: invisible format characters (bidi overrides that reverse how a name reads, zero-width spaces that
            # make two equal-looking names differ).
            if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") and char not in "\n\t":
                raise BadInput("control_chars", field=field)
    if len(cleaned) > limit:
        raise BadInput("too_long", field=field, length=len(cleaned), limit=limit)
    return screened(cleaned, field)


def screened(value: str, field: str) -> str:
    """Free text with any full ID or mobile number masked (and noted for the CLI's one-line notice), or refused
    when minqing.yaml says `pii_in_text: refuse`. Git keeps what is written for good: this is the last door."""
    masked, found = pii.mask_text(value)
    if not found:
        return value
    if pii.POLICY.get() == "refuse":
        raise BadInput("pii_in_text", field=field, what=Text(f"pii_{found[0].kind}"), shown=found[0].masked)
    pii.note_masked(field, found)
    return masked


def name(value: str | None, field: str) -> str:
    result = text(value, field, limit=MAX_NAME)
    assert result is not None
    if "\n" in result or "\t" in result or "/" in result or "\\" in result:
        raise BadInput("bad_value", field=field, value=value, accepted=Text("acc_name"))
    return result


def positive_int(value: int | str | None, field: str, minimum: int = 0, maximum: int = 1_000_000) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise BadInput(
            "bad_value",
            field=field,
            value=value,
            accepted=Text("acc_whole_number", minimum=minimum, maximum=maximum),
        ) from None
    if not minimum <= number <= maximum:
        raise BadInput(
            "bad_value",
            field=field,
            value=value,
            accepted=Text("acc_whole_number", minimum=minimum, maximum=maximum),
        )
    return number


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def phone(value: str, field: str = "--phone") -> str:
    cleaned = re.sub(r"[\s]", "", value or "")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    if not (_MOBILE.match(cleaned) or _LANDLINE.match(cleaned)):
        raise BadInput("bad_phone", value=value)
    return cleaned


def id_number(value: str) -> str:
    """GB 11643 citizen ID: 17 digits, a birth date, and a mod-11 check character."""
    cleaned = (value or "").strip().upper()
    # A mistyped number is still nearly someone's real one: messages show it masked, like every display.
    shown = _mask_for_message(cleaned)
    if len(cleaned) != 18:
        raise BadInput("bad_id_number", value=shown, why=Text("why_id_length", length=len(cleaned)))
    if not cleaned[:17].isdigit() or not (cleaned[17].isdigit() or cleaned[17] == "X"):
        raise BadInput("bad_id_number", value=shown, why=Text("why_id_digits"))
    try:
        dt.date(int(cleaned[6:10]), int(cleaned[10:12]), int(cleaned[12:14]))
    except ValueError:
        raise BadInput("bad_id_number", value=shown, why=Text("why_id_birth")) from None
    if pii.id_check_character(cleaned[:17]) != cleaned[17]:
        raise BadInput("bad_id_number", value=shown, why=Text("why_id_check"))
    return cleaned


def _mask_for_message(text: str) -> str:
    return pii.mask_id_number(text) if len(text) >= 8 else text


def id_list(value: str | None) -> list[str]:
    """`C1,C2,…` as given on the command line (also accepts Chinese commas)."""
    if not value:
        return []
    return [part.strip() for part in re.split(r"[,，、\s]+", value) if part.strip()]
