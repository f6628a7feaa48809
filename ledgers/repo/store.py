"""The ledger repo on disk: discovery, reading records, the writer lock, atomic writes and one commit per operation.

Commits are made with git plumbing (update-index, write-tree, commit-tree, update-ref with the old value) through
the one git runner (repo/git.py), or streamed through `git fast-import` in a batch. Hooks do not run for plumbing
commits; `audit` and the central pre-receive hook are the guard.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import platform
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; the stale-lock takeover is then best effort
    fcntl = None  # type: ignore[assignment]

from ..core import fields as F
from ..core import ids, pii, yamlio
from ..core.config import Config
from ..core.errors import (
    Busy,
    CorruptFile,
    EnvironmentProblem,
    LedgerError,
    NotALedger,
    NotFound,
    Refused,
)
from ..core.items import check_policy
from ..core.kinds import BY_PREFIX, kind_of_record
from ..core.layout import AUTHOR_DOMAIN, CONFIG_FILE, DIRS, STATE_DIR, UNITS_FILE, cadre_path
from ..core.messages import Text
from ..core.model import Cadre, Household, Item, Source, Unit, item_from_dict, item_to_dict
from ..core.operations import commit_message, new_entry
from .git import popen as git_popen
from .git import run as git_run

LOCK_TIMEOUT = float(os.environ.get("MINQING_LOCK_TIMEOUT", "10"))


def find_root(start: Path) -> Path | None:
    current = start.resolve()
    for candidate in (current, *current.parents):
        if (candidate / CONFIG_FILE).is_file() and (candidate / ".git").exists():
            return candidate
    return None


@dataclass
class Ledger:
    root: Path
    _config: Config | None = None
    _units: dict[str, Unit] | None = None
    _paths: dict[str, dict[str, str]] = field(default_factory=dict)
    # Where `locate` last found a household or item: the demo and an import look the same ids up again and again,
    # each a scan of the village or year directories; the path is checked with one stat before it is believed.
    _located: dict[str, str] = field(default_factory=dict)
    _batch: Any = None
    # Verified records by path, each with the exact text it was built from: a record is rebuilt only when its file's
    # text changed, so the demo and imports, which look the same cadre up hundreds of times, parse it once.
    _records: dict[str, tuple[str, Any]] = field(default_factory=dict)

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Ledger:
        """Find the ledger like git does: -C PATH, else MINQING_LEDGER, else the cwd and its parents."""
        start = Path(path) if path else Path(os.environ.get("MINQING_LEDGER") or os.getcwd())
        root = find_root(start) if start.exists() else None
        if root is None:
            raise NotALedger("not_a_ledger", path=str(start))
        ledger = cls(root)
        # Free text is screened wherever it is validated, before any transaction: the office's choice must be
        # known from the moment the ledger is opened.
        with contextlib.suppress(LedgerError):  # an unreadable minqing.yaml is check's to report, not open's
            pii.POLICY.set(ledger.config.pii_policy())
        return ledger

    @property
    def git_dir(self) -> Path:
        return self.root / ".git"

    @property
    def state_dir(self) -> Path:
        path = self.git_dir / STATE_DIR
        path.mkdir(parents=True, exist_ok=True)
        return path

    def git(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        """Run git in the ledger; stdout without its final newline. The git command line directly, not through
        GitPython: importing GitPython costs more than the whole commit (docs/decisions/performance.md)."""
        done = git_run(
            self.root, *args, env={"LANGUAGE": "C", "LC_ALL": "C", **(env or {})}, input=input, text=False
        )
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise _git_problem(detail, f"git {args[0]}")
        out = done.stdout.decode("utf-8", "surrogateescape")
        return out[:-1] if out.endswith("\n") else out

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = Config.from_file_data(self.read_yaml(CONFIG_FILE))
        return self._config

    def secret(self) -> bytes:
        path = self.git_dir / STATE_DIR / "secret"
        if not path.exists():
            raise EnvironmentProblem(
                "git_failed", detail=f"county secret missing at {path}; use minqing clone --secret-file"
            )
        return bytes.fromhex(path.read_text().strip())

    # ------------------------------------------------------------ reading

    def read_text(self, rel: str) -> str | None:
        path = self.root / rel
        try:
            with open(path, "rb") as handle:
                # Size first: a file pasted over a ledger file (a video, a database dump) is refused without
                # being read into memory. Each YAML loader then applies its own limit (yamlio).
                size = os.fstat(handle.fileno()).st_size
                if size > yamlio.MAX_STREAM_BYTES:
                    limit = yamlio.MAX_STREAM_BYTES
                    raise CorruptFile(
                        "corrupt_file",
                        path=rel,
                        line=1,
                        detail=Text("file_too_large", size=size, limit=limit),
                    )
                raw = handle.read()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise CorruptFile("corrupt_file", path=rel, line=1, detail=Text("detail_directory")) from None
        try:
            return yamlio.decode(raw)
        except yamlio.YamlProblem as problem:
            raise CorruptFile("corrupt_file", path=rel, line=problem.line, detail=problem.said) from None

    def read_yaml(self, rel: str) -> Any:
        text = self.read_text(rel)
        if text is None:
            return None
        try:
            data = yamlio.load(
                text, limit=yamlio.MAX_STREAM_BYTES if rel == UNITS_FILE else yamlio.MAX_ENTITY_BYTES
            )
        except yamlio.YamlProblem as problem:
            raise CorruptFile("corrupt_file", path=rel, line=problem.line, detail=problem.said) from None
        return data

    def read_stream(self, rel: str) -> list[dict[str, Any]]:
        text = self.read_text(rel)
        if text is None:
            return []
        try:
            return yamlio.load_all(text)
        except yamlio.YamlProblem as problem:
            raise CorruptFile("corrupt_file", path=rel, line=problem.line, detail=problem.said) from None

    def units(self) -> dict[str, Unit]:
        if self._units is None:
            data = self.read_yaml(UNITS_FILE) or {}
            county = data.get("county") or {}
            units = {}
            if county.get("code"):
                units[str(county["code"])] = Unit(
                    str(county["code"]),
                    str(county.get("name", "")),
                    "county",
                    None,
                    source=Source(UNITS_FILE),
                )
            for raw in data.get("units") or []:
                unit = Unit.from_dict(raw, Source(UNITS_FILE))
                units[unit.code] = unit
            self._units = units
        return self._units

    def unit(
        self, code: str, field_name: str = "--unit", level: str | None = None, parent: str | None = None
    ) -> Unit:
        """The unit a code or a name means (issue 16: the short name, the official name or an alias; the bureau's
        12-digit township form), of `level` and under `parent` when given. A name several units answer to is
        refused listing them (core/orgtree.py: match_units)."""
        from ..core.errors import Ambiguous, BadInput
        from ..core.orgtree import describe, match_units

        code = (code or "").strip()
        found = self.units().get(code)
        if found is not None:
            return found
        if not code:
            raise BadInput("required", field=field_name, accepted=Text("acc_unit_code"))
        # A code is looked up whole (a wrong level is the caller's message); a name within level and parent.
        scoped = (None, None) if code.isdigit() else (level, parent)
        matches = match_units(self.units().values(), code, *scoped)
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listed = describe(self.units(), matches)
            raise Ambiguous("ambiguous_unit", field=field_name, value=code, matches=listed)
        if not code.isdigit():
            raise NotFound("unknown_unit", field=field_name, value=code, accepted=Text("acc_unit_code"))
        raise NotFound("unknown_code", field=field_name, value=code)

    def _scan(self, kind: str) -> dict[str, str]:
        """id -> repo-relative path for one kind of entity file (directory listings only, no parsing)."""
        if kind in self._paths:
            return self._paths[kind]
        found: dict[str, str] = {}
        top = DIRS[BY_PREFIX[kind].name]
        base = self.root / top
        if kind == "C":
            dirs = [base]
        else:
            dirs = [Path(entry.path) for entry in os.scandir(base) if entry.is_dir()] if base.is_dir() else []
        for directory in dirs:
            if not directory.is_dir():
                continue
            for entry in os.scandir(directory):
                if entry.name.endswith(".yaml") and entry.name.startswith(kind + "-"):
                    found[entry.name[:-5]] = (
                        f"{top}/{entry.name}" if kind == "C" else f"{top}/{directory.name}/{entry.name}"
                    )
        self._paths[kind] = found
        return found

    def all_ids(self, kind: str) -> list[str]:
        return list(self._scan(kind))

    def locate(self, entry_id: str) -> str | None:
        """Path of a full id without listing every file of its kind: one stat per year/village directory."""
        kind = entry_id[:1]
        if kind in self._paths:
            return self._paths[kind].get(entry_id)
        if kind == "C":
            rel = cadre_path(entry_id)
            return rel if os.path.isfile(os.path.join(self.root, rel)) else None
        known = self._located.get(entry_id)
        if known is not None and os.path.isfile(os.path.join(self.root, known)):
            return known  # moved or removed since, it is looked for again
        top = {"H": "households", "Q": "issues"}.get(kind)
        if top is None or not (self.root / top).is_dir():
            return None
        for directory in os.scandir(self.root / top):
            if directory.is_dir() and os.path.isfile(os.path.join(directory.path, entry_id + ".yaml")):
                found = self._located[entry_id] = f"{top}/{directory.name}/{entry_id}.yaml"
                return found
        return None

    def resolve(self, kind: str, text: str, field_name: str) -> str:
        wanted = ids.normalize(text or "")
        if ids.is_id(wanted, kind):  # a full id: a dict hit or a few stats, never a scan of every candidate
            if self.locate(wanted):
                return wanted
            raise NotFound("unknown_id", field=field_name, kind=ids.KINDS[kind], value=text)
        return ids.resolve_prefix(text or "", kind, self._scan(kind).keys(), field_name)

    def path_of(self, entry_id: str) -> str:
        found = self.locate(entry_id)
        if found is None:
            raise NotFound("not_found", kind=ids.KINDS[entry_id[:1]], value=entry_id)
        return found

    def new_id(self, kind: str, taken: set[str] | None = None) -> str:
        """A fresh random id; collisions (1 in 10^9 per pair) are checked by stat, not by listing."""
        while True:
            candidate = ids.new_id(kind, taken or ())
            if self.locate(candidate) is None:
                return candidate

    def _entity(self, kind: str, text: str, field_name: str) -> tuple[str, dict[str, Any]]:
        entry_id = self.resolve(kind, text, field_name)
        rel = self.path_of(entry_id)
        data = self.read_yaml(rel)
        if not isinstance(data, dict) or data.get("id") != entry_id:
            raise CorruptFile("corrupt_file", path=rel, line=1, detail=Text("detail_not_entity", id=entry_id))
        return rel, data

    def _record(self, kind: str, text: str, field_name: str, build: Any, verify: bool) -> Any:
        """The entity's record, verified against its history; reused while its file's text is unchanged (the
        records are frozen dataclasses, so sharing one is safe)."""
        entry_id = self.resolve(kind, text, field_name)
        rel = self.path_of(entry_id)
        if verify:
            current = self.read_text(rel)
            cached = self._records.get(rel)
            if current is not None and cached is not None and cached[0] == current:
                return cached[1]
        rel, data = self._entity(kind, entry_id, field_name)
        record = build_record(build, data, rel)
        if verify:
            self._verify_replay(rel, data, record)
            if current is not None:
                if len(self._records) >= 4096:
                    self._records.clear()
                self._records[rel] = (current, record)
        return record

    def cadre(self, text: str, field_name: str = "--by", verify: bool = True) -> Cadre:
        return self._record("C", text, field_name, Cadre.from_dict, verify)

    def household(self, text: str, field_name: str = "--household", verify: bool = True) -> Household:
        return self._record("H", text, field_name, Household.from_dict, verify)

    def item(self, text: str, field_name: str = "ID", verify: bool = True) -> Item:
        return self._record("Q", text, field_name, item_from_dict, verify)

    def _verify_replay(self, rel: str, data: dict[str, Any], record: Any) -> None:
        """The file must be what its history replays to (docs/format.md). A hand edit the history does not
        explain (a state typed in, a role raised, a key added) is refused (exit 4, `path:line:`) before a command
        shows it as fact or builds on it. Listings (`iter_*`) skip this; `minqing check` covers every file."""
        from ..core.errors import LedgerError

        try:
            expected = kind_of_record(record).snapshot(record.history)
        except (LedgerError, AssertionError, AttributeError, KeyError, TypeError, ValueError) as exc:
            line = self._line_of(rel, ("history",))
            raise CorruptFile(
                "corrupt_file", path=rel, line=line, detail=Text("detail_no_replay", error=str(exc))
            ) from None
        for key, value in data.items():
            if key not in expected:
                detail = Text("detail_unknown_key", field=key)
            elif expected[key] != value:
                detail = Text("detail_forged", field=key, value=repr(value), replayed=repr(expected[key]))
            else:
                continue
            raise CorruptFile("corrupt_file", path=rel, line=self._line_of(rel, (key,)), detail=detail)

    def _line_of(self, rel: str, keys: tuple[Any, ...]) -> int:
        """The line of a key in an entity file (the slower located parse runs only on this error path)."""
        try:
            located = yamlio.load_located(self.read_text(rel) or "")[0]
        except (yamlio.YamlProblem, IndexError, CorruptFile):
            return 1
        return located.lines.get(keys, 1)

    def iter_cadres(self) -> Iterator[Cadre]:
        for entry_id in sorted(self._scan("C")):
            yield self.cadre(entry_id, verify=False)

    def iter_households(self) -> Iterator[Household]:
        for entry_id in sorted(self._scan("H")):
            yield self.household(entry_id, verify=False)

    def iter_items(self) -> Iterator[Item]:
        for entry_id in sorted(self._scan("Q")):
            yield self.item(entry_id, verify=False)

    def actor(self, text: str | None) -> Cadre:
        """The acting cadre: --as, else MINQING_USER, else `git config minqing.user`. Must exist and be active."""
        from ..core.errors import BadInput

        chosen = text or os.environ.get("MINQING_USER") or self._configured_user()
        if not chosen:
            raise BadInput("no_actor")
        cadre = self.cadre(chosen, "--as")
        if cadre.status != "active":
            raise Refused("actor_recalled", actor=cadre.id, name=cadre.name)
        return cadre

    def _configured_user(self) -> str | None:
        # Read .git/config directly: spawning git for one key costs more than parsing one small file.
        import configparser

        parser = configparser.RawConfigParser(strict=False)
        with contextlib.suppress(OSError, configparser.Error):
            parser.read(self.git_dir / "config", encoding="utf-8")
            if parser.has_option("minqing", "user"):
                return parser.get("minqing", "user").strip()
        return None

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """The single-writer lock `.git/minqing/lock` ("pid host time"); Busy (exit 3) after the timeout.

        The lock file appears complete or not at all (written aside, then hard-linked into place), so a writer
        killed at any moment never leaves an empty lock that nobody can judge. A lock whose process is gone on
        this host is taken over (see `_take_over`)."""
        lock_path = self.state_dir / "lock"
        wait = _lock_timeout() if timeout is None else timeout
        deadline = time.monotonic() + wait
        me = f"{os.getpid()} {platform.node()} {F.timestamp()}"
        staged = lock_path.with_name(f"lock.{os.getpid()}.tmp")
        try:
            staged.write_text(me)
            while True:
                if _link_exclusive(staged, lock_path):
                    break
                holder = lock_holder(lock_path)
                if holder and stale(holder):
                    _take_over(lock_path, holder)
                    continue
                if time.monotonic() >= deadline:
                    raise Busy("busy", holder=holder or "?", seconds=int(wait)) from None
                # jitter, so waiting writers do not retry in lockstep; os.urandom spares every command random's import
                time.sleep(0.005 + os.urandom(1)[0] / 255 * 0.02)
        except OSError as exc:
            raise EnvironmentProblem("io_failed", detail=f"{lock_path}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                staged.unlink()
        _sweep_state_dir(lock_path.parent)
        try:
            yield
        finally:
            # Only remove the lock if it is still ours (a takeover never removes a live writer's lock, but a
            # person may have deleted it by hand and another writer taken it since).
            if lock_holder(lock_path) == me:
                with contextlib.suppress(FileNotFoundError):
                    lock_path.unlink()

    @contextlib.contextmanager
    def transaction(self, actor_text: str | None, op: str) -> Iterator[Transaction]:
        """Lock, resolve and authorise the actor, then collect writes; exactly one commit or nothing."""
        with contextlib.nullcontext() if self._batch else self.lock():
            if not self._batch:
                settle_pending(self)
            self._paths.clear()
            self._units = None
            actor = self.actor(actor_text)
            self.config.require(actor, op)
            if self.config.data.get("require_signed"):
                from .signing import require_identity  # its key must be here: the commit is signed by it

                require_identity(self, actor, op)
            tx = Transaction(self, actor, op)
            try:
                yield tx
                if not tx.committed:
                    raise RuntimeError(f"operation {op} wrote files but made no commit")
            except BaseException as error:
                failed = tx.rollback()
                if failed:
                    # The cause's own detail (a full disk), not its sentence: that one says nothing changed.
                    detail = getattr(error, "params", {}).get("detail") or str(error)
                    raise EnvironmentProblem(
                        "rollback_failed", paths=", ".join(failed[:3]), detail=detail
                    ) from error
                raise
            finally:
                self._paths.clear()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Many operations, each still its own commit, streamed through one `git fast-import` (demo, import)."""
        with self.lock():
            settle_pending(self)  # an import waits for doctor like any write
            committer = FastImportCommitter(self)
            self._batch = committer
            try:
                yield
                committer.finish()
            except BaseException:
                committer.abort()
                raise
            finally:
                self._batch = None

    def head(self) -> str | None:
        found = read_head(self.git_dir)
        if found is not UNKNOWN:
            return found  # type: ignore[return-value]
        try:
            return self.git("rev-parse", "--verify", "-q", "HEAD")
        except EnvironmentProblem:
            return None


