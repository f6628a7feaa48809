"""`minqing check`: is every file in the ledger what the tools themselves would have written?

Hand edits, bad merges and half-finished copies are data, not crashes: every problem becomes a `Finding` with the
file and line a person can jump to. Like beancount's validation, small rules each look for one kind of problem.

A county's tree is a million stream documents, too many to hold parsed at once (a whole-tree corpus peaked at
2.7 GB). So `check_tree` reads one file at a time: each document goes through its own rules as soon as it is parsed
(schema, placement, history, personal data …) and leaves behind only compact facts for the rules that span files
(ids → the file that holds them, pairings, history entry ids, id hashes). Files are taken kind by kind: the org tree
and config first, the entity kinds before the streams that name them, so almost every reference is settled the
moment it is read; one that names something not (yet) seen waits as a small pending note and is settled at the end,
when everything is known. `Corpus` is that running state; `finish()` adds the findings that need the whole tree.

Each file is parsed once with the fast loader; the slower line-tracking parse (`yamlio.load_located`) runs only
for a file that has a finding, to say on which line (for a pending finding, when it is settled).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from ..core import messages, pii, yamlio
from ..core.errors import Refused
from ..core.kinds import KINDS
from ..core.layout import STREAM_RECORD, place_for, placed_kind
from ..core.model import HistoryEntry
from . import schema as schemas

# ---------------------------------------------------------------- findings


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where (path relative to the ledger root, 1-based line), a stable code, and the message."""

    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "code": self.code, "message": self.message}


# ---------------------------------------------------------------- layout (DESIGN §3, docs/format.md)

STREAM_KINDS = tuple(STREAM_RECORD.values())  # the record kinds of stream documents: visit, activity


def kind_of(path: str) -> str | None:
    """The schema kind for a ledger-relative path, "" for git's own files, None when the path is not in the layout."""
    kind = placed_kind(path)
    return STREAM_RECORD.get(kind, kind) if kind is not None else None


# ---------------------------------------------------------------- reading and parsing


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file as found in the working tree. `content` is None for what is not a regular file (symlink, fifo).
    (Slots: a county's listing is 200,000 of these, held for the whole run.)"""

    path: str
    content: bytes | None


def list_tree(root: Path) -> list[RawFile]:
    """Every file under the ledger root except .git/, sorted by path, none read yet: `content` is b"" for a regular
    file and None for anything else."""
    found: list[RawFile] = []
    pending = [""]
    while pending:
        rel_dir = pending.pop()
        with os.scandir(root / rel_dir if rel_dir else root) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if rel == ".git":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(rel)
                elif not entry.is_file(follow_symlinks=False):
                    found.append(RawFile(rel, None))
                else:  # git's own files and files outside the layout: listed, not read
                    found.append(RawFile(rel, b""))
    found.sort(key=lambda raw: raw.path)
    return found


def read_tree(root: Path, lazy: bool = False) -> list[RawFile]:
    """Every file under the ledger root except .git/, sorted by path. Only files in the layout are read; `lazy`:
    each is read as the caller takes it (an iterator), so the whole tree's bytes are never held at once."""
    reading = (read_file(root, raw) for raw in list_tree(root))
    return reading if lazy else list(reading)  # type: ignore[return-value]


def read_file(root: Path, raw: RawFile) -> RawFile:
    """The listed file with its bytes when it is in the layout (as listed otherwise)."""
    if raw.content is None or not kind_of(raw.path):
        return raw
    try:
        return RawFile(raw.path, (root / raw.path).read_bytes())
    except OSError:
        return RawFile(
            raw.path, None
        )  # gone or unreadable since it was listed: reported as not a regular file


@dataclass
class LedgerFile:
    """A parsed file: its kind, its text and its documents (one for an entity, one per entry for a stream).

    A whole tree's texts were a quarter of `check`'s memory at county size, yet only a finding needs one (for its
    line number): `parse_files(…, root)` keeps no text (`stored_text` None) and `text` reads the file again when
    asked; the personal-data scan, which reads every text, is done while parsing (`numbers`)."""

    path: str
    kind: str
    stored_text: str | None
    docs: list[Any]
    _located: list[yamlio.Located] | None = None
    root: Path | None = None
    numbers: list[pii.Found] | None = (
        None  # full ID and mobile numbers in the text, when scanned at parse time
    )

    @property
    def text(self) -> str:
        if self.stored_text is not None or self.root is None:
            return self.stored_text or ""
        try:
            return yamlio.decode((self.root / self.path).read_bytes())
        except (OSError, yamlio.YamlProblem):
            return ""

    @cached_property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1][: -len(".yaml")]

    @cached_property
    def folder(self) -> str:
        parts = self.path.split("/")
        return parts[-2] if len(parts) > 2 else ""

    def line(self, index: int, keys: tuple[Any, ...]) -> int:
        """The line of a key path in document `index` (the nearest enclosing key that exists)."""
        if self._located is None:
            try:
                self._located = yamlio.load_located(self.text, stream=self.kind in STREAM_KINDS)
            except yamlio.YamlProblem:
                self._located = []
        if index >= len(self._located):
            return 1
        located = self._located[index]
        while keys and keys not in located.lines:
            keys = keys[:-1]
        return located.lines.get(keys, located.start_line)


@dataclass(frozen=True)
class Doc:
    """One document: an entity file's content or one stream entry."""

    file: LedgerFile
    index: int
    data: Any

    @property
    def kind(self) -> str:
        return self.file.kind

    def get(self, key: str) -> Any:
        return self.data.get(key) if isinstance(self.data, dict) else None


def parse_file(raw: RawFile, root: Path | None = None) -> LedgerFile | yamlio.YamlProblem | None:
    """One file of the layout parsed with the fast loader (None for a file that is not parsed: outside the layout,
    git's own, not regular). Bad YAML is returned, never raised. With `root` the text is not kept (LedgerFile.text
    reads it again) and is scanned for personal data here."""
    kind = kind_of(raw.path)
    if not kind or raw.content is None:
        return None
    try:
        text = yamlio.decode(raw.content)
        if kind in STREAM_KINDS:
            docs = yamlio.load_all(text)
        else:
            limit = yamlio.MAX_STREAM_BYTES if kind == "units" else yamlio.MAX_ENTITY_BYTES
            docs = [yamlio.load(text, limit=limit)]
    except yamlio.YamlProblem as problem:
        return problem
    if root is None:
        return LedgerFile(raw.path, kind, text, docs)
    return LedgerFile(raw.path, kind, None, docs, root=root, numbers=pii.find_numbers(text))


