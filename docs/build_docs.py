"""Write the generated docs: docs/reference/cli.md, the command reference, from the CLI's own --help.

README.md and the guide (docs/guide/*.md) are written by hand; only the reference is generated. Run
`python docs/build_docs.py` after changing a command or its help (`--check` exits 1 when a generated file is
stale, writing nothing). tests/test_docs.py fails when the reference is stale, when a command has no summary or
example, when a command is missing from the reference, when README.md grows past its limit, and when a relative
link in the docs points at nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference" / "cli.md"
WIDTH = 100


def iter_commands(group: TyperGroup, prefix: tuple[str, ...] = ()):
    ctx = typer.Context(group, info_name="minqing")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or getattr(command, "hidden", False):
            continue
        path = prefix + (name,)
        if isinstance(command, TyperGroup):
            yield from iter_commands(command, path)
        else:
            yield path, command


def help_text(path: tuple[str, ...], command) -> str:
    """`minqing PATH --help` in English: the reference is part of the docs, which are English; the terminal shows
    the same help in Chinese by default (cli/help_lang.py, one catalog for both)."""
    from minqing.cli.common import STATE

    STATE.lang = "en"
    ctx = typer.Context(
        command, info_name="minqing " + " ".join(path), terminal_width=WIDTH, max_content_width=WIDTH
    )
    return command.get_help(ctx)


def summary(path: tuple[str, ...]) -> str:
    """The first paragraph of a command's English help, on one line."""
    from minqing.cli.help_lang import command_help

    return " ".join((command_help(" ".join(path), "en") or "").strip().split("\n\n", 1)[0].split())


def anchor(path: tuple[str, ...]) -> str:
    """GitHub's anchor for the heading `minqing PATH` (command names are lower-case letters and hyphens)."""
    return "minqing-" + "-".join(path)


def reference() -> str:
    from minqing.cli.app import app

    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    commands = list(iter_commands(group))
    parts = [
        "# Command reference\n",
        "Generated from `minqing COMMAND --help` by `docs/build_docs.py`: do not edit by hand, run",
        "`python docs/build_docs.py` after changing a command. Global options go before the command: `-C PATH` (ledger",
        "directory), `--lang zh|en`, `-v`, `--version`. The [guide](../guide/README.md) explains what the commands are",
        "for; the [README](../../README.md) has the set-up and a tour.\n",
    ]
    contents = [
        f"- [minqing {' '.join(path)}](#{anchor(path)}): {summary(path)}" for path, command in commands
    ]
    parts.append("\n".join(contents) + "\n")
    for path, command in commands:
        parts.append(f"## minqing {' '.join(path)}\n")
        parts.append("```text\n" + help_text(path, command).rstrip() + "\n```\n")
    return "\n".join(parts)


def build() -> dict[Path, str]:
    """Every generated file and the text it must hold."""
    return {REFERENCE: reference()}


def main() -> int:
    outputs = build()
    if "--check" in sys.argv:
        stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run python docs/build_docs.py)", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
