"""The built-in sample county: 碧江区 after seed 001 (五人大走访). Its townships and villages are real (the bureau's
codes and names); everything else in it is synthetic.

和平乡 has exactly 215 households with one problem each; 104 of those items were referred to the township and 25 of
those 104 on to the district (区), as the article reports. The other townships carry items of every kind and state.
Every operation is a real operation with its own commit (streamed through git fast-import), so `check` and `audit`
pass on the result. The commits follow the calendar: each phase below decides its operations over its own stretch of
dates, and `_Plan` commits them all in the order of their timestamps. The same --seed builds the same ledger, byte for
byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import ids
from ..repo.store import STATE_DIR, Ledger
from . import activities, register, reviews, surveys, visits, workflow

COUNTY = ("520602", "碧江区")
START = dt.date(2026, 9, 1)  # campaign start; all dates are fixed so a seed reproduces the same commits
# Real codes and names from the statistics bureau's list of 碧江区 (统计用区划代码; its villages under their official
# names, which org add keeps beside the short ones): village i of a township is its code + (201 + i). The groups and
# everything below them are made up.
TOWNSHIPS = [
    ("520602202", "和平乡", ["陈家寨村委会", "矮龙村委会", "孟溪村委会", "龙鱼村委会", "德胜屯村委会"], 300),
    ("520602102", "云场坪镇", ["枫木坪村委会", "路腊村委会"], 40),
    ("520602201", "滑石乡", ["豹子营村委会", "白水村委会"], 40),
    ("520602204", "六龙山乡", ["牛场村委会", "甘溪坪村委会"], 30),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = "华明强军平芳英兰福贵祥生春秋云海山林国庆德才发財勇刚志红"
PROBLEMS = [
    ("infrastructure", "村道路灯损坏，夜间出行不便"),
    ("water", "自来水管冬季冻裂，饮水困难"),
    ("housing", "老房屋顶漏雨，需危房改造"),
    ("medical", "慢性病报销手续不清楚"),
    ("education", "孩子就学交通不便"),
    ("income", "希望介绍县城务工岗位"),
    ("industry", "种植的猕猴桃销路不畅"),
    ("policy", "咨询低保申请条件"),
    ("infrastructure", "组组通公路未硬化"),
    ("water", "水窖需要清淤"),
    ("housing", "厨房改造补助未到位"),
    ("other", "邻里土地边界纠纷"),
]


@dataclass
class _People:
    admin: str
    clerks: list[str]
    county_leaders: list[str]
    township_leaders: dict[str, str]
    village_team: dict[str, list[str]]  # village code -> [第一书记, 驻村队长, 村主任]
    # Recalled cadres stay in village_team: nothing the demo decides after the recall names them.
    recalled: set[str] = field(default_factory=set)


def _name(rng: random.Random, suffix: str = "") -> str:
    return rng.choice(SURNAMES) + "某" + rng.choice(GIVEN) + suffix


_SLOTS: dict[dt.date, int] = {}


def _at(day: dt.date, rng: random.Random) -> str:
    """Office hours on `day`, seven seconds after the previous timestamp handed out for that day: every timestamp is
    distinct, and the order they are handed out in is their order within a day."""
    slot = _SLOTS.get(day, 0)
    _SLOTS[day] = slot + 1
    moment = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(seconds=slot * 7)
    return moment.strftime("%Y-%m-%dT%H:%M:%S+08:00")


class _Step:
    """One operation of the plan: `fn(*args, **kwargs)`, run when `_Plan.run` reaches its timestamp."""

    __slots__ = ("args", "at", "done", "fn", "kwargs", "result")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.fn, self.args, self.kwargs, self.at = fn, args, kwargs, kwargs["at"]
        self.result: Any = None
        self.done = False

    def later(self, pick: Callable[[Any], Any]) -> _Later:
        return _Later(self, pick)

    @property
    def id(self) -> _Later:
        """The id of the entry this step adds (an item, a cadre)."""
        return _Later(self, lambda result: result.id)

    def item(self, index: int) -> _Later:
        """The id of the `index`-th item raised by this step (a visit or a review: `(entry, items)`)."""
        return _Later(self, lambda result: result[1][index].id)


class _Later:
    """A value known once an earlier step has run (an id it made); a later step's argument, filled in when it runs."""

    __slots__ = ("pick", "step")

    def __init__(self, step: _Step, pick: Callable[[Any], Any]) -> None:
        self.step, self.pick = step, pick

    def value(self) -> Any:
        if not self.step.done:
            raise RuntimeError(f"demo: a step dated {self.step.at} is needed before it has run")
        return self.pick(self.step.result)