def parse_files(
    raw_files: Iterable[RawFile], root: Path | None = None
) -> tuple[list[LedgerFile], list[tuple[str, yamlio.YamlProblem]]]:
    """`parse_file` for every file: the parsed ones and the problems."""
    parsed: list[LedgerFile] = []
    problems: list[tuple[str, yamlio.YamlProblem]] = []
    for raw in raw_files:
        result = parse_file(raw, root)
        if isinstance(result, yamlio.YamlProblem):
            problems.append((raw.path, result))
        elif result is not None:
            parsed.append(result)
    return parsed, problems


# ---------------------------------------------------------------- the running state of one check

# The order files are checked in. The config and the org tree first: every round limit and unit code is known
# before a document names one. Then the entity kinds before the streams that name them, cadres first (a household's
# pairings and a team's seats are settled against the cadres as they are read). Ids are owned in this order too:
# of two documents with one id, the one taken first is the original and the other is the duplicate.
ORDER = ("config", "units", "cadre", "household", "item", "review", "period", "visit", "activity", "survey")
ID_KINDS = (
    "cadre",
    "household",
    "item",
    "review",
    "visit",
    "activity",
    "survey",
)  # kinds whose documents have ids
ENTITY_KINDS = ("cadre", "household", "item", "review")  # kinds with a history of op entries and ids
RULES = (
    "schemas",
    "placement",
    "references",
    "pairings",
    "histories",
    "history_order",
    "op_ids",
    "duplicates",
    "org",
    "personal_data",
    "rounds",
    "teams",
)


def taking_order(kind: str) -> int:
    return ORDER.index(kind) if kind in ORDER else len(ORDER)


class PendingRef(NamedTuple):
    """A reference to an id not seen when its document was read: settled (found, or a finding) at the end. (A
    named tuple: every item's visit waits, the visits being read after the items, and workers send them.)"""

    path: str
    index: int
    keys: tuple[Any, ...]
    target: str
    value: Any


@dataclass(frozen=True)
class Repeat:
    """A document (`history_index` None) or history entry whose id was already taken; the finding, which quotes
    the original's line, is written at the end."""

    path: str
    index: int
    value: str
    history_index: int | None = None


@dataclass(frozen=True)
class SharedIdHash:
    """A household with the ID number (id_hash) of an earlier one; `other` names that one."""

    path: str
    index: int
    other: str


class DocFacts(NamedTuple):
    """What the whole-tree rules keep of one document (a named tuple: a worker sends a million of these, and a
    tuple pickles in C where a dataclass pickles field by field in Python). `me` is its id as written; the rest
    only for entity documents."""

    index: int
    me: Any
    op_ids: tuple[tuple[int, str], ...] = ()  # (position in the history, entry id)
    id_hash: str | None = None
    pairings: tuple[Any, ...] = ()
    seat: tuple[str, Any] | None = None  # a cadre's (role, title), for team seats


@dataclass(frozen=True)
class CheckedFile:
    """One file after `check_file`: the findings it settles alone (by rule), its references to ids not seen yet,
    and the facts of its documents."""

    path: str
    kind: str
    documents: int
    findings: tuple[tuple[str, list[Finding]], ...]
    waiting: tuple[PendingRef, ...]
    facts: tuple[tuple[Any, ...], ...]  # DocFacts as plain tuples (Corpus.note)


@dataclass(frozen=True)
class CadreClaims:
    """A cadre document's pairings, held until every household is read."""

    path: str
    index: int
    me: Any
    pairings: tuple[Any, ...]


