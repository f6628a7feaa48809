"""Reading git history in bulk for `audit` and `log`: few processes, however many commits.

One `git log --raw -z` lists the commits (parents first) with the blob ids of every file each one changed; one
`git cat-file --batch` process serves commit objects and blob contents on demand. Merge commits get their own
`git diff-tree` per parent (merges are rare: one per `sync`). Works on a bare repo too (the pre-receive hook).
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..core import collector
from ..core.errors import EnvironmentProblem
from ..core.layout import classify
from ..core.operations import parse_trailers
from . import git as git_runner

ZERO = "0" * 40
# User settings that would change the output we parse.


@dataclass(frozen=True)
class Change:
    """One file a commit changed, relative to one parent. `old`/`new` are blob ids (ZERO when absent)."""

    path: str
    old: str
    new: str
    status: str  # A M D T


# One commit of RAW_LOG's listing: its sha, its parents and its changes against the first parent.
CommitChanges = tuple[str, tuple[str, ...], list[Change]]


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str  # ISO 8601 with the author's offset
    message: str
    signed: bool
    trailers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    committer_date: str = ""

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    def trailer(self, key: str) -> str | None:
        values = self.trailers.get(key) or ()
        return values[0] if values else None

    def entries(self) -> tuple[str, ...]:
        return self.trailers.get("Ledger-Entry") or ()

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_email}>"


class Git:
    """The git command line in one directory (a work tree or a bare repo)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = Path(cwd)

    def run(self, *args: str, input: bytes | None = None, ok_codes: tuple[int, ...] = (0,)) -> bytes:
        proc = git_runner.run(self.cwd, *git_runner.SAFE_CONFIG, *args, input=input, text=False)
        if proc.returncode not in ok_codes:
            raise EnvironmentProblem(
                "git_failed", detail=git_runner.last_line(proc) if proc.stderr else f"git {args[0]}"
            )
        return proc.stdout

    def text(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
        return self.run(*args, ok_codes=ok_codes).decode("utf-8", "replace").strip()

    def rev(self, name: str) -> str | None:
        out = self.text("rev-parse", "--verify", "-q", name + "^{commit}", ok_codes=(0, 1))
        return out or None

    def is_ancestor(self, older: str, newer: str) -> bool:
        return (
            git_runner.run(self.cwd, "merge-base", "--is-ancestor", older, newer, text=False).returncode == 0
        )


class Objects:
    """One long-running `git cat-file --batch`: contents by blob id or `rev:path`, None when missing."""

    GIT_OPTIONS: tuple[str, ...] = ()  # `-c` settings for the process (audit's small pack windows)

    def __init__(self, repo: Git) -> None:
        self.proc = git_runner.popen(
            repo.cwd,
            *self.GIT_OPTIONS,
            "cat-file",
            "--batch",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

        self.cache: dict[str, bytes | None] = {}

    def read(self, spec: str) -> bytes | None:
        if spec in self.cache:
            return self.cache.pop(spec)
        return self.read_many([spec])[0]

    def prefetch(self, specs: list[str]) -> None:
        """Read ahead in chunks (one round trip per 64 objects instead of one each); `read` then takes them."""
        wanted = list(dict.fromkeys(spec for spec in specs if spec != ZERO and spec not in self.cache))
        for spec, data in zip(wanted, self.read_many(wanted), strict=True):
            self.cache[spec] = data

    def read_many(self, specs: list[str]) -> list[bytes | None]:
        out: list[bytes | None] = []
        for start in range(0, len(specs), 64):  # small chunks: cat-file's stdin and stdout never both fill up
            chunk = specs[start : start + 64]
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write("".join(spec + "\n" for spec in chunk).encode("utf-8"))
            self.proc.stdin.flush()
            for _ in chunk:
                answer = read_batch_answer(self.proc.stdout)
                out.append(None if answer is None else answer[1])
        return out

    def commit(self, sha: str) -> Commit:
        raw = self.read(sha)
        if raw is None:
            raise EnvironmentProblem("git_failed", detail=f"commit {sha} is missing")
        return parse_commit(sha, raw)

    def close(self) -> None:
        # Both pipes closed, cat-file ends at once (EOF, or EPIPE on an answer nobody read), so a plain blocking
        # wait is safe; wait(timeout=…) polls in sleeps of 0.5 ms and more, a millisecond of every `log ENTRY`.
        with contextlib.suppress(Exception):
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.proc.wait()
        with contextlib.suppress(Exception):
            self.proc.kill()


def read_batch_answer(stream: IO[bytes]) -> tuple[bytes, bytes] | None:
    """One answer of `git cat-file --batch` read from `stream` (a binary file or pipe): (type, contents), or None
    when git says the object is missing. Raises EnvironmentProblem when git's output stops short."""
    header = stream.readline()
    if header.endswith((b" missing\n", b" ambiguous\n")):  # `<spec> missing`: a rev:path may hold spaces
        return None
    parts = header.split()
    if len(parts) != 3 or not header.endswith(b"\n") or not parts[2].isdigit():
        raise EnvironmentProblem("git_failed", detail="git cat-file stopped")
    size = int(parts[2])
    data = stream.read(size)
    if len(data) != size or stream.read(1) != b"\n":  # the newline after the contents
        raise EnvironmentProblem("git_failed", detail="git cat-file stopped")
    return parts[1], data


def parse_commit(sha: str, raw: bytes) -> Commit:
    head, _, body = raw.partition(b"\n\n")
    parents: list[str] = []
    author = committer = b""
    signed = False
    for line in head.split(b"\n"):
        if line.startswith(b"parent "):
            parents.append(line[7:].decode())
        elif line.startswith(b"author "):
            author = line[7:]
        elif line.startswith(b"committer "):
            committer = line[10:]
        elif line.startswith(b"gpgsig"):
            signed = True
    name, email, date = _ident(author.decode("utf-8", "replace"))
    message = body.decode("utf-8", "replace")
    committed = _ident(committer.decode("utf-8", "replace"))[2] if committer else date
    return Commit(sha, tuple(parents), name, email, date, message, signed, parse_trailers(message), committed)


def _ident(text: str) -> tuple[str, str, str]:
    import datetime as dt

    name, _, rest = text.partition(" <")
    email, _, stamp = rest.partition("> ")
    seconds, _, offset = stamp.partition(" ")
    try:
        sign = -1 if offset.startswith("-") else 1
        minutes = sign * (int(offset[1:3]) * 60 + int(offset[3:5]))
        zone = dt.timezone(dt.timedelta(minutes=minutes))
        when = dt.datetime.fromtimestamp(int(seconds), zone).isoformat()
    except (ValueError, IndexError):
        when = ""
    return name, email, when


# The listing `parse_raw_log` reads: every commit, parents first, with its raw changes against its first parent.
RAW_LOG = ("log", "--reverse", "--topo-order", "-z", "--raw", "--no-renames", "--no-abbrev", "--format=%H %P")


def log_changes(git: Git, rev_args: list[str], paths: list[str] | None = None) -> list[CommitChanges]:
    """(sha, parents, changes vs the first parent) for each commit, parents before children.

    Merge commits come with no changes: callers diff them against each parent with `merge_changes`.
    """
    out = git.run(*RAW_LOG, *rev_args, "--", *(paths or []))
    return parse_raw_log(out)


def parse_raw_log(out: bytes) -> list[CommitChanges]:
    # One import commit lists 100,000 changes: the collector would walk them at every young collection.
    with collector.paused():
        return list(raw_log_entries(iter(out.split(b"\0"))))


def raw_log_entries(tokens: Iterator[bytes], with_changes: bool = True) -> Iterator[CommitChanges]:
    """`RAW_LOG`'s answer, split at its NULs, one commit at a time: a commit line, then `:meta` and path tokens.
    `with_changes` False: the commits alone, their changes skipped."""
    current: CommitChanges | None = None
    for raw in tokens:
        token = raw.lstrip(b"\n")
        if not token:
            continue
        if token.startswith(b":"):
            path_token = next(tokens, None)
            if path_token is None:
                break
            if current is not None and with_changes:
                current[2].append(_change(token, path_token))
            continue
        if current is not None:
            yield current
        shas = token.decode().split()
        current = (shas[0], tuple(shas[1:]), [])
    if current is not None:
        yield current


def fold_moves(changes: list[Change], kinds: Iterable[str]) -> list[Change]:
    """One commit's changes with each moved entity file of `kinds` as one change: a deleted file and an added one
    holding the same id (household.move writes households/<new village>/H-….yaml and deletes the old path) become
    a change of the new path from the old blob, so the history is read (and audited) as one file's."""
    if all(change.new != ZERO for change in changes):
        return changes  # nothing deleted, nothing moved: an import's 100,000 new files are not classified
    wanted = set(kinds)
    deleted: dict[str, Change] = {}
    for change in changes:
        kind, entity = classify(change.path)
        if change.new == ZERO and kind in wanted and entity:
            deleted[entity] = change
    if not deleted:
        return changes
    folded, used = [], set()
    for change in changes:
        kind, entity = classify(change.path)
        old = deleted.get(entity or "") if change.old == ZERO and kind in wanted else None
        if old is not None and old.path != change.path and entity not in used:
            used.add(entity)
            folded.append(Change(change.path, old.old, change.new, "M"))
        else:
            folded.append(change)
    return [change for change in folded if not (change.new == ZERO and classify(change.path)[1] in used)]


def diff_trees(git: Git, old: str, new: str) -> list[Change]:
    out = git.run("diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", old, new)
    changes = []
    tokens = out.split(b"\0")
    for index in range(0, len(tokens) - 1, 2):
        meta = tokens[index].lstrip(b"\n")
        if not meta.startswith(b":"):
            continue
        changes.append(_change(meta, tokens[index + 1]))
    return changes


def _change(meta: bytes, path: bytes) -> Change:
    """One change of a raw diff (`git log --raw -z`, `git diff-tree -z`): its `:old-mode new-mode old new status`
    token and the path token after it."""
    parts = meta[1:].decode().split()
    return Change(path.decode("utf-8", "surrogateescape"), parts[2], parts[3], parts[4][:1])


def git_blob_id(content: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()  # noqa: S324 - git's object id
