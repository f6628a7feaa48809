"""`minqing check`: every file of the ledger against its schema, references, workflow and layout."""

from typing import Annotated

import typer

from .common import STATE, JsonOpt, echo, ledger, note, print_json, t


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    json_out: JsonOpt = False,
    activity_minimum: Annotated[
        str | None,
        typer.Option(
            "--activity-minimum",
        ),
    ] = None,
    month: Annotated[str | None, typer.Option("--month")] = None,
    teams: Annotated[
        bool,
        typer.Option("--teams"),
    ] = False,
) -> None:
    from pathlib import Path

    from minqing.ledgers.verify.check import check_tree

    led = ledger()
    report = check_tree(Path(led.root), STATE.lang, teams=teams)
    duties: list = []
    if activity_minimum is not None or month is not None:  # issue 7: the monthly activity minimum
        from minqing.ledgers.read.office import duties as office_duties

        duties = list(
            office_duties(led, month=month, only="activities", activity_minimum=activity_minimum).findings
        )
    count = len(report.findings) + len(duties)
    if json_out:
        print_json(
            {
                "findings": [finding.to_dict() for finding in report.findings]
                + [
                    {k: duty.to_dict(STATE.lang)[k] for k in ("path", "line", "code", "message")}
                    for duty in duties
                ],
                "count": count,
            }
        )
    else:
        for finding in report.findings:
            echo(str(finding))
        for duty in duties:
            echo(duty.render(STATE.lang))
    if count:
        note(
            t(
                f"发现 {count} 项问题（共检查 {report.files} 个文件）",
                f"{count} finding{'s' if count != 1 else ''} in {report.files} files",
            )
        )
        raise typer.Exit(1)
    note(t(f"检查通过：{report.files} 个文件没有问题", f"clean: no findings in {report.files} files"))
