"""`minqing hooks`: the git hooks that refuse hand commits and unaudited pushes."""

import sys
from typing import Annotated

import typer

from .common import echo, ledger, note, t

hooks_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(hooks_app, name="hooks")


@hooks_app.command("install")
def hooks_install(
    bare: Annotated[
        str | None,
        typer.Option("--bare"),
    ] = None,
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    from minqing.ledgers.verify import hooks

    if bare:
        path = hooks.install_bare(bare, force=force)
        echo(t(f"已安装 pre-receive 钩子：{path}", f"installed the pre-receive hook: {path}"))
        return
    path = hooks.install_local(ledger().root, force=force)
    echo(t(f"已安装 commit-msg 钩子：{path}", f"installed the commit-msg hook: {path}"))


@hooks_app.command("run", hidden=True)
def hooks_run(
    kind: Annotated[str, typer.Argument()],
    args: Annotated[list[str] | None, typer.Argument()] = None,
) -> None:
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