class Corpus:
    """What one check has seen so far. `add(file)` runs every rule a file can settle alone and keeps the compact
    facts the whole-tree rules need; `add_unreadable(path)` notes a file that did not parse; `finish()` settles the
    rest. Files must come in `ORDER` of their kinds (`Corpus(files)` sorts them). `findings(rule)` finishes."""

    def __init__(
        self,
        files: Iterable[LedgerFile] = (),
        lang: str = "zh",
        broken: Iterable[str] = (),
        root: Path | None = None,
        teams: bool = False,
    ) -> None:
        self.lang = lang
        self.root = root  # where to read a file again for a finding's line; None: files are kept in memory
        self.teams = teams
        self.found: dict[str, list[Finding]] = {rule: [] for rule in RULES}
        self.documents = 0
        # id → the path of the first document of that kind with it; a path string is shared by its documents.
        self.owners: dict[str, dict[str, str]] = {kind: {} for kind in ID_KINDS}
        # Files that did not parse: an entity's id (its file name) still counts as present, and references into a
        # kind with an unreadable stream or org tree are not reported, so one bad file does not cascade into hundreds.
        self.unreadable_ids: set[str] = set()
        self.unreadable_kinds: set[str] = set()
        self.config_docs: list[Doc] = []
        self.units_docs: list[Doc] = []
        self.units: dict[str, tuple[dict[str, Any], Doc, int]] = {}
        self.county_code: str | None = None
        self.cadres: dict[str, Any] = {}  # cadre id → core.model.Cadre (role and title), for team seats
        self.pairings: dict[str, dict[str, tuple[Any, ...]]] = {"cadre": {}, "household": {}}
        self.cadre_claims: list[CadreClaims] = []
        self.op_ids: dict[str, str] = {}  # history entry id → path of the first entity with it
        self.id_hashes: dict[str, tuple[Any, str]] = {}  # household id_hash → (its id, its path)
        self.pending_refs: list[PendingRef] = []
        self.repeats: list[Repeat] = []
        self.shared_hashes: list[SharedIdHash] = []
        self.kept: dict[
            str, LedgerFile
        ] = {}  # without a root: the files themselves, to find lines in at the end
        self._settings: Any = None
        self._finished = False
        for path in broken:
            self.add_unreadable(path)
        for ledger_file in sorted(files, key=lambda each: taking_order(each.kind)):
            self.add(ledger_file)

    # ------------------------------------------------------------ taking files in

    def add_unreadable(self, path: str) -> None:
        self.unreadable_ids.add(path.rsplit("/", 1)[-1][: -len(".yaml")])
        kind = kind_of(path)
        if kind in ("units", *STREAM_KINDS):
            self.unreadable_kinds.add(kind)  # type: ignore[arg-type]

    def add(self, ledger_file: LedgerFile) -> None:
        """Every rule one file settles alone (`check_file`), then its facts taken in."""
        if self.root is None:
            self.kept[ledger_file.path] = ledger_file
        for index, data in enumerate(ledger_file.docs):
            if ledger_file.kind == "config":
                self.config_docs.append(Doc(ledger_file, index, data))
            elif ledger_file.kind == "units":
                self.note_units(Doc(ledger_file, index, data))
        self.take(check_file(self, ledger_file))

    def take(self, checked: CheckedFile) -> None:
        """A checked file's findings and facts (from this process or a worker's: see check_tree), in ORDER."""
        self.documents += checked.documents
        for rule, findings in checked.findings:
            self.found[rule].extend(findings)
        self.pending_refs.extend(checked.waiting)
        for facts in checked.facts:
            self.note(checked.path, checked.kind, facts)

    def note(self, path: str, kind: str, facts: tuple[Any, ...]) -> None:
        """Ids (of documents and of history entries) and what the first holder of an id says of its pairings.
        `facts`: a DocFacts as a plain tuple (pickles in C), or only its first two fields (a stream document)."""
        index, me = facts[0], facts[1]
        op_ids, digest, pairings, seat = facts[2:] if len(facts) > 2 else ((), None, (), None)
        entry_id = me if isinstance(me, str) else None
        first = False
        if entry_id is not None:
            for owners in self.owners.values():
                if entry_id in owners:
                    self.repeats.append(Repeat(path, index, entry_id))
                    break
            owners = self.owners[kind]
            first = entry_id not in owners
            if first:
                owners[entry_id] = path
        if first and pairings and kind in self.pairings:
            self.pairings[kind][entry_id] = pairings  # type: ignore[index]
        if first and seat is not None:
            from ..core.model import Cadre

            self.cadres[entry_id] = Cadre(id=entry_id, role=seat[0], title=seat[1])  # type: ignore[arg-type]
        if kind == "cadre" and pairings:
            self.cadre_claims.append(CadreClaims(path, index, me, pairings))
        for position, op_id in op_ids:
            if op_id in self.op_ids:
                self.repeats.append(Repeat(path, index, op_id, position))
            else:
                self.op_ids[op_id] = path
        if digest is not None:
            if digest in self.id_hashes and self.id_hashes[digest][0] != me:
                other_id, other_path = self.id_hashes[digest]
                self.shared_hashes.append(SharedIdHash(path, index, f"{other_id} ({other_path})"))
            else:
                self.id_hashes.setdefault(digest, (me, path))

    def note_units(self, doc: Doc) -> None:
        self.units_docs.append(doc)
        county = doc.get("county")
        if isinstance(county, dict) and isinstance(county.get("code"), str):
            self.county_code = county["code"]
        for position, unit in enumerate(_list(doc.get("units"))):
            if isinstance(unit, dict) and isinstance(unit.get("code"), str):
                self.units.setdefault(unit["code"], (unit, doc, position))

    def for_workers(self) -> Corpus:
        """A copy of what check_file reads, to send to a worker process: the org tree, the config, the cadres, and
        the ids of the entity kinds as a set would hold them (only the cadres' paths are read: a household's
        pairing finding names its cadre's file). Ids of stream documents are not sent (a million of them): a
        reference to one waits for the main process's end, like any id a worker has not seen."""
        light = Corpus(lang=self.lang, root=self.root, teams=self.teams)
        light.owners = {
            kind: owners if kind == "cadre" else dict.fromkeys(owners if kind in ENTITY_KINDS else (), "")
            for kind, owners in self.owners.items()
        }
        light.pairings = {"cadre": self.pairings["cadre"], "household": {}}
        light.unreadable_ids, light.unreadable_kinds = self.unreadable_ids, self.unreadable_kinds
        light.config_docs, light.units_docs = self.config_docs, self.units_docs
        light.units, light.county_code, light.cadres = self.units, self.county_code, self.cadres
        return light

    # ------------------------------------------------------------ what the rules ask

    def settings(self) -> Any:
        """minqing.yaml as a Config (the first config document; read once, after the config files)."""
        if self._settings is None:
            from ..core.config import Config

            found = [doc.data for doc in self.config_docs if isinstance(doc.data, dict)]
            self._settings = Config.from_file_data(found[0] if found else None)
        return self._settings

    def exists(self, kind: str, entry_id: Any) -> bool:
        if not isinstance(entry_id, str):
            return True  # a wrong type is the schema check's finding, not a missing reference
        return (
            entry_id in self.owners.get(kind, {})
            or entry_id in self.unreadable_ids
            or kind in self.unreadable_kinds
        )

    def unit_level(self, code: str) -> str | None:
        if code == self.county_code:
            return "county"
        found = self.units.get(code)
        return str(found[0].get("level")) if found else None

    def finding(self, doc: Doc, keys: tuple[Any, ...], code: str, key: str, **params: Any) -> Finding:
        line = doc.file.line(doc.index, keys)
        return Finding(doc.file.path, line, code, messages.render(key, self.lang, **params))

    # ------------------------------------------------------------ the end

    def findings(self, rule: str) -> list[Finding]:
        self.finish()
        return self.found[rule]

    def all_findings(self) -> list[Finding]:
        self.finish()
        return [finding for rule in RULES for finding in self.found[rule]]

    def finish(self) -> None:
        """The rules that need the whole tree: the org tree, the references and pairings that waited, duplicates."""
        if self._finished:
            return
        self._finished = True
        reopened = _Reopened(self)
        self.found["org"].extend(org_findings(self))
        for pending in sorted(self.pending_refs, key=lambda each: (each.path, each.index)):
            if not self.exists(pending.target, pending.value):
                doc = reopened.doc(pending.path, pending.index)
                self.found["references"].append(
                    missing_ref(self, doc, pending.keys, pending.target, pending.value)
                )
        for claims in self.cadre_claims:
            doc = Doc(reopened.file(claims.path), claims.index, {"id": claims.me})
            self.found["pairings"].extend(pairing_findings(self, doc, "household", claims.pairings))
        for shared in sorted(self.shared_hashes, key=lambda each: (each.path, each.index)):
            doc = reopened.doc(shared.path, shared.index)
            self.found["duplicates"].append(
                self.finding(
                    doc, ("id_hash",), "duplicate_id_hash", "check_duplicate_id_hash", other=shared.other
                )
            )
        for repeat in sorted(self.repeats, key=lambda each: (each.path, each.index)):
            doc = reopened.doc(repeat.path, repeat.index)
            if repeat.history_index is None:
                self.found["duplicates"].append(self.duplicate_id(doc, repeat, reopened))
            else:
                self.found["op_ids"].append(self.duplicate_op_id(doc, repeat, reopened))
        self.pending_refs, self.cadre_claims, self.repeats, self.shared_hashes = [], [], [], []

    def duplicate_id(self, doc: Doc, repeat: Repeat, reopened: _Reopened) -> Finding:
        """The same id in two files or two stream documents, at the later; the message quotes the first."""
        value = repeat.value
        first_path = next(owners[value] for owners in self.owners.values() if value in owners)
        first = reopened.where(first_path, lambda data: ("id",) if data.get("id") == value else None)
        return self.finding(doc, ("id",), "duplicate_id", "check_duplicate_id", value=value, other=first)

    def duplicate_op_id(self, doc: Doc, repeat: Repeat, reopened: _Reopened) -> Finding:
        """History entry ids are unique across the whole ledger (sync merges histories by them)."""
        value = repeat.value

        def entry_with_it(data: dict[str, Any]) -> tuple[Any, ...] | None:
            for index, entry in enumerate(_list(data.get("history"))):
                if isinstance(entry, dict) and entry.get("id") == value:
                    return ("history", index, "id")
            return None

        first = reopened.where(self.op_ids[value], entry_with_it)
        keys = ("history", repeat.history_index, "id")
        return self.finding(doc, keys, "duplicate_op_id", "check_duplicate_op_id", value=value, other=first)