@dataclass
class Transaction:
    ledger: Ledger
    actor: Cadre
    op: str
    writes: dict[str, bytes | None] = field(default_factory=dict)
    originals: dict[str, bytes | None] = field(default_factory=dict)
    committed: bool = False
    journal: Path | None = None
    intended: list[str] = field(default_factory=list)
    backups: dict[str, Path] = field(default_factory=dict)
    # put_many of a big import: its objects packed by `git fast-import` while the files are written (_Packing),
    # and each file staged by one `git update-index` as soon as it is in place (_Staging)
    packing: _Packing | None = None
    staging: _Staging | None = None

    def put(self, rel: str, text: str) -> None:
        self._write(rel, text.encode("utf-8"))

    def put_many(
        self,
        files: dict[str, str] | dict[str, bytes],
        progress: Any = None,
        appends: dict[str, str] | None = None,
    ) -> None:
        """Many files at once (an import). Each is replaced atomically (temp file, rename) but not fsynced one by
        one: 100,000 fsyncs were most of an import's time. One `os.sync()` after the last write makes them all
        durable before the commit is made, which is the same promise: a crash before the commit is undone from the
        journal, and the commit never names a file that is not on disk. `appends` are text added to the end of
        stream files (an import's visits), written the same way. A file given as bytes is its UTF-8 (an import
        keeps its 100,000 files encoded, not as text and then again encoded)."""
        contents = {}
        listed: dict[str, set[str] | None] = {}  # directory -> the names in it (None: no such directory yet)
        for rel in sorted(files):
            _safe_rel(rel)
            self._original_listed(rel, listed)
            text = files[rel]
            contents[rel] = text if isinstance(text, bytes) else text.encode("utf-8")
        for rel in sorted(appends or {}):
            _safe_rel(rel)
            self._original_listed(rel, listed)  # a new month's streams: no failed open each
            base = contents[rel] if rel in contents else self.current(rel) or b""
            contents[rel] = base + appends[rel].encode("utf-8")
        self._intend(list(contents))  # one journal write for the whole import
        self.writes.update(contents)  # recorded first, so a failure part-way rolls back every one of them
        staging = None
        if len(contents) >= PACKED_BLOBS_FROM and not self.ledger._batch and self.packing is None:
            head = self.ledger.head()
            # Refused here, before a file is written, as the commit would refuse it after (the same message).
            _refuse_staged_leftovers(self.ledger, head)
            # The pack the commit needs, made by git on the other core while this thread writes the files; and
            # the files staged as they are written, by one update-index that hashes each while it is still cached.
            self.packing = _Packing(self.ledger, contents, head)
            staging = self.staging = _Staging(self.ledger, head)
        root, temp_suffix = str(self.ledger.root), f".{os.getpid()}.tmp"
        for done, rel in enumerate(contents, start=1):
            directory, _, name = rel.rpartition("/")
            if listed.get(directory) is None:  # not there yet, or not listed (a stream appended to)
                os.makedirs(os.path.join(root, directory), exist_ok=True)
                listed[directory] = set()
            _replace_file(os.path.join(root, directory), name, contents[rel], temp_suffix)
            if staging is not None:
                staging.add(rel)
            crash_point("write")
            if progress is not None:
                progress(done, len(contents))
        if staging is not None:
            staging.finish()
        os.sync()

    def _original_listed(self, rel: str, listed: dict[str, set[str] | None]) -> None:
        """`_original` for one of many files: one directory listing tells which of them exist, so only those are
        read (an import's new files cost no failed open each)."""
        if rel in self.originals:
            return
        directory, _, name = rel.rpartition("/")
        if directory not in listed:
            try:
                listed[directory] = set(os.listdir(self.ledger.root / directory))
            except (FileNotFoundError, NotADirectoryError):
                listed[directory] = None
        names = listed[directory]
        if names is None or name not in names:
            self.originals[rel] = None
        else:
            self._original(rel)

    def remove(self, rel: str) -> None:
        """Delete a file in this operation's commit (household.move: the file leaves its old village's directory).
        Rolled back like a write: the original is kept until the commit is made."""
        _safe_rel(rel)
        if self._original(rel) is None:
            raise RuntimeError(f"nothing to remove at {rel}")
        self._keep_original(rel)
        self._intend([rel])
        self.writes[rel] = None
        with contextlib.suppress(FileNotFoundError):
            (self.ledger.root / rel).unlink()
        crash_point("write")

    def append(self, rel: str, text: str) -> None:
        self._write(rel, (self.current(rel) or b"") + text.encode("utf-8"))

    def current(self, rel: str) -> bytes | None:
        """The file as this transaction has it: what it wrote, else what was there (None: no such file)."""
        return self.writes[rel] if rel in self.writes else self._original(rel)

    def _original(self, rel: str) -> bytes | None:
        if rel not in self.originals:
            try:
                self.originals[rel] = (self.ledger.root / rel).read_bytes()
            except FileNotFoundError:
                self.originals[rel] = None
        return self.originals[rel]

    def _intend(self, rels: list[str]) -> None:
        """Name files in the journal before writing them, so a kill part-way leaves a list of exactly what to undo."""
        new = [rel for rel in rels if rel not in self.intended]
        if not new or self.ledger._batch:
            return  # a batch commits only at its end; `minqing doctor` restores a killed batch from HEAD
        self.intended.extend(new)
        self.journal = write_pending(
            self.ledger,
            {
                "state": "writing",
                "op": self.op,
                "actor": self.actor.id,
                "pid": os.getpid(),
                "host": platform.node(),
                "paths": sorted(self.intended),
            },
        )

    def _write(self, rel: str, content: bytes) -> None:
        _safe_rel(rel)
        if self._original(rel) is not None:
            self._keep_original(rel)
        self._intend([rel])
        self.writes[rel] = content
        # A batch syncs once before its branch moves (FastImportCommitter.finish), not once per file.
        atomic_write(self.ledger.root / rel, content, durable=not self.ledger._batch)
        crash_point("write")

    def _keep_original(self, rel: str) -> None:
        """Before an existing file is first replaced: a hard link to its old content, so a rollback is a rename,
        which needs no free space (a full disk). Named like a temp file: `minqing doctor` removes strays."""
        if rel in self.backups or self.ledger._batch:
            return
        path = self.ledger.root / rel
        backup = path.with_name(f".{path.name}.{os.getpid()}.orig.tmp")
        try:
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
            os.link(path, backup)
        except OSError:
            return  # no hard links on this file system: a rollback writes the old content back instead
        self.backups[rel] = backup

    def _drop_backups(self) -> None:
        for backup in self.backups.values():
            with contextlib.suppress(OSError):
                backup.unlink()
        self.backups.clear()

    def advance(self, record: Any, op: str, values: dict[str, Any], at: str | None = None) -> Any:
        """Append one history entry by the acting cadre to an entity and write its file: the one way every
        operation changes an existing entity (the office's rules for items, then the kind's apply)."""
        kind = kind_of_record(record)
        entry = new_entry(self.actor.id, op, values, at)
        if kind.name == "item":
            check_policy(record, entry, self.ledger.config, self.actor)
        updated = replace(kind.apply(record, entry), history=record.history + (entry,), source=record.source)
        assert record.source is not None
        self.put(record.source.path, yamlio.dump(kind.to_dict(updated)))
        return updated

    def commit(
        self,
        subject: str,
        entries: list[str],
        at: str | None = None,
        extra: Iterable[tuple[str, str]] = (),
    ) -> None:
        """The operation's one commit; `extra` are trailers after the three of every commit (Ledger-Visitor)."""
        if not self.writes:
            raise RuntimeError("nothing to commit")
        when = at or F.timestamp()
        body = commit_message(subject, self.op, entries, self.actor.id, extra)
        author = (self.actor.name or self.actor.id, f"{self.actor.id}@{AUTHOR_DOMAIN}")
        crash_point("commit")
        if self.ledger._batch:
            self.ledger._batch.commit(self.writes, body, author, when)
        else:
            PlumbingCommitter(self.ledger).commit(
                self.writes,
                body,
                author,
                when,
                originals=self.originals,
                ready=self._ready,
                packing=self.packing,
                staged=self.staging.paths if self.staging is not None else None,
            )
        self.committed = True
        self._drop_backups()
        self._forget_journal()

    def _ready(self, complete: dict[str, Any]) -> None:
        """Every file is written and matches HEAD's originals: the journal now holds the whole commit to make."""
        self.journal = write_pending(
            self.ledger, {"state": "complete", "op": self.op, "paths": sorted(self.writes), **complete}
        )
        crash_point("journal")

    def _forget_journal(self) -> None:
        if self.journal is not None:
            with contextlib.suppress(OSError):
                self.journal.unlink()
            self.journal = None

    def rollback(self) -> list[str]:
        """Put back every file this transaction wrote. Returns the paths that could not be restored (disk full,
        read-only): they are left for `minqing doctor`, and the caller says so instead of claiming nothing
        changed."""
        if self.committed:
            return []
        if self.packing is not None:
            # fast-import finishes (and drops its throwaway ref) before any file is put back
            with contextlib.suppress(Exception):
                self.packing.wait()
        if self.staging is not None:
            self.staging.undo()  # nothing staged stays behind a refused or failed import
        failed = []
        # New files first: removing them frees the space that putting back the others may need on a full disk.
        order = sorted(self.originals.items(), key=lambda pair: pair[1] is not None)
        for rel, content in order:
            if rel not in self.writes:
                continue  # read for an append that was refused before writing: nothing to undo
            path = self.ledger.root / rel
            try:
                if content is None:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                elif _holds(path, content):
                    continue  # the failed write never replaced it (a full disk): nothing to put back
                elif rel in self.backups:
                    os.replace(self.backups.pop(rel), path)
                else:
                    atomic_write(path, content)
            except (OSError, EnvironmentProblem):
                failed.append(rel)
        if self.writes and not self.ledger._batch and self.ledger.head():
            # The committer unstages on failure, but on a full disk that can fail before the files above freed
            # space: try again, so no staged leftover blocks the next operation.
            with contextlib.suppress(EnvironmentProblem):
                self.ledger.git("reset", "-q", "HEAD", "--", *sorted(self.writes)[:1000])
        self._drop_backups()
        if not failed:
            self._forget_journal()  # else it stays: `minqing doctor --fix` restores what could not be put back
        return failed


