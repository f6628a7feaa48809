"""`visit list` a month at a time (issue 19): `--json` is written an element at a time and the table is measured in a
first pass and printed as its rows come in a second, so a county's million visits are never held at once. What it
prints is byte for byte what the whole list printed: the visits in force (corrections applied, voids left out) by
(date, id), the JSON array of them, and the table laid out over all its rows — including after a hand edit puts a
cell in a stream that rich must draw (then rich draws the rows, a batch at a time). Rows that wrap (a narrow
terminal) are drawn without rich's table and must be its bytes: the reference draws every row with it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import first_line_then_close, git, run

from minqing.cli import tables
from minqing.ledgers.core.cells import cell_width
from minqing.ledgers.read import visits as visit_reads
from minqing.ledgers.repo.store import Ledger

HOUSEHOLD = "H-034QY3"  # 杜某国, 孟溪村 (和平乡) in the demo county
CADRE = "C-1AA5SH"


def ok(ledger: Path, *args: str) -> str:
    result = run(*args, ledger=ledger)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def months(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county (September to November) with visits in July and August, one moved to October by a
    correction (its August file keeps a voiding document), one corrected in place and one voided."""
    from foundation_util import office_env

    ledger = tmp_path_factory.mktemp("months") / "ledger"
    shutil.copytree(demo, ledger, symlinks=True)
    with office_env():
        add = ("visit", "add", "--by", CADRE, "--household")
        july = ok(ledger, *add, HOUSEHOLD, "--date", "2026-07-15", "--note", "七月走访").split()[0]
        moved = ok(ledger, *add, HOUSEHOLD, "--date", "2026-08-03", "--note", "八月走访").split()[0]
        voided = ok(ledger, *add, "H-098GEC", "--date", "2026-08-03", "--note", "重复录入").split()[0]
        ok(ledger, *add, HOUSEHOLD, "--date", "2026-08-28", "--note", "月底走访")
        ok(ledger, "visit", "edit", moved, "--date", "2026-10-02", "--reason", "日期录错")
        ok(ledger, "visit", "edit", july, "--note", "七月走访，核实住房", "--reason", "记录不全")
        ok(ledger, "visit", "void", voided, "--reason", "重复")
    return ledger


def reference(ledger: Path, **wanted: str) -> list:
    """The visits as the whole list had them: every stream of the working tree read at once, sorted by (date, id)."""
    found = visit_reads.iter_visits(Ledger.open(ledger))
    if "household" in wanted:
        found = [v for v in found if v.household == wanted["household"]]
    if "month" in wanted:
        found = [v for v in found if v.date.startswith(wanted["month"])]
    return sorted(found, key=lambda v: (v.date, v.id))


def whole_table(ledger: Path, monkeypatch: pytest.MonkeyPatch, *args: str, by_rich: bool = False) -> str:
    """The table laid out over all its rows at once (print_fitted), as `visit list` printed it before; `by_rich`:
    every row drawn by rich's table, as all rows that wrap were before issue 19's seventh round."""
    with monkeypatch.context() as patch:
        patch.setattr(tables, "PASSES_KEEP", 10**9)
        patch.setattr(
            tables, "streams", lambda *_: False
        )  # not the widths the index knows: the rows measured
        if by_rich:
            patch.setattr(tables, "needs_rich", lambda *_: True)
        result = run("visit", "list", *args, ledger=ledger)
    assert result.exit_code == 0, result.output
    return result.stdout


def streamed_table(
    ledger: Path, monkeypatch: pytest.MonkeyPatch, *args: str, rich: bool | None = None
) -> str:
    """The same listing read twice, a month at a time (what a county's listing does); `rich`: whether rich must
    have drawn the rows (a cell it rewrites), a batch at a time, or they were drawn here."""
    drawn: list[int] = []
    draw = tables.draw_with_rich
    with monkeypatch.context() as patch:
        patch.setattr(tables, "PASSES_KEEP", 0)
        # A header alone (colour, a header on two lines) is rich's too: only a call with rows counts.
        patch.setattr(tables, "draw_with_rich", lambda *a, **kw: (a[1] and drawn.append(1)) or draw(*a, **kw))
        result = run("visit", "list", *args, ledger=ledger)
    assert result.exit_code == 0, result.output
    if rich is not None:
        assert bool(drawn) == rich
    if rich and len(result.stdout.splitlines()) > 300:
        assert len(drawn) > 1  # in batches (the first of 100 rows)
    return result.stdout


