"""doctor: find (and with --fix repair) what a killed command, a moved venv or an interrupted sync left behind.

Each check is a small function `(ledger) -> list[Finding]`; `diagnose` collects them. Repairs run under the ledger
lock and are themselves operations: leftover files that are complete are committed as `Ledger-Op: doctor.recover`
(the interrupted command's work is kept, attributed to the cadre running doctor); incomplete ones are restored
from HEAD. Nothing here ever discards a committed change.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core import fields as F
from ..core import messages, yamlio
from ..core.errors import LedgerError, NotALedger
from ..core.kinds import history_of
from ..core.layout import AUTHOR_DOMAIN, classify, driver_kind
from ..core.operations import (
    RECOVER_OP,
    RECOVERED_ACTOR,
    RECOVERED_OP,
    commit_message,
    subject,
    visitor_trailers,
)
from ..repo import git, recovery
from ..repo.drivers import missing_drivers, register_merge_drivers
from ..repo.store import PACKING_REF, STATE_DIR, Ledger, PlumbingCommitter, lock_holder, read_pending, stale
from ..repo.worktree import LedgerStatus, ledger_status, put_back
from ..sync import sync


@dataclass(frozen=True)
class Finding:
    code: str  # drivers | lock | leftover | broken | merge | sync_move | tmp | stale_conflicts | secret | ahead | behind
    key: str  # message key
    params: dict[str, Any] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    problem: bool = True  # False: a note that needs no repair (exit code stays 0)
    fixable: bool = False
    fixed: bool = False

    def render(self, lang: str = "zh") -> str:
        return messages.render(self.key, lang, **self.params)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "problem": self.problem,
            "fixable": self.fixable,
            "fixed": self.fixed,
            "paths": list(self.paths),
            "message": self.render(lang),
        }


def _shown(paths: list[str] | tuple[str, ...], limit: int = 3) -> str:
    paths = list(paths)
    return ", ".join(paths[:limit]) + (f" …(+{len(paths) - limit})" if len(paths) > limit else "")


def open_ledger(path: str | None) -> Ledger:
    """Like Ledger.open, but also finds a ledger whose minqing.yaml a crash or a hand deleted (HEAD still has it),
    so doctor can restore it."""
    try:
        return Ledger.open(path)
    except NotALedger:
        start = Path(path or os.environ.get("MINQING_LEDGER") or os.getcwd()).resolve()
        for candidate in (start, *start.parents):
            if (candidate / ".git").is_dir():
                probe = Ledger(candidate)
                if git.run(probe.root, "cat-file", "-e", "HEAD:minqing.yaml").returncode == 0:
                    return probe
                break
        raise


# ---------------------------------------------------------------- checks


def check_drivers(ledger: Ledger) -> list[Finding]:
    missing = missing_drivers(ledger)
    if not missing:
        return []
    return [Finding("drivers", "doctor_drivers", {"names": ", ".join(missing)}, fixable=True)]


def check_lock(ledger: Ledger) -> list[Finding]:
    lock = ledger.git_dir / STATE_DIR / "lock"
    if not lock.exists():
        return []
    holder = lock_holder(lock) or "?"
    rel = f".git/{STATE_DIR}/lock"
    if stale(holder):
        return [Finding("lock", "doctor_lock_stale", {"path": rel, "holder": holder}, fixable=True)]
    parts = holder.split()
    import socket

    if len(parts) >= 2 and parts[1] == socket.gethostname():
        return [Finding("lock", "doctor_lock_live", {"holder": holder}, problem=False)]
    return [Finding("lock", "doctor_lock_foreign", {"path": rel, "holder": holder})]


def _head_text(ledger: Ledger, rel: str) -> str | None:
    proc = git.run(ledger.root, "cat-file", "blob", f"HEAD:{rel}")
    return proc.stdout if proc.returncode == 0 else None


def is_complete(ledger: Ledger, rel: str) -> bool:
    """A leftover is complete when it parses, its snapshot equals the replay of its history, and it only adds to
    what HEAD holds (an append to a stream, new operations at the end of a history)."""
    text = ledger.read_text(rel) if (ledger.root / rel).exists() else None
    if text is None:
        return False
    before = _head_text(ledger, rel)
    try:
        if driver_kind(rel) == "stream":
            docs = sync.stream_docs(text, "ours")
            old = sync.stream_docs(before or "", "base")
            return all(docs.get(doc_id) == doc for doc_id, doc in old.items())
        if driver_kind(rel) == "entity":
            data = yamlio.load(text)
            if not isinstance(data, dict) or data.get("id") != Path(rel).stem:
                return False
            history = data.get("history") or []
            if before is not None:
                old_history = (yamlio.load(before) or {}).get("history") or []
                if history[: len(old_history)] != old_history:
                    return False
            replayer = sync.replayer_for(rel)
            if replayer is None:
                return bool(history)
            snapshot = sync.replay_history(replayer, history)
            return snapshot == data
        if rel == ".gitattributes":
            return False  # written by init only; a changed one is restored
        data = yamlio.load(text, limit=yamlio.MAX_STREAM_BYTES)
        return isinstance(data, dict)
    except (yamlio.YamlProblem, sync.Unmergeable, sync.ReplayFailed, LedgerError, TypeError, KeyError):
        return False


def _writer_alive(ledger: Ledger) -> bool:
    """A live minqing command holds the lock: its journal and staged files are work in progress, not leftovers."""
    holder = lock_holder(ledger.git_dir / STATE_DIR / "lock")
    return bool(holder) and not stale(holder or "")


def check_git_locks(ledger: Ledger) -> list[Finding]:
    """git's own lock files (index.lock, refs/heads/main.lock) left by a killed git: every commit fails on them."""
    if _writer_alive(ledger):
        return []
    stale = recovery.stale_git_locks(ledger)
    if not stale:
        return []
    return [Finding("git_lock", "doctor_git_lock", {"paths": _shown(stale)}, tuple(stale), fixable=True)]