class PlumbingCommitter:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def commit(
        self,
        writes: dict[str, bytes | None],
        message: str,
        author: tuple[str, str],
        when: str,
        originals: dict[str, bytes | None] | None = None,
        ready: Any = None,
        packing: _Packing | None = None,
        staged: set[str] | None = None,
    ) -> None:
        """One commit of exactly `writes`. With `originals` (what the files held before the operation wrote them),
        refuses when those were not what HEAD holds; then `ready(commit)` receives what the commit will be (for the
        transaction's journal) before anything is staged. `packing`: the objects already being packed (put_many);
        `staged`: paths put_many has staged itself, after making the check for staged leftovers."""
        ledger = self.ledger
        paths = sorted(writes)
        head = ledger.head()
        if staged is None:
            _refuse_staged_leftovers(ledger, head)
        if originals is not None:
            before = head_blobs(ledger, head, paths)
            dirty = [rel for rel in paths if blob_id(originals.get(rel), before) != before.get(rel)]
            if dirty:
                # The operation read a file a killed command had left modified: its commit would carry that change.
                raise EnvironmentProblem("dirty_tree", paths=", ".join(dirty[:3]))
            if ready is not None:
                ready(
                    {
                        "message": message,
                        "author": list(author),
                        "when": when,
                        "head": head,
                        "before": {rel: before.get(rel) for rel in paths},
                        "after": {rel: blob_id(writes[rel], before) for rel in paths},
                    }
                )
        env = author_env(author, when)
        with contextlib.suppress(OSError):
            if os.stat(ledger.git_dir / "index").st_size > BIG_INDEX_BYTES:
                tune_git(ledger)  # a split index stays small: this is only true again if the office unset it
        try:
            if packing is not None:
                packing.wait()
            elif sum(1 for content in writes.values() if content is not None) >= PACKED_BLOBS_FROM:
                _pack_objects(ledger, writes, head)
            # An import writes thousands of files: their names on stdin, one index write (a call per thousand
            # rewrote the whole index each time: 4.5 of an import's 8 seconds at 10,000 households).
            unstaged = paths if staged is None else [rel for rel in paths if rel not in staged]
            if unstaged:
                ledger.git("update-index", "--add", "--remove", "-z", "--stdin", input=_nul_list(unstaged))
            crash_point("index")
            tree = ledger.git("write-tree")
            stamp = index_stamp(ledger)  # at once: the index now holds exactly the tree this commit records
            parents = ["-p", head] if head else []
            subject, _, trailers = message.partition("\n\n")
            from .signing import signing_options  # signs when this machine has a key for the acting cadre

            options, sign = signing_options(ledger, author[1])
            text = ["-m", subject, "-m", trailers.strip()]
            if len(message.encode("utf-8")) > MAX_ARG_BYTES:
                # One Ledger-Entry per imported entry outgrows a single argument; -F gives git the same bytes.
                message_file = ledger.state_dir / f"commit-message.{os.getpid()}"
                message_file.write_text(subject + "\n\n" + trailers.strip() + "\n", encoding="utf-8")
                text = ["-F", str(message_file)]
            try:
                commit = ledger.git(*options, "commit-tree", tree, *parents, *sign, *text, env=env)
            finally:
                if text[0] == "-F":
                    with contextlib.suppress(OSError):
                        Path(text[1]).unlink()
            crash_point("update-ref")
            ledger.git("update-ref", "-m", message.splitlines()[0], "HEAD", commit, *([head] if head else []))
            crash_point("ref")
            record_index_stamp(ledger, commit, stamp)
        except BaseException:
            with contextlib.suppress(EnvironmentProblem):
                if head:
                    for chunk in _chunks(paths):
                        ledger.git("reset", "-q", head, "--", *chunk)
            raise


