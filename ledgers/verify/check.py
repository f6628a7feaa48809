"""`minqing check`: is every file in the ledger what the tools themselves would have written?

Hand edits, bad merges and half-finished copies are data, not crashes: every problem becomes a `Finding` with the
file and line a person can jump to. The work is split like beancount's validation: one IO step reads the working
tree, parsing turns bytes into documents (bad YAML is a finding), and small `check_*` functions each look at the
parsed corpus for one kind of problem and return findings. `check()` just collects them, sorted by path and line.

Each file is parsed once with the fast (C) loader; the slower line-tracking parse (`yamlio.load_located`) runs only
for a file that has a finding, to say on which line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class RawFile:
    """A file as found in the working tree. `content` is None for what is not a regular file (symlink, fifo)."""

    path: str
    content: bytes | None


def read_tree(root: Path, lazy: bool = False) -> list[RawFile]:
    """Every file under the ledger root except .git/, sorted by path. Only files in the layout are read; `lazy`:
    each is read as the caller takes it (an iterator), so the whole tree's bytes are never held at once."""
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
    reading = (_with_content(root, raw) for raw in found)
    return reading if lazy else list(reading)  # type: ignore[return-value]


def _with_content(root: Path, raw: RawFile) -> RawFile:
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

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1][: -len(".yaml")]

    @property
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


def parse_files(
    raw_files: Iterable[RawFile], root: Path | None = None
) -> tuple[list[LedgerFile], list[tuple[str, yamlio.YamlProblem]]]:
    """Parse every file of the layout once with the fast loader. Bad YAML is returned, never raised. With `root`
    the texts are not kept (LedgerFile.text reads them again) and each is scanned for personal data here."""
    parsed: list[LedgerFile] = []
    problems: list[tuple[str, yamlio.YamlProblem]] = []
    for raw in raw_files:
        kind = kind_of(raw.path)
        if not kind or raw.content is None:
            continue
        try:
            text = yamlio.decode(raw.content)
            if kind in STREAM_KINDS:
                docs = yamlio.load_all(text)
            else:
                limit = yamlio.MAX_STREAM_BYTES if kind == "units" else yamlio.MAX_ENTITY_BYTES
                docs = [yamlio.load(text, limit=limit)]
        except yamlio.YamlProblem as problem:
            problems.append((raw.path, problem))
            continue
        if root is None:
            parsed.append(LedgerFile(raw.path, kind, text, docs))
        else:
            parsed.append(LedgerFile(raw.path, kind, None, docs, root=root, numbers=pii.find_numbers(text)))
    return parsed, problems


# ---------------------------------------------------------------- the corpus the checks read


