"""Talking to the central repo over the network: `clone` and `sync`'s fetch through GitPython, whose RemoteProgress
parses git's progress lines, so a clerk at a terminal sees 接收对象 45% (…) while the transfer runs; a cron job or a
script (no terminal: no progress stream given) sees nothing, and its fetch runs git directly, without GitPython. Everything local stays on the one git runner (repo/git.py):
GitPython costs more to import than a whole local commit (docs/decisions/performance.md), a network transfer does
not notice it. Push also stays there: its `--porcelain` lines tell a lost race from a refusal.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO

from ..core import messages

# git's progress stages, by RemoteProgress op code, and the message key that names each.
_STAGES = {
    "COUNTING": "progress_counting",
    "COMPRESSING": "progress_compressing",
    "RECEIVING": "progress_receiving",
    "RESOLVING": "progress_resolving",
    "WRITING": "progress_writing",
}


def _environment() -> dict[str, str]:
    # Never prompt (a cron job must fail, not wait for a password), like every other git minqing runs.
    return {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
    }


def _progress(stream: TextIO | None, lang: str) -> Any:
    """A RemoteProgress that redraws one line on `stream`, or None (no progress asked from git at all)."""
    if stream is None:
        return None
    from git import RemoteProgress  # lazy: only network commands pay for GitPython

    class Progress(RemoteProgress):
        def update(self, op_code: int, cur_count: Any, max_count: Any = None, message: str = "") -> None:
            stage = next(
                (key for name, key in _STAGES.items() if op_code & self.OP_MASK == getattr(self, name)), None
            )
            if stage is None:
                return
            label = messages.render(stage, lang)
            if max_count:
                shown = f"\r{label} {int(100 * float(cur_count) / float(max_count))}% ({int(cur_count)}/{int(max_count)})"
            else:
                shown = f"\r{label} {int(cur_count)}"
            stream.write(shown + ("\n" if op_code & self.END else ""))
            stream.flush()

    return Progress()


def _detail(error: Any) -> str:
    """git's own last line, without GitPython's `stderr: '…'` wrapping."""
    text = str(getattr(error, "stderr", "") or error)
    lines = [line.strip().removeprefix("stderr:").strip(" '\"") for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    # git ends some failures with advice ("…and the repository exists."); its last fatal: line says what went wrong.
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or [str(error)])[-1]


class TransferFailed(Exception):
    """git could not reach or read the remote; `detail` is git's last line."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def clone(url: str, target: Path, progress: TextIO | None = None, lang: str = "zh") -> None:
    from git import Repo
    from git.exc import GitCommandError

    try:
        Repo.clone_from(url, str(target), progress=_progress(progress, lang), env=_environment())
    except GitCommandError as error:
        raise TransferFailed(_detail(error)) from None


def fetch(root: Path, remote: str, refspec: str, progress: TextIO | None = None, lang: str = "zh") -> None:
    """Fetch `refspec` from `remote`. Raises TransferFailed (its detail names a missing remote ref too).
    Without a progress stream (cron, a pipe, a script) git runs directly: GitPython is there to draw progress, and
    importing it was a tenth of a second of every `sync`."""
    if progress is None:
        from ..repo import git as git_runner

        proc = git_runner.run(root, "fetch", "--no-tags", "--", remote, refspec, env=_environment())
        if proc.returncode != 0:
            raise TransferFailed(_detail(proc.stderr or f"exit {proc.returncode}"))
        return
    from git import Remote, Repo
    from git.exc import GitCommandError

    repo = Repo(str(root))
    try:
        with repo.git.custom_environment(**_environment()):
            # A configured remote's name or a URL/path given with --remote alike.
            Remote(repo, remote).fetch(refspec, progress=_progress(progress, lang), no_tags=True)
    except (GitCommandError, ValueError) as error:
        raise TransferFailed(_detail(error)) from None
    finally:
        repo.close()