def check_packing_ref(ledger: Ledger) -> list[Finding]:
    """The throwaway commit a big import packs its objects under (store.PACKING_REF), left when the import was
    killed between two git calls: harmless to the ledger (never pushed), but a ref nobody asked for."""
    if _writer_alive(ledger) or not ledger.git("for-each-ref", "--format=%(refname)", PACKING_REF).strip():
        return []
    return [Finding("packing_ref", "doctor_packing_ref", {"ref": PACKING_REF}, fixable=True)]


def check_interrupted(ledger: Ledger) -> list[Finding]:
    """The operation a killed command left between its first write and its commit (the store's journal)."""
    if _writer_alive(ledger):
        return []
    found = recovery.interrupted(ledger)
    if found is None:
        return []
    key = "doctor_interrupted" if found.finishable else "doctor_interrupted_partial"
    params = {"subject": found.subject, "paths": _shown(found.paths)}
    return [Finding("interrupted", key, params, found.paths, fixable=True)]


def check_tree(ledger: Ledger) -> list[Finding]:
    status = ledger_status(ledger)
    claimed = set() if _writer_alive(ledger) else recovery.claimed_paths(ledger)
    if claimed:  # the journal knows exactly what these are; check_interrupted handles them
        status = LedgerStatus(tuple(rel for rel in status.dirty if rel not in claimed), status.temp)
    findings = []
    if status.temp:
        findings.append(
            Finding("tmp", "doctor_tmp", {"paths": _shown(status.temp)}, status.temp, fixable=True)
        )
    if sync.merge_head(ledger) is not None or sync.cut_move(ledger) is not None:
        return findings  # a merge stages files legitimately, a cut one too: check_merge, check_cut_move
    complete = [rel for rel in status.dirty if is_complete(ledger, rel)]
    broken = [rel for rel in status.dirty if rel not in complete]
    if complete:
        findings.append(
            Finding("leftover", "doctor_leftover", {"paths": _shown(complete)}, tuple(complete), fixable=True)
        )
    if broken:
        findings.append(
            Finding("broken", "doctor_broken", {"paths": _shown(broken)}, tuple(broken), fixable=True)
        )
    return findings


def check_cut_move(ledger: Ledger) -> list[Finding]:
    """A sync killed while it moved a merge's files: `sync` (or `doctor --fix`) puts them back first."""
    if sync.cut_move(ledger) is None:
        return []
    return [Finding("sync_move", "doctor_sync_move", fixable=True)]


