"""History and trust: log (what changed, by whom) and audit (every commit against its operation)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .common import AsOpt, JsonOpt, echo, ledger, note, print_json, t


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
        found = history.history(led, entry, since=since, by=by, op=op, reveal=reveal)
    if limit is not None and limit >= 0:
        found = found[-limit:] if limit else []
    if json_out:
        print_json([item.to_dict() for item in found])
        return
    for item in found:
        echo(_headline(item))
        for change in item.changes:
            echo(f"    {change.field}: {_shown(change.old)} → {_shown(change.new)}")


def _headline(item: Any) -> str:
    when = item.at[:16].replace("T", " ")
    if not item.ledger_op:
        op = t("手工改动", "hand edit") + f"/{item.op}"
    elif _natural(item.ledger_op, item.op, item.entry):
        op = item.ledger_op
    else:
        op = f"{item.ledger_op}/{item.op}"
    return f"{when}  {item.commit[:10]}  {op}  {item.entry}  {item.actor_name} ({item.actor})"


# An operation's own history op needs no second mention (issue.close → close, issue.add → create of a Q-…).
_DOMAINS = {"issue": "Q-", "household": "H-", "cadre": "C-", "review": "R-"}


def _natural(ledger_op: str, op: str, entry: str) -> bool:
    domain, _, verb = ledger_op.partition(".")
    if verb == op or (ledger_op, op) == ("cadre.key", "key_add"):
        return True
    return verb == "add" and op == "create" and entry.startswith(_DOMAINS.get(domain, "?"))


def _shown(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, list | tuple):
        return ",".join(str(part) for part in value)
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
