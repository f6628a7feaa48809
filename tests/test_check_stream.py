"""`check` reads the tree one file at a time and keeps only compact facts for the rules that span files
(ledgers/verify/check.py, Corpus). These tests hand-edit the demo county so that every whole-tree rule has something
to say, across files and kinds, and hold the ways of running the rules to one answer: one process or worker
processes (`workers`), the tree on disk or the parsed files in memory (`Corpus(files)`, what CHECKS read)."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from minqing.ledgers.verify import check as checks


def _yaml_files(root: Path, top: str) -> list[Path]:
    return sorted((root / top).rglob("*.yaml"))


def _edit(path: Path, pattern: str, replacement: str) -> None:
    """The first match replaced; a top-level key's pattern takes its block list along (`key: ...` then `- ...`)."""
    if pattern.startswith("^") and pattern.endswith(": .*$"):
        pattern = pattern[: -len(" .*$")] + r".*(?:\n- .*)*$"
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, (path, pattern)
    path.write_text(changed, encoding="utf-8")


def _first_id(path: Path) -> str:
    found = re.search(r"id: ([A-Z]-\w+)", path.read_text(encoding="utf-8"))
    assert found
    return found.group(1)


@pytest.fixture
def edited(demo: Path, tmp_path: Path) -> Path:
    """The demo county with hand edits whose findings name another file, or wait for a later kind."""
    root = tmp_path / "edited"
    shutil.copytree(demo, root, symlinks=True)
    cadres, homes = _yaml_files(root, "cadres"), _yaml_files(root, "households")
    items, streams = _yaml_files(root, "issues"), _yaml_files(root, "visits")
    first_visit = streams[0].read_text(encoding="utf-8").splitlines()[0]
    visit_id = _first_id(streams[0])
    # Duplicates: a copied cadre; a visit copied into another stream; an item whose id is a visit's (the item is
    # taken first, so the visit is the duplicate); a household's id reused for a visit.
    shutil.copy(cadres[0], root / "cadres" / "C-ZZZZZZ.yaml")
    with streams[-1].open("a", encoding="utf-8") as stream:
        stream.write(first_visit + "\n")
    _edit(items[5], r"^id: Q-\w+", f"id: {visit_id}")
    with streams[1].open("a", encoding="utf-8") as stream:
        stream.write(re.sub(r"id: V-\w+", f"id: {homes[3].stem}", first_visit, count=1) + "\n")
    # A history entry id used again in another item and in a household.
    op_id = re.search(r"^- id: (\w+)", items[0].read_text(encoding="utf-8"), re.MULTILINE)
    assert op_id
    _edit(items[2], r"^- id: \w+", f"- id: {op_id.group(1)}")
    _edit(homes[7], r"^- id: \w+", f"- id: {op_id.group(1)}")
    # References to ids that do not exist, from before and after the kind they name is read.
    _edit(streams[2], r"household: H-\w+", "household: H-NOPE01")
    _edit(items[1], r"^visit: .*$", "visit: V-NOPE03")
    _edit(cadres[3], r"^pairings: .*$", "pairings: [H-NOPE06, 7, null]")
    _edit(cadres[2], r"^  by: C-\w+", "  by: C-NOPE05")
    # Two households with one ID number; a household paired with a cadre that does not list it.
    _edit(homes[10], r"^id_hash: .*$", "id_hash: abc")
    _edit(homes[11], r"^id_hash: .*$", "id_hash: abc")
    _edit(homes[2], r"^pairings: .*$", f"pairings: [{cadres[0].stem}, [1, 2]]")
    # A household that does not parse: its id still counts as present.
    with homes[6].open("a", encoding="utf-8") as broken:
        broken.write("bad: [unclosed\n")
    return root


def _as_tuples(findings: list[checks.Finding]) -> list[tuple[str, int, str, str]]:
    return [(f.path, f.line, f.code, f.message) for f in findings]


def test_worker_processes_report_what_one_process_reports(edited: Path) -> None:
    alone = checks.check_tree(edited, "en", teams=True, workers=1)
    shared = checks.check_tree(edited, "en", teams=True, workers=2)
    assert _as_tuples(shared.findings) == _as_tuples(alone.findings)
    assert (shared.files, shared.documents) == (alone.files, alone.documents)
    codes = Counter(finding.code for finding in alone.findings)
    for code in (
        "duplicate_id",
        "duplicate_op_id",
        "unknown_ref",
        "duplicate_id_hash",
        "unpaired",
        "yaml_syntax",
    ):
        assert codes[code], code


def test_a_duplicate_names_the_first_holder_by_kind_order(edited: Path) -> None:
    findings = checks.check_tree(edited, "en", workers=1).findings
    duplicates = [f for f in findings if f.code == "duplicate_id" and f.path.startswith("visits/")]
    assert duplicates
    # The item holding a visit's id is read before the visits: every visit with that id points at the item.
    visit_id = _first_id(_yaml_files(edited, "visits")[0])
    pointing = [f for f in duplicates if f"id {visit_id} " in f.message]
    assert len(pointing) == 2 and all("issues/" in f.message for f in pointing)


def test_missing_references_are_found_whichever_kind_comes_first(edited: Path) -> None:
    findings = checks.check_tree(edited, "en", workers=1).findings
    missing = {re.search(r"[A-Z]-NOPE\d+", f.message).group() for f in findings if "NOPE" in f.message}  # type: ignore[union-attr]
    assert missing == {"H-NOPE01", "V-NOPE03", "H-NOPE06", "C-NOPE05"}


def test_corpus_of_parsed_files_agrees_with_the_tree_read_from_disk(edited: Path) -> None:
    parsed, problems = checks.parse_files(checks.read_tree(edited))
    corpus = checks.Corpus(parsed, "en", broken=[path for path, _ in problems])
    in_memory = {finding for check_fn in checks.CHECKS for finding in check_fn(corpus)}
    from_disk = checks.check_tree(edited, "en", workers=1).findings
    file_rules = {"unexpected_path", "foreign_root"} | {problem.code for _, problem in problems}
    assert sorted(in_memory) == sorted(f for f in from_disk if f.code not in file_rules)


def test_a_file_that_does_not_parse_in_a_worker_keeps_its_line_and_code(edited: Path) -> None:
    shared = checks.check_tree(edited, "en", workers=2).findings
    alone = checks.check_tree(edited, "en", workers=1).findings
    assert [f for f in shared if f.code == "yaml_syntax"] == [f for f in alone if f.code == "yaml_syntax"]
    assert [f.line for f in shared if f.code == "yaml_syntax"] != [1]
