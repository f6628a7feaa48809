"""Listing a directory of a commit's tree through `audit`'s one `git cat-file --batch` process.

An incremental audit (`--since` the audited mark, one new commit) is a handful of git processes, and starting one
costs more than the audit of that commit: the closings under periods/ are read from the trees themselves, over the
pipe already open, instead of by one more `git ls-tree`.
"""

from __future__ import annotations

import re

from ..repo.gitwalk import Objects

TREE_MODE = b"40000"
# Names `git ls-tree --name-only` prints as they are and `str.split` keeps whole: anything else (spaces, quotes,
# control characters, non-ASCII) is left to ls-tree itself, so the listing is exactly the one it gives.
PLAIN_NAME = re.compile(r"[A-Za-z0-9._+=@,-]+")


def tree_entries(raw: bytes) -> list[tuple[bytes, str, str]]:
    """(mode, name, object id) of each entry of a raw tree object, in tree order."""
    entries = []
    index = 0
    while index < len(raw):
        space = raw.index(b" ", index)
        nul = raw.index(b"\0", space)
        oid = raw[nul + 1 : nul + 21].hex()
        entries.append((raw[index:space], raw[space + 1 : nul].decode("utf-8", "surrogateescape"), oid))
        index = nul + 21
    return entries


def paths_under(objects: Objects, commit: str, directory: str) -> list[str] | None:
    """The files under `directory` (one level below the root) in `commit`, recursively and in tree order, as
    `git ls-tree -r --name-only commit -- directory/` lists them; None when a name is not plain (the caller then
    asks ls-tree) or a tree cannot be read."""
    commit_raw = objects.read(commit)
    if commit_raw is None or not commit_raw.startswith(b"tree "):
        return None
    root_raw = objects.read(commit_raw[5:45].decode("ascii"))
    if root_raw is None:
        return None
    top = [oid for mode, name, oid in tree_entries(root_raw) if name == directory and mode == TREE_MODE]
    if not top:
        return []
    out: list[str] = []
    return out if _walk(objects, directory, top[0], out) else None


def _walk(objects: Objects, prefix: str, oid: str, out: list[str]) -> bool:
    """Append the files of tree `oid` (at `prefix`) depth first in entry order, as ls-tree -r does."""
    raw = objects.read(oid)
    if raw is None:
        return False
    for mode, name, entry_oid in tree_entries(raw):
        if not PLAIN_NAME.fullmatch(name):
            return False
        path = f"{prefix}/{name}"
        if mode == TREE_MODE:
            if not _walk(objects, path, entry_oid, out):
                return False
        else:
            out.append(path)
    return True