def check_merge(ledger: Ledger) -> list[Finding]:
    other = sync.merge_head(ledger)
    if other is None:
        stale = sum(len(records) for records in sync.read_sidecars(ledger.git_dir).values())
        if stale:
            return [Finding("stale_conflicts", "doctor_stale_conflicts", {"count": stale}, fixable=True)]
        return []
    pending = sync.open_conflicts(ledger)
    if pending:
        return [
            Finding(
                "merge",
                "doctor_merge_conflicts",
                {"other": other[:10], "count": len(pending)},
                tuple(sorted({r.path for r in pending})),
            )
        ]
    return [Finding("merge", "doctor_merge_ready", {"other": other[:10]})]


def check_secret(ledger: Ledger) -> list[Finding]:
    if (ledger.git_dir / STATE_DIR / "secret").exists():
        return []
    return [Finding("secret", "doctor_no_secret", problem=False)]


def check_remote(ledger: Ledger) -> list[Finding]:
    """Notes only, from the last fetch (doctor never touches the network)."""
    branch = git.run(ledger.root, "symbolic-ref", "--short", "-q", "HEAD").stdout.strip()
    remote = git.run(ledger.root, "config", f"branch.{branch}.remote").stdout.strip() or "origin"
    tracking = f"refs/remotes/{remote}/{branch}"
    if not branch or git.run(ledger.root, "rev-parse", "-q", "--verify", tracking).returncode != 0:
        return []
    counts = git.output(ledger.root, "rev-list", "--left-right", "--count", f"HEAD...{tracking}").split()
    ahead, behind = int(counts[0]), int(counts[1])
    out = []
    if ahead:
        out.append(Finding("ahead", "doctor_ahead", {"count": ahead, "remote": remote}, problem=False))
    if behind and sync.merge_head(ledger) is None:
        out.append(Finding("behind", "doctor_behind", {"count": behind, "remote": remote}, problem=False))
    return out


CHECKS = (
    check_drivers,
    check_lock,
    check_git_locks,
    check_packing_ref,
    check_interrupted,
    check_cut_move,
    check_merge,
    check_tree,
    check_secret,
    check_remote,
)


def diagnose(ledger: Ledger) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(ledger))
    return findings


# ---------------------------------------------------------------- repairs


def fix(ledger: Ledger, actor_text: str | None = None) -> list[Finding]:
    """Repair every fixable finding; returns the findings with `fixed` set (and the repair's own message)."""
    findings = diagnose(ledger)
    done: list[Finding] = []
    for finding in findings:
        if finding.code == "lock" and finding.fixable:
            with contextlib.suppress(FileNotFoundError):
                (ledger.git_dir / STATE_DIR / "lock").unlink()
            done.append(replace(finding, key="doctor_lock_stale_fixed", fixed=True))
    remaining = [f for f in findings if not (f.code == "lock" and f.fixable)]
    with ledger.lock():
        for finding in remaining:
            if not finding.fixable:
                done.append(finding)
            elif finding.code == "drivers":
                register_merge_drivers(ledger)
                done.append(replace(finding, key="doctor_drivers_fixed", fixed=True))
            elif finding.code == "tmp":
                for rel in finding.paths:
                    with contextlib.suppress(FileNotFoundError):
                        (ledger.root / rel).unlink()
                done.append(replace(finding, key="doctor_tmp_fixed", fixed=True))
            elif finding.code == "sync_move":
                sync.cut_move_undone(ledger)
                done.append(replace(finding, key="doctor_sync_move_fixed", fixed=True))
            elif finding.code == "stale_conflicts":
                sync.clear_sidecars(ledger.git_dir)
                done.append(replace(finding, key="doctor_stale_conflicts_fixed", fixed=True))
            elif finding.code == "broken":
                _restore(ledger, finding.paths)
                done.append(replace(finding, key="doctor_broken_fixed", fixed=True))
            elif finding.code == "leftover":
                done.append(_recover(ledger, finding, actor_text))
            elif finding.code == "git_lock":
                recovery.remove_git_locks(ledger, list(finding.paths))
                done.append(replace(finding, key="doctor_git_lock_fixed", fixed=True))
            elif finding.code == "interrupted":
                done.append(_settle_interrupted(ledger, finding))
            elif finding.code == "packing_ref":
                ledger.git("update-ref", "-d", PACKING_REF)
                done.append(replace(finding, key="doctor_packing_ref_fixed", fixed=True))
            else:
                done.append(finding)
        if recovery.interrupted(ledger) is None:
            recovery.forget(ledger)  # a journal whose commit landed before the kill, or that was just settled
    return done


