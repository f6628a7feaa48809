"""`minqing demo` commits in date order: its phases each walk their own stretch of the calendar, but the history they
make never runs backwards, so `audit` (clock_backwards) finds nothing and `git log --since` finds every commit it
should. The demo is built once for the module, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import run
from foundation_util import git_out

NOVEMBER = dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _dates(path: Path) -> list[tuple[dt.datetime, dt.datetime]]:
    """(author date, committer date) of every commit, oldest first."""
    lines = git_out(path, "log", "--reverse", "--format=%aI %cI").splitlines()
    return [(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(c)) for a, c in map(str.split, lines)]


def test_audit_finds_nothing(demo: Path) -> None:
    result = run("audit", "--json", ledger=demo)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["findings"] == [] and report["commits"] > 1000
    assert run("audit", ledger=demo).exit_code == 0


def test_author_and_committer_dates_never_go_backwards(demo: Path) -> None:
    dates = _dates(demo)
    assert len(dates) > 1000
    for older, newer in zip(dates, dates[1:], strict=False):
        assert newer[0] >= older[0], (older, newer)  # author date
        assert newer[1] >= older[1], (older, newer)  # committer date


def test_git_log_since_finds_every_later_commit(demo: Path) -> None:
    # git stops walking back at commits older than --since, so a history that runs backwards hides later commits.
    dated = [author for author, _ in _dates(demo)]
    expected = sum(1 for when in dated if when >= NOVEMBER)
    assert expected > 0
    found = git_out(demo, "log", "--since=2026-11-01T00:00:00+08:00", "--oneline").splitlines()
    assert len(found) == expected
    # A bare date is read by git as that day at the current time of day (its approxidate): whatever moment it
    # settles on, every commit from then on is found.
    max_age = git_out(demo, "rev-parse", "--since=2026-11-01").strip()
    assert max_age.startswith("--max-age=")
    cutoff = dt.datetime.fromtimestamp(int(max_age.removeprefix("--max-age=")), dt.UTC)
    committed = [when for _, when in _dates(demo)]
    bare = git_out(demo, "log", "--since=2026-11-01", "--oneline").splitlines()
    assert len(bare) == sum(1 for when in committed if when >= cutoff)


def test_check_passes(demo: Path) -> None:
    result = run("check", ledger=demo)
    assert result.exit_code == 0, result.output
