"""The org tree read from codes and names, pure (issue 16): what a code says about its unit, the short name offices
use for an official one, and which units a typed name or code means.

- **Codes** (docs/decisions.md "Org codes"): county 6 digits → township 9 → village 12 → group 14–15, each
  extending its parent's. The statistics bureau writes every unit in 12 digits: `CCCCCC000000` is the county itself,
  `CCCCCCTTT000` the township `CCCCCCTTT`; any other 12-digit code is a village.
- **Names**: the bureau lists official names (漳扎村村民委员会, 漳扎社区居委会, 市中办事处); offices say 漳扎村,
  漳扎社区. A unit's `name` is the short name, `official` the official one when it differs. A village is never its
  community namesake: names are matched whole, never by stem (漳扎村 ≠ 漳扎社区).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Unit

LEVEL_OF_LENGTH = {6: "county", 9: "township", 12: "village", 14: "group", 15: "group"}
TOWNSHIP_DIGITS = 9  # a code's first nine digits name the township it lies in
VILLAGE_DIGITS = 12
PARENT_LENGTH = {"township": 6, "village": 9, "group": 12}

# Suffixes of official names, longest first: (suffix, what the short name ends with).
_VILLAGE_SUFFIXES = ("村民委员会", "村委员会", "村委员", "村委会", "村委")
_COMMUNITY_SUFFIXES = ("社区居民委员会", "社区居委会", "社区居委", "居民委员会", "居委会")


@dataclass(frozen=True)
class CodeSays:
    """What a code says: the unit's own code (a 12-digit township form shortened), its level and its parent."""

    code: str
    level: str
    parent: str | None


# A department (帮扶单位/后盾单位, issue 18) is outside the territorial tree: the county's code, `D` and a 2–3 digit
# number the office gives it (520602D01). The letter keeps it clear of every statistics-bureau code (digits only), so
# no territorial prefix query (a township's households, a village's items) ever reaches a department.
DEPARTMENT_CODE = re.compile(r"(\d{6})D\d{2,3}")


def department_county(code: str) -> str | None:
    """The county a department code belongs to, or None when `code` is not a department code."""
    match = DEPARTMENT_CODE.fullmatch(unicodedata.normalize("NFKC", str(code or "")).strip().upper())
    return match.group(1) if match else None


def read_department(text: str) -> CodeSays | None:
    """The department a code names (level `department`, parent the county of its code), or None."""
    code = unicodedata.normalize("NFKC", str(text or "")).strip().upper()
    county = department_county(code)
    return CodeSays(code, "department", county) if county else None


def read_code(text: str) -> CodeSays | None:
    """The unit a code names, or None when it is not a unit code (not digits, or a length no level has)."""
    code = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not code.isdigit():
        return None
    if len(code) == 12 and code.endswith("000"):
        if code[6:9] == "000":
            return CodeSays(code[:6], "county", None)
        code = code[:9]
    level = LEVEL_OF_LENGTH.get(len(code))
    if level is None:
        return None
    if level == "county":
        return CodeSays(code, level, None)
    return CodeSays(code, level, code[: PARENT_LENGTH[level]])


def short_name(official: str) -> str:
    """The name offices use for an official one: …村村民委员会 / …村委会 → …村, …社区居民委员会 / …社区居委会 /
    …居委会 → …社区; anything else (…办事处, 和平乡, 一组) as it is."""
    name = str(official or "").strip()  # as typed: 新村（乙） keeps its full-width brackets
    for suffix in _VILLAGE_SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and stem:
            return stem if stem.endswith("村") else stem + "村"
    for suffix in _COMMUNITY_SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and stem:
            return stem if stem.endswith("社区") else stem + "社区"
    return name


def names_of(unit: Unit) -> tuple[str, ...]:
    """Every name the unit answers to: short, official, earlier names (aliases)."""
    return tuple(n for n in (unit.name, unit.official, *(unit.aliases or ())) if n)


def match_units(
    units: Iterable[Unit], text: str, level: str | None = None, parent: str | None = None
) -> list[Unit]:
    """The units `text` names: a code (the bureau's 12-digit township form too), else a current name (short or
    official), else an earlier name (alias), else the short form of an official name typed differently (漳扎村委会 →
    漳扎村). Only of `level` and under `parent` when given; units in service before retired ones."""
    pool = [
        u
        for u in units
        if (level is None or u.level == level) and (parent is None or u.code.startswith(parent))
    ]
    value = str(text or "").strip()  # names as typed (新村（乙）); codes in half-width digits
    digits = unicodedata.normalize("NFKC", value)
    if digits.isdigit():
        says = read_code(digits)
        wanted = says.code if says else digits
        return [u for u in pool if u.code == wanted]
    found = [u for u in pool if value in (u.name, u.official)]
    if not found:
        found = [u for u in pool if value in (u.aliases or ())]
    if not found:
        short = short_name(value)
        if short != value:
            found = [u for u in pool if short == u.name]
    return [u for u in found if not u.retired] or found


def describe(units: dict[str, Unit], found: Iterable[Unit]) -> str:
    """Candidates of an ambiguous name, each with where it is: 和平乡 陈家寨村（520602202201）、…"""
    parts = []
    for unit in sorted(found, key=lambda u: u.code):
        parent = units.get(unit.parent or "")
        where = f"{parent.name} " if parent else ""
        parts.append(f"{where}{unit.name}（{unit.code}）")
    return "、".join(parts)
