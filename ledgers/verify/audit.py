"""`minqing audit`: replay the git history commit by commit and flag every change that is not exactly what its
recorded operation allows (DESIGN §5, issue 5).

For each commit the parent's state is the reference: the entity files as they were, and minqing.yaml and the cadre
files as of the parent (who existed, with which role and keys). Each touched file is checked on its own (history
only grows, snapshot = replay of history, streams only grow by appended documents, nothing is deleted), then the
commit as a whole against its `Ledger-Op` row in `OPS` (which files, which history ops, which actor, which role).

The trust boundaries (issue 14): every commit carries the trailers, whatever it touches (an empty commit too); a path
outside the layout (`layout.is_ledger_path` false) may be added, changed or deleted only when it matches a pattern of
the parent's `allowed_paths` (`wildmatch`); and the ledger has one root commit, its `init`. A second root is
`foreign_root`, a merge joining a history without the ledger's root is `unrelated_merge`, and what such a merge brings
in (cadres, keys, items, any file) is `foreign_file`: it is not added to the state, so the foreign cadres' later
operations are by unknown actors. Roots are read from the commit listing the walk makes anyway (no extra git query).

Findings are values, not exceptions: `audit` never stops at the first problem.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import fields as F
from ..core import ids, messages, periods, pii, yamlio
from ..core import streams as S
from ..core.config import Config
from ..core.errors import EnvironmentProblem, LedgerError, Refused
from ..core.keys import fingerprint
from ..core.kinds import KINDS, history_of
from ..core.layout import AUTHOR_DOMAIN, ENTITY_KINDS, STREAM_KINDS, UNITS_FILE, classify, is_ledger_path
from ..core.model import Cadre, HistoryEntry
from ..core.operations import (
    INIT_OP,
    MERGE_OP,
    MOVABLE_KINDS,
    OPS,
    RECOVERED_ACTOR,
    RESOLVE_OP,
    TRAILER_KEYS,
    VISITOR,
    OpRule,
    fields_not_allowed,
    missing_trailers,
    permission_of,
    visitor_trailers,
)
from ..core.orgtree import department_county
from ..core.periods import Closing
from ..core.registers import PARENT_LEVEL
from ..repo.gitwalk import (
    ZERO,
    Change,
    Commit,
    CommitChanges,
    Git,
    diff_trees,
    fold_moves,
    git_blob_id,
)
from .audit_log import BoundedObjects, CommitLog
from .audit_seen import HistorySeen, StreamIds, entries_digest, entry_reprs, pack_ids
from .audit_trees import paths_under

MARK_REF = "refs/minqing/audited"
# judged by what they change in org/units.yaml
UNIT_OPS = ("org.add", "org.import", "org.rename", "org.alias", "org.merge")
# How far before its parent a commit or an entry may be dated: office PCs' clocks drift by minutes, a backdated
# closure is days. (docs/guide/inspecting-history.md)
CLOCK_TOLERANCE = dt.timedelta(minutes=15)
WINDOW = 64  # commits whose objects are read ahead together
# At most this many objects and bytes are read ahead: a bulk commit's files are read as they are checked, a chunk at
# a time, so a 2 GB commit never sits in memory whole.
READ_AHEAD = 512
READ_AHEAD_BYTES = 32 << 20
CHUNK = 128  # a big commit's changes read ahead together
# Parsed blobs kept for reuse (minqing.yaml, units, cadres, periods, merge sides); entity and stream files are not
# kept: what later commits need of them is in `histories` and `stream_ids`.
PARSED_KEPT = 2000
# ... and at most this much of their text (the parsed data is several times that): org/units.yaml changes with every
# unit added, and 733 kept versions of a county's were ~130 MB.
PARSED_TEXT_KEPT = 4 << 20
# Entity files whose replayed state is kept (Auditor.replayed), the most recently touched.
REPLAYED_KEPT = 4096


# ---------------------------------------------------------------- findings


@dataclass(frozen=True, slots=True)  # slots: a bulk commit can have a finding per file
class Finding:
    commit: str
    author: str
    path: str
    code: str
    message: str
    line: int = 0

    def render(self) -> str:
        where = f" {self.path}" + (f":{self.line}" if self.line else "") if self.path else ""
        by = f" ({self.author})" if self.author else ""
        return f"{self.commit[:10]}{where}: {self.code}: {self.message}{by}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "author": self.author,
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class AuditResult:
    findings: tuple[Finding, ...]
    commits: int  # commits examined
    head: str | None
    since: str | None

    @property
    def ok(self) -> bool:
        return not self.findings


# ---------------------------------------------------------------- state as of a commit


@dataclass
class State:
    """minqing.yaml and the cadres as of one commit. Cadres not yet seen are read lazily from `base`."""

    base: str | None
    config: Config
    cadres: dict[str, Cadre | None]
    pending: int = (
        0  # commits still to be audited on top of this state; 1 = the next one may change it in place
    )
    # Reporting periods (issue 15): period file path -> its closing; None until read from `base`'s tree.
    closings: dict[str, Closing] | None = None

    def copy(self) -> State:
        return State(
            self.base,
            self.config,
            dict(self.cadres),
            closings=None if self.closings is None else dict(self.closings),
        )


# ---------------------------------------------------------------- one touched file


@dataclass
class Touched:
    path: str
    kind: str
    entity: str | None = None
    old: str = ZERO
    new: str = ZERO
    added: list[HistoryEntry] = field(default_factory=list)
    steps: list[tuple[Any, HistoryEntry]] = field(
        default_factory=list
    )  # (state before, entry) per added entry
    docs: list[dict[str, Any]] = field(default_factory=list)
    created: bool = False
    usable: bool = True  # False when a structural problem makes op checks meaningless
    text: str = ""
    data: Any = None
    old_data: Any = None
    # entry and document id -> its line in `text`, for the commit-level findings once `text` is let go (`kept`)
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, needle: str) -> int:
        if needle in self.lines:
            return self.lines[needle]
        return _line_of(self.text, needle)

    def kept(self) -> Touched:
        """What the commit-level checks still read of this file once its own checks are done, so a commit of many
        files does not hold all their texts and parsed data: the line of each new entry or document instead of the
        text, and the parsed data only of the files whose content is compared as a whole (init cadre, units,
        config)."""
        needles = [entry.id for entry in self.added] + [entry.id for _, entry in self.steps]
        needles += [str(doc.get("id")) for doc in self.docs]
        self.lines = {needle: _line_of(self.text, needle) for needle in needles}
        self.text = ""
        if self.kind not in ("cadre", "config", "units"):
            self.data = None
        return self


class Auditor:
    def __init__(self, git: Git, lang: str = "zh", check_signatures: bool = True) -> None:
        self.git = git
        self.lang = lang
        self.check_signatures = check_signatures
        self.objects = BoundedObjects(git)
        self.findings: list[Finding] = []
        # Findings share their message and author strings: a bulk commit has one finding per file, alike.
        self.messages: dict[tuple[Any, ...], str] = {}
        self.authors: dict[str, str] = {}  # each author's text, once
        self.states: dict[str, State] = {}
        self.boundary: dict[str, State] = {}
        self.parsed: dict[str, tuple[Any, str, str | None]] = {}  # blob id -> (data, text, error)
        self.parsed_text = 0  # characters of text in `parsed`
        self.histories: dict[str, HistorySeen] = {}  # entity file path -> its blob last checked, summarised
        # entity file path -> (its blob last replayed, how many entries, the state they replay to)
        self.replayed: dict[str, tuple[str, int, Any]] = {}
        self.stream_sizes: dict[str, tuple[str, int]] = {}  # path -> (blob id, size) last seen
        self.stream_ids: dict[str, StreamIds] = {}  # path -> (blob id, document ids in it)
        self.merge_moves: dict[str, str] = {}  # org.merge being judged: retired code -> where it went
        self.times: dict[
            str, dt.datetime
        ] = {}  # commit -> its author time (the parent's, for the clock rule)
        self.parent_time: dt.datetime | None = None  # of the commit being audited
        self._backdated: dict[str, bool] = {}  # entry time -> before parent_time beyond the tolerance
        self._backdated_for: dt.datetime | None = None
        self.sign_checks: list[tuple[Commit, str, frozenset[str]]] = []
        self.signers: dict[str, set[str]] = {}
        self.commits = 0
        # The ledger's root (issue 14): root commits in the range that are not the ledger's, and the commits whose
        # history does not hold the ledger's root (filled while walking, only when there is a foreign root).
        self.ledger_root: str | None = None
        self.foreign_roots: set[str] = set()
        self.foreign: set[str] = set()

    # ------------------------------------------------------------ driver

    def run(
        self,
        rev_args: list[str],
        root_below: list[str] | None = None,
        anchor: str | None = None,
        log: CommitLog | None = None,
    ) -> list[Finding]:
        """Audit the commits `rev_args` list, parents first (`log`: their listing, when already read).

        root_below: revisions below the range that hold the ledger's root (`--since`; a push into a repo that has
        refs: `--all`), so every root commit in the range is foreign. Otherwise the ledger's root is the one
        `anchor`'s first-parent line reaches (the audited mark, or HEAD), and any other root is foreign."""
        try:
            if log is None:
                log = CommitLog(self.git, rev_args)
            self._find_roots(log, root_below, anchor)
            # commit -> its children in the range not yet audited: its state is dropped after the last one. A commit
            # is listed before its children, so when it is audited this is still the count of all its children.
            remaining = log.children
            for window in log.windows(WINDOW):
                start = 0
                while start < len(window):
                    end = self._prefetch(window, start)
                    for sha, parents, changes in window[start:end]:
                        self._walk_one(sha, parents, changes, remaining)
                    start = end
            self._verify_signatures()
        finally:
            self.objects.close()
            if log is not None:
                log.close()
        return self.findings

    def _walk_one(
        self, sha: str, parents: tuple[str, ...], changes: list[Change], remaining: dict[str, int]
    ) -> None:
        commit = self.objects.commit(sha)
        self.commits += 1
        ours = parents
        if self.foreign_roots:
            ours = self._walk_root(commit)
        parent_state = self._state_of(ours[0]) if ours else _fresh()
        if len(parents) > 1:
            new_state = self._merge(commit, parent_state)
        else:
            new_state = self._commit(commit, changes, parent_state, in_place=parent_state.pending <= 1)
        for parent in parents:
            if parent in self.states:
                self.states[parent].pending -= 1
            left = remaining.get(parent, 1) - 1
            if left <= 0:
                remaining.pop(parent, None)
                self.states.pop(parent, None)
                self.times.pop(parent, None)
            else:
                remaining[parent] = left
        new_state.pending += remaining.get(sha, 0)
        self.states[sha] = new_state

    def _prefetch(self, listing: list[CommitChanges], start: int) -> int:
        """Read ahead the objects of the commits from `start` on (up to WINDOW commits, READ_AHEAD objects);
        returns where the window ends. A commit too big for a window has its files read as it is checked."""
        self.objects.cache.clear()  # whatever the last window fetched and nobody read (summarised elsewhere)
        specs: list[str] = []
        # path -> blob a commit of this window writes (the parent version of the next commit touching it)
        written: dict[str, str] = {}
        end = start
        for sha, _, changes in listing[start : start + WINDOW]:
            blobs = self._blobs_wanted(changes, written)
            if end > start and len(specs) + 1 + len(blobs) > READ_AHEAD:
                break
            specs.append(sha)
            if len(blobs) <= READ_AHEAD:
                specs += blobs
            end += 1
        self._read_ahead(specs)
        return end

    def _blobs_wanted(self, changes: list[Change], written: dict[str, str] | None = None) -> list[str]:
        """The blobs checking `changes` reads: each new version, and the parent's version when what audit
        remembers of the path is not that blob (`written`: blobs earlier commits of a read-ahead window write)."""
        specs = []
        for change in changes:
            kind = classify(change.path)[0]
            if kind is None:
                continue
            if change.new != ZERO:
                specs.append(change.new)
            old, written_here = change.old, written is not None and written.get(change.path) == change.old
            if written is not None:
                written[change.path] = change.new
            if old == ZERO or written_here:
                continue
            if kind in STREAM_KINDS:
                if change.path not in self.stream_sizes:
                    specs.append(old)
            elif kind in ENTITY_KINDS:
                seen = self.histories.get(change.path)
                if seen is None or seen.blob != old:
                    specs.append(old)
            elif old not in self.parsed:
                specs.append(old)
        return specs

    def _read_ahead(self, specs: list[str]) -> None:
        """Prefetch `specs` in chunks until READ_AHEAD_BYTES are waiting; the rest are read when asked for."""
        waiting = 0
        for begin in range(0, len(specs), 64):
            if waiting > READ_AHEAD_BYTES:
                return
            chunk = [spec for spec in specs[begin : begin + 64] if spec not in self.objects.cache]
            self.objects.prefetch(chunk)
            waiting += sum(len(self.objects.cache.get(spec) or b"") for spec in chunk)

    def _find_roots(self, log: CommitLog, root_below: list[str] | None, anchor: str | None) -> None:
        roots = log.roots
        if root_below is not None:
            self.foreign_roots = set(roots)
            if roots:  # rare (an attack): only then is the ledger's own root looked up, to be named
                below = self.git.text("rev-list", "--max-parents=0", *root_below).split()
                self.ledger_root = below[0] if below else None
            return
        if len(roots) <= 1:
            self.ledger_root = roots[0] if roots else None
            return
        parents_of = dict(log.headers())  # several roots (an attack): only then is the whole graph held
        start = anchor if anchor in parents_of else log.last
        while parents_of.get(start):
            start = parents_of[start][0]
        self.ledger_root = start
        self.foreign_roots = set(roots) - {start}

    def _walk_root(self, commit: Commit) -> tuple[str, ...]:
        """Record whether `commit` holds the ledger's root in its history; flag a foreign root and a merge that joins
        a foreign history. Returns the parents on the ledger's side (all of them when the commit is foreign)."""
        parents = commit.parents
        if not parents:
            if commit.sha in self.foreign_roots:
                self.foreign.add(commit.sha)
                self._find(commit, "", "foreign_root", root=(self.ledger_root or "-")[:10])
            return parents
        ours = tuple(parent for parent in parents if parent not in self.foreign)
        if not ours:
            self.foreign.add(commit.sha)
            return parents
        for parent in parents:
            if parent in self.foreign:
                self._find(commit, "", "unrelated_merge", parent=parent[:10])
        return ours

    def pending(self, commit: Commit, changes: list[Change]) -> list[Finding]:
        """Audit one commit object that is not on any branch yet (the commit-msg hook)."""
        try:
            base = commit.parents[0] if commit.parents else None
            state = self._state_of(base) if base else _fresh()
            if len(commit.parents) > 1:
                for parent in commit.parents:
                    if parent in self.foreign:  # set by audit_pending: a side holding a root HEAD does not
                        self._find(commit, "", "unrelated_merge", parent=parent[:10])
                self._merge(commit, state)
            else:
                self._commit(commit, changes, state, in_place=False)
        finally:
            self.objects.close()
        return self.findings

    # ------------------------------------------------------------ helpers

    def _find(
        self, commit: Commit, path: str, code: str, line: int = 0, message_key: str = "", **params: Any
    ) -> None:
        key = message_key or f"audit_{code}"
        try:
            shown = (key, *sorted(params.items()))
            message = self.messages.get(shown) or self.messages.setdefault(
                shown, messages.render(key, self.lang, **params)
            )
        except TypeError:  # a parameter that is not hashable: rendered, not shared
            message = messages.render(key, self.lang, **params)
        if len(self.messages) > PARSED_KEPT:
            self.messages.clear()
        author = commit.author
        author = self.authors.setdefault(author, author)
        self.findings.append(Finding(commit.sha, author, path, code, message, line))

    def _parse(self, oid: str, stream: bool = False, keep: bool = True) -> tuple[Any, str, str | None]:
        """(data, text, error) of a blob; kept for reuse unless `keep` is False (entity and stream files: what a
        later commit needs of them is summarised, and a county's worth of them does not fit in memory)."""
        if oid in self.parsed:
            return self.parsed[oid]
        raw = self.objects.read(oid)
        result: tuple[Any, str, str | None]
        if raw is None:
            result = (None, "", f"blob {oid[:10]} is missing")
        else:
            try:
                text = yamlio.decode(raw)
                data = yamlio.load_all(text) if stream else yamlio.load(text)
                result = (data, text, None)
            except yamlio.YamlProblem as problem:
                result = (None, "", f"line {problem.line}: {problem.message}")
        if not keep:
            return result
        if len(self.parsed) > PARSED_KEPT or self.parsed_text > PARSED_TEXT_KEPT:
            self.parsed.clear()
            self.parsed_text = 0
        self.parsed[oid] = result
        self.parsed_text += len(result[1])
        return result

    def _state_of(self, sha: str) -> State:
        if sha in self.states:
            return self.states[sha]
        if sha not in self.boundary:
            config_raw = self.objects.read(f"{sha}:minqing.yaml")
            config = Config.from_file_data(None)
            if config_raw is not None:
                try:
                    config = Config.from_file_data(yamlio.load(yamlio.decode(config_raw)))
                except yamlio.YamlProblem:
                    pass
            # Never changed in place: several commits of a push may start from the same boundary commit.
            self.boundary[sha] = State(sha, config, {}, pending=1 << 30)
        return self.boundary[sha]

    def _closings(self, state: State) -> dict[str, Closing]:
        """The closings of `state` (read from its base commit's tree the first time they are needed)."""
        if state.closings is None:
            state.closings = {}
            if state.base:
                paths = paths_under(self.objects, state.base, "periods")
                if paths is None:  # a name ls-tree would quote or split: its own listing, as it gives it
                    paths = self.git.text(
                        "ls-tree", "-r", "--name-only", state.base, "--", "periods/"
                    ).split()
                for path in paths:
                    raw = self.objects.read(f"{state.base}:{path}")
                    try:
                        data = yamlio.load(yamlio.decode(raw or b""))
                    except yamlio.YamlProblem:
                        continue
                    if isinstance(data, dict):
                        state.closings[path] = _closing_from(data)
        return state.closings

    def _check_periods(self, commit: Commit, op: str, touched: list[Touched], state: State) -> None:
        """Nothing dated inside a closed period may be recorded without the 补录 marker (issue 15): stream
        documents, items registered, corrections and voids of items registered in such a month."""
        if op.startswith("period.") or not any(t.kind in STREAM_KINDS or t.kind == "item" for t in touched):
            return
        closings = list(self._closings(state).values())
        if not closings:
            return
        dated: list[tuple[str, str, str, bool]] = []  # (path, what, day, unit, late)
        for item in touched:
            if item.kind in STREAM_KINDS:
                for doc in item.docs:
                    unit = str(doc.get("unit") or doc.get("village") or "")
                    dated.append(
                        (item.path, str(doc.get("id")), str(doc.get("date", "")), unit, bool(doc.get("late")))
                    )
            elif item.kind == "item":
                for before, entry in item.steps:
                    if entry.op == "create":
                        day, unit = (
                            str(entry.fields.get("created") or entry.at[:10]),
                            str(entry.fields.get("unit")),
                        )
                    elif entry.op in ("edit", "void") and before is not None:
                        day, unit = before.created, str(entry.fields.get("unit") or before.unit)
                    else:
                        continue
                    dated.append((item.path, entry.id, day, unit, bool(entry.fields.get("late"))))
        for path, what, day, unit, late in dated:
            closing = periods.blocking(closings, day, unit)
            if closing is not None and not late:
                self._find(
                    commit, path, "period_closed", what=what, day=day, month=closing.month, unit=closing.unit
                )

    def _check_revisions(self, commit: Commit, op: str, touched: list[Touched]) -> None:
        """Correcting and voiding documents (core/streams.py) only in the operations that write them, and each
        naming a record of its own file (a correction that moved names one voided in its old file)."""
        docs = [(item.path, doc) for item in touched if item.kind in STREAM_KINDS for doc in item.docs]
        if not docs:
            return
        domain, _, verb = op.partition(".")
        voided_here = {str(doc.get(S.VOIDS)): path for path, doc in docs if doc.get(S.VOIDS)}
        known_in: dict[str, set[str]] = {}  # stream path -> its document ids, unpacked once
        for path, doc in docs:
            kinds = {key for key in (S.CORRECTS, S.VOIDS, S.CORRECTED_BY) if doc.get(key)}
            if verb == "add" or op in ("import.visits", "import.surveys"):
                expected: set[frozenset[str]] = {frozenset()}
            elif verb == "edit":
                expected = {frozenset({S.CORRECTS}), frozenset({S.VOIDS, S.CORRECTED_BY})}
            elif verb == "void" or op == "undo":
                expected = {frozenset({S.VOIDS})}
            else:
                expected = {frozenset(kinds)}
            if frozenset(kinds) not in expected:
                self._find(commit, path, "revision_outside_op", entry=str(doc.get("id")), op=op)
                continue
            target = str(doc.get(S.CORRECTS) or doc.get(S.VOIDS) or "")
            if not target:
                continue
            home = voided_here.get(target, path) if doc.get(S.CORRECTS) else path
            if home not in known_in:
                seen = self.stream_ids.get(home)
                known_in[home] = seen.unpack() if seen is not None else set()
            if target not in known_in[home]:
                self._find(commit, path, "revision_unknown", entry=str(doc.get("id")), target=target)

    def _cadre(self, state: State, cadre_id: str | None) -> Cadre | None:
        if not cadre_id:
            return None
        if cadre_id in state.cadres:
            return state.cadres[cadre_id]
        found = None
        if state.base and ids.is_id(cadre_id, "C"):
            raw = self.objects.read(f"{state.base}:cadres/{cadre_id}.yaml")
            if raw is not None:
                found = _cadre_from(raw)
        state.cadres[cadre_id] = found
        return found

    def _next_state(self, state: State, changes: list[Change], in_place: bool) -> State:
        relevant = [
            c for c in changes if c.path == "minqing.yaml" or classify(c.path)[0] in ("cadre", "period")
        ]
        if not relevant:
            return state
        new_state = state if in_place else state.copy()
        for change in relevant:
            if classify(change.path)[0] == "period":
                closings = self._closings(new_state)
                data, _, error = self._parse(change.new) if change.new != ZERO else (None, "", "deleted")
                if error is None and isinstance(data, dict):
                    closings[change.path] = _closing_from(data)
                else:
                    closings.pop(change.path, None)
                continue
            if change.path == "minqing.yaml":
                data, _, error = self._parse(change.new) if change.new != ZERO else (None, "", None)
                if error is None and (data is None or isinstance(data, dict)):
                    new_state.config = Config.from_file_data(data)
                continue
            cadre_id = classify(change.path)[1]
            assert cadre_id is not None
            if change.new == ZERO:
                new_state.cadres[cadre_id] = None
                continue
            data, _, error = self._parse(change.new)
            new_state.cadres[cadre_id] = _cadre_from_data(data) if error is None else None
        return new_state

    # ------------------------------------------------------------ the clock

    def _time_of(self, sha: str) -> dt.datetime | None:
        if sha not in self.times:
            try:
                self.times[sha] = _moment(self.objects.commit(sha).author_date)
            except (EnvironmentProblem, ValueError):
                return None
        return self.times.get(sha)

    def _check_clock(self, commit: Commit) -> None:
        """A commit, and every entry it adds, is dated no earlier than its (first) parent, within a tolerance for
        office clocks that drift: a backdated closure "before it became overdue" is flagged."""
        try:
            own = _moment(commit.author_date)
            committed = _moment(commit.committer_date or commit.author_date)
        except ValueError:
            own = committed = None
        if own is not None:
            self.times[commit.sha] = own
        self.parent_time = self._time_of(commit.parents[0]) if commit.parents else None
        if self.parent_time is None or own is None or committed is None:
            return
        earliest = self.parent_time - CLOCK_TOLERANCE
        if own < earliest or committed < earliest:
            shown = min(own, committed)
            self._find(
                commit,
                "",
                "clock_backwards",
                what=commit.sha[:10],
                at=shown.isoformat(),
                parent=self.parent_time.isoformat(),
            )

    def _entry_backdated(self, at: Any) -> bool:
        if self.parent_time is None:
            return False
        # Remembered per parent time: a bulk commit's million documents carry a few thousand distinct times.
        if self._backdated_for is not self.parent_time:
            self._backdated, self._backdated_for = {}, self.parent_time
        text = str(at)
        found = self._backdated.get(text)
        if found is None:
            try:
                found = _moment(text) < self.parent_time - CLOCK_TOLERANCE
            except ValueError:
                found = False
            if len(self._backdated) < 10_000:
                self._backdated[text] = found
        return found

    # ------------------------------------------------------------ one ordinary commit

    def _commit(self, commit: Commit, changes: list[Change], state: State, in_place: bool) -> State:
        self._check_clock(commit)
        ledger_changes = [c for c in changes if is_ledger_path(c.path)]
        rule = OPS.get(commit.trailer("Ledger-Op") or "")
        if rule is not None and rule.renames:
            # household.move: the old path deleted and the new one holding the same id are one file, judged as one
            # (its history only grew); any other deleted file is still `deleted`.
            ledger_changes = fold_moves(ledger_changes, rule.renames)
        outside = [c.path for c in changes if not is_ledger_path(c.path)]
        self._check_outside(commit, outside, state)
        self._check_personal_data_outside(commit, [c for c in changes if not is_ledger_path(c.path)])
        op = commit.trailer("Ledger-Op")
        actor = commit.trailer("Ledger-Actor")
        missing = [key for key in TRAILER_KEYS if not commit.trailer(key)]
        touched: list[Touched] = []
        checked: list[str] = []  # the paths, when there is no operation to judge the files by (no trailers)
        for begin in range(0, len(ledger_changes), CHUNK):
            chunk = ledger_changes[begin : begin + CHUNK]
            if len(ledger_changes) > CHUNK:  # a big commit: its files were not read ahead with its window
                self._read_ahead(self._blobs_wanted(chunk))
            for change in chunk:
                item = self._check_file(commit, change)
                if missing:
                    checked.append(item.path)
                else:
                    touched.append(item.kept())
        if missing:
            for path in checked:
                self._find(commit, path, "no_trailers", missing=", ".join(missing))
            # Every commit of a ledger is an operation, whatever it touches (issue 14): an empty commit too.
            for path in [] if checked else outside or [""]:
                key = "audit_no_trailers_commit"
                self._find(commit, path, "no_trailers", message_key=key, missing=", ".join(missing))
        else:
            assert op is not None and actor is not None
            self._check_op(commit, op, actor, touched, state, outside)
            self._check_periods(commit, op, touched, state)
            self._check_revisions(commit, op, touched)
        if not ledger_changes:
            return state
        return self._next_state(state, ledger_changes, in_place=in_place)

    def _check_outside(self, commit: Commit, paths: list[str], state: State) -> None:
        """Paths outside the layout: each flagged unless a pattern of the parent's `allowed_paths` matches it (a
        commit that changes allowed_paths is judged by the patterns before it)."""
        if not paths:
            return
        patterns = state.config.allowed_paths()
        for path in paths:
            if not any(wildmatch(pattern, path) for pattern in patterns):
                self._find(commit, path, "outside_layout")

    def _check_file(self, commit: Commit, change: Change) -> Touched:
        kind, entity = classify(change.path)
        assert kind is not None
        touched = Touched(change.path, kind, entity, change.old, change.new, created=change.old == ZERO)
        if change.new == ZERO:
            touched.usable = False
            self._find(commit, change.path, "deleted")
            return touched
        if kind in ENTITY_KINDS:
            self._check_entity(commit, touched)
        elif kind in STREAM_KINDS:
            self._check_stream(commit, touched)
        elif kind in ("config", "units"):
            data, text, error = self._parse(change.new)
            if error is not None or not isinstance(data, dict):
                touched.usable = False
                self._find(commit, change.path, "corrupt", detail=error or "not a mapping")
            touched.data = data
            touched.text = text
            if change.old != ZERO:
                touched.old_data = self._parse(change.old)[0]
        self._check_personal_data(commit, touched)
        return touched

    def _check_personal_data(self, commit: Commit, touched: Touched) -> None:
        """Full ID or mobile numbers this commit wrote into a ledger file (issue 14): files hold masked numbers and
        keyed hashes only. A number the parent's version already held was reported at the commit that wrote it."""
        if not touched.text:
            return
        found = pii.find_numbers(touched.text)
        if not found:
            return
        before = set()
        if (
            touched.old != ZERO and touched.kind not in STREAM_KINDS
        ):  # a stream's text is only what it appended
            old_text = self._parse(touched.old, keep=False)[1]
            before = {_digits(old_text[hit.start : hit.end]) for hit in pii.find_numbers(old_text)}
        for hit in found:
            if _digits(touched.text[hit.start : hit.end]) not in before:
                self._personal_data(commit, touched.path, touched.text, hit)

    def _check_personal_data_outside(self, commit: Commit, changes: list[Change]) -> None:
        """A roster committed beside the ledger (花名册.csv) is flagged `outside_layout`; its numbers too, so the
        finding says what went to the central repo. Text files only, and only their first 8 MB."""
        for change in changes:
            if change.new == ZERO:
                continue
            raw = self.objects.read(change.new) or b""
            if b"\0" in raw[:8192]:
                continue
            text = raw[: 8 << 20].decode("utf-8", "replace")
            if "\ufffd" in text:
                text = raw[: 8 << 20].decode("gb18030", "replace")
            for hit in pii.find_numbers(text)[:20]:
                self._personal_data(commit, change.path, text, hit)

    def _personal_data(self, commit: Commit, path: str, text: str, hit: pii.Found) -> None:
        what = messages.render(f"pii_{hit.kind}", self.lang)
        line = text.count("\n", 0, hit.start) + 1
        self._find(commit, path, "personal_data", line, what=what, shown=hit.masked)

    def _check_entity(self, commit: Commit, touched: Touched) -> None:
        path = touched.path
        data, text, error = self._parse(touched.new, keep=touched.kind in ("cadre", "period"))
        touched.text = text
        entries = history_of(data) if error is None else None
        # What the next commit touching this path compares its entries with (an unreadable file has none).
        reprs = entry_reprs(entries or [])
        seen = self.histories.get(path)
        self.histories[path] = HistorySeen(touched.new, len(reprs), entries_digest(reprs))
        if entries is None:
            touched.usable = False
            self._find(commit, path, "corrupt", detail=error or "not an entity file with a history: list")
            return
        touched.data = data
        # Where the file lives must match what it holds (a moved or renamed file hides it from `log -- path`).
        if touched.kind == "review":
            touched.entity = str(data.get("id") or "") or None
            parts = path.split("/")
            if (str(data.get("quarter")), str(data.get("team"))) != (parts[1], parts[2][:-5]):
                self._find(commit, path, "path_mismatch", detail=f"{data.get('quarter')}/{data.get('team')}")
        elif touched.entity and data.get("id") != touched.entity:
            self._find(commit, path, "path_mismatch", detail=f"id: {data.get('id')}")
        elif touched.kind == "item" and str(data.get("created", ""))[:4] != path.split("/")[1]:
            self._find(commit, path, "path_mismatch", detail=f"created: {data.get('created')}")
        elif touched.kind == "household" and str(data.get("village", "")) != path.split("/")[1]:
            self._find(commit, path, "path_mismatch", detail=f"village: {data.get('village')}")
        # The parent's entries must be a prefix of these. When the parent's blob is the one remembered and its
        # digest equals the digest of as many of these entries, they are; otherwise it is read and compared in full.
        old_entries: list[HistoryEntry] | None = []
        prefix = 0
        if touched.old != ZERO:
            old_entries = None
            if seen is not None and seen.blob == touched.old and seen.digest is not None:
                prefix = seen.entries
                if prefix > len(entries) or entries_digest(reprs[:prefix]) != seen.digest:
                    old_entries = self._entries_of(touched.old)
            else:
                old_entries = self._entries_of(touched.old)
        ids = [entry.id for entry in entries]
        duplicates = sorted({op_id for op_id in ids if ids.count(op_id) > 1})
        for op_id in duplicates:
            self._find(commit, path, "history_rewritten", _line_of(text, op_id), entry=op_id)
        if old_entries is not None:
            prefix = len(old_entries)
        if old_entries is not None and [e.to_dict() for e in entries[:prefix]] != [
            e.to_dict() for e in old_entries
        ]:
            new_by_id = {entry.id: entry for entry in entries}
            for old_entry in old_entries:
                if new_by_id.get(old_entry.id) != old_entry:
                    self._find(
                        commit, path, "history_rewritten", _line_of(text, old_entry.id), entry=old_entry.id
                    )
                    break
            old_ids = {entry.id for entry in old_entries}
            touched.added = [entry for entry in entries if entry.id not in old_ids]
            touched.usable = False
        else:
            touched.added = entries[prefix:]
        record_kind = KINDS.get(touched.kind)
        if record_kind is None:
            return
        apply = record_kind.apply
        current: Any = None
        start = 0
        if old_entries is None and prefix:
            # The parent's entries are these first `prefix` (their digest said so): when the parent's blob was
            # replayed here, its state is where these entries lead too (apply is a pure function of the state and
            # the entry), so only the new entries are applied. A cadre touched by every pairing is not replayed
            # from its first entry at every commit.
            replayed = self.replayed.get(path)
            if replayed is not None and replayed[0] == touched.old and replayed[1] == prefix:
                start, current = prefix, replayed[2]
        for index in range(start, len(entries)):
            entry = entries[index]
            before = current
            if index >= prefix:
                extra = fields_not_allowed(touched.kind, entry)
                if extra:
                    self._find(
                        commit,
                        path,
                        "field_not_allowed",
                        _line_of(text, entry.id),
                        op=entry.op,
                        fields=", ".join(extra),
                    )
                    touched.usable = False
                    return
                if self._entry_backdated(entry.at):
                    self._find(
                        commit,
                        path,
                        "clock_backwards",
                        _line_of(text, entry.id),
                        what=entry.id,
                        at=entry.at,
                        parent=self.parent_time.isoformat() if self.parent_time else "-",
                    )
            try:
                current = apply(current, entry)
            except (LedgerError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                if index >= prefix:
                    detail = exc.render(self.lang) if isinstance(exc, LedgerError) else f"{entry.op}: {exc!r}"
                    self._find(commit, path, "transition", _line_of(text, entry.id), detail=detail)
                touched.usable = False
                return
            if index >= prefix:
                touched.steps.append((before, entry))
        if current is None:
            self._find(commit, path, "corrupt", detail="empty history")
            touched.usable = False
            return
        self.replayed.pop(path, None)
        if len(self.replayed) >= REPLAYED_KEPT:
            del self.replayed[next(iter(self.replayed))]  # the path touched longest ago
        self.replayed[path] = (touched.new, len(entries), current)
        expected = record_kind.dict_with(current, entries)
        differs = _differing_keys(expected, data)
        if differs and touched.old != ZERO:
            # A mismatch the parent already had was reported at the commit that made it; report only new ones.
            inherited = self._mismatches(touched.kind, touched.old)
            differs = [
                key for key in differs if (key, repr(data.get(key)), repr(expected.get(key))) not in inherited
            ]
        if differs:
            shown = ", ".join(f"{key}: {data.get(key)!r} ≠ {expected.get(key)!r}" for key in differs[:3])
            self._find(commit, path, "snapshot_mismatch", _line_of(text, differs[0] + ":"), fields=shown)

    def _entries_of(self, oid: str) -> list[HistoryEntry]:
        """The history entries of a parent's entity blob (none when it cannot be read)."""
        data, _, error = self._parse(oid, keep=False)
        parsed = history_of(data) if error is None else None
        return parsed or []

    def _mismatches(self, kind: str, oid: str) -> set[tuple[str, str, str]]:
        data, _, error = self._parse(oid, keep=False)
        entries = history_of(data) if error is None else None
        record_kind = KINDS.get(kind)
        if not entries or record_kind is None:
            return set()
        apply = record_kind.apply
        current: Any = None
        try:
            for entry in entries:
                current = apply(current, entry)
        except (LedgerError, KeyError, TypeError, ValueError, AttributeError, IndexError):
            return set()
        expected = record_kind.dict_with(current, entries)
        return {
            (key, repr(data.get(key)), repr(expected.get(key))) for key in _differing_keys(expected, data)
        }

    def _check_stream(self, commit: Commit, touched: Touched) -> None:
        path = touched.path
        raw = self.objects.read(touched.new) or b""
        old_size = 0
        seen_ids: set[str] = set()
        if touched.old != ZERO:
            known = self.stream_sizes.get(path)
            cached_ids = self.stream_ids.get(path)
            if known and known[0] == touched.old and cached_ids and cached_ids.blob == touched.old:
                old_size = known[1]
                grew = git_blob_id(raw[:old_size]) == touched.old
                seen_ids = cached_ids.unpack()
            else:
                old_raw = self.objects.read(touched.old) or b""
                old_size = len(old_raw)
                grew = raw.startswith(old_raw)
                seen_ids = S.document_ids(yamlio.decode(old_raw))
            if not grew:
                self._find(commit, path, "stream_rewritten")
                touched.usable = False
                self.stream_sizes[path] = (touched.new, len(raw))
                return
        self.stream_sizes[path] = (touched.new, len(raw))
        try:
            touched.text = yamlio.decode(raw[old_size:])
            docs = yamlio.load_all(touched.text)
        except yamlio.YamlProblem as problem:
            self._find(commit, path, "corrupt", detail=problem.message)
            touched.usable = False
            return
        by_village = touched.kind in ("visits", "surveys")  # <kind>/<yyyy-mm>/<village>.yaml
        month = path.split("/")[1] if by_village else path.split("/")[1][:7]
        for doc in docs:
            if not isinstance(doc, dict) or not doc.get("id"):
                self._find(commit, path, "corrupt", detail="a stream document without id")
                touched.usable = False
                continue
            if str(doc.get("date", ""))[:7] != month or (
                by_village and str(doc.get("village", "")) != path.split("/")[2][:-5]
            ):
                self._find(commit, path, "path_mismatch", detail=f"{doc.get('id')} date {doc.get('date')}")
            doc_id = str(doc["id"])
            if doc_id in seen_ids:
                self._find(commit, path, "duplicate_id", entry=doc_id)
                touched.usable = False
            seen_ids.add(doc_id)
            if self._entry_backdated(doc.get("at")):
                self._find(
                    commit,
                    path,
                    "clock_backwards",
                    what=doc_id,
                    at=str(doc.get("at")),
                    parent=self.parent_time.isoformat() if self.parent_time else "-",
                )
            touched.docs.append(doc)
        self.stream_ids[path] = pack_ids(touched.new, seen_ids)

    # ------------------------------------------------------------ the commit against its operation

    def _check_op(
        self,
        commit: Commit,
        op: str,
        actor: str,
        touched: list[Touched],
        state: State,
        outside: Iterable[str] = (),
    ) -> None:
        first = touched[0].path if touched else ""
        if commit.author_email != f"{actor}@{AUTHOR_DOMAIN}":
            self._find(commit, "", "actor_mismatch", actor=actor, author=commit.author_email)
        rule = OPS.get(op)
        if rule is None:
            self._find(commit, first, "unknown_op", op=op)
            return
        if op == INIT_OP:
            actor_cadre = self._check_init(commit, actor, touched)
        else:
            actor_cadre = self._cadre(state, actor)
            if actor_cadre is None:
                self._find(commit, "", "unknown_actor", actor=actor)
            elif actor_cadre.status != "active":
                self._find(commit, "", "recalled_actor", actor=actor)
            else:
                try:
                    state.config.require(actor_cadre, rule.permission or op)
                except Refused as refusal:
                    self._find(commit, "", "role", detail=refusal.render(self.lang))
        expected: set[str] = set()
        counts: dict[str, int] = {}
        for item in touched:
            counts[item.kind] = counts.get(item.kind, 0) + (
                len(item.docs) if item.kind in STREAM_KINDS else 1
            )
            allowed = item.kind in rule.entities or item.kind in rule.counts or item.kind in rule.files
            if not allowed:
                self._find(commit, item.path, "outside_op", op=op)
                continue
            if item.kind in ENTITY_KINDS:
                if item.entity:
                    expected.add(item.entity)
                if not item.usable:
                    continue  # already reported (deleted, rewritten, unreadable, forbidden transition)
                self._check_entries(commit, op, rule, actor, actor_cadre, item, state)
            elif item.kind in STREAM_KINDS:
                for doc in item.docs:
                    expected.add(str(doc["id"]))
                    recorded = {actor, commit.trailer(RECOVERED_ACTOR)} if rule.replayed else {actor}
                    if doc.get("recorded_by") not in recorded:
                        self._find(
                            commit,
                            item.path,
                            "by_mismatch",
                            entry=doc["id"],
                            by=doc.get("recorded_by"),
                            actor=actor,
                        )
            elif item.kind == "units" and op in UNIT_OPS:
                expected |= self._check_units(commit, item, op)
            elif op != INIT_OP:
                expected.add(item.path)
        for kind, (low, high) in rule.counts.items():
            count = counts.get(kind, 0)
            if count < low or (high is not None and count > high):
                self._find(
                    commit,
                    "",
                    "op_mismatch",
                    op=op,
                    allowed=f"{kind} ×{low}–{high or '∞'}",
                    found=f"{kind} ×{count}",
                )
        if op == "visit.add":
            self._check_visit(commit, touched)
            self._check_talks(commit, touched, state)
        self._check_visitors(commit, touched)
        if op == "org.merge":
            self._check_merge(commit, touched)
        if op in ("household.pair", "household.unpair"):
            self._check_pairing(commit, touched)
        if op == "cadre.post":
            self._check_post(commit, touched)
        listed = set(commit.entries()) - set(outside)  # naming a file outside the layout it touches is fine
        if listed != expected:
            self._find(
                commit,
                "",
                "entries_mismatch",
                extra=", ".join(sorted(listed - expected)) or "-",
                missing=", ".join(sorted(expected - listed)) or "-",
            )
        if self.check_signatures and state.config.data.get("require_signed") and op != INIT_OP:
            keys = actor_cadre.keys if actor_cadre else ()
            fingerprints = frozenset(fp for fp in (fingerprint(key) for key in keys) if fp)
            for key in keys:
                self.signers.setdefault(actor, set()).add(key)
            self.sign_checks.append((_named(commit), actor, fingerprints))

    def _check_entries(
        self,
        commit: Commit,
        op: str,
        rule: OpRule,
        actor: str,
        actor_cadre: Cadre | None,
        item: Touched,
        state: State,
    ) -> None:
        if rule.replayed:
            self._check_replayed(commit, item, state)
            return
        sequence = tuple(entry.op for entry in item.added)
        if rule.any_ops:
            self._check_each_op(commit, item, actor_cadre, state)
        elif not rule.allows(item.kind, sequence):
            allowed = " | ".join("+".join(seq) for seq in sorted(rule.entities.get(item.kind, ()))) or "-"
            self._find(
                commit, item.path, "op_mismatch", op=op, allowed=allowed, found="+".join(sequence) or "-"
            )
        for entry in item.added:
            line = item.line_of(entry.id)
            if entry.by != actor:
                self._find(commit, item.path, "by_mismatch", line, entry=entry.id, by=entry.by, actor=actor)
            for name, value in rule.fields.get(entry.op, {}).items():
                if entry.fields.get(name) != value:
                    self._find(
                        commit,
                        item.path,
                        "op_mismatch",
                        line,
                        op=op,
                        allowed=f"{entry.op} {name}={value}",
                        found=f"{entry.op} {name}={entry.fields.get(name)}",
                    )
        if item.kind == "item" and actor_cadre is not None:
            from ..core.items import check_policy

            for before, entry in item.steps:
                if before is None:
                    continue
                try:
                    check_policy(before, entry, state.config, actor_cadre)
                except Refused as refusal:
                    self._find(
                        commit,
                        item.path,
                        "role",
                        item.line_of(entry.id),
                        detail=refusal.render(self.lang),
                    )

    def _check_each_op(self, commit: Commit, item: Touched, actor_cadre: Cadre | None, state: State) -> None:
        if actor_cadre is None:
            return
        for entry in item.added:
            try:
                state.config.require(actor_cadre, permission_of(item.kind, entry.op))
            except Refused as refusal:
                line = item.line_of(entry.id)
                self._find(commit, item.path, "role", line, detail=refusal.render(self.lang))

    def _check_replayed(self, commit: Commit, item: Touched, state: State) -> None:
        """Entries finished on behalf of others: each by an active cadre whose role allowed it."""
        from ..core.items import check_policy

        attributed = {commit.trailer("Ledger-Actor"), commit.trailer(RECOVERED_ACTOR)} - {None}
        for before, entry in item.steps:
            cadre = self._cadre(state, entry.by)
            line = item.line_of(entry.id)
            if cadre is None:
                self._find(commit, item.path, "unknown_actor", line, actor=entry.by)
                continue
            if entry.by not in attributed:
                self._find(
                    commit,
                    item.path,
                    "by_mismatch",
                    line,
                    entry=entry.id,
                    by=entry.by,
                    actor=" / ".join(sorted(attributed)),
                )
            if cadre.status != "active":
                self._find(commit, item.path, "recalled_actor", line, actor=entry.by)
            try:
                state.config.require(cadre, permission_of(item.kind, entry.op))
            except Refused as refusal:
                self._find(commit, item.path, "role", line, detail=refusal.render(self.lang))
                continue
            if item.kind == "item" and before is not None:
                try:
                    check_policy(before, entry, state.config, cadre)
                except Refused as refusal:
                    self._find(commit, item.path, "role", line, detail=refusal.render(self.lang))

    def _check_init(self, commit: Commit, actor: str, touched: list[Touched]) -> Cadre | None:
        if commit.parents:
            self._find(commit, touched[0].path if touched else "", "outside_op", op=INIT_OP)
        created = [item for item in touched if item.kind == "cadre" and item.data]
        if len(created) != 1 or created[0].entity != actor:
            self._find(commit, "", "unknown_actor", actor=actor)
            return None
        cadre = _cadre_from_data(created[0].data)
        if cadre is None or cadre.role != "admin":
            self._find(
                commit, created[0].path, "role", detail=f"{actor}: {cadre.role if cadre else '?'} ≠ admin"
            )
        return cadre

    def _check_units(self, commit: Commit, item: Touched, op: str = "org.add") -> set[str]:
        new = item.data or {}
        old = item.old_data or {}
        old_units = {str(u.get("code")): u for u in old.get("units") or [] if isinstance(u, dict)}
        new_units = {str(u.get("code")): u for u in new.get("units") or [] if isinstance(u, dict)}
        if op not in ("org.add", "org.import"):
            return self._check_unit_change(commit, item, op, old, new, old_units, new_units)
        # org.add: one unit; org.import (issue 16): one or more. Nothing else changes.
        allowed = "+1 unit" if op == "org.add" else "+units"
        if new.get("county") != old.get("county") or any(
            new_units.get(code) != unit for code, unit in old_units.items()
        ):
            self._find(commit, item.path, "op_mismatch", op=op, allowed=allowed, found="changed units")
        added = set(new_units) - set(old_units)
        if len(added) != 1 if op == "org.add" else not added:
            self._find(commit, item.path, "op_mismatch", op=op, allowed=allowed, found=f"+{len(added)}")
        county = str((new.get("county") or {}).get("code", ""))
        for code in added:
            parent = str(new_units[code].get("parent", ""))
            level = new_units[code].get("level")
            above = "county" if parent == county else (new_units.get(parent) or {}).get("level")
            # A department (帮扶单位, issue 18) has the county's code, D and 2–3 digits; no territorial code does.
            shape_ok = (level == "department") == (department_county(code) is not None)
            if (
                not shape_ok
                or not code.startswith(parent)
                or above is None
                or above != PARENT_LEVEL.get(str(level))
            ):
                self._find(
                    commit,
                    item.path,
                    "op_mismatch",
                    op=op,
                    allowed="a code under its parent",
                    found=code,
                )
        return added

    def _check_unit_change(
        self,
        commit: Commit,
        item: Touched,
        op: str,
        old: dict[str, Any],
        new: dict[str, Any],
        old_units: dict[str, dict[str, Any]],
        new_units: dict[str, dict[str, Any]],
    ) -> set[str]:
        """org.rename: one unit in service, its name changed and the old name appended to `aliases`, nothing else.
        org.merge: a unit in service and its groups get `retired` (one day) and `merged_into` (a unit in service of
        the unit's level; for its groups that unit or a group of it), nothing else. The codes are the entries."""
        allowed = {
            "org.rename": "name + aliases of one unit",
            "org.alias": "aliases + 1 of one unit",
            "org.merge": "retired + merged_into",
        }[op]
        changed = sorted(
            code for code in set(old_units) | set(new_units) if old_units.get(code) != new_units.get(code)
        )

        def wrong(found: str) -> set[str]:
            self._find(commit, item.path, "op_mismatch", op=op, allowed=allowed, found=found)
            return set(changed)

        if new.get("county") != old.get("county"):
            return wrong("county changed")
        if set(new_units) != set(old_units):
            return wrong("units added or removed")
        if not changed:
            return wrong("no unit changed")
        if any(old_units[code].get("retired") for code in changed):
            return wrong("a retired unit changed")
        if op == "org.rename":
            if len(changed) != 1:
                return wrong(f"{len(changed)} units changed")
            before, after = old_units[changed[0]], new_units[changed[0]]
            name = after.get("name")
            renamed = {
                **before,
                "name": name,
                "aliases": [*(before.get("aliases") or []), before.get("name")],
            }
            if (
                after != renamed
                or not isinstance(name, str)
                or not name.strip()
                or name == before.get("name")
            ):
                return wrong(f"{changed[0]} changed otherwise")
            return set(changed)
        if op == "org.alias":
            if len(changed) != 1:
                return wrong(f"{len(changed)} units changed")
            before, after = old_units[changed[0]], new_units[changed[0]]
            alias = (after.get("aliases") or [None])[-1]
            if (
                after != {**before, "aliases": [*(before.get("aliases") or []), alias]}
                or not isinstance(alias, str)
                or not alias.strip()
            ):
                return wrong(f"{changed[0]} changed otherwise")
            return set(changed)
        head = changed[0]  # the shortest code: the unit merged; the rest must be its groups
        moves: dict[str, str] = {}
        for code in changed:
            before, after = old_units[code], new_units[code]
            into, day = str(after.get("merged_into") or ""), after.get("retired")
            retired = {**before, "retired": day, "merged_into": after.get("merged_into")}
            if retired != after or not _is_day(day):
                return wrong(f"{code} changed otherwise")
            if code != head and not (code.startswith(head) and before.get("level") == "group"):
                return wrong(f"{code} is not a group of {head}")
            if day != new_units[head].get("retired"):
                return wrong(f"{code} retired on another day")
            target = new_units.get(into)
            if target is None or target.get("retired") or into in changed:
                return wrong(f"{code} merged into {into or '-'}")
            head_into = str(new_units[head].get("merged_into"))
            if code == head and target.get("level") != before.get("level"):
                return wrong(f"{code} merged into a {target.get('level')}")
            if code != head and not into.startswith(head_into):
                return wrong(f"{code} merged into {into}")
            moves[code] = into
        if new_units[head].get("level") == "township" and any(
            code.startswith(head) and code not in changed and not unit.get("retired")
            for code, unit in new_units.items()
        ):
            return wrong(f"{head} still has units in service")
        self.merge_moves = moves
        return set(changed)

    def _check_merge(self, commit: Commit, touched: list[Touched]) -> None:
        """Each household, cadre and item an org.merge moves was in a unit it retires, and goes where that unit went:
        a household to the village (or a group of it), a cadre to the unit, an item re-filed there, nothing else."""
        moves, self.merge_moves = self.merge_moves, {}
        if not any(item.kind == "units" for item in touched):
            self._find(
                commit, "", "op_mismatch", op="org.merge", allowed="retired + merged_into", found="no unit"
            )
        for item in touched:
            if not item.usable or item.kind not in ("household", "cadre", "item"):
                continue
            for before, entry in item.steps:
                if before is None:
                    continue
                values = entry.fields
                if item.kind == "household":
                    source = before.group if before.group in moves else before.village
                    went = str(values.get("village") or "")
                    group = str(values.get("group") or went)
                    good = source in moves and went == moves[source][:12] and group.startswith(went)
                elif item.kind == "cadre":
                    source = before.unit
                    good = source in moves and values.get("unit") == moves[source]
                else:
                    source = before.unit
                    good = (
                        source in moves
                        and values.get("unit") == moves[source]
                        and values.get("household") == before.household
                        and set(values) <= {"unit", "household", "reason"}
                    )
                if not good:
                    self._find(
                        commit,
                        item.path,
                        "op_mismatch",
                        item.line_of(entry.id),
                        op="org.merge",
                        allowed="moved from a retired unit to where it went",
                        found=f"{source} → {values.get('village') or values.get('unit') or '-'}",
                    )

    def _check_visit(self, commit: Commit, touched: list[Touched]) -> None:
        docs = [doc for item in touched if item.kind == "visits" for doc in item.docs]
        created = {item.entity for item in touched if item.kind == "item" and item.created}
        for doc in docs:
            listed = {str(q) for q in doc.get("items") or []}
            if listed != created:
                path = next(item.path for item in touched if item.kind == "visits")
                self._find(
                    commit,
                    path,
                    "entries_mismatch",
                    extra=", ".join(sorted(listed - created)) or "-",
                    missing=", ".join(sorted(c for c in created - listed if c)) or "-",
                )
        # A survey answered during the visit (issue 18) names that visit and its household.
        for item in touched:
            if item.kind != "surveys":
                continue
            for survey in item.docs:
                if not any(
                    survey.get("visit") == doc.get("id") and survey.get("household") == doc.get("household")
                    for doc in docs
                ):
                    self._find(
                        commit,
                        item.path,
                        "op_mismatch",
                        op="visit.add",
                        allowed=f"visit: {', '.join(str(doc.get('id')) for doc in docs) or '-'}",
                        found=f"visit: {survey.get('visit')}",
                    )

    def _check_visitors(self, commit: Commit, touched: list[Touched]) -> None:
        """The Ledger-Visitor trailers name exactly the cadres of the visits the commit appends (issue 17): a
        forged one would make `git log --grep` credit a cadre with a visit they never went on, a missing one hide
        a visit from them. A commit with no Ledger-Visitor trailer at all is a visit recorded before minqing wrote
        them (an older ledger or an older minqing): its `by` list is the record, and `log --by` reads that."""
        docs = [doc for item in touched if item.kind == "visits" for doc in item.docs]
        expected = sorted(cadre for _, cadre in visitor_trailers(docs))
        claimed = sorted(commit.trailers.get(VISITOR) or ())
        if claimed and claimed != expected:
            path = next((item.path for item in touched if item.kind == "visits"), "")
            self._find(
                commit,
                path,
                "visitor_mismatch",
                extra=", ".join(sorted(set(claimed) - set(expected))) or "-",
                missing=", ".join(sorted(set(expected) - set(claimed))) or "-",
            )

    def _check_talks(self, commit: Commit, touched: list[Touched], state: State) -> None:
        """谈心谈话 with a cadre (issue 18): a talk naming no household, kept in the stream of the village the cadre
        was posted to (or served in) at the time, never one of the talkers."""
        for item in touched:
            if item.kind != "visits":
                continue
            for doc in item.docs:
                talked = doc.get("with_cadre")
                if not talked:
                    continue
                cadre = self._cadre(state, str(talked))
                village = (
                    (cadre.posted or (cadre.unit[:12] if len(cadre.unit) >= 12 else "")) if cadre else ""
                )
                good = (
                    doc.get("kind") == "talk"
                    and not doc.get("household")
                    and cadre is not None
                    and str(doc.get("village")) == village
                    and str(talked) not in [str(c) for c in doc.get("by") or []]
                )
                if not good:
                    self._find(
                        commit,
                        item.path,
                        "op_mismatch",
                        item.line_of(str(doc.get("id"))),
                        op="visit.add",
                        allowed=f"talk with {talked} kept at {village or '-'}",
                        found=f"{doc.get('kind')} at {doc.get('village')}",
                    )

    def _units_at(self, sha: str) -> dict[str, dict[str, Any]]:
        """code -> unit mapping of org/units.yaml as of one commit (the county itself included)."""
        raw = self.objects.read(f"{sha}:{UNITS_FILE}") or b""
        try:
            data = yamlio.load(raw.decode("utf-8")) or {}
        except (yamlio.YamlProblem, UnicodeDecodeError):
            return {}
        units = {str(u.get("code")): u for u in data.get("units") or [] if isinstance(u, dict)}
        county = data.get("county") or {}
        if county.get("code"):
            units[str(county["code"])] = {"code": str(county["code"]), "level": "county"}
        return units

    def _check_post(self, commit: Commit, touched: list[Touched]) -> None:
        """驻村 (issue 18): each `post` names a village in service and, when it names one, a department (帮扶单位)."""
        units = self._units_at(commit.sha)
        for item in touched:
            if item.kind != "cadre":
                continue
            for entry in item.added:
                wanted = {"village": str(entry.fields.get("village") or "")}
                if entry.fields.get("department"):
                    wanted["department"] = str(entry.fields["department"])
                for level, code in wanted.items():
                    unit = units.get(code) or {}
                    if unit.get("level") != level or unit.get("retired"):
                        self._find(
                            commit,
                            item.path,
                            "op_mismatch",
                            item.line_of(entry.id),
                            op="cadre.post",
                            allowed=f"{level}: a {level} in service",
                            found=f"{level}: {code or '-'}",
                        )

    def _check_pairing(self, commit: Commit, touched: list[Touched]) -> None:
        cadre = next((item for item in touched if item.kind == "cadre"), None)
        home = next((item for item in touched if item.kind == "household"), None)
        if not cadre or not home:
            return
        for mine, other, key in ((cadre, home, "household"), (home, cadre, "cadre")):
            for entry in mine.added:
                if entry.fields.get(key) != other.entity:
                    self._find(
                        commit,
                        mine.path,
                        "op_mismatch",
                        mine.line_of(entry.id),
                        op=commit.trailer("Ledger-Op"),
                        allowed=f"{key}: {other.entity}",
                        found=f"{key}: {entry.fields.get(key)}",
                    )

    # ------------------------------------------------------------ merges

    def _merge(self, commit: Commit, state: State) -> State:
        self._check_clock(commit)
        per_parent = [diff_trees(self.git, parent, commit.sha) for parent in commit.parents]
        unrelated = commit.sha not in self.foreign and any(p in self.foreign for p in commit.parents)
        if unrelated:
            # Everything that differs from the ledger's side came from a history this ledger never had.
            ours = next(i for i, p in enumerate(commit.parents) if p not in self.foreign)
            theirs = next(p for p in commit.parents if p in self.foreign)
            for change in per_parent[ours]:
                self._find(commit, change.path, "foreign_file", parent=theirs[:10])
        # A path outside the layout that the merge itself makes (it differs from every parent): an evil merge.
        made = (
            set.intersection(*({c.path for c in changes} for changes in per_parent)) if per_parent else set()
        )
        self._check_outside(commit, sorted(p for p in made if not is_ledger_path(p)), state)
        paths = sorted({c.path for changes in per_parent for c in changes if is_ledger_path(c.path)})
        if not paths:
            if not commit.trailer("Ledger-Op") or not commit.trailer("Ledger-Actor"):
                self._find(
                    commit,
                    "",
                    "no_trailers",
                    message_key="audit_no_trailers_commit",
                    missing="Ledger-Op, Ledger-Actor",
                )
            return state
        merged_blob: dict[str, str] = {}
        parent_blobs: list[dict[str, str]] = []
        for changes in per_parent:
            for change in changes:
                merged_blob[change.path] = change.new
        for changes in per_parent:
            by_path = {c.path: c.old for c in changes}
            parent_blobs.append({path: by_path.get(path, merged_blob.get(path, ZERO)) for path in paths})
        paths = self._fold_merged_moves(paths, merged_blob, parent_blobs)
        op = commit.trailer("Ledger-Op")
        actor = commit.trailer("Ledger-Actor")
        settled: set[str] = set()
        if not op or not actor:
            for path in paths:
                self._find(commit, path, "no_trailers", missing="Ledger-Op, Ledger-Actor")
        elif op not in (MERGE_OP, RESOLVE_OP):
            self._find(commit, paths[0], "outside_op", op=op)
        else:
            settled = set(commit.entries()) if op == RESOLVE_OP else set()
            if commit.author_email != f"{actor}@{AUTHOR_DOMAIN}":
                self._find(commit, "", "actor_mismatch", actor=actor, author=commit.author_email)
            cadre = self._cadre(state, actor)
            if cadre is None:
                self._find(commit, "", "unknown_actor", actor=actor)
            elif cadre.status != "active":
                self._find(commit, "", "recalled_actor", actor=actor)
            else:
                try:
                    state.config.require(cadre, op)
                except Refused as refusal:
                    self._find(commit, "", "role", detail=refusal.render(self.lang))
            if self.check_signatures and state.config.data.get("require_signed"):
                keys = cadre.keys if cadre else ()
                for key in keys:
                    self.signers.setdefault(actor, set()).add(key)
                fingerprints = frozenset(fp for fp in map(fingerprint, keys) if fp)
                self.sign_checks.append((_named(commit), actor, fingerprints))
        for path in paths:
            parents = [blobs[path] for blobs in parent_blobs]
            self._check_merged_file(commit, path, merged_blob.get(path, ZERO), parents, settled)
        if unrelated:
            return state  # the foreign side's cadres and config are not this ledger's
        first_changes = [c for c in per_parent[0] if is_ledger_path(c.path)]
        return self._next_state(state, first_changes, in_place=False)

    @staticmethod
    def _fold_merged_moves(
        paths: list[str], merged_blob: dict[str, str], parent_blobs: list[dict[str, str]]
    ) -> list[str]:
        """A file one parent moved (household.move, audited there) and the other left at its old path: the old
        path is not `deleted`, its version is that parent's side of the moved file, which must hold both."""
        kept = []
        for path in paths:
            kind, entity = classify(path)
            moved_to = None
            if merged_blob.get(path, ZERO) == ZERO and kind in MOVABLE_KINDS and entity:
                moved_to = next(
                    (
                        other
                        for other in paths
                        if other != path
                        and classify(other) == (kind, entity)
                        and merged_blob.get(other, ZERO) != ZERO
                        and any(blobs[other] != ZERO for blobs in parent_blobs)  # moved by a parent, not here
                    ),
                    None,
                )
            if moved_to is None:
                kept.append(path)
                continue
            for blobs in parent_blobs:
                if blobs[moved_to] == ZERO:
                    blobs[moved_to] = blobs[path]
        return kept

    def _check_merged_file(
        self, commit: Commit, path: str, merged: str, parents: list[str], settled: set[str]
    ) -> None:
        """Merged = union of the parents' records by id; a record both sides hold differently is a conflict,
        acceptable only when a conflict.resolve commit names it and took one side's version."""
        kind, entity = classify(path)
        if merged == ZERO:
            self._find(commit, path, "deleted")
            return
        present = [oid for oid in parents if oid != ZERO]
        if merged in present and len(set(present)) == 1:
            return  # taken unchanged from the parents that have it
        if kind in ENTITY_KINDS:
            data, text, error = self._parse(merged)
            entries = history_of(data) if error is None else None
            if entries is None:
                self._find(commit, path, "corrupt", detail=error or "not an entity file")
                return
            entity = entity or str(data.get("id"))
            if entity in settled and merged in present:
                return  # conflict.resolve took one side's whole file
            sides = [[e.to_dict() for e in history_of(self._parse(oid)[0]) or []] for oid in present]
            problem = _union_problem([e.to_dict() for e in entries], sides, entity in settled)
            if problem:
                self._find(commit, path, "merge_mismatch", detail=problem)
            self._check_merged_snapshot(commit, path, kind, data, text, entries)
        elif kind in STREAM_KINDS:
            data, _, error = self._parse(merged, stream=True)
            if error is not None:
                self._find(commit, path, "corrupt", detail=error)
                return
            sides = [
                [d for d in self._parse(oid, stream=True)[0] or [] if isinstance(d, dict)] for oid in present
            ]
            docs = [d for d in data or [] if isinstance(d, dict)]
            problem = _union_problem(docs, sides, False, settled)
            if problem:
                self._find(commit, path, "merge_mismatch", detail=problem)
        elif kind == "units":
            data, _, error = self._parse(merged)
            if error is not None or not isinstance(data, dict):
                self._find(commit, path, "corrupt", detail=error or "not a mapping")
                return
            units = [dict(u, id=str(u.get("code"))) for u in data.get("units") or [] if isinstance(u, dict)]
            sides = [
                [dict(u, id=str(u.get("code"))) for u in (self._parse(oid)[0] or {}).get("units") or []]
                for oid in present
            ]
            problem = _union_problem(units, sides, False, settled)
            if problem:
                self._find(commit, path, "merge_mismatch", detail=problem)
        elif kind == "config":
            data, _, error = self._parse(merged)
            sides_cfg = [self._parse(oid)[0] or {} for oid in present]
            if error is not None or not isinstance(data, dict):
                self._find(commit, path, "corrupt", detail=error or "not a mapping")
                return
            for key in sorted(set(data) | {k for side in sides_cfg for k in side}):
                if all(side.get(key) != data.get(key) for side in sides_cfg):
                    self._find(commit, path, "merge_mismatch", detail=f"{key} matches neither side")
        else:
            self._find(commit, path, "outside_op", op=MERGE_OP)

    def _check_merged_snapshot(
        self, commit: Commit, path: str, kind: str, data: Any, text: str, entries: list[HistoryEntry]
    ) -> None:
        record_kind = KINDS.get(kind)
        if record_kind is None:
            return
        apply = record_kind.apply
        current: Any = None
        try:
            for entry in entries:
                current = apply(current, entry)
        except (LedgerError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            detail = exc.render(self.lang) if isinstance(exc, LedgerError) else repr(exc)
            self._find(commit, path, "transition", detail=detail)
            return
        if current is None:
            return
        differs = _differing_keys(record_kind.dict_with(current, entries), data)
        if differs:
            line = _line_of(text, differs[0] + ":")
            self._find(commit, path, "snapshot_mismatch", line, fields=", ".join(differs[:3]))

    # ------------------------------------------------------------ signatures

    def _verify_signatures(self) -> None:
        if not self.sign_checks:
            return
        with tempfile.TemporaryDirectory(prefix="minqing-signers-") as tmp:
            signers = Path(tmp) / "allowed_signers"
            signers.write_text(allowed_signers(self.signers), encoding="utf-8")
            shas = "".join(commit.sha + "\n" for commit, _, _ in self.sign_checks).encode()
            out = self.git.run(
                "-c",
                f"gpg.ssh.allowedSignersFile={signers}",
                "log",
                "--no-walk=unsorted",
                "--stdin",
                "--format=%H%x1f%G?%x1f%GK%x1f%GS",
                input=shas,
            )
        verdicts = {}
        for line in out.decode("utf-8", "replace").splitlines():
            parts = line.split("\x1f")
            if len(parts) == 4:
                verdicts[parts[0]] = parts[1:]
        for commit, actor, fingerprints in self.sign_checks:
            status, key, principal = verdicts.get(commit.sha, ["N", "", ""])
            if status == "N":
                detail = "no signature"
            elif status != "G" or principal != actor:
                detail = f"signature {status} by {principal or key or '?'}"
            elif key not in fingerprints:
                detail = f"key {key} was not registered for {actor} at the time"
            else:
                continue
            self._find(commit, "", "unsigned", actor=actor, detail=detail)


def _closing_from(data: dict[str, Any]) -> Closing:
    try:
        return KINDS["period"].from_dict(data)
    except (KeyError, TypeError, ValueError):
        return Closing(id="?", month="", unit="", state="open")


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isalnum())


def _union_problem(
    merged: list[dict[str, Any]],
    sides: list[list[dict[str, Any]]],
    settled_file: bool,
    settled: Iterable[str] = (),
) -> str | None:
    """Why `merged` is not the union by id of `sides` (None when it is). A record the sides hold differently
    must be settled: the whole file (`settled_file`) or that record's id listed by conflict.resolve."""
    import json

    def key(record: dict[str, Any]) -> str:
        return json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)

    versions: dict[str, set[str]] = {}
    for side in sides:
        for record in side:
            versions.setdefault(str(record.get("id")), set()).add(key(record))
    got = [str(record.get("id")) for record in merged]
    extra = sorted(set(got) - set(versions))
    lost = sorted(set(versions) - set(got))
    twice = sorted({record_id for record_id in got if got.count(record_id) > 1})
    changed, unsettled = [], []
    allowed = set(settled)
    for record in merged:
        record_id = str(record.get("id"))
        if record_id not in versions:
            continue
        if key(record) not in versions[record_id]:
            changed.append(record_id)
        elif len(versions[record_id]) > 1 and not settled_file and record_id not in allowed:
            unsettled.append(record_id)
    parts = []
    for label, listed in (("added", extra), ("lost", lost), ("twice", twice), ("changed", changed)):
        if listed:
            parts.append(f"{label}: {', '.join(listed[:5])}")
    if unsettled:
        parts.append(f"conflict not settled: {', '.join(unsettled[:5])}")
    return "; ".join(parts) or None


