"""A small office for the sheet, export and find tests: built once per module through ledgers/, copied per test.

Names are chosen to exercise look-ups: two villages named 桃映村 (in different townships), two cadres named 王芳,
households whose heads read with polyphones (曾 zeng/ceng, 单 shan/dan).
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from minqing.ledgers.ops import register, visits, workflow
from minqing.ledgers.repo.store import Ledger

NOW = "2026-11-23T10:00:00+08:00"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(serial: int, birth: str = "19800101", region: str = "520602") -> str:
    """A valid GB 11643 ID number (check digit computed), distinct per serial."""
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def wrong_checksum(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


@dataclass
class Office:
    path: Path
    admin: str
    clerk: str
    leader: str  # 李明, township leader of 和平乡
    wang_banli: str  # 王芳, village cadre of 板栗园村
    wang_songjia: str  # 王芳, village cadre of 宋家坝村
    county: str  # 赵强, county leader
    recalled: str  # 孙丽, recalled
    homes: dict[str, str]

    def ledger(self) -> Ledger:
        return Ledger.open(self.path)


def build_office(path: Path) -> Office:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MINQING_NOW", NOW)
        env.delenv("MINQING_USER", raising=False)
        register.init(str(path), "520602", "碧江区", "区管理员", at=NOW)
        led = Ledger.open(path)
        admin = led._configured_user() or ""
        for code, name, level, parent in (
            ("520602101", "和平乡", "township", "520602"),
            ("520602102", "坝黄镇", "township", "520602"),
            ("520602101201", "板栗园村", "village", "520602101"),
            ("520602101202", "桃映村", "village", "520602101"),
            ("520602102201", "宋家坝村", "village", "520602102"),
            ("520602102202", "桃映村", "village", "520602102"),
            ("52060210120101", "一组", "group", "520602101201"),
            ("52060210120102", "二组", "group", "520602101201"),
            ("52060210120201", "一组", "group", "520602101202"),
        ):
            register.add_unit(led, None, code, name, level, parent, at=NOW)

        def cadre(name: str, unit: str, role: str, **more: Any) -> str:
            return register.add_cadre(led, None, name=name, unit=unit, role=role, at=NOW, **more).id

        clerk = cadre("张录", "520602101", "clerk")
        leader = cadre("李明", "520602101", "township_leader", title="包村领导", phone="13800001234")
        wang_banli = cadre("王芳", "520602101201", "village", title="第一书记")
        wang_songjia = cadre("王芳", "520602102201", "village", title="驻村队长")
        county = cadre("赵强", "520602", "county_leader")
        recalled = cadre("孙丽", "520602101202", "village")
        register.recall_cadre(led, None, recalled, "考核不合格", at=NOW)
        homes = {}
        for head, village, group, status, serial in (
            ("张三", "520602101201", "52060210120101", "poor", 1),
            ("曾国强", "520602101201", None, "monitored", 2),
            ("单田芳", "520602101202", None, "general", 3),
            ("李四", "520602102201", None, "poor", 4),
        ):
            homes[head] = register.add_household(
                led,
                None,
                head=head,
                village=village,
                group=group,
                status=status,
                members=3,
                id_number=id_number(serial),
                phone=f"1390000{serial:04d}",
                at=NOW,
            ).id
        register.pair(led, None, wang_banli, homes["张三"], at=NOW)
        visit, items = visits.add_visit(
            led,
            None,
            household=homes["张三"],
            by=[leader, wang_banli],
            date="2026-11-20",
            note="了解住房情况",
            raises=[("屋顶漏雨", "housing")],
            at=NOW,
        )
        item = items[0]
        workflow.assign(
            led, None, item.id, leader=leader, resp_unit="乡住建站", due="2026-12-10", plan="危房改造", at=NOW
        )
        workflow.progress(led, None, item.id, "已申请资金", at=NOW)
        road = workflow.add_item(
            led,
            None,
            desc="村道路灯损坏",
            category="infrastructure",
            kind="problem",
            ledger_name="livelihood",
            source="grid",
            unit="520602101202",
            at=NOW,
        )
        workflow.resolve(led, None, road.id, "solved", "已更换路灯", at=NOW)
        workflow.feedback(led, None, road.id, "satisfied", at=NOW)
        workflow.close(led, None, road.id, at=NOW)
    return Office(path, admin, clerk, leader, wang_banli, wang_songjia, county, recalled, homes)


def copy_office(office: Office, dest: Path) -> Office:
    shutil.copytree(office.path, dest, symlinks=True)
    return replace(office, path=dest)


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(
    path: Path,
    rows: list[list[Any]],
    sheet: str = "台账",
    title: str | None = None,
    extra_sheet: str | None = None,
) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    if extra_sheet:
        first.title = extra_sheet
        first.append(["说明", "本表为填表说明"])
        work = book.create_sheet(sheet)
    else:
        first.title = sheet
        work = first
    if title:
        work.append([title])
        work.append([])
    for row in rows:
        work.append(row)
    book.save(path)
    return path


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, newline="", encoding=encoding) as handle:
        return list(csv.reader(handle))


def read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = [
        ["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
    ]
    book.close()
    return rows


def head(path: Path) -> str:
    import subprocess

    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True
    ).stdout.strip()


def commit_count(path: Path) -> int:
    import subprocess

    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=path, capture_output=True, text=True)
    return int(out.stdout.strip())