class _Reopened:
    """Files read again at the end, for the lines of the findings that waited (the last few are kept)."""

    KEEP = 16

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.files: dict[str, LedgerFile] = {}

    def file(self, path: str) -> LedgerFile:
        if path in self.corpus.kept:
            return self.corpus.kept[path]
        if path not in self.files:
            if len(self.files) >= self.KEEP:
                del self.files[next(iter(self.files))]
            root = self.corpus.root
            parsed = parse_file(read_file(root, RawFile(path, b"")), root) if root is not None else None
            if not isinstance(parsed, LedgerFile):  # no longer parses: lines are read from what is there
                parsed = LedgerFile(path, kind_of(path) or "", None, [], root=root)
            self.files[path] = parsed
        return self.files[path]

    def doc(self, path: str, index: int) -> Doc:
        ledger_file = self.file(path)
        data = ledger_file.docs[index] if index < len(ledger_file.docs) else None
        return Doc(ledger_file, index, data)

    def where(self, path: str, keys_in: Callable[[dict[str, Any]], tuple[Any, ...] | None]) -> str:
        """`path:line` of the keys `keys_in` finds in the first document of the file it finds them in."""
        ledger_file = self.file(path)
        for index, data in enumerate(ledger_file.docs):
            keys = keys_in(data) if isinstance(data, dict) else None
            if keys is not None:
                return f"{path}:{ledger_file.line(index, keys)}"
        return f"{path}:1"


def check_file(corpus: Corpus, ledger_file: LedgerFile) -> CheckedFile:
    """Every rule one file settles alone, reading `corpus` without changing it (a worker process runs this on its
    copy); references to ids the corpus has not seen yet wait in `waiting`."""
    found: dict[str, list[Finding]] = {}
    waiting: list[PendingRef] = []
    facts: list[tuple[Any, ...]] = []

    def add(rule: str, findings: list[Finding]) -> None:
        if findings:
            found.setdefault(rule, []).extend(findings)

    kind = ledger_file.kind
    for index, data in enumerate(ledger_file.docs):
        doc = Doc(ledger_file, index, data)
        errors = schemas.errors(kind, data)
        for error in errors:
            add("schemas", _schema_findings(corpus, doc, error))
        add("placement", placement_findings(corpus, doc))
        add("references", reference_findings(corpus, doc, waiting))
        if kind == "household":
            add("pairings", pairing_findings(corpus, doc, "cadre", _list(doc.get("pairings"))))
        if kind in KINDS and not errors:
            record_kind = KINDS[kind]
            add("histories", replay_history(corpus, doc, record_kind.apply, record_kind.to_dict))
        if kind in ENTITY_KINDS:
            add("history_order", history_order_findings(corpus, doc))
            facts.append(tuple(entity_facts(corpus, doc)))
        elif kind in ID_KINDS and isinstance(doc.get("id"), str):
            facts.append((index, doc.get("id")))
        if kind in ("visit", "survey"):
            add("rounds", round_findings(corpus, doc))
    add("personal_data", personal_data_findings(corpus, ledger_file))
    if corpus.teams and kind == "visit":
        add("teams", team_findings(corpus, ledger_file))
    return CheckedFile(
        ledger_file.path, kind, len(ledger_file.docs), tuple(found.items()), tuple(waiting), tuple(facts)
    )