class _Plan:
    """The demo's operations, decided phase by phase, committed in time order.

    Each phase walks its own stretch of the calendar (和平乡's visits, then its items' follow-ups, then the other
    townships, …); committing them as they are decided would make the history run backwards (`audit`:
    clock_backwards). So the phases only decide — in the same order as ever, so the random draws and every figure
    stay the same — and each step's timestamp is fixed when it is decided (`_at`). `run` then commits the steps sorted
    by timestamp; equal timestamps keep the order they were decided in. An entity's steps are decided in time order,
    and a step that needs an earlier one's result (the id of an item a visit raised) holds a `_Later`, which refuses
    to be read before that step has run."""

    def __init__(self) -> None:
        self.steps: list[_Step] = []

    def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> _Step:
        step = _Step(fn, args, kwargs)
        self.steps.append(step)
        return step

    def run(self) -> None:
        for step in sorted(self.steps, key=lambda step: step.at):  # sorted() is stable: ties keep their order
            args = [arg.value() if isinstance(arg, _Later) else arg for arg in step.args]
            kwargs = {
                key: arg.value() if isinstance(arg, _Later) else arg for key, arg in step.kwargs.items()
            }
            step.result, step.done = step.fn(*args, **kwargs), True
        self.steps.clear()


def build(path: str | Path, seed: int = 1) -> Ledger:
    rng = random.Random(seed)
    _SLOTS.clear()
    with ids.seeded(seed):
        ledger = register.init(
            str(path), COUNTY[0], COUNTY[1], "区扶贫办管理员", at=_at(START - dt.timedelta(days=14), rng)
        )
        # A county secret derived from the seed keeps the demo reproducible; real ledgers get a random one.
        digest = hashlib.sha256(f"minqing-demo-{seed}".encode()).hexdigest()
        (ledger.git_dir / STATE_DIR / "secret").write_text(digest + "\n")
        with ledger.batch():
            people = _org_and_cadres(ledger, rng)
            homes = _households(ledger, rng, people)  # these two phases come first in time: run as they go
            plan = _Plan()
            _campaign(ledger, plan, rng, people, homes)
            plan.run()
    return Ledger.open(path)


def _org_and_cadres(ledger: Ledger, rng: random.Random) -> _People:
    admin = ledger._configured_user() or ""
    day = START - dt.timedelta(days=10)
    at = _at(day, rng)
    for code, name, villages, _ in TOWNSHIPS:
        register.add_unit(ledger, admin, code, name, "township", COUNTY[0], at=at)
        for index, village in enumerate(villages):
            vcode = f"{code}{201 + index}"
            register.add_unit(ledger, admin, vcode, village, "village", code, at=at)
            for group in range(1, 4):
                register.add_unit(
                    ledger, admin, f"{vcode}{group:02d}", f"{'一二三'[group - 1]}组", "group", vcode, at=at
                )
    county_leaders = [
        register.add_cadre(
            ledger, admin, name=_name(rng), unit=COUNTY[0], role="county_leader", title="县级领导", at=at
        ).id
        for _ in range(3)
    ]
    clerks = [
        register.add_cadre(
            ledger, admin, name=_name(rng), unit=COUNTY[0], role="clerk", title="录入员", at=at
        ).id
        for _ in range(2)
    ]
    township_leaders = {}
    village_team: dict[str, list[str]] = {}
    for code, _, villages, _ in TOWNSHIPS:
        township_leaders[code] = register.add_cadre(
            ledger,
            admin,
            name=_name(rng),
            unit=code,
            role="township_leader",
            title="包村领导",
            phone=f"1380000{rng.randint(1000, 9999)}",
            at=at,
        ).id
        for index in range(len(villages)):
            vcode = f"{code}{201 + index}"
            village_team[vcode] = [
                register.add_cadre(
                    ledger, admin, name=_name(rng), unit=vcode, role="village", title=title, at=at
                ).id
                for title in ("第一书记", "驻村队长", "村主任")
            ]
    return _People(admin, clerks, county_leaders, township_leaders, village_team)


