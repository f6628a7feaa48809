"""Many offices, one county ledger (DESIGN §7): the semantic merge driver, its registration, clone, sync, conflicts.

The merge functions are pure (texts in, a MergeResult out) so the driver, the tests and `audit` (which must accept
merges the driver could have produced) all use the same code:

- streams (visits, activities): the union of documents by id, written in the stable order (date, id);
- entity files (items, households, cadres, reviews): the union of the two `history:` lists by op id, each side's
  order kept and the two interleaved by (at, id); the snapshot is recomputed by replaying the merged history through
  the workflow, and an illegal replay (two different closures, a close of what the other side reopened) is a
  conflict for a person, never a silent pick;
- org/units.yaml (units by code) and minqing.yaml: three-way merge by key.

A conflict leaves the file parseable (this office's version of the conflicting document, everything else merged),
git's normal unmerged status, and a sidecar under `.git/minqing/conflicts/` holding both versions, which
`minqing conflicts` lists and `minqing resolve-conflict` settles. See docs/decisions/merge-driver.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from ..core import fields as F
from ..core import messages, yamlio
from ..core.errors import (
    BadInput,
    EnvironmentProblem,
    LedgerError,
    NotALedger,
    NotFound,
    Refused,
    Unreachable,
)
from ..core.kinds import KINDS
from ..core.layout import AUTHOR_DOMAIN, CONFIG_FILE, UNITS_FILE, classify, driver_kind
from ..core.operations import MERGE_OP, RESOLVE_OP, commit_message
from ..core.operations import subject as operation_subject
from ..repo import git
from ..repo.drivers import missing_drivers, register_merge_drivers
from ..repo.store import STATE_DIR, Ledger, atomic_write, author_env, refresh_commit_graph, tune_git
from ..repo.worktree import dirty_paths, move_to_tree, restore_files, write_untracked_cache
from . import remote as transfer

UNITS_PATH = UNITS_FILE
CONFIG_PATH = CONFIG_FILE
CONFLICT_DIR = "conflicts"  # under .git/minqing/
# Under .git/minqing/: "<head> <target>" while a sync moves the files of a merge or a fast-forward, removed once
# MERGE_HEAD (or HEAD) records the move. Found with HEAD still at <head> and no MERGE_HEAD, the move was cut short
# (a kill, a power cut): the next sync puts those files back as HEAD has them, then merges again (cut_move_undone).
MOVE_JOURNAL = "sync-move"
PUSH_ATTEMPTS = 5
SIDES = ("ours", "theirs")


class _Missing:
    """A key or document absent on one side (distinct from a present `null`)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# ================================================================ merge results


