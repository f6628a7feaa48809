"""A sync merge is signed like every other commit when this machine has a key for the acting cadre."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import git, run
from test_sync import at, offices, seed  # noqa: F401 - fixtures

from minqing.ledgers.ops import visits
from minqing.ledgers.repo.store import Ledger


def test_sync_merge_is_signed_with_the_actors_key(seed, offices, tmp_path: Path):  # noqa: F811
    key = tmp_path / "leader_b"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "b", "-f", str(key)], check=True)
    added = run(
        "cadre",
        "key",
        "add",
        seed.leader_b,
        "--ssh-pubkey",
        f"{key}.pub",
        "--as",
        seed.admin,
        ledger=offices.b,
    )
    assert added.exit_code == 0, added.output
    assert run("cadre", "key", "use", seed.leader_b, str(key), ledger=offices.b).exit_code == 0
    a, b = Ledger.open(offices.a), Ledger.open(offices.b)
    visits.add_visit(a, None, household=seed.homes[0], by=[seed.leader_a], date="2026-11-21", at=at(21, 9))
    assert run("sync", ledger=offices.a).exit_code == 0
    visits.add_visit(b, None, household=seed.homes[3], by=[seed.leader_b], date="2026-11-21", at=at(21, 10))
    result = run("sync", ledger=offices.b)
    assert result.exit_code == 0, result.output
    parents = git(offices.b, "log", "-1", "--format=%P").split()
    assert len(parents) == 2, "the second office's sync must make a merge commit"
    assert "Ledger-Op: sync.merge" in git(offices.b, "log", "-1", "--format=%B")
    signature = git(offices.b, "cat-file", "commit", "HEAD")
    assert "-----BEGIN SSH SIGNATURE-----" in signature
