"""SSH public keys, pure: parsing a key line and its SHA256 fingerprint (as ssh-keygen -l prints it)."""

from __future__ import annotations

import base64
import hashlib

from . import fields as F
from .errors import BadInput
from .messages import Text

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
        raise BadInput("bad_pubkey", field=field, value=shown, why=Text("why_key_lines", count=len(lines)))
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        why = (
            Text("why_private_key") if "PRIVATE KEY" in lines[0] else Text("why_key_type", name=parts[0][:30])
        )
        raise BadInput("bad_pubkey", field=field, value=shown, why=why)
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (ValueError, TypeError):
        raise BadInput("bad_pubkey", field=field, value=shown, why=Text("why_not_base64")) from None
    # The blob starts with its own type name: a pasted or truncated key fails here rather than at signing time.
    length = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if blob[4 : 4 + length].decode("ascii", "replace") != parts[0]:
        raise BadInput("bad_pubkey", field=field, value=shown, why=Text("why_damaged_key"))
    comment = " ".join(parts[2:])
    return f"{parts[0]} {parts[1]}" + (f" {F.text(comment, field, limit=F.MAX_NAME)}" if comment else "")


def fingerprint(public_key: str) -> str | None:
    """SHA256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l` and git's %GK print it."""
    parts = public_key.split()
    if len(parts) < 2:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (ValueError, TypeError):
        return None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
