"""The ledger repo's layout (DESIGN §3), written once: path ↔ (kind, id), the path of each kind, the fixed files.

Every other layer asks this module: the store builds paths with it, the index, check, audit, doctor, the merge
driver and `log` classify paths with it. File kinds:

    config      minqing.yaml                              fixed
    units       org/units.yaml                            fixed
    attributes  .gitattributes                            fixed (merge drivers)
    cadre       cadres/C-XXXXXX.yaml                      entity (snapshot + history)
    household   households/<village-code>/H-XXXXXX.yaml   entity
    item        issues/<yyyy>/Q-XXXXXX.yaml               entity
    review      reviews/<yyyy>Q<n>/<team-code>.yaml       entity
    period      periods/<yyyy-mm>/<unit-code>.yaml        entity (a reporting period closed for a unit)
    visits      visits/<yyyy-mm>/<village-code>.yaml      stream (append-only, one document per visit)
    activities  activities/<yyyy-mm>.yaml                 stream
    surveys     surveys/<yyyy-mm>/<village-code>.yaml     stream (群众满意度测评, issue 18)
"""

from __future__ import annotations

import re

CONFIG_FILE = "minqing.yaml"
UNITS_FILE = "org/units.yaml"
ATTRIBUTES_FILE = ".gitattributes"
STATE_DIR = "minqing"  # under .git/: county secret, lock, index cache, vault, access log, crash journal
INDEX_FILE = "index.sqlite"  # the SQLite cache of HEAD (read/index.py), under STATE_DIR in .git
AUTHOR_DOMAIN = "minqing.invalid"  # a cadre commits as `姓名 <C-XXXXXX@minqing.invalid>`

FIXED_FILES = {CONFIG_FILE: "config", UNITS_FILE: "units", ATTRIBUTES_FILE: "attributes"}
ENTITY_KINDS = ("cadre", "household", "item", "review", "period")
STREAM_KINDS = ("visits", "activities", "surveys")
# A stream file holds documents of one record kind (its schema): visits/… holds visits.
STREAM_RECORD = {"visits": "visit", "activities": "activity", "surveys": "survey"}
# Top-level directories of the ledger, by kind.
DIRS = {
    "cadre": "cadres",
    "household": "households",
    "item": "issues",
    "review": "reviews",
    "period": "periods",
    "visits": "visits",
    "activities": "activities",
    "surveys": "surveys",
    "units": "org",
}
LEDGER_DIRS = tuple(sorted(set(DIRS.values())))
# What belongs under each top-level name, for the message about a file in an unexpected place.
PLACES = {
    "org": UNITS_FILE,
    "cadres": "cadres/C-XXXXXX.yaml",
    "households": "households/<village-code>/H-XXXXXX.yaml",
    "issues": "issues/<yyyy>/Q-XXXXXX.yaml",
    "visits": "visits/<yyyy-mm>/<village-code>.yaml",
    "activities": "activities/<yyyy-mm>.yaml",
    "surveys": "surveys/<yyyy-mm>/<village-code>.yaml",
    "reviews": "reviews/<yyyy>Q<n>/<team>.yaml",
    "periods": "periods/<yyyy-mm>/<unit-code>.yaml",
}
TOP_LEVEL = f"{CONFIG_FILE}, {ATTRIBUTES_FILE}, " + ", ".join(f"{name}/" for name in PLACES)

_ID = r"[0-9A-HJKMNP-TV-Z]{6}"
# Strict shapes: id and code forms as the tool writes them. (kind, pattern, group holding the entity id or None)
_STRICT: tuple[tuple[str, re.Pattern[str], int | None], ...] = (
    ("cadre", re.compile(rf"cadres/(C-{_ID})\.yaml"), 1),
    ("household", re.compile(rf"households/\d{{12}}/(H-{_ID})\.yaml"), 1),
    ("item", re.compile(rf"issues/\d{{4}}/(Q-{_ID})\.yaml"), 1),
    ("review", re.compile(r"reviews/\d{4}Q[1-4]/[^/]+\.yaml"), None),
    ("period", re.compile(r"periods/(\d{4}-\d{2}/\d{6}(?:\d{3}){0,2})\.yaml"), 1),
    ("visits", re.compile(r"visits/\d{4}-\d{2}/\d{12}\.yaml"), None),
    ("activities", re.compile(r"activities/\d{4}-\d{2}\.yaml"), None),
    ("surveys", re.compile(r"surveys/\d{4}-\d{2}/\d{12}\.yaml"), None),
)
# Loose shapes: where a kind lives whatever the file is called (check names a misnamed file precisely).
_PLACED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cadre", re.compile(r"cadres/[^/]+\.yaml")),
    ("household", re.compile(r"households/[^/]+/[^/]+\.yaml")),
    ("item", re.compile(r"issues/[^/]+/[^/]+\.yaml")),
    ("visits", re.compile(r"visits/[^/]+/[^/]+\.yaml")),
    ("activities", re.compile(r"activities/[^/]+\.yaml")),
    ("surveys", re.compile(r"surveys/[^/]+/[^/]+\.yaml")),
    ("review", re.compile(r"reviews/[^/]+/[^/]+\.yaml")),
    ("period", re.compile(r"periods/[^/]+/[^/]+\.yaml")),
)
GIT_OWN_FILES = (ATTRIBUTES_FILE, ".gitignore")


