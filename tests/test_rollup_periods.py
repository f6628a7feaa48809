"""Several periods at once (issue 18): `rollup --ytd`, `rollup --each month|quarter|year` in every format, and
`activity list --year / --from / --to`, over the hand-built ledger of tests/rollup_fixture.py (today 2026-11-23)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
import rollup_fixture as fx
import wcwidth
from conftest import refused, run
from rollup_fixture import HEPING, Hand

from minqing.ledgers.core.errors import BadInput
from minqing.ledgers.read import rollup

hand = fx.hand
TODAY = dt.date(2026, 11, 23)
# Figures that flow (counted by the day they happened): the months add up to the span.
FLOWS = (
    "visits",
    "talks",
    "stays",
    "opened",
    "closed",
    "activities",
    "participants",
    "suggestions",
    "condolences",
)


def ok(*args: str, ledger: Path) -> str:
    result = run(*args, ledger=ledger)
    assert result.exit_code == 0, result.output
    return result.stdout


def as_json(*args: str, ledger: Path) -> dict:
    return json.loads(ok(*args, "--format", "json", ledger=ledger))


# ---------------------------------------------------------------- choosing the periods


def test_each_month_over_a_year_and_by_default_this_year_to_date():
    months = rollup.choose_each("month", "2026-01", "2026-12", today=TODAY)
    assert [period.label for period in months] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert months[-1].as_of == dt.date(2026, 12, 31)  # a future period is judged at its end
    assert months[10].as_of == TODAY  # the running one today
    default = rollup.choose_each("month", today=TODAY)
    assert (default[0].start, default[-1].end) == (dt.date(2026, 1, 1), dt.date(2026, 11, 30))
    quarters = rollup.choose_each("季度", "2026-02-10", "2026-08-01", today=TODAY)  # whole quarters
    assert [period.label for period in quarters] == ["2026Q1", "2026Q2", "2026Q3"]
    assert [p.label for p in rollup.choose_each("year", "2025-01", "2026-12", today=TODAY)] == [
        "2025",
        "2026",
    ]


def test_year_to_date():
    period = rollup.year_to_date(today=TODAY)
    assert (period.kind, period.start, period.end, period.as_of) == ("ytd", dt.date(2026, 1, 1), TODAY, TODAY)
    october = rollup.year_to_date("2026-10", today=TODAY)
    assert (october.start, october.end, october.as_of) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 10, 31),
        october.end,
    )


@pytest.mark.parametrize(
    "each,start,end,key,field",
    [
        ("fortnight", None, None, "bad_value", "--each"),
        ("week", None, None, "bad_value", "--each"),
        ("month", "2026-13", None, "bad_date", "--from"),
        ("month", "2026-06", "2026-01", "date_order", "--to"),
        ("month", "2020-01", "2026-12", "too_many_periods", "--each"),
    ],
)
def test_bad_each_is_refused(each, start, end, key, field):
    with pytest.raises(BadInput) as caught:
        rollup.choose_each(each, start, end, today=TODAY)
    assert (caught.value.key, caught.value.params["field"]) == (key, field)


# ---------------------------------------------------------------- rollup --ytd


def test_ytd_is_the_year_so_far(hand: Hand):
    data = as_json("rollup", "--ytd", ledger=hand.path)
    assert data["period"] == {
        "kind": "ytd",
        "from": "2026-01-01",
        "to": "2026-11-23",
        "as_of": "2026-11-23",
        "label": "2026-01-01..2026-11-23",
    }
    # Everything the fixture holds happened this year: the same as the explicit range.
    explicit = as_json("rollup", "--from", "2026-01-01", "--to", "2026-11-23", ledger=hand.path)
    assert data["total"] == explicit["total"]
    assert (data["total"]["visits"], data["total"]["opened"], data["total"]["activities"]) == (4, 8, 3)
    to_october = as_json("rollup", "--ytd", "--to", "2026-10", ledger=hand.path)
    assert (to_october["period"]["to"], to_october["total"]["activities"]) == ("2026-10-31", 1)
    title = ok("rollup", "--ytd", ledger=hand.path).splitlines()[0]
    assert "今年以来" in title
    assert "year to date" in ok("--lang", "en", "rollup", "--ytd", ledger=hand.path).splitlines()[0]


# ---------------------------------------------------------------- rollup --each


def test_each_month_json_lists_periods_with_rows_and_a_total(hand: Hand):
    data = as_json("rollup", "--each", "month", "--from", "2026-01", "--to", "2026-12", ledger=hand.path)
    assert (data["each"], data["from"], data["to"], data["by"]) == (
        "month",
        "2026-01-01",
        "2026-12-31",
        "township",
    )
    assert [part["period"]["label"] for part in data["periods"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    units = [row["unit"] for row in data["total"]["rows"]]
    assert all([row["unit"] for row in part["rows"]] == units for part in data["periods"])
    for key in FLOWS:
        assert sum(part["total"][key] for part in data["periods"]) == data["total"]["total"][key], key
    november = data["periods"][10]["total"]
    assert (november["visits"], november["opened"], november["participants"]) == (2, 5, 42)
    # A stock is read on the span's as-of date (today), as November's is.
    assert data["total"]["period"]["as_of"] == "2026-11-23"
    assert data["total"]["total"]["open"] == november["open"] == 4
    heping = {
        part["period"]["label"]: row
        for part in data["periods"]
        for row in part["rows"]
        if row["unit"] == HEPING
    }
    assert heping["2026-10"]["activities"] == 1 and heping["2026-11"]["activities"] == 1


def test_each_month_table_fits_80_columns_with_a_column_per_period(
    hand: Hand, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("COLUMNS", "80")
    out = ok("rollup", "--each", "month", "--from", "2026-01", "--to", "2026-12", ledger=hand.path)
    assert all(wcwidth.wcswidth(line) <= 80 for line in out.splitlines())
    sections = out.split("\n\n")
    assert sections[0].startswith("碧江区 逐月 2026-01-01..2026-12-31 按乡镇")
    assert [section.splitlines()[0] for section in sections[1:]] == [
        "走访",
        "已走访户",
        "有问题户",
        "新增事项",
        "销号",
        "未销号",
    ]
    visits = sections[1].splitlines()
    assert visits[1].split() == ["单位＼月", *(str(m) for m in range(1, 13)), "合计"]
    assert visits[-1].split() == ["合计", "0", "0", "0", "0", "0", "0", "0", "1", "0", "1", "2", "0", "4"]


def test_each_quarter_with_chosen_metrics_and_english(hand: Hand):
    out = ok(
        "--lang", "en", "rollup", "--each", "quarter", "--metric", "opened,coverage", "--metric", "报乡镇",
        "--by", "village", ledger=hand.path,
    )  # fmt: skip
    sections = out.split("\n\n")
    assert sections[0].startswith("碧江区 each quarter 2026-01-01..2026-12-31 by village")
    assert [section.splitlines()[0] for section in sections[1:]] == ["opened", "coverage", "to township"]
    opened = sections[1].splitlines()
    assert opened[1].split() == ["unit", "Q1", "Q2", "Q3", "Q4", "total"]
    assert opened[-1].split() == ["total", "0", "0", "2", "6", "8"]
    coverage = sections[2].splitlines()
    assert all(cell.endswith("%") or cell == "—" for cell in coverage[-1].split()[1:])


def test_each_in_csv_md_html_and_xlsx(hand: Hand, tmp_path: Path):
    args = ("rollup", "--each", "quarter", "--from", "2026-07", "--to", "2026-12")
    text = ok(*args, "--format", "csv", ledger=hand.path)
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["期间"] for row in table if row["代码"] == "total"] == ["2026Q3", "2026Q4", "total"]
    rows_per_period = len(table) // 3
    assert len(table) == 3 * rows_per_period
    q4 = next(row for row in table if row["期间"] == "2026Q4" and row["代码"] == "total")
    assert (q4["起"], q4["止"], q4["新增事项"], q4["有问题户"]) == ("2026-10-01", "2026-12-31", "6", "2")
    markdown = ok(*args, "--format", "md", ledger=hand.path)
    assert "| 单位 | Q3 | Q4 | 合计 |" in markdown and "## 走访" in markdown
    page = ok(*args, "--format", "html", ledger=hand.path)
    assert page.startswith("<!DOCTYPE html>") and page.count("<table>") == 6
    target = tmp_path / "quarters.xlsx"
    ok(*args, "--format", "xlsx", "--out", str(target), ledger=hand.path)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["2026Q3", "2026Q4", "合计"]


def test_each_over_several_years_keeps_the_year_in_the_headers(hand: Hand):
    out = ok(
        "rollup",
        "--each",
        "quarter",
        "--from",
        "2025-10",
        "--to",
        "2026-03",
        "--metric",
        "visits",
        ledger=hand.path,
    )
    assert out.split("\n\n")[1].splitlines()[1].split() == ["单位", "2025Q4", "2026Q1", "合计"]


@pytest.mark.parametrize(
    "args,contains",
    [
        (("--each", "fortnight"), "--each"),
        (("--each", "month", "--period", "month"), "--period"),
        (("--ytd", "--from", "2026-01-01"), "--from"),
        (("--ytd", "--date", "2026-11-01"), "--date"),
        (("--ytd", "--as-reported"), "--as-reported"),
        (("--each", "month", "--from", "2026-13"), "--from"),
        (("--each", "month", "--from", "2020-01", "--to", "2026-12"), "60"),
        (("--each", "month", "--metric", "nosuch"), "--metric"),
        (("--metric", "visits"), "--each"),
        (("--each", "month", "--by", "leader", "--metric", "visits"), "--metric"),
        (("--each", "month", "--format", "xlsx"), "--out"),
    ],
)
def test_bad_period_options_are_refused(hand: Hand, args, contains):
    refused(hand.path, "rollup", *args, contains=contains)


def test_refusal_in_english(hand: Hand):
    result = refused(hand.path, "--lang", "en", "rollup", "--each", "weekly")
    assert result.stderr.strip() == "minqing: --each: invalid value 'weekly'; accepted: month|quarter|year"


# ---------------------------------------------------------------- activity list --year / --from / --to


def activities(hand: Hand, *args: str) -> dict:
    return json.loads(ok("activity", "list", "--json", *args, ledger=hand.path))


def test_activity_list_by_year_and_range(hand: Hand):
    year = activities(hand, "--year", "2026")
    assert (year["sessions"], year["participants"]) == (3, 92)
    assert activities(hand, "--year", "2025")["sessions"] == 0
    november = activities(hand, "--from", "2026-11", "--to", "2026-11")
    assert [a["id"] for a in november["activities"]] == ["A-0000A2", "A-0000A3"]
    october = activities(hand, "--from", "2026-10-01", "--to", "2026-10-31")
    assert (october["sessions"], october["participants"]) == (1, 50)
    to_today = activities(hand, "--from", "2026-11-15")  # --to defaults to today
    assert [a["id"] for a in to_today["activities"]] == ["A-0000A3"]
    assert activities(hand)["sessions"] == 3  # no filter: everything
    table = ok("activity", "list", "--year", "2026", ledger=hand.path)
    assert table.splitlines()[-1].split() == ["合计", "3", "92"]


@pytest.mark.parametrize(
    "args,contains",
    [
        (("--year", "26"), "--year"),
        (("--year", "二〇二六"), "--year"),
        (("--year", "2026", "--month", "2026-11"), "--year"),
        (("--month", "2026-11", "--from", "2026-11-01"), "--from/--to"),
        (("--to", "2026-11-01"), "--from"),
        (("--from", "2026-11-10", "--to", "2026-11-01"), "--to"),
        (("--from", "2026-11-31"), "--from"),
    ],
)
def test_activity_list_refusals(hand: Hand, args, contains):
    refused(hand.path, "activity", "list", *args, contains=contains)