def test_the_fixture_spans_months_with_a_correction_and_a_void(months: Path) -> None:
    found = reference(months)
    assert {v.date[:7] for v in found} >= {"2026-07", "2026-08", "2026-09", "2026-10", "2026-11"}
    notes = {v.note for v in found}
    assert "七月走访，核实住房" in notes and "七月走访" not in notes  # corrected in place
    assert "重复录入" not in notes  # voided
    assert [v.date for v in found if v.note == "八月走访"] == ["2026-10-02"]  # moved by its correction
    assert "voids:" in (months / "visits/2026-08/520602202203.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "wanted", [{}, {"household": HOUSEHOLD}, {"month": "2026-08"}, {"month": "2026-10"}], ids=str
)
def test_json_is_the_whole_lists_bytes(months: Path, wanted: dict[str, str]) -> None:
    args = [part for key, value in wanted.items() for part in (f"--{key}", value)]
    shown = ok(months, "visit", "list", "--json", *args)
    expected = [v.to_dict() for v in reference(months, **wanted)]
    assert expected  # the filter found visits
    assert shown == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def test_a_month_holds_its_own_days_from_the_first_to_the_last(months: Path, tmp_path: Path) -> None:
    """`--month` is a range over the index's dates (not a scan of every visit): December's last day is in it,
    January's first day of the next year and November's last are not."""
    from foundation_util import office_env

    ledger = tmp_path / "ledger"
    shutil.copytree(months, ledger, symlinks=True)
    added = {}
    with office_env():
        for day in ("2025-11-30", "2025-12-01", "2025-12-31", "2026-01-01"):
            note = f"走访{day}"
            added[day] = ok(ledger, "visit", "add", "--by", CADRE, "--household", HOUSEHOLD, "--date", day,
                            "--note", note).split()[0]  # fmt: skip
    december = [
        visit["id"] for visit in json.loads(ok(ledger, "visit", "list", "--json", "--month", "2025-12"))
    ]
    assert december == [added["2025-12-01"], added["2025-12-31"]]
    january = json.loads(ok(ledger, "visit", "list", "--json", "--month", "2026-01"))
    assert [visit["id"] for visit in january] == [added["2026-01-01"]]
    table = ok(ledger, "visit", "list", "--month", "2025-12")
    assert (
        added["2025-12-31"] in table and added["2025-11-30"] not in table and added["2026-01-01"] not in table
    )


def test_json_of_nothing_is_an_empty_array(months: Path) -> None:
    assert ok(months, "visit", "list", "--json", "--month", "2025-01") == "[]\n"


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--unit", "和平乡"),
        ("--household", HOUSEHOLD),
        ("--month", "2026-08"),
        ("--by", CADRE),
        ("--wide",),
    ],
    ids=str,
)
@pytest.mark.parametrize("columns", [None, "400", "150", "60"])
def test_the_streamed_table_is_the_whole_tables_bytes(
    months: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], columns: str | None
) -> None:
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    # Piped, or at a width every row fits on one line, plain lines; at 60 cells they wrap, and rich's table is
    # the reference.
    streamed = streamed_table(months, monkeypatch, *args, rich=False)
    assert streamed == whole_table(months, monkeypatch, *args)
    assert streamed == whole_table(months, monkeypatch, *args, by_rich=True)
    if columns == "60" and "--wide" not in args:
        assert any(line.startswith(" ") for line in streamed.splitlines()[2:])  # the rows wrapped
    assert streamed == ok(months, "visit", "list", *args)  # the few rows held from the first pass: the same
    assert len(streamed.splitlines()) >= 3


