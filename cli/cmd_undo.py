"""`minqing undo`: reverse your own last operation of the day, as a new operation (撤销)."""

from typing import Annotated

import typer

from .common import AsOpt, echo, ledger, t


def register(app: typer.Typer) -> None:
    app.command("undo")(undo)


def undo(
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import undo as U

    done = U.undo(ledger(), actor, reason)
    echo(f"{t('已撤销', 'undone')} {done.op} {done.commit[:10]}：{', '.join(done.entries)}")
