"""THE TABLE OF OPERATIONS (DESIGN §2, §5), written once.

For every `Ledger-Op` minqing writes: which kinds and files it may touch, which history ops it appends (and so
which fields it may change: `ENTRY_FIELDS` is the whitelist per history op and kind), who may do it by default
(the `permissions` defaults of minqing.yaml are derived from here), its commit subject, and what `audit` checks.
The store writes commits with `commit_message`, operations build history entries with `new_entry`, the apply
functions refuse fields outside the whitelist, `audit` and the pre-receive hook judge every commit against its
row, `check` and the merge driver replay through the same rules.

Adding an operation = one row here, one apply branch in core (items/registers/reviews), the command, its tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import fields as F
from . import ids
from .errors import Refused
from .messages import Text
from .model import HistoryEntry
from .pii import mask_text
from .streams import VOIDS

LEADERS = ("township_leader", "county_leader", "admin")
TRAILER_KEYS = ("Ledger-Op", "Ledger-Entry", "Ledger-Actor")
# Trailers a recovery commit carries when a crash journal named the interrupted operation and its actor.
RECOVERED_OP = "Ledger-Recovered-Op"
RECOVERED_ACTOR = "Ledger-Recovered-Actor"
VISITOR = "Ledger-Visitor"  # one per cadre on a visit, so `git log --grep` finds every visitor

# ---------------------------------------------------------------- which fields each history op may carry

# (record kind, history op) -> the field names an entry of that op may carry. An entry with any other field is
# refused when replayed (store, check, merge driver) and flagged by audit (`field_not_allowed`): a role, a status,
# keys or pairings change only through the operation that exists to change them, never through `set`.
ENTRY_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("item", "create"): frozenset(
        {
            "id",
            "kind",
            "ledger",
            "category",
            "desc",
            "source",
            "household",
            "unit",
            "visit",
            "review",
            "level",
            "created",
            "assign_by",
            "due",
            "late",  # 补录 (issue 15): registered inside a closed period, and why
        }
    ),
    ("item", "assign"): frozenset({"leader", "resp_unit", "due", "team", "plan"}),
    ("item", "progress"): frozenset({"note"}),
    ("item", "escalate"): frozenset({"to", "reason"}),
    ("item", "resolve"): frozenset({"how", "note", "date"}),
    ("item", "feedback"): frozenset({"result", "note"}),
    ("item", "close"): frozenset({"reason", "date"}),
    ("item", "reopen"): frozenset({"reason"}),
    ("item", "extend"): frozenset({"to", "reason"}),
    ("item", "claim"): frozenset({"by"}),
    # 更正 and 作废 (issue 15): the corrected values and why; the old values stay in the history before it.
    ("item", "edit"): frozenset(
        {"desc", "category", "kind", "ledger", "household", "unit", "reason", "late"}
    ),
    ("item", "void"): frozenset({"reason", "date", "late"}),
    # 移交 (issue 15, `cadre move --hand-over-to`): the new leader of an open case and why.
    ("item", "hand_over"): frozenset({"leader", "reason"}),
    ("cadre", "create"): frozenset(
        {"id", "name", "unit", "role", "title", "phone", "phone_hash", "registered", "department"}
    ),
    # 驻村 (issue 18, `cadre post`): the village a department's cadre is posted to, the department, and why.
    ("cadre", "post"): frozenset({"village", "department", "reason"}),
    ("cadre", "set"): frozenset({"name", "title", "phone", "phone_hash"}),
    # 更正 and 调动 (issue 15): corrected values with a reason; a move names the new unit (and who took over).
    ("cadre", "edit"): frozenset({"name", "title", "phone", "phone_hash", "reason"}),
    ("cadre", "move"): frozenset({"unit", "reason", "hand_over_to"}),
    ("cadre", "recall"): frozenset({"reason"}),
    ("cadre", "pair"): frozenset({"household", "since"}),  # since: a roster's --registered
    ("cadre", "unpair"): frozenset({"household"}),
    ("cadre", "key_add"): frozenset({"key"}),
    ("household", "create"): frozenset(
        {
            "id",
            "head",
            "village",
            "group",
            "members",
            "status",
            "id_number",
            "id_hash",
            "phone",
            "phone_hash",
            "register_no",
            "registered",
            "member_hashes",
        }
    ),
    ("household", "set"): frozenset({"indicators", "status", "members", "phone", "phone_hash"}),
    ("household", "pair"): frozenset({"cadre", "since"}),
    ("household", "unpair"): frozenset({"cadre"}),
    # 更正, 搬迁 and 销户 (issue 15). A removal records where its open items went (`transfer_to`), if anywhere.
    ("household", "edit"): frozenset({"head", "members", "group", "register_no", "reason"}),
    ("household", "move"): frozenset({"village", "group", "reason"}),
    ("household", "remove"): frozenset({"reason", "note", "transfer_to"}),
    ("review", "create"): frozenset(
        {"id", "team", "quarter", "report", "comment", "ratings", "grade", "items"}
    ),
    ("review", "raise"): frozenset({"items"}),
    ("review", "set"): frozenset({"report", "comment", "grade", "ratings"}),
    # 报送 (issue 15): a month closed for a unit with its figures as reported; reopened by an admin with a reason.
    ("period", "close"): frozenset({"id", "month", "unit", "reported"}),
    ("period", "reopen"): frozenset({"reason"}),
}


def fields_not_allowed(kind: str, entry: HistoryEntry) -> list[str]:
    """The fields of `entry` its history op may not carry (every field, for an op the kind does not have)."""
    allowed = ENTRY_FIELDS.get((kind, entry.op))
    if allowed is None:
        return sorted(entry.fields)
    return sorted(name for name in entry.fields if name not in allowed)


def require_fields(kind: str, record_id: str, state: str, entry: HistoryEntry) -> None:
    """Refuse an entry carrying a field its op may not change (the apply functions call this first)."""
    extra = fields_not_allowed(kind, entry)
    if extra:
        raise Refused(
            "transition",
            item=record_id,
            state=state,
            op=entry.op,
            hint=Text("hint_field_not_allowed", fields=", ".join(extra), op=entry.op),
        )


# ---------------------------------------------------------------- what each operation may change


@dataclass(frozen=True)
class OpRule:
    """What one `Ledger-Op` may change, and who may do it.

    entities: entity kind -> the sequences of history ops one commit may append to one file of that kind.
    counts:   kind -> (min, max) files of that kind (entities) or documents appended (streams); None = no limit.
    files:    fixed files it may rewrite (config, units, attributes).
    fields:   history op -> field values it must carry in this operation.
    roles:    the roles allowed by default (None: every active cadre); minqing.yaml `permissions` overrides.
    permission: the key in minqing.yaml `permissions` (default: the op itself).
    replayed: the commit finishes operations begun before a crash (doctor.recover): any history ops, each entry
              judged as the operation it records, by its own `by`, who must be the committing actor or the actor
              the crash journal recorded (`Ledger-Recovered-Actor`).
    any_ops:  a bulk operation (import.<kind>): any history ops, each one needing the permission of the command
              that does it alone (issue.close for a close, household.pair for a pair, …).
    renames:  entity kinds whose file this operation moves to a new path (household.move: its village is in the
              path): the old path is deleted in the same commit and audit judges the pair as one file.
    subject:  the commit subject, formatted with the operation's parameters.

    A history op ending in `*` in a sequence stands for any number (0 or more) of it: `("move", "unpair*")`.
    """

    entities: dict[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)
    counts: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    files: frozenset[str] = frozenset()
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: tuple[str, ...] | None = None
    permission: str | None = None
    replayed: bool = False
    any_ops: bool = False
    renames: frozenset[str] = frozenset()
    subject: str = ""

    def allows(self, kind: str, sequence: tuple[str, ...]) -> bool:
        """Whether one file of `kind` may receive the history ops `sequence` in this operation."""
        return any(_sequence_matches(allowed, sequence) for allowed in self.entities.get(kind, ()))


def _sequence_matches(allowed: tuple[str, ...], sequence: tuple[str, ...]) -> bool:
    # History op names are [a-z_]+: each one followed by a space, `op*` as a repeated group.
    pattern = "".join(f"(?:{op[:-1]} )*" if op.endswith("*") else f"{op} " for op in allowed)
    return re.fullmatch(pattern, "".join(f"{op} " for op in sequence)) is not None


def _rule(
    kind: str,
    *sequences: tuple[str, ...],
    count: tuple[int, int | None] = (1, 1),
    roles: tuple[str, ...] | None = None,
    subject: str = "",
) -> OpRule:
    return OpRule(entities={kind: frozenset(sequences)}, counts={kind: count}, roles=roles, subject=subject)


def _pairing(op: str, subject: str) -> OpRule:
    return OpRule(
        entities={"cadre": frozenset({(op,)}), "household": frozenset({(op,)})},
        counts={"cadre": (1, 1), "household": (1, 1)},
        subject=subject,
    )


ITEM_STEPS = (
    "assign",
    "progress",
    "escalate",
    "resolve",
    "feedback",
    "close",
    "reopen",
    "extend",
    "claim",
    "edit",
    "void",
    "hand_over",
)
_ITEM_ROLES: dict[str, tuple[str, ...]] = {
    "reopen": ("village", *LEADERS),
    "extend": ("village", *LEADERS),
    "escalate": ("village", *LEADERS),
}
_ITEM_SUBJECTS = {
    "assign": "交办 {item} → {leader} (限 {due})",
    "progress": "进展 {item}",
    "escalate": "上报 {item} 至{level}",
    "resolve": "办结 {item}（{how}）",
    "feedback": "回访 {item} {result}",
    "close": "销号 {item}",
    "reopen": "重新打开 {item}",
    "extend": "延期 {item} 至 {due}",
    "claim": "认领 {item} ← {name}",
    "edit": "更正 {item}：{what}",
    "void": "作废 {item}：{reason}",
    "hand_over": "移交 {item} → {name}",
}
# Who may correct or move a cadre: whoever may add one.
_CADRE_ROLES = ("admin", "county_leader", "township_leader")

OPS: dict[str, OpRule] = {
    "ledger.init": OpRule(
        entities={"cadre": frozenset({("create",)})},
        counts={"cadre": (1, 1)},
        files=frozenset({"config", "units", "attributes"}),
        subject="初始化台账 {name}（{code}）",
    ),
    "org.add": OpRule(files=frozenset({"units"}), roles=("admin",), subject="新增单位 {code} {name}"),
    # 更名 (issue 15): one unit's name changes and the old one is appended to its `aliases` (audit._check_units).
    "org.rename": OpRule(
        files=frozenset({"units"}), roles=("admin",), subject="单位更名 {code}：{old} → {name}：{reason}"
    ),
    # 撤并 (issue 15): the unit (a village with its groups) is retired into another of its level; in the same commit
    # its households move there (file renamed, as household.move), its cadres move (cadre `move`) and its unfinished
    # items are re-filed (item `edit` of unit). audit._check_units judges the retirement and each entry's target.
    "org.merge": OpRule(
        entities={
            "household": frozenset({("move",)}),
            "cadre": frozenset({("move",)}),
            "item": frozenset({("edit",)}),
        },
        counts={"household": (0, None), "cadre": (0, None), "item": (0, None)},
        files=frozenset({"units"}),
        roles=("admin",),
        renames=frozenset({"household"}),
        subject="撤并 {code} {name} → {into} {into_name}：{reason}",
    ),
    # The statistics bureau's list (issue 16): units added, none changed; the added codes are the entries, each
    # under its parent (audit._check_units). An unchanged re-import commits nothing.
    "org.import": OpRule(
        files=frozenset({"units"}), roles=("admin",), subject="导入单位 {count} 个（{file}）"
    ),
    # 别名 (issue 16): one name appended to one unit's `aliases`, nothing else (audit._check_units).
    "org.alias": OpRule(
        files=frozenset({"units"}), roles=("admin",), subject="单位别名 {code} {name}：{alias}"
    ),
    # A hand commit of minqing.yaml / org/units.yaml with trailers (docs: "Changing minqing.yaml"); audited.
    "config.edit": OpRule(files=frozenset({"config", "units"}), roles=("admin",)),
    "cadre.add": _rule(
        "cadre",
        ("create",),
        roles=("admin", "county_leader", "township_leader"),
        subject="新增干部 {id} {name}（{role}）",
    ),
    "cadre.set": _rule("cadre", ("set",), roles=("admin", "county_leader", "township_leader")),
    "cadre.recall": _rule(
        "cadre", ("recall",), roles=("admin", "county_leader"), subject="召回干部 {id} {name}"
    ),
    "cadre.key": _rule(
        "cadre", ("key_add",), roles=("admin",), subject="登记签名密钥 {id} {name}（{fingerprint}）"
    ),
    # 更正 (issue 15): corrected name, title or phone, with a reason.
    "cadre.edit": _rule("cadre", ("edit",), roles=_CADRE_ROLES, subject="更正干部 {id} {name}：{what}"),
    # 驻村 (issue 18): one cadre posted to a village (and their department named); audit._check_post judges the codes.
    "cadre.post": _rule(
        "cadre", ("post",), roles=_CADRE_ROLES, subject="驻村 {id} {name} → {village}{department}"
    ),
    # 调动 (issue 15): the cadre's new unit; with --hand-over-to, their open cases get the new leader (item
    # `hand_over`) and each pairing passes to them (cadre unpair ↔ pair, household unpair + pair), in one commit.
    "cadre.move": OpRule(
        entities={
            "cadre": frozenset({("move", "unpair*"), ("pair", "pair*")}),
            "item": frozenset({("hand_over",)}),
            "household": frozenset({("unpair", "pair")}),
        },
        counts={"cadre": (1, 2), "item": (0, None), "household": (0, None)},
        roles=_CADRE_ROLES,
        subject="调动干部 {id} {name}：{old} → {unit}{handed}",
    ),
    "household.add": _rule("household", ("create",), subject="新增农户 {id} {head}"),
    "household.set": _rule("household", ("set",), subject="更新农户 {id} {head}"),
    "household.pair": _pairing("pair", "结对 {cadre} ↔ {head}（{id}）"),
    "household.unpair": _pairing("unpair", "解除结对 {cadre} ↔ {head}（{id}）"),
    # 更正, 搬迁, 销户 (issue 15). A move rewrites the file at its new village's path and deletes the old one; a
    # removal may move the household's unfinished items to another household (item `edit`) in the same commit.
    "household.edit": _rule("household", ("edit",), subject="更正农户 {id} {head}：{what}"),
    "household.move": OpRule(
        entities={"household": frozenset({("move",)})},
        counts={"household": (1, 1)},
        renames=frozenset({"household"}),
        subject="搬迁 {id} {head}：{old} → {village}",
    ),
    "household.remove": OpRule(
        entities={"household": frozenset({("remove",)}), "item": frozenset({("edit",)})},
        counts={"household": (1, 1), "item": (0, None)},
        subject="销户 {id} {head}（{reason}）{moved}",
    ),
    "issue.add": _rule("item", ("create",), subject="登记 {item}"),
    **{
        f"issue.{step}": _rule("item", (step,), roles=_ITEM_ROLES.get(step), subject=_ITEM_SUBJECTS[step])
        for step in ITEM_STEPS
    },
    # `--survey` (issue 18): the household's answer to the satisfaction survey, asked during the visit.
    "visit.add": OpRule(
        entities={"item": frozenset({("create",), ("create", "resolve")})},
        counts={"item": (0, None), "visits": (1, 1), "surveys": (0, 1)},
        fields={"resolve": {"how": "on_the_spot"}},
        subject="{kind} {who} {day}（{visitors}）{raised}",
    ),
    # 群众满意度测评 (issue 18, core/surveys.py): one household's answer, one document of its village's stream.
    "survey.add": OpRule(counts={"surveys": (1, 1)}, subject="满意度测评 {who} {day}：{result}{round}"),
    "survey.void": OpRule(counts={"surveys": (1, 1)}, subject="作废满意度测评 {survey}：{reason}"),
    "activity.add": OpRule(
        counts={"activities": (1, 1)}, subject="活动 {kind} {place} {day}：{title}{people}"
    ),
    # 更正 / 作废 in the streams (issue 15, core/streams.py): a correcting document, plus a void in the old file
    # when the correction moves the record to another file; or one voiding document.
    "visit.edit": OpRule(counts={"visits": (1, 2)}, subject="更正走访 {visit} → {new}：{what}"),
    "visit.void": OpRule(counts={"visits": (1, 1)}, subject="作废走访 {visit}：{reason}"),
    "activity.edit": OpRule(counts={"activities": (1, 2)}, subject="更正活动 {activity} → {new}：{what}"),
    "activity.void": OpRule(counts={"activities": (1, 1)}, subject="作废活动 {activity}：{reason}"),
    "review.add": OpRule(
        entities={"review": frozenset({("create",)}), "item": frozenset({("create",)})},
        counts={"review": (1, 1), "item": (0, None)},
        subject="一会三评 {team} {quarter}（{grade}）{raised}",
    ),
    "review.raise": OpRule(
        entities={"review": frozenset({("raise",)}), "item": frozenset({("create",)})},
        counts={"review": (1, 1), "item": (1, None)},
        subject="一会三评问题清单 {team} {quarter}，登记 {count} 项",
    ),
    "review.set": _rule("review", ("set",)),
    # 撤销 (issue 15, ops/undo.py): the acting cadre's last operation of the day, reversed by new entries.
    "undo": OpRule(
        entities={
            "item": frozenset({("void",)}),
            "cadre": frozenset({("pair",), ("unpair",)}),
            "household": frozenset({("pair",), ("unpair",)}),
        },
        counts={
            "item": (0, None),
            "visits": (0, 1),
            "activities": (0, 1),
            "surveys": (0, 1),
            "cadre": (0, 1),
            "household": (0, 1),
        },
        subject="撤销 {undone}（{commit}）：{reason}",
    ),
    "period.close": _rule(
        "period",
        ("close",),
        roles=("admin", "county_leader", "township_leader"),
        subject="报送 {month} {name}（{unit}）",
    ),
    "period.reopen": _rule(
        "period", ("reopen",), roles=("admin",), subject="重新打开报送期 {month} {name}（{unit}）：{reason}"
    ),
    # Sheets imported in one commit (issue 8): new entries with their whole history, pairings on existing cadres.
    "import.households": OpRule(counts={"household": (0, None), "cadre": (0, None)}, any_ops=True),
    "import.cadres": OpRule(counts={"cadre": (0, None), "household": (0, None)}, any_ops=True),
    "import.visits": OpRule(counts={"visits": (0, None), "item": (0, None)}, any_ops=True),
    "import.issues": OpRule(counts={"item": (0, None)}, any_ops=True),
    "import.surveys": OpRule(counts={"surveys": (0, None)}, any_ops=True),
    # A crashed operation's complete files, committed later by `doctor --fix`.
    "doctor.recover": OpRule(
        counts={
            kind: (0, None)
            for kind in ("cadre", "household", "item", "review", "visits", "activities", "surveys")
        },
        replayed=True,
        subject="恢复中断操作留下的文件 {paths}",
    ),
    # Settling a sync conflict by taking one side's version of the entries it lists.
    "conflict.resolve": OpRule(roles=("admin", "county_leader"), subject="解决同步冲突 {what}"),
    # A sync merge commit: audited as the union of both sides (no table row is consulted for its files).
    "sync.merge": OpRule(subject="同步合并 {label}"),
}
# Merge commits (sync): the merged files must be the union of both sides; conflict.resolve may instead take one
# side's version of the entries it lists.
MERGE_OP = "sync.merge"
RESOLVE_OP = "conflict.resolve"
INIT_OP = "ledger.init"
RECOVER_OP = "doctor.recover"

# Entity kinds some operation moves to another path (`renames`): `log` reads such a move as one file's history.
MOVABLE_KINDS: frozenset[str] = frozenset().union(*(rule.renames for rule in OPS.values()))

# minqing.yaml `permissions` defaults, derived from the table (an op not listed is open to every active cadre).
DEFAULT_PERMISSIONS: dict[str, list[str]] = {op: list(rule.roles) for op, rule in OPS.items() if rule.roles}


def permission_of(kind: str, op: str) -> str:
    """The permission key of the command that performs history op `op` on an entity of `kind` by itself."""
    if op in ("pair", "unpair"):
        return f"household.{op}"
    if op == "key_add":
        return "cadre.key"
    domain = {"item": "issue"}.get(kind, kind)
    return f"{domain}.{'add' if op == 'create' else op}"


def subject(op: str, **params: Any) -> str:
    """The commit subject of `op` from the table, its parameters filled in."""
    return OPS[op].subject.format(**params)


# ---------------------------------------------------------------- history entries and commit messages


def new_entry(actor_id: str, op: str, values: Mapping[str, Any], at: str | None = None) -> HistoryEntry:
    """One history entry as every operation writes it: a fresh op id, the time, the actor, no empty fields."""
    clean = {key: value for key, value in values.items() if value not in (None, [], ())}
    return HistoryEntry(ids.new_op_id(), at or F.timestamp(), actor_id, op, clean)


def commit_message(
    subject_line: str,
    op: str,
    entries: Iterable[str],
    actor: str | None,
    extra: Iterable[tuple[str, str]] = (),
) -> str:
    """A commit message: the readable subject, a blank line, the machine trailers (DESIGN §5)."""
    lines = [f"Ledger-Op: {op}"]
    lines += [f"Ledger-Entry: {entry}" for entry in entries]
    if actor:
        lines.append(f"Ledger-Actor: {actor}")
    lines += [f"{key}: {value}" for key, value in extra]
    # The subject is built from values already screened, but it is git's for good: mask whatever slipped by
    # (a unit name or a sheet's title row quoted in a subject).
    return mask_text(subject_line)[0] + "\n\n" + "\n".join(lines) + "\n"


def visitor_trailers(visit_docs: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """One `Ledger-Visitor` trailer per cadre who went on the visits a commit records (issue 17), in the order
    they first appear: the visitors are not the commit's author (the clerk who typed the visit in), and this is
    how `git log --grep` finds them. A void withdraws a visit and names nobody; a correction names its visitors.
    The writers (visit add/edit, import) and audit's `visitor_mismatch` both read this one rule."""
    # A dict keeps first-seen order with a hashed membership test: an import's 10,000 visits by ~1,000 cadres
    # searched a list (0.05 s).
    visitors: dict[str, None] = {}
    for doc in visit_docs:
        if doc.get(VOIDS):
            continue
        for cadre in doc.get("by") or ():
            visitors[str(cadre)] = None
    return [(VISITOR, cadre) for cadre in visitors]


def parse_trailers(message: str) -> dict[str, tuple[str, ...]]:
    """The Ledger-* trailers in the last paragraph of a message (what `git interpret-trailers` would see)."""
    lines = [line for line in message.rstrip().split("\n") if not line.startswith("#")]
    paragraph: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            break
        paragraph.append(line)
    known = {key.lower(): key for key in (*TRAILER_KEYS, RECOVERED_OP, RECOVERED_ACTOR, VISITOR)}
    found: dict[str, list[str]] = {}
    for line in reversed(paragraph):
        key, sep, value = line.partition(":")
        canonical = known.get(key.strip().lower())
        if sep and canonical:
            found.setdefault(canonical, []).append(value.strip())
    return {key: tuple(values) for key, values in found.items()}


def missing_trailers(trailers: Mapping[str, Any]) -> list[str]:
    return [key for key in TRAILER_KEYS if not trailers.get(key)]