def entity_facts(corpus: Corpus, doc: Doc) -> DocFacts:
    op_ids = []
    for position, entry in enumerate(_list(doc.get("history"))):
        op_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(op_id, str):
            op_ids.append((position, op_id))
    digest = doc.get("id_hash") if doc.kind == "household" else None
    seat = (str(doc.get("role") or ""), doc.get("title")) if doc.kind == "cadre" and corpus.teams else None
    return DocFacts(
        doc.index,
        doc.get("id"),
        tuple(op_ids),
        digest if isinstance(digest, str) and digest else None,
        tuple(_list(doc.get("pairings"))) if doc.kind in ("cadre", "household") else (),
        seat,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _field(keys: Iterable[Any]) -> str:
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "document"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    # A finding quotes values back; a full ID number never goes to a screen or a mail.
    text = pii.mask_text(text)[0]
    return text if len(text) <= 60 else text[:57] + "…"


# ---------------------------------------------------------------- checks: files


def check_layout(raw_files: Iterable[RawFile], lang: str) -> list[Finding]:
    """Files outside the layout of DESIGN §3 (including leftovers such as temp files and symlinks)."""
    out = []
    for raw in raw_files:
        kind = kind_of(raw.path)
        if kind is None:
            message = messages.render("check_unexpected_path", lang, accepted=place_for(raw.path))
            out.append(Finding(raw.path, 1, "unexpected_path", message))
        elif raw.content is None:
            out.append(Finding(raw.path, 1, "unexpected_path", messages.render("check_not_regular", lang)))
    return out


def check_parse(problems: Iterable[tuple[str, yamlio.YamlProblem]], lang: str) -> list[Finding]:
    """Files that are not ledger YAML: not UTF-8, anchors/aliases, tags, duplicate keys, too large, syntax."""
    out = []
    for path, problem in problems:
        message = messages.render(f"check_{problem.code}", lang, detail=problem.detail or problem.message)
        out.append(Finding(path, problem.line or 1, problem.code, message))
    return out


def check_schemas(corpus: Corpus) -> list[Finding]:
    """Every document against the JSON Schema of its kind, at the line of the offending key (check_file)."""
    return corpus.findings("schemas")


_TYPE_WORDS = {
    "string": "text",
    "integer": "integer",
    "array": "list",
    "object": "mapping",
    "boolean": "boolean",
}


def _accepted(corpus: Corpus, schema_part: Any, validator: str = "") -> str:
    if not isinstance(schema_part, dict):
        return ""
    if "enum" in schema_part:
        return "|".join(_show(value) for value in schema_part["enum"])
    if "const" in schema_part:
        return _show(schema_part["const"])
    if validator == "format":
        return messages.render("check_accept_real_date", corpus.lang)
    if validator == "uniqueItems":
        return messages.render("check_accept_unique", corpus.lang)
    if "description" in schema_part:
        return str(schema_part["description"])
    kinds = schema_part.get("type")
    words = [kinds] if isinstance(kinds, str) else list(kinds or [])
    return "|".join(
        messages.render(f"check_type_{_TYPE_WORDS.get(word, word)}", corpus.lang) for word in words
    ) or str(schema_part)


def _schema_findings(corpus: Corpus, doc: Doc, error: Any) -> list[Finding]:
    keys = tuple(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        accepted = ", ".join(known)
        return [
            corpus.finding(
                doc,
                keys + (key,),
                "schema",
                "check_unknown_key",
                field=_field(keys + (key,)),
                accepted=accepted,
            )
            for key in error.instance
            if key not in known
        ]
    if validator == "required" and isinstance(error.instance, dict):
        properties = error.schema.get("properties", {})
        return [
            corpus.finding(
                doc,
                keys,
                "schema",
                "required",
                field=_field(keys + (key,)),
                accepted=_accepted(corpus, _resolve(properties.get(key), doc.kind)),
            )
            for key in error.validator_value
            if key not in error.instance
        ]
    if validator == "type" and not keys:
        return [corpus.finding(doc, keys, "schema", "check_not_mapping", value=_show(error.instance))]
    if "propertyNames" in error.schema_path:
        # jsonschema reports a bad key name as the name itself failing, at the mapping's path
        keys = keys + (error.instance,)
    accepted = _accepted(corpus, error.schema, validator)
    return [
        corpus.finding(
            doc,
            keys,
            "schema",
            "bad_value",
            field=_field(keys),
            value=_show(error.instance),
            accepted=accepted,
        )
    ]


def _resolve(part: Any, kind: str) -> Any:
    if isinstance(part, dict) and "$ref" in part and "description" not in part and "enum" not in part:
        name = str(part["$ref"]).rsplit("/", 1)[-1]
        return schemas.load(kind).get("$defs", {}).get(name, part)
    return part


def check_placement(corpus: Corpus) -> list[Finding]:
    """A file named after something other than its id, or filed under the wrong village, year, month or quarter."""
    return corpus.findings("placement")


def placement_findings(corpus: Corpus, doc: Doc) -> list[Finding]:
    out = []

    def misplaced(key: str, want: str) -> Finding:
        return corpus.finding(
            doc, (key,), "misplaced", "check_misplaced", field=key, value=_show(doc.get(key)), want=want
        )

    kind, stem, folder = doc.kind, doc.file.stem, doc.file.folder
    if kind in ("cadre", "household", "item"):
        entry_id = doc.get("id")
        if isinstance(entry_id, str) and entry_id != stem:
            out.append(
                corpus.finding(
                    doc, ("id",), "misnamed", "check_misnamed", value=entry_id, want=f"{entry_id}.yaml"
                )
            )
    if kind == "household":
        village = doc.get("village")
        if isinstance(village, str) and village != folder:
            out.append(misplaced("village", f"households/{village}/{stem}.yaml"))
    elif kind == "item":
        created = doc.get("created")
        if isinstance(created, str) and created[:4] != folder:
            out.append(misplaced("created", f"issues/{created[:4]}/{stem}.yaml"))
    elif kind == "review":
        team, quarter = doc.get("team"), doc.get("quarter")
        if isinstance(team, str) and team != stem:
            out.append(misplaced("team", f"reviews/{folder}/{team}.yaml"))
        if isinstance(quarter, str) and quarter != folder:
            out.append(misplaced("quarter", f"reviews/{quarter}/{stem}.yaml"))
    elif kind in ("visit", "survey"):
        date, village = doc.get("date"), doc.get("village")
        top = "visits" if kind == "visit" else "surveys"
        if isinstance(date, str) and date[:7] != folder:
            out.append(misplaced("date", f"{top}/{date[:7]}/{stem}.yaml"))
        if isinstance(village, str) and village != stem:
            out.append(misplaced("village", f"{top}/{folder}/{village}.yaml"))
    elif kind == "activity":
        date = doc.get("date")
        if isinstance(date, str) and date[:7] != stem:
            out.append(misplaced("date", f"activities/{date[:7]}.yaml"))
    return out


# ---------------------------------------------------------------- checks: references


# (field, kind of entry it names, is a list) per document kind.
REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "cadre": (("pairings", "household", True),),
    "household": (("pairings", "cadre", True),),
    "item": (
        ("household", "household", False),
        ("leader", "cadre", False),
        ("team", "cadre", True),
        ("claimed_by", "cadre", False),
        ("visit", "visit", False),
        ("review", "review", False),
    ),
    "visit": (
        ("household", "household", False),
        ("by", "cadre", True),
        ("items", "item", True),
        ("recorded_by", "cadre", False),
    ),
    "activity": (("by", "cadre", True), ("recorded_by", "cadre", False)),
    "survey": (
        ("household", "household", False),
        ("by", "cadre", True),
        ("visit", "visit", False),
        ("recorded_by", "cadre", False),
    ),
    "review": (("items", "item", True),),
}
UNIT_FIELDS = {
    "cadre": ("unit",),
    "item": ("unit",),
    "visit": ("village", "unit"),
    "activity": ("unit",),
    "survey": ("village", "unit"),
    "review": ("team",),
}


def check_references(corpus: Corpus) -> list[Finding]:
    """Every id and unit code a document names exists: cadre unit, household village/group, item household,
    unit, leader, team, claimant, visit and review; visit household, visitors and items; history actors."""
    return corpus.findings("references")


def reference_findings(corpus: Corpus, doc: Doc, waiting: list[PendingRef]) -> list[Finding]:
    """The unit codes now (the org tree was read first); an id not seen yet waits for the end (Corpus.finish).
    (Corpus.exists and Doc.get inlined: this runs for every document of the ledger.)"""
    kind, out = doc.kind, []
    data = doc.data if isinstance(doc.data, dict) else {}
    path, index = doc.file.path, doc.index
    unreadable_ids, unreadable_kinds, all_owners = (
        corpus.unreadable_ids,
        corpus.unreadable_kinds,
        corpus.owners,
    )

    def wait_for(keys: tuple[Any, ...], target: str, value: Any) -> None:
        if (
            isinstance(value, str)
            and value not in all_owners.get(target, ())
            and value not in unreadable_ids
            and target not in unreadable_kinds
        ):
            waiting.append(PendingRef(path, index, keys, target, value))

    for name, target, many in REFERENCES.get(kind, ()):
        value = data.get(name)
        if many:
            if isinstance(value, list):
                for position, each in enumerate(value):
                    wait_for((name, position), target, each)
        elif value is not None:
            wait_for((name,), target, value)
    if "units" not in unreadable_kinds:
        for name in UNIT_FIELDS.get(kind, ()):
            code = data.get(name)
            if isinstance(code, str) and corpus.unit_level(code) is None:
                out.append(
                    corpus.finding(doc, (name,), "unknown_ref", "unknown_code", field=name, value=code)
                )
    if kind == "household":
        out.extend(_household_units(corpus, doc))
    if kind in ENTITY_KINDS:
        for position, entry in enumerate(_list(data.get("history"))):
            wait_for(
                ("history", position, "by"), "cadre", entry.get("by") if isinstance(entry, dict) else None
            )
    return out


def missing_ref(corpus: Corpus, doc: Doc, keys: tuple[Any, ...], kind: str, value: Any) -> Finding:
    return corpus.finding(
        doc, keys, "unknown_ref", "check_unknown_ref", field=_field(keys), kind=kind, value=value
    )


def _household_units(corpus: Corpus, doc: Doc) -> list[Finding]:
    if "units" in corpus.unreadable_kinds:
        return []
    out = []
    village, group = doc.get("village"), doc.get("group")
    if isinstance(village, str):
        level = corpus.unit_level(village)
        if level is None:
            out.append(
                corpus.finding(
                    doc, ("village",), "unknown_ref", "unknown_code", field="village", value=village
                )
            )
        elif level != "village":
            out.append(
                corpus.finding(
                    doc,
                    ("village",),
                    "unknown_ref",
                    "wrong_level",
                    field="village",
                    value=village,
                    actual=level,
                    expected="village",
                )
            )
    if isinstance(group, str):
        level = corpus.unit_level(group)
        if level is None:
            out.append(
                corpus.finding(doc, ("group",), "unknown_ref", "unknown_code", field="group", value=group)
            )
        elif level != "group" or corpus.units[group][0].get("parent") != village:
            out.append(
                corpus.finding(
                    doc,
                    ("group",),
                    "unknown_ref",
                    "bad_code",
                    field="group",
                    value=group,
                    accepted=messages.render("check_accept_group", corpus.lang, village=village),
                )
            )
    return out


def check_pairings(corpus: Corpus) -> list[Finding]:
    """结对认亲 is recorded on both sides: cadre.pairings lists H ⇔ household H's pairings list the cadre."""
    return corpus.findings("pairings")


def pairing_findings(corpus: Corpus, doc: Doc, other_kind: str, pairings: Iterable[Any]) -> list[Finding]:
    """The entries of `doc`'s pairings whose `other_kind` document (the first with that id) does not list it."""
    out = []
    me = doc.get("id")
    owners, listed = corpus.owners[other_kind], corpus.pairings[other_kind]
    for position, other_id in enumerate(pairings):
        place = owners.get(other_id) if isinstance(other_id, str) else None
        if place is None:
            continue  # a missing household/cadre is check_references' finding
        if me not in listed.get(other_id, ()):
            out.append(
                corpus.finding(
                    doc,
                    ("pairings", position),
                    "unpaired",
                    "check_unpaired",
                    field=f"pairings[{position}]",
                    value=other_id,
                    me=me,
                    place=place,
                )
            )
    return out


# ---------------------------------------------------------------- checks: workflow and histories


def _history(doc: Doc) -> list[HistoryEntry]:
    return [HistoryEntry.from_dict(entry) for entry in doc.data["history"]]


def _closure_problems(history: list[HistoryEntry]) -> dict[int, str]:
    """Index of each close entry that was not preceded (since the last reopen) by a resolve and then
    satisfied/basic feedback or a close reason → the finding code."""
    problems: dict[int, str] = {}
    resolved = feedback_ok = False
    for index, entry in enumerate(history):
        if entry.op in ("create", "reopen"):
            resolved = feedback_ok = False
        elif entry.op == "resolve":
            resolved, feedback_ok = True, False
        elif entry.op == "feedback":
            if entry.fields.get("result") == "unsatisfied":
                resolved = feedback_ok = False
            else:
                feedback_ok = resolved
        elif entry.op == "close":
            if not resolved:
                problems[index] = "closed_unresolved"
            elif not feedback_ok and not entry.fields.get("reason"):
                problems[index] = "closed_without_feedback"
            resolved = feedback_ok = False
    return problems


def replay_history(
    corpus: Corpus,
    doc: Doc,
    apply: Callable[[Any, HistoryEntry], Any],
    to_dict: Callable[[Any], dict[str, Any]],
) -> list[Finding]:
    history = _history(doc)
    out = []
    flagged = _closure_problems(history) if doc.kind == "item" else {}
    for index, code in flagged.items():
        out.append(corpus.finding(doc, ("history", index, "op"), code, f"check_{code}", index=index))
    state = None
    for index, entry in enumerate(history):
        try:
            state = apply(state, entry)
        except Refused as refusal:
            if index not in flagged:
                out.append(
                    corpus.finding(
                        doc,
                        ("history", index, "op"),
                        "illegal_history",
                        "check_illegal_history",
                        index=index,
                        op=entry.op,
                        why=refusal.render(corpus.lang),
                    )
                )
            return out
        except KeyError as missing:
            out.append(
                corpus.finding(
                    doc,
                    ("history", index, "fields"),
                    "illegal_history",
                    "check_op_field",
                    index=index,
                    op=entry.op,
                    name=str(missing).strip("'"),
                )
            )
            return out
        except (TypeError, ValueError, AttributeError) as exc:
            out.append(
                corpus.finding(
                    doc,
                    ("history", index, "fields"),
                    "illegal_history",
                    "check_illegal_history",
                    index=index,
                    op=entry.op,
                    why=str(exc),
                )
            )
            return out
    replayed = to_dict(state)
    replayed.pop("history", None)
    for key, want in replayed.items():
        have = doc.data.get(key)
        if have != want:
            out.append(
                corpus.finding(
                    doc,
                    (key,),
                    "snapshot_mismatch",
                    "check_snapshot",
                    field=key,
                    value=_show(have),
                    replayed=_show(want),
                )
            )
    return out


def check_histories(corpus: Corpus) -> list[Finding]:
    """Snapshot = replay(history) for every entity kind (core/kinds.py); an illegal history or a close without
    resolve and satisfied/basic feedback (or a reason) is a finding. Only documents that pass their schema are
    replayed."""
    return corpus.findings("histories")


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def check_history_order(corpus: Corpus) -> list[Finding]:
    """History `at` never goes backwards within one entity."""
    return corpus.findings("history_order")


def history_order_findings(corpus: Corpus, doc: Doc) -> list[Finding]:
    out = []
    previous: tuple[dt.datetime, str] | None = None
    for index, entry in enumerate(_list(doc.get("history"))):
        at = entry.get("at") if isinstance(entry, dict) else None
        moment = _moment(at)
        if moment is None:
            continue
        if previous is not None and moment < previous[0]:
            out.append(
                corpus.finding(
                    doc,
                    ("history", index, "at"),
                    "history_order",
                    "check_history_order",
                    index=index,
                    value=at,
                    other=previous[1],
                )
            )
        previous = (moment, str(at))
    return out


def check_op_ids(corpus: Corpus) -> list[Finding]:
    """History entry ids are unique across the whole ledger (sync merges histories by them): Corpus.note,
    Corpus.duplicate_op_id."""
    return corpus.findings("op_ids")


# ---------------------------------------------------------------- checks: duplicates and the org tree


def check_duplicates(corpus: Corpus) -> list[Finding]:
    """The same id in two files or two stream documents; two households with the same ID number (id_hash):
    Corpus.note, Corpus.duplicate_id."""
    return corpus.findings("duplicates")


def check_org(corpus: Corpus) -> list[Finding]:
    """Org tree: each code has its level's length and extends its parent's; parents exist at the level above;
    codes are unique; the county in org/units.yaml is the county of minqing.yaml."""
    return corpus.findings("org")


def org_findings(corpus: Corpus) -> list[Finding]:
    from ..core.orgtree import department_county
    from ..core.registers import CODE_LENGTHS, PARENT_LEVEL

    out = []
    for doc in corpus.units_docs:
        seen: dict[str, str] = {}
        for position, unit in enumerate(_list(doc.get("units"))):
            if not isinstance(unit, dict):
                continue
            code, level, parent = unit.get("code"), unit.get("level"), unit.get("parent")
            if not isinstance(code, str) or not isinstance(level, str) or level not in PARENT_LEVEL:
                continue  # the schema check reports it
            keys = ("units", position)
            if code in seen or code == corpus.county_code:
                out.append(
                    corpus.finding(
                        doc,
                        keys + ("code",),
                        "duplicate_code",
                        "code_exists",
                        value=code,
                        name=seen.get(code, ""),
                    )
                )
                continue
            seen[code] = str(unit.get("name", ""))
            lengths = CODE_LENGTHS[level]
            if level == "department" and department_county(code) != parent:
                # 帮扶单位 (issue 18): the county's code, D and 2–3 digits, never a territorial code.
                out.append(
                    corpus.finding(
                        doc,
                        keys + ("code",),
                        "org_code",
                        "bad_code",
                        field="code",
                        value=code,
                        accepted=messages.render(
                            "acc_department_code", corpus.lang, county=corpus.county_code
                        ),
                    )
                )
            elif len(code) not in lengths:
                out.append(
                    corpus.finding(
                        doc,
                        keys + ("code",),
                        "org_code",
                        "bad_code",
                        field="code",
                        value=code,
                        accepted=messages.render(
                            "check_accept_code_length",
                            corpus.lang,
                            digits="/".join(map(str, lengths)),
                            level=level,
                        ),
                    )
                )
            if not isinstance(parent, str):
                continue
            parent_level = corpus.unit_level(parent)
            if parent_level is None:
                out.append(
                    corpus.finding(
                        doc, keys + ("parent",), "org_parent", "unknown_code", field="parent", value=parent
                    )
                )
                continue
            if parent_level != PARENT_LEVEL[level]:
                out.append(
                    corpus.finding(
                        doc,
                        keys + ("parent",),
                        "org_parent",
                        "wrong_level",
                        field="parent",
                        value=parent,
                        actual=parent_level,
                        expected=PARENT_LEVEL[level],
                    )
                )
            if not code.startswith(parent):
                out.append(
                    corpus.finding(
                        doc,
                        keys + ("code",),
                        "org_code",
                        "bad_code",
                        field="code",
                        value=code,
                        accepted=messages.render("check_accept_extends", corpus.lang, parent=parent),
                    )
                )
    for doc in corpus.config_docs:
        county = doc.get("county")
        code = county.get("code") if isinstance(county, dict) else None
        if isinstance(code, str) and corpus.county_code is not None and code != corpus.county_code:
            out.append(
                corpus.finding(
                    doc,
                    ("county", "code"),
                    "county_mismatch",
                    "check_county_mismatch",
                    value=code,
                    other=corpus.county_code,
                )
            )
    return out


def check_personal_data(corpus: Corpus) -> list[Finding]:
    """Full ID numbers and mobile numbers anywhere in a ledger file (free text above all): files keep only masked
    forms and keyed hashes (DESIGN §3). The finding shows the number masked."""
    return corpus.findings("personal_data")


def personal_data_findings(corpus: Corpus, ledger_file: LedgerFile) -> list[Finding]:
    out = []
    found = ledger_file.numbers if ledger_file.numbers is not None else pii.find_numbers(ledger_file.text)
    text = ledger_file.text if found else ""
    for hit in found:
        line = text.count("\n", 0, hit.start) + 1
        what = messages.render(f"pii_{hit.kind}", corpus.lang)
        message = messages.render("check_personal_data", corpus.lang, what=what, shown=hit.masked)
        out.append(Finding(ledger_file.path, line, "personal_data", message))
    return out


def check_rounds(corpus: Corpus) -> list[Finding]:
    """A visit's or survey answer's round past minqing.yaml `rounds` (issue 18): the commands refuse it, so only a
    hand edit (or a lowered `rounds`) puts one there."""
    return corpus.findings("rounds")


def round_findings(corpus: Corpus, doc: Doc) -> list[Finding]:
    value = doc.get("round")
    if value is None:
        return []
    rounds = corpus.settings().rounds()
    if isinstance(value, int) and not isinstance(value, bool) and value > rounds:
        return [
            corpus.finding(
                doc, ("round",), "round_out_of_range", "check_round_range", value=value, rounds=rounds
            )
        ]
    return []


CHECKS: tuple[Callable[[Corpus], list[Finding]], ...] = (
    check_schemas,
    check_placement,
    check_references,
    check_pairings,
    check_histories,
    check_history_order,
    check_op_ids,
    check_duplicates,
    check_org,
    check_personal_data,
    check_rounds,
)


def check_teams(corpus: Corpus) -> list[Finding]:
    """五人大走访 (issue 18, `check --teams`): a visit in a round (a team visit) whose visitors leave a seat of
    minqing.yaml `team_roles` empty; one finding per visit, at its `by:` line. Only documents in force count (a
    corrected or voided visit is judged by what replaced it). Only a Corpus made with `teams` looks."""
    return corpus.findings("teams")


def team_findings(corpus: Corpus, ledger_file: LedgerFile) -> list[Finding]:
    """The team visits of one visit stream missing a seat (every cadre was read before the streams)."""
    from ..core import streams
    from ..core.surveys import missing_roles, role_label

    required = corpus.settings().team_roles()
    if not required:
        return []
    cadres = corpus.cadres
    out = []
    mappings = [data for data in ledger_file.docs if isinstance(data, dict)]
    current = {id(data) for data in streams.in_force(mappings)}
    for index, data in enumerate(ledger_file.docs):
        if id(data) not in current or not isinstance(data.get("round"), int):
            continue
        visitors = [cadres[ref] for ref in _list(data.get("by")) if ref in cadres]
        missing = missing_roles(required, visitors)
        if missing:
            doc = Doc(ledger_file, index, data)
            out.append(
                corpus.finding(
                    doc,
                    ("by",),
                    "team_incomplete",
                    "check_team_incomplete",
                    visit=data.get("id"),
                    round=data.get("round"),
                    missing="、".join(role_label(seat, corpus.lang) for seat in missing)
                    if corpus.lang != "en"
                    else ", ".join(role_label(seat, "en") for seat in missing),
                )
            )
    return out


# ---------------------------------------------------------------- entry point


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    files: int = 0
    documents: int = 0


def check_roots(root: Path, lang: str) -> list[Finding]:
    """A ledger's history has one root commit, its `init` (issue 14). One cheap query (`git rev-list
    --max-parents=0 HEAD`); `minqing audit` names the foreign commits. Nothing to say outside a repo or before the
    first commit."""
    from ..repo import git

    proc = git.run(root, "rev-list", "--max-parents=0", "HEAD")
    roots = proc.stdout.split() if proc.returncode == 0 else []
    if len(roots) <= 1:
        return []
    shown = ", ".join(sha[:10] for sha in roots[:5])
    message = messages.render("check_roots", lang, count=len(roots), roots=shown)
    return [Finding("HEAD", 0, "foreign_root", message)]


# A kind with at least this many files is checked by worker processes (check_workers: starting them costs ~0.5 s),
# WORKERS of them (a county's check is mostly parsing and schema validation, one file at a time); a batch is BATCH
# files.
PARALLEL_FROM = 2000
WORKERS = 2
BATCH = 64


def check_tree(root: Path, lang: str = "zh", teams: bool = False, workers: int | None = None) -> Report:
    """Every finding of the tree; `teams` adds the team visits missing a seat (check_teams). Files are read, parsed
    and checked one at a time, kind by kind (Corpus, ORDER); only compact facts outlive a file. `workers`: how many
    processes check the files of one kind (default: WORKERS for a kind of PARALLEL_FROM files or more, else 1)."""
    listing = list_tree(root)
    outside: list[
        RawFile
    ] = []  # for the layout check: files outside the layout, and those that could not be read
    taken: dict[str, list[RawFile]] = {}
    for raw in listing:
        kind = kind_of(raw.path)
        if kind and raw.content is not None:
            taken.setdefault(kind, []).append(raw)
        else:
            outside.append(raw)
    corpus = Corpus(lang=lang, root=root, teams=teams)
    problems: list[tuple[str, yamlio.YamlProblem]] = []
    pool = None  # check_workers.Workers, started for the first kind that is worth them
    try:
        for kind in sorted(taken, key=taking_order):
            listed = taken.pop(kind)
            processes = _processes(kind, len(listed), workers)
            outcomes: Iterable[Outcome]
            if processes > 1:
                from .check_workers import Workers

                pool = pool or Workers(processes, root)
                pool.know(corpus.for_workers())
                paths = [raw.path for raw in listed]
                outcomes = pool.check(paths[start : start + BATCH] for start in range(0, len(paths), BATCH))
            else:
                outcomes = ((raw.path, _read_and_parse(root, raw)) for raw in listed)
            for path, outcome in outcomes:
                if outcome is None:
                    outside.append(RawFile(path, None))  # gone or unreadable since it was listed
                elif isinstance(outcome, yamlio.YamlProblem):
                    problems.append((path, outcome))
                    corpus.add_unreadable(path)
                elif isinstance(outcome, CheckedFile):
                    corpus.take(outcome)
                else:
                    corpus.add(outcome)
    finally:
        if pool is not None:
            pool.close()
    findings = check_layout(outside, lang) + check_parse(problems, lang) + check_roots(root, lang)
    findings += corpus.all_findings()
    unique = sorted(set(findings), key=lambda f: (f.path, f.line, f.code, f.message))
    return Report(unique, files=len(listing), documents=corpus.documents)


def _processes(kind: str, files: int, workers: int | None) -> int:
    if kind in ("config", "units") or files < 2:
        return 1  # the corpus keeps these documents themselves
    if workers is not None:
        return workers
    return min(WORKERS, os.cpu_count() or 1) if files >= PARALLEL_FROM else 1


def _read_and_parse(root: Path, raw: RawFile) -> LedgerFile | yamlio.YamlProblem | None:
    """None when the file could not be read."""
    read = read_file(root, raw)
    return None if read.content is None else parse_file(read, root)


Outcome = tuple[str, CheckedFile | LedgerFile | yamlio.YamlProblem | None]


def check_batch(corpus: Corpus, root: Path, paths: list[str]) -> list[Outcome]:
    """In a worker process (check_workers): the files read, parsed and checked against what it knows of the
    corpus."""
    out: list[Outcome] = []
    for path in paths:
        outcome = _read_and_parse(root, RawFile(path, b""))
        if isinstance(outcome, LedgerFile):
            out.append((path, check_file(corpus, outcome)))
        elif isinstance(outcome, yamlio.YamlProblem):
            # An exception pickles as its message alone; the fields check_parse reads go across as a new one.
            problem = outcome
            out.append((path, _SentProblem(problem.message, problem.line, problem.code, problem.detail)))
        else:
            out.append((path, outcome))
    return out


class _SentProblem(yamlio.YamlProblem):
    """A YamlProblem that pickles with its line, code and detail (check_parse's fields)."""

    def __reduce__(self) -> Any:
        return (_SentProblem, (self.message, self.line, self.code, self.detail))


def check(ledger: Any, lang: str | None = None) -> list[Finding]:
    """Every finding in the ledger's working tree, sorted by path and line. Never raises for bad data."""
    return check_tree(Path(ledger.root), lang or messages.current_lang()).findings
