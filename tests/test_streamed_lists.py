"""`household list` streams in a pipe (issue 19): its column widths come from the index before the first row, and
what it prints is byte for byte what the whole table laid out at once prints — including after a hand edit puts a
cell in the ledger that rich must draw (then it lays the rows out whole, as before)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import first_line_then_close, git, run

from minqing.cli import tables
from minqing.ledgers.read.index import Index
from minqing.ledgers.repo.store import Ledger


def laid_out_whole(ledger: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """The listing as the table laid out over all its rows prints it (the path a terminal takes)."""
    with monkeypatch.context() as patch:
        patch.setattr(tables, "streams", lambda wide=False: False)
        result = run(*args, ledger=ledger)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("household", "list"),
        ("household", "list", "--all"),
        ("household", "list", "--status", "monitored"),
        ("household", "list", "--unit", "和平乡"),
    ],
)
def test_streamed_listing_is_the_whole_tables_bytes(
    demo: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    streamed = run(*args, ledger=demo)
    assert streamed.exit_code == 0, streamed.output
    assert streamed.stdout == laid_out_whole(demo, monkeypatch, *args)
    assert len(streamed.stdout.splitlines()) >= 3  # header, rule and rows: the filter found households


def test_english_labels_stream_too(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINQING_LANG", "en")
    streamed = run("household", "list", "--all", ledger=demo)
    assert streamed.stdout.startswith("id ")
    assert streamed.stdout == laid_out_whole(demo, monkeypatch, "household", "list", "--all")


def test_a_hand_edited_head_rich_must_draw_is_laid_out_whole(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "copy"
    shutil.copytree(demo, ledger, symlinks=True)
    path = next((ledger / "households").rglob("H-*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["head"] = "张\t三 "  # a tab inside, a blank after: rich rewrites both
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(ledger, "commit", "-qam", "hand edit")
    with Index.open(Ledger.open(ledger)) as index:
        assert index.conn.execute(
            "SELECT printable FROM households WHERE id = ?", (data["id"],)
        ).fetchone() == (0,)
    shown = run("household", "list", ledger=ledger)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == laid_out_whole(ledger, monkeypatch, "household", "list")
    assert data["id"] in shown.stdout


def test_a_reader_that_stops_early_ends_the_listing_quietly(demo: Path) -> None:
    assert first_line_then_close(demo, "household", "list").split()[0] == "编号"


@pytest.mark.parametrize(
    "args",
    [
        ("household", "list", "--json"),
        ("household", "list", "--json", "--status", "monitored"),
        ("issue", "list", "--json", "--all"),
        ("issue", "list", "--json", "--state", "voided"),
    ],
)
def test_json_lists_are_written_an_element_at_a_time_as_one_document(
    demo: Path, args: tuple[str, ...]
) -> None:
    import json

    shown = run(*args, ledger=demo)
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert isinstance(data, list)
    # The same bytes json.dumps of the whole list gives (print_json's form).
    assert shown.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_an_empty_json_list_is_an_empty_array(tmp_path: Path) -> None:
    from foundation_util import office_env

    ledger = tmp_path / "county"
    with office_env():
        assert (
            run(
                "init",
                str(ledger),
                "--county-code",
                "520602",
                "--county-name",
                "碧江区",
                "--admin-name",
                "管理员",
            ).exit_code
            == 0
        )
    shown = run("household", "list", "--json", ledger=ledger)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == "[]\n"
