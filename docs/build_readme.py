"""Assemble README.md from docs/readme/*.md plus a command reference generated from the CLI's own --help.

Run `python docs/build_readme.py` after changing a fragment or a command; tests/test_docs.py fails when README.md is
stale, when a command has no help or example, or when a command is missing from the reference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = ROOT / "docs" / "readme"
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
    ctx = typer.Context(
        command, info_name="minqing " + " ".join(path), terminal_width=WIDTH, max_content_width=WIDTH
    )
    return command.get_help(ctx)


def reference() -> str:
    from minqing.cli.app import app

    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    parts = [
        "## Command reference\n",
        "Generated from `minqing COMMAND --help` by `docs/build_readme.py`. Global options go before the command:",
        "`-C PATH` (ledger directory), `--lang zh|en`, `-v`, `--version`.\n",
    ]
    for path, command in iter_commands(group):
        parts.append(f"### minqing {' '.join(path)}\n")
        parts.append("```text\n" + help_text(path, command).rstrip() + "\n```\n")
    return "\n".join(parts)


def build() -> str:
    fragments = [p.read_text(encoding="utf-8").rstrip() + "\n" for p in sorted(FRAGMENTS.glob("*.md"))]
    return "\n".join(fragments) + "\n" + reference()


def main() -> int:
    text = build()
    target = ROOT / "README.md"
    if "--check" in sys.argv:
        return 0 if target.exists() and target.read_text(encoding="utf-8") == text else 1
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