def _settle_interrupted(ledger: Ledger, finding: Finding) -> Finding:
    found = recovery.interrupted(ledger)  # again, under the lock
    if found is None:
        return replace(finding, fixed=True)
    if found.finishable:
        commit = recovery.finish(ledger, found)
        params = {"subject": found.subject, "commit": commit[:10]}
        return replace(finding, key="doctor_interrupted_fixed", params=params, fixed=True)
    recovery.undo(ledger, found)
    params = {"subject": found.subject, "paths": _shown(found.paths)}
    return replace(finding, key="doctor_interrupted_partial_fixed", params=params, fixed=True)


def _restore(ledger: Ledger, paths: tuple[str, ...]) -> None:
    kept = [rel for rel in paths if _head_text(ledger, rel) is not None]
    put_back(ledger, "HEAD", kept, [rel for rel in paths if rel not in kept])


def _recover(ledger: Ledger, finding: Finding, actor_text: str | None) -> Finding:
    try:
        actor = ledger.actor(actor_text)
        ledger.config.require(actor, "doctor.recover")
    except LedgerError:
        return replace(finding, key="doctor_needs_actor", params={})
    paths = list(finding.paths)
    entries, actors, visits = _entries(ledger, paths)
    # A recovered entry is attributed to the cadre who commits it, or to the one the crash journal recorded;
    # anyone else's entries wait for that cadre (audit flags a recovery in another's name).
    pending = read_pending(ledger) or {}
    journal_actor = pending.get("actor") if isinstance(pending.get("actor"), str) else None
    others = sorted(actors - {actor.id, journal_actor})
    if others:
        return replace(finding, key="doctor_recover_others", params={"actors": ", ".join(others)})
    # Unstage first: the committer refuses staged leftovers, and the commit below records exactly these paths.
    git.run(ledger.root, "reset", "-q", "--", *paths)
    writes: dict[str, bytes | None] = {}
    for rel in paths:
        target = ledger.root / rel
        writes[rel] = target.read_bytes() if target.exists() else None
    extra = []
    if journal_actor and journal_actor != actor.id:
        extra = [(RECOVERED_OP, str(pending.get("op", ""))), (RECOVERED_ACTOR, journal_actor)]
    extra += visitor_trailers(visits)  # a recovered visit names its visitors like its own commit would
    message = commit_message(
        subject(RECOVER_OP, paths=_shown(paths, 2)), RECOVER_OP, entries, actor.id, extra
    )
    author = (actor.name or actor.id, f"{actor.id}@{AUTHOR_DOMAIN}")
    PlumbingCommitter(ledger).commit(writes, message, author, F.timestamp())
    head = ledger.head() or ""
    return replace(
        finding,
        key="doctor_leftover_fixed",
        params={"commit": head[:10], "paths": finding.params.get("paths", "")},
        fixed=True,
    )


def _entries(ledger: Ledger, paths: list[str]) -> tuple[list[str], set[str], list[dict[str, Any]]]:
    """The entries a recovery records (entity ids from file names, new document ids in streams), the cadres
    who made the new history entries and documents, and the visit documents it appends."""
    out: list[str] = []
    actors: set[str] = set()
    visits: list[dict[str, Any]] = []
    for rel in paths:
        if driver_kind(rel) == "stream":
            before = sync.stream_docs(_head_text(ledger, rel) or "", "base")
            now = sync.stream_docs(ledger.read_text(rel) or "", "ours")
            added = [doc_id for doc_id in now if doc_id not in before]
            out.extend(added)
            actors |= {
                str(now[doc_id].get("recorded_by")) for doc_id in added if now[doc_id].get("recorded_by")
            }
            if classify(rel)[0] == "visits":
                visits += [now[doc_id] for doc_id in added]
        elif driver_kind(rel) == "entity":
            out.append(Path(rel).stem)
            old_ids = {entry.id for entry in history_of(_yaml_or_none(_head_text(ledger, rel))) or []}
            new = history_of(_yaml_or_none(ledger.read_text(rel))) or []
            actors |= {entry.by for entry in new if entry.id not in old_ids}
        else:
            out.append(rel)
    return list(dict.fromkeys(out)), actors, visits


def _yaml_or_none(text: str | None) -> Any:
    try:
        return yamlio.load(text) if text else None
    except yamlio.YamlProblem:
        return None


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(f.problem and not f.fixed for f in findings) else 0


__all__ = ["Finding", "diagnose", "fix", "exit_code", "is_complete"]
