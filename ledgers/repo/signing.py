"""Commit signing: the SSH key of the acting cadre on this machine, and the git options that sign with it."""

from __future__ import annotations

import configparser
import contextlib
import os
import subprocess
from pathlib import Path

from ..core.errors import BadInput, EnvironmentProblem, LedgerError, Refused
from ..core.keys import fingerprint, parse_public_key
from ..core.messages import Text
from ..core.model import Cadre
from ..repo.store import AUTHOR_DOMAIN, Ledger

# What the access log says of the identity behind an unmasking: shown with a registered key this machine holds,
# or only named (`--as`, MINQING_USER, git config minqing.user), which anyone at the keyboard can choose.
PROVEN = "key"
UNPROVEN = "unproven"


def public_half(path: Path, shown: str) -> str:
    sibling = path.with_name(path.name + ".pub")
    if sibling.is_file():
        return parse_public_key(sibling.read_text(encoding="utf-8"), "KEYFILE", str(sibling))
    try:
        # -P "": never prompt for a passphrase (a hook or cron job has no terminal); an encrypted key needs its .pub.
        proc = subprocess.run(
            ["ssh-keygen", "-y", "-P", "", "-f", str(path)], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvironmentProblem("git_failed", detail=f"ssh-keygen: {exc}") from None
    if proc.returncode != 0:
        raise BadInput(
            "bad_pubkey",
            field="KEYFILE",
            value=shown,
            why=Text("why_encrypted_key"),
        )
    return parse_public_key(proc.stdout, "KEYFILE", shown)


def signing_key(ledger: Ledger, cadre_id: str) -> str | None:
    """The private key configured on this machine for `cadre_id`, if any (read from .git/config, no git process)."""
    parser = configparser.RawConfigParser(strict=False)
    with contextlib.suppress(OSError, configparser.Error):
        parser.read(ledger.git_dir / "config", encoding="utf-8")
        section = f'minqing "{cadre_id}"'
        if parser.has_option(section, "signingkey"):
            return parser.get(section, "signingkey").strip() or None
    return None


def signing_options(ledger: Ledger, author_email: str) -> tuple[list[str], list[str]]:
    """(git options, commit-tree options) that sign a commit by the author's cadre, or ([], []) when this machine
    has no key configured for them. Used by store.PlumbingCommitter (and any other commit-tree caller)."""
    cadre_id = author_email.split("@")[0] if author_email.endswith("@" + AUTHOR_DOMAIN) else ""
    key = signing_key(ledger, cadre_id) if cadre_id else None
    if not key:
        return [], []
    return ["-c", "gpg.format=ssh"], [f"-S{key}"]


def held_key(ledger: Ledger, cadre: Cadre) -> str | None:
    """A private key on this machine, readable by this user, whose public half is registered for `cadre`."""
    key = signing_key(ledger, cadre.id)
    if not key or not os.access(key, os.R_OK) or not Path(key).is_file():
        return None
    try:
        public = public_half(Path(key), key)
    except LedgerError:
        return None
    return key if fingerprint(public) in {fingerprint(registered) for registered in cadre.keys} else None


def require_identity(ledger: Ledger, cadre: Cadre, what: str) -> str:
    """PROVEN or UNPROVEN for acting as `cadre` (or unmasking as them). Under `require_signed` an identity only
    named is refused: acting needs the cadre's own key on this machine, and the commit is signed by it."""
    if held_key(ledger, cadre) is not None:
        return PROVEN
    if ledger.config.data.get("require_signed"):
        raise Refused("identity_unproven", actor=cadre.id, name=cadre.name, what=what)
    return UNPROVEN
