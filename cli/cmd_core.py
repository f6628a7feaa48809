"""Foundation commands: init, org, cadre, household, pair/unpair, visit, issue, status, demo."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import AsOpt, JsonOpt, echo, ledger, print_json, print_table, t

org_app = typer.Typer(help="The org tree: county → township → village → group/grid.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(org_app, name="org")


def init(
    path: Annotated[str, typer.Argument(help="Directory for the new ledger repo.")],
    county_code: Annotated[
        str | None, typer.Option("--county-code", help="6-digit GB/T 2260 code, e.g. 520602.")
    ] = None,
    county_name: Annotated[
        str | None, typer.Option("--county-name", help="County name, e.g. 碧江区.")
    ] = None,
    admin_name: Annotated[
        str | None, typer.Option("--admin-name", help="First admin cadre (default: git user.name).")
    ] = None,
) -> None:
    """Create a ledger repo with its config, org root and first admin cadre.

    Example: minqing init bijiang --county-code 520602 --county-name 碧江区 --admin-name 张华
    """
    from minqing.ledgers import register as reg

    new = reg.init(path, county_code or "", county_name or "", admin_name)
    user = new._configured_user()
    echo(t(f"已创建台账 {new.root}（管理员 {user}）", f"created ledger {new.root} (admin {user})"))


@org_app.command("add")
def org_add(
    code: Annotated[str, typer.Argument(help="Unit code: township 9 digits, village 12, group 14-15.")],
    name: Annotated[str, typer.Argument(help="Unit name.")],
    level: Annotated[str | None, typer.Option("--level", help="township|village|group")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Parent unit code.")] = None,
    actor: AsOpt = None,
) -> None:
    """Add a unit to the org tree.

    Example: minqing org add 520602101 和平乡 --level township --parent 520602
    """
    from minqing.ledgers import register as reg

    unit = reg.add_unit(ledger(), actor, code, name, level or "", parent or "")
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
    rows = [["  " * depth[u.level] + u.name, u.code, u.level] for u in sorted(units, key=lambda u: u.code)]
    print_table([t("单位", "unit"), t("代码", "code"), t("层级", "level")], rows)