_PATTERNS: dict[str, re.Pattern[str]] = {}


def wildmatch(pattern: str, path: str) -> bool:
    """Does an `allowed_paths` pattern match a repo path? git's wildmatch with WM_PATHNAME, as in a `:(glob)`
    pathspec: the pattern matches the whole path from the ledger root (a leading `/` is ignored); `*` and `?` match
    within one path component; `**/` matches zero or more directories, a trailing `/**` everything below, `**`
    alone everything; `[abc]`, `[a-z]`, `[!abc]` are character classes; `\\` quotes the next character. So
    `README.md` is the top-level file only, `**/README.md` any of them, `docs/**` everything under docs/."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(_wildmatch_regex(pattern.lstrip("/")), re.DOTALL)
    return compiled.fullmatch(path) is not None


def _wildmatch_regex(pattern: str) -> str:
    out: list[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "*":
            end = index
            while end < size and pattern[end] == "*":
                end += 1
            whole = end - index >= 2 and (index == 0 or pattern[index - 1] == "/")
            if whole and end == size:
                out.append(".*")
            elif whole and pattern[end] == "/":
                out.append("(?:.*/)?")
                end += 1
            else:
                out.append("[^/]*")
            index = end
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            end = index + 1
            if end < size and pattern[end] in "!^":
                end += 1
            if end < size and pattern[end] == "]":
                end += 1
            while end < size and pattern[end] != "]":
                end += 1
            if end >= size:
                out.append(re.escape(char))
                index += 1
                continue
            body = pattern[index + 1 : end]
            negated = body[:1] in ("!", "^")
            body = body[1:] if negated else body
            body = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[^/{body}]" if negated else f"(?!/)[{body}]")
            index = end + 1
        elif char == "\\" and index + 1 < size:
            out.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def _named(commit: Commit) -> Commit:
    """A commit as a finding names it (id and author), without its message: signatures are checked once at the end,
    and a signed ledger's whole history of commit messages need not wait for that."""
    return Commit(commit.sha, (), commit.author_name, commit.author_email, "", "", commit.signed)


