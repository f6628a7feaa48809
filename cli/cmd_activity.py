"""`minqing activity`: night schools, lectures, services, cleanups, drills and joint meetings."""

from typing import Annotated

import typer

from .common import AsOpt, DateOpt, JsonOpt, LateOpt, UnitOpt, ask, echo, late_reason, ledger, print_json, t
from .office_render import activity_label, num

activity_app = typer.Typer(
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(activity_app, name="activity")


@activity_app.command("add")
def activity_add(
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
        ),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    date: DateOpt = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    participants: Annotated[str | None, typer.Option("--participants")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    note_: Annotated[str | None, typer.Option("--note")] = None,
    late: LateOpt = False,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.core.model import ACTIVITY_KINDS
    from minqing.ledgers.ops import activities

    led = ledger()
    kinds = list(ACTIVITY_KINDS)
    kind = ask(kind, "--kind", t("活动类型", "kind"), lambda v: fields.choice(v, "--kind", kinds), kinds)
    unit = ask(unit, "--unit", t("单位代码", "unit code"), lambda v: led.unit(v))
    title = ask(title, "--title", t("活动主题", "title"), lambda v: fields.text(v, "--title"))
    activity = activities.add_activity(
        led,
        actor,
        kind=kind,
        unit=unit,
        title=title,
        date=date,
        participants=participants,
        by=fields.id_list(by),
        note=note_,
        late=late_reason(late, reason),
    )
    people = f" {activity.participants}{t('人', ' people')}" if activity.participants is not None else ""
    echo(f"{activity.id} {activity.date} {activity_label(activity.kind)}{people}")


@activity_app.command("edit")
def activity_edit(
    activity_id: Annotated[str, typer.Argument()],
    date: Annotated[str | None, typer.Option("--date")] = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    participants: Annotated[str | None, typer.Option("--participants")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    note_: Annotated[str | None, typer.Option("--note")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import activities

    doc, corrected = activities.edit_activity(
        ledger(),
        actor,
        activity_id,
        reason=reason,
        date=date,
        kind=kind,
        unit=unit,
        title=title,
        participants=participants,
        by=fields.id_list(by) if by is not None else None,
        note=note_,
        late=late_reason(late, reason),
    )
    echo(f"{doc['id']} {doc['date']} {t('更正', 'corrects')} {corrected}")


@activity_app.command("void")
def activity_void(
    activity_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    late: LateOpt = False,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import activities

    marker = activities.void_activity(
        ledger(), actor, activity_id, reason=reason, late=late_reason(late, reason)
    )
    echo(f"{marker['voids']} {t('已作废', 'voided')}")


@activity_app.command("list")
def activity_list(
    month: Annotated[str | None, typer.Option("--month")] = None,
    unit: UnitOpt = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    json_out: JsonOpt = False,
    year: Annotated[str | None, typer.Option("--year")] = None,
    start: Annotated[str | None, typer.Option("--from")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
) -> None:
    from minqing.ledgers.read import activities

    found = activities.list_activities(
        ledger(), month=month, unit=unit, kind=kind, year=year, start=start, end=end
    )
    totals = activities.totals_by_kind(found)
    if json_out:
        print_json(
            {
                "activities": [a.to_dict() for a in found],
                "by_kind": [
                    {"kind": k.kind, "sessions": k.sessions, "participants": k.participants} for k in totals
                ],
                "sessions": len(found),
                "participants": sum(a.participants or 0 for a in found),
            }
        )
        return
    from .common import print_table

    headers = [
        t(*pair)
        for pair in (
            ("编号", "id"),
            ("日期", "date"),
            ("类型", "kind"),
            ("单位", "unit"),
            ("主题", "title"),
            ("人数", "people"),
            ("组织干部", "by"),
        )
    ]
    print_table(
        headers,
        [
            [a.id, a.date, activity_label(a.kind), a.unit, a.title, num(a.participants), ",".join(a.by)]
            for a in found
        ],
    )
    print_table(
        [t("类型", "kind"), t("场次", "sessions"), t("人次", "participants")],
        [[activity_label(k.kind), k.sessions, k.participants] for k in totals]
        + [[t("合计", "total"), len(found), sum(k.participants for k in totals)]],
    )
