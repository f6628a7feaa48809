"""The sums the index keeps for rollups (index schema 17+: visit_months, household_facts, cadre_visits, items.shared,
item_dups, the events' `next` and `days`) stay right as the ledger changes through the CLI.

Every check compares two things computed apart from those sums:
- the rollup's counters with the aggregate-free computation rollups made before them (`old_tallies` below: the
  joins of items, events and spans, one EXISTS per household for its pairing and visits, every visit row), for
  several periods (whole months, running ones, weeks, a range with part months at both ends) and org levels;
- the index a refresh brought up to date with one built from scratch from a clone at the same commit (the sums a
  refresh keeps for the rows it touched equal those a cold build derives for all).
Some figures are also counted by hand (a new visit is one more visit of its village in its month).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import git, run

from minqing.ledgers.core import fields as F
from minqing.ledgers.read import rollup
from minqing.ledgers.read.index import Index
from minqing.ledgers.read.rollup import Period, Tally, choose_period
from minqing.ledgers.repo.store import Ledger

TODAY = dt.date(2026, 11, 23)  # conftest pins the office clock here


# ---------------------------------------------------------------- the computation without the sums


def old_tallies(index: Index, period: Period, by: str, unit: str | None) -> dict[str, Tally]:
    """`rollup.tallies` for an org grouping as it was before the index kept sums (issue 19), query for query."""
    params = {
        "S": period.start.isoformat(),
        "E": period.end.isoformat(),
        "A": period.as_of.isoformat(),
        "A90": (period.as_of - dt.timedelta(days=rollup.NOT_VISITED_DAYS - 1)).isoformat(),
        "P": unit or "",
        "PL": len(unit or ""),
    }
    out: dict[str, Tally] = defaultdict(Tally)
    conn = index.conn

    def fill(sql: str, names: tuple[str, ...]) -> None:
        for key, *numbers in conn.execute(sql, params):
            counts = out[key].counts
            for name, number in zip(names, numbers, strict=True):
                counts[name] += int(number or 0)

    key, where = rollup._key(by, "i.unit"), rollup._unit_filter("i.unit")
    rollup._article_item_counts(
        key,
        "",
        where,
        fill,
        also=(
            ("count(CASE WHEN i.created BETWEEN :S AND :E THEN 1 END)", "opened"),
            ("count(CASE WHEN i.kind = 'wish' AND i.created BETWEEN :S AND :E THEN 1 END)", "wishes_raised"),
            ("count(CASE WHEN i.created <= :A THEN 1 END)", "raised"),
            ("count(CASE WHEN i.created <= :A AND i.esc_township <= :A THEN 1 END)", "escalated_township"),
            ("count(CASE WHEN i.created <= :A AND i.esc_county <= :A THEN 1 END)", "escalated_county"),
            ("count(CASE WHEN i.late IS NOT NULL AND i.created BETWEEN :S AND :E THEN 1 END)", "late"),
        ),
    )
    fill(
        f"SELECT {key}, count(*), count(CASE WHEN s.due < :A THEN 1 END) FROM item_spans s JOIN items i ON i.id = s.item"
        f" WHERE s.open = 1 AND s.since <= :A AND (s.until IS NULL OR s.until > :A) AND {where} GROUP BY 1",
        ("open", "overdue"),
    )
    fill(
        f"SELECT {key}, count(DISTINCT CASE WHEN e.value = 'on_the_spot' THEN e.item END),"
        " count(DISTINCT CASE WHEN e.value = 'explained' THEN e.item END),"
        " count(DISTINCT CASE WHEN e.value = 'fulfilled' AND i.kind = 'wish' THEN e.item END)"
        " FROM item_events e JOIN items i ON i.id = e.item"
        f" WHERE e.op = 'resolve' AND e.day BETWEEN :S AND :E AND {where} GROUP BY 1",
        ("on_the_spot", "explained", "wishes_fulfilled"),
    )
    fill(
        f"SELECT {key}, count(*), count(CASE WHEN e.value IN ('satisfied', 'basic') THEN 1 END)"
        " FROM item_events e JOIN items i ON i.id = e.item"
        f" WHERE e.op = 'feedback' AND e.day BETWEEN :S AND :E AND {where} GROUP BY 1",
        ("feedback", "feedback_good"),
    )
    fill(
        f"SELECT {key}, count(DISTINCT e.item) FROM item_events e JOIN items i ON i.id = e.item"
        f" WHERE e.op = 'claim' AND i.kind = 'wish' AND e.day BETWEEN :S AND :E AND {where} GROUP BY 1",
        ("wishes_claimed",),
    )
    last_close: dict[str, tuple[str, str, str | None, str | None, str]] = {}
    for group, item_id, day, due, resolved, created in conn.execute(
        f"SELECT {key}, e.item, e.day, e.due, e.resolved, i.created FROM item_events e JOIN items i ON i.id = e.item"
        f" WHERE e.op = 'close' AND e.day BETWEEN :S AND :E AND {where} ORDER BY e.day",
        params,
    ):
        last_close[item_id] = (group, day, due, resolved, created)
    for group, day, due, resolved, created in last_close.values():
        tally = out[group]
        tally.counts["closed"] += 1
        if due is None or (resolved or day) <= due:
            tally.counts["closed_on_time"] += 1
        if created:
            tally.close_days.append((F.to_date(day) - F.to_date(created)).days)
    fill(
        "SELECT k, count(*), count(CASE WHEN poor THEN 1 END), count(CASE WHEN paired THEN 1 END),"
        " count(CASE WHEN visited THEN 1 END), count(CASE WHEN poor AND visited THEN 1 END),"
        " count(CASE WHEN NOT recent THEN 1 END) FROM ("
        f"SELECT {rollup._key(by, 'u.unit')} AS k, h.status = 'poor' AS poor,"
        " EXISTS (SELECT 1 FROM pairings p WHERE p.household = h.id AND p.since <= :A"
        " AND (p.until IS NULL OR p.until > :A)) AS paired,"
        " EXISTS (SELECT 1 FROM visits v WHERE v.household = h.id AND v.date BETWEEN :S AND :E) AS visited,"
        " EXISTS (SELECT 1 FROM visits v WHERE v.household = h.id AND v.date BETWEEN :A90 AND :A) AS recent"
        " FROM unit_spans u JOIN households h ON h.id = u.id"
        f" WHERE u.since <= :A AND (u.until IS NULL OR u.until > :A) AND {rollup._unit_filter('u.unit')}) GROUP BY k",
        ("households", "poor_households", "paired", "households_visited", "poor_visited", "not_visited_90d"),
    )
    fill(
        f"SELECT {rollup._key(by, 'v.unit')}, count(CASE WHEN v.kind = 'visit' THEN 1 END),"
        " count(CASE WHEN v.kind = 'talk' THEN 1 END), count(CASE WHEN v.kind = 'stay' THEN 1 END),"
        " count(CASE WHEN v.kind = 'talk' AND v.household IS NOT NULL THEN 1 END),"
        " count(CASE WHEN v.kind = 'talk' AND v.household IS NULL THEN 1 END),"
        " count(v.late), count(CASE WHEN v.kind = 'condolence' THEN 1 END)"
        f" FROM visits v WHERE v.date BETWEEN :S AND :E AND {rollup._unit_filter('v.unit')} GROUP BY 1",
        ("visits", "talks", "stays", "talks_households", "talks_cadres", "late", "condolences"),
    )
    fill(
        f"SELECT {rollup._key(by, 'd.posted')}, count(*) FROM cadre_departments d JOIN cadres c ON c.id = d.cadre"
        " WHERE d.posted IS NOT NULL AND c.created <= :A AND (c.recalled IS NULL OR c.recalled > :A)"
        f" AND {rollup._unit_filter('d.posted')} GROUP BY 1",
        ("cadres_posted",),
    )
    roles = ", ".join(f"'{role}'" for role in rollup.VISITING_ROLES)
    fill(
        f"SELECT {rollup._key(by, 'u.unit')}, count(*), count(CASE WHEN NOT EXISTS (SELECT 1 FROM visit_by b"
        " WHERE b.cadre = c.id AND b.date BETWEEN :S AND :E) THEN 1 END)"
        " FROM cadres c JOIN unit_spans u ON u.id = c.id AND u.since <= :A AND (u.until IS NULL OR u.until > :A)"
        f" WHERE c.role IN ({roles}) AND c.created <= :A"
        f" AND (c.recalled IS NULL OR c.recalled > :A) AND {rollup._unit_filter('u.unit')} GROUP BY 1",
        ("cadres", "cadres_without_visit"),
    )
    fill(
        f"SELECT {rollup._key(by, 'a.unit')}, count(*), sum(a.participants), count(a.late) FROM activities a"
        f" WHERE a.date BETWEEN :S AND :E AND {rollup._unit_filter('a.unit')} GROUP BY 1",
        ("activities", "participants", "late"),
    )
    fill(
        f"SELECT {rollup._key(by, 'u.unit')}, count(DISTINCT p.cadre) FROM pairings p"
        " JOIN unit_spans u ON u.id = p.cadre AND u.since <= :A AND (u.until IS NULL OR u.until > :A)"
        f" WHERE p.since <= :A AND (p.until IS NULL OR p.until > :A) AND {rollup._unit_filter('u.unit')} GROUP BY 1",
        ("cadres_paired",),
    )
    rollup._survey_metrics(rollup._key(by, "s.unit"), "", fill)
    return out


def comparable(tallies: dict[str, Tally]) -> dict[str, tuple[dict[str, int], list[int]]]:
    """Counters and the multiset of days to close per row (the median reads them in any order)."""
    return {key: (dict(tally.counts), sorted(tally.close_days)) for key, tally in tallies.items()}


PERIODS = (
    ("year", None),  # running: the as-of date is today
    ("month", None),
    ("month", "2026-10-10"),  # a past whole month
    ("quarter", "2026-08-01"),
    ("week", "2026-11-18"),  # days of one month only
    ("day", "2026-11-08"),
    ("range", ("2026-09-15", "2026-11-20")),  # part months at both ends
    ("range", ("2026-10-01", "2026-11-30")),
)
LEVELS = ("county", "township", "village", "group")


def periods() -> list[Period]:
    out = []
    for kind, day in PERIODS:
        if kind == "range":
            assert isinstance(day, tuple)
            out.append(choose_period(None, None, day[0], day[1], today=TODAY))
        else:
            out.append(choose_period(kind, day, today=TODAY))
    return out


def units_of(index: Index) -> list[str | None]:
    """No filter, a township and a village of the ledger."""
    codes = index.units()
    township = min(code for code, (_, level) in codes.items() if level == "township")
    village = min(
        code for code, (_, level) in codes.items() if level == "village" and code.startswith(township)
    )
    return [None, township, village]


def check_against_old(path: Path) -> Index:
    """Every period × level × filter: the rollup's counters and distinct totals equal the aggregate-free ones."""
    index = Index.open(Ledger.open(path))
    for period in periods():
        for by in LEVELS:
            for unit in units_of(index):
                counted, totals = rollup._tallies(index, period, by, unit)
                assert comparable(counted) == comparable(old_tallies(index, period, by, unit)), (
                    period,
                    by,
                    unit,
                )
                if totals is not None:
                    assert totals == rollup._distinct_totals(index, period, unit), (period, by, unit)
    return index


