"""The offices' other work: activity add/list, review add/list/show/raise/set, rank, report daily, reconcile,
cadre roster, duties. Numbers come from ledgers/office.py (on the rollup and index); formats live here."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .cmd_core import cadre_app
from .common import AsOpt, DateOpt, JsonOpt, ask, echo, is_terminal, label, lang, ledger, note, print_json, t

activity_app = typer.Typer(
    help="Activities: night schools, lectures, public/farm services, cleanups, drills, joint meetings.",
    no_args_is_help=True,
)
review_app = typer.Typer(
    help="Quarterly team reviews 一会三评 and the problems raised at them.", no_args_is_help=True
)

FormatOpt = Annotated[str | None, typer.Option("--format", help="table|md|csv|json|xlsx (default: table).")]
OutOpt = Annotated[str | None, typer.Option("--out", help="Write to this file instead of stdout.")]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="Only this unit and what lies under it (code).")]
SHEET_FORMATS = ("table", "md", "csv", "json", "xlsx")


def register(app: typer.Typer) -> None:
    from .cmd_rollup import report_app

    app.add_typer(activity_app, name="activity")
    app.add_typer(review_app, name="review")
    app.command("rank")(rank)
    report_app.command("daily")(report_daily)
    app.command("reconcile")(reconcile)
    cadre_app.command("roster")(cadre_roster)
    app.command("duties")(duties)


# ---------------------------------------------------------------- shared rendering


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _activity_label(kind: str) -> str:
    from minqing.ledgers.ops.activities import kind_label

    return kind_label(kind, lang())


def _grade_label(grade: str | None) -> str:
    from minqing.ledgers.ops.reviews import grade_label

    return grade_label(grade, lang()) if grade else ""


def _sheet_text(fmt: str, title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """A title and one table as plain text, markdown or csv (UTF-8 with BOM for Excel)."""
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    if fmt == "md":
        lines = [f"# {title}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(value.replace("|", "\\|") for value in row) + " |" for row in cells]
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(cells)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    import tabulate

    tabulate.WIDE_CHARS_MODE = True
    body = tabulate.tabulate(cells, headers=headers, tablefmt="simple", disable_numparse=True)
    return (title + "\n" + body + "\n").encode("utf-8")


def _xlsx(
    title: str, headers: list[str], rows: list[list[Any]], widths: list[int], footer: list[str]
) -> bytes:
    """One printable sheet: a title line, a bold frozen header, wrapped text, landscape, fit to page width."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31].replace("/", "-").replace(":", "-")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headers)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    # One named style for the body: ten times faster than styling each cell (a county sheet has ~50,000 cells).
    book.add_named_style(
        NamedStyle(name="minqing_cell", border=border, alignment=Alignment(wrap_text=True, vertical="top"))
    )
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.border = border
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
    for body in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in body:
            cell.style = "minqing_cell"
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if footer:
        sheet.append([])
        for line in footer:
            sheet.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _emit(
    fmt: str | None,
    out: str | None,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    payload: dict[str, Any],
    widths: list[int] | None = None,
    footer: list[str] | None = None,
) -> None:
    """Print or write one sheet in the chosen format (json prints `payload`, the stable document)."""
    from minqing.ledgers.core import fields as F
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.core.messages import Text

    from . import rollup_render as render

    chosen = F.choice(fmt or "table", "--format", SHEET_FORMATS)
    if chosen == "xlsx":
        if not out:
            raise BadInput("required", field="--out", accepted=Text("acc_out_xlsx"))
        data = _xlsx(title, headers, rows, widths or [12] * len(headers), footer or [])
    elif chosen == "json":
        data = render.json_text(payload).encode("utf-8")
    elif chosen == "table" and not out and is_terminal():
        from .common import print_table

        print_table(headers, rows, title=title)
        return
    else:
        data = _sheet_text(chosen, title, headers, rows)
    if out:
        render.write_file(out, data)
        note(t(f"已写入 {out}", f"written to {out}"))
    else:
        typer.echo(data.decode("utf-8"), nl=False)


# ---------------------------------------------------------------- activities


