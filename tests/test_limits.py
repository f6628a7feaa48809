"""Limits (issue 10): size and alias limits on every YAML read; a full disk or a read-only ledger gives one clear
line (exit 4) and leaves nothing half-written.

- Every YAML read goes through ledgers/yamlio.py, whose loaders refuse files over the size limit (counted in
  UTF-8 bytes), anchors and aliases (billion laughs), tags and NUL bytes before parsing; a static test holds that
  no module parses YAML any other way. Then each kind of reader is fed a committed bomb and a huge file.
- A full disk and a read-only ledger are simulated in-process (os.replace / os.link raising ENOSPC or EROFS at
  the n-th call) and, where this machine allows a private mount namespace (`unshare -m`, as root), for real: a
  tmpfs filled to within a few KB, and a read-only bind mount. Root ignores chmod, so chmod is not used.
"""

from __future__ import annotations

import ast
import errno
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import NOW, git, refused, run, snapshot

from minqing.ledgers.core import yamlio
from minqing.ledgers.ops import register, workflow
from minqing.ledgers.repo.store import Ledger

ROOT = Path(__file__).resolve().parent.parent
VILLAGE = "520602101201"
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@dataclass
class Base:
    path: Path
    admin: str
    home: str
    items: list[str]


def _build(path: Path) -> Base:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINQING_NOW", NOW)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.delenv("MINQING_USER", raising=False)
        register.init(str(path), "520602", "碧江区", "管理员", at=NOW)
        led = Ledger.open(path)
        register.add_unit(led, None, "520602101", "和平乡", "township", "520602", at=NOW)
        register.add_unit(led, None, VILLAGE, "板栗园村", "village", "520602101", at=NOW)
        home = register.add_household(led, None, head="王大", village=VILLAGE, at=NOW).id
        items = [
            workflow.add_item(
                led,
                None,
                desc=f"事项{n}",
                category="water",
                kind=None,
                ledger_name=None,
                source=None,
                household=home,
                at=NOW,
            ).id
            for n in range(3)
        ]
        from minqing.ledgers.ops import visits

        visits.add_visit(
            led, None, household=home, by=[led._configured_user() or ""], note="第一次走访", at=NOW
        )
        return Base(path, led._configured_user() or "", home, items)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return _build(tmp_path_factory.mktemp("limits") / "ledger")


@pytest.fixture
def base(template: Base, tmp_path: Path) -> Base:
    target = tmp_path / "ledger"
    shutil.copytree(template.path, target, symlinks=True)
    return Base(target, template.admin, template.home, template.items)


def _visit(base: Base) -> tuple[str, ...]:
    return (
        "visit",
        "add",
        "--household",
        base.home,
        "--by",
        base.admin,
        "--note",
        "满了",
        "--raise",
        "屋顶漏雨",
        "--category",
        "housing",
        "--raise",
        "饮水",
        "--category",
        "water",
    )


# ---------------------------------------------------------------- every YAML read goes through yamlio

YAML_LOADERS = {
    "load",
    "safe_load",
    "load_all",
    "safe_load_all",
    "full_load",
    "full_load_all",
    "unsafe_load",
    "unsafe_load_all",
    "compose",
    "compose_all",
    "parse",
    "scan",
}


def _yaml_calls(source: Path) -> list[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in YAML_LOADERS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "yaml"
        ):
            found.append(f"{source.relative_to(ROOT)}:{node.lineno}: yaml.{node.func.attr}")
    return found


