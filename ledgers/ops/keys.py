"""Signing keys: cadres register SSH public keys in their cadre file (op key_add), and minqing signs the commits of
a cadre who has a private key configured on this machine (git's SSH signing, `gpg.format ssh`).

Two places, two owners:
- the ledger (shared, audited): `cadres/C-….yaml: keys:` — which public keys belong to which cadre. Changed only by
  `minqing cadre key add` (Ledger-Op cadre.key, admins by default).
- this machine's `.git/config` (local, never committed): `[minqing "C-…"] signingkey = /path/to/private_key`, set by
  `minqing cadre key use`. When the acting cadre has one, every minqing commit on this machine is signed with it.

`minqing audit` (with `require_signed: true`) accepts a commit only when git verifies its signature against an
allowed-signers file generated from the cadre files and the key is one registered for the commit's Ledger-Actor
at the time.
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import subprocess
from pathlib import Path

from ..core import fields as F
from ..core.errors import AlreadyExists, BadInput, EnvironmentProblem
from ..core.model import Cadre
from ..repo.store import AUTHOR_DOMAIN, Ledger
from ..verify.audit import fingerprint

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


def parse_public_key(text: str, field: str, shown: str) -> str:
    """One OpenSSH public key line, normalised to `type base64 [comment]`; BadInput names what is wrong."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip() and not line.startswith("#")]
    if len(lines) != 1:
        raise BadInput("bad_pubkey", field=field, value=shown, why=f"{len(lines)} key lines")
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        why = "a private key" if "PRIVATE KEY" in lines[0] else f"type {parts[0][:30]!r}"
        raise BadInput("bad_pubkey", field=field, value=shown, why=why)
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (ValueError, TypeError):
        raise BadInput("bad_pubkey", field=field, value=shown, why="not base64") from None
    # The blob starts with its own type name: a pasted or truncated key fails here rather than at signing time.
    length = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if blob[4 : 4 + length].decode("ascii", "replace") != parts[0]:
        raise BadInput("bad_pubkey", field=field, value=shown, why="damaged key data")
    comment = " ".join(parts[2:])
    return f"{parts[0]} {parts[1]}" + (f" {F.text(comment, field, limit=F.MAX_NAME)}" if comment else "")


def read_public_key(path: str | None, field: str = "--ssh-pubkey") -> str:
    if not path:
        raise BadInput("required", field=field, accepted="a public key file such as ~/.ssh/id_ed25519.pub")
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(
            "bad_pubkey", field=field, value=path, why=getattr(exc, "strerror", None) or "unreadable"
        ) from None
    return parse_public_key(text, field, path)


def add_key(
    ledger: Ledger, actor: str | None, cadre_ref: str, pubkey_path: str | None, at: str | None = None
) -> Cadre:
    """Register a cadre's SSH public key in the cadre file: one operation (cadre.key), one commit."""
    from .register import _advance

    key = read_public_key(pubkey_path)
    with ledger.transaction(actor, "cadre.key") as tx:
        cadre = ledger.cadre(cadre_ref, "CADRE")
        print_ = fingerprint(key)
        for existing in cadre.keys:
            if fingerprint(existing) == print_:
                raise AlreadyExists("key_exists", fingerprint=print_, cadre=cadre.id)
        updated = _advance(tx, cadre, "key_add", {"key": key}, at)
        tx.commit(f"登记签名密钥 {cadre.id} {cadre.name}（{print_}）", [cadre.id], at=updated.history[-1].at)
    return updated


def use_key(ledger: Ledger, cadre_ref: str, private_key: str | None) -> tuple[Cadre, str]:
    """Sign this machine's commits by the cadre with a private key whose public half is registered for them.

    Local only (`git config minqing.<id>.signingkey`): nothing is committed."""
    cadre = ledger.cadre(cadre_ref, "CADRE")
    if not private_key:
        raise BadInput(
            "required", field="KEYFILE", accepted="the path of an SSH private key, e.g. ~/.ssh/id_ed25519"
        )
    path = Path(private_key).expanduser().resolve()
    if not path.is_file():
        raise BadInput("bad_pubkey", field="KEYFILE", value=private_key, why="no such file")
    public = _public_half(path, private_key)
    wanted = fingerprint(public)
    if wanted not in {fingerprint(key) for key in cadre.keys}:
        raise BadInput("key_not_registered", value=private_key, fingerprint=wanted, cadre=cadre.id)
    ledger.git("config", f"minqing.{cadre.id}.signingkey", str(path))
    return cadre, str(path)


def _public_half(path: Path, shown: str) -> str:
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
            why="not an unencrypted private key; put its .pub beside it",
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
