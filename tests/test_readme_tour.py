"""The README tour (README.md, section `## A tour…`) runs exactly as written: every `$ ` line of its console
blocks, in order, with bash -e in a temp dir, the installed `minqing` on PATH and the real clock. Every command must
succeed and every answer shown must be what minqing prints, up to the random ids, dates and the temp path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
TOUR_HEADING = "## A tour"


def tour_text() -> str:
    """The tour section of README.md: from its `## A tour` heading to the next `## ` heading outside a code block."""
    lines = README.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(TOUR_HEADING)]
    assert len(starts) == 1, f"README.md needs exactly one section starting {TOUR_HEADING!r}"
    section, fence = [], False
    for line in lines[starts[0] :]:
        if line.startswith("```"):
            fence = not fence
        elif section and not fence and line.startswith("## "):
            break
        section.append(line)
    return "".join(section)


def parse(text: str) -> list[tuple[str, list[str]]]:
    """(command, shown answer lines) for every `$ ` line of every ```console block; `\\` continues a command."""
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        pending = ""
        for line in block.splitlines():
            if pending:
                pending += "\n" + line
                if not line.endswith("\\"):
                    steps.append((pending, []))
                    pending = ""
            elif line.startswith("$ "):
                command = line[2:]
                if command.endswith("\\"):
                    pending = command
                else:
                    steps.append((command, []))
            else:
                assert steps, f"answer before any command: {line}"
                steps[-1][1].append(line)
        assert not pending, "a command ends with a continuation"
    return steps


def normalize(line: str, home: str) -> str:
    line = line.replace(home, "/home/you/bijiang")
    line = re.sub(r"\b[CHQVAR]-[0-9A-HJKMNP-TV-Z]{6}\b", "<id>", line)
    line = re.sub(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?", "<date>", line)
    return line.rstrip()


def test_the_tour_covers_the_foundation() -> None:
    commands = " ".join(command for command, _ in parse(tour_text()))
    for needed in ("minqing init", "minqing org add", "minqing cadre add", "minqing household add", "minqing pair",
                   "--raise", "minqing issue assign", "minqing issue progress", "minqing issue resolve",
                   "minqing issue feedback", "minqing issue close", "minqing issue escalate", "minqing check",
                   "minqing status"):  # fmt: skip
        assert needed in commands, needed


def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    steps = parse(tour_text())
    answers = tmp_path / "answers"
    answers.mkdir()
    script = ["set -e -o pipefail"]
    for index, (command, _) in enumerate(steps):
        script.append(f"{{ {command}\n}} > {answers}/{index} 2>&1")  # braces: `a || b` is redirected whole
        script.append(f"echo {index} >> {answers}/done")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MINQING_", "GIT_")) and key not in ("NO_COLOR",)
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        MINQING_LANG="zh",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        LC_ALL="C.UTF-8",
    )
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True, text=True
    )
    done = (answers / "done").read_text().split() if (answers / "done").exists() else []
    if result.returncode != 0:
        failed = steps[len(done)][0]
        output = (answers / str(len(done))).read_text() if (answers / str(len(done))).exists() else ""
        raise AssertionError(f"tour step failed: $ {failed}\n{output}{result.stderr}")
    assert len(done) == len(steps)
    home = str((work / "bijiang").resolve())
    for index, (command, shown) in enumerate(steps):
        if not shown:
            continue
        actual = (answers / str(index)).read_text(encoding="utf-8").splitlines()
        assert [normalize(line, home) for line in actual] == [normalize(line, home) for line in shown], (
            f"the README shows a different answer for: $ {command}"
        )