def test_no_module_parses_yaml_except_through_yamlio() -> None:
    sources = sorted((ROOT / "ledgers").rglob("*.py")) + sorted((ROOT / "cli").glob("*.py"))
    assert len(sources) > 20
    offenders = [call for source in sources if source.name != "yamlio.py" for call in _yaml_calls(source)]
    assert offenders == []
    # cli/ never imports yaml at all (DESIGN §2: parsing is ledgers/' business).
    for source in sorted((ROOT / "cli").glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        names = [
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        ]
        names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert "yaml" not in names, source


@pytest.mark.parametrize("loader", [yamlio.load, yamlio.load_all, yamlio.load_located])
@pytest.mark.parametrize(
    ("text", "code"),
    [
        (BOMB, "yaml_alias"),
        ("x: !!python/object/apply:os.system ['true']\n", "yaml_tag"),
        ("x: !custom 1\n", "yaml_tag"),
        ("a: 1\nb: \x00\n", "nul_bytes"),
        ("desc: " + "长" * 400_000 + "\n", "too_large"),  # 400k characters, 1.2 MB: the limit counts bytes
    ],
    ids=["billion-laughs", "python-tag", "custom-tag", "nul", "utf8-bytes"],
)
def test_every_loader_screens_before_parsing(loader, text: str, code: str) -> None:
    limit = yamlio.MAX_ENTITY_BYTES
    with pytest.raises(yamlio.YamlProblem) as caught:
        if loader is yamlio.load_located:
            loader(text)
        else:
            loader(text, limit=limit)
    assert caught.value.code == code
    assert caught.value.line >= 1


def _commit_by_hand(path: Path, rel: str, content: str) -> None:
    (path / rel).write_text(content, encoding="utf-8")
    git(path, "commit", "-q", "-m", f"hand edit {rel}", "--", rel)


@pytest.fixture(scope="module")
def poisoned(template: Base, tmp_path_factory: pytest.TempPathFactory) -> Base:
    """Committed by hand: one item with a billion-laughs tail, one item grown past the entity limit."""
    path = tmp_path_factory.mktemp("poisoned") / "ledger"
    shutil.copytree(template.path, path, symlinks=True)
    bomb_rel, huge_rel = (f"issues/2026/{item}.yaml" for item in template.items[:2])
    _commit_by_hand(path, bomb_rel, (path / bomb_rel).read_text(encoding="utf-8") + BOMB)
    huge = (path / huge_rel).read_text(encoding="utf-8").replace("desc: ", "desc: " + "长" * 400_000, 1)
    _commit_by_hand(path, huge_rel, huge)
    return Base(path, template.admin, template.home, template.items)


def _rel(base: Base, n: int) -> str:
    return f"issues/2026/{base.items[n]}.yaml"


@pytest.mark.parametrize(
    ("argv", "which"),
    [
        (("issue", "show", "{0}"), 0),
        (("issue", "show", "{1}"), 1),
        (("issue", "progress", "{0}", "--note", "x"), 0),
        (("issue", "resolve", "{1}", "--how", "solved", "--note", "x"), 1),
        (("export", "--kind", "issues"), 0),
    ],
)
def test_readers_of_a_bomb_or_huge_file_exit_4_naming_it(
    poisoned: Base, argv: tuple[str, ...], which: int
) -> None:
    args = [arg.format(*poisoned.items) for arg in argv]
    result = refused(poisoned.path, "--lang", "en", *args, code=4)
    message = result.stderr.removeprefix("minqing: ")
    if argv[0] == "export":  # it reads every item, in id order: the first bad one is named
        which = 0 if message.startswith(_rel(poisoned, 0)) else 1
    assert message.startswith(f"{_rel(poisoned, which)}:"), result.stderr
    assert ("anchors and aliases" in message) if which == 0 else ("the limit is 1048576" in message)


@pytest.mark.parametrize(
    "argv",
    [("issue", "list"), ("status",), ("rollup",), ("reindex",), ("find", "事项"), ("household", "list")],
)
def test_listings_leave_unreadable_files_out_and_say_so(poisoned: Base, argv: tuple[str, ...]) -> None:
    before = snapshot(poisoned.path)
    result = run("--lang", "en", *argv, ledger=poisoned.path)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "could not be read" in line]
    assert warnings == [
        "minqing: 2 ledger file(s) could not be read and are not counted (e.g. "
        f"{min(_rel(poisoned, 0), _rel(poisoned, 1))}); run minqing check"
    ]
    assert snapshot(poisoned.path) == before


def test_check_and_audit_name_both_files(poisoned: Base) -> None:
    result = run("--lang", "en", "check", ledger=poisoned.path)
    assert result.exit_code == 1
    for n in (0, 1):
        assert f"{_rel(poisoned, n)}:" in result.stdout
    assert "anchor or alias" in result.stdout and "too large" in result.stdout
    audit = run("--lang", "en", "audit", ledger=poisoned.path)
    assert audit.exit_code == 1
    assert _rel(poisoned, 0) in audit.stdout and _rel(poisoned, 1) in audit.stdout


def test_a_huge_file_in_the_working_tree_is_refused_without_reading_it(base: Base) -> None:
    """65 MiB pasted over a visit stream: over every limit, refused by its size alone."""
    stream = next((base.path / "visits").glob("*/*.yaml"))
    rel = stream.relative_to(base.path).as_posix()
    with open(stream, "ab") as handle:
        handle.truncate(yamlio.MAX_STREAM_BYTES + 1)  # sparse: the test does not write 64 MiB
    result = refused(base.path, "--lang", "en", "visit", "list", code=4)
    assert (
        result.stderr == f"minqing: {rel}:1: file is {yamlio.MAX_STREAM_BYTES + 1} bytes; the limit is "
        f"{yamlio.MAX_STREAM_BYTES} (run minqing check for all findings)\n"
    )
    refused(base.path, "--lang", "en", *_visit(base), code=4, contains=rel)


# ---------------------------------------------------------------- a full disk or a read-only ledger, in-process


