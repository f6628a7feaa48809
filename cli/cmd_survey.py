"""`minqing survey`: the satisfaction survey (群众满意度测评), one household's answer at a time (issue 18)."""

from typing import Annotated

import typer

from .common import AsOpt, DateOpt, LateOpt, ask, complete_cadre, echo, label, late_reason, ledger, t

survey_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(survey_app, name="survey")


@survey_app.command("add")
def survey_add(
    household: Annotated[str | None, typer.Option("--household")] = None,
    result: Annotated[
        str | None,
        typer.Option("--result"),
    ] = None,
    round_: Annotated[str | None, typer.Option("--round")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", autocompletion=complete_cadre),
    ] = None,
    date: DateOpt = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    late: LateOpt = False,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.core.surveys import SURVEY_RESULTS
    from minqing.ledgers.ops import surveys

    led = ledger()
    household = ask(
        household,
        "--household",
        t("受访农户编号", "household id"),
        lambda v: led.resolve("H", v, "--household"),
    )
    result = ask(
        result,
        "--result",
        t("测评结果（满意/基本满意/不满意）", "result (satisfied/basic/unsatisfied)"),
        lambda v: fields.choice(v, "--result", SURVEY_RESULTS),
    )
    survey = surveys.add_survey(
        led,
        actor,
        household=household,
        result=result,
        round_number=round_,
        by=fields.id_list(by) if by else [],
        date=date,
        note=note,
        late=late_reason(late, reason),
    )
    shown = t(f" 第 {survey.round} 轮", f" round {survey.round}") if survey.round else ""
    echo(f"{survey.id} {survey.date} {survey.household} {label(survey.result)}{shown}")


@survey_app.command("void")
def survey_void(
    survey_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import surveys

    marker = surveys.void_survey(ledger(), actor, survey_id, reason=reason, late=late_reason(late, reason))
    echo(f"{marker['id']} {t('作废', 'voids')} {marker['voids']}")
