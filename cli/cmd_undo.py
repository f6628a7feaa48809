"""`minqing undo`: reverse your own last operation of the day, as a new operation (撤销)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import AsOpt, echo, ledger, t


def register(app: typer.Typer) -> None:
    app.command("undo")(undo)


def undo(
    reason: Annotated[str | None, typer.Option("--reason", help="Why (recorded with the undo).")] = None,
    actor: AsOpt = None,
) -> None:
    """Undo your last operation of today (a visit, an activity, an item registered, a pairing) as a new commit.

    Refused when someone has since built on it, when it was not today, or for an operation with its own
    correction command (named in the message).

    Example: minqing undo --reason 录错了户
    """
    from minqing.ledgers.ops import undo as U

    done = U.undo(ledger(), actor, reason)
    echo(f"{t('已撤销', 'undone')} {done.op} {done.commit[:10]}：{', '.join(done.entries)}")
