"""The performance fast paths keep their safety properties (issue 9, docs/decisions/performance.md):

- HEAD is read from .git like git does, and asked of git whenever the layout is unusual;
- the staged-leftover guard is skipped only when the index file is the very one our last commit wrote;
- a ledger runs with a split index, set by init or by the first commit that finds a large unsplit index;
- the CLI builds only the command it runs and never imports pydantic, GitPython or unneeded modules.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, Sample, git, refused, run

from minqing.ledgers.ops import visits
from minqing.ledgers.repo import store
from minqing.ledgers.repo.store import UNKNOWN, Ledger, read_head

ROOT = Path(__file__).resolve().parent.parent


def _rev_parse(path: Path) -> str:
    return git(path, "rev-parse", "HEAD").strip()


def _git_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []
    real = Ledger.git

    def spy(self: Ledger, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        calls.append(args)
        return real(self, *args, env=env, input=input)

    monkeypatch.setattr(Ledger, "git", spy)
    return calls


# ---------------------------------------------------------------- HEAD without a git process


def test_head_is_read_from_loose_and_packed_refs(sample: Sample) -> None:
    led = sample.ledger()
    assert read_head(led.git_dir) == _rev_parse(sample.path) == led.head()
    git(sample.path, "pack-refs", "--all")
    assert not (sample.path / ".git" / "refs" / "heads" / "main").exists()
    assert read_head(led.git_dir) == _rev_parse(sample.path)


def test_head_detached_unborn_and_unusual_layouts(sample: Sample, tmp_path: Path) -> None:
    head = _rev_parse(sample.path)
    git(sample.path, "checkout", "-q", "--detach")
    assert read_head(sample.path / ".git") == head
    unborn = tmp_path / "unborn"
    subprocess.run(["git", "init", "-q", "-b", "main", str(unborn)], check=True)
    assert read_head(unborn / ".git") is None
    # A worktree's .git is a file: not read by hand, git is asked instead and gives the same answer.
    git(sample.path, "worktree", "add", "-q", "--detach", str(tmp_path / "wt"))
    assert read_head(tmp_path / "wt" / ".git") is UNKNOWN
    assert Ledger(tmp_path / "wt").head() == head


# ---------------------------------------------------------------- the staged-leftover guard


def _visit(sample: Sample, note: str) -> str:
    visit, _ = visits.add_visit(
        sample.ledger(),
        sample.admin,
        household=sample.households[0],
        by=[sample.village_cadre],
        note=note,
        at=NOW,
    )
    return visit.id


def test_guard_is_skipped_only_while_the_index_is_as_our_last_commit_left_it(
    sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    _visit(sample, "first")
    stamp = (sample.path / ".git" / "minqing" / "index-stamp").read_text().split()
    assert stamp[0] == _rev_parse(sample.path)
    calls = _git_calls(monkeypatch)
    _visit(sample, "second")
    assert [c[0] for c in calls] == ["ls-tree", "update-index", "write-tree", "commit-tree", "update-ref"]
    # `git status` may refresh and rewrite the index: the next commit checks again, and it is clean.
    (sample.path / ".git" / "minqing" / "index-stamp").write_text("0" * 40 + " 1:2:3\n")
    calls.clear()
    _visit(sample, "third")
    assert calls[0][0] == "diff-index"
    assert git(sample.path, "status", "--porcelain") == ""


def test_a_staged_leftover_is_still_refused_after_a_fast_commit(sample: Sample) -> None:
    _visit(sample, "first")
    cadre_file = next((sample.path / "cadres").glob("*.yaml"))
    original = cadre_file.read_text(encoding="utf-8")
    cadre_file.write_text(original + "# hand edit\n", encoding="utf-8")
    git(sample.path, "add", str(cadre_file))
    git(
        sample.path, "checkout", "--", str(cadre_file)
    )  # staged, not in the working tree: only the index knows
    result = refused(
        sample.path,
        "visit",
        "add",
        "--as",
        sample.admin,
        "--household",
        sample.households[0],
        "--by",
        sample.village_cadre,
        code=4,
    )
    assert cadre_file.name in result.stderr
    assert "minqing doctor" in result.stderr


def test_a_crash_after_staging_is_caught_by_the_guard(sample: Sample) -> None:
    _visit(sample, "first")
    head = _rev_parse(sample.path)
    env = {"MINQING_CRASH_AT": "index", "MINQING_USER": sample.admin}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "minqing.cli",
            "-C",
            str(sample.path),
            "visit",
            "add",
            "--household",
            sample.households[0],
            "--by",
            sample.village_cadre,
        ],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **env},
    )
    assert done.returncode == -9
    assert _rev_parse(sample.path) == head
    staged = git(sample.path, "diff", "--cached", "--name-only").split()
    assert len(staged) == 1 and staged[0].startswith("visits/")
    # The killed command left its journal and a staged file; the next operation refuses until doctor runs.
    result = run(
        "visit",
        "add",
        "--as",
        sample.admin,
        "--household",
        sample.households[0],
        "--by",
        sample.village_cadre,
        ledger=sample.path,
    )
    assert result.exit_code == 4, result.output
    assert _rev_parse(sample.path) == head


# ---------------------------------------------------------------- split index


def test_init_sets_a_split_index(sample: Sample) -> None:
    assert git(sample.path, "config", "core.splitIndex").strip() == "true"
    assert git(sample.path, "config", "feature.manyFiles").strip() == "true"
    _visit(sample, "one")
    assert list((sample.path / ".git").glob("sharedindex.*"))
    assert git(sample.path, "status", "--porcelain") == ""


def test_a_large_unsplit_index_is_tuned_by_the_next_commit(
    sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(sample.path, "config", "--unset", "core.splitIndex")
    git(sample.path, "config", "--unset", "feature.manyFiles")
    monkeypatch.setattr(store, "BIG_INDEX_BYTES", 0)
    _visit(sample, "one")
    assert git(sample.path, "config", "core.splitIndex").strip() == "true"
    # An office that chose otherwise keeps its choice.
    git(sample.path, "config", "core.splitIndex", "false")
    _visit(sample, "two")
    assert git(sample.path, "config", "core.splitIndex").strip() == "false"
    assert git(sample.path, "status", "--porcelain") == ""


# ---------------------------------------------------------------- startup: lazy commands, no heavy imports

PROBE = """
import json, sys
sys.argv = ["minqing"] + sys.argv[1:]
from minqing.cli.app import main
try:
    main()
