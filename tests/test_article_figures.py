"""The articles' figures, counted as the articles count them (issue 18), on a ledger built for it through ledgers/ops.

Seed 001: 215 households with problems → 104 referred to the township → 25 to the district, where some households
raised two items (so the item funnel is larger than the household one). Seed 004: 3,809 cadres paired with 10,334
households, here scaled to 38 / 103. Seed 000's discipline channel (纪委), seed 002's suggestions (建言), condolence
visits (慰问) and the ledger books (unit × ledger with entries) and their entries.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import refused, run
from sheets_fixture import build_office, write_xlsx

from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.repo.store import Ledger

COUNTY = "520602"
HEPING = "520602202"
VILLAGES = ("520602202201", "520602202202", "520602202203")
BUILT = "2026-08-01T09:00:00+08:00"

WITH_PROBLEMS = 215
TWO_ITEMS = 30  # the first 30 of the 215 raised a second item
TO_TOWNSHIP = 104  # the first 104 households had their items referred to the township…
TO_COUNTY = 25  # …and the first 25 of those on to the district
CADRES_PAIRED = 38
HOUSEHOLDS_PAIRED = 103
SUGGESTIONS = (
    6  # 建言 filed against the village, not a household: they do not make a household "with problems"
)
DISCIPLINE = 7  # items that came through the discipline channel (纪委), among the 215 households' items
CONDOLENCES = 12


def at(day: str, hour: int = 10) -> str:
    return f"2026-{day}T{hour:02d}:00:00+08:00"


@dataclass(frozen=True)
class Articles:
    path: Path
    households: tuple[str, ...]
    items: tuple[str, ...]
    cadres: tuple[str, ...]


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Articles:
    path = tmp_path_factory.mktemp("articles") / "ledger"
    register.init(str(path), COUNTY, "碧江区", "测试管理员", at=BUILT)
    led = Ledger.open(path)
    with led.batch():
        register.add_unit(led, None, HEPING, "和平乡", "township", COUNTY, at=BUILT)
        for number, code in enumerate(VILLAGES, start=1):
            register.add_unit(led, None, code, f"第{number}村", "village", HEPING, at=BUILT)
        cadres = [
            register.add_cadre(led, None, name=f"干部{n}", unit=VILLAGES[n % 3], role="village", at=BUILT).id
            for n in range(CADRES_PAIRED + 2)  # two cadres pair with nobody
        ]
        homes = [
            register.add_household(
                led, None, head=f"农户{n}", village=VILLAGES[n % 3], status="general", at=BUILT
            ).id
            for n in range(WITH_PROBLEMS + 5)  # five households raise nothing (one of them a voided item)
        ]
        # Each of the 38 cadres pairs with two or three of the first 103 households (结对认亲).
        for n in range(HOUSEHOLDS_PAIRED):
            register.pair(led, None, cadres[n % CADRES_PAIRED], homes[n], at=at("08-02"))
        raised_by: list[list[str]] = []  # the items each household raised, in household order
        for n in range(WITH_PROBLEMS):
            raised = [("屋顶漏雨", "housing")] + ([("饮水不稳定", "water")] if n < TWO_ITEMS else [])
            _, found = visits.add_visit(
                led, None, household=homes[n], by=[cadres[n % CADRES_PAIRED]], date="2026-09-10", raises=raised,
                at=at("09-10"),
            )  # fmt: skip
            raised_by.append([item.id for item in found])
        # Referred in time order (the audit refuses a commit dated before the one it follows).
        for level, day, count in (("township", "09-20", TO_TOWNSHIP), ("county", "10-05", TO_COUNTY)):
            for found_ids in raised_by[:count]:
                for item_id in found_ids:
                    workflow.escalate(led, None, item_id, level, "村里无法解决", at=at(day))
        items = [item_id for found_ids in raised_by for item_id in found_ids]
        # The discipline channel: seven of the households' items came through 纪委 (written with its synonyms).
        spellings = ["纪委", "纪检", "纪委监委"] * 3
        for n in range(WITH_PROBLEMS - DISCIPLINE, WITH_PROBLEMS):
            spelling = spellings[n % 3]
            items.append(
                workflow.add_item(
                    led, None, desc="反映低保评定不公", category="policy", kind="problem", ledger_name="stability",
                    source=spelling, household=homes[n], at=at("10-10"),
                ).id
            )  # fmt: skip
        for _ in range(SUGGESTIONS):
            workflow.add_item(
                led, None, desc="建议修建文化广场", category="infrastructure", kind="suggestion",
                ledger_name="livelihood", source="visit", unit=VILLAGES[0], at=at("10-12"),
            )  # fmt: skip
        for n in range(CONDOLENCES):
            visits.add_visit(
                led,
                None,
                household=homes[n],
                by=[cadres[0]],
                date="2026-10-20",
                kind="condolence",
                at=at("10-20"),
            )
        mistaken = workflow.add_item(
            led, None, desc="重复登记", category="other", kind="problem", ledger_name="hardship", source="grid",
            household=homes[WITH_PROBLEMS], at=at("10-21"),
        )  # fmt: skip
        workflow.void(led, None, mistaken.id, "重复登记", at=at("10-22"))
    return Articles(path, tuple(homes), tuple(items), tuple(cadres))


def ytd(articles: Articles, *args: str) -> dict:
    result = run("rollup", "--ytd", "--format", "json", *args, ledger=articles.path)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


ITEMS = WITH_PROBLEMS + TWO_ITEMS + DISCIPLINE
ITEMS_TO_TOWNSHIP = TO_TOWNSHIP + TWO_ITEMS  # the 30 households with two items are among the first 104 and 25
ITEMS_TO_COUNTY = TO_COUNTY + TO_COUNTY


def test_the_funnel_counts_households_not_items(articles: Articles) -> None:
    total = ytd(articles, "--by", "county")["total"]
    assert (
        total["households_with_problems"],
        total["households_escalated_township"],
        total["households_escalated_county"],
    ) == (215, 104, 25)
    # The same funnel in items is larger: some households raised two.
    assert (total["raised"], total["escalated_township"], total["escalated_county"]) == (
        ITEMS + SUGGESTIONS,
        ITEMS_TO_TOWNSHIP,
        ITEMS_TO_COUNTY,
    )
    assert total["raised"] > total["households_with_problems"]


def test_pairings_suggestions_condolences_discipline_and_books(articles: Articles) -> None:
    total = ytd(articles)["total"]
    assert total["cadres_paired"] == CADRES_PAIRED
    assert total["households_paired"] == HOUSEHOLDS_PAIRED
    assert total["suggestions"] == SUGGESTIONS
    assert total["condolences"] == CONDOLENCES
    assert total["visits"] == WITH_PROBLEMS  # a condolence visit is counted apart, not as a visit
    assert total["discipline_items"] == DISCIPLINE
    # Books: livelihood in each of the three villages (the visits' items, the suggestions), stability in the
    # villages of the discipline items (households 208..214: all three villages). The voided item is in no book.
    assert total["ledger_books"] == 6
    assert total["ledger_entries"] == ITEMS + SUGGESTIONS


def test_rows_add_up_to_the_total_by_village(articles: Articles) -> None:
    data = ytd(articles, "--by", "village")
    rows = {row["unit"]: row for row in data["rows"]}
    for key in ("households_with_problems", "households_escalated_township", "cadres_paired", "ledger_books"):
        assert sum(rows[code][key] for code in VILLAGES) == data["total"][key], key
    # households n ≡ 0 (mod 3) live in the first village: 72 of the 215
    assert rows[VILLAGES[0]]["households_with_problems"] == len(range(0, WITH_PROBLEMS, 3))


def test_by_category_the_total_counts_a_household_once(articles: Articles) -> None:
    data = ytd(articles, "--by", "category")
    assert data["total"]["households_with_problems"] == 215
    # housing (215) + water (30) + policy (7): the 37 households with two items are in two rows
    assert sum(row["households_with_problems"] for row in data["rows"]) == 215 + TWO_ITEMS + DISCIPLINE
    assert data["total"]["cadres_paired"] is None  # a pairing has no category


def test_the_figures_in_table_csv_and_english(articles: Articles) -> None:
    table = run("rollup", "--ytd", "--by", "county", ledger=articles.path)
    assert table.exit_code == 0
    assert "今年以来" in table.stdout and "有问题户" in table.stdout and "纪委渠道" in table.stdout
    section = table.stdout.split("\n\n")[-1].splitlines()
    assert section[0] == "户数、结对与台账（文章口径）"
    assert section[-1].split() == ["合计", "215", "104", "25", "6", "7", "12", "38", "103", "6", "258"]
    english = run("--lang", "en", "rollup", "--ytd", "--by", "county", ledger=articles.path)
    assert "year to date" in english.stdout and "hh w/ problems" in english.stdout
    sheet = run("rollup", "--ytd", "--format", "csv", ledger=articles.path).stdout
    rows = list(csv.DictReader(io.StringIO(sheet.lstrip("\ufeff"))))
    total = next(row for row in rows if row["代码"] == "total")
    assert (
        total["有问题户"],
        total["报乡镇户"],
        total["报县（区）户"],
        total["结对干部"],
        total["结对户"],
    ) == (
        "215",
        "104",
        "25",
        "38",
        "103",
    )


def test_the_new_kind_and_source_on_the_command_line(articles: Articles, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(articles.path, copy)  # the office's own clone, with its acting user
    someone = articles.cadres[0]
    added = run(
        "visit", "add", "--household", articles.households[-1], "--by", someone, "--kind", "慰问",
        "--date", "2026-11-20", ledger=copy,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    filed = run(
        "issue", "add", "--unit", VILLAGES[1], "--desc", "反映村务不公开", "--category", "other",
        "--source", "纪检监察", "--ledger", "stability", ledger=copy,
    )  # fmt: skip
    assert filed.exit_code == 0, filed.output
    total = ytd(Articles(copy, articles.households, articles.items, articles.cadres))["total"]
    assert (total["condolences"], total["discipline_items"]) == (CONDOLENCES + 1, DISCIPLINE + 1)
    assert total["households_with_problems"] == 215  # filed against the village, not a household
    audit = run("audit", ledger=copy)
    assert audit.exit_code == 0, audit.output
    refused(
        copy, "issue", "add", "--unit", VILLAGES[1], "--desc", "x", "--category", "other", "--source", "纪律"
    )
    refused(copy, "visit", "add", "--household", articles.households[-1], "--by", someone, "--kind", "吊唁")


def test_a_petition_sheet_names_the_discipline_channel(tmp_path: Path) -> None:
    """信访台账 rows forwarded by 纪委 (纪委转办, 区纪检监察室转来) come in with source discipline, not as a
    department's referral (转 → grid)."""
    office = build_office(tmp_path / "office")
    header = [
        "序号",
        "信访类型",
        "接件时间",
        "信访人姓名和相关信息",
        "信访内容",
        "案件地点",
        "联系电话",
        "办理情况",
    ]
    sheet = write_xlsx(
        tmp_path / "信访台账.xlsx",
        [
            header,
            ["1", "纪委转办", "2026年11月3日", "匿名", "反映村干部优亲厚友", "板栗园村", "", ""],
            ["2", "区纪检监察室转来", "2026年11月4日", "匿名", "反映低保评定不公", "板栗园村", "", ""],
            ["3", "部门转办", "2026年11月5日", "匿名", "反映村道路灯不亮", "板栗园村", "", ""],
        ],
    )
    result = run("import", str(sheet), "--kind", "petitions", ledger=office.path)
    assert result.exit_code == 0, result.output
    led = Ledger.open(office.path)
    sources = sorted(
        (item.created, item.source_kind)
        for item in map(led.item, led.all_ids("Q"))
        if item.kind == "petition"
    )
    assert sources[-3:] == [
        ("2026-11-03", "discipline"),
        ("2026-11-04", "discipline"),
        ("2026-11-05", "grid"),
    ]
    data = json.loads(run("rollup", "--from", "2026-11-01", "--format", "json", ledger=office.path).stdout)
    assert data["total"]["discipline_items"] == 2
