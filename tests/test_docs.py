"""Docs cannot drift: every command has help with an example, README is generated from the fragments and --help,
and CI runs exactly the README's test command."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import typer

from minqing.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def _builder():
    spec = importlib.util.spec_from_file_location("build_readme", ROOT / "docs" / "build_readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILDER = _builder()
COMMANDS = list(BUILDER.iter_commands(typer.main.get_command(app)))


def test_there_are_commands():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"init", "issue close", "visit add", "status", "demo"} <= names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_summary_and_example(path, command):
    text = command.help or ""
    summary = text.strip().splitlines()[0] if text.strip() else ""
    assert summary, f"minqing {' '.join(path)} has no help summary"
    assert "Example:" in text and "minqing " in text.split("Example:", 1)[1], (
        f"minqing {' '.join(path)} has no example"
    )


def test_readme_is_generated_and_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == BUILDER.build(), "README.md is stale: run python docs/build_readme.py"


def test_every_command_is_in_the_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, _ in COMMANDS:
        assert f"### minqing {' '.join(path)}\n" in readme


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_readme_starts_with_the_two_setup_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [block.strip() for block in _bash_blocks(readme)[:2]]
    assert blocks[0].endswith("minqing demo") and "pip install ." in blocks[0]
    assert "pytest" in blocks[1]
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ci_lines[-1] == blocks[1]