except SystemExit:
    pass
heavy = ("git", "yaml", "sqlite3", "pydantic", "rich", "tabulate", "jsonschema", "openpyxl")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy})), file=sys.stderr)
"""


def _imported(*argv: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> list[str]:
    import os

    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_the_entry_point_freezes_what_startup_made(sample: Sample) -> None:
    probe = (
        "import gc, sys\n"
        "sys.argv = ['minqing', 'status']\n"
        "from minqing.cli.app import main\n"
        "before = gc.get_freeze_count()\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(before, gc.get_freeze_count(), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=sample.path)
    before, after = map(int, done.stderr.split()[-2:])
    assert before == 0 and after > 5_000, done.stderr


def test_version_imports_nothing_heavy() -> None:
    assert _imported("--version") == []


def test_commands_import_only_what_they_need(sample: Sample) -> None:
    env = {"MINQING_USER": sample.admin}
    item = run(
        "issue",
        "add",
        "--as",
        sample.admin,
        "--desc",
        "路灯坏了",
        "--category",
        "infrastructure",
        "--household",
        sample.households[0],
        ledger=sample.path,
    )
    assert item.exit_code == 0, item.output
    item_id = item.stdout.split()[0]
    # Reading minqing's own files (the config included) is fastyaml's: PyYAML (~20 ms) only for what it cannot read.
    assert _imported("issue", "show", item_id, cwd=sample.path, env=env) == []
    assert _imported(
        "visit",
        "add",
        "--household",
        sample.households[0],
        "--by",
        sample.village_cadre,
        cwd=sample.path,
        env=env,
    ) == ["yaml"]
    # Tables of ASCII and Chinese are measured by counting (core/cells.py, issue 19) and drawn directly when every
    # cell fits its line: rich (~11 ms) only for what it must measure or draw.
    assert _imported("status", cwd=sample.path, env=env) == ["sqlite3"]
    # (After `visit add`: once a ledger has its index, a write keeps it fresh, and so imports sqlite3.)
    assert _imported("log", item_id, cwd=sample.path, env=env) == ["sqlite3"]  # the names it shows: the index


def test_each_command_module_registers_the_names_listed_for_it() -> None:
    import typer.main

    from minqing.cli import app as app_module

    for module, names in app_module.COMMAND_MODULES.items():
        holder = app_module.registered(module)
        registered = [
            info.name or typer.main.get_command_name(info.callback.__name__)
            for info in holder.registered_commands
        ] + [typer.main.solve_typer_info_defaults(info).name for info in holder.registered_groups]
        assert tuple(registered) == names, module
    modules = {path.stem.removeprefix("cmd_") for path in (ROOT / "cli").glob("cmd_*.py")}
    assert modules == set(app_module.COMMAND_MODULES)


def test_command_modules_keep_their_annotations_evaluated() -> None:
    """Typer reads every parameter's annotation when it builds the command that runs. Written as strings
    (`from __future__ import annotations`), each would be compiled then: ~2 ms of `log ENTRY`'s startup."""
    for path in [*(ROOT / "cli").glob("cmd_*.py"), ROOT / "cli" / "app.py"]:
        assert "from __future__ import annotations" not in path.read_text(encoding="utf-8"), path.name