def _households(ledger: Ledger, rng: random.Random, people: _People) -> dict[str, list[str]]:
    homes: dict[str, list[str]] = {}
    at = _at(START - dt.timedelta(days=5), rng)
    for code, _, villages, count in TOWNSHIPS:
        homes[code] = []
        for number in range(count):
            vcode = f"{code}{201 + number % len(villages)}"
            group = f"{vcode}{rng.randint(1, 3):02d}"
            status = rng.choices(["poor", "lifted", "monitored", "general"], [3, 3, 1, 5])[0]
            home = register.add_household(
                ledger,
                people.clerks[0],
                head=_name(rng),
                village=vcode,
                group=group,
                members=rng.randint(1, 7),
                status=status,
                register_no=f"{code[-3:]}-{number + 1:04d}",
                at=at,
            )
            homes[code].append(home.id)
            if status in ("poor", "monitored") or rng.random() < 0.3:
                team = people.village_team[vcode]
                register.pair(ledger, people.admin, rng.choice(team), home.id, at=at)
    return homes


def _visitors(people: _People, home_village: str, township: str, rng: random.Random) -> list[str]:
    """五人大走访: a county leader, the 包村 leader, the 驻村队长, the 第一书记 and the village head."""
    team = people.village_team[home_village]
    return [rng.choice(people.county_leaders), people.township_leaders[township], team[1], team[0], team[2]]


def _campaign(
    ledger: Ledger, plan: _Plan, rng: random.Random, people: _People, homes: dict[str, list[str]]
) -> None:
    clerk = people.clerks[0]
    heping = TOWNSHIPS[0][0]
    # 和平乡: 300 households visited; 215 with one problem each; 104 referred to the township, 25 of them to the 区.
    with_problem = set(rng.sample(range(len(homes[heping])), 215))
    problem_items: list[tuple[_Later, dt.date, str]] = []
    for index, home_id in enumerate(homes[heping]):
        home = ledger.household(home_id)
        day = START + dt.timedelta(days=index % 40)
        by = _visitors(people, home.village, heping, rng)
        raises = [rng.choice(PROBLEMS)[::-1]] if index in with_problem else []
        visit = plan(
            visits.add_visit,
            ledger,
            clerk,
            household=home_id,
            by=by,
            date=day.isoformat(),
            note="五人大走访，入户排查",
            raises=[(d, c) for d, c in raises],
            round_number=1,  # the first of the four rounds (issue 18)
            at=_at(day, rng),
        )
        problem_items += [(visit.item(index), day, home.village) for index in range(len(raises))]
    order = list(range(len(problem_items)))
    rng.shuffle(order)
    to_township = set(order[:104])
    to_county = set(order[:25])
    for position, (item_id, day, village) in enumerate(problem_items):
        _work_heping_item(
            ledger,
            plan,
            rng,
            people,
            item_id,
            day,
            village,
            heping,
            position in to_township,
            position in to_county,
        )
    for code, _, _, _ in TOWNSHIPS[1:]:
        _other_township(ledger, plan, rng, people, code, homes[code])
    _recall(ledger, plan, rng, people)
    _office_work(ledger, plan, random.Random(rng.random()), people, homes)
    _second_round(ledger, plan, random.Random(rng.random()), people, homes)


SECOND_ROUND = 120  # 和平乡 households the second round of 五人大走访 reaches, each answering the survey
SURVEY_WEIGHTS = {"satisfied": 85, "basic": 13, "unsatisfied": 2}


