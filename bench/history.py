"""The benchmark ledger as a history of real operations (issue 19: "audit at size measures audit").

`python -m bench.generate PATH --size S --history ops` builds the same county as the bulk mode (same sizes, org
tree, cadres, households, items and visits), but every change is the commit the operation itself makes: `org.add`
per unit, `cadre.add` per cadre, `household.add` and `household.pair` per household, `issue.add` and one commit
per workflow step of each item, `visit.add` per visit. Each commit has the subject, trailers, author, committer,
date and file contents the operation writes, built with the same functions the operations use (the table of
operations for subjects and trailers, the kinds' apply functions for snapshots, the store's dumpers and its
fast-import committer), so `minqing audit` has to judge every one of them and finds nothing.

Running the operations themselves costs milliseconds each (they read and check the files they change). Here the
generator holds each entity and stream in memory, so an operation is a dump and a few lines into one
`git fast-import`, and the time goes to git: each item commit writes a new `issues/<yyyy>/` tree, which at `county`
holds ~10,000 entries (~5 ms of fast-import CPU a commit) and at `large` ~50,000 (~40 ms), as it would for a real
`issue` command. `county` takes ~12 CPU minutes; `large` (~470,000 item commits) several hours.

The commits follow the calendar: setup on the days before the campaign (init, units, cadres, then each household
and its pairing), then each day's item steps and visits, the visits grouped by village (fast-import deltas a blob
against the one before it, so a village's stream growing commit after commit packs small), timestamps spread over
office hours in that order, never going backwards.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from minqing.ledgers.core import ids, layout, yamlio
from minqing.ledgers.core.items import apply as apply_item
from minqing.ledgers.core.items import deadlines
from minqing.ledgers.core.layout import AUTHOR_DOMAIN, UNITS_FILE
from minqing.ledgers.core.model import Cadre, HistoryEntry, Household, Item, Visit
from minqing.ledgers.core.operations import commit_message, subject, visitor_trailers
from minqing.ledgers.core.registers import apply_cadre, apply_household
from minqing.ledgers.ops import register
from minqing.ledgers.repo.store import FastImportCommitter, Ledger, dump_item, dump_record

from .generate import COUNTY, END, SIZES, _ids, _op_id, cadre_values, item_values, org_units

COUNTY_NAME = "碧江区"
ADMIN_NAME = "基准管理员"
# Days before the campaign: units and cadres on the first, households and their pairings on the others.
SETUP_DAYS = 4
OFFICE_SECONDS = 12 * 3600  # a day's commits are spread over 08:00–20:00
# The subject words the commands use for the values this county has (ops/workflow.py, ops/visits.py).
VISIT_LABELS = {"visit": "走访", "talk": "谈心谈话"}
STEP_LABELS = {"escalate": {"level": "乡镇"}, "resolve": {"how": "解决"}, "feedback": {"result": "满意"}}
SUBJECT_NAMES = 5  # visitors named in a visit's subject (ops/visits.SUBJECT_NAMES)


@dataclass(frozen=True)
class Event:
    """One operation to commit: `key` orders it within its day, `op` is its Ledger-Op, `what` its parameters."""

    key: tuple[Any, ...]
    op: str
    what: tuple[Any, ...]


def _moment(day: dt.date, index: int, count: int) -> str:
    """The index-th of a day's `count` commits, spread over office hours in order (never backwards)."""
    moment = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(seconds=index * OFFICE_SECONDS // count)
    return moment.isoformat() + "+08:00"


class HistoryWriter:
    """Commits operations as the operations would, holding every entity and stream file in memory."""

    def __init__(self, ledger: Ledger, admin: Cadre, rng: random.Random) -> None:
        self.ledger = ledger
        self.rng = rng
        self.committer = FastImportCommitter(ledger)
        self.config = ledger.config
        self.admin = admin
        self.cadres: dict[str, Cadre] = {admin.id: admin}
        self.homes: dict[str, Household] = {}
        self.items: dict[str, Item] = {}
        self.streams: dict[str, bytearray] = {}
        self.units: list[dict[str, Any]] = []
        self.ops: Counter[str] = Counter()

    def _commit(
        self,
        op: str,
        writes: dict[str, str],
        title: str,
        entries: list[str],
        actor: Cadre,
        when: str,
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        # Transaction.commit: the message from the table of operations, the acting cadre as author and committer.
        message = commit_message(title, op, entries, actor.id, extra or ())
        author = (actor.name or actor.id, f"{actor.id}@{AUTHOR_DOMAIN}")
        contents = {rel: text.encode("utf-8") for rel, text in writes.items()}
        self.committer.commit(contents, message, author, when)  # type: ignore[arg-type]
        self.ops[op] += 1

    def _entry(self, actor: Cadre, op: str, values: dict[str, Any], when: str) -> HistoryEntry:
        # operations.new_entry, with the bench's op-id stream (the same seed builds the same ledger)
        clean = {key: value for key, value in values.items() if value not in (None, [], ())}
        return HistoryEntry(_op_id(self.rng), when, actor.id, op, clean)

    # ---------------------------------------------------------- registers (ops/register.py)

    def add_unit(self, unit_row: dict[str, str], when: str) -> None:
        unit = register.new_unit(unit_row["code"], unit_row["name"], unit_row["level"], unit_row["parent"])
        self.units.append(unit.to_dict())
        self.units.sort(key=lambda u: str(u["code"]))
        text = yamlio.dump({"county": {"code": COUNTY, "name": COUNTY_NAME}, "units": self.units})
        title = subject("org.add", code=unit.code, name=unit.name)
        self._commit("org.add", {UNITS_FILE: text}, title, [unit.code], self.admin, when)

    def add_cadre(self, values: dict[str, Any], when: str) -> None:
        entry = self._entry(self.admin, "create", values, when)
        cadre = replace(apply_cadre(None, entry), history=(entry,))
        self.cadres[cadre.id] = cadre
        title = subject("cadre.add", id=cadre.id, name=cadre.name, role=cadre.role)
        self._commit(
            "cadre.add",
            {layout.cadre_path(cadre.id): dump_record(cadre)},
            title,
            [cadre.id],
            self.admin,
            when,
        )

    def add_household(self, values: dict[str, Any], when: str) -> None:
        entry = self._entry(self.admin, "create", values, when)
        home = replace(apply_household(None, entry), history=(entry,))
        self.homes[home.id] = home
        rel = layout.household_path(home.village, home.id)
        title = subject("household.add", id=home.id, head=home.head)
        self._commit("household.add", {rel: dump_record(home)}, title, [home.id], self.admin, when)

    def pair(self, cadre_id: str, home_id: str, when: str) -> None:
        cadre, home = self.cadres[cadre_id], self.homes[home_id]
        cadre_entry = self._entry(self.admin, "pair", {"household": home.id}, when)
        home_entry = self._entry(self.admin, "pair", {"cadre": cadre.id}, when)
        cadre = replace(apply_cadre(cadre, cadre_entry), history=cadre.history + (cadre_entry,))
        paired = replace(apply_household(home, home_entry), history=home.history + (home_entry,))
        self.cadres[cadre.id], self.homes[home.id] = cadre, paired
        writes = {
            layout.cadre_path(cadre.id): dump_record(cadre),
            layout.household_path(paired.village, paired.id): dump_record(paired),
        }
        title = subject("household.pair", cadre=cadre.name, head=home.head, id=home.id)
        self._commit("household.pair", writes, title, [cadre.id, home.id], self.admin, when)

    # ---------------------------------------------------------- items (ops/workflow.py)

    def add_item(self, actor_id: str, values: dict[str, Any], when: str) -> None:
        actor = self.cadres[actor_id]
        home = self.homes[values["household"]]
        created = when[:10]
        assign_by, due = deadlines(values["kind"], created, None, self.config)
        fields = {
            **values,
            "unit": home.unit,  # new_item: a household's item is filed at its group (or village)
            "level": "village",
            "created": created,
            "assign_by": assign_by,
            "due": due,
        }
        entry = self._entry(actor, "create", fields, when)
        item = replace(apply_item(None, entry), history=(entry,))
        self.items[item.id] = item
        title = subject("issue.add", item=_item_title(item))
        self._commit(
            "issue.add", {layout.item_path(item.id, created): dump_item(item)}, title, [item.id], actor, when
        )

    def step_item(self, actor_id: str, item_id: str, step: str, values: dict[str, Any], when: str) -> None:
        actor, item = self.cadres[actor_id], self.items[item_id]
        entry = self._entry(actor, step, values, when)
        updated = replace(apply_item(item, entry), history=item.history + (entry,))
        self.items[item_id] = updated
        params = dict(STEP_LABELS.get(step, {}))
        if step == "assign":
            params.update(leader=self.cadres[values["leader"]].name, due=values["due"])
        title = subject(f"issue.{step}", item=_item_title(item), **params)
        rel = layout.item_path(item.id, item.created)
        self._commit(f"issue.{step}", {rel: dump_item(updated)}, title, [item.id], actor, when)

    # ---------------------------------------------------------- visits (ops/visits.py)

    def add_visit(self, visit_id: str, home_id: str, visitors: list[str], kind: str, when: str) -> None:
        home = self.homes[home_id]
        recorder = self.cadres[visitors[0]]  # the first visitor types it in
        day = when[:10]
        visit = Visit(
            id=visit_id,
            date=day,
            kind=kind,
            household=home.id,
            village=home.village,
            unit=home.unit,
            by=tuple(visitors),
            note="入户走访",
            items=(),
            at=when,
            recorded_by=recorder.id,
        ).to_dict()
        rel = layout.visit_stream_path(day, home.village)
        stream = self.streams.setdefault(rel, bytearray())
        stream += yamlio.dump_stream_doc(visit).encode("utf-8")
        names = "、".join(self.cadres[cadre].name for cadre in visitors[:SUBJECT_NAMES])
        title = subject(
            "visit.add", kind=VISIT_LABELS[kind], who=home.head, day=day, visitors=names, raised=""
        )
        message = commit_message(title, "visit.add", [visit_id], recorder.id, visitor_trailers([visit]))
        author = (recorder.name or recorder.id, f"{recorder.id}@{AUTHOR_DOMAIN}")
        self.committer.commit({rel: bytes(stream)}, message, author, when)  # type: ignore[dict-item]
        self.ops["visit.add"] += 1

    def run(self, event: Event, when: str) -> None:
        what = event.what
        if event.op == "org.add":
            self.add_unit(what[0], when)
        elif event.op == "cadre.add":
            self.add_cadre(what[0], when)
        elif event.op == "household.add":
            self.add_household(what[0], when)
        elif event.op == "household.pair":
            self.pair(what[0], what[1], when)
        elif event.op == "issue.add":
            self.add_item(what[0], what[1], when)
        elif event.op == "visit.add":
            self.add_visit(*what, when)
        else:
            self.step_item(what[0], what[1], event.op.removeprefix("issue."), what[2], when)


def _item_title(item: Item) -> str:
    """How ops/workflow names an item in a subject: its id and the first 30 characters of its description."""
    return f"{item.id} {item.desc.splitlines()[0][:30]}"


def plan(size_name: str, rng: random.Random, admin: str, first_day: dt.date) -> dict[dt.date, list[Event]]:
    """Every operation of the county, by day: the same shape of county as the bulk mode writes."""
    size = SIZES[size_name]
    span = size.months * 30
    setup_day = first_day - dt.timedelta(days=SETUP_DAYS)
    days: dict[dt.date, list[Event]] = {}

    def on(day: dt.date, event: Event) -> None:
        days.setdefault(day, []).append(event)

    units, villages = org_units(size)
    for index, unit_row in enumerate(units):
        on(setup_day, Event((0, index), "org.add", (unit_row,)))
    # ids.seeded(seed) drew the admin's id from a stream like `rng`: the first cadre id would be the admin's
    cadre_ids = _ids("C", size.cadres, rng, frozenset({admin}))
    village_cadres: dict[str, list[str]] = {village: [] for village in villages}
    for index, cadre_id in enumerate(cadre_ids):
        values = cadre_values(index, cadre_id, villages)
        if values["role"] == "village":
            village_cadres[values["unit"]].append(cadre_id)
        on(setup_day, Event((1, index), "cadre.add", (values,)))
    home_ids = _ids("H", size.households, rng)
    home_village = {}
    home_group = {}
    for index, home_id in enumerate(home_ids):
        village = villages[index % len(villages)]
        home_village[home_id] = village
        home_group[home_id] = f"{village}0{1 + index % 3}"
        values = {
            "id": home_id,
            "head": f"测试户{index}",
            "village": village,
            "group": home_group[home_id],
            "members": 1 + index % 6,
            "status": ("poor", "lifted", "monitored", "general")[index % 4],
            "register_no": f"R{index:06d}",
        }
        day = setup_day + dt.timedelta(days=1 + index % (SETUP_DAYS - 1))
        on(day, Event((index, 0), "household.add", (values,)))
        # 结对认亲, full coverage: each household paired with a cadre of its village when it has one
        team = village_cadres[village] or cadre_ids
        on(day, Event((index, 1), "household.pair", (team[index % len(team)], home_id)))
    for index, item_id in enumerate(_ids("Q", size.items, rng)):
        home_id = home_ids[(index * 7) % len(home_ids)]
        created = END - dt.timedelta(days=rng.randint(0, span))
        team = village_cadres[home_village[home_id]]
        handler = rng.choice(team) if team else admin
        steps = _item_steps(rng, item_id, home_id, created, rng.choice(cadre_ids))
        for position, (day, op, values) in enumerate(steps):
            # A village cadre may not close (销号) a case escalated to the township: the county office does.
            closer = admin if op == "close" and any(s[1] == "escalate" for s in steps) else handler
            what = (closer, values) if op == "create" else (closer, item_id, values)
            on(day, Event((0, position, index), f"issue.{'add' if op == 'create' else op}", what))
    for index, visit_id in enumerate(_ids("V", size.visits, rng)):
        home_id = home_ids[(index * 13) % len(home_ids)]
        day = END - dt.timedelta(days=rng.randint(0, span))
        visitors = [cadre_ids[(index + j) % len(cadre_ids)] for j in range(1 + index % 3)]
        kind = "visit" if rng.random() < 0.9 else "talk"
        # a village's visits of a day one after the other: a team goes round a village
        on(day, Event((1, home_village[home_id], index), "visit.add", (visit_id, home_id, visitors, kind)))
    return days


def _item_steps(
    rng: random.Random, item_id: str, home_id: str, created: dt.date, leader: str
) -> list[tuple[dt.date, str, dict[str, Any]]]:
    """An item's operations (the fates of the bulk mode): assigned the next day; 30% escalated to the township
    and assigned again; 85% resolved within 20 days, 75% then rated satisfied and closed the day after."""
    values = item_values(rng, item_id, home_id)
    steps = [(created, "create", values)]
    fate = rng.random()
    day = created + dt.timedelta(days=1)
    due = (day + dt.timedelta(days=15)).isoformat()
    steps.append((day, "assign", {"leader": leader, "resp_unit": "村委会", "due": due}))
    if fate < 0.3:
        steps.append((day, "escalate", {"to": "township", "reason": "报乡镇"}))
        steps.append((day, "assign", {"leader": leader, "due": (day + dt.timedelta(days=20)).isoformat()}))
    if fate > 0.15:
        day += dt.timedelta(days=rng.randint(1, 20))
        steps.append((day, "resolve", {"how": "solved", "note": "已解决"}))
    if fate > 0.25:
        steps.append((day, "feedback", {"result": "satisfied"}))
        steps.append((day + dt.timedelta(days=1), "close", {}))
    return steps


def generate_history(
    path: str | Path, size_name: str, seed: int = 1
) -> tuple[dict[str, float], Counter[str]]:
    """Build the ledger at `path`; returns the timings and the number of commits of each operation (init aside)."""
    size = SIZES[size_name]
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    first_day = END - dt.timedelta(days=size.months * 30)
    setup_day = first_day - dt.timedelta(days=SETUP_DAYS)
    with ids.seeded(seed):
        ledger = register.init(
            str(path), COUNTY, COUNTY_NAME, ADMIN_NAME, at=f"{setup_day.isoformat()}T07:30:00+08:00"
        )
    admin = ledger.cadre(ledger._configured_user() or "")
    days = plan(size_name, rng, admin.id, first_day)
    timings["plan"] = time.perf_counter() - start
    writer = HistoryWriter(ledger, admin, rng)
    try:
        for day in sorted(days):
            events = sorted(days[day], key=lambda event: event.key)
            for index, event in enumerate(events):
                writer.run(event, _moment(day, index, len(events)))
        timings["commits"] = time.perf_counter() - start
        writer.committer.finish()  # the branch moves and the index is HEAD's
    except BaseException:
        writer.committer.abort()
        raise
    timings["fast-import"] = time.perf_counter() - start
    # The working tree as the operations would have left it: HEAD's files.
    subprocess.run(["git", "checkout-index", "--all", "--force"], cwd=ledger.root, check=True)
    timings["checkout"] = time.perf_counter() - start
    return timings, writer.ops
