"""Entry IDs: a kind letter, a dash, 6 random Crockford base32 characters. Random, so offices never collide on a counter."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .errors import Ambiguous, BadInput, NotFound

if TYPE_CHECKING:
    import random

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KINDS = {
    "C": "cadre",
    "H": "household",
    "Q": "item",
    "V": "visit",
    "A": "activity",
    "R": "review",
    "S": "survey",
}
ID_RE = re.compile(r"^([CHQVARS])-([0-9A-HJKMNP-TV-Z]{6})$")
OP_ID_LEN = 10


_seeded: random.Random | None = None


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Deterministic IDs for the demo and benchmarks (`--seed`); everything else uses the OS random source."""
    import random  # only the demo and the benchmarks seed; every other command would pay its import (~2 ms)

    global _seeded
    previous, _seeded = _seeded, random.Random(seed)
    try:
        yield
    finally:
        _seeded = previous


def _chars(count: int) -> str:
    if _seeded is not None:
        return "".join(_seeded.choice(CROCKFORD) for _ in range(count))
    # One read of the OS random source per id (SystemRandom.choice made one per character: 320,000 getrandom
    # calls for a 10,000-row import). 256 is a multiple of 32, so the low five bits are uniform. os.urandom is what
    # secrets.token_bytes calls; importing secrets brings hmac and OpenSSL's hashlib into every read (~3 ms).
    return "".join(CROCKFORD[byte & 31] for byte in os.urandom(count))


def new_id(prefix: str, taken: Iterable[str] = ()) -> str:
    taken_set = set(taken)
    while True:
        candidate = f"{prefix}-" + _chars(6)
        if candidate not in taken_set:
            return candidate


def new_op_id() -> str:
    return _chars(OP_ID_LEN)


def normalize(text: str) -> str:
    """Crockford decoding rules: case-insensitive, I/L read as 1, O as 0."""
    upper = text.strip().upper()
    if len(upper) > 2 and upper[1] == "-":
        head, tail = upper[:2], upper[2:]
        tail = tail.replace("I", "1").replace("L", "1").replace("O", "0")
        return head + tail
    return upper


def is_id(text: str, prefix: str | None = None) -> bool:
    match = ID_RE.match(text)
    return match is not None and (prefix is None or match.group(1) == prefix)


def resolve_prefix(text: str, prefix: str, candidates: Iterable[str], field: str) -> str:
    """Resolve a full id or a unique prefix (like git hashes). Ambiguous prefixes list their matches."""
    wanted = normalize(text)
    if not wanted.startswith(prefix + "-"):
        if wanted and all(ch in CROCKFORD for ch in wanted) and len(wanted) <= 6:
            wanted = f"{prefix}-{wanted}"
        else:
            raise BadInput("bad_id", field=field, value=text, prefix=prefix)
    body = wanted[2:]
    if not body or len(body) > 6 or any(ch not in CROCKFORD for ch in body):
        raise BadInput("bad_id", field=field, value=text, prefix=prefix)
    matches = sorted(c for c in candidates if c.startswith(wanted))
    if not matches:
        raise NotFound("unknown_id", field=field, kind=KINDS[prefix], value=text)
    if wanted in matches:
        return wanted
    if len(matches) > 1:
        shown = ", ".join(matches[:10]) + (" …" if len(matches) > 10 else "")
        raise Ambiguous("ambiguous", kind=KINDS[prefix], value=text, matches=shown)
    return matches[0]
