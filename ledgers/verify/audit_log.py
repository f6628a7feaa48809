"""The commits `audit` walks, read from `git log` a window at a time instead of all at once.

`gitwalk.log_changes` gives the whole listing as Python objects: ~800 bytes a commit, 270 MB for a ledger of
350,000 operations, and twice that while it is parsed. Here the same `git log --raw -z` output goes to a temporary
file; one pass over it keeps only what the walk needs up front (how many children each commit has in the range,
the root commits, the last commit), and the walk then reads it again, WINDOW commits at a time.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from typing import IO

from ..core.errors import EnvironmentProblem
from ..repo import git as git_runner
from ..repo.gitwalk import RAW_LOG, CommitChanges, Git, Objects, raw_log_entries

BLOCK = 1 << 20  # bytes read from the listing at a time
# git maps pack files into memory a window at a time, up to 8 GB by default, and every page it touched counts in its
# resident size: walking a history of 180,000 commits in 36 packs made `git log` 550 MB, reading the blobs made
# cat-file 490 MB. Small windows bound both (176 MB and 230 MB there) at no cost in time for a walk in order.
PACK_LIMITS = (
    "-c",
    "core.packedGitWindowSize=1m",
    "-c",
    "core.packedGitLimit=16m",
    "-c",
    "core.deltaBaseCacheLimit=8m",
)


class CommitLog:
    """`git log --reverse --topo-order --raw` of a range, as `gitwalk.log_changes` reads it (same options, same
    parse), kept in a temporary file. `children`: commit -> how many commits of the range name it as a parent."""

    def __init__(self, git: Git, rev_args: list[str]) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="minqing-audit-log-")
        with tempfile.TemporaryFile() as errors:
            proc = git_runner.popen(
                git.cwd,
                *git_runner.SAFE_CONFIG,
                *PACK_LIMITS,
                *RAW_LOG,
                *rev_args,
                "--",
                stdin=subprocess.DEVNULL,
                stdout=self.file.fileno(),
                stderr=errors.fileno(),
            )
            if proc.wait() != 0:
                errors.seek(0)
                lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                self.close()
                raise EnvironmentProblem("git_failed", detail=lines[-1].strip() if lines else "git log")
        self.children: dict[str, int] = {}
        self.roots: list[str] = []
        self.last: str | None = None
        self.count = 0
        for sha, parents in self.headers():
            self.count += 1
            self.last = sha
            if not parents:
                self.roots.append(sha)
            for parent in parents:
                self.children[parent] = self.children.get(parent, 0) + 1

    def close(self) -> None:
        self.file.close()

    def _tokens(self) -> Iterator[bytes]:
        self.file.seek(0)
        rest = b""
        while True:
            block = self.file.read(BLOCK)
            if not block:
                break
            parts = (rest + block).split(b"\0")
            rest = parts.pop()
            yield from parts
        if rest:
            yield rest

    def _entries(self, with_changes: bool) -> Iterator[CommitChanges]:
        """parse_raw_log's reading, one commit at a time."""
        return raw_log_entries(self._tokens(), with_changes)

    def headers(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        for sha, parents, _ in self._entries(with_changes=False):
            yield sha, parents

    def windows(self, size: int) -> Iterator[list[CommitChanges]]:
        """The commits with their changes, parents first, `size` at a time."""
        window: list[CommitChanges] = []
        for entry in self._entries(with_changes=True):
            window.append(entry)
            if len(window) >= size:
                yield window
                window = []
        if window:
            yield window


class BoundedObjects(Objects):
    """gitwalk's `git cat-file --batch` reader with PACK_LIMITS (the same process, small pack windows)."""

    GIT_OPTIONS = PACK_LIMITS