def _fail_nth(
    monkeypatch: pytest.MonkeyPatch, name: str, under: Path, nth: int, code: int, then_all: bool = False
) -> list[str]:
    """Make os.<name> raise OSError(code) on its nth call for a path under `under` (and every later one)."""
    real = getattr(os, name)
    calls: list[str] = []

    def failing(src, dst, *args, **kwargs):
        target = str(dst)
        if target.startswith(str(under)):
            calls.append(target)
            if len(calls) == nth or (then_all and len(calls) > nth):
                raise OSError(code, os.strerror(code), target)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, name, failing)
    return calls


@pytest.mark.parametrize("nth", [1, 2, 3, 4])
def test_disk_full_at_each_file_of_a_visit_writes_nothing(base: Base, monkeypatch, nth: int) -> None:
    """A visit with two raised items writes three files and the journal; the disk fills at the nth rename."""
    calls = _fail_nth(monkeypatch, "replace", base.path, nth, errno.ENOSPC)
    result = refused(base.path, "--lang", "en", *_visit(base), code=4, contains="No space left on device")
    assert len(calls) >= nth
    monkeypatch.undo()
    assert run("doctor", ledger=base.path).exit_code == 0
    assert list(base.path.rglob(".*.tmp")) == []
    assert result.stdout == ""


def test_disk_full_with_no_way_back_says_so_and_doctor_repairs(base: Base, monkeypatch) -> None:
    """git fails at the commit (the disk filled up) and the visit stream, already replaced, cannot be renamed back
    either: the message says so (still one line, exit 4) and doctor --fix puts the ledger back exactly."""
    from minqing.ledgers.core.errors import EnvironmentProblem
    from minqing.ledgers.repo import store

    before = snapshot(base.path)
    real = store.Ledger.git

    def git_fails_at_commit_tree(self, *args, **kwargs):
        if "commit-tree" in args:
            raise EnvironmentProblem(
                "git_failed", detail="fatal: unable to write loose object file: No space"
            )
        return real(self, *args, **kwargs)

    monkeypatch.setattr(store.Ledger, "git", git_fails_at_commit_tree)
    _fail_nth(monkeypatch, "replace", base.path / "visits", 2, errno.ENOSPC, then_all=True)
    result = run("--lang", "en", *_visit(base), ledger=base.path)
    assert result.exit_code == 4
    [line] = result.stderr.splitlines()
    assert line == (
        "minqing: the operation failed (fatal: unable to write loose object file: No space) and "
        f"visits/{NOW[:7]}/{VILLAGE}.yaml could not be restored; run minqing doctor --fix "
        "(committed records are not affected)"
    )
    monkeypatch.undo()
    assert snapshot(base.path)[0] == before[0]  # nothing was committed
    assert run("doctor", ledger=base.path).exit_code == 1
    assert run("doctor", "--fix", ledger=base.path).exit_code == 0
    assert snapshot(base.path) == before


def test_read_only_lock_directory_is_one_line(base: Base, monkeypatch) -> None:
    _fail_nth(monkeypatch, "link", base.path / ".git", 1, errno.EROFS, then_all=True)
    result = refused(base.path, "--lang", "en", *_visit(base), code=4, contains="Read-only file system")
    assert result.stderr.startswith("minqing: write failed: ")


def test_git_failing_mid_commit_leaves_index_and_files_as_they_were(base: Base, monkeypatch) -> None:
    from minqing.ledgers.core.errors import EnvironmentProblem
    from minqing.ledgers.repo import store

    real = store.Ledger.git

    def git_fails_at_commit_tree(self, *args, **kwargs):
        if "commit-tree" in args:
            raise EnvironmentProblem(
                "git_failed", detail="fatal: unable to write loose object file: No space"
            )
        return real(self, *args, **kwargs)

    monkeypatch.setattr(store.Ledger, "git", git_fails_at_commit_tree)
    refused(base.path, "--lang", "en", *_visit(base), code=4, contains="unable to write loose object file")
    refused(base.path, "--lang", "en", "household", "set", base.home, "--status", "poor", code=4)
    monkeypatch.undo()
    assert git(base.path, "diff", "--cached", "--name-only") == ""


# ---------------------------------------------------------------- for real, in a private mount namespace

