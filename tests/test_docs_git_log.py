"""Every `git log` / `git show` example of README.md and docs/guide/inspecting-history.md, run as written on the demo
(issue 17), finds what its text says it finds — the same commits as the `minqing` command that answers the same
question. The example ids (Q-7K3M2Q, H-2R7KTF, C-4H2J9X, 8e1c0b7) are placeholders: each is swapped for a real one
of the demo before the line runs in bash, in the demo's directory, on an office PC's clock (Asia/Shanghai). An
example added to those pages without a check here fails `test_every_example_is_checked`. Also here, on the demo's
large log: `minqing log | head -1` ends quietly with exit 0."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run
from foundation_util import office_env

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "docs" / "guide" / "inspecting-history.md"]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`([^`\n]*git (?:log|show) [^`\n]+)`")  # a command, not `git log` named in a sentence


def examples() -> list[tuple[str, str]]:
    """(page, command) for every git log/show line of a code block (a `$ ` prompt and a trailing `# comment`
    dropped), and the README's inline commands such as `cd minqing-demo && git log --stat | head -40`."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in FENCE.findall(text):
            for line in block.splitlines():
                command = line.removeprefix("$ ").strip()
                if command.startswith(("git log", "git show")):
                    found.append((page.name, re.sub(r"\s+#\s.*$", "", command)))
        if page.name == "README.md":
            prose = FENCE.sub("", text)
            found += [(page.name, span) for span in INLINE.findall(prose)]
    return found


@dataclass(frozen=True)
class Demo:
    path: Path
    item: str  # the item with the longest story
    household: str  # a household with several operations
    household_rel: str
    cadre: str  # a cadre who both typed in operations and went on visits
    commit: str

    def swap(self, command: str) -> str:
        """The placeholder ids of the docs replaced with the demo's own."""
        command = re.sub(r"households/\d+/H-[0-9A-Z]{6}\.yaml", self.household_rel, command)
        command = re.sub(r"issues/\d{4}/Q-[0-9A-Z]{6}\.yaml", f"issues/*/{self.item}.yaml", command)
        command = re.sub(r"Q-[0-9A-Z]{6}", self.item, command)
        command = re.sub(r"C-[0-9A-Z]{6}", self.cadre, command)
        command = re.sub(r"^git show [0-9a-f]{7,40}", f"git show {self.commit[:7]}", command)
        return command.replace("minqing-demo", str(self.path))


def git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, check=True, env=office_clock()
    ).stdout


def office_clock() -> dict[str, str]:
    return {**os.environ, "TZ": "Asia/Shanghai", "GIT_PAGER": "cat", "PAGER": "cat"}


