"""Names to print beside codes and ids in listings (issue 17): `枫木坪村一组 52060210220101`, `王芳 C-H7BPJ4`.

Read from the index (units and cadres tables), so a listing of a county costs one query per table, not a YAML read
per row. A code or id the ledger does not know is shown alone: a listing never hides what it cannot name."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..core.orgtree import TOWNSHIP_DIGITS, VILLAGE_DIGITS
from ..repo.store import Ledger


@dataclass(frozen=True)
class Names:
    units: dict[str, tuple[str, str]]  # unit code -> (name, level)
    cadres: dict[str, str]  # cadre id -> name
    households: dict[str, str] = field(default_factory=dict)  # household id -> head, for the ids asked for
    # What `unit`, `township` and `cadre` gave, by (method, code): a county's listing names the same few hundred
    # units and thousands of cadres over and over.
    shown: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    def place(self, code: str | None) -> str:
        """The unit's name; a group's with its village's in front (一组 alone names nothing)."""
        if not code:
            return ""
        name = self.units.get(code, ("", ""))[0]
        if len(code) > VILLAGE_DIGITS and code[:VILLAGE_DIGITS] in self.units:
            name = self.units[code[:VILLAGE_DIGITS]][0] + name
        return name

    def unit(self, code: str | None) -> str:
        """`name code`, or the code alone when the ledger has no such unit."""
        if not code:
            return ""
        shown = self.shown.get(("unit", code))
        if shown is None:
            name = self.place(code)
            shown = self.shown[("unit", code)] = f"{name} {code}" if name and name != code else code
        return shown

    def township(self, code: str | None) -> str:
        """The name of the township `code` lies in ("" for the county itself)."""
        if not code or len(code) < TOWNSHIP_DIGITS:
            return ""
        return self.units.get(code[:TOWNSHIP_DIGITS], (code[:TOWNSHIP_DIGITS], ""))[0]

    def cadre(self, cadre_id: str | None) -> str:
        """`王芳 C-H7BPJ4`, or the id alone when no cadre has it."""
        if not cadre_id:
            return ""
        shown = self.shown.get(("cadre", cadre_id))
        if shown is None:
            name = self.cadres.get(cadre_id)
            shown = f"{name} {cadre_id}" if name and name != cadre_id else cadre_id
            self.shown[("cadre", cadre_id)] = shown
        return shown

    def household(self, household_id: str | None) -> str:
        """`杨大山 H-Y84DH4`, or the id alone when its head was not looked up (or the household is gone)."""
        if not household_id:
            return ""
        head = self.households.get(household_id)
        return f"{head} {household_id}" if head else household_id


def names(ledger: Ledger) -> Names:
    """Unit and cadre names from the index (household heads: `with_households`, for the ids a listing shows)."""
    from .index import Index

    with Index.open(ledger) as index:
        return Names(index.units(), index.cadre_names())


def names_of(ledger: Ledger, wanted: set[str]) -> Names:
    """The names of only the codes and ids in `wanted` (units with their village and township, cadres, household
    heads): `log ENTRY` names a few, and reading a county's every unit and cadre took longer than the rest of it."""
    from ..core import ids
    from .index import Index

    codes = {text for text in wanted if text.isdigit()}
    codes |= {code[:VILLAGE_DIGITS] for code in codes} | {code[:TOWNSHIP_DIGITS] for code in codes}
    with Index.open(ledger) as index:
        return Names(
            index.units(codes),
            index.cadre_names(text for text in wanted if ids.is_id(text, "C")),
            index.household_heads(text for text in wanted if ids.is_id(text, "H")),
        )


def with_households(known: Names, ledger: Ledger, households: set[str]) -> Names:
    """The same unit and cadre names with the heads of `households` from the index (a streamed listing, a batch at
    a time); an id the ledger no longer has (the log of a deleted entry) is left without a name."""
    from .index import Index

    if not households:
        return replace(known, households={})
    with Index.open(ledger) as index:
        return replace(known, households=index.household_heads(households))
