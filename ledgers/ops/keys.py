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

from pathlib import Path

from ..core.errors import AlreadyExists, BadInput
from ..core.keys import fingerprint, parse_public_key
from ..core.messages import Text
from ..core.model import Cadre
from ..core.operations import subject
from ..repo.signing import public_half
from ..repo.store import Ledger


def read_public_key(path: str | None, field: str = "--ssh-pubkey") -> str:
    if not path:
        raise BadInput("required", field=field, accepted=Text("acc_public_key_file"))
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise BadInput("bad_pubkey", field=field, value=path, why=Text("why_unreadable")) from None
    return parse_public_key(text, field, path)


def add_key(
    ledger: Ledger, actor: str | None, cadre_ref: str, pubkey_path: str | None, at: str | None = None
) -> Cadre:
    """Register a cadre's SSH public key in the cadre file: one operation (cadre.key), one commit."""

    key = read_public_key(pubkey_path)
    with ledger.transaction(actor, "cadre.key") as tx:
        cadre = ledger.cadre(cadre_ref, "CADRE")
        print_ = fingerprint(key)
        for existing in cadre.keys:
            if fingerprint(existing) == print_:
                raise AlreadyExists("key_exists", fingerprint=print_, cadre=cadre.id)
        updated = tx.advance(cadre, "key_add", {"key": key}, at)
        message = subject("cadre.key", id=cadre.id, name=cadre.name, fingerprint=print_)
        tx.commit(message, [cadre.id], at=updated.history[-1].at)
    return updated


def use_key(ledger: Ledger, cadre_ref: str, private_key: str | None) -> tuple[Cadre, str]:
    """Sign this machine's commits by the cadre with a private key whose public half is registered for them.

    Local only (`git config minqing.<id>.signingkey`): nothing is committed."""
    cadre = ledger.cadre(cadre_ref, "CADRE")
    if not private_key:
        raise BadInput("required", field="KEYFILE", accepted=Text("acc_private_key_file"))
    path = Path(private_key).expanduser().resolve()
    if not path.is_file():
        raise BadInput("bad_pubkey", field="KEYFILE", value=private_key, why=Text("why_no_such_file"))
    public = public_half(path, private_key)
    wanted = fingerprint(public)
    if wanted not in {fingerprint(key) for key in cadre.keys}:
        raise BadInput("key_not_registered", value=private_key, fingerprint=wanted, cadre=cadre.id)
    ledger.git("config", f"minqing.{cadre.id}.signingkey", str(path))
    return cadre, str(path)
