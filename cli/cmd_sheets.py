"""The office's sheets and the search box: import, export, find."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    STATE,
    AsOpt,
    JsonOpt,
    UnmaskOpt,
    complete_cadre,
    complete_export_state,
    complete_sheet_kind,
    complete_unit,
    echo,
    note,
    print_json,
    print_json_list,
    print_table,
    t,
)

KindOpt = Annotated[
    str | None,
    typer.Option(
        "--kind",
        autocompletion=complete_sheet_kind,
    ),
]


def register(app: typer.Typer) -> None:
    app.command("import")(import_sheet)
    app.command("export")(export_sheet)
    app.command("find")(find)


def _complete_encoding(incomplete: str) -> list[str]:
    return [name for name in ("utf-8", "utf-8-sig", "gb18030", "gbk") if name.startswith(incomplete)]


def _complete_format(incomplete: str) -> list[str]:
    return [name for name in ("xlsx", "csv", "json") if name.startswith(incomplete)]


def _complete_find_kind(incomplete: str) -> list[str]:
    return [name for name in ("household", "cadre", "item", "unit") if name.startswith(incomplete)]


def _progress_bar() -> tuple[Any, Any]:
    """A rich progress bar on stderr for a person at a terminal; (None, None) under cron, pipes and tests."""
    import os

    if not sys.stderr.isatty() or os.environ.get("NO_COLOR"):
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, Any] = {}
    names = {"check": t("检查", "checking"), "write": t("写入", "writing")}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(names.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, report


_NOUNS = {
    "households": ("户农户", "households"),
    "cadres": ("名干部", "cadres"),
    "visits": ("次走访", "visits"),
    "issues": ("项事项", "items"),
    "petitions": ("件信访", "petitions"),
    "surveys": ("户满意度测评", "survey answers"),
}


def import_sheet(
    file: Annotated[str, typer.Argument()],
    kind: KindOpt = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
        ),
    ] = None,
    map_file: Annotated[
        str | None,
        typer.Option("--map"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            autocompletion=_complete_encoding,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            autocompletion=complete_cadre,
        ),
    ] = None,
    registered: Annotated[
        str | None,
        typer.Option(
            "--registered",
        ),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.ops import sheets

    if not kind:
        raise BadInput("required", field="--kind", accepted="|".join(sheets.IMPORT_KINDS))
    led = _ledger()
    bar, report = _progress_bar()
    try:
        if bar is not None:
            bar.start()
        result = sheets.import_sheet(
            led,
            actor,
            file,
            kind,
            sheet=sheet,
            mapping=map_file,
            encoding=encoding,
            dry_run=dry_run,
            progress=report,
            registered=registered,
            role=role,
        )
    except sheets.ImportRejected as rejected:
        if bar is not None:
            bar.stop()
        for finding in rejected.findings:
            note(finding.render(STATE.lang))
        raise
    finally:
        if bar is not None:
            bar.stop()
    if result.hidden_sheet:
        from minqing.ledgers.core.messages import render

        note(render("hidden_sheet_read", STATE.lang, sheet=result.hidden_sheet))
    if json_out:
        if result.ignored_columns:
            note(
                t(
                    f"已忽略的列：{'、'.join(result.ignored_columns)}",
                    f"ignored columns: {', '.join(result.ignored_columns)}",
                )
            )
        print_json(result.to_dict())
        return
    zh_noun, en_noun = _NOUNS[result.kind]
    created = sum(
        1
        for entry in result.created
        if entry[0] == {"households": "H", "cadres": "C", "visits": "V", "surveys": "S"}.get(result.kind, "Q")
    )
    if result.dry_run:
        echo(
            t(
                f"检查通过（{result.rows} 行）：将新增 {created} {zh_noun}，{result.unchanged} 行与台账一致；--dry-run 未写入",
                f"all {result.rows} rows valid: would add {created} {en_noun}, {result.unchanged} unchanged; --dry-run wrote nothing",
            )
        )
    elif result.commit:
        echo(
            t(
                f"已导入 {created} {zh_noun}（{result.rows} 行，{result.unchanged} 行与台账一致），提交 {result.commit[:10]}",
                f"imported {created} {en_noun} ({result.rows} rows, {result.unchanged} unchanged), commit {result.commit[:10]}",
            )
        )
    else:
        echo(
            t(
                f"没有新内容：{result.rows} 行都与台账一致，未提交",
                f"nothing new: all {result.rows} rows match the ledger; no commit",
            )
        )
    from minqing.ledgers.core.messages import render as _render

    if result.members_vaulted:
        echo(_render("import_members_vault", STATE.lang, count=result.members_vaulted))
    if result.ignored_columns:
        sep = "、" if STATE.lang != "en" else ", "
        echo(_render("import_dropped", STATE.lang, columns=sep.join(result.ignored_columns)))


def export_sheet(
    kind: KindOpt = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            autocompletion=complete_export_state,
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            autocompletion=_complete_format,
        ),
    ] = None,
    out: Annotated[str | None, typer.Option("--out")] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            autocompletion=_complete_encoding,
        ),
    ] = None,
    unmask: UnmaskOpt = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            autocompletion=complete_cadre,
        ),
    ] = None,
) -> None:
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.core.messages import Text
    from minqing.ledgers.ops import sheets

    if not kind:
        raise BadInput("required", field="--kind", accepted="|".join(sheets.KINDS))
    if fmt is None:
        suffix = Path(out).suffix.lower().lstrip(".") if out else ""
        fmt = suffix if suffix in sheets.FORMATS else "csv"
    if fmt not in sheets.FORMATS:
        raise BadInput("bad_value", field="--format", value=fmt, accepted="|".join(sheets.FORMATS))
    if fmt == "xlsx" and not out:
        raise BadInput("required", field="--out", accepted=Text("acc_out_xlsx"))
    led = _ledger()
    if unmask:
        from minqing.ledgers.repo import privacy

        what = (
            f"export --kind {kind}"
            + (f" --unit {unit}" if unit else "")
            + (f" --state {state}" if state else "")
        )
        with privacy.unmasking(led, actor, what) as reveal:
            _write_export(
                sheets.export_table(led, kind, state=state, unit=unit, lang=STATE.lang, reveal=reveal),
                fmt,
                out,
                encoding,
            )
    else:
        _write_export(
            sheets.export_table(led, kind, state=state, unit=unit, lang=STATE.lang), fmt, out, encoding
        )


def _write_export(table: Any, fmt: str, out: str | None, encoding: str | None) -> None:
    """The table to `--out`, or to standard output as it is read (csv, json)."""
    from minqing.ledgers.ops import sheets

    if out:
        rows = sheets.write_export(table, fmt, out, encoding)
        note(t(f"已导出 {rows} 条到 {out}", f"exported {rows} rows to {out}"))
    elif fmt == "json":
        print_json_list(sheets.export_json(table))
    else:
        sheets.write_csv(table, sys.stdout)


def find(
    text: Annotated[str, typer.Argument()],
    kind: Annotated[
        str | None,
        typer.Option("--kind", autocompletion=_complete_find_kind),
    ] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.read import search

    from .common import warn_unreadable

    led = _ledger()
    hits = search.find(led, text, [kind] if kind else None, limit)
    warn_unreadable(led)  # find reads the index: a file it could not read is named, never silently missing
    if json_out:
        print_json_list(hit.to_dict() for hit in hits)
        return
    if not hits:
        note(t(f"没有与“{text}”匹配的农户、干部或事项", f"nothing matches '{text}'"))
        return
    from .common import label

    headers = [t("类型", "kind"), t("编号", "id"), t("名称", "name"), t("单位", "unit")]
    rows = [[label(hit.kind), hit.id, hit.name[:40], f"{hit.unit_name}（{hit.unit}）"] for hit in hits]
    print_table(headers, rows)


def _ledger() -> Any:
    from .common import ledger

    return ledger()


__all__ = ["register", "AsOpt"]