@activity_app.command("add")
def activity_add(
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="night_school|cadre_school|lecture|public_service|farm_service|cleanup|drill|joint_meeting|other",
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unit code where it was held (village, township…).")
    ] = None,
    date: DateOpt = None,
    title: Annotated[str | None, typer.Option("--title", help="What it was (one line).")] = None,
    participants: Annotated[
        str | None, typer.Option("--participants", help="Number of people who took part.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Organising cadres, comma-separated.")] = None,
    note_: Annotated[str | None, typer.Option("--note", help="Anything else worth keeping.")] = None,
    actor: AsOpt = None,
) -> None:
    """Record an activity (农民夜校, 政策宣讲, 公益服务, 环境整治, 联席会议 …) as one commit.

    Example: minqing activity add --kind night_school --unit 520602101201 --date 2026-11-20 --title 猕猴桃冬季管护 --participants 35 --by C-4H2J
    """
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
    )
    people = f" {activity.participants}{t('人', ' people')}" if activity.participants is not None else ""
    echo(f"{activity.id} {activity.date} {_activity_label(activity.kind)}{people}")


@activity_app.command("list")
def activity_list(
    month: Annotated[str | None, typer.Option("--month", help="Only this month, YYYY-MM.")] = None,
    unit: UnitOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List activities, with sessions and participants per kind.

    Example: minqing activity list --month 2026-11 --unit 520602101
    """
    from minqing.ledgers.ops import activities

    found = activities.list_activities(ledger(), month=month, unit=unit, kind=kind)
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
            [a.id, a.date, _activity_label(a.kind), a.unit, a.title, _num(a.participants), ",".join(a.by)]
            for a in found
        ],
    )
    print_table(
        [t("类型", "kind"), t("场次", "sessions"), t("人次", "participants")],
        [[_activity_label(k.kind), k.sessions, k.participants] for k in totals]
        + [[t("合计", "total"), len(found), sum(k.participants for k in totals)]],
    )


# ---------------------------------------------------------------- reviews


def _raises(raise_: list[str] | None, category: list[str] | None) -> list[tuple[str, str]]:
    from minqing.ledgers.core.errors import BadInput

    raises, categories = raise_ or [], category or []
    if len(categories) != len(raises):
        raise BadInput("mismatch_count", field="--category", given=len(categories), raised=len(raises))
    return list(zip(raises, categories, strict=True))


RaiseOpt = Annotated[
    list[str] | None, typer.Option("--raise", help="A problem pointed out at the review (repeatable).")
]
CategoryOpt = Annotated[
    list[str] | None, typer.Option("--category", help="Category of each --raise, in order.")
]
ItemLedgerOpt = Annotated[
    str | None, typer.Option("--ledger", help="Ledger of the raised items (default livelihood).")
]


@review_app.command("add")
def review_add(
    team: Annotated[
        str | None, typer.Option("--team", help="Unit code (or unique name) of the village/township team.")
    ] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="Quarter YYYYQn, e.g. 2026Q4.")] = None,
    report: Annotated[
        str | None, typer.Option("--report", help="述职: a text file, or the text itself.")
    ] = None,
    comment: Annotated[str | None, typer.Option("--comment", help="点评 by the township secretary.")] = None,
    ratings: Annotated[
        str | None,
        typer.Option("--ratings", help="群众测评: satisfied=N,basic=N,unsatisfied=N."),
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="组织定评: excellent|good|fair|poor")] = None,
    raise_: RaiseOpt = None,
    category: CategoryOpt = None,
    item_ledger: ItemLedgerOpt = None,
    actor: AsOpt = None,
) -> None:
    """Record a team's quarterly review 一会三评 (and the problems raised at it, source review) as one commit.

    Example: minqing review add --team 520602101201 --quarter 2026Q4 --report 述职.txt --comment 成效明显 --ratings satisfied=40,basic=8,unsatisfied=2 --grade good --raise 卫生室缺药 --category medical
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.core.model import REVIEW_GRADES
    from minqing.ledgers.ops import reviews

    led = ledger()
    grades = list(REVIEW_GRADES)
    team = ask(
        team, "--team", t("工作队所在村代码", "team's unit code"), lambda v: reviews.resolve_team(led, v)
    )
    quarter = ask(
        quarter, "--quarter", t("季度（如 2026Q4）", "quarter (e.g. 2026Q4)"), reviews.parse_quarter
    )
    ratings = ask(
        ratings,
        "--ratings",
        t("群众测评 satisfied=N,basic=N,unsatisfied=N", "ratings"),
        reviews.parse_ratings,
    )
    grade = ask(
        grade, "--grade", t("组织定评", "grade"), lambda v: fields.choice(v, "--grade", grades), grades
    )
    review, items = reviews.add_review(
        led,
        actor,
        team=team,
        quarter=quarter,
        ratings=ratings,
        grade=grade,
        report=report,
        comment=comment,
        raises=_raises(raise_, category),
        item_ledger=item_ledger,
    )
    echo(f"{review.id} {review.team} {review.quarter} {_grade_label(review.grade)}")
    for item in items:
        echo(f"  {item.id} {label(item.state)} {item.desc}")


@review_app.command("raise")
def review_raise(
    review_id: Annotated[str, typer.Argument(help="Review id or unique prefix.")],
    raise_: RaiseOpt = None,
    category: CategoryOpt = None,
    item_ledger: ItemLedgerOpt = None,
    actor: AsOpt = None,
) -> None:
    """Add problems pointed out at a review to its list (new items with source review), as one commit.

    Example: minqing review raise R-3K8P --raise 通组路未硬化 --category infrastructure
    """
    from minqing.ledgers.ops import reviews

    review, items = reviews.raise_items(
        ledger(), actor, review_id, raises=_raises(raise_, category), item_ledger=item_ledger
    )
    echo(f"{review.id} {review.team} {review.quarter}")
    for item in items:
        echo(f"  {item.id} {label(item.state)} {item.desc}")


@review_app.command("set")
def review_set(
    review_id: Annotated[str, typer.Argument(help="Review id or unique prefix.")],
    ratings: Annotated[
        str | None, typer.Option("--ratings", help="satisfied=N,basic=N,unsatisfied=N")
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="excellent|good|fair|poor")] = None,
    report: Annotated[str | None, typer.Option("--report", help="A text file, or the text itself.")] = None,
    comment: Annotated[str | None, typer.Option("--comment", help="点评.")] = None,
    actor: AsOpt = None,
) -> None:
    """Amend a review: the 组织定评 given later, corrected ratings, report or comment.

    Example: minqing review set R-3K8P --grade excellent
    """
    from minqing.ledgers.ops import reviews

    review = reviews.set_review(
        ledger(), actor, review_id, ratings=ratings, grade=grade, report=report, comment=comment
    )
    echo(f"{review.id} {review.team} {review.quarter} {_grade_label(review.grade)}")