def _second_round(
    ledger: Ledger, plan: _Plan, rng: random.Random, people: _People, homes: dict[str, list[str]]
) -> None:
    """Issue 18, seed 001: the second round of 五人大走访 in 和平乡 (20 Oct – 8 Nov), each team visit asking the
    household the satisfaction survey (群众满意度测评, `visit add --round 2 --survey`); the first of those teams went
    without its county leader (`check --teams` names it). Twenty households of 云场坪镇 answer the survey on its own
    (`survey add`), asked by their village's 驻村队长."""
    clerk = people.clerks[0]
    heping = TOWNSHIPS[0][0]
    results, weights = list(SURVEY_WEIGHTS), list(SURVEY_WEIGHTS.values())
    for index, home_id in enumerate(homes[heping][:SECOND_ROUND]):
        home = ledger.household(home_id)
        day = dt.date(2026, 10, 20) + dt.timedelta(days=index % 20)
        by = _visitors(people, home.village, heping, rng)
        plan(
            visits.add_visit,
            ledger,
            clerk,
            household=home_id,
            by=by[1:] if index == 0 else by,
            date=day.isoformat(),
            note="五人大走访第二轮，回访并开展群众满意度测评",
            round_number=2,
            survey=rng.choices(results, weights)[0],
            at=_at(day, rng),
        )
    town = TOWNSHIPS[1][0]
    for index, home_id in enumerate(homes[town][:20]):
        home = ledger.household(home_id)
        day = dt.date(2026, 11, 2) + dt.timedelta(days=index % 10)
        plan(
            surveys.add_survey,
            ledger,
            clerk,
            household=home_id,
            result=rng.choices(results, weights)[0],
            round_number=2,
            by=[people.village_team[home.village][1]],
            date=day.isoformat(),
            at=_at(day, rng),
        )


def _recall(ledger: Ledger, plan: _Plan, rng: random.Random, people: _People) -> None:
    """Seed 003: first secretaries are recalled; their open cases then show up as needing reassignment."""
    village = f"{TOWNSHIPS[3][0]}202"
    recalled = people.village_team[village][0]
    plan(
        register.recall_cadre,
        ledger,
        people.admin,
        recalled,
        "驻村考核不合格，召回",
        at=_at(START + dt.timedelta(days=75), rng),
    )
    people.recalled.add(recalled)
    plan(
        register.add_cadre,
        ledger,
        people.admin,
        name=_name(rng),
        unit=village,
        role="village",
        title="第一书记",
        at=_at(START + dt.timedelta(days=76), rng),
    )


def _work_heping_item(
    ledger: Ledger,
    plan: _Plan,
    rng: random.Random,
    people: _People,
    item_id: _Later,
    day: dt.date,
    village: str,
    township: str,
    up_township: bool,
    up_county: bool,
) -> None:
    team = people.village_team[village]
    leader_village, leader_town = team[0], people.township_leaders[township]
    county_leader = people.county_leaders[0]
    when = day + dt.timedelta(days=1)
    plan(
        workflow.assign,
        ledger,
        team[2],
        item_id,
        leader=leader_village,
        resp_unit="村委会",
        due=(when + dt.timedelta(days=15)).isoformat(),
        team=[team[1]],
        plan="村内协调解决",
        at=_at(when, rng),
    )
    closer, level_leader = leader_village, leader_village
    if up_township:
        when += dt.timedelta(days=3)
        plan(
            workflow.escalate,
            ledger,
            leader_village,
            item_id,
            "township",
            "村级无法解决，报乡镇",
            at=_at(when, rng),
        )
        plan(
            workflow.assign,
            ledger,
            leader_town,
            item_id,
            leader=leader_town,
            resp_unit="和平乡人民政府",
            due=(when + dt.timedelta(days=20)).isoformat(),
            plan="乡镇统筹资金解决",
            at=_at(when, rng),
        )
        closer = level_leader = leader_town
        if up_county:
            when += dt.timedelta(days=5)
            plan(
                workflow.escalate,
                ledger,
                leader_town,
                item_id,
                "county",
                "涉及区级部门，报区里",
                at=_at(when, rng),
            )
            plan(
                workflow.assign,
                ledger,
                county_leader,
                item_id,
                leader=county_leader,
                resp_unit="区住建局",
                due=(when + dt.timedelta(days=30)).isoformat(),
                plan="区级部门联合办理",
                at=_at(when, rng),
            )
            closer = level_leader = county_leader
    fate = rng.random()
    if fate < 0.12:
        return  # still assigned: some of these are overdue by now
    when += dt.timedelta(days=rng.randint(2, 10))
    plan(workflow.progress, ledger, level_leader, item_id, "已现场查看，正在协调", at=_at(when, rng))
    if fate < 0.22:
        return
    when += dt.timedelta(days=rng.randint(2, 10))
    how = "explained" if rng.random() < 0.15 else "solved"
    plan(
        workflow.resolve,
        ledger,
        level_leader,
        item_id,
        how,
        "已按政策办理" if how == "solved" else "已作政策解释",
        at=_at(when, rng),
    )
    if fate < 0.30:
        return
    when += dt.timedelta(days=2)
    result = rng.choices(["satisfied", "basic", "unsatisfied"], [8, 2, 1])[0]
    plan(workflow.feedback, ledger, level_leader, item_id, result, at=_at(when, rng))
    if result == "unsatisfied":
        return
    plan(workflow.close, ledger, closer, item_id, at=_at(when + dt.timedelta(days=1), rng))


