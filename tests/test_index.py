"""The SQLite index: built from committed blobs, refreshed incrementally, rebuilt when missing/stale/corrupt."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
import rollup_fixture as fx
from conftest import git, snapshot
from rollup_fixture import BAHUANG, Hand, at

from minqing.ledgers.ops import workflow
from minqing.ledgers.read import index as index_mod
from minqing.ledgers.read import rollup
from minqing.ledgers.read.index import Index, item_counts, items, kind_of
from minqing.ledgers.repo.store import Ledger

hand, hand_copy = fx.hand, fx.hand_copy

INDEXED_FILES = 28  # 29 tracked files minus .gitattributes
ROWS = {
    "settings": 2,
    "units": 7,  # the county and six units
    "cadres": 7,
    "households": 4,
    "pairings": 3,
    "items": 8,
    "visits": 6,
    "visit_by": 7,
    "activities": 3,
}


def _month(ix: Index, by: str = "township") -> rollup.Rollup:
    return rollup.rollup([ix], rollup.choose_period("month", "2026-11-23"), by)


def _row(result: rollup.Rollup, code: str) -> dict:
    return next(row.values for row in result.rows if row.unit == code)


def _index_file(ledger_path) -> object:
    return ledger_path / ".git" / "minqing" / "index.sqlite"


def test_kind_of_paths():
    assert kind_of("issues/2026/Q-7K3M2Q.yaml") == "item"
    assert kind_of("households/520602101201/H-7K3M2Q.yaml") == "household"
    assert kind_of("visits/2026-11/520602101201.yaml") == "visits"
    assert kind_of("activities/2026-11.yaml") == "activities"
    assert kind_of("cadres/C-7K3M2Q.yaml") == "cadre"
    assert kind_of("org/units.yaml") == "units"
    assert kind_of("minqing.yaml") == "config"
    assert kind_of(".gitattributes") is None
    assert kind_of("reviews/2026Q4/team.yaml") is None
    assert kind_of("issues/Q-7K3M2Q.yaml") is None


def test_cold_build_parses_every_file_then_nothing_when_fresh(hand_copy: Hand):
    before = snapshot(hand_copy.path)
    with Index.open(Ledger.open(hand_copy.path)) as ix:
        assert ix.parsed == INDEXED_FILES
        assert ix.notes == []  # a missing index is simply built
        counts = ix.counts()
        assert {table: counts[table] for table in ROWS} == ROWS
        assert ix.problems() == []
        head = git(hand_copy.path, "rev-parse", "HEAD").strip()
        assert ix.commit == head
        assert ix.conn.execute("PRAGMA user_version").fetchone()[0] == index_mod.SCHEMA_VERSION
    with Index.open(Ledger.open(hand_copy.path)) as ix:
        assert ix.parsed == 0
    assert snapshot(hand_copy.path) == before  # a cache under .git: no tracked file touched


def test_one_operation_reparses_exactly_its_blob(hand_copy: Hand):
    led = Ledger.open(hand_copy.path)
    Index.open(led).close()
    workflow.progress(led, None, hand_copy.items["Q4"], "施工队已进场", at=at("11-23", 9))
    with Index.open(led) as ix:
        assert ix.parsed == 1
        assert (
            ix.conn.execute(
                "SELECT count(*) FROM item_events WHERE item = ?", (hand_copy.items["Q4"],)
            ).fetchone()[0]
            == 0
        )  # progress is not an event rollups count …
        assert ix.conn.execute(
            "SELECT state FROM items WHERE id = ?", (hand_copy.items["Q4"],)
        ).fetchone() == ("in_progress",)  # … but the snapshot row was replaced
        assert ix.counts()["items"] == 8


def test_hand_edited_file_reparses_one_blob_and_changes_the_rollup(hand_copy: Hand):
    led = Ledger.open(hand_copy.path)
    with Index.open(led) as ix:
        assert _row(_month(ix), "520602101")["poor_households"] == 1
    rel = f"households/520602101202/{hand_copy.homes['H3']}.yaml"
    path = hand_copy.path / rel
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: general", "status: poor"), encoding="utf-8"
    )
    git(hand_copy.path, "commit", "-qam", "hand edit")
    with Index.open(led) as ix:
        assert ix.parsed == 1
        row = _row(_month(ix), "520602101")
        assert row["poor_households"] == 2
        assert row["poor_coverage"] == 0.5  # H3 had a talk in November


def test_dirty_working_tree_is_not_indexed(hand_copy: Hand):
    led = Ledger.open(hand_copy.path)
    Index.open(led).close()
    path = hand_copy.path / f"households/520602101202/{hand_copy.homes['H3']}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: general", "status: poor"), encoding="utf-8"
    )
    with Index.open(led) as ix:
        assert ix.parsed == 0
        assert _row(_month(ix), "520602101")["poor_households"] == 1


def test_removed_file_drops_its_rows(hand_copy: Hand):
    led = Ledger.open(hand_copy.path)
    Index.open(led).close()
    git(hand_copy.path, "rm", "-q", "activities/2026-11.yaml")
    git(hand_copy.path, "commit", "-qm", "drop a stream")
    with Index.open(led) as ix:
        assert ix.parsed == 0
        assert ix.counts()["activities"] == 1
        assert _month(ix).total.values["activities"] == 0


@pytest.mark.parametrize("damage,note", [("garbage", "index_corrupt"), ("version", "index_stale")])
def test_corrupt_or_stale_index_is_rebuilt_with_a_note(hand_copy: Hand, damage: str, note: str):
    led = Ledger.open(hand_copy.path)
    Index.open(led).close()
    target = _index_file(hand_copy.path)
    if damage == "garbage":
        target.write_bytes(b"\x00garbage, not SQLite\xff" * 100)
    else:
        with sqlite3.connect(target) as conn:
            conn.execute("PRAGMA user_version = 99")
    with Index.open(led) as ix:
        assert [key for key, _ in ix.notes] == [note]
        assert ix.parsed == INDEXED_FILES
        assert _month(ix).total.values["opened"] == 5


def test_truncated_index_is_rebuilt(hand_copy: Hand):
    led = Ledger.open(hand_copy.path)
    Index.open(led).close()
    target = _index_file(hand_copy.path)
    target.write_bytes(target.read_bytes()[:2048])  # a valid header, then nothing
    with Index.open(led) as ix:
        assert [key for key, _ in ix.notes] == ["index_corrupt"]
        assert ix.counts()["items"] == 8


def test_unknown_recorded_commit_falls_back_to_a_full_listing(hand_copy: Hand):
    led = Ledger.open(hand_copy.path)
    Index.open(led).close()
    with sqlite3.connect(_index_file(hand_copy.path)) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'commit'", ("0" * 40,))
    with Index.open(led) as ix:
        assert ix.parsed == 0  # every blob id still matches: nothing to parse
        assert ix.commit == git(hand_copy.path, "rev-parse", "HEAD").strip()


def test_rebuild_is_forced_and_parallel_parse_gives_the_same_rows(hand_copy: Hand, monkeypatch):
    led = Ledger.open(hand_copy.path)
    with Index.open(led) as ix:
        serial = ix.counts()
        serial_month = _month(ix, "village").to_dict()
    monkeypatch.setattr(index_mod, "PARALLEL_MIN_BLOBS", 1)
    monkeypatch.setattr(index_mod, "BATCH_BYTES", 1)  # one blob per batch: many batches across the workers
    seen = []
    with Index.open(led, rebuild=True, progress=lambda done, total: seen.append((done, total))) as ix:
        assert ix.parsed == INDEXED_FILES
        assert ix.counts() == serial
        assert _month(ix, "village").to_dict() == serial_month
    assert seen[-1] == (INDEXED_FILES, INDEXED_FILES)


def test_unreadable_file_is_listed_and_skipped(hand_copy: Hand):
    led = Ledger.open(hand_copy.path)
    (hand_copy.path / "issues" / "2026" / "Q-BROKEN.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    git(hand_copy.path, "add", "issues/2026/Q-BROKEN.yaml")
    git(hand_copy.path, "commit", "-qm", "broken")
    with Index.open(led) as ix:
        problems = ix.problems()
        assert [path for path, _ in problems] == ["issues/2026/Q-BROKEN.yaml"]
        assert "line" in problems[0][1]
        assert ix.counts()["items"] == 8


def test_items_fast_path(hand: Hand):
    led = Ledger.open(hand.path)
    q = hand.items
    ids = {value: key for key, value in q.items()}

    def names(rows):
        return sorted(ids[row.id] for row in rows)

    assert names(items(led, state="open")) == ["Q4", "Q6", "Q7", "Q8"]
    assert names(items(led, state="closed")) == ["Q1", "Q2", "Q5"]
    assert names(items(led, overdue_on="2026-11-23")) == ["Q4", "Q6", "Q8"]
    assert names(items(led, overdue_on="2026-11-20")) == ["Q6", "Q8"]
    assert names(items(led, unit=BAHUANG)) == ["Q4", "Q6", "Q8"]
    assert names(items(led, leader=hand.cadres["T"])) == ["Q5", "Q6", "Q8"]
    assert names(items(led, category="water")) == ["Q2"]
    assert names(items(led, kind="wish")) == ["Q5"]
    assert names(items(led, ledger_name="stability")) == ["Q6"]
    rows = items(led, state="open", unit=BAHUANG)
    assert [(ids[r.id], r.overdue, r.due) for r in rows] == [
        ("Q6", True, "2026-11-19"),
        ("Q8", True, "2026-10-20"),
        ("Q4", True, "2026-11-20"),
    ]  # ordered by creation date
    assert rows[0].path == f"issues/2026/{q['Q6']}.yaml"
    assert rows[0].desc == "征地补偿款未足额发放"


def test_item_counts(hand: Hand):
    led = Ledger.open(hand.path)
    assert item_counts(led, on="2026-11-23") == {
        "registered": 0,
        "assigned": 2,
        "in_progress": 2,
        "resolved": 1,
        "closed": 3,
        "open": 4,
        "overdue": 3,
    }
    assert item_counts(led, unit="520602101", on="2026-11-23")["open"] == 1


def test_index_uses_committed_content_via_cat_file(hand_copy: Hand):
    """Blob ids recorded are git's own: `git hash-object` of each committed file."""
    led = Ledger.open(hand_copy.path)
    with Index.open(led) as ix:
        recorded = dict(ix.conn.execute("SELECT path, blob FROM blobs"))
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "HEAD"], cwd=hand_copy.path, capture_output=True, text=True, check=True
    ).stdout
    expected = {
        line.split("\t")[1]: line.split()[2] for line in listing.splitlines() if kind_of(line.split("\t")[1])
    }
    assert recorded == expected


