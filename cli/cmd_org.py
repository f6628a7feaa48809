"""`minqing org`: the org tree of units, county down to group/grid."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import AsOpt, JsonOpt, ask, complete_unit, echo, label, ledger, print_json, print_table, t

org_app = typer.Typer(help="The org tree: county → township → village → group/grid.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")


LEVEL_CHOICES = ["township", "village", "group"]


@org_app.command("add")
def org_add(
    code: Annotated[str, typer.Argument(help="Unit code: township 9 digits, village 12, group 14-15.")],
    name: Annotated[str, typer.Argument(help="Unit name.")],
    level: Annotated[str | None, typer.Option("--level", help="township|village|group")] = None,
    parent: Annotated[
        str | None, typer.Option("--parent", autocompletion=complete_unit, help="Parent unit code.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Add a unit to the org tree.

    Example: minqing org add 520602101 和平乡 --level township --parent 520602
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import register as reg

    led = ledger()
    level = ask(
        level,
        "--level",
        t("层级", "level"),
        lambda v: fields.choice(v, "--level", LEVEL_CHOICES),
        LEVEL_CHOICES,
    )
    parent = ask(parent, "--parent", t("上级单位代码", "parent unit code"), lambda v: led.unit(v, "--parent"))
    unit = reg.add_unit(led, actor, code, name, level or "", parent or "")
    echo(f"{unit.code} {unit.name}")


@org_app.command("list")
def org_list(json_out: JsonOpt = False) -> None:
    """Print the org tree.

    Example: minqing org list --json
    """
    units = list(ledger().units().values())
    if json_out:
        print_json([u.to_dict() for u in units])
        return
    depth = {"county": 0, "township": 1, "village": 2, "group": 3}
    rows = [
        ["  " * depth[u.level] + u.name, u.code, label(u.level)] for u in sorted(units, key=lambda u: u.code)
    ]
    # The indentation is the tree.
    print_table([t("单位", "unit"), t("代码", "code"), t("层级", "level")], rows, keep_indent=True)
