"""`minqing review`: the quarterly team reviews 一会三评 and the problems raised at them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .common import AsOpt, JsonOpt, ask, echo, echo_items, label, ledger, paired_raises, print_json, t
from .office_render import grade_label, percent

review_app = typer.Typer(
    help="Quarterly team reviews 一会三评 and the problems raised at them.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


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
        raises=paired_raises(raise_, category),
        item_ledger=item_ledger,
    )
    echo(f"{review.id} {review.team} {review.quarter} {grade_label(review.grade)}")
    echo_items(items)


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
        ledger(), actor, review_id, raises=paired_raises(raise_, category), item_ledger=item_ledger
    )
    echo(f"{review.id} {review.team} {review.quarter}")
    echo_items(items)


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
    quarter: Annotated[str | None, typer.Option("--quarter", help="Only this quarter, YYYYQn.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only teams under this unit code.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List quarterly reviews with their ratings, grade and the problems raised (open ones counted).

    Example: minqing review list --quarter 2026Q4
    """
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
