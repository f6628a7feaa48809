"""Git hooks: a `commit-msg` hook in a ledger repo and a `pre-receive` hook in the county's central bare repo.

minqing itself commits through plumbing (commit-tree + update-ref), which runs no hooks; the hooks are for people.

- commit-msg (not pre-commit: only commit-msg sees the message, and the message is what tells an honest trailer-
  bearing commit, such as an admin's `config.edit`, from a hand edit). A commit without Ledger-Op / Ledger-Entry /
  Ledger-Actor trailers is refused, whatever it stages (issue 14: audit flags every such commit), with the minqing
  command to use instead; one with trailers is written as a dangling commit object and audited against HEAD before
  git makes it (a path outside the layout and not in `allowed_paths`, a merge of an unrelated history: refused).
- pre-receive (central bare repo): runs the audit on every pushed commit the repo does not have yet and rejects the
  whole push on any finding (a second root commit or a merge of an unrelated history among them); deleting or
  rewinding a branch is refused too. The install also sets receive.denyNonFastForwards and receive.denyDeletes.

A hook is a small shell script calling this Python (`python -m minqing.cli hooks run …`), so it keeps working in
environments where `minqing` is not on PATH (cron, a git server's service account using the same interpreter).
"""

from __future__ import annotations

import shlex
import stat
import sys
from pathlib import Path

from ..core import messages
from ..core.errors import BadInput, EnvironmentProblem
from ..core.operations import missing_trailers, parse_trailers
from ..repo import git
from .audit import audit_pending, audit_push, classify

MARK = "# minqing hook"
HINTS = {
    "item": "minqing issue assign|progress|resolve|feedback|close|extend … ID",
    "household": "minqing household set ID …",
    "cadre": "minqing cadre add|recall|key add …",
    "visits": "minqing visit add …",
    "activities": "minqing activity add …",
    "surveys": "minqing survey add …",
    "review": "minqing review …",
    "units": "minqing org add CODE NAME …",
    "merge": "minqing sync (git merge --abort first)",
    "config": "git commit --author '姓名 <C-…@minqing.invalid>' --trailer 'Ledger-Op: config.edit' "
    "--trailer 'Ledger-Entry: minqing.yaml' --trailer 'Ledger-Actor: C-…'",
}


def script(kind: str) -> str:
    python = shlex.quote(sys.executable)
    return (
        "#!/bin/sh\n"
        f"{MARK} ({kind}), installed by `minqing hooks install`. Delete this file to remove it.\n"
        f'exec {python} -m minqing.cli hooks run {kind} "$@"\n'
    )


def _write_hook(path: Path, kind: str, force: bool) -> Path:
    if path.exists() and not force:
        try:
            current = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            current = ""
        if MARK not in current:
            raise BadInput("hook_exists", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script(kind), encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    except OSError as exc:
        raise EnvironmentProblem("io_failed", detail=f"{path}: {exc.strerror or exc}") from None
    return path


def install_local(root: Path, force: bool = False) -> Path:
    """The commit-msg hook of a ledger repo (honours core.hooksPath)."""
    hooks_dir = Path(git.output(root, "rev-parse", "--git-path", "hooks"))
    if not hooks_dir.is_absolute():
        hooks_dir = root / hooks_dir
    return _write_hook(hooks_dir / "commit-msg", "commit-msg", force)


def install_bare(path: str, force: bool = False) -> Path:
    """The pre-receive hook of a central bare repo, plus git's own refusal of rewinds and deletions."""
    repo = Path(path).expanduser()
    try:
        bare = repo.is_dir() and git.output(repo, "rev-parse", "--is-bare-repository") == "true"
    except EnvironmentProblem:
        bare = False
    if not bare:
        raise BadInput("not_bare", path=path)
    hook = _write_hook(repo.resolve() / "hooks" / "pre-receive", "pre-receive", force)
    git.output(repo, "config", "receive.denyNonFastForwards", "true")
    git.output(repo, "config", "receive.denyDeletes", "true")
    return hook


def run_commit_msg(root: Path, message_file: str, lang: str) -> tuple[int, list[str]]:
    """(exit code, lines for stderr) for git's commit-msg hook."""
    try:
        message = Path(message_file).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return 1, [f"minqing: {message_file}: {exc.strerror or exc}"]
    trailers = parse_trailers(message)
    paths, findings = audit_pending(root, _clean(message), lang)
    missing = missing_trailers(trailers)
    if missing:
        git_dir = Path(git.output(root, "rev-parse", "--git-dir"))
        git_dir = git_dir if git_dir.is_absolute() else root / git_dir
        merging = (git_dir / "MERGE_HEAD").exists()
        ledger_paths = [path for path in paths if classify(path)[0] is not None]
        if not merging and not ledger_paths:
            # Nothing of the ledger staged (a file outside it, or nothing): still not a commit a ledger may hold.
            shown = ", ".join(paths[:3]) + (" …" if len(paths) > 3 else "") if paths else "-"
            text = messages.render("hand_commit_any", lang, paths=shown, missing=", ".join(missing))
            return 1, [f"minqing: {text}"]
        kind = "merge" if merging else None
        kind = kind or classify(ledger_paths[0])[0] or "item"
        shown_paths = ledger_paths or paths
        shown = ", ".join(shown_paths[:3]) + (" …" if len(shown_paths) > 3 else "") if shown_paths else "-"
        text = messages.render(
            "hand_commit", lang, paths=shown, missing=", ".join(missing), hint=HINTS.get(kind, HINTS["item"])
        )
        return 1, [f"minqing: {text}"]
    if findings:
        lines = [f"minqing: {finding.render()}" for finding in findings]
        lines.append("minqing: " + messages.render("audit_failed", lang, count=len(findings)))
        return 1, lines
    return 0, []


def run_pre_receive(git_dir: Path, stdin_text: str, lang: str) -> tuple[int, list[str]]:
    updates = []
    for line in stdin_text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            updates.append((parts[0], parts[1], parts[2]))
    result = audit_push(git_dir, updates, lang)
    if result.findings:
        lines = [f"minqing: {finding.render()}" for finding in result.findings]
        lines.append("minqing: " + messages.render("push_rejected", lang, count=len(result.findings)))
        return 1, lines
    return 0, []


def _clean(message: str) -> str:
    """The message as git will store it: comment lines and trailing blank lines dropped."""
    lines = [line.rstrip() for line in message.splitlines() if not line.startswith("#")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines) + "\n"
