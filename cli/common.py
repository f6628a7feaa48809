"""Shared option aliases, the per-invocation context, and output helpers (rich for people, plain for scripts).

No business rules here, and no import of git, yaml or sqlite: those load lazily inside ledgers/ when a command runs.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

# ---------------------------------------------------------------- shared options

AsOpt = Annotated[str | None, typer.Option("--as")]
JsonOpt = Annotated[bool, typer.Option("--json")]
WideOpt = Annotated[bool, typer.Option("--wide")]  # help: "--wide" in ledgers/core/help_texts.py
UnmaskOpt = Annotated[
    bool,
    typer.Option("--unmask"),
]
DateOpt = Annotated[str | None, typer.Option("--date")]
UnitOpt = Annotated[str | None, typer.Option("--unit")]
LateOpt = Annotated[bool, typer.Option("--late")]


def late_reason(late: bool, reason: str | None) -> str | None:
    """The 补录 reason to pass down when --late is given ("" when --reason is missing: refused there, naming it)."""
    return (reason or "") if late else None


ByOpt = Annotated[
    str | None,
    typer.Option("--by"),
]
FormatOpt = Annotated[str | None, typer.Option("--format")]
OutOpt = Annotated[str | None, typer.Option("--out")]


@dataclass
class State:
    ledger_path: str | None = None
    lang: str = "zh"
    verbose: bool = False
    no_input: bool = False


STATE = State()


def ledger() -> Any:
    from minqing.ledgers.repo.store import Ledger

    return Ledger.open(STATE.ledger_path)


def lang() -> str:
    return STATE.lang


def t(zh: str, en: str) -> str:
    """Inline UI text for the chosen language (error messages live in ledgers/messages.py)."""
    return en if STATE.lang == "en" else zh


_LABELS: dict[
    tuple[str, str], str
] = {}  # (code, language) -> label: a listing asks for the same few thousands of times


def label(value: Any) -> str:
    if not isinstance(value, str):
        return "" if value is None else str(value)
    key = (value, STATE.lang)
    shown = _LABELS.get(key)
    if shown is None:
        from minqing.ledgers.core.messages import label as _label

        shown = _LABELS[key] = _label(value, STATE.lang)
    return shown


def is_terminal() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def echo(text: str = "") -> None:
    typer.echo(text)


def note(text: str) -> None:
    """Messages go to stderr so stdout stays data."""
    typer.echo(text, err=True)


def print_json(data: Any) -> None:
    import json  # here: only --json output needs it (~1 ms of every command's startup)

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def print_json_list(items: Iterable[Any]) -> None:
    """`print_json` of a list, written an element at a time (the same bytes)."""
    from minqing.ledgers.core.jsonout import json_array

    out = sys.stdout
    for chunk in json_array(items):
        out.write(chunk)


def print_table(
    headers: list[str], rows: list[list[Any]], title: str | None = None, keep_indent: bool = False
) -> None:
    """A table fitted to the terminal by cli/tables.py, each column's kind guessed from its cells: all ids, codes,
    dates or figures (never cut) or text (wraps). Commands with a list of their own pass `Column`s to
    `tables.print_fitted` instead, naming kinds and optional columns.

    `keep_indent`: leading spaces in the first column are meaningful (a tree): it is never wrapped."""
    from .tables import KEY, NUMBER, TEXT, Column, print_fitted

    cells = [["" if value is None else str(value) for value in row] for row in rows]
    columns = []
    for index, header in enumerate(headers):
        values = [row[index] for row in cells if row[index]]
        if keep_indent and index == 0 or all(_CODE_LIKE.fullmatch(value) for value in values):
            numeric = values and all(_FIGURE.fullmatch(value) for value in values)
            columns.append(Column(header, NUMBER if numeric else KEY))
        else:
            columns.append(Column(header, TEXT))
    print_fitted(columns, cells, title=title)


_CODE_LIKE = re.compile(r"[0-9A-Za-z.:/%+\-]*")  # an id, code, date or figure: never cut
# A count, rate or score (right-aligned); six digits or more without a point is a code (520602), left-aligned.
_FIGURE = re.compile(r"-?(?:[0-9]{1,5}|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+\.[0-9]+)%?")


def echo_items(items: list) -> None:
    """The items raised at a visit or review, one indented line each: id, state, description."""
    for item in items:
        echo(f"  {item.id} {label(item.state)} {item.desc}")


def column_headers(spec: tuple[str, ...]) -> list[str]:
    """Table headers in the chosen language from "zh|en" pairs."""
    return [t(*pair.split("|")) for pair in spec]


def print_mapping(view: dict, skip: tuple[str, ...] = ()) -> None:
    """One `key  value` line per field of a `show` view (lists and mappings on one line, values labelled)."""
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


def warn_unreadable(led: Any) -> None:
    """A listing never silently leaves an entry out: files the index could not read are named on stderr."""
    from minqing.ledgers.core.messages import render
    from minqing.ledgers.read import queries

    problems = queries.unreadable(led)
    if problems:
        note("minqing: " + render("index_problems", STATE.lang, count=len(problems), path=problems[0][0]))


def open_indexes(ledgers: list, quiet: bool) -> list:
    """Open (and refresh) each ledger's index; notes about rebuilt caches and unreadable files go to stderr."""
    from minqing.ledgers.core.messages import render as say
    from minqing.ledgers.read.index import Index

    indexes = []
    try:
        for each in ledgers:
            index = Index.open(each)
            indexes.append(index)
            if quiet:
                continue
            for key, params in index.notes:
                note("minqing: " + say(key, lang(), **params))
            problems = index.problems()
            if problems:
                note("minqing: " + say("index_problems", lang(), count=len(problems), path=problems[0][0]))
    except BaseException:
        for index in indexes:
            index.close()
        raise
    return indexes


