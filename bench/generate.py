"""Build a synthetic county ledger quickly: files are written directly (in two processes), then one commit.

Sizes (issue 9): small = 10k visits; county = 200k visits, 20k items, 50k households; large = 1M visits, 100k items,
100k households, 4,000 cadres. The files are exactly what the operations would write (snapshots are the replay of
their histories), so `minqing check` and the index treat them like any ledger; only the single bulk commit is not an
operation (its trailer says `Ledger-Op: bench.generate`).

    python -m bench.generate PATH --size small|county|large [--seed N] [--history bulk|ops]

`--history ops` builds the same county as one commit per real operation instead (bench/history.py, issue 19), so
that `minqing audit` at size judges operations rather than one bulk commit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import subprocess
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

from minqing.ledgers.core import ids, yamlio
from minqing.ledgers.core.items import apply as apply_item
from minqing.ledgers.core.model import CATEGORIES, HistoryEntry
from minqing.ledgers.ops import register
from minqing.ledgers.repo.store import dump_item, dump_record


@dataclass(frozen=True)
class Size:
    townships: int
    villages_per_township: int
    cadres: int
    households: int
    items: int
    visits: int
    months: int


SIZES = {
    "tiny": Size(2, 2, 20, 200, 100, 500, 3),
    "small": Size(4, 5, 200, 5_000, 2_000, 10_000, 6),
    "county": Size(12, 15, 1_000, 50_000, 20_000, 200_000, 12),
    "large": Size(20, 15, 4_000, 100_000, 100_000, 1_000_000, 24),
}
COUNTY = "520602"
END = dt.date(2026, 10, 31)


def _at(day: dt.date, rng: random.Random, step: int = 0) -> str:
    """A time on `day`; `step` orders the operations of one entity within a day (histories never go backwards)."""
    return f"{day.isoformat()}T{8 + step:02d}:{rng.randint(0, 59):02d}:00+08:00"


def _seed(seed: int, part: str, index: int) -> int:
    """Distinct random streams per part and worker (a shared stream would repeat op ids across files)."""
    return zlib.crc32(f"{seed}-{part}-{index}".encode())


def _ids(prefix: str, count: int, rng: random.Random, taken: frozenset[str] = frozenset()) -> list[str]:
    """`count` distinct ids, none of them in `taken` (the admin's id comes from a stream seeded alike)."""
    seen: set[str] = set(taken)
    out = []
    while len(out) < count:
        candidate = f"{prefix}-" + "".join(rng.choice(ids.CROCKFORD) for _ in range(6))
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return out


def _op_id(rng: random.Random) -> str:
    return "".join(rng.choice(ids.CROCKFORD) for _ in range(ids.OP_ID_LEN))


def org_units(size: Size) -> tuple[list[dict[str, str]], list[str]]:
    """The org tree (townships, their villages, three groups a village), parents before children; and the villages."""
    units = []
    villages: list[str] = []
    for t in range(size.townships):
        town = f"{COUNTY}{101 + t:03d}"
        units.append({"code": town, "name": f"测试乡{t + 1}", "level": "township", "parent": COUNTY})
        for v in range(size.villages_per_township):
            village = f"{town}{201 + v:03d}"
            villages.append(village)
            units.append(
                {"code": village, "name": f"测试村{t + 1}-{v + 1}", "level": "village", "parent": town}
            )
            for g in range(1, 4):
                units.append(
                    {"code": f"{village}0{g}", "name": f"{g}组", "level": "group", "parent": village}
                )
    return units, villages


def cadre_values(index: int, cadre_id: str, villages: list[str]) -> dict[str, str]:
    """The `create` fields of the index-th cadre: four in five serve a village, the rest lead from the county."""
    unit = villages[index % len(villages)] if index % 5 else COUNTY
    role = "village" if index % 5 else ("county_leader" if index % 10 == 0 else "township_leader")
    return {"id": cadre_id, "name": f"测试干部{index}", "unit": unit, "role": role}


def item_values(rng: random.Random, item_id: str, home_id: str) -> dict[str, str]:
    """What every generated item is created with (both histories: the bulk snapshot and the operations)."""
    return {
        "id": item_id,
        "kind": "problem",
        "ledger": "livelihood",
        "category": rng.choice(CATEGORIES),
        "desc": "测试问题描述",
        "source": "visit",
        "household": home_id,
    }


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _households(args: tuple) -> None:
    root, admin, villages, chunk, seed = args
    rng = random.Random(seed)
    for home_id, index in chunk:
        village = villages[index % len(villages)]
        at = _at(END - dt.timedelta(days=400), rng)
        values = {
            "id": home_id,
            "head": f"测试户{index}",
            "village": village,
            "group": f"{village}0{1 + index % 3}",
            "members": 1 + index % 6,
            "status": ("poor", "lifted", "monitored", "general")[index % 4],
            "register_no": f"R{index:06d}",
        }
        entry = HistoryEntry(_op_id(rng), at, admin, "create", values)
        home = replace(register.apply_household(None, entry), history=(entry,))
        _write(root, f"households/{village}/{home_id}.yaml", dump_record(home))


def _items(args: tuple) -> None:
    root, admin, leaders, chunk, seed = args
    rng = random.Random(seed)
    for item_id, home_id, village, created in chunk:
        at = _at(created, rng, 0)
        history = [
            HistoryEntry(
                _op_id(rng),
                at,
                admin,
                "create",
                item_values(rng, item_id, home_id)
                | {"unit": village, "level": "village", "created": created.isoformat()},
            )
        ]
        fate = rng.random()
        day = created + dt.timedelta(days=1)
        leader = rng.choice(leaders)
        history.append(
            HistoryEntry(
                _op_id(rng),
                _at(day, rng, 1),
                admin,
                "assign",
                {"leader": leader, "resp_unit": "村委会", "due": (day + dt.timedelta(days=15)).isoformat()},
            )
        )
        if fate < 0.3:
            history.append(
                HistoryEntry(
                    _op_id(rng), _at(day, rng, 2), admin, "escalate", {"to": "township", "reason": "报乡镇"}
                )
            )
            history.append(
                HistoryEntry(
                    _op_id(rng),
                    _at(day, rng, 3),
                    admin,
                    "assign",
                    {"leader": leader, "due": (day + dt.timedelta(days=20)).isoformat()},
                )
            )
        if fate > 0.15:
            day += dt.timedelta(days=rng.randint(1, 20))
            history.append(
                HistoryEntry(
                    _op_id(rng), _at(day, rng, 4), admin, "resolve", {"how": "solved", "note": "已解决"}
                )
            )
        if fate > 0.25:
            history.append(
                HistoryEntry(_op_id(rng), _at(day, rng, 5), admin, "feedback", {"result": "satisfied"})
            )
            history.append(
                HistoryEntry(_op_id(rng), _at(day + dt.timedelta(days=1), rng), admin, "close", {})
            )
        item = None
        for entry in history:
            item = apply_item(item, entry)
        assert item is not None
        item = replace(item, history=tuple(history))
        _write(root, f"issues/{created.year}/{item_id}.yaml", dump_item(item))


def _visits(args: tuple) -> None:
    root, streams, seed = args
    rng = random.Random(seed)
    for (month, village), docs in streams:
        lines = []
        for visit_id, day, home_id, visitors in docs:
            lines.append(
                yamlio.dump_stream_doc(
                    {
                        "id": visit_id,
                        "date": day,
                        "kind": "visit" if rng.random() < 0.9 else "talk",
                        "household": home_id,
                        "village": village,
                        "unit": village,
                        "by": visitors,
                        "note": "入户走访",
                        "items": [],
                        "at": f"{day}T10:00:00+08:00",
                        "recorded_by": visitors[0],
                    }
                )
            )
        _write(root, f"visits/{month}/{village}.yaml", "".join(lines))


def generate(path: str | Path, size_name: str, seed: int = 1, workers: int = 2) -> dict[str, float]:
    size = SIZES[size_name]
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with ids.seeded(seed):
        ledger = register.init(str(path), COUNTY, "碧江区", "基准管理员", at="2025-01-01T09:00:00+08:00")
    root = ledger.root
    admin = ledger._configured_user() or ""
    units, villages = org_units(size)
    _write(
        root, "org/units.yaml", yamlio.dump({"county": {"code": COUNTY, "name": "碧江区"}, "units": units})
    )
    cadre_ids = _ids("C", size.cadres, rng)
    at = "2025-01-02T09:00:00+08:00"
    for index, cadre_id in enumerate(cadre_ids):
        entry = HistoryEntry(_op_id(rng), at, admin, "create", cadre_values(index, cadre_id, villages))
        cadre = replace(register.apply_cadre(None, entry), history=(entry,))
        _write(root, f"cadres/{cadre_id}.yaml", dump_record(cadre))
    home_ids = _ids("H", size.households, rng)
    home_village = {home_id: villages[index % len(villages)] for index, home_id in enumerate(home_ids)}
    item_ids = _ids("Q", size.items, rng)
    visit_ids = _ids("V", size.visits, rng)
    timings["ids"] = time.perf_counter() - start

    pool = multiprocessing.get_context("fork").Pool(workers)
    indexed = list(zip(home_ids, range(len(home_ids)), strict=True))
    pool.map(
        _households,
        [
            (root, admin, villages, indexed[k :: workers * 4], _seed(seed, "households", k))
            for k in range(workers * 4)
        ],
    )
    timings["households"] = time.perf_counter() - start
    span = size.months * 30
    item_rows = []
    for index, item_id in enumerate(item_ids):
        home_id = home_ids[(index * 7) % len(home_ids)]
        created = END - dt.timedelta(days=rng.randint(0, span))
        item_rows.append((item_id, home_id, home_village[home_id], created))
    pool.map(
        _items,
        [
            (root, admin, cadre_ids, item_rows[k :: workers * 4], _seed(seed, "items", k))
            for k in range(workers * 4)
        ],
    )
    timings["items"] = time.perf_counter() - start
    streams: dict[tuple[str, str], list] = {}
    for index, visit_id in enumerate(visit_ids):
        home_id = home_ids[(index * 13) % len(home_ids)]
        day = END - dt.timedelta(days=rng.randint(0, span))
        village = home_village[home_id]
        visitors = [cadre_ids[(index + j) % len(cadre_ids)] for j in range(1 + index % 3)]
        streams.setdefault((day.isoformat()[:7], village), []).append(
            (visit_id, day.isoformat(), home_id, visitors)
        )
    ordered = sorted((key, sorted(docs, key=lambda d: (d[1], d[0]))) for key, docs in streams.items())
    pool.map(
        _visits, [(root, ordered[k :: workers * 4], _seed(seed, "visits", k)) for k in range(workers * 4)]
    )
    pool.close()
    pool.join()
    timings["visits"] = time.perf_counter() - start
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="基准管理员",
        GIT_AUTHOR_EMAIL=f"{admin}@minqing.invalid",
        GIT_COMMITTER_NAME="基准管理员",
        GIT_COMMITTER_EMAIL=f"{admin}@minqing.invalid",
        GIT_AUTHOR_DATE="2026-11-01T09:00:00+08:00",
        GIT_COMMITTER_DATE="2026-11-01T09:00:00+08:00",
    )
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    message = f"基准数据 {size_name}\n\nLedger-Op: bench.generate\nLedger-Actor: {admin}\n"
    subprocess.run(["git", "commit", "-q", "--no-verify", "-m", message], cwd=root, check=True, env=env)
    timings["commit"] = time.perf_counter() - start
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--history",
        choices=("bulk", "ops"),
        default="bulk",
        help="bulk: files written directly, one commit (fast); ops: one commit per real operation",
    )
    args = parser.parse_args()
    if args.history == "ops":
        from bench.history import generate_history

        timings, ops = generate_history(args.path, args.size, args.seed)
        print(" ".join(f"{op}={count}" for op, count in sorted(ops.items())))
    else:
        timings = generate(args.path, args.size, args.seed)
    print(" ".join(f"{k}={v:.1f}s" for k, v in timings.items()))


if __name__ == "__main__":
    main()
