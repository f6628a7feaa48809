"""Shared fixtures: real git ledgers in temp dirs, a CliRunner wrapper, and a guard that refused commands write nothing."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from audit_fixture import book, template  # noqa: F401 (fixtures: a ledger with a built history, per module)
from typer.testing import CliRunner

from minqing.cli.app import app
from minqing.ledgers.ops import register
from minqing.ledgers.repo.store import Ledger

NOW = "2026-11-23T10:00:00+08:00"
# The test-only switch that lets MINQING_NOW pin the clock (ledgers/core/fields.py); set for the whole run, so the
# subprocesses the tests start inherit it.
os.environ["MINQING_TEST_CLOCK"] = "1"


@pytest.fixture(autouse=True)
def _office_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed clock and a clean environment: tests never depend on the real date or the user's git identity."""
    monkeypatch.setenv("MINQING_NOW", NOW)
    monkeypatch.setenv("MINQING_LANG", "zh")
    monkeypatch.setenv("MINQING_LOCK_TIMEOUT", "2")
    # pytest-xdist's workers inherit COLUMNS=80; tables fit COLUMNS when stdout is no terminal (cli/tables.py), so
    # a test that wants a width sets it itself.
    for name in ("MINQING_USER", "MINQING_LEDGER", "NO_COLOR", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run(*args: str, ledger: Path | None = None, input: str | None = None) -> Run:
    """Invoke the CLI in-process. Never lets a traceback through: an uncaught exception fails the test."""
    argv = (["-C", str(ledger)] if ledger else []) + list(args)
    result = CliRunner().invoke(app, argv, input=input, catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError(
            f"minqing {' '.join(argv)} raised {result.exception!r}\n"
            + "".join(traceback.format_exception(result.exception))
        )
    assert "Traceback" not in result.output
    return Run(result.exit_code, result.stdout, result.stderr)


def snapshot(path: Path) -> tuple[str, str]:
    """HEAD and the porcelain status: a refused command must leave both exactly as they were."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True
    ).stdout.strip()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=path, capture_output=True, text=True
    ).stdout
    return head, status


def refused(ledger: Path, *args: str, code: int = 2, contains: str | None = None) -> Run:
    """Run a command that must be refused: exit `code`, one-line message on stderr, ledger unchanged."""
    before = snapshot(ledger)
    result = run(*args, ledger=ledger)
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    if contains:
        assert contains in result.stderr, result.stderr
    assert snapshot(ledger) == before
    return result


@dataclass
class Sample:
    """A small ledger: 1 county, 2 townships, 3 villages, a group, 4 cadres, 4 households."""

    path: Path
    admin: str
    clerk: str
    village_cadre: str
    township_leader: str
    county_leader: str
    households: list[str]

    def ledger(self) -> Ledger:
        return Ledger.open(self.path)


@pytest.fixture
def sample(tmp_path: Path) -> Sample:
    path = tmp_path / "ledger"
    led = register.init(str(path), "520602", "碧江区", "测试管理员", at=NOW)
    led = Ledger.open(path)
    register.add_unit(led, None, "520602101", "和平乡", "township", "520602", at=NOW)
    register.add_unit(led, None, "520602102", "坝黄镇", "township", "520602", at=NOW)
    register.add_unit(led, None, "520602101201", "板栗园村", "village", "520602101", at=NOW)
    register.add_unit(led, None, "520602101202", "桃映村", "village", "520602101", at=NOW)
    register.add_unit(led, None, "520602102201", "宋家坝村", "village", "520602102", at=NOW)
    register.add_unit(led, None, "52060210120101", "一组", "group", "520602101201", at=NOW)
    admin = led._configured_user() or ""
    clerk = register.add_cadre(led, None, name="测试录入员", unit="520602101", role="clerk", at=NOW).id
    village = register.add_cadre(led, None, name="测试村干部", unit="520602101201", role="village", at=NOW).id
    town = register.add_cadre(
        led,
        None,
        name="测试乡领导",
        unit="520602101",
        role="township_leader",
        title="包村领导",
        phone="13800001234",
        at=NOW,
    ).id
    county = register.add_cadre(led, None, name="测试县领导", unit="520602", role="county_leader", at=NOW).id
    homes = [
        register.add_household(
            led,
            None,
            head="测试户甲",
            village="520602101201",
            group="52060210120101",
            status="poor",
            members=4,
            at=NOW,
        ).id,
        register.add_household(
            led, None, head="测试户乙", village="520602101201", status="monitored", at=NOW
        ).id,
        register.add_household(
            led, None, head="测试户丙", village="520602101202", status="general", at=NOW
        ).id,
        register.add_household(led, None, head="测试户丁", village="520602102201", status="poor", at=NOW).id,
    ]
    return Sample(path, admin, clerk, village, town, county, homes)


@pytest.fixture
def env_as(monkeypatch: pytest.MonkeyPatch):
    def set_user(cadre: str) -> None:
        monkeypatch.setenv("MINQING_USER", cadre)

    return set_user


def first_line_then_close(ledger: Path, *args: str) -> str:
    """`minqing -C LEDGER ARGS | head -1` as a real pipe: the first line, after the listing has ended quietly (exit 0,
    nothing on stderr) when its reader went away."""
    import shutil

    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "MINQING_LEDGER")}
    listing = subprocess.Popen(
        [shutil.which("minqing") or "minqing", "-C", str(ledger), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert listing.stdout is not None and listing.stderr is not None
    first = listing.stdout.readline()
    listing.stdout.close()
    assert listing.wait(timeout=60) == 0
    assert listing.stderr.read() == b""
    return first.decode()


def git(path: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="hand",
        GIT_AUTHOR_EMAIL="hand@example.invalid",
        GIT_COMMITTER_NAME="hand",
        GIT_COMMITTER_EMAIL="hand@example.invalid",
    )
    return subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, check=True, env=env
    ).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample county, built once per test module through the CLI (modules that only read it share it)."""
    from foundation_util import office_env

    path = tmp_path_factory.mktemp("demo") / "bijiang"
    with office_env():
        result = run("demo", str(path))
    assert result.exit_code == 0, result.output
    return path
