"""pii's candidate pattern, written so the regex engine can skip ahead (check and audit scan every file with it),
finds exactly what its plain form finds: a look-behind first, then the number."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minqing.ledgers.core import pii

DIGIT, SEP, WORD = "[0-9０-９]", "[ \u3000\\-－]?", "[0-9A-Za-z０-９Ｘｘ]"
# The plain form: not inside a longer run of digits or letters, a mobile or an ID number, not followed by one.
PLAIN = re.compile(
    rf"(?<!{WORD})"
    rf"(?:[1１][3-9３-９]{DIGIT}(?:{SEP}{DIGIT}){{8}}"
    rf"|[1-8１-８]{DIGIT}(?:{SEP}{DIGIT}){{13}}(?:(?:{SEP}{DIGIT}){{2}}{SEP}[0-9０-９XxＸｘ])?)"
    rf"(?!{WORD})"
)


def plain_find_numbers(text: str) -> list[pii.Found]:
    """pii.find_numbers's loop over the plain pattern: the reference."""
    found: list[pii.Found] = []
    position = 0
    while (candidate := PLAIN.search(text, position)) is not None:
        written = candidate.group()
        digits = written.translate(pii._NARROW)
        kind = pii.kind_of_number(digits) if pii._grouped_as_typed(written) else None
        if kind is None:
            position = candidate.start() + 1
            continue
        masked = pii.mask_id_number(digits.upper()) if kind == pii.ID_NUMBER else pii.mask_phone(digits)
        found.append(pii.Found(candidate.start(), candidate.end(), kind, masked))
        position = candidate.end()
    return found


EXAMPLES = [
    "电话 13812345678，身份证 11010519491231002X",
    "x139 1234 5678 ５２０６０２１９８００１０１１２３２ 2026-11-03 13912345678 52060210120104 4组",
    "520602 19800101 1232 and 520602-198001011232 and 5206021980010112",
    "+8613912345678 a13912345678 13912345678b 1391234567８",
    "'520602101201' '2025-11-06T10:00:00+08:00' H-13912345678 R025020",
    "１３９　１２３４　５６７８ 139－1234－5678 139--12345678",
    "110101800101123 1101018001011234 11010118000101123",
]
ALPHABET = list("0123456789０１２３４５６７８９ \u3000-－XxＸｘaZ:'\n,测")


def test_examples_agree() -> None:
    for text in EXAMPLES:
        assert pii.find_numbers(text) == plain_find_numbers(text), text
    assert pii.find_numbers(EXAMPLES[0])  # they do find something


def test_the_demo_ledger_agrees(demo: Path) -> None:
    scanned = 0
    for path in demo.rglob("*.yaml"):
        if ".git" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert pii.find_numbers(text) == plain_find_numbers(text), path
        scanned += 1
    assert scanned > 500


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.sampled_from(ALPHABET), max_size=30),
            st.sampled_from(EXAMPLES),
            st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
            st.from_regex(
                r"[1-8][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])[0-2][0-9][0-9]{3}[0-9X]", fullmatch=True
            ),
        ),
        max_size=5,
    )
)
def test_fuzzed_text_agrees(parts: list[str]) -> None:
    text = "".join(parts)
    assert pii.find_numbers(text) == plain_find_numbers(text)
    for start in range(0, len(text), 7):  # and from any position, as the scanning loop restarts
        want = PLAIN.search(text, start)
        got = re.compile(pii.CANDIDATE_PATTERN).search(text, start)
        assert (want and want.span()) == (got and got.span()), (text, start)