@dataclass(frozen=True)
class ConflictRecord:
    """One thing a person must decide. `ours` is this clone's version, `theirs` the incoming one.

    For entity and unparseable files `ours`/`theirs` are whole file texts; for streams they are the two versions of
    one document; for keys the two values (None = the key is absent on that side).
    """

    id: str
    path: str
    kind: str  # stream | entity | keys | file
    entry: str  # what the settling commit names in Ledger-Entry
    reason: dict[str, str]  # {"zh": …, "en": …}
    ours: Any = None
    theirs: Any = None
    base: Any = None
    ours_summary: str = ""
    theirs_summary: str = ""
    settled: str | None = None

    def reason_text(self, lang: str = "zh") -> str:
        return self.reason.get("en" if lang == "en" else "zh") or next(iter(self.reason.values()), "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "kind": self.kind,
            "entry": self.entry,
            "reason": dict(self.reason),
            "ours_summary": self.ours_summary,
            "theirs_summary": self.theirs_summary,
            "settled": self.settled,
            "ours": self.ours,
            "theirs": self.theirs,
            "base": self.base,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConflictRecord:
        return cls(
            id=str(data["id"]),
            path=str(data["path"]),
            kind=str(data["kind"]),
            entry=str(data.get("entry") or data["id"]),
            reason=dict(data.get("reason") or {}),
            ours=data.get("ours"),
            theirs=data.get("theirs"),
            base=data.get("base"),
            ours_summary=str(data.get("ours_summary") or ""),
            theirs_summary=str(data.get("theirs_summary") or ""),
            settled=data.get("settled"),
        )


@dataclass(frozen=True)
class MergeResult:
    text: str
    conflicts: tuple[ConflictRecord, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.conflicts


class Unmergeable(Exception):
    """A side is not ledger YAML the driver can reason about: the whole file becomes one conflict."""

    def __init__(self, message_key: str, **params: Any) -> None:
        super().__init__(message_key)
        self.key = message_key
        self.params = params


def _both(message_key: str, **params: Any) -> dict[str, str]:
    return {lang: messages.render(message_key, lang, **params) for lang in ("zh", "en")}


def merge_file(path: str, base: str, ours: str, theirs: str) -> MergeResult:
    """Dispatch on the path (the same mapping as .gitattributes). Never raises for bad data: it conflicts."""
    kind = driver_kind(path)
    try:
        if ours == theirs:
            return MergeResult(ours)
        if kind == "stream":
            return merge_stream(base, ours, theirs, path)
        if kind == "entity":
            return merge_entity(base, ours, theirs, path)
        if kind == "keys":
            return merge_keys(base, ours, theirs, path)
        raise Unmergeable("merge_unknown_file", path=path)
    except Unmergeable as problem:
        return _file_conflict(path, base, ours, theirs, _both(problem.key, **problem.params))


def _file_conflict(path: str, base: str, ours: str, theirs: str, reason: dict[str, str]) -> MergeResult:
    record = ConflictRecord(
        id=path,
        path=path,
        kind="file",
        entry=path,
        reason=reason,
        ours=ours,
        theirs=theirs,
        base=base,
        ours_summary=_text_summary(ours),
        theirs_summary=_text_summary(theirs),
    )
    return MergeResult(ours, (record,))


def _text_summary(text: str) -> str:
    lines = text.count("\n")
    return f"{lines} lines" if text else "(deleted)"


def _merge3(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """Plain three-way on one value: (result, conflicted). A conflict keeps ours."""
    if ours == theirs:
        return ours, False
    if ours == base:
        return theirs, False
    if theirs == base:
        return ours, False
    return ours, True


# ================================================================ streams


def stream_docs(text: str, side: str) -> dict[str, dict[str, Any]]:
    if not text.strip():
        return {}
    try:
        docs = yamlio.load_all(text)
    except yamlio.YamlProblem as problem:
        raise Unmergeable("merge_unparseable", side=side, line=problem.line, detail=problem.said) from None
    out: dict[str, dict[str, Any]] = {}
    for doc in docs:
        if not isinstance(doc, dict) or not doc.get("id"):
            raise Unmergeable("merge_unparseable", side=side, line=0, detail="a document without an id")
        doc_id = str(doc["id"])
        if doc_id in out and out[doc_id] != doc:
            raise Unmergeable("merge_duplicate_doc", side=side, entry=doc_id)
        out[doc_id] = doc
    return out


def _stream_key(doc: dict[str, Any]) -> tuple[str, str]:
    return (str(doc.get("date") or ""), str(doc["id"]))


def _doc_diff_summary(doc: Any, other: Any) -> str:
    if doc is MISSING or doc is None:
        return "(deleted)"
    keys = [key for key in doc if not isinstance(other, dict) or other.get(key) != doc.get(key)]
    return ", ".join(f"{key}={_short(doc[key])}" for key in keys) or "(same)"


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dump_stream(docs: list[dict[str, Any]]) -> str:
    return "".join(yamlio.dump_stream_doc(doc) for doc in sorted(docs, key=_stream_key))


def merge_stream(base: str, ours: str, theirs: str, path: str = "") -> MergeResult:
    """Union of documents by id in (date, id) order. A document both sides changed differently is a conflict.

    Streams are append-only, so a document missing on one side was never deleted by an operation: it is kept.
    """
    docs_b = stream_docs(base, "base")
    docs_o = stream_docs(ours, "ours")
    docs_t = stream_docs(theirs, "theirs")
    merged: list[dict[str, Any]] = []
    conflicts: list[ConflictRecord] = []
    for doc_id in dict.fromkeys([*docs_o, *docs_t]):
        o, t = docs_o.get(doc_id, MISSING), docs_t.get(doc_id, MISSING)
        if o is MISSING or t is MISSING:
            merged.append(t if o is MISSING else o)
            continue
        chosen, conflicted = _merge3(docs_b.get(doc_id, MISSING), o, t)
        merged.append(chosen)
        if conflicted:
            conflicts.append(
                ConflictRecord(
                    id=doc_id,
                    path=path,
                    kind="stream",
                    entry=doc_id,
                    reason=_both("merge_doc_changed", entry=doc_id),
                    ours=o,
                    theirs=t,
                    base=docs_b.get(doc_id),
                    ours_summary=_doc_diff_summary(o, t),
                    theirs_summary=_doc_diff_summary(t, o),
                )
            )
    return MergeResult(dump_stream(merged), tuple(conflicts))


# ================================================================ entities


def _entity_doc(text: str, side: str) -> dict[str, Any] | None:
    if not text.strip():
        return None
    try:
        data = yamlio.load(text)
    except yamlio.YamlProblem as problem:
        raise Unmergeable("merge_unparseable", side=side, line=problem.line, detail=problem.said) from None
    if not isinstance(data, dict) or not data.get("id"):
        raise Unmergeable("merge_unparseable", side=side, line=1, detail="not a mapping with an id")
    history = data.get("history") or []
    if not isinstance(history, list) or not all(isinstance(op, dict) and op.get("id") for op in history):
        raise Unmergeable(
            "merge_unparseable", side=side, line=1, detail="history: is not a list of operations"
        )
    return data


def _op_key(op: dict[str, Any]) -> tuple[Any, str]:
    at = str(op.get("at") or "")
    try:
        moment: Any = dt.datetime.fromisoformat(at)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=F.CHINA)
        moment = moment.timestamp()
    except ValueError:
        moment = float("inf")
    return (moment, str(op["id"]))


def _interleave(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge two op lists like sorted lists, taking the earlier (at, id) of the two heads and an op both hold once.

    Only heads are ever taken, so each side's own order (which is causal: an office appends to what it has) is
    kept even where timestamps disagree with it: a create and an on-the-spot resolve share a timestamp, and a
    township PC's clock can be wrong. Time only orders operations the two offices made independently.
    """
    out: list[dict[str, Any]] = []
    emitted: set[str] = set()
    i = j = 0
    while True:
        while i < len(first) and str(first[i]["id"]) in emitted:
            i += 1
        while j < len(second) and str(second[j]["id"]) in emitted:
            j += 1
        if i >= len(first) and j >= len(second):
            return out
        if j >= len(second) or (i < len(first) and _op_key(first[i]) <= _op_key(second[j])):
            chosen = first[i]
        else:
            chosen = second[j]
        out.append(chosen)
        emitted.add(str(chosen["id"]))


def merge_histories(
    base: list[dict[str, Any]], ours: list[dict[str, Any]], theirs: list[dict[str, Any]], entity: str
) -> list[dict[str, Any]]:
    """Union by op id, the two lists merged by (at, id) with each side's own order kept (see _interleave).

    An op in the base that one side no longer has was removed by a settled conflict (`resolve-conflict --take`)
    and stays removed; an op id present on both sides with different content is history rewritten: a conflict.
    """
    ids_b = {str(op["id"]) for op in base}
    by_id_o = {str(op["id"]): op for op in ours}
    by_id_t = {str(op["id"]): op for op in theirs}
    for op_id in by_id_o.keys() & by_id_t.keys():
        if by_id_o[op_id] != by_id_t[op_id]:
            raise Unmergeable("merge_op_differs", entry=entity, op=op_id)
    deleted = (ids_b - by_id_o.keys()) | (ids_b - by_id_t.keys())
    kept_o = [op for op in ours if str(op["id"]) not in deleted]
    kept_t = [op for op in theirs if str(op["id"]) not in deleted]
    return _interleave(kept_o, kept_t)


def replayer_for(path: str) -> Any:
    """The replay for this kind of entity file: history dicts → snapshot dict. None when no replay is known."""
    record_kind = KINDS.get(classify(path)[0] or "")
    return record_kind.snapshot_of_dicts if record_kind else None


def replay_history(replayer: Any, history: list[dict[str, Any]]) -> dict[str, Any]:
    """Raises _Replay with the rendered reason when the workflow forbids the merged order."""
    if not history:
        raise ReplayFailed(_both("merge_replay_empty"))
    try:
        return replayer(history)
    except LedgerError as refused:
        raise ReplayFailed({lang: refused.render(lang) for lang in ("zh", "en")}) from None
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise ReplayFailed(
            {"zh": f"操作字段不完整：{exc!r}", "en": f"an operation is malformed: {exc!r}"}
        ) from None


class ReplayFailed(Exception):
    def __init__(self, detail: dict[str, str]) -> None:
        super().__init__(detail.get("en"))
        self.detail = detail


def _ops_summary(history: list[dict[str, Any]], known: set[str], state: str | None, limit: int = 3) -> str:
    """One side's new operations, short: `…, resolve how=explained, close (C-4H2J9X 2026-11-23) → closed`."""
    new = [op for op in history if str(op["id"]) not in known]
    if not new:
        return "(no new operations)"
    parts = []
    for op in new[-limit:]:
        fields_ = op.get("fields") or {}
        shown = " ".join(
            f"{key}={_short(value, 16)}"
            for key, value in fields_.items()
            if key in ("how", "result", "to", "leader", "reason", "household", "cadre", "status")
        )
        parts.append(f"{op.get('op')}{(' ' + shown) if shown else ''}")
    last = new[-1]
    text = ("…, " if len(new) > limit else "") + ", ".join(parts)
    text += f" ({last.get('by')} {str(last.get('at') or '')[:10]})"
    return f"{text} → {state}" if state else text


def merge_entity(base: str, ours: str, theirs: str, path: str = "") -> MergeResult:
    """Union of the two histories, snapshot recomputed by replay; an illegal replay is a conflict."""
    doc_b, doc_o, doc_t = _entity_doc(base, "base"), _entity_doc(ours, "ours"), _entity_doc(theirs, "theirs")
    if doc_o is None or doc_t is None:
        raise Unmergeable("merge_deleted", path=path)
    entity = str(doc_o["id"])
    if str(doc_t["id"]) != entity:
        raise Unmergeable("merge_unparseable", side="theirs", line=1, detail=f"id {doc_t['id']} != {entity}")
    hist_b = list((doc_b or {}).get("history") or [])
    hist_o, hist_t = list(doc_o.get("history") or []), list(doc_t.get("history") or [])
    merged = merge_histories(hist_b, hist_o, hist_t, entity)
    replayer = replayer_for(path)
    if replayer is None:
        return _merge_generic_entity(doc_b or {}, doc_o, doc_t, merged, path, entity, ours)
    try:
        snapshot = replay_history(replayer, merged)
    except ReplayFailed as failed:
        known = {str(op["id"]) for op in hist_b}
        record = ConflictRecord(
            id=entity,
            path=path,
            kind="entity",
            entry=entity,
            reason={
                lang: messages.render("merge_replay", lang, entry=entity, detail=failed.detail[lang])
                for lang in ("zh", "en")
            },
            ours=ours,
            theirs=theirs,
            base=base or None,
            ours_summary=_ops_summary(hist_o, known, doc_o.get("state")),
            theirs_summary=_ops_summary(hist_t, known, doc_t.get("state")),
        )
        return MergeResult(ours, (record,))
    return MergeResult(yamlio.dump(snapshot))


def _merge_generic_entity(
    doc_b: dict[str, Any],
    doc_o: dict[str, Any],
    doc_t: dict[str, Any],
    merged: list[dict[str, Any]],
    path: str,
    entity: str,
    ours_text: str,
) -> MergeResult:
    """Entities without a replay (reviews): union of history plus a three-way merge of the snapshot keys."""
    out: dict[str, Any] = {}
    clashes = []
    for key in dict.fromkeys([*doc_o, *doc_t]):
        if key == "history":
            continue
        value, conflicted = _merge3(doc_b.get(key, MISSING), doc_o.get(key, MISSING), doc_t.get(key, MISSING))
        if conflicted:
            clashes.append(key)
        if value is not MISSING:
            out[key] = value
    out["history"] = merged
    if clashes:
        record = ConflictRecord(
            id=entity,
            path=path,
            kind="entity",
            entry=entity,
            reason=_both("merge_key_changed", name=f"{entity}: {', '.join(clashes)}"),
            ours=ours_text,
            theirs=yamlio.dump(doc_t),
            ours_summary=", ".join(f"{k}={_short(doc_o.get(k))}" for k in clashes),
            theirs_summary=", ".join(f"{k}={_short(doc_t.get(k))}" for k in clashes),
        )
        return MergeResult(ours_text, (record,))
    return MergeResult(yamlio.dump(out))


# ================================================================ keys (org/units.yaml, minqing.yaml)


def _keys_doc(text: str, side: str, path: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        data = yamlio.load(text, limit=yamlio.MAX_STREAM_BYTES)
    except yamlio.YamlProblem as problem:
        raise Unmergeable("merge_unparseable", side=side, line=problem.line, detail=problem.said) from None
    if not isinstance(data, dict):
        raise Unmergeable("merge_unparseable", side=side, line=1, detail="not a mapping")
    if path == UNITS_PATH:
        units = data.get("units") or []
        if not isinstance(units, list) or not all(isinstance(u, dict) and u.get("code") for u in units):
            raise Unmergeable("merge_unparseable", side=side, line=1, detail="units: is not a list of units")
        data = dict(data)
        data["units"] = {str(unit["code"]): unit for unit in units}
    return data


def _keys_text(data: dict[str, Any], path: str) -> str:
    if path == UNITS_PATH:
        data = dict(data)
        units = data.get("units") or {}
        data["units"] = [units[code] for code in sorted(units)]
    return yamlio.dump(data)


def _merge_tree(
    base: Any, ours: Any, theirs: Any, keypath: tuple[str, ...], leaf_depth: int | None, clashes: list
) -> Any:
    if ours == theirs:
        return ours
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    nested = (
        isinstance(ours, dict) and isinstance(theirs, dict) and (base is MISSING or isinstance(base, dict))
    )
    if nested and (leaf_depth is None or len(keypath) < leaf_depth):
        base_map = base if isinstance(base, dict) else {}
        out = {}
        for key in dict.fromkeys([*ours, *theirs]):
            value = _merge_tree(
                base_map.get(key, MISSING),
                ours.get(key, MISSING),
                theirs.get(key, MISSING),
                keypath + (str(key),),
                leaf_depth,
                clashes,
            )
            if value is not MISSING:
                out[key] = value
        return out
    clashes.append((keypath, base, ours, theirs))
    return ours


def _key_id(path: str, keypath: tuple[str, ...]) -> tuple[str, str]:
    """(conflict id, Ledger-Entry) for a key: units are named by their code."""
    if path == UNITS_PATH and len(keypath) == 2 and keypath[0] == "units":
        return f"{path}#{keypath[1]}", keypath[1]
    return f"{path}#{'/'.join(keypath)}", path


def merge_keys(base: str, ours: str, theirs: str, path: str = CONFIG_PATH) -> MergeResult:
    """Three-way merge by key: units by code (each unit one value), minqing.yaml by top-level key."""
    data_b = _keys_doc(base, "base", path)
    data_o = _keys_doc(ours, "ours", path)
    data_t = _keys_doc(theirs, "theirs", path)
    clashes: list[tuple[tuple[str, ...], Any, Any, Any]] = []
    # units: each unit is one value; minqing.yaml: each top-level key (a section such as deadlines) is one value,
    # which is also what audit checks a merge against.
    leaf_depth = 2 if path == UNITS_PATH else 1
    merged = _merge_tree(data_b or MISSING, data_o, data_t, (), leaf_depth, clashes)
    conflicts = []
    for keypath, b, o, t in clashes:
        conflict_id, entry = _key_id(path, keypath)
        conflicts.append(
            ConflictRecord(
                id=conflict_id,
                path=path,
                kind="keys",
                entry=entry,
                reason=_both("merge_key_changed", name=conflict_id),
                ours=None if o is MISSING else o,
                theirs=None if t is MISSING else t,
                base=None if b is MISSING else b,
                ours_summary="(deleted)" if o is MISSING else _short(o, 120),
                theirs_summary="(deleted)" if t is MISSING else _short(t, 120),
            )
        )
    return MergeResult(_keys_text(merged, path), tuple(conflicts))


def _set_key(data: dict[str, Any], keypath: tuple[str, ...], value: Any) -> None:
    node = data
    for key in keypath[:-1]:
        node = node.setdefault(key, {})
    if value is None:
        node.pop(keypath[-1], None)
    else:
        node[keypath[-1]] = value


# ================================================================ the driver process


def git_dir_of(start: Path) -> Path:
    """The .git directory for a working tree (a `.git` file points elsewhere in worktrees and submodules)."""
    env = os.environ.get("GIT_DIR")
    if env:
        return Path(env).resolve()
    for candidate in (start.resolve(), *start.resolve().parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                return (candidate / text[len("gitdir:") :].strip()).resolve()
    raise EnvironmentProblem("git_failed", detail=f"no .git directory above {start}")


def conflict_dir(git_dir: Path) -> Path:
    return git_dir / STATE_DIR / CONFLICT_DIR


def _sidecar_name(path: str) -> str:
    return path.replace("%", "%25").replace("/", "%2F") + ".yaml"


def write_sidecar(
    git_dir: Path, path: str, records: list[ConflictRecord] | tuple[ConflictRecord, ...]
) -> None:
    target = conflict_dir(git_dir) / _sidecar_name(path)
    if not records:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return
    data = {"path": path, "conflicts": [record.to_dict() for record in records]}
    atomic_write(target, yamlio.dump(data).encode("utf-8"))


def read_sidecars(git_dir: Path) -> dict[str, list[ConflictRecord]]:
    """path -> its conflict records (settled ones included)."""
    out: dict[str, list[ConflictRecord]] = {}
    folder = conflict_dir(git_dir)
    if not folder.is_dir():
        return out
    for entry in sorted(folder.glob("*.yaml")):
        try:
            data = yamlio.load(entry.read_text(encoding="utf-8"), limit=yamlio.MAX_STREAM_BYTES)
            out[str(data["path"])] = [ConflictRecord.from_dict(raw) for raw in data.get("conflicts") or []]
        except (OSError, yamlio.YamlProblem, KeyError, TypeError, ValueError):
            continue  # a half-written sidecar from a killed driver: the path is still unmerged in git
    return out


def clear_sidecars(git_dir: Path) -> None:
    folder = conflict_dir(git_dir)
    if folder.is_dir():
        for entry in folder.iterdir():
            with contextlib.suppress(OSError):
                entry.unlink()


def _read_side(path: str) -> str:
    raw = Path(path).read_bytes()
    try:
        return yamlio.decode(raw)
    except yamlio.YamlProblem:
        raise Unmergeable("merge_unparseable", side=path, line=0, detail="not UTF-8") from None


def run_driver(base_file: str, ours_file: str, theirs_file: str, path: str) -> int:
    """`git merge` calls this for every file both sides changed: write the result into %A, exit 0 or 1."""
    try:
        base, ours, theirs = _read_side(base_file), _read_side(ours_file), _read_side(theirs_file)
        result = merge_file(path, base, ours, theirs)
    except Unmergeable as problem:
        reason = _both(problem.key, **problem.params)
        write_sidecar(git_dir_of(Path.cwd()), path, [ConflictRecord(path, path, "file", path, reason)])
        return 1
    except Exception as exc:  # a bug must still leave a conflict a person can settle, never a lost file
        reason = {"zh": f"合并程序出错：{exc!r}", "en": f"the merge driver failed: {exc!r}"}
        write_sidecar(git_dir_of(Path.cwd()), path, [ConflictRecord(path, path, "file", path, reason)])
        return 1
    Path(ours_file).write_text(result.text, encoding="utf-8")
    write_sidecar(git_dir_of(Path.cwd()), path, result.conflicts)
    return 1 if result.conflicts else 0


# ================================================================ git helpers


def _git(ledger: Ledger, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return git.run(ledger.root, *args, env=env)


def _out(ledger: Ledger, *args: str) -> str:
    return git.output(ledger.root, *args)


def _raw(ledger: Ledger, *args: str) -> str:
    """Unstripped output: porcelain status lines start with a space that carries meaning."""
    return git.output(ledger.root, *args, strip=False)


def merge_head(ledger: Ledger) -> str | None:
    try:
        return (ledger.git_dir / "MERGE_HEAD").read_text().split()[0]
    except (OSError, IndexError):
        return None


def unmerged_paths(ledger: Ledger) -> list[str]:
    """Paths with conflict stages in the index. `ls-files -u` reads only the index; `diff --diff-filter=U` also
    stat()ed every working-tree file (0.3 s of a sync at 270,000 files)."""
    out = _out(ledger, "ls-files", "-u", "-z")
    return sorted({record.partition("\t")[2] for record in out.split("\0") if "\t" in record})


def _is_ancestor(ledger: Ledger, older: str, newer: str) -> bool:
    return _git(ledger, "merge-base", "--is-ancestor", older, newer).returncode == 0


def _branch(ledger: Ledger) -> str:
    proc = _git(ledger, "symbolic-ref", "--short", "-q", "HEAD")
    if proc.returncode != 0 or not proc.stdout.strip():
        raise EnvironmentProblem(
            "git_failed", detail="HEAD is detached; check out the ledger's branch (main)"
        )
    return proc.stdout.strip()


def _head(ledger: Ledger) -> str:
    return _out(ledger, "rev-parse", "HEAD")


def _roots(ledger: Ledger, *revs: str) -> list[str]:
    """Root commits reachable from `revs` (one `git rev-list --max-parents=0`, no per-commit work here)."""
    return _out(ledger, "rev-list", "--max-parents=0", *revs).split()


def _refuse_foreign_roots(ledger: Ledger) -> None:
    """A ledger has one root commit, its `init` (issue 14): a history with more was joined to another ledger."""
    own = _roots(ledger, "HEAD")
    if len(own) > 1:
        raise Refused("sync_foreign_root_local", count=len(own), roots=", ".join(r[:10] for r in own[:3]))


def _refuse_unrelated(ledger: Ledger, head: str, other: str, label: str) -> None:
    """Refuse to take in `other` when it holds a root commit HEAD does not: no shared history at all, or another
    ledger's history merged into it. Nothing is merged or written (the fetch only moved refs/remotes/*)."""
    new_roots = _roots(ledger, other, "--not", head)
    if not new_roots:
        return
    if _git(ledger, "merge-base", head, other).returncode != 0:
        raise Refused("sync_unrelated_remote", remote=label)
    raise Refused("sync_foreign_root_remote", remote=label, roots=", ".join(r[:10] for r in new_roots[:3]))


# ================================================================ conflicts and settling


def open_conflicts(ledger: Ledger, include_settled: bool = False) -> list[ConflictRecord]:
    """The conflicts of the merge in progress: the driver's sidecars plus any unmerged path it did not explain."""
    if merge_head(ledger) is None:
        return []
    unmerged = set(unmerged_paths(ledger))
    records: list[ConflictRecord] = []
    sidecars = read_sidecars(ledger.git_dir)
    for path, found in sidecars.items():
        for record in found:
            # A path no longer unmerged was staged by hand (git add): whatever is staged is the decision.
            settled = record.settled or (None if path in unmerged else "staged")
            if include_settled or not settled:
                records.append(replace(record, settled=settled))
    for path in sorted(unmerged - sidecars.keys()):
        reason = _both("merge_git_conflict", path=path)
        records.append(ConflictRecord(path, path, "file", path, reason))
    return records


def find_conflict(records: list[ConflictRecord], text: str) -> ConflictRecord:
    """An open conflict by its id or a unique prefix of it (case-insensitive, like entry ids)."""
    wanted = (text or "").strip().upper()
    matches = [r for r in records if r.id.upper() == wanted] if wanted else []
    if not matches and wanted:
        matches = [r for r in records if r.id.upper().startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound("no_conflict", value=text, accepted=", ".join(r.id for r in records[:10]) or "-")
    raise BadInput("no_conflict", value=text, accepted=", ".join(r.id for r in matches[:10]))


@dataclass(frozen=True)
class Settled:
    record: ConflictRecord
    take: str
    committed: str | None  # the merge commit, when this was the last open conflict
    remaining: int


def settle(ledger: Ledger, actor_text: str | None, conflict_id: str, take: str | None) -> Settled:
    """Settle one conflict with one side's version. The last one settled concludes the merge as one commit
    (`Ledger-Op: conflict.resolve`, one Ledger-Entry per settled entry)."""
    take = F.choice(take, "--take", SIDES)
    with ledger.lock():
        actor = ledger.actor(actor_text)
        ledger.config.require(actor, RESOLVE_OP)
        if merge_head(ledger) is None:
            raise BadInput("no_merge")
        record = find_conflict(open_conflicts(ledger), conflict_id)
        _apply_choice(ledger, record, take)
        remaining = open_conflicts(ledger)
        if remaining:
            return Settled(record, take, None, len(remaining))
        decided = [r for r in open_conflicts(ledger, include_settled=True) if r.settled]
        commit = _conclude_merge(ledger, actor, RESOLVE_OP, decided)
        return Settled(record, take, commit, 0)


def _apply_choice(ledger: Ledger, record: ConflictRecord, take: str) -> None:
    path = record.path
    target = ledger.root / path
    sidecars = read_sidecars(ledger.git_dir)
    if record.kind == "file" and path not in sidecars:
        stages = _out(ledger, "ls-files", "-u", "-z", "--", path)
        stage = "2" if take == "ours" else "3"
        has_stage = any(line.split()[2] == stage for line in stages.split("\0") if line.strip())
        if has_stage:
            _out(ledger, "checkout", f"--{take}", "--", path)
            _out(ledger, "add", "--", path)
        else:
            _out(ledger, "rm", "-q", "--", path)
        write_sidecar(ledger.git_dir, path, [replace(record, settled=take)])  # so the commit names it
        return
    chosen = record.ours if take == "ours" else record.theirs
    if record.kind in ("file", "entity"):
        if chosen is None or chosen == "":
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        else:
            atomic_write(target, str(chosen).encode("utf-8"))
    elif record.kind == "stream":
        current = stream_docs(ledger.read_text(path) or "", "ours")
        current[record.id] = chosen
        atomic_write(target, dump_stream(list(current.values())).encode("utf-8"))
    elif record.kind == "keys":
        data = _keys_doc(ledger.read_text(path) or "", "ours", path)
        keypath = tuple(record.id.split("#", 1)[1].split("/"))
        if path == UNITS_PATH and len(keypath) == 1 and keypath[0] not in data:
            keypath = ("units", keypath[0])
        _set_key(data, keypath, chosen)
        atomic_write(target, _keys_text(data, path).encode("utf-8"))
    found = sidecars.get(path, [])
    updated = [replace(r, settled=take) if r.id == record.id else r for r in found]
    write_sidecar(ledger.git_dir, path, updated)
    if all(r.settled for r in updated):
        if target.exists():
            _out(ledger, "add", "--", path)
        else:
            _out(ledger, "rm", "-q", "--cached", "--ignore-unmatch", "--", path)


def _conclude_merge(ledger: Ledger, actor: Any, op: str, decided: list[ConflictRecord]) -> str:
    """Commit the merge in progress through plumbing (no hooks), authored by the acting cadre, with trailers."""
    head, other = _head(ledger), merge_head(ledger)
    assert other is not None
    # write-tree refuses an index with conflict stages; only then are they looked for (another read of an index of
    # a county's 200,000 paths on every clean sync).
    written = _git(ledger, "write-tree")
    if written.returncode != 0:
        if unmerged_paths(ledger):
            raise EnvironmentProblem("git_failed", detail="unmerged paths remain")
        raise EnvironmentProblem("git_failed", detail=git.last_line(written))
    tree = written.stdout.strip()
    if op == MERGE_OP:
        entries = _both_sides_entities(ledger, head, other)
        subject = operation_subject(MERGE_OP, label=_short(_merge_label(ledger), 60))
        body = ""
    else:
        entries = list(dict.fromkeys(r.entry for r in decided))
        labels = {"ours": "采用本方版本", "theirs": "采用对方版本", "staged": "手工合并"}
        if len(decided) == 1:
            what = f"{decided[0].id} {labels.get(decided[0].settled or '', '')}"
        else:
            what = f"{len(decided)} 项"
        subject = operation_subject(RESOLVE_OP, what=what)
        body = "\n".join(f"{r.id}: {r.settled}" for r in decided)
    message = commit_message(subject + ("\n\n" + body if body else ""), op, entries, actor.id)
    author = (actor.name or actor.id, f"{actor.id}@{AUTHOR_DOMAIN}")
    env = author_env(author, F.timestamp())
    # Merges are signed like every other commit when this machine has a key for the acting cadre.
    from ..repo.signing import signing_options

    options, sign = signing_options(ledger, author[1])
    proc = _git_input(
        ledger, [*options, "commit-tree", tree, "-p", head, "-p", other, *sign, "-F", "-"], message, env
    )
    commit = proc.strip()
    _out(ledger, "update-ref", "-m", subject, "HEAD", commit, head)
    _forget_merge(ledger)
    return commit


def _forget_merge(ledger: Ledger) -> None:
    for name in ("MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "AUTO_MERGE"):
        with contextlib.suppress(FileNotFoundError):
            (ledger.git_dir / name).unlink()
    clear_sidecars(ledger.git_dir)


def _git_input(ledger: Ledger, args: list[str], stdin: str, env: dict[str, str]) -> str:
    proc = git.run(ledger.root, *args, input=stdin, env=env)
    if proc.returncode != 0:
        raise EnvironmentProblem("git_failed", detail=git.last_line(proc))
    return proc.stdout


def _merge_label(ledger: Ledger) -> str:
    try:
        text = (ledger.git_dir / "MERGE_MSG").read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError):
        return "remote"
    # git writes "Merge commit 'abc…'" or "Merge remote-tracking branch 'origin/main'"
    return text.split("'")[1] if text.count("'") >= 2 else text


def _both_sides_entities(ledger: Ledger, head: str, other: str) -> list[str]:
    """Entity files both parents changed since their merge base: the ones the driver recomputed."""
    base = _git(ledger, "merge-base", head, other).stdout.strip()
    if not base:
        return []
    mine = set(_out(ledger, "diff", "--name-only", "-z", base, head).split("\0"))
    theirs = set(_out(ledger, "diff", "--name-only", "-z", base, other).split("\0"))
    out = []
    for path in sorted((mine & theirs) - {""}):
        if driver_kind(path) == "entity" and path.endswith(".yaml"):
            out.append(Path(path).stem)
    return out


# ================================================================ clone


def _read_secret(secret_file: str) -> str:
    try:
        text = Path(secret_file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(
            "bad_secret", value=secret_file, why=getattr(exc, "strerror", None) or str(exc)
        ) from None
    try:
        if len(bytes.fromhex(text)) < 16:
            raise ValueError
    except ValueError:
        raise BadInput("bad_secret", value=secret_file, why=messages.Text("why_not_hex")) from None
    return text


def _checkout_ledger_branch(target: Path) -> bool:
    """A bare repo made with plain `git init --bare` points HEAD at `master` while offices push `main`: check out
    the branch that holds the ledger (main first)."""

    def git_in(*args: str) -> subprocess.CompletedProcess[str]:
        return git.run(target, *args)

    branches = git_in("for-each-ref", "--format=%(refname:strip=3)", "refs/remotes/origin/").stdout.split()
    for name in sorted((b for b in branches if b != "HEAD"), key=lambda b: (b != "main", b)):
        if git_in("cat-file", "-e", f"origin/{name}:{CONFIG_PATH}").returncode == 0:
            unborn = git_in("symbolic-ref", "--short", "HEAD").stdout.strip()
            if git_in("checkout", "-q", "-B", name, "--track", f"origin/{name}").returncode != 0:
                return False
            if unborn and unborn != name:
                git_in("config", "--remove-section", f"branch.{unborn}")
            return True
    return False


def clone(
    url: str,
    path: str | None = None,
    secret_file: str | None = None,
    user: str | None = None,
    progress: TextIO | None = None,
    lang: str = "zh",
) -> Any:
    """git clone + register the merge drivers + the county secret; returns (ledger, secret_copied). `progress`:
    where to draw git's transfer progress (a terminal), None for silence (cron)."""
    import shutil

    secret = _read_secret(secret_file) if secret_file else None
    target = Path(path) if path else Path(Path(url.rstrip("/")).name.removesuffix(".git") or "ledger")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BadInput("not_empty", path=str(target))
    created = not target.exists()

    def undo() -> None:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()

    try:
        transfer.clone(url, target, progress, lang)
    except transfer.TransferFailed as failed:
        undo()
        raise Unreachable("remote_unreachable", remote=url, detail=failed.detail) from None
    if not (target / CONFIG_PATH).is_file() and not _checkout_ledger_branch(target):
        undo()
        raise NotALedger("not_a_ledger_remote", url=url)
    try:
        ledger = Ledger(target.resolve())
        register_merge_drivers(ledger)
        tune_git(ledger)
        write_untracked_cache(ledger)
        refresh_commit_graph(ledger, background=True)
        if secret:
            secret_path = ledger.state_dir / "secret"
            secret_path.write_text(secret + "\n")
            secret_path.chmod(0o600)
        if user:
            cadre = ledger.cadre(user, "--user")
            ledger.git("config", "minqing.user", cadre.id)
    except BaseException:
        undo()
        raise
    return ledger, secret is not None


# ================================================================ sync


@dataclass(frozen=True)
class TownshipCount:
    code: str
    name: str
    visits: int = 0
    items: int = 0
    transitions: int = 0
    other: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "visits": self.visits,
            "items": self.items,
            "transitions": self.transitions,
            "other": self.other,
        }


@dataclass(frozen=True)
class SyncReport:
    remote: str
    branch: str
    received: int = 0  # commits that came in (merges not counted)
    sent: int = 0  # commits the remote did not have before the push
    merged: bool = False  # a merge commit was made
    fast_forward: bool = False
    pushed: bool = False
    attempts: int = 0
    drivers_registered: bool = False
    head: str = ""
    townships: tuple[TownshipCount, ...] = ()
    conflicts: tuple[ConflictRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "branch": self.branch,
            "received": self.received,
            "sent": self.sent,
            "merged": self.merged,
            "fast_forward": self.fast_forward,
            "pushed": self.pushed,
            "attempts": self.attempts,
            "head": self.head,
            "townships": [t.to_dict() for t in self.townships],
            "conflicts": [conflict_summary(c) for c in self.conflicts],
        }


def conflict_summary(record: ConflictRecord, lang: str = "zh") -> dict[str, Any]:
    return {
        "id": record.id,
        "path": record.path,
        "kind": record.kind,
        "reason": record.reason_text(lang),
        "ours": record.ours_summary,
        "theirs": record.theirs_summary,
        "settled": record.settled,
    }


def _remote_name(ledger: Ledger, remote: str | None, branch: str) -> str:
    remotes = _out(ledger, "remote").split()
    chosen = remote or (
        _git(ledger, "config", f"branch.{branch}.remote").stdout.strip() or ("origin" if remotes else "")
    )
    if chosen not in remotes:
        accepted = ", ".join(remotes) if remotes else "a remote added with git remote add NAME URL"
        raise BadInput("no_remote", value=chosen or "origin", accepted=accepted)
    return chosen


def _fetch(
    ledger: Ledger, remote: str, branch: str, progress: TextIO | None = None, lang: str = "zh"
) -> str | None:
    try:
        transfer.fetch(
            ledger.root, remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}", progress, lang
        )
    except transfer.TransferFailed as failed:
        if "couldn't find remote ref" not in failed.detail:
            raise Unreachable("remote_unreachable", remote=remote, detail=failed.detail) from None
        return None  # an empty central repo: the first push creates the branch
    found = _git(ledger, "rev-parse", "-q", "--verify", f"refs/remotes/{remote}/{branch}^{{commit}}")
    return found.stdout.strip() or None


def _working_tree_dirty(ledger: Ledger, locked: bool = True) -> list[str]:
    """Ledger files modified, staged or left untracked (a killed command): a merge must not mix them in."""
    return list(dirty_paths(ledger, locked))


def _merge(ledger: Ledger, remote_sha: str, remote_label: str, actor: Any) -> bool:
    """The merge with the drivers, left uncommitted (MERGE_HEAD). True when clean; False when conflicts wait for a
    person (then as `git merge --no-commit` leaves them: stages in the index, conflict records)."""
    clear_sidecars(ledger.git_dir)
    if _merge_clean_tree(ledger, remote_sha, remote_label):
        return True
    clear_sidecars(ledger.git_dir)  # the drivers run again below and record each conflict afresh
    env = author_env((actor.name or actor.id, f"{actor.id}@{AUTHOR_DOMAIN}"), F.timestamp())
    # git merge writes MERGE_HEAD after the files too: the paths the other side changed are the most it moves.
    _journal_move(ledger, _head(ledger), remote_sha)
    proc = _git(
        ledger,
        "-c",
        "merge.renames=false",
        "merge",
        "--no-ff",
        "--no-commit",
        "-q",
        "-m",
        f"Merge '{remote_label}'",
        remote_sha,
        env=env,
    )
    _move_recorded(ledger)
    if proc.returncode == 0:
        return True
    if merge_head(ledger) and unmerged_paths(ledger):
        return False
    if "unrelated histories" in (proc.stderr or ""):
        raise BadInput("unrelated_remote", remote=remote_label)
    raise EnvironmentProblem("git_failed", detail=git.last_line(proc))


def _fast_forward(ledger: Ledger, head: str, remote_sha: str) -> None:
    """`git merge --ff-only` without its refresh of every file's stat data (0.3 s at a county's size): the files
    that differ move (move_to_tree, or read-tree for many), refusing any a person changed, then HEAD follows, as
    git orders it."""
    if not _move_files(ledger, head, remote_sha):
        _out(ledger, "merge", "--ff-only", "-q", remote_sha)  # refused as git merge refuses, naming the file
        return
    _out(ledger, "update-ref", "-m", f"merge {remote_sha}: Fast-forward", "HEAD", remote_sha, head)
    _move_recorded(ledger)


def _move_files(ledger: Ledger, head: str, target: str) -> bool:
    """The index and working tree moved from `head` to the tree of `target`; False, with nothing changed, when a
    file that differs was changed here. MOVE_JOURNAL names the move until the caller has recorded it
    (_move_recorded)."""
    _journal_move(ledger, head, target)
    if move_to_tree(ledger, head, target):
        return True
    if _git(ledger, "read-tree", "-m", "-u", head, target).returncode == 0:
        return True
    _move_recorded(ledger)
    return False


def _journal_move(ledger: Ledger, head: str, target: str) -> None:
    atomic_write(ledger.state_dir / MOVE_JOURNAL, f"{head} {target}\n".encode())


def _move_recorded(ledger: Ledger) -> None:
    with contextlib.suppress(FileNotFoundError):
        (ledger.state_dir / MOVE_JOURNAL).unlink()


def cut_move(ledger: Ledger) -> tuple[str, str] | None:
    """(head, target) of a sync killed while it moved a merge's files: MOVE_JOURNAL, with HEAD where the move
    started and no MERGE_HEAD. None otherwise (no journal, or one whose move was recorded)."""
    try:
        head, target = (ledger.state_dir / MOVE_JOURNAL).read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return (head, target) if merge_head(ledger) is None and _head(ledger) == head else None


def cut_move_undone(ledger: Ledger) -> bool:
    """The files of a cut move (cut_move) put back as HEAD has them, so the next merge starts from a clean tree;
    the fetched commits are still there to merge. True when something was undone. Under the ledger lock."""
    found = cut_move(ledger)
    if found is not None:
        restore_files(ledger, *found)
    _move_recorded(ledger)
    return found is not None


def _merge_clean_tree(ledger: Ledger, remote_sha: str, remote_label: str) -> bool:
    """A merge that needs no person, made without `git merge`: merge-tree writes the merged tree (the same merge,
    drivers included) without touching the work tree, and only the files that differ are moved (_move_files),
    refusing any of them a person changed. `git merge` stats every file of the tree twice before it starts (its
    index refresh and the `stash create` it makes before any real merge): 0.7 s at a county's 200,000 files, more
    than the rest of a sync. MERGE_HEAD is written after the files, where `git merge --no-commit` writes it, so a sync killed
    in between is finished (or explained) the same way. False, with nothing changed, when the merge has
    conflicts or git refuses it: `git merge` then makes it the usual way and says why."""
    head = _head(ledger)
    merged = _git(
        ledger, "-c", "merge.renames=false", "merge-tree", "--write-tree", "--no-messages", head, remote_sha
    )
    if merged.returncode != 0:
        return False
    tree = merged.stdout.split("\n", 1)[0].strip()
    if not _move_files(ledger, head, tree):
        return False  # a file the merge changes was modified here: git merge names it
    atomic_write(ledger.git_dir / "MERGE_MSG", f"Merge '{remote_label}'\n".encode(), durable=False)
    atomic_write(ledger.git_dir / "MERGE_MODE", b"no-ff", durable=False)
    atomic_write(ledger.git_dir / "MERGE_HEAD", f"{remote_sha}\n".encode(), durable=False)
    _move_recorded(ledger)
    return True


def _push(ledger: Ledger, remote: str, branch: str, expected: str | None) -> bool:
    """True when pushed, False when another office pushed first (retry); raises when the remote is unreachable
    or refuses for another reason (a server hook, permissions)."""
    proc = _git(ledger, "push", "--porcelain", "-q", remote, f"HEAD:refs/heads/{branch}")
    if proc.returncode == 0:
        return True
    rejected = [line for line in proc.stdout.splitlines() if line.startswith("!")]
    if not rejected:
        raise Unreachable("remote_unreachable", remote=remote, detail=git.last_line(proc))
    detail = rejected[0].split("\t")[-1]
    if any(word in detail for word in ("non-fast-forward", "fetch first", "stale info")):
        return False
    # The branch moved between the ref advertisement and the update ("failed to update ref", "cannot lock
    # ref"): the same race seen from the server's side. Anything else is a real refusal.
    if "remote rejected" in detail and _fetch(ledger, remote, branch) != expected:
        return False
    raise EnvironmentProblem("push_refused", remote=remote, detail=detail)


def sync(
    ledger: Ledger,
    actor_text: str | None,
    remote: str | None = None,
    attempts: int = PUSH_ATTEMPTS,
    progress: TextIO | None = None,
    lang: str = "zh",
) -> SyncReport:
    """fetch → merge (never rebase: commit ids are the audit trail) → push, retrying when another office pushed
    first. A true conflict stops before the push, so the central repo is unchanged until it is settled.

    The slow part, fetching over the network, happens first without the ledger lock (it only moves
    refs/remotes/*), so clerks keep working meanwhile; the first round merges what it fetched, and a push that
    lost a race to another office fetches again."""
    # `git status` stats every file (0.4 s at a county's size): it runs while the fetch waits on the network.
    # Outside the lock it may catch another command between writing its files and committing them, so what it
    # finds is looked at again under the lock; a clean tree then is one no command of ours was writing.
    from concurrent.futures import ThreadPoolExecutor  # here: the merge driver's process imports this module

    with ThreadPoolExecutor(max_workers=1) as pool:
        early_look = pool.submit(_working_tree_dirty, ledger, False)
        fetched_target = (_remote_name(ledger, remote, _branch(ledger)), _branch(ledger))
        fetched_sha = _fetch(ledger, *fetched_target, progress, lang)
        looked_dirty = bool(early_look.result())
    with ledger.lock():
        drivers_fixed = False
        if missing_drivers(ledger):
            register_merge_drivers(ledger)
            drivers_fixed = True
        if cut_move_undone(ledger):
            looked_dirty = True  # what the early look saw was the cut move: look again
        branch = _branch(ledger)
        remote = _remote_name(ledger, remote, branch)
        start = _head(ledger)
        report = SyncReport(remote, branch, drivers_registered=drivers_fixed)
        actor_cache: list[Any] = []

        def acting() -> Any:
            if not actor_cache:
                actor = ledger.actor(actor_text)
                ledger.config.require(actor, MERGE_OP)
                actor_cache.append(actor)
            return actor_cache[0]

        _refuse_foreign_roots(ledger)
        resumed = merge_head(ledger)
        if resumed is not None:
            # A sync killed mid-merge, or conflicts settled by hand: finish it when nothing is left to decide.
            _refuse_unrelated(ledger, start, resumed, _merge_label(ledger))
            pending = open_conflicts(ledger)
            if pending:
                return replace(report, conflicts=tuple(pending), head=start)
            decided = [r for r in open_conflicts(ledger, include_settled=True) if r.settled]
            if decided:  # settled by hand (git add): still a person's decision, recorded as one
                ledger.config.require(acting(), RESOLVE_OP)
                _conclude_merge(ledger, acting(), RESOLVE_OP, decided)
            else:
                _conclude_merge(ledger, acting(), MERGE_OP, [])
            report = replace(report, merged=True)
        else:
            dirty = _working_tree_dirty(ledger) if looked_dirty else []
            if dirty:
                raise EnvironmentProblem("dirty_tree", paths=", ".join(dirty[:3]))
        for attempt in range(1, attempts + 1):
            report = replace(report, attempts=attempt)
            # The first round merges what was just fetched: had another office pushed since, the push is refused
            # as a race and the next round fetches again.
            first = attempt == 1 and fetched_target == (remote, branch)
            remote_sha = fetched_sha if first else _fetch(ledger, remote, branch)
            head = _head(ledger)
            if remote_sha and remote_sha != head and not _is_ancestor(ledger, remote_sha, head):
                _refuse_unrelated(ledger, head, remote_sha, f"{remote}/{branch}")
                if _is_ancestor(ledger, head, remote_sha):
                    _fast_forward(ledger, head, remote_sha)
                    report = replace(report, fast_forward=True)
                elif _merge(ledger, remote_sha, f"{remote}/{branch}", acting()):
                    _conclude_merge(ledger, acting(), MERGE_OP, [])
                    report = replace(report, merged=True)
                else:
                    report = replace(report, conflicts=tuple(open_conflicts(ledger)))
                    break
            head = _head(ledger)
            if remote_sha == head:
                break
            sent = int(_out(ledger, "rev-list", "--count", head, *([f"^{remote_sha}"] if remote_sha else [])))
            if _push(ledger, remote, branch, remote_sha):
                _git(ledger, "update-ref", f"refs/remotes/{remote}/{branch}", head)
                report = replace(report, pushed=True, sent=sent)
                break
        else:
            raise Unreachable("push_raced", remote=remote, attempts=attempts)
        final = _head(ledger)
        refresh_commit_graph(ledger)
        received = incoming(ledger, start, merge_head(ledger) or final)
        count = int(
            _out(ledger, "rev-list", "--count", "--no-merges", f"{start}..{merge_head(ledger) or final}")
        )
        return replace(report, head=final, townships=tuple(received), received=count)


def incoming(ledger: Ledger, old: str, new: str) -> list[TownshipCount]:
    """What came in between two commits, per township, read from the commits' trailers and paths."""
    if old == new:
        return []
    fmt = "%x1e%H%x1f%(trailers:key=Ledger-Op,valueonly,separator=%x2c)%x1f%(trailers:key=Ledger-Entry,valueonly,separator=%x2c)%x1f"
    out = _out(ledger, "log", "--no-merges", "--reverse", f"--format={fmt}", "--name-only", f"{old}..{new}")
    units = ledger.units()
    county = ledger.config.county_code
    counts: dict[str, dict[str, int]] = {}

    def township_of(code: str | None) -> str:
        return code[:9] if code and len(code) >= 9 else county

    def bump(code: str, key: str, n: int = 1) -> None:
        row = counts.setdefault(code, {"visits": 0, "items": 0, "transitions": 0, "other": 0})
        row[key] += n

    item_units: dict[str, str] = {}

    def item_township(item_id: str) -> str:
        if item_id not in item_units:
            try:
                item_units[item_id] = township_of(ledger.item(item_id).unit)
            except LedgerError:
                item_units[item_id] = county
        return item_units[item_id]

    for chunk in out.split("\x1e"):
        if not chunk.strip():
            continue
        parts = chunk.split("\x1f")
        if len(parts) < 4:
            continue
        op = parts[1].strip()
        entries = [e.strip() for e in parts[2].split(",") if e.strip()]
        files = [f for f in parts[3].split("\n") if f.strip()]
        visits = [e for e in entries if e.startswith("V-")]
        items = [e for e in entries if e.startswith("Q-")]
        if visits:
            streams = [f for f in files if f.startswith("visits/")]
            place = township_of(Path(streams[0]).stem if streams else None)
            bump(place, "visits", len(visits))
        if op in ("issue.add", "visit.add") or (op.startswith("issue.") and op.endswith(".add")):
            for item_id in items:
                bump(item_township(item_id), "items")
        elif op.startswith("issue."):
            for item_id in items:
                bump(item_township(item_id), "transitions")
        elif not visits:
            homes = [f for f in files if f.startswith("households/")]
            bump(township_of(homes[0].split("/")[1]) if homes else county, "other")
    rows = []
    for code in sorted(counts):
        unit = units.get(code)
        rows.append(TownshipCount(code, unit.name if unit else code, **counts[code]))
    return rows


__all__ = [
    "ConflictRecord",
    "MergeResult",
    "merge_file",
    "merge_stream",
    "merge_entity",
    "merge_keys",
    "merge_histories",
    "run_driver",
    "register_merge_drivers",
    "missing_drivers",
    "clone",
    "sync",
    "settle",
    "open_conflicts",
    "incoming",
]
