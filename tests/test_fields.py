"""ledgers/fields.py, pii.py and ids.py: single values from a user — dates, enums, text, phones, GB 11643 ID numbers,
masking and keyed hashes, IDs and prefixes. Pure functions, no git."""

from __future__ import annotations

import datetime as dt

import pytest
from foundation_util import ID_BAD_CHECK, ID_VALID, ID_VALID_2, ID_VALID_X
from hypothesis import given
from hypothesis import strategies as st

from minqing.ledgers.core import fields as F
from minqing.ledgers.core import ids, pii
from minqing.ledgers.core.errors import Ambiguous, BadInput, NotFound

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def key_of(call, *args, **kwargs) -> str:
    with pytest.raises(BadInput) as caught:
        call(*args, **kwargs)
    return caught.value.key


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("text", ["2026-11-23", " 2026-11-23 ", "2028-02-29", "2026-01-01"])
def test_dates_accepted(text: str) -> None:
    assert F.parse_date(text, "--date") == text.strip()


@pytest.mark.parametrize(
    "text",
    ["2026-02-30", "2027-02-29", "2026/01/01", "2026-1-1", "26-11-23", "20261123", "2026-13-01", "", "明天"],
)
def test_malformed_dates_name_the_field_and_value(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        F.parse_date(text, "--due")
    assert caught.value.key == "bad_date"
    assert caught.value.render("en") == (
        f"--due: '{text}' is not a valid date; accepted: a real date as YYYY-MM-DD"
    )


def test_future_dates_refused_where_the_past_is_required(monkeypatch) -> None:
    monkeypatch.setenv("MINQING_NOW", "2026-11-23T23:59:00+08:00")
    assert F.parse_date("2026-11-23", "--date", allow_future=False) == "2026-11-23"
    with pytest.raises(BadInput) as caught:
        F.parse_date("2026-11-24", "--date", allow_future=False)
    assert caught.value.render("zh") == "--date 的日期“2026-11-24”在将来：最晚为 2026-11-23"
    assert F.parse_date("2030-01-01", "--due") == "2030-01-01"


def test_office_clock_is_china_time(monkeypatch) -> None:
    monkeypatch.setenv("MINQING_NOW", "2026-11-23T17:30:00+00:00")  # 01:30 the next day in Beijing
    assert F.today() == dt.date(2026, 11, 24)
    assert F.timestamp() == "2026-11-24T01:30:00+08:00"


# ---------------------------------------------------------------- enums, text, numbers


def test_choice() -> None:
    assert F.choice(" housing ", "--category", ("housing", "water")) == "housing"
    assert key_of(F.choice, "", "--category", ("housing", "water")) == "required"
    assert key_of(F.choice, None, "--category", ("housing", "water")) == "required"
    # A label (or the code in another case) names its code; a label no allowed code has is refused.
    assert F.choice("Housing", "--category", ("housing", "water")) == "housing"
    assert F.choice("住房", "--category", ("housing", "water")) == "housing"
    with pytest.raises(BadInput) as caught:
        F.choice("屋顶", "--category", ("housing", "water"))
    assert caught.value.render("en") == "--category: invalid value '屋顶'; accepted: housing|water"
    assert caught.value.render("zh") == "--category 的值“屋顶”无效：应为 housing|water（或 住房、饮水）"


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07", "\x1b[31mred", "a\x7fb", "a\u200b\x01", "a\ud800"])
def test_control_characters_refused(bad: str) -> None:
    assert key_of(F.text, bad, "--note") == "control_chars"


def test_text_trims_and_keeps_newlines_and_tabs() -> None:
    assert F.text("  屋顶漏雨\n厨房也漏\t严重  ", "--desc") == "屋顶漏雨\n厨房也漏\t严重"
    assert F.text(None, "--plan", required=False) is None
    assert F.text("   ", "--plan", required=False) is None
    assert key_of(F.text, "   ", "--desc") == "empty_text"
    assert key_of(F.text, "\n\t", "--desc") == "empty_text"
    assert F.text("长" * 4000, "--desc") == "长" * 4000
    assert key_of(F.text, "长" * 4001, "--desc") == "too_long"


def test_names_are_one_line_without_slashes() -> None:
    assert F.name(" 王大 ", "--head") == "王大"
    for bad in ("王/大", "王\\大", "王\n大", "王\t大", "名" * 41):
        with pytest.raises(BadInput):
            F.name(bad, "--head")


def test_positive_int() -> None:
    assert F.positive_int(" 4 ", "--members", 1, 50) == 4
    for bad in ("0", "51", "四", "4.5", "", None):
        with pytest.raises(BadInput) as caught:
            F.positive_int(bad, "--members", 1, 50)
        assert "1–50" in caught.value.render("en")


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("given", "stored", "masked"),
    [
        ("13912345678", "13912345678", "139****5678"),
        ("139 1234 5678", "13912345678", "139****5678"),
        ("+8613912345678", "13912345678", "139****5678"),
        ("0856-5221234", "0856-5221234", "0856****1234"),
        ("08565221234", "08565221234", "0856****1234"),
        ("010-88886666", "010-88886666", "010-****6666"),
    ],
)
def test_phones_accepted_and_masked(given: str, stored: str, masked: str) -> None:
    assert F.phone(given) == stored
    assert pii.mask_phone(stored) == masked


@pytest.mark.parametrize(
    "bad", ["12345678901", "1391234567", "139123456789", "1391234567a", "123", "", "856-5221234"]
)
def test_bad_phones(bad: str) -> None:
    assert key_of(F.phone, bad) == "bad_phone"


# ---------------------------------------------------------------- GB 11643 ID numbers


@pytest.mark.parametrize("number", [ID_VALID, ID_VALID_2, ID_VALID_X, ID_VALID_X.lower(), f" {ID_VALID} "])
def test_valid_id_numbers(number: str) -> None:
    assert F.id_number(number) == number.strip().upper()


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (ID_BAD_CHECK, "why_id_check"),
        (ID_VALID[:17], "why_id_length"),
        (ID_VALID + "1", "why_id_length"),
        ("", "why_id_length"),
        ("5206021980010112X2", "why_id_digits"),
        ("52060219800101123Y", "why_id_digits"),
        ("520602198013011237", "why_id_birth"),
        ("520602199002301234", "why_id_birth"),
    ],
)
def test_bad_id_numbers_say_why_and_never_echo_the_number(number: str, reason: str) -> None:
    with pytest.raises(BadInput) as caught:
        F.id_number(number)
    assert caught.value.key == "bad_id_number"
    assert caught.value.params["why"].key == reason
    for lang in ("zh", "en"):
        text = caught.value.render(lang)
        assert (number not in text) if len(number) >= 8 else True