def _fresh() -> State:
    return State(None, Config.from_file_data(None), {})


def allowed_signers(signers: dict[str, Iterable[str]]) -> str:
    """git's gpg.ssh.allowedSignersFile: one `principal namespaces="git" key` line per registered key."""
    lines = []
    for cadre_id in sorted(signers):
        for key in sorted(signers[cadre_id]):
            parts = key.split()
            if len(parts) >= 2:
                lines.append(f'{cadre_id} namespaces="git" {parts[0]} {parts[1]}')
    return "\n".join(lines) + ("\n" if lines else "")


def _cadre_from(raw: bytes) -> Cadre | None:
    try:
        return _cadre_from_data(yamlio.load(yamlio.decode(raw)))
    except yamlio.YamlProblem:
        return None


def _cadre_from_data(data: Any) -> Cadre | None:
    if not isinstance(data, dict):
        return None
    try:
        return Cadre.from_dict(data)
    except (TypeError, KeyError, ValueError):
        return None


def _differing_keys(expected: dict[str, Any], data: dict[str, Any]) -> list[str]:
    missing = object()
    keys = (set(expected) | set(data)) - {"history"}
    return sorted(key for key in keys if expected.get(key, missing) != data.get(key, missing))


def _moment(text: str) -> dt.datetime:
    """An ISO 8601 time with its offset (naive times are the office's, UTC+8)."""
    moment = dt.datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=F.CHINA)