class FastImportCommitter:
    """Streams commits into one `git fast-import` process; working-tree files are written as usual."""

    def __init__(self, ledger: Ledger) -> None:
        import subprocess

        self.ledger = ledger
        self.head = ledger.head()
        self.branch = ledger.git("symbolic-ref", "HEAD")
        self.count = 0
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"],
            cwd=ledger.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def _send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    def commit(
        self, writes: dict[str, bytes | None], message: str, author: tuple[str, str], when: str
    ) -> None:
        stamp = f"{author[0]} <{author[1]}> {_git_date(when)}"
        msg = message.encode("utf-8")
        out = [
            f"commit {self.branch}\nmark :{self.count + 1}\n".encode(),
            f"author {stamp}\ncommitter {stamp}\n".encode(),
            b"data %d\n" % len(msg),
            msg,
            b"\n",
        ]
        if self.count == 0 and self.head:
            out.append(f"from {self.head}\n".encode())
        for rel in sorted(writes):
            content = writes[rel]
            if content is None:
                out.append(f"D {rel}\n".encode())
            else:
                out.append(
                    f"M 100644 inline {rel}\n".encode() + b"data %d\n" % len(content) + content + b"\n"
                )
        out.append(b"\n")
        self._send(b"".join(out))
        self.count += 1

    def finish(self) -> None:
        os.sync()  # every working-tree file of the batch on disk before fast-import moves the branch
        self._send(b"done\n")
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
        if self.proc.wait() != 0:
            raise EnvironmentProblem(
                "git_failed", detail=err.strip().splitlines()[-1] if err.strip() else "fast-import"
            )
        self.ledger.git("reset", "-q")

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
            self.proc.wait()


