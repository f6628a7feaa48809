"""History and trust: log (what changed, by whom) and audit (every commit against its operation)."""

import collections
import re
from typing import Annotated, Any

import typer

from .common import AsOpt, JsonOpt, echo, label, lang, ledger, note, print_json, t


def register(app: typer.Typer) -> None:
    app.command("log")(log)
    app.command("audit")(audit)


# ---------------------------------------------------------------- log


def log(
    entry: Annotated[str | None, typer.Argument()] = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    op: Annotated[str | None, typer.Option("--op")] = None,
    limit: Annotated[int | None, typer.Option("-n", "--limit")] = None,
    unmask: Annotated[bool, typer.Option("--unmask")] = False,
    actor: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    from contextlib import nullcontext

    from minqing.ledgers.read import history
    from minqing.ledgers.repo import privacy

    led = ledger()
    what = "log " + " ".join(part for part in (entry or "", f"--since {since}" if since else "") if part)
    guard = privacy.unmasking(led, actor, what.strip()) if unmask else nullcontext(None)
    with guard as reveal:
        entries = history.iter_history(led, entry, since=since, by=by, op=op, reveal=reveal)
        if limit is not None and limit >= 0:
            entries = iter(collections.deque(entries, maxlen=limit) if limit else ())  # the last N
        if json_out:
            print_json([item.to_dict() for item in entries])
            return
        from minqing.ledgers.read.names import names_of

        # Printed as read, a batch at a time, each batch's codes and ids named at once: `log | head` stops early.
        for batch in _batches(entries):
            mentioned = {item.entry for item in batch} | {
                text for item in batch for change in item.changes for text in _texts((change.old, change.new))
            }
            known = names_of(led, mentioned)
            for item in batch:
                _print_entry(item, known)


LOG_BATCH = 200


def _texts(value: Any) -> Any:
    """Every text in a value, inside lists and mappings too (`by: [C-…, C-…]`): what `_shown` may name."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for part in value:
            yield from _texts(part)
    elif isinstance(value, dict):
        for part in value.values():
            yield from _texts(part)


def _batches(entries: Any) -> Any:
    batch: list[Any] = []
    for item in entries:
        batch.append(item)
        if len(batch) == LOG_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _print_entry(item: Any, known: Any) -> None:
    from minqing.ledgers.core.messages import field_label

    echo(_headline(item, known))
    for change in item.changes:
        head, dot, tail = change.field.partition(".")
        shown = field_label(head, lang()) + (dot + label(tail) if dot and "[" not in head else dot + tail)
        echo(
            f"    {shown}: {_shown(change.old, change.field, known)} → {_shown(change.new, change.field, known)}"
        )


def _headline(item: Any, known: Any) -> str:
    """When, commit, what was done (the history op's label, then the Ledger-Op that `--op` and `git log --grep`
    take), the entry with its name, and who."""
    from minqing.ledgers.core.messages import OP_LABELS

    when = item.at[:16].replace("T", " ")
    if not item.ledger_op:
        op = t("手工改动", "hand edit") + f"/{item.op}"
    elif _natural(item.ledger_op, item.op, item.entry):
        op = item.ledger_op
    else:
        op = f"{item.ledger_op}/{item.op}"
    if lang() == "zh" and item.ledger_op and item.op in OP_LABELS:
        op = f"{label(item.op)} {op}"
    return f"{when}  {item.commit[:10]}  {op}  {_named(item.entry, known)}  {item.actor_name} ({item.actor})"


# Fields whose values are what someone typed: shown as typed, never looked up as a code.
_TYPED = {"desc", "name", "note", "plan", "progress", "resolution", "close_reason", "title", "head", "reason"}
_CADRE_ID = re.compile(r"C-[0-9A-Z]{6}")
_HOUSEHOLD_ID = re.compile(r"H-[0-9A-Z]{6}")
_UNIT_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}(?:[0-9]{3}(?:[0-9]{2})?)?)?")


def _named(value: str, known: Any) -> str:
    """A cadre id or unit code with its name in front (`王芳 C-H7BPJ4`, `陈家寨村 520602202201`)."""
    if _CADRE_ID.fullmatch(value):
        return known.cadre(value)
    if _HOUSEHOLD_ID.fullmatch(value):
        return known.household(value)
    if _UNIT_CODE.fullmatch(value) and value in known.units:
        return known.unit(value)
    return value


# An operation's own history op needs no second mention (issue.close → close, issue.add → create of a Q-…).
_DOMAINS = {"issue": "Q-", "household": "H-", "cadre": "C-", "review": "R-"}


def _natural(ledger_op: str, op: str, entry: str) -> bool:
    domain, _, verb = ledger_op.partition(".")
    if verb == op or (ledger_op, op) == ("cadre.key", "key_add"):
        return True
    return verb == "add" and op == "create" and entry.startswith(_DOMAINS.get(domain, "?"))


def _shown(value: Any, field: str = "", known: Any = None) -> str:
    """A value in the chosen language: codes as labels (`problem` → 问题), ids and codes with names, yes/no."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, list | tuple):
        return ",".join(_shown(part, field, known) for part in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={_shown(part, str(key), known)}" for key, part in value.items())
    if isinstance(value, bool):
        return t("是", "yes") if value else t("否", "no")
    if isinstance(value, str) and field not in _TYPED:
        return _named(label(value), known) if known is not None else label(value)
    return " ".join(str(value).split("\n"))


# ---------------------------------------------------------------- audit


def audit(
    since: Annotated[str | None, typer.Option("--since")] = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.verify import audit as audit_mod

    from .common import lang

    led = ledger()
    result = audit_mod.audit_repo(led.root, since=since, lang=lang())
    if json_out:
        print_json(
            {
                "ok": result.ok,
                "commits": result.commits,
                "head": result.head,
                "findings": [finding.to_dict() for finding in result.findings],
            }
        )
    else:
        for finding in result.findings:
            echo(finding.render())
    count = len(result.findings)
    if count:
        note(
            t(
                f"审计发现 {count} 个问题（检查了 {result.commits} 个提交）",
                f"audit: {count} finding(s) in {result.commits} commit(s)",
            )
        )
        raise typer.Exit(1)
    note(
        t(
            f"审计通过：{result.commits} 个提交均符合其记录的操作",
            f"audit clean: {result.commits} commit(s), each exactly what its operation allows",
        )
    )