def _is_day(value: Any) -> bool:
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 0


# ---------------------------------------------------------------- entry points


def _rewrite(git: Git, mark: str, detail: str, lang: str) -> Finding:
    message = messages.render("audit_rewrite", lang, mark=mark[:10], detail=detail)
    return Finding(mark, "", "", "rewrite", message)


def audit_repo(root: Path, since: str | None = None, lang: str = "zh", mark: bool = True) -> AuditResult:
    """Audit a ledger's history (all of it, or `since..HEAD`), and remember a clean result in `refs/minqing/audited`.

    The mark only moves when the run was clean and covered everything after the previous mark, so a rewrite (the
    mark no longer an ancestor of HEAD) keeps being reported until a person deletes the ref on purpose.
    """
    from ..core.errors import BadInput
    from ..core.messages import Text

    git = Git(root)
    head = git.rev("HEAD")
    if head is None:
        return AuditResult((), 0, None, since)
    # Each git process an incremental audit (`--since` the mark) starts costs about as much as auditing its one new
    # commit: the mark is resolved once, and whether it is an ancestor of HEAD is read from the range's listing.
    marked = git.rev(MARK_REF)
    since_sha = None
    if since:
        since_sha = marked if since == MARK_REF else git.rev(since)
        if since_sha is None:
            raise BadInput("bad_value", field="--since", value=since, accepted=Text("acc_audit_since"))
    log = None
    if marked and since_sha == marked:
        # marked..HEAD: the mark is an ancestor of HEAD exactly when it is HEAD or the parent of a listed commit.
        log = CommitLog(git, [f"{since_sha}..{head}"])
        kept = marked == head or marked in log.children
    else:
        kept = not marked or git.is_ancestor(marked, head)
    findings: list[Finding] = []
    if marked and not kept:
        findings.append(_rewrite(git, marked, f"HEAD {head[:10]}", lang))
    auditor = Auditor(git, lang)
    # The ledger's root is the one the last clean run vouched for (the mark's), else the one HEAD's first parents
    # reach; with --since it lies below the range and any root inside the range is foreign.
    anchor = marked if marked and not findings else head
    findings += auditor.run(
        [f"{since_sha}..{head}" if since_sha else head],
        root_below=[since_sha] if since_sha else None,
        anchor=anchor,
        log=log,
    )
    covered = since_sha is None or (
        marked is not None and (since_sha == marked or git.is_ancestor(since_sha, marked))
    )
    if mark and not findings and covered:
        from ..core.errors import EnvironmentProblem

        try:
            git.run("update-ref", "-m", "minqing audit", MARK_REF, head)
        except EnvironmentProblem:
            pass  # a read-only ledger (a backup, a mounted copy) is still audited; the next run starts further back
    return AuditResult(tuple(findings), auditor.commits, head, since_sha)