def _other_township(
    ledger: Ledger, plan: _Plan, rng: random.Random, people: _People, code: str, homes: list[str]
) -> None:
    clerk = people.clerks[1]
    leader = people.township_leaders[code]
    for index, home_id in enumerate(homes):
        home = ledger.household(home_id)
        team = people.village_team[home.village]
        day = START + dt.timedelta(days=20 + index)
        if index % 10 == 9:
            continue  # not visited: shows up in coverage and "not visited in 90 days"
        kind = "talk" if index % 7 == 3 else "visit"
        raises = []
        if index % 3 == 0:
            raises = [rng.choice(PROBLEMS)[::-1]]
        on_spot = ["当场讲解政策并帮助填表"] if index % 9 == 0 else []
        visit = plan(
            visits.add_visit,
            ledger,
            clerk,
            household=home_id,
            by=[team[0], team[1]],
            date=day.isoformat(),
            kind=kind,
            note="入户走访",
            raises=raises,
            on_spot=on_spot,
            at=_at(day, rng),
        )
        for number in range(len(raises)):
            item = visit.item(number)
            if number < len(on_spot):  # resolved on the spot
                plan(workflow.feedback, ledger, team[0], item, "satisfied", at=_at(day, rng))
                plan(workflow.close, ledger, team[0], item, at=_at(day + dt.timedelta(days=1), rng))
                continue
            when = day + dt.timedelta(days=1)
            plan(
                workflow.assign,
                ledger,
                leader,
                item,
                leader=rng.choice([team[0], leader]),
                resp_unit="乡镇办",
                due=(when + dt.timedelta(days=10)).isoformat(),
                at=_at(when, rng),
            )
    # Items of every other kind and ledger: a petition (信访), an appeal, a wish (微心愿), a suggestion.
    village = f"{code}201"
    team = people.village_team[village]
    day = START + dt.timedelta(days=60)
    petition = plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="反映征地补偿款未足额发放",
        category="policy",
        kind="petition",
        ledger_name="stability",
        source="petition",
        household=homes[0],
        at=_at(day, rng),
    )
    plan(
        workflow.assign,
        ledger,
        leader,
        petition.id,
        leader=leader,
        resp_unit="乡镇信访办",
        due=None,
        at=_at(day, rng),
    )
    plan(
        workflow.extend,
        ledger,
        leader,
        petition.id,
        petition.later(
            lambda item: (dt.date.fromisoformat(item.due or str(day)) + dt.timedelta(days=20)).isoformat()
        ),
        "需区自然资源局核实",
        at=_at(day + dt.timedelta(days=15), rng),
    )
    wish = plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="留守儿童想要一套课外书",
        category="education",
        kind="wish",
        ledger_name="hardship",
        source="visit",
        household=homes[1],
        at=_at(day, rng),
    )
    plan(workflow.claim, ledger, leader, wish.id, team[0], at=_at(day + dt.timedelta(days=2), rng))
    plan(
        workflow.resolve,
        ledger,
        team[0],
        wish.id,
        "fulfilled",
        "已送书上门",
        at=_at(day + dt.timedelta(days=9), rng),
    )
    appeal = plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="要求将全家纳入低保",
        category="policy",
        kind="appeal",
        ledger_name="hardship",
        source="hotline",
        household=homes[2],
        at=_at(day, rng),
    )
    plan(
        workflow.assign,
        ledger,
        leader,
        appeal.id,
        leader=team[0],
        resp_unit="村委会",
        due=(day + dt.timedelta(days=10)).isoformat(),
        at=_at(day, rng),
    )
    plan(
        workflow.resolve,
        ledger,
        team[0],
        appeal.id,
        "explained",
        "不符合低保条件，已作政策解释",
        at=_at(day + dt.timedelta(days=4), rng),
    )
    plan(workflow.feedback, ledger, team[0], appeal.id, "basic", at=_at(day + dt.timedelta(days=5), rng))
    plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="建议在村口增设公交站牌",
        category="infrastructure",
        kind="suggestion",
        ledger_name="livelihood",
        source="grid",
        unit=village,
        at=_at(day, rng),
    )


