"""`org import` (issue 16): the statistics bureau's list of division codes (统计用区划代码, 城乡分类代码, 名称) as the
org tree, in one commit `Ledger-Op: org.import`.

Read like the office's other sheets (sheets.py `read_table`: .xlsx or .csv, UTF-8 or GB18030, the header under title
rows). Each row's level and parent come from its code (core/orgtree.py `read_code`); the county's own row
(`CCCCCC000000`) is checked against minqing.yaml. Each unit keeps the official name the bureau gives and the short
name offices use. All or nothing: every problem is a `FILE:row:column: message` finding and nothing is written. A
unit already in the tree under one of its names is left as it is, so an unchanged re-import commits nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import fields as F
from ..core import yamlio
from ..core.errors import BadInput, LedgerError
from ..core.operations import subject
from ..core.orgtree import names_of, read_code, read_department, short_name
from ..core.registers import PARENT_LEVEL
from ..repo.store import UNITS_FILE, Ledger
from .register import new_unit
from .sheets import HEADER_SCAN_ROWS, Finding, ImportRejected, read_table

__all__ = ["ImportRejected", "UnitsImported", "import_units", "plan_units"]

# Header spellings of the bureau's columns (and what offices retype them as).
CODE_HEADERS = (
    "统计用区划代码",
    "区划代码",
    "行政区划代码",
    "统计用区划代码(12位)",
    "代码",
    "单位代码",
    "code",
)
NAME_HEADERS = ("名称", "单位名称", "区划名称", "name")
URBAN_RURAL_HEADERS = ("城乡分类代码", "城乡分类", "urban-rural code")


def _norm(text: str) -> str:
    return re.sub(r"[\s*＊:：]+", "", unicodedata.normalize("NFKC", str(text)).strip().lower())


_COLUMNS = {
    "code": {_norm(h) for h in CODE_HEADERS},
    "name": {_norm(h) for h in NAME_HEADERS},
    "urban_rural": {_norm(h) for h in URBAN_RURAL_HEADERS},
}


@dataclass
class UnitsImported:
    """What an import did (or would do, --dry-run): the units added, the rows already in the tree, the commit."""

    file: str
    rows: int = 0
    added: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    commit: str | None = None
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "added": self.added,
            "unchanged": self.unchanged,
            "commit": self.commit,
            "dry_run": self.dry_run,
        }


def _header(table: Any) -> tuple[int, dict[str, int], dict[str, str]]:
    for number, cells in table.rows[:HEADER_SCAN_ROWS]:
        found: dict[str, int] = {}
        shown: dict[str, str] = {}
        for index, cell in enumerate(cells):
            key = _norm(cell)
            for name, spellings in _COLUMNS.items():
                if key in spellings and name not in found:
                    found[name] = index
                    shown[name] = cell
        if "code" in found and "name" in found:
            return number, found, shown
    raise BadInput("no_unit_header", path=table.name, limit=HEADER_SCAN_ROWS)


def plan_units(ledger: Ledger, table: Any) -> tuple[UnitsImported, list[dict[str, Any]]]:
    """Every row checked against the tree and the rows above it; ImportRejected with all findings. Returns the
    summary and the unit dicts to add (sorted by code)."""
    header_row, columns, shown = _header(table)
    findings: list[Finding] = []
    done = UnitsImported(table.name)
    county_code, county_name = ledger.config.county_code, ledger.config.county_name
    have = ledger.units()
    seen: dict[str, tuple[int, str]] = {}  # code -> (row, official name) of the rows above
    new: dict[str, Any] = {}  # code -> Unit to add
    rows_of: dict[str, int] = {}

    def fail(number: int, column: str, error: LedgerError) -> None:
        findings.append(Finding(table.name, number, shown[column], error, columns[column]))

    for number, cells in table.rows:
        if number <= header_row:
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        code_text, name_text, kind_text = cell("code"), cell("name"), cell("urban_rural")
        if not code_text and not name_text:
            continue  # a blank line, or a note under the table
        done.rows += 1
        # A department (帮扶单位, 520602D01: issue 18) may be listed with the bureau's units; its parent is the county.
        says = read_department(code_text) or read_code(code_text)
        if says is None:
            fail(number, "code", BadInput("unit_no_level", field=shown["code"], value=code_text))
        elif not says.code.startswith(county_code):
            fail(
                number,
                "code",
                BadInput("unit_other_county", field=shown["code"], value=code_text, county=county_code),
            )
            says = None
        if kind_text and not re.fullmatch(r"[12]\d\d", kind_text):
            fail(
                number,
                "urban_rural",
                BadInput("bad_urban_rural", field=shown["urban_rural"], value=kind_text),
            )
        try:
            official = F.name(name_text, shown["name"])
        except LedgerError as error:
            fail(number, "name", error)
            continue
        if says is None:
            continue
        if says.level == "county":
            if official not in (county_name, short_name(county_name)):
                fail(
                    number,
                    "name",
                    BadInput("county_name_differs", field=shown["name"], value=official, name=county_name),
                )
            continue
        if says.code in seen:
            row, other = seen[says.code]
            if other != official:
                fail(
                    number,
                    "code",
                    BadInput("unit_code_twice", field=shown["code"], value=code_text, row=row, other=other),
                )
            continue
        seen[says.code] = (number, official)
        existing = have.get(says.code)
        if existing is not None:
            if existing.retired:
                fail(
                    number,
                    "code",
                    BadInput(
                        "unit_retired",
                        field=shown["code"],
                        value=existing.code,
                        name=existing.name,
                        day=existing.retired,
                        into=existing.merged_into or "-",
                    ),
                )
            elif official not in names_of(existing) and short_name(official) not in names_of(existing):
                fail(
                    number,
                    "name",
                    BadInput(
                        "unit_code_renamed",
                        field=shown["name"],
                        value=says.code,
                        name=existing.name,
                        other=official,
                    ),
                )
            else:
                done.unchanged += 1
            continue
        new[says.code] = new_unit(says.code, official, says.level, says.parent or county_code)
        rows_of[says.code] = number

    # Parents and names, once every row is read: a parent may come later in the list.
    for code, unit in sorted(new.items()):
        number = rows_of[code]
        parent = unit.parent
        parent_unit = new.get(parent) or have.get(parent)
        if parent_unit is None and parent != county_code:
            fail(
                number,
                "code",
                BadInput("unit_parent_missing", field=shown["code"], value=code, parent=parent),
            )
            continue
        if parent_unit is not None and parent != county_code:
            if parent_unit.level != PARENT_LEVEL[unit.level] or parent_unit.retired:
                fail(
                    number,
                    "code",
                    BadInput("unit_parent_missing", field=shown["code"], value=code, parent=parent),
                )
                continue
        siblings = [
            other
            for other in [*have.values(), *new.values()]
            if other.code != code
            and other.parent == parent
            and other.level == unit.level
            and not other.retired
        ]
        clash = [
            other
            for other in siblings
            if unit.name in names_of(other) and (other.code not in new or other.code < code)
        ]
        if clash:
            fail(
                number,
                "name",
                BadInput("unit_name_twice", field=shown["name"], value=unit.name, code=clash[0].code),
            )
    if findings:
        findings.sort(key=lambda finding: (finding.row, finding.position))
        raise ImportRejected(table.name, findings)
    added = [new[code].to_dict() for code in sorted(new)]
    done.added = added
    return done, added


def import_units(
    ledger: Ledger,
    actor: str | None,
    path: str | Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
) -> UnitsImported:
    """Check every row, then add every new unit in one commit (`org.import`), or nothing."""
    table = read_table(path, sheet, encoding)
    ledger.config.require(ledger.actor(actor), "org.import")
    done, added = plan_units(ledger, table)
    done.dry_run = dry_run
    if not added or dry_run:
        return done
    with ledger.transaction(actor, "org.import") as tx:
        done, added = plan_units(ledger, table)  # against the tree as it is under the lock
        if added:
            data = ledger.read_yaml(UNITS_FILE) or {}
            units = [u for u in data.get("units") or []] + added
            units.sort(key=lambda u: str(u["code"]))
            data["units"] = units
            tx.put(UNITS_FILE, yamlio.dump(data))
            tx.commit(
                subject("org.import", count=len(added), file=table.name), [str(u["code"]) for u in added]
            )
    if added:
        done.commit = ledger.head()
    return done