def derived(index: Index) -> dict[str, list[tuple[Any, ...]]]:
    """What the index keeps for rollups, in an order that does not depend on how the rows got there."""
    queries = {
        "household_facts": "SELECT * FROM household_facts",
        "item_dups": "SELECT * FROM item_dups",
        "cadre_visits": "SELECT * FROM cadre_visits",
        "shared": "SELECT path, id, shared FROM items",
        "visit_months": "SELECT * FROM visit_months",
        "events": "SELECT path, item, op, day, value, due, resolved, unit, kind, next, days FROM item_events",
        "spans": "SELECT path, item, since, until, open, due, leader, unit FROM item_spans",
        "base": "SELECT value FROM meta WHERE key = 'visit_month_base'",
    }
    return {name: sorted(index.conn.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}


def check_against_cold(path: Path, tmp_path: Path) -> None:
    """The refreshed index keeps what a cold build of a clone at the same commit derives."""
    clone = tmp_path / f"clone-{git(path, 'rev-parse', 'HEAD').strip()[:12]}"
    subprocess.run(["git", "clone", "-q", str(path), str(clone)], check=True, capture_output=True)
    with Index.open(Ledger.open(path)) as warm, Index.open(Ledger.open(clone)) as cold:
        assert cold.parsed > 0  # built from scratch
        assert derived(warm) == derived(cold)
    shutil.rmtree(clone)


def check(path: Path, tmp_path: Path) -> None:
    check_against_old(path).close()
    check_against_cold(path, tmp_path)


# ---------------------------------------------------------------- a ledger that changes


@pytest.fixture
def county(demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo county (its index built and warm)."""
    path = tmp_path / "county"
    shutil.copytree(demo, path, symlinks=True)
    with Index.open(Ledger.open(path)):
        pass
    return path


def ok(path: Path, *args: str) -> str:
    result = run(*args, ledger=path)
    assert result.exit_code == 0, result.output
    return result.stdout


def one(path: Path, sql: str, *params: Any) -> Any:
    with Index.open(Ledger.open(path)) as index:
        return index.conn.execute(sql, params).fetchone()


def month_row(path: Path, by: str, key: str, day: str = "2026-11-23") -> dict[str, Any]:
    with Index.open(Ledger.open(path)) as index:
        result = rollup.rollup([index], choose_period("month", day, today=TODAY), by)
    return next(row.values for row in result.rows if row.unit == key)


def active_village_cadre(path: Path) -> tuple[str, str]:
    return one(
        path, "SELECT id, unit FROM cadres WHERE role = 'village' AND status = 'active' ORDER BY id LIMIT 1"
    )


def test_the_demo_as_built(county: Path, tmp_path: Path) -> None:
    check(county, tmp_path)


def test_a_new_visit_counts_once_in_its_village_and_month(county: Path, tmp_path: Path) -> None:
    cadre, _ = active_village_cadre(county)
    # A household nobody visited this month: one visit more, one household visited more (counted by hand).
    home, village = one(
        county,
        "SELECT id, village FROM households h WHERE removed IS NULL AND NOT EXISTS (SELECT 1 FROM visits v"
        " WHERE v.household = h.id AND v.date >= '2026-11-01') ORDER BY id LIMIT 1",
    )
    before = month_row(county, "village", village)
    ok(county, "visit", "add", "--household", home, "--by", cadre, "--date", "2026-11-21", "--note", "走访")
    with Index.open(Ledger.open(county)) as index:
        assert index.parsed == 1  # the one stream file the visit went into
    after = month_row(county, "village", village)
    assert after["visits"] == before["visits"] + 1
    assert after["households_visited"] == before["households_visited"] + 1
    assert after["not_visited_90d"] == before["not_visited_90d"] - (
        1 if not one(county, "SELECT count(*) FROM visits WHERE household = ? AND date < '2026-11-21'"
                     " AND date >= '2026-08-26'", home)[0] else 0
    )  # fmt: skip
    check(county, tmp_path)
    # …and undone: every figure as before.
    ok(county, "undo", "--reason", "录错了户")
    assert month_row(county, "village", village) == before
    check(county, tmp_path)


def test_an_item_closed_twice_in_the_month_counts_once(county: Path, tmp_path: Path) -> None:
    item, unit = one(
        county, "SELECT id, unit FROM items WHERE state = 'resolved' AND feedback IS NULL ORDER BY id LIMIT 1"
    )
    village = unit[:12]
    before = month_row(county, "village", village)
    ok(county, "issue", "feedback", item, "--result", "satisfied")
    ok(county, "issue", "close", item)
    once = month_row(county, "village", village)
    assert once["closed"] == before["closed"] + 1
    check(county, tmp_path)
    ok(county, "issue", "reopen", item, "--reason", "回访发现问题仍在")
    ok(county, "issue", "resolve", item, "--how", "solved", "--note", "再次处理")
    ok(county, "issue", "feedback", item, "--result", "basic")
    ok(county, "issue", "close", item)
    twice = month_row(county, "village", village)
    assert twice["closed"] == once["closed"]  # its last close in the month, once
    assert twice["satisfaction_rate"] is not None
    check(county, tmp_path)


def test_a_moved_household_and_a_new_pairing(county: Path, tmp_path: Path) -> None:
    home, village = one(
        county, "SELECT id, village FROM households WHERE removed IS NULL ORDER BY id LIMIT 1"
    )
    other = one(
        county,
        "SELECT code FROM units WHERE level = 'village' AND code != ? ORDER BY code LIMIT 1",
        village,
    )[0]
    before = month_row(county, "village", other)
    ok(county, "household", "move", home, "--village", other, "--reason", "易地扶贫搬迁")
    after = month_row(county, "village", other)
    assert after["households"] == before["households"] + 1
    check(county, tmp_path)
    cadre, _ = active_village_cadre(county)
    ok(county, "pair", cadre, home)
    check(county, tmp_path)


def test_hand_edited_streams_and_items_then_reindex(county: Path, tmp_path: Path) -> None:
    """Dates that are no calendar day, a visit outside the months the mask holds, an item file copied under
    another path (one id in two files: the rollup then counts through the joins), each committed by hand."""
    stream = sorted((county / "visits" / "2026-11").glob("*.yaml"))[0]
    lines = stream.read_text(encoding="utf-8").splitlines()
    home = one(county, "SELECT household FROM visits WHERE household IS NOT NULL ORDER BY id LIMIT 1")[0]
    extra = [
        f"--- {{id: V-SHORT1, date: '2026-11-7', kind: visit, household: {home}, village: '{stream.stem}',"
        f" unit: '{stream.stem}', by: [], note: 手工补录, items: []}}",
    ]
    extra += [
        f"--- {{id: V-ODD001, date: '2026-11-31', kind: visit, household: {home}, village: '{stream.stem}',"
        f" unit: '{stream.stem}', by: [], note: 手工补录, items: []}}",
        f"--- {{id: V-OLD001, date: '2019-03-04', kind: visit, household: {home}, village: '{stream.stem}',"
        f" unit: '{stream.stem}', by: [], note: 手工补录, items: []}}",
        f"--- {{id: V-LONG01, date: '2026-11-05T09:30', kind: talk, household: {home}, village: '{stream.stem}',"
        f" unit: '{stream.stem}', by: [], note: 手工补录, items: []}}",
    ]
    stream.write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
    git(county, "add", "-A")
    git(county, "commit", "-q", "-m", "手工补录")
    with Index.open(Ledger.open(county)) as index:
        assert not index.problems()
        assert index.conn.execute("SELECT count(*) FROM visit_months WHERE month IS NULL").fetchone()[0] == 3
        assert index.conn.execute(
            "SELECT odd FROM household_facts WHERE household = ?", (home,)
        ).fetchone() == (1,)
    check(county, tmp_path)
    item = sorted((county / "issues" / "2026").glob("*.yaml"))[0]
    (county / "issues" / "2025").mkdir(exist_ok=True)
    shutil.copy(item, county / "issues" / "2025" / item.name)
    git(county, "add", "-A")
    git(county, "commit", "-q", "-m", "手工复制")
    with Index.open(Ledger.open(county)) as index:
        assert index.item_dups()
    check(county, tmp_path)
    (county / "issues" / "2025" / item.name).unlink()
    git(county, "add", "-A")
    git(county, "commit", "-q", "-m", "删除复制")
    with Index.open(Ledger.open(county)) as index:
        assert not index.item_dups()
    check(county, tmp_path)
    ok(county, "reindex")
    check(county, tmp_path)


def test_pairing_intervals() -> None:
    """A household's pairings as one interval when they are one, gaps handed back to the lookup."""
    from minqing.ledgers.read.index import _one_interval

    assert _one_interval([]) == (None, None, 0)
    assert _one_interval([("2026-01-01", None)]) == ("2026-01-01", None, 0)
    assert _one_interval([("2026-01-01", "2026-03-01"), ("2026-03-01", None)]) == ("2026-01-01", None, 0)
    assert _one_interval([("2026-02-01", "2026-05-01"), ("2026-01-01", "2026-03-01")]) == (
        "2026-01-01",
        "2026-05-01",
        0,
    )
    assert _one_interval([("2026-01-01", "2026-02-01"), ("2026-03-01", None)]) == (None, None, 1)
    assert _one_interval([("2026-01-01", "2026-01-01")]) == (None, None, 0)  # an empty span holds no day
    assert _one_interval([("2026-01-01", None), ("2026-02-01", "2026-03-01")]) == ("2026-01-01", None, 0)


def test_month_bits() -> None:
    base = 2026 * 12  # January 2026 is bit 0
    whole, part = rollup._month_bits(dt.date(2026, 1, 15), dt.date(2026, 4, 30), base)
    assert (whole, part) == (0b1110, 0b0001)
    whole, part = rollup._month_bits(dt.date(2025, 11, 1), dt.date(2026, 1, 31), base)
    assert (whole, part) == (0b1, 0)  # months before the base have no bit
