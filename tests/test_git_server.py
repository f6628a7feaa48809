"""Sync over a real git server on this machine (issue 19): `git daemon` with receive-pack enabled and smart HTTP
(`git http-backend` behind a small local WSGI server), each serving the county's bare repo with minqing's
pre-receive hook installed. Townships clone over the network transport, two of them race their syncs, and a forged
push through the same transport is refused by the served repo's hook."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import git, run
from test_sync import VILLAGE_A, Seed, assert_consistent, at, head, seed  # noqa: F401

from bench.servers import git_daemon, smart_http
from minqing.ledgers.ops import visits
from minqing.ledgers.repo.store import Ledger


def central_repo(seed: Seed, root: Path) -> Path:  # noqa: F811
    """The county's bare repo holding the seed ledger, with minqing's pre-receive hook (as the guide sets it up)."""
    central = root / "bijiang.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(central)], check=True)
    installed = run("hooks", "install", "--bare", str(central))
    assert installed.exit_code == 0, installed.output
    subprocess.run(["git", "push", "-q", str(central), "main"], cwd=seed.path, check=True)
    return central


@pytest.fixture(params=["git-daemon", "smart-http"])
def served(request: pytest.FixtureRequest, seed: Seed, tmp_path: Path) -> Iterator[tuple[Path, str]]:  # noqa: F811
    central = central_repo(seed, tmp_path / "srv")
    serve = git_daemon if request.param == "git-daemon" else smart_http
    with serve(tmp_path / "srv") as base:
        yield central, f"{base}/bijiang.git"


# ---------------------------------------------------------------- the tests


def clone(seed: Seed, url: str, target: Path, user: str) -> Path:  # noqa: F811
    result = run(
        "clone", url, str(target), "--secret-file", str(seed.path / ".git/minqing/secret"), "--user", user
    )
    assert result.exit_code == 0, result.output
    # The client never sends a chunked POST (the tiny WSGI server does not read one); git's own buffer is 1 MiB.
    git(target, "config", "http.postBuffer", str(64 << 20))
    return target


def minqing_sync(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "minqing.cli", "-C", str(path), "sync"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MINQING_LOCK_TIMEOUT": "10"},
    )


def test_two_townships_race_their_sync_over_the_server(served, seed: Seed, tmp_path: Path):  # noqa: F811
    central, url = served
    heping = clone(seed, url, tmp_path / "heping", seed.leader_a)
    bahuang = clone(seed, url, tmp_path / "bahuang", seed.leader_b)
    assert git(heping, "remote", "get-url", "origin").strip() == url
    for path, actor, home, hour in (
        (heping, seed.leader_a, seed.homes[0], 9),
        (bahuang, seed.leader_b, seed.homes[3], 10),
    ):
        for visit_day in (22, 23):
            visits.add_visit(
                Ledger.open(path),
                actor,
                household=home,
                by=[actor],
                date=f"2026-11-{visit_day}",
                at=at(23, hour),
            )
    # Both at once: one push wins, the other is refused as non-fast-forward, fetches, merges and pushes again.
    racing = [minqing_sync(heping), minqing_sync(bahuang)]
    outcomes = [(proc.wait(timeout=120), proc.stderr.read()) for proc in racing]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    # Whoever pushed first has not yet seen the other's commits: one more sync each brings everyone level.
    for path in (heping, bahuang):
        again = run("sync", ledger=path)
        assert again.exit_code == 0, again.output
    assert head(central, "main") == head(heping) == head(bahuang)
    for path in (heping, bahuang):
        assert_consistent(path)
        assert run("audit", ledger=path).exit_code == 0
    # The served repo's own history passes audit too (its pre-receive hook ran for every push).
    assert "pre-receive" in os.listdir(central / "hooks")


def test_a_forged_push_is_refused_by_the_served_repo(served, seed: Seed, tmp_path: Path):  # noqa: F811
    central, url = served
    heping = clone(seed, url, tmp_path / "heping", seed.leader_a)
    accepted = head(central, "main")
    # A hand edit committed with plain git, no trailers: the served repo's pre-receive must refuse it.
    household_file = heping / "households" / VILLAGE_A / f"{seed.homes[0]}.yaml"  # 甲, a poor household
    household_file.write_text(
        household_file.read_text(encoding="utf-8").replace("status: poor", "status: lifted")
    )
    git(heping, "commit", "-q", "-am", "改户类别")
    pushed = subprocess.run(
        ["git", "push", "origin", "HEAD:refs/heads/main"], cwd=heping, capture_output=True, text=True
    )
    assert pushed.returncode != 0
    assert "推送被拒绝" in pushed.stderr or "push refused" in pushed.stderr, pushed.stderr
    assert head(central, "main") == accepted
    # minqing sync refuses to carry it either: the local audit stops it before anything reaches the server.
    git(heping, "reset", "-q", "--hard", "HEAD~1")
    visits.add_visit(
        Ledger.open(heping),
        seed.leader_a,
        household=seed.homes[0],
        by=[seed.leader_a],
        date="2026-11-22",
        at=at(23),
    )
    good = run("sync", ledger=heping)
    assert good.exit_code == 0, good.output
    assert head(central, "main") == head(heping)