def test_a_command_imports_only_its_own_module(sample: Sample) -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['minqing', 'status']\n"
        "from minqing.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('minqing.cli.cmd_')), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=sample.path)
    assert done.stderr.strip().splitlines()[-1] == "['minqing.cli.cmd_ledger']", done.stderr


def test_lazy_tree_lists_and_helps_every_command_as_typer_would() -> None:
    import typer
    import typer.main
    from typer.models import TyperInfo

    from minqing.cli.app import app, every_command

    lazy = typer.main.get_command(app)
    eager = typer.main.get_group_from_info(
        TyperInfo(every_command()), pretty_exceptions_short=True, rich_markup_mode=None, suggest_commands=True
    )

    from minqing.cli import help_lang
    from minqing.cli.common import STATE

    STATE.lang = "en"

    def walk(group: typer.core.TyperGroup, prefix: str = "") -> dict[str, str]:
        ctx = typer.Context(group, info_name="minqing", terminal_width=100, max_content_width=100)
        found = {}
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            sub = typer.Context(
                command, info_name=f"minqing {prefix}{name}", terminal_width=100, max_content_width=100
            )
            if getattr(command, "help_path", None) is None:
                # Typer's eager command: its help comes from the same catalog as ours (issue 17: no help literals)
                command.help_path = prefix + name
                help_lang.localize(command, sub, "en")
            if hasattr(command, "list_commands"):  # a group: the same commands (their summaries are ours)
                found[prefix + name] = " ".join(command.list_commands(sub))
                found.update(walk(command, f"{prefix}{name} "))
            else:
                found[prefix + name] = command.get_help(sub)
        return found

    lazy_help, eager_help = walk(lazy), walk(eager)
    assert list(lazy_help) == list(eager_help)
    assert len(lazy_help) > 60
    assert lazy_help == eager_help