NAMESPACE_SCRIPT = r"""
import json, os, shutil, subprocess, sys
mode, template, work = sys.argv[1], sys.argv[2], sys.argv[3]
commands = json.loads(sys.argv[4])
out = []

def sh(*args):
    subprocess.run(args, check=True, capture_output=True)

def state(ledger):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ledger, capture_output=True, text=True).stdout.strip()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ledger,
                            capture_output=True, text=True).stdout
    return [head, status]

def minqing(ledger, argv):
    proc = subprocess.run(["minqing", "-C", ledger, *argv], capture_output=True, text=True)
    return {"argv": argv, "rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}

if mode == "readonly":
    ledger = os.path.join(work, "ledger")
    shutil.copytree(template, ledger, symlinks=True)
    sh("mount", "--bind", ledger, ledger)
    sh("mount", "-o", "remount,bind,ro", ledger)
    before = state(ledger)
    for argv in commands:
        result = minqing(ledger, argv)
        result["same"] = state(ledger) == before
        out.append(result)
else:
    mnt = os.path.join(work, "mnt")
    os.makedirs(mnt, exist_ok=True)
    for free in range(0, 64 * 1024 + 1, 4096):
        sh("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt)
        try:
            ledger = os.path.join(mnt, "ledger")
            shutil.copytree(template, ledger, symlinks=True)
            stat = os.statvfs(mnt)
            fill = stat.f_bavail * stat.f_frsize - free
            if fill > 0:
                with open(os.path.join(mnt, "filler"), "wb") as handle:
                    try:
                        handle.write(b"\0" * fill)
                    except OSError:
                        pass
            before = state(ledger)
            result = minqing(ledger, commands[0])
            result["free"] = free
            result["same"] = state(ledger) == before
            os.unlink(os.path.join(mnt, "filler"))
            result["doctor"] = minqing(ledger, ["doctor"])["rc"]
            result["again"] = minqing(ledger, commands[1])["rc"]
            fsck = subprocess.run(["git", "fsck", "--no-dangling"], cwd=ledger, capture_output=True, text=True)
            result["fsck"] = fsck.returncode
            out.append(result)
        finally:
            subprocess.run(["umount", mnt])
print(json.dumps(out))
"""


def _namespace(mode: str, template: Path, tmp_path: Path, commands: list[list[str]]) -> list[dict]:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("minqing") is None:
        pytest.skip("needs root, unshare and the minqing console script")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no private mount namespace here (unshare -m failed)")
    script = tmp_path / "namespace.py"
    script.write_text(NAMESPACE_SCRIPT, encoding="utf-8")
    env = dict(os.environ, MINQING_NOW=NOW, MINQING_LANG="en", GIT_CONFIG_NOSYSTEM="1")
    env.pop("MINQING_USER", None)
    proc = subprocess.run(
        [
            "unshare",
            "-m",
            sys.executable,
            str(script),
            mode,
            str(template),
            str(tmp_path),
            json.dumps(commands),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if proc.returncode != 0 and "mount" in proc.stderr:
        pytest.skip(f"mounting is not allowed here: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_read_only_ledger_for_real(template: Base, tmp_path: Path) -> None:
    """A read-only bind mount (a backup, a write-protected share): every write is one line, exit 4, nothing
    changed; every read works."""
    item = template.items[0]
    writes = [
        list(_visit(template)),
        ["issue", "progress", item, "--note", "x"],
        ["doctor", "--fix"],
        ["household", "add", "--head", "新户", "--village", VILLAGE],
    ]
    reads = [
        ["issue", "show", item],
        ["issue", "list"],
        ["status"],
        ["check"],
        ["rollup"],
        ["log"],
        ["audit"],
        ["doctor"],
        ["visit", "list"],
        ["export", "--kind", "issues"],
        ["find", "王大"],
    ]
    results = _namespace("readonly", template.path, tmp_path, writes + reads)
    for result in results[: len(writes)]:
        assert result["rc"] == 4, result
        assert result["stdout"] == "" and len(result["stderr"].splitlines()) == 1, result
        assert "Read-only file system" in result["stderr"], result
        assert result["same"], result
    for result in results[len(writes) :]:
        assert result["rc"] == 0, result
        assert "Traceback" not in result["stderr"] and "internal error" not in result["stderr"], result
        assert result["same"], result


def test_full_disk_for_real(template: Base, tmp_path: Path) -> None:
    """A tmpfs filled to within 0, 4, 8 … 64 KB of full: the visit either lands or fails with one line (exit 4)
    and the ledger exactly as it was; once space is freed doctor finds nothing, the next write works, and git
    fsck is clean."""
    results = _namespace(
        "full",
        template.path,
        tmp_path,
        [list(_visit(template)), ["household", "set", template.home, "--status", "poor"]],
    )
    assert len(results) == 17
    failed = [r for r in results if r["rc"] != 0]
    assert failed, "the disk was never full enough to refuse a write"
    for result in results:
        assert result["rc"] in (0, 4), result
        if result["rc"] == 4:
            assert len(result["stderr"].splitlines()) == 1 and result["stdout"] == "", result
            assert result["same"], result
        assert (result["doctor"], result["again"], result["fsck"]) == (0, 0, 0), result
    print("\nfull disk: exit codes by free KB:", {r["free"] // 1024: r["rc"] for r in results})