@given(
    region=st.integers(110000, 659999),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 11, 23)),
    serial=st.integers(0, 999),
)
def test_checksum_property(region: int, birth: dt.date, serial: int) -> None:
    body = f"{region:06d}{birth:%Y%m%d}{serial:03d}"
    right = check_char(body)
    assert F.id_number(body + right) == body + right
    for wrong in "0123456789X":
        if wrong != right:
            with pytest.raises(BadInput):
                F.id_number(body + wrong)


def test_masking_and_keyed_hash() -> None:
    assert pii.mask_id_number(ID_VALID) == "520***********1232"
    assert pii.mask_id_number(ID_VALID_X) == "110***********002X"
    secret, other = bytes(range(32)), bytes(range(1, 33))
    digest = pii.keyed_hash(secret, ID_VALID_X)
    assert len(digest) == 64 and ID_VALID_X not in digest
    assert pii.keyed_hash(secret, ID_VALID_X.lower()) == digest
    assert pii.keyed_hash(other, ID_VALID_X) != digest  # another county's secret finds nothing


def test_id_list_accepts_chinese_separators() -> None:
    assert F.id_list("C-1,C-2，C-3、C-4 C-5") == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    assert F.id_list(None) == [] and F.id_list(" , ") == []


# ---------------------------------------------------------------- IDs


def test_crockford_normalization() -> None:
    assert ids.normalize(" q-7k3m2q ") == "Q-7K3M2Q"
    assert ids.normalize("q-ilo") == "Q-110"
    assert ids.is_id("Q-7K3M2Q", "Q") and not ids.is_id("Q-7K3M2Q", "C")
    assert not ids.is_id("Q-7K3M2U")  # U is not Crockford


def test_resolve_prefix() -> None:
    pool = ["Q-7K3M2Q", "Q-7K9AAA", "Q-ABCDEF"]
    assert ids.resolve_prefix("Q-A", "Q", pool, "ID") == "Q-ABCDEF"
    assert ids.resolve_prefix("7k3", "Q", pool, "ID") == "Q-7K3M2Q"
    with pytest.raises(Ambiguous) as caught:
        ids.resolve_prefix("Q-7K", "Q", pool, "ID")
    assert caught.value.render("en") == "'Q-7K' matches several items: Q-7K3M2Q, Q-7K9AAA"
    with pytest.raises(NotFound) as missing:
        ids.resolve_prefix("Q-Z", "Q", pool, "--leader")
    assert "--leader" in missing.value.render("en")
    for bad in ("C-7K3M2Q", "Q-", "Q-7K3M2QX", "Q-7U", "问题", ""):
        with pytest.raises(BadInput):
            ids.resolve_prefix(bad, "Q", pool, "ID")