def _review_row(view: dict[str, Any]) -> list[Any]:
    ratings = view["ratings"]
    return [
        view["id"],
        view["quarter"],
        f"{view['team_name']} {view['team']}",
        _grade_label(view["grade"]),
        ratings["satisfied"],
        ratings["basic"],
        ratings["unsatisfied"],
        _percent(view["satisfaction"]),
        len(view["items"]),
        view["items_open"],
    ]


@review_app.command("list")
def review_list(
    quarter: Annotated[str | None, typer.Option("--quarter", help="Only this quarter, YYYYQn.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only teams under this unit code.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List quarterly reviews with their ratings, grade and the problems raised (open ones counted).

    Example: minqing review list --quarter 2026Q4
    """
    from minqing.ledgers.ops import reviews

    led = ledger()
    views = [reviews.review_view(led, review) for review in reviews.list_reviews(led, quarter, team)]
    if json_out:
        print_json(views)
        return
    from .common import print_table

    headers = [
        t(*pair)
        for pair in (
            ("编号", "id"),
            ("季度", "quarter"),
            ("工作队", "team"),
            ("定评", "grade"),
            ("满意", "satisfied"),
            ("基本满意", "basic"),
            ("不满意", "unsatisfied"),
            ("满意率", "satisfaction"),
            ("问题", "items"),
            ("未销号", "open"),
        )
    ]
    print_table(headers, [_review_row(view) for view in views])


@review_app.command("show")
def review_show(
    review_id: Annotated[str, typer.Argument(help="Review id or unique prefix.")], json_out: JsonOpt = False
) -> None:
    """Show one review: report, comment, ratings, grade, the problems raised and their states.

    Example: minqing review show R-3K8P
    """
    from minqing.ledgers.ops import reviews

    led = ledger()
    review = reviews.find_review(led, review_id)
    view = reviews.review_view(led, review)
    if json_out:
        print_json(view | {"history": [entry.to_dict() for entry in review.history]})
        return
    ratings = view["ratings"]
    echo(
        f"{view['id']}  {view['team_name']} {view['team']}  {view['quarter']}  {_grade_label(view['grade'])}"
    )
    echo(
        t(
            f"群众测评：满意 {ratings['satisfied']}，基本满意 {ratings['basic']}，不满意 {ratings['unsatisfied']}"
            f"（满意率 {_percent(view['satisfaction'])}）",
            f"ratings: satisfied {ratings['satisfied']}, basic {ratings['basic']}, "
            f"unsatisfied {ratings['unsatisfied']} (satisfaction {_percent(view['satisfaction'])})",
        )
    )
    echo(t("述职：", "report: ") + (view["report"] or "—"))
    echo(t("点评：", "comment: ") + (view["comment"] or "—"))
    if view["items"]:
        echo(t("问题清单：", "problems raised:"))
        for item_id, state in view["item_states"].items():
            echo(f"  {item_id} {label(state) if state else t('（缺失）', '(missing)')}")


# ---------------------------------------------------------------- ranking


def rank(
    quarter: Annotated[
        str | None, typer.Option("--quarter", help="Quarter YYYYQn (default: the current one).")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="township|team (default: township).")] = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Rank townships or village work teams for a quarter (季排名) by a documented score, each component shown.

    Score = 40 × on-time rate + 30 × coverage + 30 × satisfaction − 2 per overdue item (at most 30).

    Example: minqing rank --quarter 2026Q4 --by township

    Example: minqing rank --quarter 2026Q4 --by team --format xlsx --out 2026Q4排名.xlsx
    """
    from minqing.ledgers.read import office

    ranking = office.rank(ledger(), quarter, by)
    team = ranking.by == "team"
    headers = [
        t(*pair)
        for pair in (
            ("名次", "rank"),
            ("代码", "code"),
            ("工作队" if team else "乡镇", "team" if team else "township"),
            ("得分", "score"),
            ("按期率", "on time"),
            ("按期得分", "pts"),
            ("覆盖率", "coverage"),
            ("覆盖得分", "pts"),
            ("满意率", "satisfaction"),
            ("满意得分", "pts"),
            ("超期", "overdue"),
            ("扣分", "penalty"),
        )
    ]
    if team:
        headers.append(t("定评", "grade"))
    rows = []
    for row in ranking.rows:
        cells = [
            row.rank,
            row.unit,
            row.name,
            f"{row.score:.1f}",
            f"{_percent(row.on_time_rate)} ({row.closed_on_time}/{row.closed})",
            f"{row.on_time_points:.1f}",
            f"{_percent(row.coverage)} ({row.households_visited}/{row.households})",
            f"{row.coverage_points:.1f}",
            f"{_percent(row.satisfaction_rate)} ({row.feedback_good + row.review_good}/{row.feedback + row.review_raters})",
            f"{row.satisfaction_points:.1f}",
            row.overdue,
            f"-{row.overdue_penalty:.1f}" if row.overdue_penalty else "0",
        ]
        if team:
            cells.append(_grade_label(row.grade))
        rows.append(cells)
    title = t(
        f"{ranking.quarter} {'工作队' if team else '乡镇'}排名（{ranking.period.start}..{ranking.period.end}，"
        f"截至 {ranking.period.as_of}）",
        f"{ranking.quarter} ranking of {'teams' if team else 'townships'} "
        f"({ranking.period.start}..{ranking.period.end}, as of {ranking.period.as_of})",
    )
    formula = t(
        "得分 = 40×按期率 + 30×走访覆盖率 + 30×满意率（回访与群众测评合计）− 每项超期扣 2 分（最多扣 30 分）；"
        "无数据的分项按一半计分",
        "score = 40×on-time rate + 30×coverage + 30×satisfaction (feedback and review ratings) − 2 per overdue "
        "item (at most 30); a component with no data scores half",
    )
    _emit(
        fmt,
        out,
        title,
        headers,
        rows,
        ranking.to_dict(),
        [6, 14, 12, 8, 16, 8, 16, 8, 18, 8, 6, 6, 6],
        [formula],
    )
    if (fmt or "table") == "table" and not out:
        note(formula)


# ---------------------------------------------------------------- daily report

DAILY_EXTRA = {"fell_overdue": ("当日转超期", "fell overdue")}


def _daily_header(key: str) -> str:
    from . import rollup_render as render

    pair = DAILY_EXTRA.get(key) or render.LABELS[key]
    return pair[1] if lang() == "en" else pair[0]


def _daily_name(row: Any) -> str:
    """A township's name; a row for a unit above the townships (county-level work) is marked as its own level."""
    if row.level and row.level != "township":
        return row.name + t("（本级）", " (own level)")
    return t("合计", "total") if row.unit == "total" else row.name


def _daily_markdown(daily: Any, heading: str) -> str:
    from minqing.ledgers.read.office import DAILY_COLUMNS

    parts = [f"# {heading}", ""]
    headers = [t("乡镇", "township"), *(_daily_header(key) for key in DAILY_COLUMNS)]
    parts += ["| " + " | ".join(headers) + " |", "|---|" + "---:|" * len(DAILY_COLUMNS)]
    for row in (*daily.rows, daily.total):
        cells = [_daily_name(row), *(str(row.values[key]) for key in DAILY_COLUMNS)]
        if row is daily.total:
            cells = [f"**{cell}**" for cell in cells]
        parts.append("| " + " | ".join(cells) + " |")
    sections = (
        (
            t("新登记事项", "Items raised"),
            daily.raised,
            lambda r: f"{r['id']} {r['unit']} {label(r['kind'])} {r['desc']}",
        ),
        (
            t("销号事项", "Items closed"),
            daily.closed,
            lambda r: f"{r['id']} {r['unit']} {r['desc']} ({r['leader_name'] or '-'})",
        ),
        (
            t("当日转为超期", "Fell overdue"),
            daily.fell_overdue,
            lambda r: (
                f"{r['id']} {r['unit']} {t('时限', 'due')} {r['due']} {r['desc']} ({r['leader_name'] or '-'})"
            ),
        ),
        (
            t("活动", "Activities"),
            daily.activities,
            lambda r: (
                f"{r['id']} {r['unit']} {_activity_label(r['kind'])} {r['title']} {_num(r['participants'])}"
            ),
        ),
    )
    for title, rows, line in sections:
        parts += ["", f"## {title}（{len(rows)}）" if lang() != "en" else f"## {title} ({len(rows)})", ""]
        parts += [f"- {line(row).replace('|', '/')}" for row in rows] or [t("- 无", "- none")]
    return "\n".join(parts) + "\n"


def report_daily(
    date: Annotated[str | None, typer.Option("--date", help="The day reported (default: yesterday).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="table|md|json (default: table).")] = None,
    out_dir: Annotated[
        str | None, typer.Option("--out-dir", help="Write daily-YYYY-MM-DD.{md,json,html} into this folder.")
    ] = None,
) -> None:
    """Daily report (日报制): visits, talks, stays, items raised and closed, and what fell overdue, per township.

    Example: minqing report daily

    Example: minqing report daily --date 2026-11-22 --out-dir /srv/minqing/reports
    """
    import html
    from pathlib import Path

    from minqing.ledgers.core import fields as F
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.read import office

    from . import rollup_render as render

    chosen = F.choice(fmt or "table", "--format", ("table", "md", "json"))
    led = ledger()
    folder = Path(out_dir) if out_dir else None
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(
                "out_unwritable", field="--out-dir", value=out_dir, detail=exc.strerror or str(exc)
            ) from None
    with led.lock():  # no commit lands halfway through the report (exit 3 when busy)
        daily = office.daily_report(led, date)
    county = daily.county["name"]
    heading = t(f"{county} 民情日报 {daily.date}", f"{county} daily report {daily.date}")
    payload = daily.to_dict()
    if folder is not None:
        md = _daily_markdown(daily, heading)
        page = render.html_page(heading, [f"<pre>{html.escape(md)}</pre>"], lang())
        for suffix, data in (("md", md), ("json", render.json_text(payload)), ("html", page)):
            target = folder / f"daily-{daily.date}.{suffix}"
            render.write_file(str(target), data.encode("utf-8"), field="--out-dir")
            note(str(target))
        return
    if chosen == "json":
        print_json(payload)
        return
    if chosen == "md":
        typer.echo(_daily_markdown(daily, heading), nl=False)
        return
    from .common import print_table

    headers = [t("乡镇", "township"), *(_daily_header(key) for key in office.DAILY_COLUMNS)]
    rows = [
        [_daily_name(row), *(row.values[key] for key in office.DAILY_COLUMNS)]
        for row in (*daily.rows, daily.total)
    ]
    print_table(headers, rows, title=heading)
    for title, entries in (
        (t("当日转为超期", "fell overdue"), daily.fell_overdue),
        (t("销号", "closed"), daily.closed),
    ):
        if entries:
            echo(f"{title}:")
            for entry in entries:
                echo(f"  {entry['id']} {entry['unit']} {entry['desc']} ({entry.get('leader_name') or '-'})")


# ---------------------------------------------------------------- reconciliation


def reconcile(
    ledger_name: Annotated[
        str | None, typer.Option("--ledger", help="livelihood|hardship|stability (default: all three).")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit code (default: the whole county).")] = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Reconciliation sheet (对账销号): each open entry with its last action and the days since, for the monthly
    joint meeting.

    Example: minqing reconcile --ledger livelihood --unit 520602101

    Example: minqing reconcile --ledger hardship --unit 520602101 --format xlsx --out 对账-11月.xlsx
    """
    from minqing.ledgers.core.messages import label as op_label
    from minqing.ledgers.read import office

    sheet = office.reconcile(ledger(), ledger_name, unit)
    headers = [
        t(*pair)
        for pair in (
            ("序号", "no."),
            ("编号", "id"),
            ("台账", "ledger"),
            ("类型", "kind"),
            ("内容", "description"),
            ("农户", "household"),
            ("单位", "unit"),
            ("层级", "level"),
            ("状态", "state"),
            ("责任领导", "leader"),
            ("时限", "due"),
            ("超期天数", "days overdue"),
            ("最近办理", "last action"),
            ("距今天数", "days since"),
            ("处理意见", "decision"),
        )
    ]
    rows = []
    for number, row in enumerate(sheet.rows, start=1):
        rows.append(
            [
                number,
                row.id,
                label(row.ledger),
                label(row.kind),
                row.desc,
                row.head or "",
                row.unit_name,
                label(row.level),
                label(row.state),
                row.leader_name or "",
                row.due or "",
                row.overdue_days or "",
                f"{row.last_date} {op_label(row.last_op, lang())} {row.last_by_name}",
                row.days_since,
                "",
            ]
        )
    scope = label(sheet.ledger) if sheet.ledger else t("全部台账", "all ledgers")
    overdue = sum(1 for row in sheet.rows if row.overdue_days)
    title = t(
        f"对账销号 {sheet.unit_name}（{sheet.unit}）{scope} 截至 {sheet.date}：未销号 {len(sheet.rows)} 项，超期 {overdue} 项",
        f"reconciliation {sheet.unit_name} ({sheet.unit}) {scope} as of {sheet.date}: "
        f"{len(sheet.rows)} open, {overdue} overdue",
    )
    footer = [t("参会单位及人员签字：", "signed by the units present:"), t("日期：", "date:")]
    _emit(
        fmt,
        out,
        title,
        headers,
        rows,
        sheet.to_dict(),
        [5, 11, 9, 7, 30, 8, 10, 6, 8, 9, 11, 7, 26, 7, 20],
        footer,
    )


# ---------------------------------------------------------------- cadre roster


def cadre_roster(
    unit: Annotated[str | None, typer.Option("--unit", help="Only cadres of this unit and below.")] = None,
    recalled: Annotated[
        bool, typer.Option("--recalled", help="Only recalled cadres (召回), with what needs reassignment.")
    ] = False,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """The cadre roster: status, recalls and what each still holds; recalled cadres' open cases need reassignment.

    Example: minqing cadre roster --recalled

    Example: minqing cadre roster --unit 520602101 --format xlsx --out 干部花名册.xlsx
    """
    from minqing.ledgers.read import office

    roster = office.roster(ledger(), unit, recalled)
    headers = [
        t(*pair)
        for pair in (
            ("编号", "id"),
            ("姓名", "name"),
            ("单位", "unit"),
            ("角色", "role"),
            ("职务", "title"),
            ("状态", "status"),
            ("召回日期", "recalled"),
            ("召回原因", "reason"),
            ("结对户", "pairings"),
            ("在办案件", "open cases"),
            ("认领微心愿", "open wishes"),
            ("需重新交办", "reassign"),
        )
    ]
    rows = [
        [
            row.id,
            row.name,
            row.unit_name,
            label(row.role),
            row.title or "",
            label(row.status),
            row.recalled or "",
            row.recall_reason or "",
            row.pairings,
            ",".join(row.open_cases),
            ",".join(row.open_wishes),
            t("是", "yes") if row.needs_reassignment else "",
        ]
        for row in roster.rows
    ]
    data = roster.to_dict()
    summary = "；".join(
        f"{title or t('（无职务）', '(no title)')} {counts['total']}"
        + t(f"（召回 {counts['recalled']}）", f" ({counts['recalled']} recalled)")
        for title, counts in roster.by_title.items()
    )
    title = t(
        f"干部花名册：{len(roster.rows)} 人，召回 {data['recalled']} 人，需重新交办 {data['needs_reassignment']} 人",
        f"cadre roster: {len(roster.rows)} cadres, {data['recalled']} recalled, "
        f"{data['needs_reassignment']} need reassignment",
    )
    _emit(fmt, out, title, headers, rows, data, [10, 10, 12, 10, 10, 8, 11, 20, 7, 24, 14, 8], [summary])
    if (fmt or "table") == "table" and not out:
        note(summary)


# ---------------------------------------------------------------- duties


def duties(
    month: Annotated[
        str | None,
        typer.Option("--month", help="Month for activities and stays, YYYY-MM (default: this one)."),
    ] = None,
    quarter: Annotated[
        str | None, typer.Option("--quarter", help="Quarter for talks, YYYYQn (default: this one).")
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="activities|stays|talks (default: all three).")
    ] = None,
    activity_minimum: Annotated[
        str | None,
        typer.Option(
            "--activity-minimum", help="Activities a village needs a month (default: minqing.yaml, 2)."
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Check the duties: activities per village a month (五帮五扶 ≥ 2), a stay a month per county leader (蹲点), a
    talk a quarter per paired household (谈心谈话). Prints `path: message` per shortfall; exit 1 when any.

    Example: minqing duties --month 2026-11

    Example: minqing duties --only activities --activity-minimum 3 --json
    """
    from minqing.ledgers.core.messages import render as say
    from minqing.ledgers.read import office

    result = office.duties(ledger(), month, quarter, only, activity_minimum)
    if json_out:
        print_json(result.to_dict(lang()))
    else:
        for duty in result.findings:
            echo(duty.render(lang()))
    period = f"{result.month}, {result.quarter}"
    if result.findings:
        note("minqing: " + say("duties_found", lang(), count=len(result.findings), period=period))
        raise typer.Exit(1)
    note(t(f"各项工作均已达标（{period}）", f"every duty met ({period})"))
