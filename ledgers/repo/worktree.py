"""The ledger's working tree as git sees it: ledger files left modified or untracked, and temp files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.layout import is_ledger_path
from ..repo.store import Ledger, crash_point
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
    dirty: list[str] = []
    temp: list[str] = []
    for code, rel in _entries(_porcelain(ledger, locked)):
        if is_temp_file(rel):
            temp.append(rel)
        elif _is_dirty(code, rel):
            dirty.append(rel)
    return LedgerStatus(tuple(sorted(set(dirty))), tuple(sorted(temp)))


def dirty_paths(ledger: Ledger, locked: bool = True) -> tuple[str, ...]:
    """`ledger_status(...).dirty` for a caller that needs no temp files (sync, the site). Without `--ignored` and
    with untracked folders named whole, git may use its untracked cache (`feature.manyFiles`): 0.17 s at `large`
    where every file listed took 0.33 s (0.27 s while the cache is not written yet). A folder named whole (`??
    visits/2027-01/`) is then listed file by file."""
    out = _porcelain(ledger, locked, every_file=False)
    dirty: list[str] = []
    folders: list[str] = []
    for code, rel in _entries(out):
        if code == "??" and rel.endswith("/"):
            folders.append(rel)
        elif _is_dirty(code, rel):
            dirty.append(rel)
    if folders:
        dirty += [rel for code, rel in _entries(_porcelain(ledger, locked, *folders)) if _is_dirty(code, rel)]
    return tuple(sorted(set(dirty)))


def _is_dirty(code: str, rel: str) -> bool:
    """A status entry that stops a merge: a ledger file, not a temp file, not ignored."""
    return code != "!!" and not is_temp_file(rel) and is_ledger_path(rel)


def write_untracked_cache(ledger: Ledger) -> None:
    """git's untracked cache written into the index (`feature.manyFiles` turns it on; a `git status` that may take
    the index lock writes it): dirty_paths runs without that lock, so it can read the cache but never write it. A
    new clone has none until this (0.3 s at `large`); each commit then invalidates only the folders it touched."""
    git.run(ledger.root, "status", "--porcelain", "--untracked-files=normal")


def _entries(out: str) -> Iterator[tuple[str, str]]:
    """(status code, path) of each entry of `git status --porcelain -z`."""
    entries = out.split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        if entry[0] in "RC":
            index += 1  # the rename's source path follows
        yield entry[:2], entry[3:]


def as_committed(ledger: Ledger, folder: str) -> bool:
    """Whether nothing under `folder` differs from HEAD: no file modified, staged, deleted, untracked or ignored
    (a listing that reads the folder's files then prints what the index, kept at HEAD, says they hold). Read
    without the index lock, as `ledger_status(locked=False)`."""
    return not _porcelain(ledger, False, folder)


def _porcelain(ledger: Ledger, locked: bool, *under: str, every_file: bool = True) -> str:
    """`git status` of the whole tree (or of the folders `under`), untracked and ignored files each listed; with
    `every_file` False, ignored files left out and a wholly untracked folder named once."""
    listing = ("--untracked-files=all", "--ignored=matching") if every_file else ("--untracked-files=normal",)
    return git.output(
        ledger.root,
        "status",
        "--porcelain",
        "-z",
        *listing,
        *(("--", *under) if under else ()),
        strip=False,
        env=None if locked else {"GIT_OPTIONAL_LOCKS": "0"},
    )


# Beyond this many changed files `git read-tree -m -u` is the better way: it walks the whole index once, where git
# matches pathspecs one by one.
FEW_CHANGED_FILES = 256
_REGULAR_MODES = (b"100644", b"100755")
_NO_FILE = b"000000"


def move_to_tree(ledger: Ledger, head: str, target: str) -> bool:
    """`git read-tree -m -u HEAD TARGET` for a sync's few changed files: moves the index and the working tree from
    commit `head` to `target` (a commit or a tree). read-tree walks every index entry and rebuilds the whole
    cache-tree (0.3 s at 1.1 million files) when one commit each way changes a file or two; here `diff-index` and
    `checkout TREE -- PATHS` (and `rm` for a deleted file) read the index and touch only those files. Each file is
    moved only when the index and the working tree hold it as `head` has it, and a new one is not there yet.
    False, with nothing changed, otherwise, beyond FEW_CHANGED_FILES, or for anything but regular files, or in a
    sparse checkout: read-tree then moves them, or refuses and names the file, as git does."""
    if (ledger.git_dir / "info" / "sparse-checkout").exists():
        return False  # files outside the checkout are read-tree's to leave out
    changes = _changed_files(ledger, head, target)
    if not changes:
        return changes is not None
    if len(changes) > FEW_CHANGED_FILES:
        return False
    if any({old_mode, new_mode} - {*_REGULAR_MODES, _NO_FILE} for old_mode, new_mode, _path in changes):
        return False  # a symlink or a submodule: read-tree's own rules
    root = str(ledger.root)
    if any(old_mode == _NO_FILE and _in_the_way(root, path) for old_mode, _new_mode, path in changes):
        return False
    # `diff-index HEAD` compares the commit with the working tree through the index: a change staged or not, a
    # deleted file, or stat data that moved (read-tree refuses those too) each name the file.
    paths = [path for *_modes, path in changes]
    if git.output_bytes(
        ledger.root, "--literal-pathspecs", "diff-index", "-z", "--name-only", head, "--", *paths
    ):
        return False
    # git writes the files, then the index (as read-tree does): a kill in between leaves files newer than the index,
    # which doctor recovers as it recovers a killed read-tree.
    written = [path for _old_mode, new_mode, path in changes if new_mode != _NO_FILE]
    removed = [path for _old_mode, new_mode, path in changes if new_mode == _NO_FILE]
    if written:
        git.output_bytes(ledger.root, "--literal-pathspecs", "checkout", "-q", target, "--", *written)
    if removed:  # the files, the folders they leave empty, then their index entries
        git.output_bytes(ledger.root, "--literal-pathspecs", "rm", "-q", "--", *removed)
    crash_point("move")
    return True


def restore_files(ledger: Ledger, head: str, target: str) -> None:
    """Every file that differs between commit `head` and `target` (a commit or tree) put back as `head` has it
    (put_back): the undoing of a move_to_tree or read-tree that was cut short. Beyond FEW_CHANGED_FILES the whole
    index and tree go back to `head` (`read-tree --reset -u`): git matches pathspecs one by one, and nothing but
    the move can have changed a tree a sync started on clean and every command refuses to commit on top of."""
    changes = _changed_files(ledger, head, target) or []
    kept = [path for old_mode, _new_mode, path in changes if old_mode != _NO_FILE]
    added = [path for old_mode, _new_mode, path in changes if old_mode == _NO_FILE]
    if len(changes) > FEW_CHANGED_FILES:
        git.output_bytes(ledger.root, "read-tree", "--reset", "-u", head)
        _remove_files(str(ledger.root), added)  # tracked or not, the move wrote them
    else:
        put_back(ledger, head, kept, added)


def put_back(ledger: Ledger, head: str, kept: list[str], added: list[str]) -> None:
    """Files put back, in the working tree and the index, as commit `head` has them: `kept` (which it holds) from
    it; `added` (which it lacks) out of the index, deleted, and the folders they leave empty removed."""
    if kept:
        git.output_bytes(ledger.root, "--literal-pathspecs", "checkout", "-q", head, "--", *kept)
    if added:
        git.output_bytes(
            ledger.root, "--literal-pathspecs", "rm", "-q", "--cached", "--ignore-unmatch", "--", *added
        )
        _remove_files(str(ledger.root), added)


def _changed_files(ledger: Ledger, head: str, target: str) -> list[tuple[bytes, bytes, str]] | None:
    """(old mode, new mode, path) of each file that differs between `head` and `target` (`git diff-tree -r`; a
    side without the file has mode 000000); None when git printed something else."""
    fields = git.output_bytes(
        ledger.root, "diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", head, target
    ).split(b"\0")
    changes = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            return None
        old_mode, new_mode = meta[1:].split(b" ")[:2]
        changes.append((old_mode, new_mode, os.fsdecode(path)))
    return changes


def _remove_files(root: str, paths: list[str]) -> None:
    """Each file, and the folders it leaves empty."""
    for path in paths:
        place = os.path.join(root, path)
        try:
            os.unlink(place)
        except FileNotFoundError:
            continue
        folder = os.path.dirname(place)
        while len(folder) > len(root):
            try:
                os.rmdir(folder)
            except OSError:
                break
            folder = os.path.dirname(folder)


def _in_the_way(root: str, path: str) -> bool:
    """Whether a file the move creates would overwrite something untracked: the file itself, or a file where one
    of its folders goes."""
    parts = path.split("/")
    for depth in range(1, len(parts)):
        folder = os.path.join(root, *parts[:depth])
        if os.path.lexists(folder) and not os.path.isdir(folder):
            return True
    return os.path.lexists(os.path.join(root, path))
