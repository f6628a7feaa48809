"""Foundation commands: init, org, cadre, household, pair/unpair, visit, issue, status, demo."""

from __future__ import annotations

from typing import Annotated

import typer

from minqing.ledgers.core.model import CATEGORIES, ROLES

from .common import (
    AsOpt,
    DateOpt,
    JsonOpt,
    UnmaskOpt,
    ask,
    complete_cadre,
    complete_category,
    complete_household_status,
    complete_item_kind,
    complete_item_state,
    complete_ledger_name,
    complete_role,
    complete_unit,
    echo,
    label,
    ledger,
    print_json,
    print_table,
    t,
)

LEVEL_CHOICES = ["township", "village", "group"]
ROLE_CHOICES = list(ROLES)
CATEGORY_CHOICES = list(CATEGORIES)

org_app = typer.Typer(help="The org tree: county → township → village → group/grid.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(org_app, name="org")
    _register_more(app)


def init(
    path: Annotated[str, typer.Argument(help="Directory for the new ledger repo.")],
    county_code: Annotated[
        str | None, typer.Option("--county-code", help="6-digit GB/T 2260 code, e.g. 520602.")
    ] = None,
    county_name: Annotated[
        str | None, typer.Option("--county-name", help="County name, e.g. 碧江区.")
    ] = None,
    admin_name: Annotated[
        str | None, typer.Option("--admin-name", help="First admin cadre (default: git user.name).")
    ] = None,
) -> None:
    """Create a ledger repo with its config, org root and first admin cadre.

    Example: minqing init bijiang --county-code 520602 --county-name 碧江区 --admin-name 张华
    """
    from minqing.ledgers.ops import register as reg

    new = reg.init(path, county_code or "", county_name or "", admin_name)
    user = new._configured_user()
    echo(t(f"已创建台账 {new.root}（管理员 {user}）", f"created ledger {new.root} (admin {user})"))


@org_app.command("add")
def org_add(
    code: Annotated[str, typer.Argument(help="Unit code: township 9 digits, village 12, group 14-15.")],
    name: Annotated[str, typer.Argument(help="Unit name.")],
    level: Annotated[str | None, typer.Option("--level", help="township|village|group")] = None,
    parent: Annotated[
        str | None, typer.Option("--parent", autocompletion=complete_unit, help="Parent unit code.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Add a unit to the org tree.

    Example: minqing org add 520602101 和平乡 --level township --parent 520602
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import register as reg

    led = ledger()
    level = ask(
        level,
        "--level",
        t("层级", "level"),
        lambda v: fields.choice(v, "--level", LEVEL_CHOICES),
        LEVEL_CHOICES,
    )
    parent = ask(parent, "--parent", t("上级单位代码", "parent unit code"), lambda v: led.unit(v, "--parent"))
    unit = reg.add_unit(led, actor, code, name, level or "", parent or "")
    echo(f"{unit.code} {unit.name}")


@org_app.command("list")
def org_list(json_out: JsonOpt = False) -> None:
    """Print the org tree.

    Example: minqing org list --json
    """
    units = list(ledger().units().values())
    if json_out:
        print_json([u.to_dict() for u in units])
        return
    depth = {"county": 0, "township": 1, "village": 2, "group": 3}
    rows = [
        ["  " * depth[u.level] + u.name, u.code, label(u.level)] for u in sorted(units, key=lambda u: u.code)
    ]
    # The indentation is the tree.
    print_table([t("单位", "unit"), t("代码", "code"), t("层级", "level")], rows, keep_indent=True)


cadre_app = typer.Typer(help="Cadres: the people who visit, assign and close.", no_args_is_help=True)
household_app = typer.Typer(
    help="Households on the register (两不愁三保障 indicators, pairings).", no_args_is_help=True
)
visit_app = typer.Typer(help="Visits, talks and stays (大走访, 谈心谈话, 蹲点).", no_args_is_help=True)
issue_app = typer.Typer(
    help="Items on the ledger and their workflow, worked to closure (销号).", no_args_is_help=True
)


def _register_more(app: typer.Typer) -> None:
    app.add_typer(cadre_app, name="cadre")
    app.add_typer(household_app, name="household")
    app.command("pair")(pair)
    app.command("unpair")(unpair)
    app.add_typer(visit_app, name="visit")
    app.add_typer(issue_app, name="issue")
    app.command("status")(status)
    app.command("demo")(demo)


# ---------------------------------------------------------------- cadres


def _cadre_row(cadre) -> list[str]:
    return [
        cadre.id,
        cadre.name,
        cadre.unit,
        label(cadre.role),
        cadre.title or "",
        cadre.phone or "",
        label(cadre.status),
        str(len(cadre.pairings)),
    ]


CADRE_HEADERS = (
    "编号|id",
    "姓名|name",
    "单位|unit",
    "角色|role",
    "职务|title",
    "电话|phone",
    "状态|status",
    "结对|pairings",
)


def _headers(spec: tuple[str, ...]) -> list[str]:
    return [t(*pair.split("|")) for pair in spec]


@cadre_app.command("add")
def cadre_add(
    name: Annotated[str | None, typer.Option("--name", help="Cadre's name.")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="Unit code the cadre belongs to."),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role", autocompletion=complete_role, help="clerk|village|township_leader|county_leader|admin"
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="第一书记|驻村队长|包村领导|… (free text).")
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="Phone; stored masked plus a keyed hash.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Add a cadre to the roster.

    Example: minqing cadre add --name 李明 --unit 520602101 --role township_leader --title 包村领导
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import register as reg

    led = ledger()
    name = ask(name, "--name", t("姓名", "name"), lambda v: fields.name(v, "--name"))
    unit = ask(unit, "--unit", t("所在单位代码", "unit code"), lambda v: led.unit(v))
    role = ask(
        role, "--role", t("角色", "role"), lambda v: fields.choice(v, "--role", ROLE_CHOICES), ROLE_CHOICES
    )
    cadre = reg.add_cadre(
        led, actor, name=name or "", unit=unit or "", role=role or "", title=title, phone=phone
    )
    echo(f"{cadre.id} {cadre.name}")


@cadre_app.command("list")
def cadre_list(
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", autocompletion=complete_unit, help="Only cadres of this unit (and units below it)."
        ),
    ] = None,
    status_filter: Annotated[str | None, typer.Option("--status", help="active|recalled")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List cadres.

    Example: minqing cadre list --unit 520602101 --status recalled
    """
    from minqing.ledgers.read import queries

    cadres = queries.cadres(ledger(), unit=unit, status=status_filter)
    if json_out:
        print_json([c.to_dict() | {"history": len(c.history)} for c in cadres])
        return
    print_table(_headers(CADRE_HEADERS), [_cadre_row(c) for c in cadres])


@cadre_app.command("show")
def cadre_show(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    json_out: JsonOpt = False,
    unmask: UnmaskOpt = False,
    actor: AsOpt = None,
) -> None:
    """Show one cadre, with pairings and open cases (--unmask: full phone, for allowed roles, logged).

    Example: minqing cadre show C-4H2J
    """
    from minqing.ledgers.read import queries

    view = queries.cadre_view(ledger(), cadre_id, unmask=unmask, actor=actor)
    if json_out:
        print_json(view)
        return
    _print_mapping(view, skip=("history",))


@cadre_app.command("recall")
def cadre_recall(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or unique prefix.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the cadre is recalled (required).")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Recall a cadre (召回); their open cases then need reassignment.

    Example: minqing cadre recall C-4H2J --reason 驻村考核不合格
    """
    from minqing.ledgers.ops import register as reg

    cadre = reg.recall_cadre(ledger(), actor, cadre_id, reason)
    echo(t(f"{cadre.id} {cadre.name} 已召回", f"{cadre.id} {cadre.name} recalled"))


# ---------------------------------------------------------------- households

HOUSEHOLD_HEADERS = (
    "编号|id",
    "户主|head",
    "村|village",
    "组|group",
    "人口|members",
    "类别|status",
    "身份证号|id number",
    "电话|phone",
    "风险指标|risks",
    "结对|pairings",
)


def _household_row(home) -> list[str]:
    risks = ",".join(label(name) for name, value in home.indicators.items() if value == "risk")
    return [
        home.id,
        home.head,
        home.village,
        home.group or "",
        str(home.members),
        label(home.status),
        home.id_number or "",
        home.phone or "",
        risks,
        ",".join(home.pairings),
    ]


@household_app.command("add")
def household_add(
    head: Annotated[str | None, typer.Option("--head", help="Head of household.")] = None,
    village: Annotated[
        str | None, typer.Option("--village", autocompletion=complete_unit, help="Village code (12 digits).")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", help="Group/grid code within the village.")] = None,
    members: Annotated[str | None, typer.Option("--members", help="Number of members (1-50).")] = None,
    status_: Annotated[
        str | None,
        typer.Option(
            "--status", autocompletion=complete_household_status, help="poor|lifted|monitored|general"
        ),
    ] = None,
    id_number: Annotated[
        str | None, typer.Option("--id-number", help="18-digit ID (checked, stored masked + keyed hash).")
    ] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone (stored masked + keyed hash).")] = None,
    register_no: Annotated[
        str | None, typer.Option("--register-no", help="Number on the office's register.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Add a household to the register.

    Example: minqing household add --head 王大 --village 520602101201 --members 4 --status poor
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import register as reg

    led = ledger()
    head = ask(head, "--head", t("户主姓名", "head of household"), lambda v: fields.name(v, "--head"))
    village = ask(village, "--village", t("村代码", "village code"), lambda v: led.unit(v, "--village"))
    home = reg.add_household(
        led,
        actor,
        head=head or "",
        village=village or "",
        group=group,
        members=members if members is not None else 1,
        status=status_ or "general",
        id_number=id_number,
        phone=phone,
        register_no=register_no,
    )
    echo(f"{home.id} {home.head}")


@household_app.command("list")
def household_list(
    village: Annotated[
        str | None,
        typer.Option(
            "--unit", "--village", autocompletion=complete_unit, help="Only households under this unit code."
        ),
    ] = None,
    status_: Annotated[
        str | None,
        typer.Option(
            "--status", autocompletion=complete_household_status, help="poor|lifted|monitored|general"
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List households (ID numbers and phones masked).

    Example: minqing household list --unit 520602101 --status poor
    """
    from minqing.ledgers.read import queries

    homes = queries.households(ledger(), unit=village, status=status_)
    if json_out:
        print_json([h.to_dict() | {"history": len(h.history)} for h in homes])
        return
    print_table(_headers(HOUSEHOLD_HEADERS), [_household_row(h) for h in homes])


@household_app.command("show")
def household_show(
    household_id: Annotated[str, typer.Argument(help="Household id or unique prefix.")],
    json_out: JsonOpt = False,
    unmask: UnmaskOpt = False,
    actor: AsOpt = None,
) -> None:
    """Show one household with its indicators, pairings, visits and items (--unmask: full ID number and phone).

    Example: minqing household show H-7K3M
    """
    from minqing.ledgers.read import queries

    view = queries.household_view(ledger(), household_id, unmask=unmask, actor=actor)
    if json_out:
        print_json(view)
        return
    _print_mapping(view, skip=("history",))


@household_app.command("set")
def household_set(
    household_id: Annotated[str, typer.Argument(help="Household id or unique prefix.")],
    food: Annotated[str | None, typer.Option("--food", help="ok|risk (不愁吃)")] = None,
    clothing: Annotated[str | None, typer.Option("--clothing", help="ok|risk (不愁穿)")] = None,
    education: Annotated[str | None, typer.Option("--education", help="ok|risk (义务教育保障)")] = None,
    medical: Annotated[str | None, typer.Option("--medical", help="ok|risk (基本医疗保障)")] = None,
    housing: Annotated[str | None, typer.Option("--housing", help="ok|risk (住房安全保障)")] = None,
    water: Annotated[str | None, typer.Option("--water", help="ok|risk (饮水安全)")] = None,
    status_: Annotated[
        str | None,
        typer.Option(
            "--status", autocompletion=complete_household_status, help="poor|lifted|monitored|general"
        ),
    ] = None,
    members: Annotated[str | None, typer.Option("--members", help="Number of members.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="New phone (stored masked).")] = None,
    actor: AsOpt = None,
) -> None:
    """Set a household's 两不愁三保障 + drinking-water indicators, status or members.

    Example: minqing household set H-7K3M --housing risk --water ok
    """
    from minqing.ledgers.ops import register as reg

    indicators = {
        "food": food,
        "clothing": clothing,
        "education": education,
        "medical": medical,
        "housing": housing,
        "water": water,
    }
    home = reg.set_household(
        ledger(), actor, household_id, indicators=indicators, status=status_, members=members, phone=phone
    )
    echo(f"{home.id} {home.head}")


@household_app.command("find")
def household_find(
    id_number: Annotated[
        str | None, typer.Option("--id-number", help="Full 18-digit ID number to look up.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Find a household by full ID number (matched by keyed hash; the number itself is never stored).

    Example: minqing household find --id-number 52060219800101123X
    """
    from minqing.ledgers.ops import register as reg

    home = reg.find_household(ledger(), id_number or "")
    if json_out:
        print_json(home.to_dict())
        return
    print_table(_headers(HOUSEHOLD_HEADERS), [_household_row(home)])


def pair(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or prefix.")],
    household_id: Annotated[str, typer.Argument(help="Household id or prefix.")],
    actor: AsOpt = None,
) -> None:
    """Pair a cadre with a household (结对认亲).

    Example: minqing pair C-4H2J H-7K3M
    """
    from minqing.ledgers.ops import register as reg

    cadre, home = reg.pair(ledger(), actor, cadre_id, household_id)
    echo(f"{cadre.id} {cadre.name} ↔ {home.id} {home.head}")


def unpair(
    cadre_id: Annotated[str, typer.Argument(help="Cadre id or prefix.")],
    household_id: Annotated[str, typer.Argument(help="Household id or prefix.")],
    actor: AsOpt = None,
) -> None:
    """Undo a pairing.

    Example: minqing unpair C-4H2J H-7K3M
    """
    from minqing.ledgers.ops import register as reg

    cadre, home = reg.pair(ledger(), actor, cadre_id, household_id, undo=True)
    echo(f"{cadre.id} {cadre.name} ✕ {home.id} {home.head}")


# ---------------------------------------------------------------- visits


@visit_app.command("add")
def visit_add(
    household: Annotated[
        str | None, typer.Option("--household", help="Household visited (id or prefix).")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", autocompletion=complete_cadre, help="Visiting cadres, comma-separated (五人大走访)."
        ),
    ] = None,
    date: DateOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help="visit|talk|stay")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was seen and said.")] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            autocompletion=complete_unit,
            help="For a stay (蹲点) without a household: the unit code.",
        ),
    ] = None,
    raise_: Annotated[
        list[str] | None, typer.Option("--raise", help="An item raised during the visit (repeatable).")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category", autocompletion=complete_category, help="Category of each --raise, in order."
        ),
    ] = None,
    on_spot: Annotated[
        list[str] | None, typer.Option("--on-spot", help="How the i-th raised item was solved on the spot.")
    ] = None,
    item_kind: Annotated[
        str | None, typer.Option("--item-kind", help="Kind of the raised items (default problem).")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Record a visit (and every item raised during it) as one commit.

    Example: minqing visit add --household H-7K3M --by C-4H2J,C-9PQ1 --raise 屋顶漏雨 --category housing
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.core.errors import BadInput
    from minqing.ledgers.ops import visits

    raises = raise_ or []
    categories = category or []
    if len(categories) != len(raises):
        raise BadInput("mismatch_count", field="--category", given=len(categories), raised=len(raises))
    led = ledger()
    if kind in (None, "visit", "talk") and unit is None:
        household = ask(
            household,
            "--household",
            t("走访农户编号", "household id"),
            lambda v: led.resolve("H", v, "--household"),
        )
    by = ask(
        by,
        "--by",
        t("走访干部编号（逗号分隔）", "visiting cadre ids, comma-separated"),
        lambda v: [led.cadre(c) for c in fields.id_list(v) or [""]],
    )
    visit, items = visits.add_visit(
        led,
        actor,
        household=household,
        by=fields.id_list(by),
        date=date,
        kind=kind,
        note=note,
        unit=unit,
        raises=list(zip(raises, categories, strict=True)),
        on_spot=on_spot or [],
        item_kind=item_kind,
    )
    echo(f"{visit.id} {visit.date}")
    for item in items:
        echo(f"  {item.id} {label(item.state)} {item.desc}")


@visit_app.command("list")
def visit_list(
    household: Annotated[
        str | None, typer.Option("--household", help="Only visits of this household.")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="Only visits under this unit code."),
    ] = None,
    month: Annotated[str | None, typer.Option("--month", help="Only this month, YYYY-MM.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List visits, talks and stays.

    Example: minqing visit list --unit 520602101 --month 2026-11
    """
    from minqing.ledgers.read import queries

    rows = queries.visits(ledger(), household=household, unit=unit, month=month)
    if json_out:
        print_json([v.to_dict() for v in rows])
        return
    headers = _headers(
        (
            "编号|id",
            "日期|date",
            "类型|kind",
            "农户|household",
            "村|village",
            "走访人|by",
            "登记事项|items",
            "记录|note",
        )
    )
    print_table(
        headers,
        [
            [
                v.id,
                v.date,
                label(v.kind),
                v.household or "",
                v.village,
                ",".join(v.by),
                ",".join(v.items),
                v.note or "",
            ]
            for v in rows
        ],
    )


# ---------------------------------------------------------------- items

ITEM_HEADERS = (
    "编号|id",
    "类型|kind",
    "台账|ledger",
    "类别|category",
    "描述|description",
    "单位|unit",
    "层级|level",
    "状态|state",
    "责任领导|leader",
    "时限|due",
    "超期|overdue",
)


def _item_row(item, overdue: bool) -> list[str]:
    return [
        item.id,
        label(item.kind),
        label(item.ledger),
        label(item.category),
        item.desc[:30],
        item.unit,
        label(item.level),
        label(item.state),
        item.leader or "",
        item.due or "",
        t("是", "yes") if overdue else "",
    ]


@issue_app.command("add")
def issue_add(
    desc: Annotated[str | None, typer.Option("--desc", help="What the problem or appeal is.")] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            autocompletion=complete_category,
            help="income|education|medical|housing|water|infrastructure|industry|policy|other",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", autocompletion=complete_item_kind, help="problem|appeal|petition|wish|suggestion"
        ),
    ] = None,
    ledger_name: Annotated[
        str | None,
        typer.Option("--ledger", autocompletion=complete_ledger_name, help="livelihood|hardship|stability"),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="visit|petition|hotline|review|grid")] = None,
    household: Annotated[
        str | None, typer.Option("--household", help="Household concerned (id or prefix).")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="Unit concerned, when not one household."),
    ] = None,
    visit: Annotated[str | None, typer.Option("--visit", help="Visit during which it was raised.")] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Deadline YYYY-MM-DD (petitions default to 60 days).")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Register an item on a ledger.

    Example: minqing issue add --desc 村道路灯损坏 --category infrastructure --kind problem --ledger livelihood --source grid --unit 520602101201
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import workflow

    led = ledger()
    desc = ask(desc, "--desc", t("问题描述", "description"), lambda v: fields.text(v, "--desc"))
    category = ask(
        category,
        "--category",
        t("类别", "category"),
        lambda v: fields.choice(v, "--category", CATEGORY_CHOICES),
        CATEGORY_CHOICES,
    )
    if household is None and unit is None:
        household = ask(
            household,
            "--household",
            t("农户编号", "household id"),
            lambda v: led.resolve("H", v, "--household"),
        )
    item = workflow.add_item(
        led,
        actor,
        desc=desc,
        category=category,
        kind=kind,
        ledger_name=ledger_name,
        source=source,
        household=household,
        unit=unit,
        visit=visit,
        due=due,
    )
    echo(f"{item.id} {label(item.state)}")


def _done(item) -> None:
    echo(
        f"{item.id} {label(item.state)}"
        + (f" {t('时限', 'due')} {item.due}" if item.due and item.is_open else "")
    )


@issue_app.command("assign")
def issue_assign(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    leader: Annotated[
        str | None,
        typer.Option("--leader", autocompletion=complete_cadre, help="Responsible leader (cadre id)."),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Responsible unit (责任单位), text.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Deadline YYYY-MM-DD.")] = None,
    team: Annotated[
        str | None,
        typer.Option(
            "--team", autocompletion=complete_cadre, help="Working team, cadre ids comma-separated."
        ),
    ] = None,
    plan: Annotated[str | None, typer.Option("--plan", help="The plan (方案).")] = None,
    actor: AsOpt = None,
) -> None:
    """Assign an item: one leader, one team, one plan, one deadline (一个案件一名领导一套班子一个方案).

    Example: minqing issue assign Q-7K3M --leader C-4H2J --unit 乡交通站 --due 2026-12-07 --plan 更换灯具
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import workflow

    if not leader:
        from minqing.ledgers.core.errors import BadInput

        raise BadInput("required", field="--leader", accepted="a cadre id C-…")
    _done(
        workflow.assign(
            ledger(),
            actor,
            item_id,
            leader=leader,
            resp_unit=unit,
            due=due,
            team=fields.id_list(team),
            plan=plan,
        )
    )


@issue_app.command("progress")
def issue_progress(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
    actor: AsOpt = None,
) -> None:
    """Record progress on an assigned item.

    Example: minqing issue progress Q-7K3M --note 已联系供电所
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.progress(ledger(), actor, item_id, note))


@issue_app.command("escalate")
def issue_escalate(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    to: Annotated[str | None, typer.Option("--to", help="township|county")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it goes up.")] = None,
    actor: AsOpt = None,
) -> None:
    """Refer an item to the township or county (registered again at that level, history kept).

    Example: minqing issue escalate Q-7K3M --to township --reason 需乡镇协调资金
    """
    from minqing.ledgers.ops import workflow

    item = workflow.escalate(ledger(), actor, item_id, to or "", reason)
    echo(f"{item.id} {label(item.state)} {label(item.level)}")


@issue_app.command("resolve")
def issue_resolve(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    how: Annotated[str | None, typer.Option("--how", help="solved|explained|on_the_spot|fulfilled")] = None,
    note: Annotated[str | None, typer.Option("--note", help="How it was resolved.")] = None,
    actor: AsOpt = None,
) -> None:
    """Resolve an item (explained = a policy explanation for an unreasonable demand).

    Example: minqing issue resolve Q-7K3M --how solved --note 已更换路灯
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.resolve(ledger(), actor, item_id, how or "", note))


@issue_app.command("feedback")
def issue_feedback(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    result: Annotated[str | None, typer.Option("--result", help="satisfied|basic|unsatisfied")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What the household said.")] = None,
    actor: AsOpt = None,
) -> None:
    """Record the household's feedback on a resolved item (unsatisfied sends it back to in_progress).

    Example: minqing issue feedback Q-7K3M --result satisfied
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.feedback(ledger(), actor, item_id, result or "", note))


@issue_app.command("close")
def issue_close(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Needed when there is no satisfied/basic feedback.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Close (销号) a resolved item.

    Example: minqing issue close Q-7K3M
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.close(ledger(), actor, item_id, reason))


@issue_app.command("reopen")
def issue_reopen(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required).")] = None,
    actor: AsOpt = None,
) -> None:
    """Reopen a closed item.

    Example: minqing issue reopen Q-7K3M --reason 回访发现路灯又坏
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.reopen(ledger(), actor, item_id, reason))


@issue_app.command("extend")
def issue_extend(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")],
    to: Annotated[str | None, typer.Option("--to", help="New deadline YYYY-MM-DD.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required).")] = None,
    actor: AsOpt = None,
) -> None:
    """Move an item's deadline (petitions: once, at most 30 days).

    Example: minqing issue extend Q-7K3M --to 2026-12-20 --reason 等待材料
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.extend(ledger(), actor, item_id, to or "", reason))


@issue_app.command("claim")
def issue_claim(
    item_id: Annotated[str, typer.Argument(help="Wish id or unique prefix.")],
    by: Annotated[
        str | None, typer.Option("--by", autocompletion=complete_cadre, help="Cadre who takes on the wish.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Claim a wish (微心愿) for a cadre to fulfil.

    Example: minqing issue claim Q-7K3M --by C-4H2J
    """
    from minqing.ledgers.ops import workflow

    _done(workflow.claim(ledger(), actor, item_id, by or ""))


@issue_app.command("show")
def issue_show(
    item_id: Annotated[str, typer.Argument(help="Item id or unique prefix.")], json_out: JsonOpt = False
) -> None:
    """Show one item with its whole history.

    Example: minqing issue show Q-7K3M --json
    """
    from minqing.ledgers.read import queries

    view = queries.item_view(ledger(), item_id)
    if json_out:
        print_json(view)
        return
    _print_mapping(view, skip=("history",))
    echo(t("历史：", "history:"))
    for entry in view["history"]:
        detail = ", ".join(
            f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in entry["fields"].items()
            if k != "id"
        )
        echo(f"  {entry['at']}  {entry['by']}  {label(entry['op'])}  {detail}")


@issue_app.command("list")
def issue_list(
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            autocompletion=complete_item_state,
            help="registered|assigned|in_progress|resolved|closed|open",
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open items past their deadline.")] = False,
    unit: Annotated[
        str | None,
        typer.Option("--unit", autocompletion=complete_unit, help="Only items under this unit code."),
    ] = None,
    leader: Annotated[
        str | None,
        typer.Option(
            "--leader", autocompletion=complete_cadre, help="Only items of this responsible leader."
        ),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", autocompletion=complete_category, help="Only this category.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    ledger_name: Annotated[
        str | None, typer.Option("--ledger", autocompletion=complete_ledger_name, help="Only this ledger.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List items, filtered.

    Example: minqing issue list --state open --unit 520602101 --overdue
    """
    from minqing.ledgers.read import queries

    led = ledger()
    rows = queries.items(
        led,
        state=state,
        overdue=overdue,
        unit=unit,
        leader=leader,
        category=category,
        kind=kind,
        ledger_name=ledger_name,
    )
    if json_out:
        print_json([queries.item_summary(item, is_overdue) for item, is_overdue in rows])
    else:
        print_table(_headers(ITEM_HEADERS), [_item_row(item, is_overdue) for item, is_overdue in rows])
    _warn_unreadable(led)


def _warn_unreadable(led) -> None:
    """A listing never silently leaves an entry out: files the index could not read are named on stderr."""
    from minqing.ledgers.core.messages import render
    from minqing.ledgers.read import queries

    from .common import STATE, note

    problems = queries.unreadable(led)
    if problems:
        note("minqing: " + render("index_problems", STATE.lang, count=len(problems), path=problems[0][0]))


# ---------------------------------------------------------------- status and demo


def status(json_out: JsonOpt = False) -> None:
    """One-screen summary for the clerk: open, overdue, due this week, who holds what.

    Example: minqing status
    """
    from minqing.ledgers.read import queries

    led = ledger()
    summary = queries.status(led)
    if json_out:
        print_json(summary)
    else:
        render_status(summary)
    _warn_unreadable(led)


def render_status(summary: dict) -> None:
    echo(
        f"{summary['county']['name']}（{summary['county']['code']}） {t('截至', 'as of')} {summary['today']}"
    )
    counts = summary["counts"]
    echo(
        t(
            f"农户 {counts['households']}  干部 {counts['cadres']}  走访 {counts['visits']}  事项 {counts['items']}",
            f"households {counts['households']}  cadres {counts['cadres']}  visits {counts['visits']}  items {counts['items']}",
        )
    )
    echo(
        t(
            f"未销号 {counts['open']}  已办结待销号 {counts['resolved']}  已销号 {counts['closed']}  超期 {counts['overdue']}  "
            f"本周到期 {counts['due_this_week']}  信访未按时交办 {counts['petitions_unassigned_late']}",
            f"open {counts['open']}  resolved awaiting close {counts['resolved']}  closed {counts['closed']}  "
            f"overdue {counts['overdue']}  due this week {counts['due_this_week']}  "
            f"petitions not assigned in time {counts['petitions_unassigned_late']}",
        )
    )
    states = summary["by_state"]
    echo(
        "  ".join(
            f"{label(name)} {states.get(name, 0)}"
            for name in ("registered", "assigned", "in_progress", "resolved", "closed")
        )
    )
    if summary["by_township"]:
        print_table(
            _headers(
                (
                    "乡镇|township",
                    "事项|items",
                    "未销号|open",
                    "超期|overdue",
                    "上报乡镇|to township",
                    "上报县|to county",
                )
            ),
            [
                [
                    row["name"],
                    row["items"],
                    row["open"],
                    row["overdue"],
                    row["escalated_township"],
                    row["escalated_county"],
                ]
                for row in summary["by_township"]
            ],
        )
    if summary["by_leader"]:
        print_table(
            _headers(("责任领导|leader", "在办|open", "超期|overdue", "本周到期|due this week")),
            [
                [f"{row['name']} {row['id']}", row["open"], row["overdue"], row["due_this_week"]]
                for row in summary["by_leader"]
            ],
        )
    if summary["overdue"]:
        echo(t("超期事项：", "overdue items:"))
        for row in summary["overdue"][:10]:
            echo(f"  {row['id']} {row['due']} {row['desc'][:30]} ({row['leader'] or '-'})")


def demo(
    path: Annotated[str, typer.Argument(help="Where to build the sample county.")] = "minqing-demo",
    seed: Annotated[
        str, typer.Option("--seed", help="Random seed 0-2147483647: the same seed builds the same county.")
    ] = "1",
) -> None:
    """Build the synthetic sample county 碧江区 (seed 001) and print its status.

    Example: minqing demo ./bijiang-demo --seed 7
    """
    from minqing.ledgers.core import fields
    from minqing.ledgers.ops import demo as demo_mod
    from minqing.ledgers.read import queries

    built = demo_mod.build(path, seed=fields.positive_int(seed, "--seed", 0, 2**31 - 1))
    echo(t(f"示例台账已建在 {built.root}", f"sample ledger built at {built.root}"))
    render_status(queries.status(built))


def _print_mapping(view: dict, skip: tuple[str, ...] = ()) -> None:
    width = max(len(str(k)) for k in view)
    for key, value in view.items():
        if key in skip:
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}={label(v) if isinstance(v, str) else v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        else:
            value = label(value) if isinstance(value, str) else ("" if value is None else value)
        echo(f"{str(key).ljust(width)}  {value}")
