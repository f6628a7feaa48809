"""Issue 14: identity, honestly. `--as` names a cadre; under `require_signed` acting or unmasking as them needs their
registered key on this machine, and the access log says whether an unmasking's identity was proven."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from audit_fixture import Book, commit, edit, trailers
from conftest import refused, run

from minqing.ledgers.repo import privacy
from minqing.ledgers.repo.store import Ledger
from minqing.ledgers.verify import audit


def git(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def keypair(where: Path, name: str) -> Path:
    key = where / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def give_key(book: Book, cadre: str, where: Path) -> Path:
    """Register a key for `cadre` (an admin's op) and configure it on this machine (`cadre key use`)."""
    key = keypair(where, f"key_{cadre}")
    added = run(
        "cadre", "key", "add", cadre, "--ssh-pubkey", f"{key}.pub", "--as", book.admin, ledger=book.path
    )
    assert added.exit_code == 0, added.output
    used = run("cadre", "key", "use", cadre, str(key), ledger=book.path)
    assert used.exit_code == 0, used.output
    return key


def require_signing(book: Book) -> None:
    edit(book.path, "minqing.yaml", ("require_signed: false", "require_signed: true"))
    commit(book.path, "要求签名", trailers("config.edit", ["minqing.yaml"], book.admin))


def test_without_signing_an_unmasking_is_logged_as_unproven(book: Book) -> None:
    shown = run("household", "show", book.homes[0], "--unmask", "--as", book.admin, ledger=book.path)
    assert shown.exit_code == 0, shown.output
    entry = privacy.access_log(Ledger.open(book.path))[-1]
    assert (entry["actor"], entry["identity"]) == (book.admin, "unproven")
    line = (book.path / ".git" / "minqing" / privacy.ACCESS_LOG).read_text(encoding="utf-8").splitlines()[-1]
    assert line.endswith("\tidentity=unproven")


def test_under_require_signed_acting_needs_the_cadres_key_here(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    give_key(book, book.admin, tmp_path)
    give_key(book, book.village, tmp_path)
    require_signing(book)
    # The village cadre's key is here: the command runs and its commit is signed by that key.
    done = run(
        "issue", "progress", book.working, "--note", "签名的进展", "--as", book.village, ledger=book.path
    )
    assert done.exit_code == 0, done.output
    assert "gpgsig" in git(book.path, "cat-file", "commit", "HEAD")
    # The clerk's is not: naming the clerk is refused before anything is written, whoever typed it.
    result = refused(
        book.path,
        "issue",
        "progress",
        book.working,
        "--note",
        "冒名",
        "--as",
        book.clerk,
        contains=book.clerk,
    )
    assert "require_signed" in result.stderr
    # The same through MINQING_USER.
    monkeypatch.setenv("MINQING_USER", book.clerk)
    refused(book.path, "issue", "progress", book.working, "--note", "冒名", contains="require_signed")
    monkeypatch.delenv("MINQING_USER")
    # Whatever was done with the key is accepted by audit (the config edit by hand is the admin's own).
    codes = {f.code for f in audit.audit_repo(book.path, mark=False).findings}
    assert "unsigned" not in codes


def test_under_require_signed_unmasking_needs_the_key_and_is_logged_as_proven(
    book: Book, tmp_path: Path
) -> None:
    admin_key = keypair(tmp_path, "admin_only_registered")
    added = run(
        "cadre",
        "key",
        "add",
        book.admin,
        "--ssh-pubkey",
        f"{admin_key}.pub",
        "--as",
        book.admin,
        ledger=book.path,
    )
    assert added.exit_code == 0, added.output
    require_signing(book)
    # Registered, but not configured on this machine: naming the admin is not enough.
    refused(
        book.path,
        "household",
        "show",
        book.homes[0],
        "--unmask",
        "--as",
        book.admin,
        contains="require_signed",
    )
    assert not (book.path / ".git" / "minqing" / privacy.ACCESS_LOG).exists()
    assert run("cadre", "key", "use", book.admin, str(admin_key), ledger=book.path).exit_code == 0
    shown = run("household", "show", book.homes[0], "--unmask", "--as", book.admin, ledger=book.path)
    assert shown.exit_code == 0, shown.output
    assert privacy.access_log(Ledger.open(book.path))[-1]["identity"] == "key"
    # A key file that is configured but is not the one registered for the admin proves nothing.
    stranger = keypair(tmp_path, "stranger")
    git(book.path, "config", f"minqing.{book.admin}.signingkey", str(stranger))
    refused(
        book.path,
        "household",
        "show",
        book.homes[0],
        "--unmask",
        "--as",
        book.admin,
        contains="require_signed",
    )
