"""The ledger's working tree as git sees it: ledger files left modified or untracked, and temp files."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.layout import is_ledger_path
from ..repo.store import Ledger
from . import git


def is_temp_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith(".") and name.endswith(".tmp")


@dataclass(frozen=True)
class LedgerStatus:
    dirty: tuple[str, ...]  # ledger paths modified, staged, deleted or untracked
    temp: tuple[str, ...]


def ledger_status(ledger: Ledger, locked: bool = True) -> LedgerStatus:
    """`locked` False: the caller does not hold the ledger lock, so git must not take the index lock it may
    take to refresh stat data (a writer holding the ledger lock would then fail on it)."""
    out = _porcelain(ledger, locked)
    dirty: list[str] = []
    temp: list[str] = []
    entries = out.split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        code, rel = entry[:2], entry[3:]
        if code[0] in "RC":
            index += 1  # the rename's source path follows
        if is_temp_file(rel):
            temp.append(rel)
        elif code != "!!" and is_ledger_path(rel):
            dirty.append(rel)
    return LedgerStatus(tuple(sorted(set(dirty))), tuple(sorted(temp)))


def as_committed(ledger: Ledger, folder: str) -> bool:
    """Whether nothing under `folder` differs from HEAD: no file modified, staged, deleted, untracked or ignored
    (a listing that reads the folder's files then prints what the index, kept at HEAD, says they hold). Read
    without the index lock, as `ledger_status(locked=False)`."""
    return not _porcelain(ledger, False, folder)


def _porcelain(ledger: Ledger, locked: bool, *under: str) -> str:
    """`git status` of the whole tree (or of the folders `under`), untracked and ignored files each listed."""
    return git.output(
        ledger.root,
        "status",
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--ignored=matching",
        *(("--", *under) if under else ()),
        strip=False,
        env=None if locked else {"GIT_OPTIONAL_LOCKS": "0"},
    )
