"""Pairings (结对认亲): pair and unpair a cadre with a household."""

from typing import Annotated

import typer

from .common import AsOpt, echo, ledger


def register(app: typer.Typer) -> None:
    app.command("pair")(pair)
    app.command("unpair")(unpair)


def pair(
    cadre_id: Annotated[str, typer.Argument()],
    household_id: Annotated[str, typer.Argument()],
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    cadre, home = reg.pair(ledger(), actor, cadre_id, household_id)
    echo(f"{cadre.id} {cadre.name} ↔ {home.id} {home.head}")


def unpair(
    cadre_id: Annotated[str, typer.Argument()],
    household_id: Annotated[str, typer.Argument()],
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    cadre, home = reg.pair(ledger(), actor, cadre_id, household_id, undo=True)
    echo(f"{cadre.id} {cadre.name} ✕ {home.id} {home.head}")
