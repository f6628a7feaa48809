"""The working tree as sync sees it (issue 19). `worktree.move_to_tree`: a merge or fast-forward moves only the
files that differ, and only when the index and working tree hold them as HEAD has them; otherwise it changes
nothing and read-tree decides. `worktree.dirty_paths`: the dirty ledger files `ledger_status` lists, read the way
git's untracked cache can serve."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import git

from minqing.ledgers.repo import worktree
from minqing.ledgers.repo.store import Ledger


def _commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def moved(tmp_path: Path) -> tuple[Path, str, str]:
    """A repo at commit `old`; commit `new` (on no branch) changes one file, deletes the only file of a folder,
    adds a file in a new folder and makes one executable."""
    repo = tmp_path / "repo"
    for rel, text in {
        "visits/2026-11/a.yaml": "--- {id: V-1}\n",
        "visits/2026-11/b.yaml": "--- {id: V-2}\n",
        "households/old/H-1.yaml": "id: H-1\n",
        "tools/run.sh": "echo\n",
    }.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    old = _commit_all(repo, "old")
    (repo / "visits/2026-11/a.yaml").write_text("--- {id: V-1}\n--- {id: V-3}\n", encoding="utf-8")
    shutil.rmtree(repo / "households/old")
    (repo / "households/new").mkdir()
    (repo / "households/new/H-2.yaml").write_text("id: H-2\n", encoding="utf-8")
    os.chmod(repo / "tools/run.sh", 0o755)
    new = _commit_all(repo, "new")
    git(repo, "reset", "-q", "--hard", old)
    return repo, old, new


def _state(repo: Path, stat: bool = True) -> tuple[str, dict[str, bytes]]:
    """The index (with each entry's stat data, or without) and every file's bytes."""
    files = {
        str(path.relative_to(repo)): path.read_bytes()
        for path in sorted(repo.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(repo).parts
    }
    return git(repo, "ls-files", "-s", *(["--debug"] if stat else [])), files


def test_moves_the_changed_files_as_read_tree_does(moved: tuple[Path, str, str], tmp_path: Path):
    repo, old, new = moved
    by_git = tmp_path / "by-git"
    shutil.copytree(repo, by_git, symlinks=True)
    git(by_git, "update-index", "-q", "--refresh")  # a copy's files have new inodes
    git(by_git, "read-tree", "-m", "-u", old, new)

    assert worktree.move_to_tree(Ledger(repo), old, new)

    assert git(repo, "ls-files", "-s") == git(by_git, "ls-files", "-s")
    assert _state(repo)[1] == _state(by_git)[1]
    assert not (repo / "households/old").exists()  # the folder its last file left, as read-tree removes it
    assert os.access(repo / "tools/run.sh", os.X_OK)
    git(repo, "update-ref", "HEAD", new)
    # the index holds each moved file's stat data: nothing differs without a refresh, and nothing is left over
    assert git(repo, "diff-files", "--name-only") == ""
    assert git(repo, "status", "--porcelain", "--untracked-files=all", "--ignored=matching") == ""
    assert git(repo, "write-tree").strip() == git(repo, "rev-parse", f"{new}^{{tree}}").strip()


def test_nothing_to_move(moved: tuple[Path, str, str]):
    repo, old, _new = moved
    before = _state(repo)
    assert worktree.move_to_tree(Ledger(repo), old, old)
    assert _state(repo) == before


def _edit_a(repo: Path) -> None:
    (repo / "visits/2026-11/a.yaml").write_text("--- {id: V-1}\n# a hand edit\n", encoding="utf-8")


def _stage_a(repo: Path) -> None:
    _edit_a(repo)
    git(repo, "add", "visits/2026-11/a.yaml")


def _delete_by_hand(repo: Path) -> None:
    (repo / "households/old/H-1.yaml").unlink()


def _untracked_new_file(repo: Path) -> None:
    (repo / "households/new").mkdir()
    (repo / "households/new/H-2.yaml").write_text("id: H-2\n# left by a killed command\n", encoding="utf-8")


def _file_where_its_folder_goes(repo: Path) -> None:
    (repo / "households/new").write_text("not a folder\n", encoding="utf-8")


def _unstaged_removal(repo: Path) -> None:
    git(repo, "rm", "-q", "--cached", "visits/2026-11/a.yaml")


@pytest.mark.parametrize(
    "change",
    [_edit_a, _stage_a, _delete_by_hand, _untracked_new_file, _file_where_its_folder_goes, _unstaged_removal],
)
def test_a_file_changed_here_moves_nothing(moved: tuple[Path, str, str], change):
    """What read-tree -m -u refuses (a file the move would change or create is not as HEAD has it) is left to it:
    False, and the index and every file as they were."""
    repo, old, new = moved
    change(repo)
    before = _state(repo)
    assert not worktree.move_to_tree(Ledger(repo), old, new)
    assert _state(repo) == before


def test_many_files_a_symlink_or_a_sparse_checkout_are_left_to_read_tree(
    moved: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch
):
    repo, old, new = moved
    before = _state(repo)
    monkeypatch.setattr(worktree, "FEW_CHANGED_FILES", 3)  # the move changes four files
    assert not worktree.move_to_tree(Ledger(repo), old, new)
    assert _state(repo) == before
    monkeypatch.undo()

    git(repo, "checkout", "-q", "--detach", new)
    (repo / "link").symlink_to("tools/run.sh")
    linked = _commit_all(repo, "a symlink")
    git(repo, "checkout", "-q", "--detach", new)
    before = _state(repo)
    assert not worktree.move_to_tree(Ledger(repo), new, linked)
    assert _state(repo) == before

    git(repo, "checkout", "-q", "--detach", old)
    git(repo, "sparse-checkout", "set", "visits")  # a sparse checkout: what is outside it stays outside
    before = _state(repo)
    assert not worktree.move_to_tree(Ledger(repo), old, new)
    assert _state(repo) == before


def test_dirty_paths_are_ledger_status_without_its_temp_files(moved: tuple[Path, str, str]):
    """Every way a ledger file can be left dirty, some in folders git names whole under `-unormal`: the same list
    as `ledger_status`, whose `git status` lists every untracked and ignored file."""
    repo, _old, _new = moved
    ledger = Ledger(repo)
    assert worktree.dirty_paths(ledger) == () == worktree.ledger_status(ledger).dirty
    _edit_a(repo)  # modified
    (repo / "visits/2026-11/b.yaml").unlink()  # deleted
    (repo / "tools/run.sh").write_text("echo staged\n", encoding="utf-8")
    git(repo, "add", "tools/run.sh")  # staged, outside the ledger's folders
    # untracked, in a known folder
    (repo / "households/old/H-9.yaml").write_text("id: H-9\n", encoding="utf-8")
    deep = repo / "households/520602101201/5206021012010001"  # untracked folders, two deep
    deep.mkdir(parents=True)
    (deep / "H-7.yaml").write_text("id: H-7\n", encoding="utf-8")
    (deep / ".H-8.yaml.tmp").write_text("half written\n", encoding="utf-8")  # a killed write: temp, not dirty
    (repo / "issues/2027").mkdir(parents=True)
    # a folder of temp files only
    (repo / "issues/2027/.Q-1.yaml.tmp").write_text("half written\n", encoding="utf-8")
    (repo / "notes.txt").write_text("not the ledger's\n", encoding="utf-8")
    (repo / "visits/2026-12").mkdir()
    (repo / "visits/2026-12/ignored.yaml").write_text("--- {id: V-9}\n", encoding="utf-8")
    (repo / ".git/info/exclude").write_text("visits/2026-12/\n", encoding="utf-8")  # ignored: not dirty
    status = worktree.ledger_status(ledger)
    assert status.dirty == (
        "households/520602101201/5206021012010001/H-7.yaml",
        "households/old/H-9.yaml",
        "visits/2026-11/a.yaml",
        "visits/2026-11/b.yaml",
    )
    assert worktree.dirty_paths(ledger) == status.dirty == worktree.dirty_paths(ledger, locked=False)
    assert len(status.temp) == 2


@pytest.mark.parametrize("few", [worktree.FEW_CHANGED_FILES, 1])
def test_a_cut_move_is_put_back(moved: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch, few: int):
    """`restore_files` undoes a move that was cut short, whole or half done (a killed read-tree writes files
    before the index, so a new file may be there untracked): the index and every file as HEAD has them, folders
    the move made gone. Beyond FEW_CHANGED_FILES it resets the whole index and tree."""
    repo, old, new = moved
    before = _state(repo, stat=False)
    monkeypatch.setattr(worktree, "FEW_CHANGED_FILES", few)
    ledger = Ledger(repo)
    assert git(repo, "checkout", "-q", new, "--", "visits/2026-11/a.yaml") == ""  # half done: one file moved
    _untracked_new_file(repo)  # and one written, not yet in the index
    worktree.restore_files(ledger, old, new)
    assert _state(repo, stat=False) == before
    assert not (repo / "households/new").exists()
    git(repo, "read-tree", "-m", "-u", old, new)  # done whole
    worktree.restore_files(ledger, old, new)
    assert _state(repo, stat=False) == before
    assert git(repo, "diff-files", "--name-only") == ""  # stat data fresh
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
