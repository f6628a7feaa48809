"""`minqing report site` (issue 20) without a browser: the pages exist and link to files of the site, nothing
comes from outside OUT_DIR, every figure is the rollup's, regeneration is incremental, personal data is masked,
English works, bad input is refused with one line."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Sample, refused, run, snapshot
from foundation_util import office_env

from minqing.ledgers.core import pii
from minqing.ledgers.read import rollup as R
from minqing.ledgers.read import site as S
from minqing.ledgers.repo.store import Ledger

COUNTY, TOWNSHIP, VILLAGE = "520602", "520602202", "520602202201"  # 碧江区, 和平乡, one of its villages
# (period, --date) as the site's selector offers them on the test clock (2026-11-23)
PERIODS = (("month", "2026-11-23", "2026-11"), ("month", "2026-10-01", "2026-10"), ("quarter", "2026-11-23", "2026Q4"),
           ("year", "2026-11-23", "2026"))  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("site") / "bijiang"
    with office_env():
        assert run("demo", str(path)).exit_code == 0
    return path


@pytest.fixture(scope="module")
def site(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("www") / "minqing"
    with office_env():
        result = run("report", "site", str(out), ledger=demo)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    return out


def unit_data(site: Path, code: str) -> dict:
    """The per-period figures a unit page's script shows (data/<code>.js assigns one JSON object)."""
    text = (site / "data" / f"{code}.js").read_text(encoding="utf-8")
    assignment = text.splitlines()[1]
    return json.loads(assignment.split(" = ", 1)[1].rstrip(";"))


def rollup_json(demo: Path, code: str, kind: str, date: str) -> dict:
    result = run("rollup", "--format", "json", "--unit", code, "--period", kind, "--date", date, ledger=demo)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["total"]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.figures: dict[str, str] = {}
        self._metric: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("href", "src"):
            if found.get(name):
                self.targets.append(str(found[name]))
        if found.get("data-m") and not found.get("data-u"):
            self._metric = found["data-m"]

    def handle_data(self, data: str) -> None:
        if self._metric:
            self.figures[self._metric] = data
            self._metric = None


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def test_every_page_exists_and_every_link_resolves_inside_the_site(demo: Path, site: Path) -> None:
    led = Ledger.open(demo)
    units = led.units()
    for code, unit in units.items():
        if unit.level in ("township", "village"):
            assert (site / "u" / f"{code}.html").is_file(), code
            assert (site / "r" / f"{code}.html").is_file(), code
    for item in led.iter_items():
        if not item.voided:
            assert (site / "i" / f"{item.id}.html").is_file(), item.id
    for home in led.iter_households():
        assert (site / "h" / f"{home.id}.html").is_file(), home.id
    for name in ("index.html", "overdue.html", "week.html", "ranking.html", "list.html", f"r/{COUNTY}.html"):
        assert (site / name).is_file(), name
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 700
    for page in pages:
        for target in parse(page).targets:
            file_part = target.split("#", 1)[0]
            if not file_part:
                continue  # a figure's list link is set by the script for the chosen period
            assert "://" not in target and not target.startswith("//"), (page, target)
            resolved = (page.parent / file_part).resolve()
            assert resolved.is_file(), (page, target)
            assert site.resolve() in resolved.parents, (page, target)


def test_nothing_is_loaded_from_outside_the_folder(site: Path) -> None:
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import", text, re.I), path


def test_figures_are_the_rollup_json_for_each_unit_and_period(demo: Path, site: Path) -> None:
    for code in (COUNTY, TOWNSHIP, VILLAGE):
        data = unit_data(site, code)
        for kind, date, key in PERIODS:
            expected = rollup_json(demo, code, kind, date)
            shown = data["p"][key]["v"]
            for metric in R.METRICS:
                assert shown[metric] == S.display(metric, expected[metric], "zh"), (code, key, metric)
            # every list a figure opens holds exactly the items that figure counts
            for metric, ids in data["p"][key]["l"].items():
                assert len(ids) == expected[metric], (code, key, metric)
    # the page as written shows the selector's first period (this month), figure by figure
    page = parse(site / "index.html").figures
    november = rollup_json(demo, COUNTY, "month", "2026-11-23")
    assert page and all(text == S.display(metric, november[metric], "zh") for metric, text in page.items())
    assert november["visits"] + november["talks"] > 0 and november["open"] > 0  # the month has data to show


