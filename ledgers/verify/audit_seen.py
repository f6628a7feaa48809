"""What `audit` remembers of the files earlier commits wrote, small enough for a whole county's history.

A commit is judged against its parent's version of each file it touches: an entity file's history only grew (the
parent's entries are a prefix of the new ones), a stream only grew and its new documents have new ids. Keeping the
parent's parsed documents for that costs gigabytes on a large ledger, so per path only the blob id last seen and a
summary of it are kept: an entity file's entry count and a digest of its entries, a stream's size and the ids of
its documents packed in one string. When the parent's blob is not the one remembered (a merge, a move, the first
commit of a `--since` range) or the digest cannot vouch, `audit` reads the blob again and compares in full.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.model import HistoryEntry

# A float NaN as repr writes it in a dict or list (a string holding "nan" is quoted and rarely matches).
_NAN = re.compile(r"(?<=[\s\[(:,])nan(?=[,)\]}])")
ID_SEPARATOR = "\n"  # never inside an id a writer makes; a forged id holding it is kept as a set instead


@dataclass(frozen=True, slots=True)
class HistorySeen:
    """An entity file's blob as audit last checked it: how many history entries it holds and their digest."""

    blob: str
    entries: int
    digest: bytes | None  # None: the entries cannot be compared by digest (see entries_digest)


@dataclass(frozen=True, slots=True)
class StreamIds:
    """The ids of a stream file's documents as of one blob: packed in one string (a set of a million short
    strings is ~100 MB, the string a tenth of it)."""

    blob: str
    packed: str | frozenset[str]

    def unpack(self) -> set[str]:
        if isinstance(self.packed, frozenset):
            return set(self.packed)
        return set(self.packed.split(ID_SEPARATOR)) if self.packed else set()


def pack_ids(blob: str, ids: Iterable[str]) -> StreamIds:
    ids = list(ids)
    if any(ID_SEPARATOR in doc_id for doc_id in ids) or "" in ids:
        return StreamIds(blob, frozenset(ids))
    return StreamIds(blob, ID_SEPARATOR.join(ids))


def entry_reprs(entries: list[HistoryEntry]) -> list[str]:
    return [repr(entry.to_dict()) for entry in entries]


def entries_digest(reprs: list[str]) -> bytes | None:
    """A digest of history entries such that equal digests mean equal entries (`to_dict` lists compare equal).

    Equal reprs of the dicts YAML gives (str, int, float, bool, None, dates, lists, dicts in file order) mean equal
    values, except NaN (repr equal, never ==): a history holding one gets no digest and is compared in full.
    Unequal digests prove nothing (1 == 1.0, keys in another order): the caller then compares in full."""
    joined = "\x00".join(reprs)
    if "nan" in joined and _NAN.search(joined):
        return None
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).digest()
