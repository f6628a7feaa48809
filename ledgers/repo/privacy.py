"""Unmasking ID numbers and phones, for the roles minqing.yaml allows, and only ever on this machine.

A full ID number never enters git (DESIGN §3): files keep a masked form and a keyed hash. So "unmask" can only show
what this machine itself was told: when a household or cadre is added (or a phone changed) here, the full value is
kept in a local vault, `.git/minqing/pii.sqlite` (never committed, not pushed, not cloned), keyed by the same keyed
hash the file holds. `--unmask` shows the vault's value where it has one and the masked value otherwise.

Every unmasking, allowed or not useful, appends one line to `.git/minqing/access.log` (when, who, what, which
records were shown in full, and whether the identity was proven by the cadre's key on this machine or only named
with `--as`); it is a commit-free, append-only local file an inspector can read. Under `require_signed` an
unmasking by a cadre whose key this machine does not hold is refused.

API for show/export commands:
    with privacy.unmasking(ledger, actor_text, "household show H-7K3M2Q") as reveal:
        view = reveal.view(view)          # a dict with id_number/id_hash, phone/phone_hash keys
        full = reveal(digest, owner_id)   # one value, or None when this machine never saw it
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import fields as F
from ..core.errors import EnvironmentProblem, Refused
from .store import Ledger

if TYPE_CHECKING:
    import sqlite3

VAULT = "pii.sqlite"
ACCESS_LOG = "access.log"
# masked field -> the keyed-hash field next to it, in households, cadres and their history fields
PAIRS = {"id_number": "id_hash", "phone": "phone_hash"}


def _vault(ledger: Ledger) -> sqlite3.Connection:
    import sqlite3  # here: `log` and `show` import this module for --unmask, and most runs never open the vault

    path = ledger.state_dir / VAULT
    fresh = not path.exists()
    try:
        conn = sqlite3.connect(path, timeout=10)
        if fresh:
            os.chmod(path, 0o600)
        conn.execute("CREATE TABLE IF NOT EXISTS pii (digest TEXT PRIMARY KEY, value TEXT NOT NULL, at TEXT)")
    except (sqlite3.Error, OSError) as exc:
        raise EnvironmentProblem("io_failed", detail=f"{path.name}: {exc}") from None
    return conn


def remember(ledger: Ledger, digest: str, value: str) -> None:
    """Keep a full value given on this machine (never in git). Called where the keyed hash is computed."""
    conn = _vault(ledger)
    import sqlite3  # loaded by _vault

    try:
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO pii (digest, value, at) VALUES (?, ?, ?)",
                (digest, value, F.timestamp()),
            )
    except sqlite3.Error as exc:
        raise EnvironmentProblem("io_failed", detail=f"{VAULT}: {exc}") from None
    finally:
        conn.close()


def _lookup(ledger: Ledger, digest: str) -> str | None:
    if not (ledger.state_dir / VAULT).exists():
        return None
    conn = _vault(ledger)
    import sqlite3  # loaded by _vault

    try:
        row = conn.execute("SELECT value FROM pii WHERE digest = ?", (digest,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


@dataclass
class Reveal:
    """Hands out full values for one command and remembers whose were shown, for the access log."""

    ledger: Ledger
    shown: list[str] = field(default_factory=list)

    def __call__(self, digest: str | None, owner: str = "?") -> str | None:
        if not digest:
            return None
        value = _lookup(self.ledger, digest)
        if value is not None and owner not in self.shown:
            self.shown.append(owner)
        return value

    def view(self, data: dict[str, Any], owner: str | None = None) -> dict[str, Any]:
        """A copy of `data` with masked fields replaced by full values where this machine has them."""
        out = dict(data)
        for masked, hashed in PAIRS.items():
            if out.get(masked) and out.get(hashed):
                full = self(out[hashed], owner or str(out.get("id", "?")))
                if full:
                    out[masked] = full
        return out


def check_allowed(ledger: Ledger, actor_text: str | None) -> Any:
    actor = ledger.actor(actor_text)
    if not ledger.config.may_unmask(actor):
        raise Refused(
            "unmask_not_allowed",
            actor=actor.id,
            role=actor.role,
            allowed=", ".join(ledger.config.data.get("unmask_roles") or []) or "-",
        )
    return actor


@contextlib.contextmanager
def unmasking(ledger: Ledger, actor_text: str | None, what: str) -> Iterator[Reveal]:
    """Refuses roles not in `unmask_roles` (nothing is logged or shown); otherwise logs one access line."""
    from .signing import require_identity

    actor = check_allowed(ledger, actor_text)
    proof = require_identity(ledger, actor, "unmask")
    reveal = Reveal(ledger)
    try:
        yield reveal
    finally:
        log_access(ledger, actor.id, actor.name, what, reveal.shown, proof)


def log_access(
    ledger: Ledger, actor_id: str, actor_name: str, what: str, shown: list[str], proof: str
) -> None:
    line = "\t".join(
        [
            F.timestamp(),
            actor_id,
            _clean(actor_name),
            _clean(what),
            "shown=" + (",".join(shown) or "-"),
            "identity=" + proof,
        ]
    )
    path = ledger.state_dir / ACCESS_LOG
    try:
        # O_APPEND: concurrent writers never interleave within one short line.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise EnvironmentProblem("io_failed", detail=f"{ACCESS_LOG}: {exc.strerror or exc}") from None


def access_log(ledger: Ledger) -> list[dict[str, str]]:
    path = ledger.state_dir / ACCESS_LOG
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) in (5, 6):
            # Lines written before issue 14 have no identity field: their identity was never proven either.
            proof = parts[5].removeprefix("identity=") if len(parts) == 6 else "unproven"
            out.append(
                {
                    "at": parts[0],
                    "actor": parts[1],
                    "name": parts[2],
                    "what": parts[3],
                    "shown": parts[4][6:],
                    "identity": proof,
                }
            )
    return out


def _clean(text: str) -> str:
    return " ".join(str(text).split())