def test_drill_down_reaches_a_household_and_an_item_with_its_history(demo: Path, site: Path) -> None:
    county = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="u/{TOWNSHIP}.html"' in county
    township = (site / "u" / f"{TOWNSHIP}.html").read_text(encoding="utf-8")
    assert f'href="../u/{VILLAGE}.html"' in township
    village = (site / "u" / f"{VILLAGE}.html").read_text(encoding="utf-8")
    home = re.search(r'href="\.\./h/(H-[0-9A-Z]+)\.html"', village)
    assert home
    item = next(i for i in Ledger.open(demo).iter_items() if i.household and len(i.history) >= 3)
    page = (site / "i" / f"{item.id}.html").read_text(encoding="utf-8")
    assert page.count("<tr><td>") >= len(item.history)  # one history row per step: who did what when
    assert item.history[-1].at in page


def test_regenerating_writes_only_what_changed_and_masks_personal_data(
    demo: Path, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    again = run("report", "site", str(site), ledger=demo)
    assert again.exit_code == 0 and "本次写入 0 个" in again.stderr, again.stderr
    admin = next(c.id for c in Ledger.open(demo).iter_cadres() if c.role == "admin")
    number = "52060219800101123" + pii.id_check_character("52060219800101123")
    added = run("household", "add", "--head", "测试新户", "--village", VILLAGE, "--id-number", number,
                "--phone", "13912345678", "--as", admin, ledger=demo)  # fmt: skip
    assert added.exit_code == 0, added.output
    after = run("report", "site", str(site), ledger=demo)
    assert after.exit_code == 0
    written = int(re.search(r"本次写入 (\d+) 个", after.stderr).group(1))
    assert 0 < written <= 20, after.stderr  # the household's page, its village up to the county, the indexes
    home = next(h for h in Ledger.open(demo).iter_households() if h.head == "测试新户")
    page = (site / "h" / f"{home.id}.html").read_text(encoding="utf-8")
    assert pii.mask_id_number(number) in page and pii.mask_phone("13912345678") in page
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert number not in text and "13912345678" not in text, path


def test_english_and_a_township_alone(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "en"
    assert run("report", "site", str(out), "--lang", "en", "-q", ledger=demo).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "Headline figures" in index and "Escalation funnel" in index
    assert "主要指标" not in index
    town = tmp_path / "town"
    result = run("report", "site", str(town), "--unit", TOWNSHIP, "--months", "3", ledger=demo)
    assert result.exit_code == 0, result.output
    assert TOWNSHIP in (town / "index.html").read_text(encoding="utf-8")
    assert not (town / "u" / f"{COUNTY}.html").exists()
    assert sorted(unit_data(town, TOWNSHIP)["p"]) == [
        "2026",
        "2026-09",
        "2026-10",
        "2026-11",
        "2026Q3",
        "2026Q4",
    ]
    assert all(p.name.startswith(TOWNSHIP) for p in (town / "data").iterdir())


def test_nightly_brings_the_site_up_to_date(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "srv" / "www" / "minqing"
    result = run("report", "nightly", "--site", str(out), ledger=demo)
    assert result.exit_code == 0 and result.output == "", result.output  # quiet, for cron
    assert (out / "index.html").is_file() and (out / "ranking.html").is_file()
    both = run("report", "nightly", "--site", str(out), "--out-dir", str(tmp_path / "reports"), ledger=demo)
    assert both.exit_code == 0 and (tmp_path / "reports" / "2026-11-23.html").is_file()


def test_bad_input_is_refused_with_one_line(demo: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "taken.txt"
    a_file.write_text("not a folder\n", encoding="utf-8")
    result = refused(demo, "report", "site", str(a_file), contains="OUT_DIR")
    assert "文件夹" in result.stderr
    assert a_file.read_text(encoding="utf-8") == "not a folder\n"
    for args, field in (
        (("--months", "0"), "--months"),
        (("--unit", "999999999"), "--unit"),
        (("--unit", "和平"), "--unit"),
        (("--unit", "52060210220101"), "--unit"),  # a group: no page of its own
        (("--lang", "fr"), "--lang"),
    ):
        out = tmp_path / f"out{field}"
        refused(demo, "report", "site", str(out), *args, contains=field)
        assert not out.exists() or not any(out.iterdir()), args
    before = snapshot(demo)
    english = run("--lang", "en", "report", "site", str(a_file), ledger=demo)
    assert english.exit_code == 2 and "is a file" in english.stderr and snapshot(demo) == before


def test_pages_of_entries_gone_from_the_ledger_are_removed_only_from_a_site_folder(
    demo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "www"
    out.mkdir()
    (out / "u").mkdir()
    (out / "u" / "notes.html").write_text("the office's own page\n", encoding="utf-8")
    assert run("report", "site", str(out), "--months", "1", ledger=demo).exit_code == 0
    assert (out / "u" / "notes.html").is_file()  # the folder was not a site before: nothing of it is touched
    (out / "i" / "Q-GONE00.html").write_text("an item voided since\n", encoding="utf-8")
    again = run("report", "site", str(out), "--months", "1", ledger=demo)
    assert "本次写入 0 个，删除过时 2 个" in again.stderr, again.stderr
    assert not (out / "i" / "Q-GONE00.html").exists() and not (out / "u" / "notes.html").exists()
    assert (out / "index.html").is_file() and (out / "i").is_dir()


def test_a_new_ledger_without_visits_or_items(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run("report", "site", str(out), ledger=sample.path)
    assert result.exit_code == 0, result.output
    for home in sample.households:
        assert (out / "h" / f"{home}.html").is_file()
    assert "测试户甲" in (out / "assets" / "search.js").read_text(encoding="utf-8")
    data = unit_data(out, "520602101")
    assert data["p"]["2026-11"]["v"]["households"] == "3" and data["p"]["2026-11"]["v"]["open"] == "0"


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def test_a_site_brought_up_to_date_is_the_site_drawn_afresh(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: pages whose inputs did not change are neither read nor drawn again. After a day's work, a hand
    edit left uncommitted, a cadre renamed, a page deleted by hand and a damaged page cache, the folder brought up
    to date holds exactly what a new folder gets."""
    import shutil

    from minqing.cli import rollup_render

    ledger = tmp_path / "ledger"
    shutil.copytree(demo, ledger, symlinks=True)
    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    with office_env():
        assert run("report", "site", str(kept), "-q", ledger=ledger).exit_code == 0
        # Nothing changed: not one entry file is read again.
        reads: list[str] = []
        for name in ("item", "household"):
            real = getattr(Ledger, name)
            monkeypatch.setattr(
                Ledger,
                name,
                lambda self, text, *a, _real=real, **k: reads.append(text) or _real(self, text, *a, **k),
            )
        S.generate(Ledger.open(ledger), str(kept), metric_labels=rollup_render.LABELS)
        assert reads == []
        monkeypatch.undo()

        led = Ledger.open(ledger)
        admin = next(c for c in led.iter_cadres() if c.role == "admin")
        homes = sorted(h.id for h in led.iter_households())
        open_item = next(i for i in led.iter_items() if i.state == "assigned")
        steps = [
            (
                "visit",
                "add",
                "--household",
                homes[3],
                "--by",
                admin.id,
                "--raise",
                "站点新事项",
                "--category",
                "water",
            ),
            ("issue", "progress", open_item.id, "--note", "站点进展"),
            ("cadre", "edit", open_item.leader, "--name", "改名干部", "--reason", "更正姓名"),
        ]
        for step in steps:
            done = (
                run(*step, "--as", admin.id, ledger=ledger)
                if step[0] != "visit"
                else run(*step, ledger=ledger)
            )
            assert done.exit_code == 0, (step, done.output)
        assert run("report", "site", str(kept), "-q", ledger=ledger).exit_code == 0
        # A hand edit not committed: the page shows the file as it is, as a new folder's would.
        edited = ledger / led.path_of(homes[5])
        edited.write_text(
            edited.read_text(encoding="utf-8").replace("members: ", "members: 1", 1), encoding="utf-8"
        )
        (kept / "i" / f"{open_item.id}.html").unlink()
        assert run("report", "site", str(kept), "-q", ledger=ledger).exit_code == 0
        assert run("report", "site", str(tmp_path / "edited"), "-q", ledger=ledger).exit_code == 0
        assert _tree(kept) == _tree(tmp_path / "edited")
        S.page_cache_path(Ledger.open(ledger), kept).write_bytes(b"not a database")
        assert run("report", "site", str(kept), "-q", ledger=ledger).exit_code == 0
        edited.write_text(
            edited.read_text(encoding="utf-8").replace("members: 1", "members: ", 1), encoding="utf-8"
        )
        assert run("report", "site", str(kept), "-q", ledger=ledger).exit_code == 0
        assert run("report", "site", str(fresh), "-q", ledger=ledger).exit_code == 0
    assert _tree(kept) == _tree(fresh)
    assert "改名干部" in (kept / "i" / f"{open_item.id}.html").read_text(encoding="utf-8")
