"""Issue 19, many counties: `rollup --repos-file` (a city or province over its county ledgers) and the rollup of
several ledgers in a pool of worker processes, which must give exactly what one process gives."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import rollup_fixture as fx
from conftest import refused, run, snapshot
from rollup_fixture import Hand

from minqing.ledgers.ops import register, workflow
from minqing.ledgers.read import rollup as R
from minqing.ledgers.read.index import Index
from minqing.ledgers.repo.store import Ledger

hand, second_county = fx.hand, fx.second_county


@pytest.fixture(scope="module")
def third_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """松桃县 520604: one township, one village, two households (one poor), two items (one closed on the spot)."""
    path = tmp_path_factory.mktemp("songtao") / "ledger"
    setup = fx.at("08-01", 9)
    register.init(str(path), "520604", "松桃县", "松桃管理员", at=setup)
    led = Ledger.open(path)
    register.add_unit(led, None, "520604100", "蓼皋镇", "township", "520604", at=setup)
    register.add_unit(led, None, "520604100201", "大坪村", "village", "520604100", at=setup)
    poor = register.add_household(
        led, None, head="松桃农户甲", village="520604100201", status="poor", at=setup
    )
    register.add_household(led, None, head="松桃农户乙", village="520604100201", status="general", at=setup)
    workflow.add_item(
        led, None, desc="通组路损坏", category="infrastructure", kind="problem", ledger_name="livelihood",
        source="grid", household=poor.id, at=fx.at("11-06"),
    )  # fmt: skip
    workflow.add_item(
        led, None, desc="低保政策咨询", category="policy", kind="appeal", ledger_name="hardship",
        source="grid", household=poor.id, at=fx.at("11-12"),
    )  # fmt: skip
    return path


@pytest.fixture
def three(hand: Hand, second_county: Path, third_county: Path) -> list[Path]:
    return [hand.path, second_county, third_county]


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def repo_args(paths: list[Path]) -> list[str]:
    return [arg for path in paths for arg in ("--repo", str(path))]


def cold_copies(paths: list[Path], into: Path) -> list[Path]:
    """Copies of the ledgers without their index caches: the first rollup builds every index."""
    copies = []
    for number, path in enumerate(paths):
        target = into / f"county{number}"
        shutil.copytree(path, target, symlinks=True)
        (target / ".git" / "minqing" / "index.sqlite").unlink(missing_ok=True)
        copies.append(target)
    return copies


ROLLUPS = [
    ("--format", "json"),
    ("--by", "township", "--format", "json"),
    ("--by", "category", "--format", "csv"),
    ("--by", "leader", "--format", "md"),
    ("--period", "year", "--by", "village", "--format", "json"),
    ("--each", "month", "--from", "2026-08", "--to", "2026-11", "--format", "json"),
    ("--unit", "520603", "--by", "village", "--format", "json"),
]


# ---------------------------------------------------------------- --repos-file


@pytest.mark.parametrize("options", ROLLUPS, ids=" ".join)
def test_repos_file_equals_the_same_repos(three: list[Path], tmp_path: Path, options: tuple[str, ...]):
    listing = tmp_path / "lists" / "counties.txt"
    listing.parent.mkdir()
    # relative paths are taken from the file's folder; blank lines and comments are skipped
    relative = os.path.relpath(three[1], listing.parent)
    listing.write_text(f"# 铜仁市各县\n{three[0]}\n\n  {relative}  \n# 松桃\n{three[2]}\n", encoding="utf-8")
    expected = ok("rollup", *repo_args(three), *options)
    assert ok("rollup", "--repos-file", str(listing), *options) == expected
    # with --repo: the --repo ledgers first, then the file's
    rest = tmp_path / "rest.txt"
    rest.write_text(f"{three[1]}\n{three[2]}\n", encoding="utf-8")
    assert ok("rollup", "--repo", str(three[0]), "--repos-file", str(rest), *options) == expected


def test_repos_file_rows_are_the_counties(three: list[Path], tmp_path: Path):
    listing = tmp_path / "counties.txt"
    listing.write_text("\n".join(str(path) for path in three) + "\n", encoding="utf-8")
    data = json.loads(ok("rollup", "--repos-file", str(listing), "--format", "json"))
    assert data["by"] == "county"  # several ledgers: one row per county, as with --repo
    assert [(row["unit"], row["name"]) for row in data["rows"]] == [
        ("520602", "碧江区"),
        ("520603", "万山区"),
        ("520604", "松桃县"),
    ]
    assert [row["opened"] for row in data["rows"]] == [5, 1, 2]
    assert data["total"]["opened"] == 8 and data["total"]["households"] == 7
    assert [entry["county"] for entry in data["ledgers"]] == ["520602", "520603", "520604"]
    workbook = tmp_path / "city.xlsx"
    assert ok("rollup", "--repos-file", str(listing), "--format", "xlsx", "--out", str(workbook)) == ""
    assert workbook.read_bytes()[:2] == b"PK"


# ---------------------------------------------------------------- parallel = one process


@pytest.mark.parametrize("options", ROLLUPS[:2] + ROLLUPS[5:6], ids=" ".join)
def test_parallel_equals_one_process_cold_and_warm(
    three: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...]
):
    outputs = {}
    for jobs in ("1", "3"):
        monkeypatch.setenv("MINQING_JOBS", jobs)
        copies = cold_copies(three, tmp_path / f"jobs{jobs}")
        cold = run("rollup", *repo_args(copies), *options)
        warm = run("rollup", *repo_args(copies), *options)
        assert cold.exit_code == warm.exit_code == 0, cold.output + warm.output
        assert cold.stderr == warm.stderr == ""
        assert all((copy / ".git" / "minqing" / "index.sqlite").is_file() for copy in copies)
        # the ledgers' roots differ between the two sets of copies; nothing else may
        outputs[jobs] = [out.stdout.replace(str(tmp_path / f"jobs{jobs}"), "ROOT") for out in (cold, warm)]
    assert outputs["1"] == outputs["3"]
    assert outputs["1"][0] == outputs["1"][1]
    assert outputs["1"][0] == ok("rollup", *repo_args(three), *options)


def test_gather_in_a_pool_equals_rollup_over_open_indexes(three: list[Path]):
    ledgers = [Ledger.open(path) for path in three]
    period = R.choose_period("month", "2026-11-23")
    asks = [(period, by) for by in R.GROUPINGS] + [(R.choose_period("year", "2026-11-23"), "township")]
    pooled = R.gather(ledgers, asks, None, "zh", jobs=3)
    one = R.gather(ledgers, asks, None, "zh", jobs=1)
    indexes = [Index.open(ledger) for ledger in ledgers]
    try:
        direct = [R.rollup(indexes, chosen, by, None, "zh") for chosen, by in asks]
    finally:
        for index in indexes:
            index.close()
    assert [r.to_dict() for r in pooled] == [r.to_dict() for r in one] == [r.to_dict() for r in direct]
    assert [r.total.values["median_days_to_close"] for r in pooled] == [
        r.total.values["median_days_to_close"] for r in direct
    ]


def test_index_notes_come_back_from_the_workers(three: list[Path], tmp_path: Path, monkeypatch):
    copies = cold_copies(three, tmp_path)
    ok("rollup", *repo_args(copies))
    (copies[1] / ".git" / "minqing" / "index.sqlite").write_bytes(b"not a database" * 300)
    monkeypatch.setenv("MINQING_JOBS", "3")
    result = run("rollup", *repo_args(copies), "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.count("\n") == 1 and "已从台账重建" in result.stderr and "county1" in result.stderr
    assert json.loads(result.stdout)["total"]["opened"] == 8


def test_a_refusal_found_by_the_rollup_is_one_line_in_parallel(three: list[Path], monkeypatch):
    monkeypatch.setenv("MINQING_JOBS", "3")
    unknown = refused(three[0], "rollup", *repo_args(three), "--unit", "520699")
    assert "520699" in unknown.stderr
    twice = refused(three[0], "rollup", *repo_args(three), "--repo", str(three[1]), contains="520603")
    assert str(three[1]) in twice.stderr


# ---------------------------------------------------------------- refusals: exit 2, one line, nothing written


def test_refusals_name_the_file_and_the_line(three: list[Path], tmp_path: Path):
    before = [snapshot(path) for path in three]
    out = tmp_path / "city.json"

    def refuse(listing: Path, *contains: str) -> None:
        result = refused(
            three[0], "rollup", "--repos-file", str(listing), "--format", "json", "--out", str(out)
        )
        for text in contains:
            assert text in result.stderr, result.stderr
        assert not out.exists()

    refuse(tmp_path / "missing.txt", "--repos-file", "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("# 还没有县\n\n   \n", encoding="utf-8")
    refuse(empty, "--repos-file", "empty.txt", "没有列出台账库")
    plain = tmp_path / "plain"
    plain.mkdir()
    for number, bad in enumerate(
        [
            str(tmp_path / "nowhere"),  # does not exist
            "plain",  # a folder, relative to the list's folder, that is no ledger
            str(three[0] / "households"),  # a folder inside a ledger is not the ledger
            str(three[0] / "minqing.yaml"),  # a file
        ]
    ):
        listing = tmp_path / f"bad{number}.txt"
        listing.write_text(f"# 铜仁市\n{three[1]}\n\n{bad}\n{three[2]}\n", encoding="utf-8")
        refuse(listing, "第 4 行", bad)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    refuse(binary, "binary.txt", "UTF-8")
    twice = tmp_path / "twice.txt"
    twice.write_text(f"{three[1]}\n{three[1]}\n", encoding="utf-8")
    refuse(twice, "520603")
    assert [snapshot(path) for path in three] == before


def test_refusals_in_english(three: list[Path], tmp_path: Path):
    listing = tmp_path / "counties.txt"
    listing.write_text(f"{three[0]}\n{tmp_path}/none\n", encoding="utf-8")
    result = refused(three[0], "--lang", "en", "rollup", "--repos-file", str(listing))
    assert (
        "--repos-file" in result.stderr
        and "line 2" in result.stderr
        and "not a minqing ledger" in result.stderr
    )


def test_a_bad_minqing_jobs_is_refused(three: list[Path], monkeypatch):
    monkeypatch.setenv("MINQING_JOBS", "all")
    result = refused(three[0], "rollup", *repo_args(three), contains="MINQING_JOBS")
    assert "all" in result.stderr
    monkeypatch.setenv("MINQING_JOBS", "0")
    refused(three[0], "rollup", *repo_args(three), contains="MINQING_JOBS")
    ok("rollup", "--repo", str(three[0]))  # one ledger never starts workers: the setting is not read