def test_the_table_lists_the_visits_in_force_in_order(months: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = streamed_table(months, monkeypatch, rich=False).splitlines()[2:]
    assert [line.split()[0] for line in lines] == [v.id for v in reference(months)]


@pytest.mark.parametrize("columns", ["100", "400"])
def test_at_a_terminal_the_rows_are_richs_bytes(
    months: Path, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setattr(tables, "is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", columns)
    streamed = streamed_table(months, monkeypatch, rich=False)
    assert streamed == whole_table(months, monkeypatch)
    assert streamed == whole_table(months, monkeypatch, by_rich=True)


def test_english_labels_stream_too(months: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINQING_LANG", "en")
    streamed = streamed_table(months, monkeypatch, rich=False)
    assert streamed.startswith("id ")
    assert streamed == whole_table(months, monkeypatch)


def hand_edited(months: Path, tmp_path: Path, line: str, commit: bool = True) -> Path:
    """A copy of the ledger with `line` (a visit document) appended to a stream by hand."""
    ledger = tmp_path / "copy"
    shutil.copytree(months, ledger, symlinks=True)
    stream = ledger / "visits/2026-10/520602202203.yaml"
    with stream.open("a", encoding="utf-8") as out:
        out.write(line)
    if commit:
        git(ledger, "commit", "-qam", "hand edit")
    return ledger


def test_a_hand_edited_note_rich_must_draw_is_laid_out_whole(
    months: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = hand_edited(
        months,
        tmp_path,
        "--- {id: V-TAB001, date: '2026-10-09', kind: visit, household: H-034QY3, village: '520602202203', "
        "unit: '520602202203', by: [C-1AA5SH], note: \"入户\\t走访\", items: [], "
        "at: '2026-10-09T10:00:00+08:00', recorded_by: C-1AA5SH}\n",
    )
    streamed = streamed_table(ledger, monkeypatch, rich=True)
    assert "V-TAB001" in streamed
    assert streamed == whole_table(ledger, monkeypatch)
    assert "入户\t走访" not in streamed  # rich rewrote the tab, as the whole table did
    shown = ok(ledger, "visit", "list", "--json")
    assert shown == json.dumps([v.to_dict() for v in reference(ledger)], ensure_ascii=False, indent=2) + "\n"


def counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stream files the listing reads, in order (each read of a file once more)."""
    reads: list[str] = []
    real = visit_reads.iter_visits

    def counted(led: Ledger, paths: list[str] | None = None) -> list:
        reads.extend(paths or ["*"])
        return real(led, paths)

    monkeypatch.setattr(visit_reads, "iter_visits", counted)
    return reads


def measured_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A listing measured from its rows reads them twice, however few (else a short one is held from its first)."""
    monkeypatch.setattr(tables, "PASSES_KEEP", 0)


def test_a_stream_holding_another_months_visit_is_read_once(
    months: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hand edit can leave a visit in another month's file: it is listed in its own month, the file read once."""
    ledger = hand_edited(
        months,
        tmp_path,
        "--- {id: V-MOVED1, date: '2026-07-20', kind: visit, household: H-034QY3, village: '520602202203', "
        "unit: '520602202203', by: [C-1AA5SH], note: 七月补记, items: [], "
        "at: '2026-10-09T10:00:00+08:00', recorded_by: C-1AA5SH}\n",
    )
    reads = counting_reads(monkeypatch)
    shown = ok(ledger, "visit", "list", "--json")
    assert shown == json.dumps([v.to_dict() for v in reference(ledger)], ensure_ascii=False, indent=2) + "\n"
    assert reads.count("visits/2026-10/520602202203.yaml") == 1
    assert len(reads) == len(set(reads))
    assert streamed_table(ledger, monkeypatch) == whole_table(ledger, monkeypatch)


def test_a_stream_not_yet_committed_is_listed_as_before(
    months: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole list read the working tree: a stream file the index has not seen (not committed) is still listed."""
    ledger = tmp_path / "copy"
    shutil.copytree(months, ledger, symlinks=True)
    (ledger / "visits/2026-06").mkdir()
    (ledger / "visits/2026-06/520602202203.yaml").write_text(
        "--- {id: V-JUNE01, date: '2026-06-30', kind: visit, household: H-034QY3, village: '520602202203', "
        "unit: '520602202203', by: [C-1AA5SH], note: 六月, items: [], "
        "at: '2026-06-30T10:00:00+08:00', recorded_by: C-1AA5SH}\n",
        encoding="utf-8",
    )
    shown = ok(ledger, "visit", "list", "--json")
    assert json.loads(shown)[0]["id"] == "V-JUNE01"
    assert shown == json.dumps([v.to_dict() for v in reference(ledger)], ensure_ascii=False, indent=2) + "\n"
    assert streamed_table(ledger, monkeypatch) == whole_table(ledger, monkeypatch)


@pytest.mark.parametrize("args", [(), ("--json",)], ids=str)
def test_a_reader_that_stops_early_ends_the_listing_quietly(months: Path, args: tuple[str, ...]) -> None:
    assert first_line_then_close(months, "visit", "list", *args).split()[0] in ("编号", "[")


@pytest.mark.parametrize(
    "args",
    [(), ("--unit", "和平乡"), ("--month", "2026-10"), ("--by", CADRE)],
    ids=str,
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_piped_listing_knows_its_widths_and_reads_each_stream_once(
    months: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], lang: str
) -> None:
    """Piped, the index gives every column's width (Index.visit_extent): no first pass, the rows print as they are
    read (`visit list | head` over a county's million visits), and the bytes are those of the rows measured."""
    monkeypatch.setenv("MINQING_LANG", lang)
    expected = whole_table(months, monkeypatch, *args)
    measured_twice(monkeypatch)
    reads = counting_reads(monkeypatch)
    assert ok(months, "visit", "list", *args) == expected
    assert reads and len(reads) == len(set(reads))
    reads.clear()
    monkeypatch.setenv("COLUMNS", "150")  # a width to fit: measured in a first pass, as before
    streamed_table(months, monkeypatch, *args)
    assert len(reads) == 2 * len(set(reads))


def test_a_households_visits_are_held_from_one_read(months: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A household's visits are few: not measured by the index (its answer and `git status` cost more than they
    spare) but held from the listing's one read, as before."""
    from minqing.ledgers.read.index import Index

    expected = whole_table(months, monkeypatch, "--household", HOUSEHOLD)
    monkeypatch.setattr(
        Index, "visit_extent", lambda *_: pytest.fail("a household's visits measured by the index")
    )
    reads = counting_reads(monkeypatch)
    assert ok(months, "visit", "list", "--household", HOUSEHOLD) == expected
    assert reads and len(reads) == len(set(reads))


def rewritten(ledger: Path, rel: str, old: str, new: str) -> None:
    path = ledger / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_what_the_index_does_not_know_yet_is_measured_from_the_files(
    months: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream edited by hand and not committed: the index (kept at HEAD) holds the old note's width, so the rows
    are measured as before; a long note in it still lines up. Committed, the index knows it and the listing
    streams the same bytes."""
    ledger = hand_edited(
        months,
        tmp_path,
        "--- {id: V-LONG01, date: '2026-10-09', kind: visit, household: H-034QY3, village: '520602202203', "
        "unit: '520602202203', by: [C-1AA5SH], note: 入户走访核实住房安全饮水医疗保险教育资助情况并登记群众反映的问题和村里修路架桥的意见, "
        "items: [], at: '2026-10-09T10:00:00+08:00', recorded_by: C-1AA5SH}\n",
        commit=False,
    )
    measured_twice(monkeypatch)
    reads = counting_reads(monkeypatch)
    before = ok(ledger, "visit", "list")
    assert len(reads) == 2 * len(set(reads))  # two passes
    assert before == whole_table(ledger, monkeypatch)
    long_row = next(line for line in before.splitlines() if line.startswith("V-LONG01"))
    assert long_row.endswith("…") and cell_width(long_row) == max(map(cell_width, before.splitlines()))
    git(ledger, "commit", "-qam", "hand edit")
    reads.clear()
    assert ok(ledger, "visit", "list") == before
    assert len(reads) == len(set(reads))  # one pass


def test_a_renamed_head_or_cadre_widens_the_streamed_columns(
    months: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names are the index's at listing time, not kept with the visits: a head and a cadre renamed (by hand,
    committed) widen their columns in the streamed listing as in the measured one."""
    ledger = tmp_path / "copy"
    shutil.copytree(months, ledger, symlinks=True)
    household = next(ledger.glob(f"households/*/{HOUSEHOLD}.yaml")).relative_to(ledger).as_posix()
    head = (ledger / household).read_text(encoding="utf-8").split("head: ", 1)[1].split("\n", 1)[0]
    rewritten(ledger, household, f"head: {head}", "head: 欧阳某某某某某国")
    rewritten(ledger, f"cadres/{CADRE}.yaml", "name: 丁某发", "name: 上官某某某某发")
    git(ledger, "commit", "-qam", "renamed by hand")
    reads = counting_reads(monkeypatch)
    shown = ok(ledger, "visit", "list")
    assert len(reads) == len(set(reads))
    assert f"欧阳某某某某某国 {HOUSEHOLD}" in shown and f"上官某某某某发 {CADRE}" in shown
    assert shown == whole_table(ledger, monkeypatch)
    # The widest head is walked past where another township's visits are listed: its width is not theirs.
    elsewhere = ok(ledger, "visit", "list", "--unit", "云场坪镇")
    assert "欧阳某某某某某国" not in elsewhere
    assert elsewhere == whole_table(ledger, monkeypatch, "--unit", "云场坪镇")