def _git_date(when: str) -> str:
    moment = dt.datetime.fromisoformat(when)
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{int(moment.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def author_env(author: tuple[str, str], when: str) -> dict[str, str]:
    stamp = _git_date(when)
    return {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": author[0],
        "GIT_COMMITTER_EMAIL": author[1],
        "GIT_COMMITTER_DATE": stamp,
    }


def _safe_rel(rel: str) -> None:
    parts = Path(rel).parts
    if Path(rel).is_absolute() or ".." in parts or not parts or parts[0].startswith("."):
        if rel != ".gitattributes":
            raise ValueError(f"refusing to write outside the ledger: {rel}")


def atomic_write(path: Path, content: bytes, durable: bool = True, parent_exists: bool = False) -> None:
    """Temp file in the same directory, fsync, rename: a crash leaves the old file or the new one, never half.

    `durable=False` skips the fsync, for files that only matter if this process is killed (the journal): the
    page cache outlives a killed process, and after a power cut an operation that never returned is allowed
    to be gone."""
    try:
        if not parent_exists:
            path.parent.mkdir(parents=True, exist_ok=True)
        if not durable:
            _replace_file(str(path.parent), path.name, content, f".{os.getpid()}.tmp")
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
            crash_point("tmp")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(Exception):
            tmp.unlink()  # type: ignore[possibly-undefined]
        raise EnvironmentProblem("io_failed", detail=f"{path.name}: {exc.strerror or exc}") from None


def _replace_file(directory: str, name: str, content: bytes, temp_suffix: str) -> None:
    """atomic_write without the fsync (what it does for `durable=False`, and an import for each of its many
    files): a temp file beside it, renamed over it (a crash leaves the old file or the new one). Plain os calls on
    strings: pathlib and buffered file objects were a tenth of writing 10,000 files."""
    path = os.path.join(directory, name)
    tmp = os.path.join(directory, f".{name}{temp_suffix}")  # named as atomic_write names it: doctor sweeps it
    try:
        handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise EnvironmentProblem("io_failed", detail=f"{name}: {exc.strerror or exc}") from None


def lock_holder(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


# ---------------------------------------------------------------- commit fast paths (docs/decisions/performance.md)

UNKNOWN = object()
# Under .git/minqing/: "<commit> <stamp of .git/index>", written after each commit this module makes.
INDEX_STAMP_FILE = "index-stamp"


def read_head(git_dir: Path) -> object:
    """The commit HEAD names, read from .git like git does (None on an unborn branch); UNKNOWN when the layout is
    anything but plain files (a worktree's .git file, reftable, a symbolic ref outside refs/): then ask git."""
    try:
        text = (git_dir / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return UNKNOWN
    if _is_oid(text):
        return text
    if not text.startswith("ref: refs/") or (git_dir / "reftable").exists():
        return UNKNOWN
    ref = text[5:]
    try:
        value = (git_dir / ref).read_text(encoding="ascii").strip()
        return value if _is_oid(value) else UNKNOWN
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError):
        return UNKNOWN
    try:
        packed = (git_dir / "packed-refs").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return UNKNOWN
    for line in packed.splitlines():
        oid, _, name = line.partition(" ")
        if name == ref and _is_oid(oid):
            return oid
    return None


def _is_oid(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def index_stamp(ledger: Ledger) -> str | None:
    """Identity of `.git/index` as it is now: inode, size and mtime in ns. Git writes the index to index.lock and
    renames it into place, so every later change (a hand `git add`, a killed command's update-index, `git status`
    refreshing stat data) gives another stamp."""
    try:
        st = os.stat(ledger.git_dir / "index")
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def record_index_stamp(ledger: Ledger, commit: str, stamp: str | None) -> None:
    path = ledger.git_dir / STATE_DIR / INDEX_STAMP_FILE
    with contextlib.suppress(OSError):
        if stamp is None:
            path.unlink()
        else:
            path.write_text(f"{commit} {stamp}\n", encoding="ascii")


# ~20,000 files: from here on every git process pays noticeably for reading and writing the whole index
BIG_INDEX_BYTES = 2 << 20


def tune_git(ledger: Ledger) -> None:
    """Git settings for a ledger of many small files, unless the office chose otherwise: a split index (a commit
    rewrites a small file, not the whole index) and `feature.manyFiles` (index v4, untracked cache; on git ≥ 2.40
    also no checksum over the whole index). Set by init, and by the first commit that finds a large unsplit index
    (a clone, or a ledger made before this setting)."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    with contextlib.suppress(OSError, configparser.Error):
        parser.read(ledger.git_dir / "config", encoding="utf-8")
    if not parser.has_option("core", "splitindex"):
        ledger.git("config", "core.splitIndex", "true")
    if not parser.has_option("feature", "manyfiles") and not parser.has_option("index", "version"):
        ledger.git("config", "feature.manyFiles", "true")


COMMIT_GRAPH = ("commit-graph", "write", "--reachable", "--changed-paths", "--split", "--no-progress")


def refresh_commit_graph(ledger: Ledger, background: bool = False) -> None:
    """git's commit-graph with changed-path Bloom filters, given a layer for the commits it lacks: a path-limited
    `git log` (`minqing log ENTRY`, a leader's `git log -- FILE`) then passes over every commit that did not touch
    the path without reading its trees (0.21 → 0.02 s over a small county's 30,000 commits). Run after `sync`
    (the day's commits: milliseconds) and, in the background as git's own auto-gc runs, after `clone` (a whole
    history: ~2 s per 30,000 commits). A commit made since is read the slower way until the next one. A cache
    like the index: if git cannot write it (an old git, the lock held by the other writer), nothing else changes."""
    if background:
        import subprocess

        quiet = subprocess.DEVNULL
        git_popen(ledger.root, *COMMIT_GRAPH, stdin=quiet, stdout=quiet, stderr=quiet, start_new_session=True)
    else:
        git_run(ledger.root, *COMMIT_GRAPH)


def index_as_left(ledger: Ledger, head: str) -> bool:
    """True when HEAD is our last commit and the index file is the very one that commit was written from: then
    the index equals HEAD and nothing can be staged. Anything else (or any doubt) means: run the full check."""
    try:
        recorded = (ledger.git_dir / STATE_DIR / INDEX_STAMP_FILE).read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return False
    stamp = index_stamp(ledger)
    return stamp is not None and recorded == [head, stamp]


# ---------------------------------------------------------------- crash safety

# Under .git/minqing/: the journal of an operation between "all files written" and "committed".
PENDING_FILE = "pending.json"


def crash_point(name: str) -> None:
    """Test hook for tests/test_crash.py: MINQING_CRASH_AT=<name> kills this process here, as a power cut would.

    Points, in order: write (after each file of an operation), tmp (temp file written, not yet renamed),
    commit (all files written, nothing committed), journal (journal written), index (staged), update-ref
    (commit object made, HEAD not moved), ref (HEAD moved, journal not yet removed); and in a sync, move (the
    files and the index moved to the merged tree, MERGE_HEAD not yet written: worktree.move_to_tree)."""
    if os.environ.get("MINQING_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def blob_id(content: bytes | None, like: dict[str, str] | None = None) -> str | None:
    """git's object id of a blob, without spawning git (sha256 when the repo's ids are that long)."""
    if content is None:
        return None
    import hashlib

    sha256 = bool(like) and len(next(iter(like.values()))) == 64
    digest = hashlib.sha256() if sha256 else hashlib.sha1()  # noqa: S324 - git's object id, not security
    digest.update(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


def head_blobs(ledger: Ledger, head: str | None, paths: list[str]) -> dict[str, str]:
    """path -> blob id in `head` for those of `paths` that exist there."""
    if not head or not paths:
        return {}
    blobs = {}
    for chunk in _chunks(paths):
        out = ledger.git("ls-tree", "-z", head, "--", *chunk)
        for record in out.split("\0"):
            meta, _, rel = record.partition("\t")
            if rel:
                blobs[rel] = meta.split()[2]
    return blobs


MAX_ARG_BYTES = 64 * 1024  # Linux refuses a single argument over 128 KiB and a command line over ~2 MiB


# From this many files in one commit (an import), their blobs go into one pack first. `git update-index` writes each
# new blob as a loose object, one file each (2.7-5.7 s for 10,000 households on this machine's disk, most of the
# import); it writes nothing for an object already stored, so after one `git fast-import` of the blobs (0.3 s) the
# index update only hashes the files.
PACKED_BLOBS_FROM = 200


# A ref fast-import may leave a throwaway commit on while it packs an import (removed at once; never pushed).
PACKING_REF = "refs/minqing/packing"


def _pack_objects(ledger: Ledger, writes: dict[str, bytes | None], head: str | None) -> None:
    """The commit's new blobs and trees in one pack, before `update-index` and `write-tree`, which write nothing
    for an object already stored: the blobs, and the trees of a throwaway commit of the same changes on HEAD
    (`write-tree` made one loose object per directory: ~1,000 files for 10,000 households in 990 villages). The
    commit itself is still made from the index: a tree that comes out otherwise there (a file's mode) is written
    loose by write-tree as before. Killed between the two git calls, the throwaway ref stays until the next one."""
    import subprocess
    import tempfile

    paths = sorted(writes)
    # Streamed to fast-import's stdin file by file: one stream in memory was another copy of every file (100,000
    # households: 130 MB of the import's peak).
    with tempfile.TemporaryFile() as errors:
        proc = git_popen(
            ledger.root,
            *("fast-import", "--quiet", "--done", "--force"),
            env={"LANGUAGE": "C", "LC_ALL": "C"},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        assert proc.stdin is not None
        try:
            with proc.stdin as stream:
                for mark, rel in enumerate(paths, start=1):
                    content = writes[rel]
                    if content is not None:
                        stream.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(content)))
                        stream.write(content)
                        stream.write(b"\n")
                stream.write(
                    b"commit %s\ncommitter minqing <minqing@localhost> 0 +0000\ndata 0\n"
                    % PACKING_REF.encode()
                )
                if head:
                    stream.write(b"from %s\n" % head.encode())
                for mark, rel in enumerate(paths, start=1):
                    path = rel.encode("utf-8", "surrogateescape")
                    if b"\n" in path or path.startswith(b'"'):
                        continue  # not a path fast-import takes unquoted: write-tree makes that tree itself
                    stream.write(
                        b"M 100644 :%d %s\n" % (mark, path) if writes[rel] is not None else b"D %s\n" % path
                    )
                stream.write(b"\ndone\n")
        except BrokenPipeError:
            pass  # fast-import stopped: its status and message below
        _check_exit(proc, errors, "git fast-import")
    ledger.git("update-ref", "-d", PACKING_REF)


def _check_exit(proc: Any, errors: Any, what: str) -> None:
    """Wait for a git fed on its stdin; its own error line (from the temp file holding its stderr) if it failed."""
    if proc.wait() != 0:
        errors.seek(0)
        raise _git_problem(errors.read().decode("utf-8", "replace").strip().splitlines(), what)


def _refuse_staged_leftovers(ledger: Ledger, head: str | None) -> None:
    """A crash can leave staged or modified ledger files; committing on top of them would smuggle an unrecorded
    change into this operation's commit. (Skipped when the index is untouched since our last commit: at 200k files
    this diff reads the whole index, docs/decisions/performance.md.)"""
    if head and not index_as_left(ledger, head):
        staged = ledger.git("diff-index", "--cached", "--name-only", head)
        if staged:
            raise EnvironmentProblem("dirty_tree", paths=", ".join(staged.splitlines()[:3]))


class _Staging:
    """One `git update-index --add --remove --info-only -z --stdin` that stages an import's files while put_many
    writes them: each path goes to it once its file is in place, and it hashes the file while the page is still
    cached (after the writes, that was a second pass over 100,000 files). `--info-only`: the blobs are not written
    as loose objects; they come in the pack `_Packing` makes, and write-tree (after both) fails on any that did
    not. Killed part-way, the journal names every path (written before the first file), and doctor's undo
    unstages them, as it does after a kill at the commit's own update-index."""

    def __init__(self, ledger: Ledger, head: str | None) -> None:
        import subprocess
        import tempfile

        self.ledger = ledger
        self.head = head
        self.paths: set[str] = set()
        self._errors = tempfile.TemporaryFile()
        self._proc = git_popen(
            ledger.root,
            *("update-index", "--add", "--remove", "--info-only", "-z", "--stdin"),
            env={"LANGUAGE": "C", "LC_ALL": "C"},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
        )

    def add(self, rel: str) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(rel.encode("utf-8", "surrogateescape") + b"\0")
        except BrokenPipeError:
            self.finish()  # update-index stopped: its message
            raise
        self.paths.add(rel)

    def finish(self) -> None:
        """All paths given: wait for the index to be written; its error, if any."""
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        _check_exit(self._proc, self._errors, "git update-index")

    def undo(self) -> None:
        """Unstage whatever was staged (a refused or failed import)."""
        if self._proc.poll() is None:
            with contextlib.suppress(Exception):
                self.finish()
        if self.head and self.paths:
            with contextlib.suppress(EnvironmentProblem):
                for chunk in _chunks(sorted(self.paths)):
                    self.ledger.git("reset", "-q", self.head, "--", *chunk)
        self.paths = set()


class _Packing:
    """`_pack_objects` in a thread, started by put_many before it writes the files: git packs the blobs and trees
    on the other core while this process creates the files (for 10,000 files the two take about as long). The
    commit waits for it where it used to pack, and still stages and writes its tree from the index; a refused or
    failed transaction waits for it before putting files back. Nothing it does is visible to a reader: objects and
    the throwaway PACKING_REF, deleted when it is done."""

    def __init__(self, ledger: Ledger, writes: dict[str, bytes | None], head: str | None) -> None:
        import threading  # only an import's put_many needs it; other commands import this module too

        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(ledger, writes, head), daemon=True)
        self._thread.start()

    def _run(self, ledger: Ledger, writes: dict[str, bytes | None], head: str | None) -> None:
        try:
            _pack_objects(ledger, writes, head)
        except BaseException as exc:  # noqa: BLE001 - raised again by wait(), in the committing thread
            self.error = exc

    def wait(self) -> None:
        self._thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error


def _nul_list(paths: list[str]) -> bytes:
    """Paths for a git `-z --stdin`: any name, any number, no command-line limit."""
    return b"".join(path.encode("utf-8", "surrogateescape") + b"\0" for path in paths)


def _chunks(paths: list[str], size: int = 1000) -> Iterator[list[str]]:
    """Paths in slices small enough for one git command line each."""
    for start in range(0, len(paths), size):
        yield paths[start : start + size]


def write_pending(ledger: Ledger, data: dict[str, Any]) -> Path:
    import json

    path = ledger.state_dir / PENDING_FILE
    # Indented for a person reading it, but not an import's 100,000 paths: json's indenting encoder is Python's,
    # the compact one C's (0.4 s less for 100,000 households, the same JSON to a reader).
    indent = 1 if len(data.get("paths") or ()) <= 1000 else None
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=indent).encode("utf-8"), durable=False)
    return path


def read_pending(ledger: Ledger) -> dict[str, Any] | None:
    """The journal of an operation that was killed between writing its files and moving HEAD, if any."""
    import json

    path = ledger.git_dir / STATE_DIR / PENDING_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"message": "?", "before": {}, "after": {}, "unreadable": True}
    return data if isinstance(data, dict) else {"message": "?", "before": {}, "after": {}, "unreadable": True}


def pending_settled(ledger: Ledger, pending: dict[str, Any]) -> bool:
    """True when no file of the interrupted operation differs from HEAD any more: its commit landed (killed after
    moving HEAD) or `minqing doctor --fix` committed or restored its files. The journal is then obsolete."""
    if pending.get("unreadable"):
        return False
    paths = sorted(pending.get("paths") or pending.get("after") or ())
    in_head = head_blobs(ledger, ledger.head(), paths)
    for rel in paths:
        try:
            content: bytes | None = (ledger.root / rel).read_bytes()
        except FileNotFoundError:
            content = None
        if blob_id(content, in_head) != in_head.get(rel):
            return False
    return True


def settle_pending(ledger: Ledger) -> None:
    """Before a new operation (lock held): forget an obsolete journal; refuse while an operation is unfinished."""
    pending = read_pending(ledger)
    if pending is None:
        return
    if pending_settled(ledger, pending):
        with contextlib.suppress(OSError):
            (ledger.git_dir / STATE_DIR / PENDING_FILE).unlink()
        return
    raise EnvironmentProblem("interrupted", subject=pending_subject(pending))


def pending_subject(pending: dict[str, Any]) -> str:
    """The interrupted operation in words: its commit subject once known, else its op name (visit.add)."""
    message = str(pending.get("message") or "")
    return message.splitlines()[0] if message else str(pending.get("op") or "?")


def _holds(path: Path, content: bytes) -> bool:
    try:
        return path.stat().st_size == len(content) and path.read_bytes() == content
    except OSError:
        return False


def _sweep_state_dir(state_dir: Path) -> None:
    """Remove temp files killed writers left in .git/minqing (lock.<pid>.tmp, .pending.json.<pid>.tmp)."""
    with contextlib.suppress(OSError), os.scandir(state_dir) as entries:
        for entry in entries:
            if not entry.name.endswith(".tmp"):
                continue
            pid = entry.name[: -len(".tmp")].rsplit(".", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and stale(f"{pid} {platform.node()}"):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _git_problem(lines: list[str], fallback: str) -> EnvironmentProblem:
    """git's error in one line: its `fatal:`/`error:` line, not the advice after it. A lock file left by a killed
    git is named, with the way out."""
    text = "\n".join(lines)
    locked = re.search(r"Unable to create '([^']+\.lock)': File exists", text)
    if locked:
        return EnvironmentProblem("git_locked", path=locked.group(1))
    chosen = next(
        (line for line in lines if line.startswith(("fatal:", "error:"))), lines[-1] if lines else ""
    )
    return EnvironmentProblem("git_failed", detail=chosen or fallback)


def _lock_timeout() -> float:
    # Read at each lock, not at import: tests and cron jobs set MINQING_LOCK_TIMEOUT per run.
    try:
        return float(os.environ.get("MINQING_LOCK_TIMEOUT", LOCK_TIMEOUT))
    except ValueError:
        return LOCK_TIMEOUT


def _link_exclusive(staged: Path, lock_path: Path) -> bool:
    """Put the complete lock file in place unless one exists. False when another writer holds the lock."""
    try:
        os.link(staged, lock_path)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    # A file system without hard links: create exclusively and write (a kill between the two leaves an empty
    # lock, which `minqing doctor` reports and removes).
    try:
        fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, staged.read_bytes())
    finally:
        os.close(fd)
    return True


def _take_over(lock_path: Path, holder: str) -> None:
    """Remove a stale lock, unless another waiting writer took it over first.

    Two writers can both see the same dead holder; without care the slower one would delete the lock the faster
    one has just taken. The holder is read again under an flock on `lock.guard` (released by the kernel even if
    this process is killed), and the lock is removed only if it still names the dead holder."""
    guard_path = lock_path.with_name("lock.guard")
    fd = os.open(guard_path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        if lock_holder(lock_path) == holder:
            with contextlib.suppress(FileNotFoundError):
                lock_path.unlink()
    finally:
        os.close(fd)


def stale(holder: str) -> bool:
    """A lock is stale when its process, on this host, no longer exists."""
    parts = holder.split()
    if len(parts) < 2 or parts[1] != platform.node() or not parts[0].isdigit():
        return False
    try:
        os.kill(int(parts[0]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def build_record(factory: Any, data: dict[str, Any], rel: str) -> Any:
    """A record from its file's data; a file that does not fit its kind is CorruptFile naming it."""
    try:
        return factory(data, Source(rel))
    except (TypeError, KeyError, ValueError) as exc:
        raise CorruptFile(
            "corrupt_file", path=rel, line=1, detail=f"does not match its schema ({exc})"
        ) from None


def dump_item(item: Item) -> str:
    return yamlio.dump(item_to_dict(item))


def dump_record(record: Any) -> str:
    return yamlio.dump(record.to_dict())
