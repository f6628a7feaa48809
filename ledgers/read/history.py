"""`minqing log`: who did what to an entry, when, with the field-level change, read from git.

One `git log --raw -z` lists the commits (optionally only those touching one entry's file) with the blob ids of
the files they changed; one `git cat-file --batch` reads those blobs. For an entity file, the entries a commit
added to its `history:` are the operations it recorded; replaying the history before and after each entry gives the
field-level change (`due: 2026-12-01 → 2026-12-15`). Streams show the documents a commit appended. Commits made by
hand (no trailers) are shown too, with the author as actor: an inspector wants to see those most of all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..core import ids, yamlio
from ..core.errors import LedgerError, NotFound
from ..core.kinds import KINDS, history_of
from ..core.layout import AUTHOR_DOMAIN, ENTITY_PATHSPECS, STREAM_KINDS, classify, household_path
from ..core.model import HistoryEntry
from ..core.operations import MOVABLE_KINDS
from ..core.streams import VOIDS
from ..repo.gitwalk import ZERO, Commit, CommitChanges, Git, Objects, fold_moves, log_changes
from ..repo.store import Ledger

# Shown as changes but never their keyed hashes (noise to a reader; the masked value beside them carries the news).
HIDDEN_FIELDS = {"history", "id_hash", "phone_hash"}
PII_FIELDS = {"id_number": "id_hash", "phone": "phone_hash"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class LogEntry:
    commit: str
    at: str  # when the operation happened (its history entry's `at`; else the commit's author date)
    actor: str  # Ledger-Actor, or the author's e-mail for a hand commit
    actor_name: str
    ledger_op: str  # the commit's Ledger-Op ("" for a hand commit)
    op: str  # the history op (create, assign, …) or the kind of change (append, delete, edit)
    entry: str  # the entry changed: entity id, document id, unit code or file
    path: str
    changes: tuple[FieldChange, ...]
    subject: str
    # The cadres who went on the visit this entry records (its `by`; empty for anything else): `--by` finds a
    # visit by each of them, not only by the clerk who typed it in (issue 17).
    visitors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "at": self.at,
            "actor": self.actor,
            "actor_name": self.actor_name,
            "ledger_op": self.ledger_op,
            "op": self.op,
            "entry": self.entry,
            "path": self.path,
            "subject": self.subject,
            "changes": [change.to_dict() for change in self.changes],
            "visitors": list(self.visitors),
        }


def target_of(ledger: Ledger, ref: str) -> tuple[str, str | None]:
    """(entry id, a pathspec of its file) for an id or unique prefix. A full id needs no file in the work tree, so a
    deleted entry's history is still found. Visits, activities, reviews and unit codes are found by their
    Ledger-Entry trailer instead (pathspec None)."""
    text = (ref or "").strip()
    normalized = ids.normalize(text)
    letter = normalized[:1]
    if letter in ENTITY_PATHSPECS and (len(normalized) < 2 or normalized[1] == "-"):
        entry_id = normalized if ids.is_id(normalized) else ledger.resolve(letter, text, "ID")
        return entry_id, ENTITY_PATHSPECS[entry_id[0]].format(id=entry_id)
    if text.isdigit() or ids.is_id(normalized):
        return (normalized if not text.isdigit() else text), None
    raise NotFound("not_found", kind="item", value=text)


def _entity_paths(ledger: Ledger, entry_id: str) -> list[str] | None:
    """The paths an entity's file has had, named exactly: git then reads only those (the wildcard pathspec of a
    household, households/*/H-….yaml, made git match every household file of each bulk commit, 20 ms of `log`
    at 100,000 households). An item or cadre file never moves; a household's history names each village it lived
    in (its create, then each move, as household_path places the file). None, for the wildcard, when the file is
    not in the work tree (a deleted entry) or its history cannot be read. A history hand-edited to drop a
    village would hide that path's commits here, and `audit` reports such an edit (the snapshot is not git's)."""
    rel = ledger.locate(entry_id)
    if rel is None:
        return None
    kind = classify(rel)[0]
    if kind not in MOVABLE_KINDS:
        return [rel]
    if kind != "household":
        return None
    try:
        data = yamlio.load(ledger.read_text(rel) or "")
        villages = {
            entry["fields"]["village"] for entry in data["history"] if "village" in entry.get("fields", {})
        }
    except (LedgerError, ValueError, KeyError, TypeError, AttributeError):  # YamlProblem is a ValueError
        return None
    return sorted({rel} | {household_path(str(village), entry_id) for village in villages})


def history(
    ledger: Ledger,
    ref: str | None = None,
    *,
    since: str | None = None,
    by: str | None = None,
    op: str | None = None,
    reveal: Callable[[str | None, str], str | None] | None = None,
) -> list[LogEntry]:
    """Log entries, oldest first (all of `iter_history`)."""
    return list(iter_history(ledger, ref, since=since, by=by, op=op, reveal=reveal))


# Blobs read ahead at a time: a window of commits, but never more blobs than this (one bulk import commit can
# change 100,000 files; reading them all first held them all in memory before the first line was printed).
PREFETCH_BLOBS = 2048
PREFETCH_COMMITS = 64


def iter_history(
    ledger: Ledger,
    ref: str | None = None,
    *,
    since: str | None = None,
    by: str | None = None,
    op: str | None = None,
    reveal: Callable[[str | None, str], str | None] | None = None,
) -> Iterator[LogEntry]:
    """Log entries, oldest first, as they are read: `minqing log | head` stops after its first lines. `since` a
    date, `by` a cadre id (or prefix): what the cadre did and the visits they went on; `op` a Ledger-Op
    (issue.close) or a history op (close). `reveal(digest, owner)` unmasks ID numbers and phones
    (privacy.unmasking)."""
    from ..core import fields as F

    day = F.parse_date(since, "--since") if since else None
    actor = ledger.resolve("C", by, "--by") if by else None
    rev_args = ["HEAD"]
    paths: list[str] = []
    entry_id = None
    if ref:
        entry_id, path = target_of(ledger, ref)
        if path:
            paths = _entity_paths(ledger, entry_id) or [path]
        else:
            rev_args += ["--fixed-strings", f"--grep=Ledger-Entry: {entry_id}"]
    if ledger.head() is None:
        return
    git = Git(ledger.root)
    listing = log_changes(git, rev_args, paths)
    objects = Objects(git)
    names: dict[str, str] = {}
    reader = _Reader(objects, reveal)
    found_any = False

    def wanted(item: LogEntry) -> bool:
        if entry_id and not paths and item.entry != entry_id:
            return False
        if day and item.at[:10] < day:
            return False
        if actor and item.actor != actor and actor not in item.visitors:
            return False
        return not (op and op not in (item.ledger_op, item.op) and not item.ledger_op.endswith("." + op))

    try:
        for index, (sha, parents, changes) in enumerate(listing):
            if len(parents) > 1:
                continue  # a merge adds no operation of its own; its entries are shown at their own commits
            if sha not in objects.cache:
                _read_ahead(objects, listing, index)
            commit = objects.commit(sha)
            moved = fold_moves(changes, MOVABLE_KINDS)  # 搬迁: one file's history, at its new path
            for start in range(0, len(moved), PREFETCH_BLOBS):
                chunk = moved[start : start + PREFETCH_BLOBS]
                if len(moved) > PREFETCH_BLOBS:
                    objects.prefetch([blob for c in chunk if classify(c.path)[0] for blob in (c.old, c.new)])
                for change in chunk:
                    if paths and classify(change.path)[1] != entry_id:
                        continue
                    for found in reader.describe(commit, change):
                        found_any = found_any or not (entry_id and not paths and found.entry != entry_id)
                        if not wanted(found):
                            continue
                        name = names.get(found.actor)
                        if name is None:
                            name = _cadre_name(ledger, found.actor) or found.actor_name
                            names[found.actor] = name
                        yield replace(found, actor_name=name)
                if len(moved) > PREFETCH_BLOBS:
                    objects.cache.clear()
    finally:
        objects.close()
    if entry_id and not found_any:
        kind = "unit" if entry_id.isdigit() else ids.KINDS.get(entry_id[0], "item")
        raise NotFound("not_found", kind=kind, value=ref)


def _read_ahead(objects: Objects, listing: list[CommitChanges], at: int) -> None:
    """Read the next commits and their blobs in one round of cat-file: up to PREFETCH_COMMITS commits, and only
    as many as keep the blobs under PREFETCH_BLOBS (a bigger commit reads its own blobs in chunks)."""
    objects.cache.clear()
    specs: list[str] = []
    for row_sha, parents, changes in listing[at : at + PREFETCH_COMMITS]:
        if len(parents) > 1:
            continue
        # A commit of more changes than the window reads its own blobs in chunks: an import's 100,000 files are
        # not classified here first.
        blobs = (
            [blob for c in changes if classify(c.path)[0] for blob in (c.old, c.new)]
            if len(changes) <= PREFETCH_BLOBS
            else None
        )
        if blobs is not None and len(blobs) > PREFETCH_BLOBS:
            blobs = None
        if specs and (blobs is None or len(specs) + len(blobs) > PREFETCH_BLOBS):
            break
        specs.append(row_sha)
        if blobs is not None:
            specs += blobs
    objects.prefetch(specs)


def _cadre_name(ledger: Ledger, cadre_id: str) -> str | None:
    if not ids.is_id(cadre_id, "C"):
        return None
    try:
        return ledger.cadre(cadre_id).name
    except LedgerError:
        return None


class _Reader:
    """Turns one changed file of one commit into log entries; remembers what each stream held, so its old
    documents are not parsed again at every commit."""

    def __init__(self, objects: Objects, reveal: Callable[[str | None, str], str | None] | None) -> None:
        self.objects = objects
        self.reveal = reveal
        self.seen: dict[str, tuple[str, int, set[str]]] = {}  # path -> (blob id, size, document ids)

    def describe(self, commit: Commit, change: Any) -> list[LogEntry]:
        return _describe(self, commit, change)


def _describe(reader: _Reader, commit: Commit, change: Any) -> list[LogEntry]:
    objects = reader.objects
    kind, entity = classify(change.path)
    if kind is None:
        return []
    ledger_op = commit.trailer("Ledger-Op") or ""
    claimed = commit.trailer("Ledger-Actor")
    # Trust the trailer only when git's author agrees (audit reports the others as actor_mismatch).
    actor = (
        claimed if claimed and commit.author_email == f"{claimed}@{AUTHOR_DOMAIN}" else commit.author_email
    )
    base = {
        "commit": commit.sha,
        "at": commit.author_date,
        "actor": actor,
        "actor_name": commit.author_name,
        "ledger_op": ledger_op,
        "path": change.path,
        "subject": commit.subject,
    }
    if change.new == ZERO:
        return [LogEntry(**base, op="delete", entry=entity or change.path, changes=())]
    new_raw = objects.read(change.new) or b""
    known = reader.seen.get(change.path)
    skip_old = known is not None and known[0] == change.old
    old_raw = objects.read(change.old) if change.old != ZERO and not skip_old else None
    try:
        if kind in KINDS:
            old_ids = known[2] if skip_old and known else None
            return _entity_entries(reader, change, base, kind, entity, new_raw, old_raw, old_ids)
        if kind in STREAM_KINDS:
            return _stream_entries(reader, change, base, new_raw, old_raw)
        if kind in ("config", "units"):
            return _keys_entries(base, kind, new_raw, old_raw)
    except yamlio.YamlProblem as problem:
        return [
            LogEntry(
                **base, op="edit", entry=change.path, changes=(FieldChange("file", None, problem.message),)
            )
        ]
    return [LogEntry(**base, op="edit", entry=entity or change.path, changes=())]


def _entity_entries(
    reader: _Reader,
    change: Any,
    base: dict[str, Any],
    kind: str,
    entity: str | None,
    new_raw: bytes,
    old_raw: bytes | None,
    known_ids: set[str] | None,
) -> list[LogEntry]:
    reveal = reader.reveal
    data = yamlio.load(yamlio.decode(new_raw))
    entries = history_of(data) or []
    reader.seen[change.path] = (change.new, 0, {e.id for e in entries})
    old_ids = known_ids if known_ids is not None else set()
    if known_ids is None and old_raw is not None:
        old_ids = {e.id for e in history_of(yamlio.load(yamlio.decode(old_raw))) or []}
    entity = entity or str((data or {}).get("id", ""))
    record_kind = KINDS[kind]
    out = []
    state: Any = None
    before: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        try:
            state = record_kind.apply(state, entry)
            after = record_kind.dict_with(state, entries[: index + 1])
        except (LedgerError, KeyError, TypeError, ValueError, AttributeError, IndexError):
            after = None  # a history the workflow refuses (a hand edit): show the entry's own fields instead
        if entry.id not in old_ids:
            changes = _diff(before, after, entity, reveal) if after is not None else _fields_of(entry)
            # A hand commit's entries may claim any time; the commit's own date is the more honest one.
            at = entry.at if base["ledger_op"] else base["at"]
            out.append(LogEntry(**{**base, "at": at}, op=entry.op, entry=entity, changes=tuple(changes)))
        if after is None:
            state = None
            before = {}
            continue
        before = after
    if not out and change.old != ZERO:
        old_raw = old_raw if old_raw is not None else reader.objects.read(change.old)
        # The file changed without a new history entry: a hand edit of the snapshot. Show what changed.
        old = yamlio.load(yamlio.decode(old_raw)) or {}
        changes = _diff(old, data or {}, entity, reveal) + _history_edits(old, data or {})
        out.append(LogEntry(**base, op="edit", entry=entity, changes=tuple(changes)))
    return out


def _history_edits(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Earlier history entries changed or removed by a hand edit, as `history[OPID].field` changes."""

    def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {str(e.get("id")): e for e in data.get("history") or [] if isinstance(e, dict)}

    before, after = by_id(old), by_id(new)
    changes = []
    for op_id, entry in before.items():
        if op_id not in after:
            changes.append(FieldChange(f"history[{op_id}]", entry.get("op"), None))
            continue
        flat_old, flat_new = _flatten(entry), _flatten(after[op_id])
        for key in list(flat_old) + [k for k in flat_new if k not in flat_old]:
            if flat_old.get(key) != flat_new.get(key):
                changes.append(FieldChange(f"history[{op_id}].{key}", flat_old.get(key), flat_new.get(key)))
    return changes


def _fields_of(entry: HistoryEntry) -> list[FieldChange]:
    return [FieldChange(key, None, value) for key, value in entry.fields.items() if key not in HIDDEN_FIELDS]


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if not prefix and key in HIDDEN_FIELDS:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _diff(
    before: dict[str, Any],
    after: dict[str, Any],
    owner: str,
    reveal: Callable[[str | None, str], str | None] | None,
) -> list[FieldChange]:
    old, new = _flatten(before), _flatten(after)
    changes = []
    for key in list(new) + [k for k in old if k not in new]:
        if _empty(old.get(key)) and _empty(new.get(key)):
            continue
        if old.get(key) == new.get(key):
            continue
        old_value, new_value = old.get(key), new.get(key)
        if reveal and key in PII_FIELDS:
            old_value = reveal(before.get(PII_FIELDS[key]), owner) or old_value
            new_value = reveal(after.get(PII_FIELDS[key]), owner) or new_value
        changes.append(FieldChange(key, old_value, new_value))
    return changes


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ()


def _stream_entries(
    reader: _Reader, change: Any, base: dict[str, Any], new_raw: bytes, old_raw: bytes | None
) -> list[LogEntry]:
    from ..repo.gitwalk import git_blob_id

    known = reader.seen.get(change.path)
    if known is not None and known[0] == change.old:
        size, old_ids = known[1], known[2]
    elif old_raw is not None:
        size = len(old_raw)
        old_ids = {str(d.get("id")) for d in yamlio.load_all(yamlio.decode(old_raw)) if isinstance(d, dict)}
    else:
        size, old_ids = 0, set()
    visits = classify(change.path)[0] == "visits"
    if size and git_blob_id(new_raw[:size]) == change.old:
        docs = yamlio.load_all(yamlio.decode(new_raw[size:]))  # appended only: parse just the new part
    else:
        docs = yamlio.load_all(yamlio.decode(new_raw))
    ids_now = set(old_ids)
    out = []
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        doc_id = str(doc.get("id"))
        ids_now.add(doc_id)
        if doc_id in old_ids:
            continue
        changes = tuple(
            FieldChange(key, None, value)
            for key, value in doc.items()
            if key not in ("id", "at", "recorded_by") and not _empty(value)
        )
        at = str(doc.get("at") or base["at"]) if base["ledger_op"] else base["at"]
        # A void withdraws a visit; it is the clerk's act, not a visit anyone went on.
        visitors = () if not visits or doc.get(VOIDS) else tuple(str(c) for c in doc.get("by") or ())
        out.append(
            LogEntry(**{**base, "at": at}, op="append", entry=doc_id, changes=changes, visitors=visitors)
        )
    reader.seen[change.path] = (change.new, len(new_raw), ids_now)
    return out


def _keys_entries(base: dict[str, Any], kind: str, new_raw: bytes, old_raw: bytes | None) -> list[LogEntry]:
    new = yamlio.load(yamlio.decode(new_raw)) or {}
    old = yamlio.load(yamlio.decode(old_raw)) if old_raw else {}
    old = old or {}
    if kind == "units":
        old_units = {str(u.get("code")): u for u in old.get("units") or []}
        out = []
        for unit in new.get("units") or []:
            code = str(unit.get("code"))
            if old_units.get(code) == unit:
                continue
            before = old_units.get(code) or {}
            changes = tuple(
                FieldChange(key, before.get(key), value)
                for key, value in unit.items()
                if key != "code" and before.get(key) != value
            )
            out.append(LogEntry(**base, op="add" if not before else "edit", entry=code, changes=changes))
        return out
    changes = tuple(
        FieldChange(key, old.get(key), new.get(key))
        for key in list(new) + [k for k in old if k not in new]
        if old.get(key) != new.get(key)
    )
    return [LogEntry(**base, op="edit", entry=base["path"], changes=changes)]
