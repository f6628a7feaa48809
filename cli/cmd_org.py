"""`minqing org`: the org tree of units, county down to group/grid."""

from typing import Annotated, Any

import typer

from .common import (
    STATE,
    AsOpt,
    JsonOpt,
    complete_unit,
    echo,
    label,
    ledger,
    note,
    print_json,
    print_table,
    t,
)

org_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")


LEVEL_CHOICES = ["township", "village", "group", "department"]


@org_app.command("add")
def org_add(
    code: Annotated[
        str,
        typer.Argument(),
    ],
    name: Annotated[
        str,
        typer.Argument(),
    ],
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
        ),
    ] = None,
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent",
            autocompletion=complete_unit,
        ),
    ] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    unit = reg.add_unit(ledger(), actor, code, name, level, parent)
    echo(f"{unit.code} {unit.name}" + (f"（{unit.official}）" if unit.official else ""))


@org_app.command("import")
def org_import(
    file: Annotated[str, typer.Argument()],
    sheet: Annotated[str | None, typer.Option("--sheet")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
    actor: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.ops import orgimport

    try:
        done = orgimport.import_units(ledger(), actor, file, sheet=sheet, encoding=encoding, dry_run=dry_run)
    except orgimport.ImportRejected as rejected:
        for finding in rejected.findings:
            note(finding.render(STATE.lang))
        raise
    if json_out:
        print_json(done.to_dict())
        return
    if dry_run:
        echo(
            t(
                f"检查通过（{done.rows} 行）：将新增 {len(done.added)} 个单位，{done.unchanged} 个已在组织树中；--dry-run 未写入",
                f"all {done.rows} rows valid: would add {len(done.added)} units, {done.unchanged} already in the "
                "tree; --dry-run wrote nothing",
            )
        )
    elif done.commit:
        echo(
            t(
                f"已导入 {len(done.added)} 个单位（{done.rows} 行，{done.unchanged} 个已在组织树中），提交 {done.commit[:10]}",
                f"imported {len(done.added)} units ({done.rows} rows, {done.unchanged} already in the tree), "
                f"commit {done.commit[:10]}",
            )
        )
    else:
        echo(
            t(
                f"没有新内容：{done.rows} 行的单位都已在组织树中，未提交",
                f"nothing new: the units of all {done.rows} rows are already in the tree; no commit",
            )
        )


@org_app.command("alias")
def org_alias(
    code: Annotated[str, typer.Argument(autocompletion=complete_unit)],
    alias: Annotated[str, typer.Argument()],
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    unit = reg.alias_unit(ledger(), actor, code, alias)
    echo(
        t(
            f"{unit.code} {unit.name} 别名：{'、'.join(unit.aliases or ())}",
            f"{unit.code} {unit.name} aliases: {', '.join(unit.aliases or ())}",
        )
    )


@org_app.command("rename")
def org_rename(
    code: Annotated[str, typer.Argument(autocompletion=complete_unit)],
    name: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import register as reg

    unit = reg.rename_unit(ledger(), actor, code, name, reason)
    old = (unit.aliases or ("",))[-1]
    echo(t(f"{unit.code} 已更名：{old} → {unit.name}", f"{unit.code} renamed: {old} → {unit.name}"))


@org_app.command("merge")
def org_merge(
    code: Annotated[str, typer.Argument(autocompletion=complete_unit)],
    into: Annotated[
        str | None,
        typer.Option("--into", autocompletion=complete_unit),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    group_into: Annotated[
        str | None,
        typer.Option("--group-into"),
    ] = None,
    actor: AsOpt = None,
) -> None:
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
    units = list(ledger().units().values())
    if json_out:
        print_json([u.to_dict() for u in units])
        return
    # Departments (帮扶单位) hang under the county beside the townships; their codes (520602D01) sort after them.
    depth = {"county": 0, "township": 1, "village": 2, "group": 3, "department": 1}
    rows = [
        ["  " * depth[u.level] + u.name, u.code, label(u.level), _note(u)]
        for u in sorted(units, key=lambda u: (u.level == "department", u.code))
    ]
    # The indentation is the tree. The note column (old names, 撤并) only when some unit has one.
    headers = [t("单位", "unit"), t("代码", "code"), t("层级", "level"), t("备注", "note")]
    if not any(row[3] for row in rows):
        headers, rows = headers[:3], [row[:3] for row in rows]
    print_table(headers, rows, keep_indent=True)


def _note(unit: Any) -> str:
    parts = [t("全称 ", "official ") + unit.official] if unit.official else []
    if unit.retired:
        parts.append(
            t(f"{unit.retired} 撤并入 {unit.merged_into}", f"merged into {unit.merged_into} {unit.retired}")
        )
    if unit.aliases:
        parts.append(t("曾用名 ", "formerly ") + "、".join(unit.aliases))
    return "；".join(parts)