def audit_push(git_dir: Path, updates: list[tuple[str, str, str]], lang: str = "zh") -> AuditResult:
    """The pre-receive check of a central repo: every pushed commit not yet in the repo, parents first.

    `updates` are the (old, new, ref) lines git gives pre-receive. Deleting or rewinding a branch is a rewrite.
    """
    git = Git(git_dir)
    findings: list[Finding] = []
    tips = []
    for old, new, ref in updates:
        if new == ZERO:
            findings.append(_rewrite(git, old, f"{ref} deleted", lang))
        elif old != ZERO and not git.is_ancestor(old, new):
            findings.append(_rewrite(git, old, f"{ref} {old[:10]} → {new[:10]} is not a fast-forward", lang))
        else:
            tips.append(new)
    auditor = Auditor(git, lang)
    if tips:
        # The central repo's root is the root of what it holds: a root commit among the pushed ones is foreign,
        # unless the repo is empty (the first push brings the ledger's one root).
        holds = bool(git.text("for-each-ref", "--count=1", "--format=%(objectname)"))
        findings += auditor.run(
            [*tips, "--not", "--all"], root_below=["--all"] if holds else None, anchor=tips[0]
        )
    return AuditResult(tuple(findings), auditor.commits, tips[-1] if tips else None, None)