class Corpus:
    """All parsed files of one ledger plus the indexes the checks share (id → first document, org units)."""

    def __init__(self, files: list[LedgerFile], lang: str = "zh", broken: Iterable[str] = ()) -> None:
        self.files = files
        self.lang = lang
        self.by_kind: dict[str, list[Doc]] = {}
        for ledger_file in files:
            for index, data in enumerate(ledger_file.docs):
                self.by_kind.setdefault(ledger_file.kind, []).append(Doc(ledger_file, index, data))
        self.entries: dict[str, dict[str, Doc]] = {}
        for kind in ("cadre", "household", "item", "visit", "activity", "survey", "review"):
            index_of: dict[str, Doc] = {}
            for doc in self.docs(kind):
                entry_id = doc.get("id")
                if isinstance(entry_id, str) and entry_id not in index_of:
                    index_of[entry_id] = doc
            self.entries[kind] = index_of
        # Files that did not parse: an entity's id (its file name) still counts as present, and references into a
        # kind with an unreadable stream or org tree are not reported, so one bad file does not cascade into hundreds.
        self.unreadable_ids = {path.rsplit("/", 1)[-1][: -len(".yaml")] for path in broken}
        self.unreadable_kinds = {kind_of(path) for path in broken} & {"units", *STREAM_KINDS}
        self.units: dict[str, tuple[dict[str, Any], Doc, int]] = {}
        self.county_code: str | None = None
        for doc in self.docs("units"):
            county = doc.get("county")
            if isinstance(county, dict) and isinstance(county.get("code"), str):
                self.county_code = county["code"]
            for position, unit in enumerate(_list(doc.get("units"))):
                if isinstance(unit, dict) and isinstance(unit.get("code"), str):
                    self.units.setdefault(unit["code"], (unit, doc, position))
        self._errors: dict[tuple[str, int], list[Any]] = {}

    def docs(self, kind: str) -> list[Doc]:
        return self.by_kind.get(kind, [])

    def entity_docs(self) -> Iterator[Doc]:
        for kind in ("cadre", "household", "item", "review"):
            yield from self.docs(kind)

    def schema_errors(self, doc: Doc) -> list[Any]:
        key = (doc.file.path, doc.index)
        if key not in self._errors:
            self._errors[key] = schemas.errors(doc.kind, doc.data)
        return self._errors[key]

    def valid(self, doc: Doc) -> bool:
        return not self.schema_errors(doc)

    def exists(self, kind: str, entry_id: Any) -> bool:
        if not isinstance(entry_id, str):
            return True  # a wrong type is the schema check's finding, not a missing reference
        return (
            entry_id in self.entries.get(kind, {})
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
    """Every document against the JSON Schema of its kind, at the line of the offending key."""
    out = []
    for docs in corpus.by_kind.values():
        for doc in docs:
            for error in corpus.schema_errors(doc):
                out.extend(_schema_findings(corpus, doc, error))
    return out


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
    out = []

    def misplaced(doc: Doc, key: str, want: str) -> Finding:
        return corpus.finding(
            doc, (key,), "misplaced", "check_misplaced", field=key, value=_show(doc.get(key)), want=want
        )

    for kind in ("cadre", "household", "item"):
        for doc in corpus.docs(kind):
            entry_id = doc.get("id")
            if isinstance(entry_id, str) and entry_id != doc.file.stem:
                out.append(
                    corpus.finding(
                        doc, ("id",), "misnamed", "check_misnamed", value=entry_id, want=f"{entry_id}.yaml"
                    )
                )
    for doc in corpus.docs("household"):
        village = doc.get("village")
        if isinstance(village, str) and village != doc.file.folder:
            out.append(misplaced(doc, "village", f"households/{village}/{doc.file.stem}.yaml"))
    for doc in corpus.docs("item"):
        created = doc.get("created")
        if isinstance(created, str) and created[:4] != doc.file.folder:
            out.append(misplaced(doc, "created", f"issues/{created[:4]}/{doc.file.stem}.yaml"))
    for doc in corpus.docs("review"):
        team, quarter = doc.get("team"), doc.get("quarter")
        if isinstance(team, str) and team != doc.file.stem:
            out.append(misplaced(doc, "team", f"reviews/{doc.file.folder}/{team}.yaml"))
        if isinstance(quarter, str) and quarter != doc.file.folder:
            out.append(misplaced(doc, "quarter", f"reviews/{quarter}/{doc.file.stem}.yaml"))
    for doc in corpus.docs("visit"):
        date, village = doc.get("date"), doc.get("village")
        if isinstance(date, str) and date[:7] != doc.file.folder:
            out.append(misplaced(doc, "date", f"visits/{date[:7]}/{doc.file.stem}.yaml"))
        if isinstance(village, str) and village != doc.file.stem:
            out.append(misplaced(doc, "village", f"visits/{doc.file.folder}/{village}.yaml"))
    for doc in corpus.docs("activity"):
        date = doc.get("date")
        if isinstance(date, str) and date[:7] != doc.file.stem:
            out.append(misplaced(doc, "date", f"activities/{date[:7]}.yaml"))
    for doc in corpus.docs("survey"):
        date, village = doc.get("date"), doc.get("village")
        if isinstance(date, str) and date[:7] != doc.file.folder:
            out.append(misplaced(doc, "date", f"surveys/{date[:7]}/{doc.file.stem}.yaml"))
        if isinstance(village, str) and village != doc.file.stem:
            out.append(misplaced(doc, "village", f"surveys/{doc.file.folder}/{village}.yaml"))
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
    out = []

    def missing(doc: Doc, keys: tuple[Any, ...], kind: str, value: Any) -> Finding:
        return corpus.finding(
            doc, keys, "unknown_ref", "check_unknown_ref", field=_field(keys), kind=kind, value=value
        )

    for kind, refs in REFERENCES.items():
        for doc in corpus.docs(kind):
            for name, target, many in refs:
                values = _list(doc.get(name)) if many else [doc.get(name)]
                for position, value in enumerate(values):
                    if value is not None and not corpus.exists(target, value):
                        keys = (name, position) if many else (name,)
                        out.append(missing(doc, keys, target, value))
    for kind, names in UNIT_FIELDS.items():
        for doc in corpus.docs(kind):
            for name in names:
                code = doc.get(name)
                if (
                    isinstance(code, str)
                    and corpus.unit_level(code) is None
                    and "units" not in corpus.unreadable_kinds
                ):
                    out.append(
                        corpus.finding(doc, (name,), "unknown_ref", "unknown_code", field=name, value=code)
                    )
    for doc in corpus.docs("household"):
        out.extend(_household_units(corpus, doc))
    for doc in corpus.entity_docs():
        for position, entry in enumerate(_list(doc.get("history"))):
            actor = entry.get("by") if isinstance(entry, dict) else None
            if actor is not None and not corpus.exists("cadre", actor):
                out.append(missing(doc, ("history", position, "by"), "cadre", actor))
    return out


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
    out = []
    sides = (("cadre", "household"), ("household", "cadre"))
    for kind, other_kind in sides:
        others = corpus.entries[other_kind]
        for doc in corpus.docs(kind):
            me = doc.get("id")
            for position, other_id in enumerate(_list(doc.get("pairings"))):
                other = others.get(other_id) if isinstance(other_id, str) else None
                if other is None:
                    continue  # a missing household/cadre is check_references' finding
                if me not in _list(other.get("pairings")):
                    out.append(
                        corpus.finding(
                            doc,
                            ("pairings", position),
                            "unpaired",
                            "check_unpaired",
                            field=f"pairings[{position}]",
                            value=other_id,
                            me=me,
                            place=other.file.path,
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
    out = []
    for kind, record_kind in KINDS.items():
        for doc in corpus.docs(kind):
            if corpus.valid(doc):
                out.extend(replay_history(corpus, doc, record_kind.apply, record_kind.to_dict))
    return out


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
    out = []
    for doc in corpus.entity_docs():
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
    """History entry ids are unique across the whole ledger (sync merges histories by them)."""
    out = []
    first: dict[str, tuple[Doc, int]] = {}
    for doc in corpus.entity_docs():
        for index, entry in enumerate(_list(doc.get("history"))):
            op_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(op_id, str):
                continue
            if op_id in first:
                other_doc, other_index = first[op_id]
                where = f"{other_doc.file.path}:{other_doc.file.line(other_doc.index, ('history', other_index, 'id'))}"
                out.append(
                    corpus.finding(
                        doc,
                        ("history", index, "id"),
                        "duplicate_op_id",
                        "check_duplicate_op_id",
                        value=op_id,
                        other=where,
                    )
                )
            else:
                first[op_id] = (doc, index)
    return out


# ---------------------------------------------------------------- checks: duplicates and the org tree


def check_duplicates(corpus: Corpus) -> list[Finding]:
    """The same id in two files or two stream documents; two households with the same ID number (id_hash)."""
    out = []
    seen: dict[str, Doc] = {}
    for kind in ("cadre", "household", "item", "review", "visit", "activity", "survey"):
        for doc in corpus.docs(kind):
            entry_id = doc.get("id")
            if not isinstance(entry_id, str):
                continue
            if entry_id in seen:
                other = seen[entry_id]
                where = f"{other.file.path}:{other.file.line(other.index, ('id',))}"
                out.append(
                    corpus.finding(
                        doc, ("id",), "duplicate_id", "check_duplicate_id", value=entry_id, other=where
                    )
                )
            else:
                seen[entry_id] = doc
    hashes: dict[str, Doc] = {}
    for doc in corpus.docs("household"):
        digest = doc.get("id_hash")
        if not isinstance(digest, str) or not digest:
            continue
        if digest in hashes and hashes[digest].get("id") != doc.get("id"):
            other = hashes[digest]
            out.append(
                corpus.finding(
                    doc,
                    ("id_hash",),
                    "duplicate_id_hash",
                    "check_duplicate_id_hash",
                    other=f"{other.get('id')} ({other.file.path})",
                )
            )
        else:
            hashes.setdefault(digest, doc)
    return out


def check_org(corpus: Corpus) -> list[Finding]:
    """Org tree: each code has its level's length and extends its parent's; parents exist at the level above;
    codes are unique; the county in org/units.yaml is the county of minqing.yaml."""
    from ..core.orgtree import department_county
    from ..core.registers import CODE_LENGTHS, PARENT_LEVEL

    out = []
    for doc in corpus.docs("units"):
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
    for doc in corpus.docs("config"):
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
    out = []
    for ledger_file in corpus.files:
        found = ledger_file.numbers if ledger_file.numbers is not None else pii.find_numbers(ledger_file.text)
        text = ledger_file.text if found else ""
        for hit in found:
            line = text.count("\n", 0, hit.start) + 1
            what = messages.render(f"pii_{hit.kind}", corpus.lang)
            message = messages.render("check_personal_data", corpus.lang, what=what, shown=hit.masked)
            out.append(Finding(ledger_file.path, line, "personal_data", message))
    return out


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
)


def _config(corpus: Corpus) -> Any:
    from ..core.config import Config

    found = [doc.data for doc in corpus.docs("config") if isinstance(doc.data, dict)]
    return Config.from_file_data(found[0] if found else None)


def check_rounds(corpus: Corpus) -> list[Finding]:
    """A visit's or survey answer's round past minqing.yaml `rounds` (issue 18): the commands refuse it, so only a
    hand edit (or a lowered `rounds`) puts one there."""
    rounds = _config(corpus).rounds()
    out = []
    for kind in ("visit", "survey"):
        for doc in corpus.docs(kind):
            value = doc.get("round")
            if isinstance(value, int) and not isinstance(value, bool) and value > rounds:
                out.append(
                    corpus.finding(
                        doc, ("round",), "round_out_of_range", "check_round_range", value=value, rounds=rounds
                    )
                )
    return out


CHECKS += (check_rounds,)


def check_teams(corpus: Corpus) -> list[Finding]:
    """五人大走访 (issue 18, `check --teams`): a visit in a round (a team visit) whose visitors leave a seat of
    minqing.yaml `team_roles` empty; one finding per visit, at its `by:` line. Only documents in force count (a
    corrected or voided visit is judged by what replaced it)."""
    from ..core import streams
    from ..core.model import Cadre
    from ..core.surveys import missing_roles, role_label

    required = _config(corpus).team_roles()
    if not required:
        return []
    cadres = {
        cadre_id: Cadre(id=cadre_id, role=str(doc.get("role") or ""), title=doc.get("title"))
        for cadre_id, doc in corpus.entries["cadre"].items()
    }
    out = []
    for ledger_file in corpus.files:
        if ledger_file.kind != "visit":
            continue
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


def check_tree(root: Path, lang: str = "zh", teams: bool = False) -> Report:
    """Every finding of the tree; `teams` adds the team visits missing a seat (check_teams)."""
    listed: list[RawFile] = []

    def read_and_forget() -> Iterator[RawFile]:
        # Each file's bytes are parsed and dropped; the layout check needs only the paths (and which were not
        # regular files).
        for raw in read_tree(root, lazy=True):
            listed.append(RawFile(raw.path, None if raw.content is None else b""))
            yield raw

    parsed, problems = parse_files(read_and_forget(), root)
    raw_files = listed
    corpus = Corpus(parsed, lang, broken=[path for path, _ in problems])
    findings = check_layout(raw_files, lang) + check_parse(problems, lang) + check_roots(root, lang)
    for check_fn in (*CHECKS, check_teams) if teams else CHECKS:
        findings.extend(check_fn(corpus))
    unique = sorted(set(findings), key=lambda f: (f.path, f.line, f.code, f.message))
    documents = sum(len(ledger_file.docs) for ledger_file in parsed)
    return Report(unique, files=len(raw_files), documents=documents)


def check(ledger: Any, lang: str | None = None) -> list[Finding]:
    """Every finding in the ledger's working tree, sorted by path and line. Never raises for bad data."""
    return check_tree(Path(ledger.root), lang or messages.current_lang()).findings