# ---------------------------------------------------------------- the offices' other work (issue 7)

ACTIVITY_TITLES = {
    "night_school": "农民夜校：猕猴桃冬季管护",
    "public_service": "五帮五扶：为留守老人义务理发",
    "farm_service": "农技员田间指导",
    "cleanup": "环境卫生整治",
    "lecture": "政策宣讲：两不愁三保障",
}
LAST_DAY = dt.date(
    2026, 11, 14
)  # nothing here is dated after the recall (START + 75), so the demo never looks ahead


def _office_work(
    ledger: Ledger, plan: _Plan, rng: random.Random, people: _People, homes: dict[str, list[str]]
) -> None:
    """Activities (五帮五扶 at least 2 a village a month, with a few villages short), joint meetings, a county cadre
    school and drill, monthly stays of county leaders (one misses November), talks with most paired households,
    2026Q3 reviews 一会三评 of every village team, and two more wishes. Items are raised only outside 和平乡, so
    it keeps exactly 215 items (104 to the township, 25 to the 区)."""
    clerk = people.clerks[1]
    villages = [f"{code}{201 + index}" for code, _, names, _ in TOWNSHIPS for index in range(len(names))]
    kinds = list(ACTIVITY_TITLES)
    short = {(10, villages[1]): 1, (10, villages[-1]): 0, (11, villages[4]): 1, (11, villages[7]): 0}
    for month in (9, 10, 11):
        for position, village in enumerate(villages):
            for number in range(short.get((month, village), 2)):
                day = dt.date(2026, month, 2 + (position * 3 + number * 7) % (13 if month == 11 else 26))
                kind = kinds[(position + number + month) % len(kinds)]
                plan(
                    activities.add_activity,
                    ledger,
                    clerk,
                    kind=kind,
                    unit=village,
                    title=ACTIVITY_TITLES[kind],
                    date=day.isoformat(),
                    participants=rng.randint(12, 60),
                    by=[people.village_team[village][1]],
                    at=_at(day, rng),
                )
        for code, name, _, _ in TOWNSHIPS:
            day = dt.date(2026, month, 12 if month == 11 else 28)
            plan(
                activities.add_activity,
                ledger,
                clerk,
                kind="joint_meeting",
                unit=code,
                title=f"{name}{month}月对账销号联席会议",
                date=day.isoformat(),
                participants=rng.randint(15, 30),
                by=[people.township_leaders[code]],
                at=_at(day, rng),
            )
    for kind, title, day in (
        ("cadre_school", "第一书记培训班", dt.date(2026, 9, 20)),
        ("drill", "防汛应急演练", dt.date(2026, 10, 15)),
        ("lecture", "脱贫攻坚政策宣讲团", dt.date(2026, 11, 6)),
    ):
        plan(
            activities.add_activity,
            ledger,
            clerk,
            kind=kind,
            unit=COUNTY[0],
            title=title,
            date=day.isoformat(),
            participants=rng.randint(80, 200),
            by=[people.county_leaders[0]],
            at=_at(day, rng),
        )
    # 蹲点: each county leader stays in a village every month; the third misses November (a duty finding).
    for month in (9, 10, 11):
        for number, leader in enumerate(people.county_leaders):
            if month == 11 and number == 2:
                continue
            day = dt.date(2026, month, 5 + number * 3)
            village = villages[(number * 5 + month) % len(villages)]
            plan(
                visits.add_visit,
                ledger,
                clerk,
                household=None,
                by=[leader],
                date=day.isoformat(),
                kind="stay",
                unit=village,
                note="蹲点调研，住村三天",
                at=_at(day, rng),
            )
    # 谈心谈话 with paired households this quarter; about one in eight is still owed one (a duty finding).
    active = {people.admin, *people.clerks, *people.county_leaders, *people.township_leaders.values()}
    active |= {cadre for team in people.village_team.values() for cadre in team}
    active -= people.recalled
    number = 0
    for code, _, _, _ in TOWNSHIPS:
        for home_id in homes[code]:
            home = ledger.household(home_id)
            if not home.pairings:
                continue
            number += 1
            if number % 8 == 0:
                continue
            talker = home.pairings[0] if home.pairings[0] in active else people.village_team[home.village][1]
            day = dt.date(2026, 10, 8) + dt.timedelta(days=number % 30)
            plan(
                visits.add_visit,
                ledger,
                clerk,
                household=home_id,
                by=[talker],
                date=day.isoformat(),
                kind="talk",
                note="谈心谈话，了解家庭近况",
                at=_at(day, rng),
            )
    _reviews(ledger, plan, rng, people, villages)
    _wishes(ledger, plan, rng, people, homes)
    _article_counts(ledger, plan, people, homes)
    _helping_units(ledger, plan, people)


