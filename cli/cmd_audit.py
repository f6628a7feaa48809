"""History and trust: log, audit, git hooks, cadres' signing keys."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .common import AsOpt, JsonOpt, echo, ledger, note, print_json, t

hooks_app = typer.Typer(help="Git hooks that refuse hand commits and unaudited pushes.", no_args_is_help=True)
key_app = typer.Typer(help="Cadres' SSH signing keys (git commit signing).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    from . import cmd_core

    app.command("log")(log)
    app.command("audit")(audit)
    app.add_typer(hooks_app, name="hooks")
    cadre_app = getattr(cmd_core, "cadre_app", None)
    if cadre_app is None:  # pragma: no cover - the core module defines it; kept so `cadre key` never vanishes
        cadre_app = typer.Typer(help="Cadres.", no_args_is_help=True)
        app.add_typer(cadre_app, name="cadre")
    cadre_app.add_typer(key_app, name="key")


# ---------------------------------------------------------------- log


def log(
    entry: Annotated[
        str | None, typer.Argument(help="An entry: Q-/H-/C- id or unique prefix, V-/A-/R- id, unit code.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only changes on or after this date.")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Only changes made by this cadre (id or prefix).")
    ] = None,
    op: Annotated[
        str | None, typer.Option("--op", help="Only this operation: issue.close, or close, assign, …")
    ] = None,
    limit: Annotated[int | None, typer.Option("-n", "--limit", help="Only the last N changes.")] = None,
    unmask: Annotated[
        bool, typer.Option("--unmask", help="Show full ID numbers and phones (unmask_roles only; logged).")
    ] = False,
    actor: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show the history of one entry (or all): date, actor, operation, field changes and commit.

    Example: minqing log Q-7K3M --since 2026-11-01

    Example: minqing log --by C-4H2J --op close --json
    """
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
    since: Annotated[
        str | None, typer.Option("--since", help="Only commits after this one (commit, tag or branch).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Replay the history commit by commit and report every change its operation does not allow (exit 1).

    Example: minqing audit

    Example: minqing audit --since v2026Q3 --json
    """
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


# ---------------------------------------------------------------- hooks


@hooks_app.command("install")
def hooks_install(
    bare: Annotated[
        str | None,
        typer.Option("--bare", help="Install the pre-receive hook in this central bare repo instead."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a hook minqing did not write.")] = False,
) -> None:
    """Install the commit-msg hook in this ledger, or the pre-receive hook in a central bare repo.

    Example: minqing hooks install

    Example: minqing hooks install --bare /srv/git/bijiang.git
    """
    from minqing.ledgers.verify import hooks

    if bare:
        path = hooks.install_bare(bare, force=force)
        echo(t(f"已安装 pre-receive 钩子：{path}", f"installed the pre-receive hook: {path}"))
        return
    path = hooks.install_local(ledger().root, force=force)
    echo(t(f"已安装 commit-msg 钩子：{path}", f"installed the commit-msg hook: {path}"))


@hooks_app.command("run", hidden=True)
def hooks_run(
    kind: Annotated[str, typer.Argument(help="commit-msg | pre-receive")],
    args: Annotated[list[str] | None, typer.Argument(help="What git passes the hook.")] = None,
) -> None:
    """Run a hook's check (called by the hook scripts git runs; not for people).

    Example: minqing hooks run commit-msg .git/COMMIT_EDITMSG
    """
    from pathlib import Path

    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.verify import hooks

    from .common import lang

    if kind == "commit-msg" and args:
        code, lines = hooks.run_commit_msg(Path.cwd(), args[0], lang())
    elif kind == "pre-receive":
        code, lines = hooks.run_pre_receive(Path.cwd(), sys.stdin.read(), lang())
    else:
        raise BadInput("bad_value", field="KIND", value=kind, accepted="commit-msg FILE | pre-receive")
    for line in lines:
        note(line)
    if code:
        raise typer.Exit(code)


# ---------------------------------------------------------------- cadre key


@key_app.command("add")
def key_add(
    cadre: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    ssh_pubkey: Annotated[
        str | None, typer.Option("--ssh-pubkey", help="The cadre's SSH public key file (…/id_ed25519.pub).")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Register a cadre's SSH public key for signed commits (one commit on the cadre file).

    Example: minqing cadre key add C-4H2J --ssh-pubkey ~/.ssh/id_ed25519.pub
    """
    from minqing.ledgers.ops import keys
    from minqing.ledgers.verify import audit as audit_mod

    updated = keys.add_key(ledger(), actor, cadre, ssh_pubkey)
    print_ = audit_mod.fingerprint(updated.keys[-1])
    echo(
        t(
            f"{updated.id} {updated.name} 已登记密钥 {print_}",
            f"{updated.id} {updated.name}: key {print_} registered",
        )
    )


@key_app.command("use")
def key_use(
    cadre: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    keyfile: Annotated[str, typer.Argument(help="The cadre's SSH private key on this machine.")],
) -> None:
    """Sign this machine's commits by the cadre with this private key (local git config, no commit).

    Example: minqing cadre key use C-4H2J ~/.ssh/id_ed25519
    """
    from minqing.ledgers.ops import keys

    cadre_record, path = keys.use_key(ledger(), cadre, keyfile)
    echo(
        t(
            f"{cadre_record.id} {cadre_record.name} 在本机的提交将用 {path} 签名",
            f"commits by {cadre_record.id} {cadre_record.name} on this machine are signed with {path}",
        )
    )
