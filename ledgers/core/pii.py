"""Personal data: full ID numbers and phones never enter git. Files keep a masked form and a keyed hash."""

from __future__ import annotations

import hashlib
import hmac


def mask_id_number(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(number: str) -> str:
    if len(number) == 11 and number.startswith("1"):
        return number[:3] + "****" + number[-4:]
    return number[:-4].rstrip("-")[:4] + "****" + number[-4:]


def keyed_hash(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()