def _article_counts(ledger: Ledger, plan: _Plan, people: _People, homes: dict[str, list[str]]) -> None:
    """What issue 18 counts beside the rates, all outside 和平乡 (which keeps its 215 items): condolence visits (慰问)
    before winter to the first poor or monitored households of the other townships, one item forwarded by the
    discipline channel (纪委), handed to the township's leader, and one more suggestion (建言). No random draws: every
    other figure of the demo stays as it was."""
    clerk = people.clerks[1]
    day = LAST_DAY - dt.timedelta(days=6)
    for code, _, _, _ in TOWNSHIPS[1:]:
        for home_id in homes[code][:3]:
            home = ledger.household(home_id)
            plan(
                visits.add_visit,
                ledger,
                clerk,
                household=home_id,
                by=[people.village_team[home.village][1]],
                date=day.isoformat(),
                kind="condolence",
                note="冬季走访慰问，送去棉被和慰问金",
                at=_at(day, _NO_DRAW),
            )
    town = TOWNSHIPS[2][0]
    forwarded = plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="区纪委转来：反映村里低保评定优亲厚友",
        category="policy",
        kind="petition",
        ledger_name="stability",
        source="discipline",
        unit=f"{town}201",
        at=_at(day, _NO_DRAW),
    )
    plan(
        workflow.assign,
        ledger,
        clerk,
        forwarded.id,
        leader=people.township_leaders[town],
        resp_unit="乡纪委",
        due=(day + dt.timedelta(days=30)).isoformat(),
        at=_at(day + dt.timedelta(days=1), _NO_DRAW),
    )
    plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="建议村里建一个农产品冷库，猕猴桃错峰销售",
        category="industry",
        kind="suggestion",
        ledger_name="livelihood",
        source="visit",
        unit=f"{TOWNSHIPS[3][0]}201",
        at=_at(day + dt.timedelta(days=2), _NO_DRAW),
    )


_NO_DRAW = random.Random(0)  # _at takes an rng it does not draw from; _article_counts draws nothing

# 帮扶单位 (issue 18): three county departments, each sending the 驻村队长 of one village outside 和平乡 (whose
# activities, two a month, are then credited to the department: 五帮五扶 met), talked with once this quarter.
DEPARTMENTS = (
    ("520602D01", "区农业农村局", 5),  # (code, name, position of the village in the demo's list of villages)
    ("520602D02", "区教育局", 8),
    ("520602D03", "区卫生健康局", 9),
)


