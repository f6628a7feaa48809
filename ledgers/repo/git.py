"""The one git runner: every git process minqing starts goes through `run` (the store's commits, the index's
cat-file, sync's fetch/merge/push, doctor, hooks). The git command line directly, not GitPython: importing
GitPython costs more than a whole commit (docs/decisions/performance.md); GitPython serves `clone` and `sync`'s
remote progress only (ledgers/sync/remote.py).

Never prompts: a cron job must fail, not wait for a password.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..core.errors import EnvironmentProblem

# Output that does not depend on the user's git config: no signatures in log, paths unquoted, prefixes on.
SAFE_CONFIG = ("-c", "log.showSignature=false", "-c", "core.quotePath=false", "-c", "diff.noprefix=false")


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env.update(extra or {})
    return env


def run(
    cwd: Path | str,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | bytes | None = None,
    text: bool = True,
) -> subprocess.CompletedProcess:
    """Run git in `cwd`; the exit code and stderr are the caller's to read. A missing git is EnvironmentProblem."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=text,
            env=environment(env),
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            check=False,
        )
    except OSError as exc:
        raise EnvironmentProblem("git_failed", detail=str(exc)) from None


def popen(
    cwd: Path | str, *args: str, env: Mapping[str, str] | None = None, **streams: int
) -> subprocess.Popen:
    """A long-running git (cat-file --batch, fast-import) with the pipes the caller asks for."""
    try:
        return subprocess.Popen(["git", *args], cwd=cwd, env=environment(env), **streams)
    except OSError as exc:
        raise EnvironmentProblem("git_failed", detail=str(exc)) from None


def last_line(proc: subprocess.CompletedProcess) -> str:
    raw = proc.stderr or proc.stdout or ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    lines = [line for line in raw.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit {proc.returncode}"


def output(cwd: Path | str, *args: str, env: Mapping[str, str] | None = None, strip: bool = True) -> str:
    """stdout of a git command that must succeed (EnvironmentProblem naming git's last line otherwise)."""
    proc = run(cwd, *args, env=env)
    if proc.returncode != 0:
        raise EnvironmentProblem("git_failed", detail=last_line(proc))
    return proc.stdout.strip() if strip else proc.stdout


def output_bytes(cwd: Path | str, *args: str, input: bytes | None = None) -> bytes:
    proc = run(cwd, *args, input=input, text=False)
    if proc.returncode != 0:
        raise EnvironmentProblem("git_failed", detail=last_line(proc))
    return proc.stdout
