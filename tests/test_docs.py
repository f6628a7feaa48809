"""Docs cannot drift: every command has help with an example, the command reference (docs/reference/cli.md) is
generated from --help and current, README.md stays short, every relative link in the docs resolves, and CI runs
exactly the README's test command."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import typer

from minqing.cli.app import app
from minqing.cli.help_lang import command_help

ROOT = Path(__file__).resolve().parent.parent


def _builder():
    spec = importlib.util.spec_from_file_location("build_docs", ROOT / "docs" / "build_docs.py")
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
    text = command_help(" ".join(path), "en") or ""
    summary = text.strip().splitlines()[0] if text.strip() else ""
    assert summary, f"minqing {' '.join(path)} has no help summary"
    assert "Example:" in text and "minqing " in text.split("Example:", 1)[1], (
        f"minqing {' '.join(path)} has no example"
    )


def test_reference_is_generated_and_current():
    for path, text in BUILDER.build().items():
        assert path.exists() and path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is stale: run python docs/build_docs.py"
        )


def test_every_command_is_in_the_reference():
    reference = BUILDER.REFERENCE.read_text(encoding="utf-8")
    for path, _ in COMMANDS:
        assert f"\n## minqing {' '.join(path)}\n" in reference, (
            f"minqing {' '.join(path)} is not in the reference"
        )


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


README_MAX_LINES = 300
GUIDE = ROOT / "docs" / "guide"
# Every Markdown file of the docs: the README and the guide (issue 13), and the rest, whose links must resolve too.
DOCS = sorted({ROOT / "README.md", ROOT / "BENCHMARKS.md", *(ROOT / "docs").rglob("*.md")})
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def test_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines (at most {README_MAX_LINES}): move detail into a chapter of docs/guide/"
    )


def _prose_lines(text: str):
    """The lines outside fenced code blocks, with inline code spans removed (links in code are not links)."""
    fence = ""
    for line in text.splitlines():
        marker = re.match(r"\s*(```|~~~)", line)
        if marker:
            fence = "" if fence == marker.group(1) else fence or marker.group(1)
            continue
        if not fence:
            yield re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", line)


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: markup and punctuation dropped, lower case, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    fence = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        marker = re.match(r"\s*(```|~~~)", line)
        if marker:
            fence = "" if fence == marker.group(1) else fence or marker.group(1)
            continue
        heading = re.match(r"#{1,6} (.*)", line)
        if heading and not fence:
            slug = _slug(heading.group(1))
            unique, n = slug, 0
            while unique in anchors:  # GitHub numbers repeated headings: x, x-1, x-2
                n += 1
                unique = f"{slug}-{n}"
            anchors.add(unique)
    return anchors


def _relative_links(path: Path) -> list[str]:
    links = [
        m.group(1) for line in _prose_lines(path.read_text(encoding="utf-8")) for m in LINK.finditer(line)
    ]
    return [
        link for link in links if not re.match(r"[a-z][a-z0-9+.-]*:", link, flags=re.I)
    ]  # not http:, mailto:


@pytest.mark.parametrize("doc", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_every_relative_link_resolves(doc: Path):
    broken = []
    for link in _relative_links(doc):
        target, _, fragment = link.partition("#")
        file = (doc.parent / target).resolve() if target else doc
        if not file.exists():
            broken.append(f"{link}: no file {file.relative_to(ROOT) if file.is_relative_to(ROOT) else file}")
        elif fragment and file.suffix == ".md" and fragment not in _anchors(file):
            broken.append(f"{link}: no heading with anchor #{fragment} in {file.relative_to(ROOT)}")
    assert not broken, f"{doc.relative_to(ROOT)}: broken links:\n" + "\n".join(broken)


def test_the_links_checked_include_the_readme_and_every_chapter():
    assert ROOT / "README.md" in DOCS and (GUIDE / "README.md") in DOCS
    assert len(_relative_links(ROOT / "README.md")) >= 10


def test_every_chapter_is_in_the_guide_index_and_the_readme():
    chapters = {p.name for p in GUIDE.glob("*.md")} - {"README.md"}
    assert chapters, "docs/guide/ has no chapters"
    index = {Path(link.partition("#")[0]).name for link in _relative_links(GUIDE / "README.md")}
    readme = {link.partition("#")[0] for link in _relative_links(ROOT / "README.md")}
    for chapter in sorted(chapters):
        assert chapter in index, f"docs/guide/README.md does not link to {chapter}"
        assert f"docs/guide/{chapter}" in readme, f"README.md's contents do not link to docs/guide/{chapter}"
    assert "docs/guide/README.md" in readme and "docs/reference/cli.md" in readme