def audit_pending(root: Path, message: str, lang: str = "zh") -> tuple[list[str], list[Finding]]:
    """The commit-msg hook: (staged paths, findings) for the commit `git commit` is about to make.

    The staged tree and the message are written as a dangling commit object (no ref moves) and audited against
    HEAD exactly as `audit` will later see it, except for signatures (git signs after this hook runs).
    """
    from ..core.operations import parse_trailers
    from ..repo.gitwalk import parse_commit

    git = Git(root)
    staged = [p for p in git.run("diff", "--cached", "--name-only", "-z").decode().split("\0") if p]
    trailers = parse_trailers(message)
    if missing_trailers(trailers):
        return staged, []
    head = git.rev("HEAD")
    parents = [head] if head else []
    merging = git.run("rev-parse", "-q", "--verify", "MERGE_HEAD", ok_codes=(0, 1)).decode().strip()
    if merging and head:
        parents += [line for line in git.run("rev-parse", "MERGE_HEAD").decode().split() if line]
    tree = git.text("write-tree")
    parent_args = [arg for parent in parents for arg in ("-p", parent)]
    sha = git.run("commit-tree", tree, *parent_args, input=message.encode("utf-8")).decode().strip()
    raw = git.run("cat-file", "commit", sha)
    commit = parse_commit(sha, raw)
    changes = diff_trees(git, head or EMPTY_TREE, sha)
    auditor = Auditor(git, lang, check_signatures=False)
    for other in parents[1:]:
        # A side holding a root commit HEAD does not have is a foreign history (a merge of an unrelated ledger).
        if git.text("rev-list", "--max-parents=0", other, "--not", *parents[:1]):
            auditor.foreign.add(other)
    return staged, auditor.pending(commit, changes)


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
