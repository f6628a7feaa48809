"""doctor: find and repair what a killed command, a moved venv or an interrupted sync left behind."""

from typing import Annotated

import typer

from .common import STATE, AsOpt, JsonOpt, echo, note, print_json, t


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    fix: Annotated[bool, typer.Option("--fix")] = False,
    actor: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.verify import doctor as doc

    led = doc.open_ledger(STATE.ledger_path)
    findings = doc.fix(led, actor) if fix else doc.diagnose(led)
    if json_out:
        print_json([f.to_dict(STATE.lang) for f in findings])
    else:
        for finding in findings:
            mark = "fixed" if finding.fixed else ("problem" if finding.problem else "note")
            label = {
                "fixed": t("已修复", "fixed"),
                "problem": t("问题", "problem"),
                "note": t("提示", "note"),
            }[mark]
            echo(f"{label}: {finding.render(STATE.lang)}")
    code = doc.exit_code(findings)
    if code == 0:
        from minqing.ledgers.core.messages import render

        note(render("doctor_healthy", STATE.lang))
    raise typer.Exit(code)
