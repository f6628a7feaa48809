"""`minqing org`: the org tree of units, county down to group/grid."""

from __future__ import annotations

from typing import Annotated, Any

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


@org_app.command("rename")
def org_rename(
    code: Annotated[str, typer.Argument(autocompletion=complete_unit, help="Code of the unit renamed.")],
    name: Annotated[str, typer.Argument(help="Its new name.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (e.g. the approval document).")] = None,
    actor: AsOpt = None,
) -> None:
    """Rename a unit (更名); the old name stays as an alias, so find and import still know it.

    Example: minqing org rename 520602101 和平镇 --reason 撤乡设镇
    """
    from minqing.ledgers.ops import register as reg

    unit = reg.rename_unit(ledger(), actor, code, name, reason)
    old = (unit.aliases or ("",))[-1]
    echo(t(f"{unit.code} 已更名：{old} → {unit.name}", f"{unit.code} renamed: {old} → {unit.name}"))


@org_app.command("merge")
def org_merge(
    code: Annotated[
        str, typer.Argument(autocompletion=complete_unit, help="Code of the unit merged (retired).")
    ],
    into: Annotated[
        str | None,
        typer.Option("--into", autocompletion=complete_unit, help="Code of the unit it joins (same level)."),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required).")] = None,
    group_into: Annotated[
        str | None,
        typer.Option("--group-into", help="Merging a village: the group of --into its households join."),
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Merge a unit into another of its level (撤并建制村): its households, cadres and unfinished items move in
    one commit; the code is retired, never reused. A township only once its villages are merged.

    Example: minqing org merge 520602101202 --into 520602101201 --reason 撤并建制村
    """
    from minqing.ledgers.ops import register as reg

    done = reg.merge_unit(ledger(), actor, code, into=into, reason=reason, group_into=group_into)
    echo(
        t(
            f"{done.unit.code} {done.unit.name} 已撤并入 {done.into.code} {done.into.name}："
            f"农户 {len(done.households)}，干部 {len(done.cadres)}，事项 {len(done.items)}",
            f"{done.unit.code} {done.unit.name} merged into {done.into.code} {done.into.name}: "
            f"{len(done.households)} households, {len(done.cadres)} cadres, {len(done.items)} items moved",
        )
    )
    if len(done.retired) > 1:
        echo(
            t(
                f"一并撤销的组：{'、'.join(done.retired[1:])}",
                f"groups retired with it: {', '.join(done.retired[1:])}",
            )
        )


@org_app.command("list")
def org_list(json_out: JsonOpt = False) -> None:
    """Print the org tree; a renamed unit shows its old names, a merged one where it went (撤并).

    Example: minqing org list --json
    """
    units = list(ledger().units().values())
    if json_out:
        print_json([u.to_dict() for u in units])
        return
    depth = {"county": 0, "township": 1, "village": 2, "group": 3}
    rows = [
        ["  " * depth[u.level] + u.name, u.code, label(u.level), _note(u)]
        for u in sorted(units, key=lambda u: u.code)
    ]
    # The indentation is the tree. The note column (old names, 撤并) only when some unit has one.
    headers = [t("单位", "unit"), t("代码", "code"), t("层级", "level"), t("备注", "note")]
    if not any(row[3] for row in rows):
        headers, rows = headers[:3], [row[:3] for row in rows]
    print_table(headers, rows, keep_indent=True)


def _note(unit: Any) -> str:
    parts = []
    if unit.retired:
        parts.append(
            t(f"{unit.retired} 撤并入 {unit.merged_into}", f"merged into {unit.merged_into} {unit.retired}")
        )
    if unit.aliases:
        parts.append(t("曾用名 ", "formerly ") + "、".join(unit.aliases))
    return "；".join(parts)