def test_option_values_keep_their_types_and_errors(sample: Sample) -> None:
    # list[str] (--raise and --category given twice) and str options arrive as the command expects them.
    result = run(
        "visit", "add", "--as", sample.admin, "--household", sample.households[0],
        "--by", f"{sample.village_cadre},{sample.township_leader}", "--note", "两人同去",
        "--raise", "屋顶漏雨", "--category", "housing", "--raise", "缺水", "--category", "water",
        ledger=sample.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stream = next((sample.path / "visits").rglob("*.yaml")).read_text(encoding="utf-8")
    assert f"by: [{sample.village_cadre}, {sample.township_leader}]" in stream
    assert "note: 两人同去" in stream
    raised = sorted(path.read_text(encoding="utf-8") for path in (sample.path / "issues").rglob("*.yaml"))
    assert len(raised) == 2
    assert {"desc: 屋顶漏雨\n" in text and "category: housing\n" in text for text in raised} == {True, False}
    assert any("desc: 缺水\n" in text and "category: water\n" in text for text in raised)
    bad = run("--lang", "en", "visit", "add", "--bogus", ledger=sample.path)
    assert bad.exit_code == 2
    assert "No such option: --bogus" in bad.stderr
    assert "没有选项 --bogus" in run("visit", "add", "--bogus", ledger=sample.path).stderr  # issue 17
    # int: digits are converted here, anything else goes to Typer's own coercion and its message.
    one = run("log", "-n", "1", "--json", ledger=sample.path)
    assert one.exit_code == 0, one.output
    assert len(json.loads(one.stdout)) == 1
    wrong = run("--lang", "en", "log", "-n", "x1", ledger=sample.path)
    assert wrong.exit_code == 2
    assert "Invalid value for '-n' / '--limit'" in wrong.stderr


# ---------------------------------------------------------------- cold index build on every core


def _table_rows(index_mod, conn) -> dict[str, list[tuple]]:
    return {
        table: sorted(map(tuple, conn.execute(f"SELECT * FROM {table}")), key=repr)  # noqa: S608
        for table in ("blobs", *index_mod.TABLES)
    }


def test_sharded_cold_build_equals_the_serial_one(sample: Sample, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from minqing.ledgers.read import index as index_mod

    for n in range(6):
        _visit(sample, f"第{n}次")
    run("issue", "add", "--as", sample.admin, "--desc", "路灯坏了", "--category", "infrastructure",
        "--household", sample.households[1], ledger=sample.path)  # fmt: skip
    led = sample.ledger()
    monkeypatch.setattr(index_mod, "PARALLEL_MIN_BLOBS", 10**9)
    with index_mod.Index.open(led, rebuild=True) as serial:
        expected = _table_rows(index_mod, serial.conn)
    monkeypatch.setattr(index_mod, "PARALLEL_MIN_BLOBS", 1)
    monkeypatch.setattr(index_mod, "SHARD_WEIGHT", 3)  # many small tasks over both workers
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    progress: list[tuple[int, int]] = []
    with index_mod.Index.open(
        led, rebuild=True, progress=lambda done, total: progress.append((done, total))
    ) as sharded:
        assert _table_rows(index_mod, sharded.conn) == expected
        assert sharded.parsed == len(expected["blobs"])
    assert progress[-1] == (len(expected["blobs"]),) * 2 and len(progress) > 2
    assert sum(len(rows) for rows in expected.values()) > 40
    assert not list((sample.path / ".git" / "minqing").glob("shards.*"))


def test_a_git_failure_in_a_worker_is_one_clean_error(
    sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from minqing.ledgers.core.errors import EnvironmentProblem
    from minqing.ledgers.read import index as index_mod

    def broken(root, blobs):  # noqa: ANN001, ARG001 - runs in the forked worker
        raise EnvironmentProblem("git_failed", detail="cat-file: blob missing")

    monkeypatch.setattr(index_mod, "PARALLEL_MIN_BLOBS", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(index_mod, "_cat_blobs", broken)
    with pytest.raises(EnvironmentProblem) as error:
        index_mod.Index.open(sample.ledger(), rebuild=True)
    assert error.value.render("en") == "git failed: cat-file: blob missing"
    state = sample.path / ".git" / "minqing"
    assert not list(state.glob("shards.*")) and not list(state.glob("*.tmp"))


def test_cat_file_answers_are_read_one_way_from_pipes_files_and_memory(
    sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gitwalk.read_batch_answer` parses `git cat-file --batch` for log and audit (a pipe) and for the index
    (a temp file read into memory, or a pipe for more than CAT_AT_ONCE blobs): the same contents every way, None for
    a missing object, an error when git stops short."""
    import io

    from minqing.ledgers.core.errors import EnvironmentProblem
    from minqing.ledgers.read import index as index_mod
    from minqing.ledgers.repo.gitwalk import Git, Objects, read_batch_answer

    paths = git(sample.path, "ls-files", "households").split()[:7]
    blobs = [git(sample.path, "rev-parse", f"HEAD:{path}").strip() for path in paths]
    files = [(sample.path / path).read_bytes() for path in paths]
    assert list(index_mod._cat_blobs(sample.path, blobs)) == files  # from a temp file
    monkeypatch.setattr(index_mod, "CAT_AT_ONCE", 2)
    assert list(index_mod._cat_blobs(sample.path, blobs)) == files  # streamed from the pipe
    objects = Objects(Git(sample.path))
    try:
        assert objects.read_many([*blobs[:2], "HEAD:no such file.yaml", blobs[2]]) == [
            *files[:2],
            None,
            files[2],
        ]
    finally:
        objects.close()
    with pytest.raises(EnvironmentProblem, match="blob 0+ missing"):
        list(index_mod._cat_blobs(sample.path, [blobs[0], "0" * 40]))
    answer = b"%s blob %d\n%s\n" % (blobs[0].encode(), len(files[0]), files[0])
    assert read_batch_answer(io.BytesIO(answer)) == (b"blob", files[0])
    for cut in (len(answer) - 1, len(answer) - 5, 10, 0):
        with pytest.raises(EnvironmentProblem):
            read_batch_answer(io.BytesIO(answer[:cut]))
