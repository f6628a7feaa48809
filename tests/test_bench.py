"""The benchmark harness works end to end at the tiny size (what CI runs). Nothing here is timed: the figures are
reported by the harness, never asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = f"warm `rollup --repos-file` over 100 `tiny` ledgers, a worker per core ({os.cpu_count() or 1})"
ROWS = [
    "add one visit (`visit add`)",
    "one item transition (`issue progress`)",
    "cold index build (`reindex`)",
    "warm rollup (index fresh, `rollup --format json`)",
    "rollup after one new commit",
    "`minqing --version`",
    "`minqing status`",
    "`minqing issue show`",
    "`minqing demo` (the sample county)",
    "`org import` of the bureau's list (1,020 units)",
    "`minqing log` piped into `head -20`",
    "`minqing log` of one household",
    "`minqing find` a household head's name",
    "`minqing find zhangsan` (pinyin)",
    "`minqing household list` piped into `head -20`",
    "`minqing visit list` piped into `head -20`",
    "`minqing issue list --overdue`",
    "`minqing issue list --overdue` at an 80×24 terminal",
    "`minqing household list` at an 80×24 terminal, to its last row",
    "`minqing check`",
    "`minqing audit` (whole history)",
    "`audit --since refs/minqing/audited` after one commit",
    "`sync` of one commit each way (a stream file both offices changed)",
    "`minqing clone` over `git daemon`, then its first command (`status`: the index is built)",
    "`sync` of one commit each way over git daemon, the served repo's pre-receive hook auditing the push",
    "`sync` of one commit each way over smart HTTP, the served repo's pre-receive hook auditing the push",
    "`import` of a households sheet (500 rows; rows/s in note)",
    "`import` of a visits sheet (500 rows; rows/s in note)",
    "`export --kind visits --format csv`",
    "`export --kind issues --format xlsx`",
    "`report site` of the whole ledger (a new folder)",
    "`report site` after a day's work (three visits and one item's progress), into the same folder",
    COUNTIES,
]
# rows measured against a reference in the same run (their reference median is always there)
REFERENCED = [
    "`minqing log` piped into `head -20`",
    "`minqing log` of one household",
    "`minqing find` a household head's name",
    "`minqing household list` piped into `head -20`",
    "`minqing visit list` piped into `head -20`",
    "`minqing issue list --overdue` at an 80×24 terminal",
    "`minqing check`",
    "`minqing audit` (whole history)",
    "`sync` of one commit each way (a stream file both offices changed)",
    "`import` of a households sheet (500 rows; rows/s in note)",
    "`import` of a visits sheet (500 rows; rows/s in note)",
    "`audit --since refs/minqing/audited` after one commit",
    "`minqing clone` over `git daemon`, then its first command (`status`: the index is built)",
    "`sync` of one commit each way over git daemon, the served repo's pre-receive hook auditing the push",
    "`sync` of one commit each way over smart HTTP, the served repo's pre-receive hook auditing the push",
    "`export --kind visits --format csv`",
    "`export --kind issues --format xlsx`",
    "`report site` of the whole ledger (a new folder)",
    "`report site` after a day's work (three visits and one item's progress), into the same folder",
    COUNTIES,
]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    work = tmp_path_factory.mktemp("bench")
    out = work / "BENCHMARKS.md"
    out.write_text(
        "# Benchmarks\n\nHand-written intro.\n\n<!-- bench:begin (old) -->\n<!-- bench:end -->\n\nKept.\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "tiny", "--repeat", "1", "--no-install"]
        + ["--out", str(out), "--workdir", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out, done.stdout, work / "minqing-bench" / "ledger-tiny"


def _row(text: str, name: str) -> list[str]:
    for line in text.splitlines():
        if line.startswith(f"| {name} |"):
            return [cell.strip() for cell in line.strip("|").split("|")]
    raise AssertionError(f"row {name!r} missing")


def test_every_row_is_measured(bench_run: tuple[Path, str, Path]) -> None:
    out, stdout, _ = bench_run
    text = out.read_text(encoding="utf-8")
    for name in ROWS:
        cells = _row(text, name)
        assert len(cells) == 10, cells
        assert re.fullmatch(r"\d+\.\d{3} s", cells[1]), cells  # median
        assert re.fullmatch(r"\d+\.\d{3}–\d+\.\d{3}", cells[2]), cells  # spread
        assert re.fullmatch(r"\d+\.\d{3} s", cells[3]), cells  # CPU
        assert re.fullmatch(r"\d+ MB", cells[4]), cells  # peak RSS
        # n/a: a target measured against a reference tool this machine lacks (hledger/ledger with --no-install);
        # test_references_are_measured_or_explained checks that the table says why.
        assert cells[9] in ("yes", "**no**", "", "n/a"), cells
        assert _row(stdout, name) == cells  # the table is also printed
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == len(ROWS) + 1  # every row is listed above, and none has a stray `|` in a cell
    assert all(len(line.strip("|").split("|")) == 10 for line in table), table


def test_references_are_measured_or_explained(bench_run: tuple[Path, str, Path]) -> None:
    out, _, _ = bench_run
    text = out.read_text(encoding="utf-8")
    for name, tool in (
        ("cold index build (`reindex`)", "hledger"),
        ("warm rollup (index fresh, `rollup --format json`)", "ledger"),
    ):
        cells = _row(text, name)
        if cells[6]:
            assert re.fullmatch(r"\d+\.\d{3} s", cells[6]) and re.fullmatch(r"\d+\.\d\d", cells[7]), cells
        else:
            assert f"{tool} could not be had on this machine" in text
    for name in ROWS[:2] + REFERENCED:  # bare git (add + commit, log, grep, fsck) is always there
        cells = _row(text, name)
        assert re.fullmatch(r"\d+\.\d{3} s", cells[6]) and re.fullmatch(r"\d+\.\d\d", cells[7]), cells
    for name in [
        row for row in REFERENCED if row.startswith("`import`")
    ]:  # the import rows report rows/s, theirs and the reference's
        assert re.search(rf"- {re.escape(name)}: [\d,]+ rows/s \(reference [\d,]+ rows/s\)", text)
    assert re.search(r"Peak RSS ≤ 500 MB for every command: (yes|\*\*no\*\* \(.+\))\.", text)


def test_hand_written_text_around_the_table_is_kept(bench_run: tuple[Path, str, Path]) -> None:
    out, _, _ = bench_run
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nHand-written intro.\n\n<!-- bench:begin")
    assert text.endswith("<!-- bench:end -->\n\nKept.\n")
    assert text.count("| measurement |") == 1
    assert "Ledger size `tiny`: 500 visits, 100 items, 200 households, 20 cadres, 4 villages." in text


def test_the_generated_ledger_is_what_operations_write(bench_run: tuple[Path, str, Path]) -> None:
    """The generator writes files directly; `minqing check` must find them exactly as the operations would."""
    _, _, ledger = bench_run
    done = subprocess.run(
        [sys.executable, "-m", "minqing.cli", "--lang", "en", "check"],
        cwd=ledger,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ledger, capture_output=True, text=True
    ).stdout.splitlines()
    assert sum(1 for path in tracked if path.startswith("households/")) == 200
    assert sum(1 for path in tracked if path.startswith("cadres/")) == 20
    # 100 generated items plus the one the harness raises with its first visit
    assert sum(1 for path in tracked if path.startswith("issues/")) == 101


def test_alternate_times_each_command_in_turn(capsys) -> None:
    from bench import alternate

    times = alternate.alternate(3, ["true", "sleep 0.02"])
    assert [len(seconds) for seconds in times.values()] == [3, 3]
    assert min(times["sleep 0.02"]) >= 0.02 > min(times["true"])
    assert alternate.main(["2", "true"]) == 0 and "median" in capsys.readouterr().out
    assert alternate.main(["true"]) == 2 and "usage" in capsys.readouterr().err


def test_a_terminal_row_runs_in_a_pseudo_terminal_of_80_by_24(tmp_path: Path) -> None:
    """The rows "at an 80×24 terminal" run the command with a pseudo-terminal of that size as its stdout and read
    it to the end; a machine that cannot open one says so (the harness then measures into a pipe, COLUMNS=80)."""
    import os

    from bench.run import has_pseudo_terminals, measure

    probe = tmp_path / "seen"
    code = f"import shutil, sys; open({str(probe)!r}, 'w').write(f'{{sys.stdout.isatty()}} {{shutil.get_terminal_size()}}'); print('x' * 100000)"
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    if has_pseudo_terminals():
        sample = measure([sys.executable, "-c", code], tmp_path, env, terminal=(80, 24))
        assert sample.code == 0 and sample.seconds > 0
        assert probe.read_text() == "True os.terminal_size(columns=80, lines=24)"
    else:
        with pytest.raises(OSError):
            measure([sys.executable, "-c", code], tmp_path, env, terminal=(80, 24))


def test_the_rollup_over_a_hundred_counties_counts_every_one(bench_run: tuple[Path, str, Path]) -> None:
    out, _, _ = bench_run
    note = next(
        line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith(f"- {COUNTIES}:")
    )
    assert "20,000 households counted (each ledger 200: all of them)" in note, note