def _derived_rows(ix: Index) -> dict[str, list[tuple]]:
    tables = {table: f"SELECT * FROM {table}" for table in index_mod.DERIVED}  # noqa: S608
    tables |= {
        "shared": "SELECT path, id, shared FROM items",
        "base": "SELECT * FROM meta WHERE key != 'commit'",
    }
    return {name: sorted(ix.conn.execute(sql), key=repr) for name, sql in tables.items()}


def test_cold_build_finishes_each_group_as_a_refresh_derives(hand_copy: Hand, monkeypatch):
    """A cold build makes the indexes and derived rows group by group while the workers parse (_finish_group); they
    are the ones a refresh's _derive makes for every id, whether the files were parsed here or in worker shards."""
    import os

    item = sorted((hand_copy.path / "issues" / "2026").glob("*.yaml"))[0]
    (hand_copy.path / "issues" / "2025").mkdir(exist_ok=True)
    (hand_copy.path / "issues" / "2025" / item.name).write_bytes(item.read_bytes())  # one id in two files
    git(hand_copy.path, "add", "issues/2025")
    git(hand_copy.path, "commit", "-qm", "copied by hand")
    led = Ledger.open(hand_copy.path)
    every_index = {
        statement.split()[5].format(t=table)
        for statement in index_mod.INDEXES
        for table in (index_mod.TABLES if "{t}" in statement else [None])
    }
    built = []
    for parallel in (10**9, 1):
        monkeypatch.setattr(index_mod, "PARALLEL_MIN_BLOBS", parallel)
        monkeypatch.setattr(index_mod, "SHARD_WEIGHT", 3)  # many small tasks over both workers
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
        with Index.open(led, rebuild=True) as ix:
            assert ix.item_dups()
            rows = _derived_rows(ix)
            indexes = {
                name
                for (name,) in ix.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                )
            }
            assert indexes == every_index
            ix.conn.execute("BEGIN")
            for table in index_mod.DERIVED:
                ix.conn.execute(f"DELETE FROM {table}")  # noqa: S608
            ix.conn.execute("UPDATE items SET shared = 0")
            index_mod._derive(ix.conn, None)
            assert _derived_rows(ix) == rows
            ix.conn.execute("ROLLBACK")
        built.append(rows)
    assert built[0] == built[1]
    assert any(shared for _, _, shared in built[0]["shared"]) and built[0]["household_facts"]


def test_a_query_beside_reads_the_same_index_and_cannot_write_it(hand: Hand) -> None:
    """`Index.beside`: a thread with its own read-only connection (rollups run the households' figures there)."""
    import threading

    with Index.open(Ledger.open(hand.path)) as ix:
        threads: list[str] = []

        def count(conn: sqlite3.Connection) -> int:
            threads.append(threading.current_thread().name)
            return conn.execute("SELECT count(*) FROM households").fetchone()[0]

        waiting = ix.beside(count)
        assert waiting() == ROWS["households"]
        assert threads == ["minqing-index-reader"]

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM households")

        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ix.beside(write)()
        assert ix.conn.execute("SELECT count(*) FROM households").fetchone()[0] == ROWS["households"]