def paired_raises(raise_: list[str] | None, category: list[str] | None) -> list[tuple[str, str]]:
    """The items raised (`--raise`, repeatable) each with its `--category`, given in the same order."""
    from minqing.ledgers.core.errors import BadInput

    raises, categories = raise_ or [], category or []
    if len(categories) != len(raises):
        raise BadInput("mismatch_count", field="--category", given=len(categories), raised=len(raises))
    return list(zip(raises, categories, strict=True))


def interactive() -> bool:
    """Prompts only for a person at a terminal: never under cron, pipes, CliRunner or --no-input."""
    return not STATE.no_input and sys.stdin.isatty() and sys.stdout.isatty()


def ask(
    value: str | None, field: str, question: str, validate: Any = None, choices: list[str] | None = None
) -> str | None:
    """Return `value`, or prompt for it when it is missing and a person is at the terminal.

    `validate(answer)` is a ledgers/ validator; its one-line error is shown and the question asked again, so the
    prompt accepts exactly what the command line would. Without a terminal the value stays None and the operation
    reports the missing field itself.
    """
    if value is not None and value != "" or not interactive():
        return value
    from rich.prompt import Prompt

    from minqing.ledgers.core.errors import LedgerError

    while True:
        answer = Prompt.ask(f"{question} ({field})", choices=choices, show_choices=bool(choices))
        try:
            if validate is not None:
                validate(answer)
            return answer
        except LedgerError as error:
            note(error.render(STATE.lang))


# ---------------------------------------------------------------- shell completion (typer `autocompletion=`)
# Each returns the values starting with what was typed; ledger look-ups fail silently (completion must never error).


def _starting(values: Any, incomplete: str) -> list[str]:
    return [value for value in values if value.startswith(incomplete)]


def complete_category(incomplete: str) -> list[str]:
    from minqing.ledgers.core.model import CATEGORIES

    return _starting(CATEGORIES, incomplete)


def complete_item_kind(incomplete: str) -> list[str]:
    from minqing.ledgers.core.model import ITEM_KINDS

    return _starting(ITEM_KINDS, incomplete)


def complete_ledger_name(incomplete: str) -> list[str]:
    from minqing.ledgers.core.model import LEDGERS

    return _starting(LEDGERS, incomplete)


def complete_item_state(incomplete: str) -> list[str]:
    from minqing.ledgers.core.model import STATES

    return _starting((*STATES, "open"), incomplete)


def complete_role(incomplete: str) -> list[str]:
    from minqing.ledgers.core.model import ROLES

    return _starting(ROLES, incomplete)


def complete_household_status(incomplete: str) -> list[str]:
    from minqing.ledgers.core.model import HOUSEHOLD_STATUS

    return _starting(HOUSEHOLD_STATUS, incomplete)


def complete_sheet_kind(incomplete: str) -> list[str]:
    return _starting(("households", "cadres", "visits", "issues", "petitions", "surveys"), incomplete)


def complete_export_state(ctx: typer.Context, incomplete: str) -> list[str]:
    """--state of `export`: item states, household statuses or cadre statuses, after --kind."""
    from minqing.ledgers.core.model import CADRE_STATUS, HOUSEHOLD_STATUS, STATES

    kind = ctx.params.get("kind") or "issues"
    values = {"households": HOUSEHOLD_STATUS, "cadres": CADRE_STATUS, "visits": ()}.get(
        kind, (*STATES, "open")
    )
    return _starting(values, incomplete)


def _completion_ledger(ctx: typer.Context) -> Any:
    from minqing.ledgers.repo.store import Ledger

    root = ctx.find_root()
    return Ledger.open(root.params.get("directory") or STATE.ledger_path)


def complete_unit(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    try:
        units = _completion_ledger(ctx).units()
    except Exception:  # noqa: BLE001 - no ledger here: nothing to complete
        return []
    return [(code, unit.name) for code, unit in sorted(units.items()) if code.startswith(incomplete)]


def complete_cadre(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    try:
        found = _completion_ledger(ctx)
        wanted = incomplete.upper()
        return [(cadre.id, cadre.name) for cadre in found.iter_cadres() if cadre.id.startswith(wanted)]
    except Exception:  # noqa: BLE001 - no ledger here: nothing to complete
        return []


def progress_stream() -> Any:
    """Where a network transfer draws its progress: stderr at a terminal, nowhere under cron or a pipe."""
    return sys.stderr if sys.stderr.isatty() and not STATE.no_input else None
