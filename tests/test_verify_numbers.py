"""verify/numbers.find_numbers finds exactly what pii.find_numbers finds (check and audit scan with the former)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minqing.ledgers.core import pii
from minqing.ledgers.verify import numbers

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
        assert numbers.find_numbers(text) == pii.find_numbers(text), text
    assert numbers.find_numbers(EXAMPLES[0])  # they do find something


def test_the_demo_ledger_agrees(demo: Path) -> None:
    scanned = 0
    for path in demo.rglob("*.yaml"):
        if ".git" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert numbers.find_numbers(text) == pii.find_numbers(text), path
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
    assert numbers.find_numbers(text) == pii.find_numbers(text)
    for start in range(0, len(text), 7):  # and from any position, as the scanning loop restarts
        want = pii._CANDIDATE.search(text, start)
        got = numbers._CANDIDATE.search(text, start)
        assert (want and want.span()) == (got and got.span()), (text, start)