def _helping_units(ledger: Ledger, plan: _Plan, people: _People) -> None:
    """Departments (org add --level department), postings (cadre post) and 谈心谈话 with the posted cadres (visit
    add --kind talk --with), one raising a problem of the cadre against their village. No random draws, nothing in
    和平乡: every other figure of the demo stays as it was (only the count of talks grows, by one per department)."""
    clerk = people.clerks[1]
    villages = [f"{code}{201 + index}" for code, _, names, _ in TOWNSHIPS for index in range(len(names))]
    townships = {
        village: code for code, _, names, _ in TOWNSHIPS for village in villages if village[:9] == code
    }
    added, posted, talked = dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 10)
    for number, (code, name, position) in enumerate(DEPARTMENTS):
        village = villages[position]
        cadre = people.village_team[village][1]
        plan(register.add_unit, ledger, people.admin, code, name, "department", at=_at(added, _NO_DRAW))
        plan(
            register.post_cadre,
            ledger,
            people.admin,
            cadre,
            village=village,
            department=code,
            reason="选派驻村工作队长",
            at=_at(posted, _NO_DRAW),
        )
        plan(
            visits.add_visit,
            ledger,
            clerk,
            household=None,
            by=[people.township_leaders[townships[village]]],
            date=(talked + dt.timedelta(days=number)).isoformat(),
            kind="talk",
            with_cadre=cadre,
            note="季度谈心谈话：驻村工作情况",
            raises=[("驻村工作经费报销周期长", "other")] if number == 0 else [],
            at=_at(talked + dt.timedelta(days=number), _NO_DRAW),
        )


def _reviews(ledger: Ledger, plan: _Plan, rng: random.Random, people: _People, villages: list[str]) -> None:
    """2026Q3 一会三评 of every village work team; teams outside 和平乡 get a problem list from their review."""
    clerk = people.clerks[1]
    for position, village in enumerate(villages):
        raters = rng.randint(30, 60)
        unsatisfied = rng.randint(0, 4)
        basic = rng.randint(3, 10)
        satisfied = raters - basic - unsatisfied
        share = satisfied / raters
        grade = "excellent" if share >= 0.85 else "good" if share >= 0.7 else "fair"
        day = dt.date(2026, 10, 9) + dt.timedelta(days=position % 4)
        raises = []
        if not village.startswith(TOWNSHIPS[0][0]) and position % 2 == 1:
            raises = [("群众反映通组路晚上没有路灯", "infrastructure")]
        review = plan(
            reviews.add_review,
            ledger,
            clerk,
            team=village,
            quarter="2026Q3",
            ratings=f"satisfied={satisfied},basic={basic},unsatisfied={unsatisfied}",
            grade=grade,
            report="驻村工作队长述职：本季度走访全覆盖，落实产业奖补，推进通组路硬化",
            comment="乡镇党委书记点评：帮扶有成效，问题整改要加快",
            raises=raises,
            at=_at(day, rng),
        )
        for number in range(len(raises)):
            town = village[:9]
            plan(
                workflow.assign,
                ledger,
                people.township_leaders[town],
                review.item(number),
                leader=people.township_leaders[town],
                resp_unit="乡镇办",
                due=(day + dt.timedelta(days=20)).isoformat(),
                plan="一会三评问题清单，限期整改销号",
                at=_at(day + dt.timedelta(days=1), rng),
            )


def _wishes(
    ledger: Ledger, plan: _Plan, rng: random.Random, people: _People, homes: dict[str, list[str]]
) -> None:
    """Two more 微心愿 outside 和平乡: one claimed by a cadre and still open, one waiting to be claimed."""
    clerk = people.clerks[1]
    day = LAST_DAY - dt.timedelta(days=4)
    claimed = plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="独居老人想要一台电暖器过冬",
        category="other",
        kind="wish",
        ledger_name="hardship",
        source="visit",
        household=homes[TOWNSHIPS[2][0]][3],
        at=_at(day, rng),
    )
    team = people.village_team[ledger.household(homes[TOWNSHIPS[2][0]][3]).village]
    plan(workflow.claim, ledger, clerk, claimed.id, team[1], at=_at(day + dt.timedelta(days=1), rng))
    plan(
        workflow.add_item,
        ledger,
        clerk,
        desc="小学生想要一个新书包",
        category="education",
        kind="wish",
        ledger_name="hardship",
        source="visit",
        household=homes[TOWNSHIPS[3][0]][5],
        at=_at(LAST_DAY, rng),
    )