def trailer_counts(path: Path, key: str) -> Counter[str]:
    text = git(path, "log", f"--format=%(trailers:key={key},valueonly,separator=%x20)")
    return Counter(text.split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    path = tmp_path_factory.mktemp("docs") / "minqing-demo"
    with office_env():
        result = run("demo", str(path))
    assert result.exit_code == 0, result.output
    entries = trailer_counts(path, "Ledger-Entry")
    item = max((n, e) for e, n in entries.items() if e.startswith("Q-"))[1]
    household = max((n, e) for e, n in entries.items() if e.startswith("H-"))[1]
    (found,) = list((path / "households").glob(f"*/{household}.yaml"))
    authors = Counter(git(path, "log", "--format=%ae").split())
    visitors = trailer_counts(path, "Ledger-Visitor")
    cadre = max(visitors, key=lambda c: (min(visitors[c], authors[f"{c}@minqing.invalid"]), c))
    commit = git(path, "log", "-1", "--format=%H", "--grep=^Ledger-Op: issue.extend$").strip()
    rel = found.relative_to(path).as_posix()
    return Demo(path, item, household, rel, cadre, commit)


def bash(demo: Demo, command: str) -> str:
    proc = subprocess.run(
        ["bash", "-c", demo.swap(command)], cwd=demo.path, capture_output=True, text=True, env=office_clock()
    )
    assert proc.returncode == 0, (command, proc.stderr)
    return proc.stdout


def shas(output: str) -> list[str]:
    """The commits a `git log` printed, in its formats: `commit <sha>` headers or `--oneline` short shas."""
    full = re.findall(r"^commit ([0-9a-f]{40})", output, re.M)
    return full or [line.split()[0] for line in output.splitlines() if line.strip()]


def minqing_log(demo: Demo, *args: str) -> list[dict]:
    result = run("log", *args, "--json", ledger=demo.path)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def commits_of(entries: list[dict]) -> set[str]:
    return {entry["commit"] for entry in entries}


def full(demo: Demo, short: list[str]) -> set[str]:
    return set(git(demo.path, "rev-parse", *short).split()) if short else set()


# ---------------------------------------------------------------- what each example says it finds


def one_item_by_file(demo: Demo, out: str) -> None:  # every commit that touched one item (its file)
    assert set(shas(out)) == commits_of(minqing_log(demo, demo.item)) and len(shas(out)) >= 5


def one_household_with_diffs(demo: Demo, out: str) -> None:  # … with the diffs of its YAML
    assert set(shas(out)) == commits_of(minqing_log(demo, demo.household)) and len(shas(out)) >= 2
    assert out.count("diff --git") == len(shas(out))


def operations_naming_the_entry(demo: Demo, out: str) -> None:  # every operation that names the entry
    assert set(shas(out)) == commits_of(minqing_log(demo, demo.item))


def closures_since(
    demo: Demo, out: str
) -> None:  # all closures since November = minqing log --op close --since
    closes = minqing_log(demo, "--op", "close", "--since", "2026-11-01")
    assert len(shas(out)) == len(commits_of(closes)) > 0
    assert set(shas(out)) == commits_of(closes)


def what_one_cadre_typed(demo: Demo, out: str) -> None:  # everything one cadre typed in (the author)
    own = [entry for entry in minqing_log(demo, "--by", demo.cadre) if entry["actor"] == demo.cadre]
    assert full(demo, shas(out)) == commits_of(own) and len(own) > 0


def visits_one_cadre_went_on(demo: Demo, out: str) -> None:  # every visit one cadre went on
    found = full(demo, shas(out))
    listed = json.loads(run("visit", "list", "--by", demo.cadre, "--json", ledger=demo.path).stdout)
    assert len(found) == len(listed) > 0  # the demo corrects no visit: one commit per visit
    visits = [e for e in minqing_log(demo, "--by", demo.cadre) if demo.cadre in e["visitors"]]
    assert found == commits_of(visits) and {e["entry"] for e in visits} == {v["id"] for v in listed}
    assert not found & full(
        demo, shas(git(demo.path, "log", f"--author={demo.cadre}@minqing.invalid", "--oneline"))
    )


def op_of_every_commit(demo: Demo, out: str) -> None:  # subject line, then the Ledger-Op of each commit
    lines = out.splitlines()
    count = int(git(demo.path, "rev-list", "--count", "HEAD"))
    assert len(lines) == 2 * count
    ops = [line.strip() for line in lines[1::2]]
    assert all(ops) and Counter(ops)["issue.close"] == len(minqing_log(demo, "--op", "issue.close"))


def one_operation(demo: Demo, out: str) -> None:  # one operation: message, trailers and diff
    assert out.startswith(f"commit {demo.commit}")
    assert "Ledger-Op: issue.extend" in out and "Ledger-Actor: C-" in out and "diff --git" in out


def the_stat_of_the_latest(
    demo: Demo, out: str
) -> None:  # README: the newest commits first, with their files
    assert len(out.splitlines()) == 40
    assert out.startswith("commit " + git(demo.path, "rev-parse", "HEAD").strip())
    assert " changed" in out


def authors_and_subjects_of_items(demo: Demo, out: str) -> None:  # README tour: who did what to the items
    touched = {e["commit"] for e in minqing_log(demo) if e["path"].startswith("issues/")}
    lines = out.splitlines()
    assert len(lines) == len(touched)
    names = {line.split("  ", 1)[0] for line in lines}
    assert all(names) and all("  " in line for line in lines)


CHECKS: dict[str, Callable[[Demo, str], None]] = {
    "git log -- issues/": one_item_by_file,
    "git log -p -- households/": one_household_with_diffs,
    "git log --grep='^Ledger-Entry: ": operations_naming_the_entry,
    "git log --grep='^Ledger-Op: issue.close$' --since=": closures_since,
    "git log --author=": what_one_cadre_typed,
    "git log --grep='^Ledger-Visitor: ": visits_one_cadre_went_on,
    "git log --format='%h %ad %an %s%n  %(trailers:key=Ledger-Op": op_of_every_commit,
    "git show ": one_operation,
    "cd minqing-demo && git log --stat | head -40": the_stat_of_the_latest,
    "git log --format='%an  %s' -- issues/": authors_and_subjects_of_items,
}


def check_of(command: str) -> Callable[[Demo, str], None]:
    (check,) = [check for start, check in CHECKS.items() if command.startswith(start)]
    return check


def test_every_example_is_checked() -> None:
    found = examples()
    assert len(found) >= len(CHECKS)
    for page, command in found:
        assert len([start for start in CHECKS if command.startswith(start)]) == 1, (page, command)
    assert {start for start in CHECKS} == {
        start for start in CHECKS if any(c.startswith(start) for _, c in found)
    }


@pytest.mark.parametrize(("page", "command"), examples(), ids=[f"{p}: {c}" for p, c in examples()])
def test_the_example_finds_what_the_text_says(demo: Demo, page: str, command: str) -> None:
    check_of(command)(demo, bash(demo, command))


def test_a_bare_date_is_read_by_git_as_today_s_time_of_that_day(demo: Demo) -> None:
    # Why the docs give --since a time: git's approxidate reads a bare date as that day at the current time of day.
    cutoff = git(demo.path, "rev-parse", "--since=2026-11-01").strip()
    midnight = git(demo.path, "rev-parse", "--since=2026-11-01 00:00").strip()
    assert midnight == "--max-age=1793462400"  # 2026-11-01T00:00:00+08:00
    assert int(cutoff.removeprefix("--max-age=")) >= 1793462400


def test_minqing_log_piped_to_head_ends_quietly(demo: Demo) -> None:
    # The demo's log is megabytes: head leaves long before minqing has written it all.
    command = f"set -o pipefail; {sys.executable} -m minqing.cli -C '{demo.path}' log | head -1"
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert len(proc.stdout.splitlines()) == 1