def classify(path: str) -> tuple[str | None, str | None]:
    """(kind, entity id) of a repo path as the tool writes it. Kind None for a path outside the ledger's
    directories, "other" for a file inside them that is not in the layout."""
    if path in FIXED_FILES:
        return FIXED_FILES[path], None
    if path.split("/", 1)[0] not in LEDGER_DIRS:
        return None, None
    for kind, pattern, group in _STRICT:
        match = pattern.fullmatch(path)
        if match:
            return kind, (match.group(group) if group else None)
    return "other", None


def placed_kind(path: str) -> str | None:
    """The kind a path is placed as, by directory shape alone ("" for git's own files, None when it is in no
    place of the layout). `check` uses this so a misnamed cadre file is reported as a cadre with a bad name."""
    if path in FIXED_FILES:
        return FIXED_FILES[path] if path != ATTRIBUTES_FILE else ""
    if path in GIT_OWN_FILES:
        return ""
    for kind, pattern in _PLACED:
        if pattern.fullmatch(path):
            return kind
    return None


def is_ledger_path(path: str) -> bool:
    """Inside the ledger's files (fixed files and the kind directories), whether or not in the layout."""
    return classify(path)[0] is not None


def is_stream(kind: str | None) -> bool:
    return kind in STREAM_KINDS


def place_for(path: str) -> str:
    return PLACES.get(path.split("/", 1)[0], TOP_LEVEL)


# ---------------------------------------------------------------- the path of each kind


def cadre_path(cadre_id: str) -> str:
    return f"cadres/{cadre_id}.yaml"


def household_path(village: str, household_id: str) -> str:
    return f"households/{village}/{household_id}.yaml"


def item_path(item_id: str, created: str) -> str:
    return f"issues/{created[:4]}/{item_id}.yaml"


def review_path(quarter: str, team: str) -> str:
    return f"reviews/{quarter}/{team}.yaml"


def period_path(month: str, unit: str) -> str:
    return f"periods/{month}/{unit}.yaml"


def visit_stream_path(date: str, village: str) -> str:
    return f"visits/{date[:7]}/{village}.yaml"


def activity_stream_path(date: str) -> str:
    return f"activities/{date[:7]}.yaml"


def survey_stream_path(date: str, village: str) -> str:
    return f"surveys/{date[:7]}/{village}.yaml"


# Where each entity kind's files are found by id (git pathspecs; `*` is one directory level).
ENTITY_PATHSPECS = {
    "C": "cadres/{id}.yaml",
    "H": "households/*/{id}.yaml",
    "Q": "issues/*/{id}.yaml",
}

# Merge drivers per path (DESIGN §7). `.gitattributes` is written from this; `driver_kind` answers for a path.
MERGE_DRIVERS = {
    "stream": ("visits/**", "activities/**", "surveys/**"),
    "entity": ("issues/**", "households/**", "cadres/**", "reviews/**", "periods/**"),
    "keys": (UNITS_FILE, CONFIG_FILE),
}


def driver_kind(path: str) -> str:
    """The merge driver a path gets: stream (union by id), entity (history merge), keys, or plain file."""
    for kind, patterns in MERGE_DRIVERS.items():
        for pattern in patterns:
            if pattern.endswith("/**") and path.startswith(pattern[:-2]):
                return kind
            if path == pattern:
                return kind
    return "file"


def gitattributes() -> str:
    """The `.gitattributes` `init` writes: the merge driver of every kind's files, and LF line ends."""
    lines = [
        "# minqing merge drivers (registered in .git/config by `minqing init`, `minqing clone`, `minqing doctor --fix`)"
    ]
    for kind, patterns in MERGE_DRIVERS.items():
        lines += [f"{pattern} merge=minqing-{kind}" for pattern in patterns]
    return "\n".join([*lines, "*.yaml text eol=lf"]) + "\n"
