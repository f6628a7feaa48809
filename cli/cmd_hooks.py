"""`minqing hooks`: the git hooks that refuse hand commits and unaudited pushes."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .common import echo, ledger, note, t

hooks_app = typer.Typer(help="Git hooks that refuse hand commits and unaudited pushes.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(hooks_app, name="hooks")


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
