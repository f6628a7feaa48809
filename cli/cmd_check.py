"""`minqing check`: every file of the ledger against its schema, references, workflow and layout."""

from __future__ import annotations

import typer

from .common import STATE, JsonOpt, echo, ledger, note, print_json, t


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(json_out: JsonOpt = False) -> None:
    """Check every ledger file; print `path:line: message` per finding, exit 1 when there are any.

    Example: minqing check --json
    """
    from pathlib import Path

    from minqing.ledgers.check import check_tree

    report = check_tree(Path(ledger().root), STATE.lang)
    count = len(report.findings)
    if json_out:
        print_json({"findings": [finding.to_dict() for finding in report.findings], "count": count})
    else:
        for finding in report.findings:
            echo(str(finding))
    if count:
        note(
            t(
                f"发现 {count} 项问题（共检查 {report.files} 个文件）",
                f"{count} finding{'s' if count != 1 else ''} in {report.files} files",
            )
        )
        raise typer.Exit(1)
    note(t(f"检查通过：{report.files} 个文件没有问题", f"clean: no findings in {report.files} files"))
