"""`minqing review`: the quarterly team reviews 一会三评 and the problems raised at them."""

from typing import Annotated, Any

import typer

from .common import AsOpt, JsonOpt, ask, echo, echo_items, label, ledger, paired_raises, print_json, t
from .office_render import grade_label, percent

review_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


RaiseOpt = Annotated[list[str] | None, typer.Option("--raise")]


CategoryOpt = Annotated[list[str] | None, typer.Option("--category")]


ItemLedgerOpt = Annotated[str | None, typer.Option("--ledger")]


@review_app.command("add")
def review_add(
    team: Annotated[str | None, typer.Option("--team")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter")] = None,
    report: Annotated[str | None, typer.Option("--report")] = None,
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    ratings: Annotated[
        str | None,
        typer.Option("--ratings"),
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade")] = None,
    raise_: RaiseOpt = None,
    category: CategoryOpt = None,
    item_ledger: ItemLedgerOpt = None,
    actor: AsOpt = None,
) -> None:
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
        raises=paired_raises(raise_, category),
        item_ledger=item_ledger,
    )
    echo(f"{review.id} {review.team} {review.quarter} {grade_label(review.grade)}")
    echo_items(items)


@review_app.command("raise")
def review_raise(
    review_id: Annotated[str, typer.Argument()],
    raise_: RaiseOpt = None,
    category: CategoryOpt = None,
    item_ledger: ItemLedgerOpt = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import reviews

    review, items = reviews.raise_items(
        ledger(), actor, review_id, raises=paired_raises(raise_, category), item_ledger=item_ledger
    )
    echo(f"{review.id} {review.team} {review.quarter}")
    echo_items(items)


@review_app.command("set")
def review_set(
    review_id: Annotated[str, typer.Argument()],
    ratings: Annotated[str | None, typer.Option("--ratings")] = None,
    grade: Annotated[str | None, typer.Option("--grade")] = None,
    report: Annotated[str | None, typer.Option("--report")] = None,
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.ops import reviews

    review = reviews.set_review(
        ledger(), actor, review_id, ratings=ratings, grade=grade, report=report, comment=comment
    )
    echo(f"{review.id} {review.team} {review.quarter} {grade_label(review.grade)}")


def _review_row(view: dict[str, Any]) -> list[Any]:
    ratings = view["ratings"]
    return [
        view["id"],
        view["quarter"],
        f"{view['team_name']} {view['team']}",
        grade_label(view["grade"]),
        ratings["satisfied"],
        ratings["basic"],
        ratings["unsatisfied"],
        percent(view["satisfaction"]),
        len(view["items"]),
        view["items_open"],
    ]


@review_app.command("list")
def review_list(
    quarter: Annotated[str | None, typer.Option("--quarter")] = None,
    team: Annotated[str | None, typer.Option("--team")] = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.ops import reviews
    from minqing.ledgers.read.reviews import list_reviews

    led = ledger()
    views = [reviews.review_view(led, review) for review in list_reviews(led, quarter, team)]
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
def review_show(review_id: Annotated[str, typer.Argument()], json_out: JsonOpt = False) -> None:
    from minqing.ledgers.ops import reviews

    led = ledger()
    review = reviews.find_review(led, review_id)
    view = reviews.review_view(led, review)
    if json_out:
        print_json(view | {"history": [entry.to_dict() for entry in review.history]})
        return
    ratings = view["ratings"]
    echo(f"{view['id']}  {view['team_name']} {view['team']}  {view['quarter']}  {grade_label(view['grade'])}")
    echo(
        t(
            f"群众测评：满意 {ratings['satisfied']}，基本满意 {ratings['basic']}，不满意 {ratings['unsatisfied']}"
            f"（满意率 {percent(view['satisfaction'])}）",
            f"ratings: satisfied {ratings['satisfied']}, basic {ratings['basic']}, "
            f"unsatisfied {ratings['unsatisfied']} (satisfaction {percent(view['satisfaction'])})",
        )
    )
    echo(t("述职：", "report: ") + (view["report"] or "—"))
    echo(t("点评：", "comment: ") + (view["comment"] or "—"))
    if view["items"]:
        echo(t("问题清单：", "problems raised:"))
        for item_id, state in view["item_states"].items():
            echo(f"  {item_id} {label(state) if state else t('（缺失）', '(missing)')}")
