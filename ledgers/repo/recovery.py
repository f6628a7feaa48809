"""After a crash: finish or undo the operation a killed command left behind, and clear git's own stale locks.

The store keeps a journal (`.git/minqing/pending.json`, see store.Transaction) from an operation's first write
until HEAD has moved:

- state `writing`: the files it names may be half the operation (a visit written, its raised item not yet). The
  operation never reached its commit, so it is undone: each file goes back to what HEAD holds.
- state `complete`: every file was written and the exact commit to make is recorded (message, author, time, the
  blobs before and after). If HEAD and the files are still what the journal says, the commit is made now, as the
  killed command would have made it, with one more trailer `Ledger-Recovered: doctor`; otherwise it is undone.

`minqing doctor` reports these and `doctor --fix` applies them (ledgers/doctor.py); the functions here do the work.
A killed git process also leaves its own lock files (`.git/index.lock`, `refs/heads/main.lock`), which make every
later commit fail until removed; `stale_git_locks` finds those no running git process owns.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import fields as F
from . import git
from .store import (
    PENDING_FILE,
    STATE_DIR,
    Ledger,
    PlumbingCommitter,
    atomic_write,
    blob_id,
    head_blobs,
    pending_settled,
    pending_subject,
    read_pending,
)

# A git lock younger than this may belong to a git command someone is running right now (when /proc cannot tell).
GIT_LOCK_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Interrupted:
    """The operation a killed command left between its first write and its commit."""

    subject: str
    paths: tuple[str, ...]
    finishable: bool  # every file written and unchanged since: the commit can be made as it would have been
    pending: dict[str, Any]


def interrupted(ledger: Ledger) -> Interrupted | None:
    """The unfinished operation, or None (no journal, or its files already match HEAD)."""
    pending = read_pending(ledger)
    if pending is None or pending_settled(ledger, pending):
        return None
    paths = tuple(sorted(pending.get("paths") or pending.get("after") or ()))
    return Interrupted(pending_subject(pending), paths, _finishable(ledger, pending), pending)


def claimed_paths(ledger: Ledger) -> set[str]:
    """Files that belong to an unfinished operation: doctor's other checks leave them to `finish`/`undo`."""
    found = interrupted(ledger)
    return set(found.paths) if found else set()


def _finishable(ledger: Ledger, pending: dict[str, Any]) -> bool:
    if pending.get("state") != "complete" or pending.get("unreadable"):
        return False
    before: dict[str, str | None] = pending.get("before") or {}
    after: dict[str, str | None] = pending.get("after") or {}
    if not after or not pending.get("message") or not pending.get("author") or not pending.get("when"):
        return False
    paths = sorted(after)
    in_head = head_blobs(ledger, ledger.head(), paths)
    if any(in_head.get(rel) != before.get(rel) for rel in paths):
        return False  # HEAD changed these files since: the recorded commit no longer applies
    return all(blob_id(_read(ledger, rel), in_head) == after[rel] for rel in paths)


def _read(ledger: Ledger, rel: str) -> bytes | None:
    try:
        return (ledger.root / rel).read_bytes()
    except FileNotFoundError:
        return None


def finish(ledger: Ledger, found: Interrupted) -> str:
    """Make the interrupted operation's commit (caller holds the ledger lock). Returns the new commit id."""
    pending = found.pending
    paths = sorted(pending["after"])
    # A kill after `update-index` leaves these paths staged; the committer refuses staged leftovers.
    ledger.git("reset", "-q", "--", *paths)
    writes = {rel: _read(ledger, rel) for rel in paths}
    message = str(pending["message"]).rstrip("\n") + f"\nLedger-Recovered: doctor {F.timestamp()}\n"
    author = (str(pending["author"][0]), str(pending["author"][1]))
    PlumbingCommitter(ledger).commit(writes, message, author, str(pending["when"]))
    forget(ledger)
    return ledger.head() or ""


def undo(ledger: Ledger, found: Interrupted) -> None:
    """Put every file of the interrupted operation back to what HEAD holds (caller holds the ledger lock)."""
    head = ledger.head()
    paths = list(found.paths)
    if head and paths:
        ledger.git("reset", "-q", head, "--", *paths)  # unstage whatever the killed commit had staged
    in_head = head_blobs(ledger, head, paths)
    for rel in paths:
        target = ledger.root / rel
        if rel in in_head:
            atomic_write(target, _blob(ledger, in_head[rel]))
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
    forget(ledger)


def _blob(ledger: Ledger, blob: str) -> bytes:
    return git.output_bytes(ledger.root, "cat-file", "blob", blob)


def forget(ledger: Ledger) -> None:
    with contextlib.suppress(FileNotFoundError):
        (ledger.git_dir / STATE_DIR / PENDING_FILE).unlink()


# ---------------------------------------------------------------- git's own lock files


def stale_git_locks(ledger: Ledger) -> list[str]:
    """`.lock` files git leaves when it is killed mid-write (index, HEAD, refs), that no running git owns.

    Only asked when no minqing writer holds the ledger lock (doctor --fix takes it first). Where /proc lists
    processes, a lock is stale when no git process runs in this repository; elsewhere when it is older than
    GIT_LOCK_GRACE_SECONDS."""
    git_dir = ledger.git_dir
    candidates = [path for path in git_dir.glob("*.lock") if path.is_file()]
    refs = git_dir / "refs"
    if refs.is_dir():
        candidates += [path for path in refs.rglob("*.lock") if path.is_file()]
    if not candidates:
        return []
    running = _git_running_in(ledger.root)
    now = time.time()
    stale = []
    for path in candidates:
        with contextlib.suppress(FileNotFoundError):
            age = now - path.stat().st_mtime
            if running is False or (running is None and age >= GIT_LOCK_GRACE_SECONDS):
                stale.append(path.relative_to(ledger.root).as_posix())
    return sorted(stale)


def _git_running_in(root: Path) -> bool | None:
    """Whether a live git process has its working directory in this repository; None when /proc cannot say."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    here = str(root.resolve())
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "git":
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
                continue  # a zombie holds no files
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == here or cwd.startswith(here + os.sep):
            return True
    return False


def remove_git_locks(ledger: Ledger, paths: list[str]) -> None:
    for rel in paths:
        with contextlib.suppress(FileNotFoundError):
            (ledger.root / rel).unlink()
