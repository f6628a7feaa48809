"""The static site for leaders (issue 20): county, township and village pages with drill-down, a period selector,
item and household pages, the overdue list, 对账销号 sheets and the quarterly ranking, all inside one folder.

Every figure is a value of `rollup.rollup(...)` for that unit and period (one grouped rollup per level and period,
never a second count); the lists a figure opens are `rollup.counted_items`, the items that same rollup counts.
Pages are plain HTML with a little vanilla JavaScript; data the scripts need (per-period figures, the item table,
the search index) is shipped as `.js` files that assign to `window.MQ`, because a page opened from file:// may not
fetch() JSON in Chromium. Nothing is loaded from outside the folder.

Writing is incremental: each file is rendered in memory and written (temp file + rename) only when its bytes
differ from what is on disk, so a nightly run after one day's commits rewrites only the pages whose content
changed; pages carry no generation timestamp for the same reason (the "as of" date is the data's own). An item's
or household's page whose inputs are unchanged since the last run (`PageCache`, kept in `.git/minqing`, not in the
published folder) is not even read or drawn again: at a county's size those pages were most of a run that changed
nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import os
import sqlite3
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import fields as F
from ..core.errors import BadInput
from ..core.messages import PERIOD_LABELS, Text, label, render
from ..core.pii import mask_text
from ..repo.store import Ledger
from . import rollup as R
from .index import Index

MARKER = ".minqing-site"  # marks a folder as this tool's site: only then are stale pages removed from it
PAGE_CACHE = (
    "site-pages-{folder}.sqlite"  # in .git/minqing: what the last run drew each page from (PageCache)
)
OWNED_DIRS = ("u", "i", "h", "r", "data", "assets")
PAGE_LEVELS = (
    "county",
    "township",
    "village",
)  # the org levels with a page (a group is a row of its village)
HEADLINE = (
    "visits",
    "households_visited",
    "coverage",
    "poor_coverage",
    "pairing_coverage",
    "opened",
    "closed",
    "open",
    "overdue",
    "on_time_rate",
    "satisfaction_rate",
    "median_days_to_close",
)
FUNNEL = ("raised", "escalated_township", "escalated_county", "on_the_spot", "explained")
ACTIVITY = ("talks", "stays", "activities", "participants", "wishes_raised", "wishes_fulfilled")
CHILD_COLUMNS = (
    "visits",
    "coverage",
    "opened",
    "closed",
    "open",
    "overdue",
    "on_time_rate",
    "satisfaction_rate",
)
COMPARED = ("visits", "households_visited", "opened", "closed", "overdue", "activities")
TREND = ("visits", "opened", "closed")


@dataclass(frozen=True)
class SiteResult:
    out_dir: str
    pages: int  # files the site consists of
    written: int  # of those, files whose bytes changed and were (re)written
    removed: int  # stale files of an earlier run removed (an entry no longer in the ledger)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SitePeriod:
    key: str  # the label `rollup` prints: 2026-11, 2026Q4, 2026
    period: R.Period
    kind: str  # month | quarter | year (year to date while the year runs)


def site_periods(months: int, today: dt.date) -> list[SitePeriod]:
    """The last `months` months, the quarters they fall in and the year to date, newest first in each kind."""
    out: list[SitePeriod] = []
    day = today.replace(day=1)
    quarters: dict[str, R.Period] = {}
    for _ in range(months):
        month = R.period_containing("month", day, today)
        out.append(SitePeriod(month.label, month, "month"))
        quarter = R.period_containing("quarter", day, today)
        quarters.setdefault(quarter.label, quarter)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    out += [SitePeriod(key, period, "quarter") for key, period in quarters.items()]
    year = R.period_containing("year", today, today)
    out.append(SitePeriod(year.label, year, "year"))
    return out


def display(metric: str, value: Any, lang: str) -> str:
    """A figure as the site shows it (the browser test formats `rollup --format json` the same way)."""
    if value is None:
        return "—"
    if metric == "cleared":
        return render("site_cleared_yes" if value else "site_cleared_no", lang)
    if metric in R.RATES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def check_out_dir(out_dir: str) -> Path:
    """OUT_DIR must be a folder (made when missing); a file or an unmakeable path is bad input."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise BadInput("site_out_not_folder", field="OUT_DIR", value=out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(
            "out_unwritable", field="OUT_DIR", value=out_dir, detail=exc.strerror or str(exc)
        ) from None
    return folder


# ---------------------------------------------------------------- writing


class Writer:
    """Collects the site's files; writes a file only when its bytes differ from the copy on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: set[str] = set()
        self.written = 0
        # Only a folder an earlier run marked as its own is swept: files someone else keeps there are never removed.
        self.ours = (root / MARKER).is_file()

    def put(self, rel: str, text: str) -> None:
        data = text.encode("utf-8")
        self.paths.add(rel)
        target = self.root / rel
        try:
            if target.read_bytes() == data:
                return
        except OSError:
            target.parent.mkdir(parents=True, exist_ok=True)
        # temp file + rename: a web server serving the folder never sends half a page
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temp, 0o644)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self.written += 1

    def keep(self, rel: str) -> None:
        """Counts a page an earlier run wrote, unchanged since (PageCache), as this run's."""
        self.paths.add(rel)

    def sweep(self) -> int:
        """Remove files of an earlier run in the site's own folders that this run did not produce."""
        if not self.ours:
            return 0
        removed = 0
        for folder in OWNED_DIRS:
            top = self.root / folder
            for directory, _, names in os.walk(top):
                # a county's 200,000 pages: names joined, not Path objects made relative one by one
                inside = directory[len(str(top)) :].lstrip(os.sep).replace(os.sep, "/")
                prefix = f"{folder}/{inside}/" if inside else f"{folder}/"
                for name in names:
                    if name.endswith((".html", ".js", ".css")) and prefix + name not in self.paths:
                        os.unlink(os.path.join(directory, name))
                        removed += 1
        return removed


class PageCache:
    """For each item's and household's page, what the last run into this folder drew it from (`inputs`: the entry's
    blob at HEAD, and for a household its items' lines and its visits), the page file as it left it (size and
    mtime: a page anyone else wrote since is drawn again) and the line the lists keep of the entry (None: the entry
    has no page). `scope` is what every page shows besides: the code and labels that draw pages, the language, the
    root unit, the units' and cadres' names; when it changes, nothing is kept. Kept in the ledger's state folder
    (`.git/minqing`), one file per site folder: the site's own folder is published as it is. A run that stops half
    way commits nothing; rows of entries gone from the ledger are dropped."""

    MISSING = object()

    def __init__(self, path: Path, scope: str, folder: Path) -> None:
        self.folder = folder
        try:
            self.conn = self._open(path, scope)
        except sqlite3.DatabaseError:  # unreadable (a disk error, a hand edit): start over
            path.unlink(missing_ok=True)
            self.conn = self._open(path, scope)

    @staticmethod
    def _open(path: Path, scope: str) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS meta(scope TEXT)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS pages(page TEXT PRIMARY KEY, inputs TEXT, file TEXT, line TEXT)"
        )
        conn.execute("BEGIN")
        stored = conn.execute("SELECT scope FROM meta").fetchone()
        if stored is None or stored[0] != scope:
            conn.execute("DELETE FROM pages")
            conn.execute("DELETE FROM meta")
            conn.execute("INSERT INTO meta VALUES (?)", (scope,))
        conn.execute("CREATE TEMP TABLE seen(page TEXT PRIMARY KEY, inputs TEXT, file TEXT, line TEXT)")
        return conn

    def _file(self, page: str) -> str | None:
        try:
            found = os.stat(self.folder / page)
        except OSError:
            return None
        return f"{found.st_size} {found.st_mtime_ns}"

    def get(self, page: str, inputs: str | None) -> Any:
        """The line kept for `page` drawn from `inputs` (a list, or None for no page), else MISSING."""
        if inputs is None:
            return self.MISSING
        row = self.conn.execute("SELECT inputs, file, line FROM pages WHERE page = ?", (page,)).fetchone()
        if row is None or row[0] != inputs or (row[2] != "null" and row[1] != self._file(page)):
            return self.MISSING
        self.conn.execute("INSERT INTO seen VALUES (?, ?, ?, ?)", (page, *row))
        return json.loads(row[2])

    def reuse(self, page: str, inputs: str | None, writer: Writer, make: Callable[[list[Any]], Any]) -> Any:
        """The line kept for `page` (made by `make` from its fields; None: the entry has no page) when the page is
        as the last run drew it from `inputs`, counted as this run's; else MISSING: it must be drawn."""
        kept = self.get(page, inputs)
        if kept is self.MISSING or kept is None:
            return kept
        writer.keep(page)
        return make(kept)

    def put(self, page: str, inputs: str | None, line: Any) -> None:
        """What `page` was just drawn from (after it was written, or found the same on disk)."""
        if inputs is not None:
            self.conn.execute(
                "INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?)",
                (
                    page,
                    inputs,
                    self._file(page),
                    json.dumps(None if line is None else dataclasses.astuple(line)),
                ),
            )

    def commit(self) -> None:
        self.conn.execute("DELETE FROM pages")
        self.conn.execute("INSERT INTO pages SELECT * FROM seen")
        self.conn.execute("COMMIT")
        self.conn.close()


def page_cache_path(ledger: Ledger, folder: Path) -> Path:
    """The page cache of a site folder, in the ledger's state folder (named by the folder's absolute path)."""
    from ..core.layout import STATE_DIR

    name = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:16]
    return ledger.git_dir / STATE_DIR / PAGE_CACHE.format(folder=name)


def _page_scope(ctx: Context, unit_names: dict[str, str], cadre_names: dict[str, str]) -> str:
    """What every item and household page shows besides its own entry (PageCache): the modules that draw and
    label them, the language, the root unit and the names of units and cadres."""
    from importlib.metadata import version

    from ..core import messages, model, pii

    digest = hashlib.sha256(version("pypinyin").encode("utf-8"))  # the heads' spellings are kept too
    for module in (__file__, messages.__file__, model.__file__, pii.__file__):
        digest.update(Path(module).read_bytes())
    digest.update(
        json.dumps(
            [ctx.lang, ctx.root_unit, ctx.root_name, sorted(unit_names.items()), sorted(cadre_names.items())],
            ensure_ascii=False,
        ).encode("utf-8")
    )
    return digest.hexdigest()


class EntryBlobs:
    """The blob at HEAD of an item or household file whose working copy is HEAD's, from the index (None for a file
    modified or untracked: its page is drawn from the file). One lookup at a time: 200,000 paths held in a dict
    were 60 MB of a `large` site's memory."""

    def __init__(self, index: Index, ledger: Ledger) -> None:
        from ..repo.worktree import dirty_paths

        self.conn = index.conn
        self.dirty = set(dirty_paths(ledger, locked=False))

    def __call__(self, rel: str) -> str | None:
        if rel in self.dirty:
            return None
        row = self.conn.execute("SELECT blob FROM blobs WHERE path = ? AND error IS NULL", (rel,)).fetchone()
        return row[0] if row else None


# ---------------------------------------------------------------- page shell


CSS = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #d5dbe3; --accent: #9b1c1c; --good: #1f6f43; --bg: #fafbfc; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: var(--ink);
  background: var(--bg); line-height: 1.5; }
header { background: var(--accent); color: #fff; padding: .5rem 1rem; }
header a { color: #fff; }
header nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: .5rem 0; } h2 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
a { color: #0b4f8a; } a:focus, button:focus, select:focus, input:focus, [tabindex]:focus { outline: 3px solid #f0b400; }
.crumbs { font-size: .9rem; color: var(--muted); }
.controls { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: .5rem 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .5rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
.card .k { font-size: .85rem; color: var(--muted); display: block; }
.card .v { font-size: 1.35rem; font-weight: 600; }
.bad { color: var(--accent); } .good { color: var(--good); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; background: #fff; min-width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
figure { margin: .5rem 0; background: #fff; border: 1px solid var(--line); padding: .5rem; overflow-x: auto; }
figcaption { font-weight: 600; } svg text { font-size: 11px; fill: var(--ink); }
#search { padding: .3rem; min-width: 12rem; }
#hits { list-style: none; padding: 0; margin: 0; background: #fff; color: var(--ink); max-width: 40rem; }
#hits li { padding: .2rem .5rem; border-bottom: 1px solid var(--line); }
#hits a { color: #0b4f8a; }
.muted { color: var(--muted); }
/* a table's caption names it for screen readers; the heading above already shows it */
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 600px) { main { padding: .5rem; } .cards { grid-template-columns: repeat(2, 1fr); }
  .card .v { font-size: 1.1rem; } }
@media print {
  @page { size: A4; margin: 12mm; }
  header, .controls, .noprint { display: none !important; }
  body { background: #fff; font-size: 10pt; } main { padding: 0; max-width: none; }
  table { width: 100%; font-size: 9pt; } tr { page-break-inside: avoid; } thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  .sign { margin-top: 2rem; display: flex; justify-content: space-between; }
}
.sign { margin-top: 1.5rem; display: flex; gap: 2rem; flex-wrap: wrap; }
"""

# The page script: period selector, figures and links per period, the list page, table sorting, search.
JS = r"""
(function () {
  "use strict";
  var MQ = window.MQ = window.MQ || {};
  MQ.units = MQ.units || {};
  function $(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function base() { return document.body.getAttribute("data-base") || ""; }
  function load(src, done) {
    var s = document.createElement("script"); s.src = base() + src; s.onload = done; document.head.appendChild(s);
  }
  function chosen() {
    var m = /(?:^#|&)p=([^&]+)/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }
  function keepPeriod(key) {
    $("a[data-keep]").forEach(function (a) {
      a.setAttribute("href", a.getAttribute("href").split("#")[0] + "#p=" + encodeURIComponent(key));
    });
  }
  function show(key) {
    var unit = document.body.getAttribute("data-unit");
    var data = unit && MQ.units[unit];
    if (!data || !data.p[key]) { return; }
    var fig = data.p[key];
    $("[data-m]").forEach(function (el) {
      var owner = el.getAttribute("data-u") || unit;
      var vals = owner === unit ? fig.v : (fig.rows[owner] || {});
      var m = el.getAttribute("data-m");
      if (vals[m] !== undefined) { el.textContent = vals[m]; }
    });
    $("a[data-list]").forEach(function (a) {
      var owner = a.getAttribute("data-u") || unit;
      a.setAttribute("href", base() + "list.html#u=" + owner + "&p=" + encodeURIComponent(key) +
        "&m=" + a.getAttribute("data-list"));
    });
    $("[data-period-label]").forEach(function (el) { el.textContent = fig.label; });
    keepPeriod(key);
  }
  function periodSelector() {
    var sel = document.getElementById("period");
    if (!sel) { return; }
    var want = chosen();
    if (want && $("option", sel).some(function (o) { return o.value === want; })) { sel.value = want; }
    sel.addEventListener("change", function () {
      history.replaceState(null, "", "#p=" + encodeURIComponent(sel.value)); show(sel.value);
    });
    show(sel.value);
  }
  function listPage() {
    var box = document.getElementById("list");
    if (!box) { return; }
    var args = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var kv = pair.split("="); args[kv[0]] = decodeURIComponent(kv[1] || "");
    });
    if (!/^[0-9]+$/.test(args.u || "")) { return; }
    load("data/" + args.u + ".js", function () {
      load("assets/items.js", function () {
        var data = MQ.units[args.u], fig = data && data.p[args.p];
        if (!fig) { return; }
        var ids = fig.l[args.m] || [];
        document.getElementById("list-title").textContent =
          data.name + " · " + fig.label + " · " + (MQ.metricNames[args.m] || args.m) + MQ.colon + ids.length;
        var body = document.getElementById("list-body");
        ids.forEach(function (id) {
          var it = MQ.items[id] || ["", "", "", "", ""];
          var tr = document.createElement("tr");
          var cells = [id, it[0], it[1], it[2], it[3], it[4]];
          cells.forEach(function (text, i) {
            var td = document.createElement("td");
            if (i === 0) {
              var a = document.createElement("a"); a.href = base() + "i/" + id + ".html"; a.textContent = id;
              td.appendChild(a);
            } else { td.textContent = text || ""; }
            tr.appendChild(td);
          });
          body.appendChild(tr);
        });
      });
    });
  }
  function sortable() {
    $("table[data-sortable]").forEach(function (table) {
      $("thead th button", table).forEach(function (button, col) {
        button.addEventListener("click", function () {
          var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
          var down = button.getAttribute("data-dir") !== "asc";
          rows.sort(function (a, b) {
            var x = a.cells[col].textContent, y = b.cells[col].textContent;
            var nx = parseFloat(x), ny = parseFloat(y);
            var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
            return down ? -c : c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
          $("thead th", table).forEach(function (th) { th.removeAttribute("aria-sort"); });
          button.parentNode.setAttribute("aria-sort", down ? "descending" : "ascending");
          button.setAttribute("data-dir", down ? "asc" : "desc");
        });
      });
    });
  }
  function search() {
    var input = document.getElementById("search"), hits = document.getElementById("hits");
    if (!input) { return; }
    var loading = false;
    function run() {
      var q = input.value.trim().toLowerCase();
      hits.innerHTML = "";
      if (!q || !MQ.search) { return; }
      var up = q.toUpperCase(), found = 0;
      for (var i = 0; i < MQ.search.length && found < 30; i++) {
        var e = MQ.search[i];  // [id, name, initials, pinyin, where, href]
        if (e[0].indexOf(up) === 0 || e[0].slice(2).indexOf(up) === 0 || e[1].indexOf(q) >= 0 ||
            e[2].indexOf(q) === 0 || e[3].indexOf(q) === 0) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = base() + e[5]; a.textContent = e[1] + " " + e[0]; li.appendChild(a);
          li.appendChild(document.createTextNode(" " + e[4])); hits.appendChild(li); found++;
        }
      }
      if (!found) { var none = document.createElement("li"); none.textContent = MQ.noHits; hits.appendChild(none); }
    }
    input.addEventListener("input", function () {
      if (MQ.search) { run(); return; }
      if (!loading) { loading = true; load("assets/search.js", run); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    periodSelector(); listPage(); sortable(); search();
  });
})();
"""


@dataclass(frozen=True)
class Context:
    """What every page needs: the language, the labels, the periods, the county's name."""

    lang: str
    metric_labels: dict[str, tuple[str, str]]
    periods: tuple[SitePeriod, ...]
    today: dt.date
    root_unit: str
    root_name: str

    def t(self, key: str, **params: Any) -> str:
        return render(key, self.lang, **params)

    def metric(self, key: str) -> str:
        pair = self.metric_labels.get(key, (key, key))
        return pair[1] if self.lang == "en" else pair[0]


def place(unit_names: dict[str, str], code: str) -> str:
    """A unit as a reader recognises it: a group (一组) or a village is named with the units above it up to the
    township, since many villages have a 一组."""
    parts = [unit_names.get(code[:size], "") for size in (9, 12) if len(code) > size]
    return "".join(parts) + unit_names.get(code, code)


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def shell(ctx: Context, title: str, body: str, base: str, unit: str | None = None, extra_js: str = "") -> str:
    nav = [
        f'<a href="{base}index.html">{esc(ctx.root_name)}</a>',
        f'<a href="{base}overdue.html">{esc(ctx.t("site_overdue"))}</a>',
        f'<a href="{base}week.html">{esc(ctx.t("site_due_week"))}</a>',
        f'<a href="{base}ranking.html">{esc(ctx.t("site_ranking"))}</a>',
        f'<a href="{base}r/{ctx.root_unit}.html">{esc(ctx.t("site_reconcile"))}</a>',
        f'<label>{esc(ctx.t("site_search"))} <input id="search" type="search" autocomplete="off"'
        f' placeholder="{esc(ctx.t("site_search_hint"))}"></label>',
    ]
    lang_attr = "en" if ctx.lang == "en" else "zh-CN"
    unit_attr = f' data-unit="{esc(unit)}"' if unit else ""
    return (
        f'<!doctype html>\n<html lang="{lang_attr}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{base}assets/site.css">\n'
        f'<script src="{base}assets/labels.js"></script>\n{extra_js}'
        f'<script src="{base}assets/site.js"></script>\n</head>\n'
        f'<body data-base="{base}"{unit_attr}>\n<header><nav aria-label="site">{" · ".join(nav)}</nav>\n'
        '<ul id="hits" aria-live="polite"></ul></header>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def table(headers: list[tuple[str, bool]], rows: Iterable[list[tuple[str, bool]]], caption: str = "") -> str:
    """A keyboard-usable table: the scroll box is focusable, each header is a sort button; (html, numeric) cells."""
    head = "".join(
        f'<th scope="col"{" class=n" if numeric else ""}><button type="button">{text}</button></th>'
        for text, numeric in headers
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if numeric else ''}>{cell}</td>" for cell, numeric in row)
        + "</tr>\n"
        for row in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    label_attr = f' aria-label="{esc(caption)}"' if caption else ""
    return (
        f'<div class="scroll" tabindex="0" role="region"{label_attr}><table data-sortable>{cap}'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table></div>"
    )


def bars(
    caption: str, labels: list[str], series: list[tuple[str, list[float | int]]], colors: list[str]
) -> str:
    """A horizontal bar chart as inline SVG, each bar with its number written beside it."""
    rows = len(labels) * len(series)
    bar, gap, label_width, plot = 12, 6, 110, 320
    height = rows * bar + len(labels) * gap + 30
    top = max([float(v) for _, values in series for v in values] + [1.0])
    out = [
        f"<figure><figcaption>{esc(caption)}</figcaption>",
        f'<svg width="{label_width + plot + 70}" height="{height}" role="img" aria-label="{esc(caption)}">',
    ]
    y = 4
    for index, name in enumerate(labels):
        out.append(f'<text x="0" y="{y + bar}">{esc(name)}</text>')
        for (series_name, values), color in zip(series, colors, strict=False):
            value = values[index]
            width = round(plot * float(value) / top, 1)
            out.append(
                f'<rect x="{label_width}" y="{y}" width="{width}" height="{bar - 2}" fill="{color}">'
                f"<title>{esc(series_name)} {esc(name)}: {value}</title></rect>"
            )
            out.append(f'<text x="{label_width + width + 4}" y="{y + bar - 3}">{value}</text>')
            y += bar
        y += gap
    legend_x = label_width
    for (series_name, _), color in zip(series, colors, strict=False):
        out.append(f'<rect x="{legend_x}" y="{y + 4}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{legend_x + 14}" y="{y + 13}">{esc(series_name)}</text>')
        legend_x += 110
    out.append("</svg></figure>")
    return "".join(out)


# ---------------------------------------------------------------- the site


@dataclass(frozen=True)
class ItemLine:
    """What the lists, the search index and a household's page need of an item (its description masked)."""

    id: str
    desc: str
    unit: str
    state: str
    due: str | None
    kind: str
    household: str | None
    leader: str | None
    is_open: bool


@dataclass(frozen=True)
class HomeLine:
    """What a village page and the search index need of a household (the head's name spelled in pinyin: its
    initials and in full)."""

    id: str
    head: str
    village: str
    status: str
    register_no: str | None
    removed: str | None
    initials: str
    spelled: str


# The fields of a kept line most entries share a value of (units, states, kinds, leaders): one string each, not
# one per entry as JSON reads them (100,000 items' lines).
ITEM_REPEATS = (2, 3, 5, 7)
HOME_REPEATS = (2, 3)


def _interned(values: list[Any], positions: tuple[int, ...]) -> list[Any]:
    for position in positions:
        if isinstance(values[position], str):
            values[position] = sys.intern(values[position])
    return values


def _sounds(name: str) -> tuple[str, str]:
    """A name's pinyin initials and full spelling, lower case, as the search box matches them."""
    from pypinyin import Style, lazy_pinyin

    full = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    return "".join(s[:1] for s in full).lower(), "".join(full).lower()


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    level: str
    parent: str | None


def generate(
    ledger: Ledger,
    out_dir: str,
    *,
    unit: str | None = None,
    months: int = 12,
    lang: str = "zh",
    metric_labels: dict[str, tuple[str, str]],
) -> SiteResult:
    """Build (or bring up to date) the site in `out_dir`; see the module docstring."""
    from . import office

    if months < 1 or months > 36:
        raise BadInput("bad_value", field="--months", value=str(months), accepted="1..36")
    today = F.today()
    periods = tuple(site_periods(months, today))
    with Index.open(ledger) as index:
        root = R.check_unit([index], unit) or (index.setting("county_code") or "")
        folder = check_out_dir(out_dir)
        all_units = ledger.units()
        if root not in all_units or all_units[root].level not in PAGE_LEVELS or all_units[root].retired:
            raise BadInput("bad_code", field="--unit", value=root, accepted=Text("acc_site_unit"))
        units = {
            code: UnitInfo(code, u.name, u.level, u.parent)
            for code, u in all_units.items()
            if code.startswith(root) and u.level in PAGE_LEVELS and not u.retired
        }
        ctx = Context(lang, metric_labels, periods, today, root, units[root].name)
        figures = _figures(index, periods, units, root, lang)
        cadre_names = index.cadre_names()
    writer = Writer(folder)
    writer.put("assets/site.css", CSS)
    writer.put("assets/site.js", JS)
    writer.put("assets/labels.js", _labels_js(ctx))
    unit_names = {code: u.name for code, u in all_units.items()}
    # Entries are streamed: each item's and household's page is written as it is read, and only a short line of
    # each is kept for the lists, the search index and the village pages (a county's 50,000 households and their
    # histories held as objects would not fit the memory target). A page whose inputs are those of the last run is
    # neither read nor drawn: its line comes from the page cache.
    pages = PageCache(page_cache_path(ledger, folder), _page_scope(ctx, unit_names, cadre_names), folder)
    items: list[ItemLine] = []
    items_by_home: dict[str, list[ItemLine]] = defaultdict(list)
    homes: list[HomeLine] = []
    with Index.open(ledger) as entry_index:  # at HEAD already: opening it again parses nothing
        blob_of = EntryBlobs(entry_index, ledger)
        for item_id in sorted(ledger.all_ids("Q")):
            page = f"i/{item_id}.html"
            inputs = blob_of(ledger.path_of(item_id))
            line = pages.reuse(page, inputs, writer, lambda kept: ItemLine(*_interned(kept, ITEM_REPEATS)))
            if line is PageCache.MISSING:
                item = ledger.item(item_id, verify=False)
                line = None
                if not item.voided and item.unit.startswith(root):
                    writer.put(page, _item_page(ctx, item, unit_names, cadre_names))
                    line = ItemLine(
                        item.id,
                        mask_text(item.desc)[0],
                        item.unit,
                        item.state,
                        item.due,
                        item.kind,
                        item.household,
                        item.leader,
                        item.is_open,
                    )
                pages.put(page, inputs, line)
            if line is None:
                continue
            items.append(line)
            if line.household:
                items_by_home[line.household].append(line)
        visits = VisitsByHousehold(entry_index, root)
        for home_id in sorted(ledger.all_ids("H")):
            page = f"h/{home_id}.html"
            home_items = items_by_home.get(home_id, [])
            home_visits = visits.take(home_id)
            blob = blob_of(ledger.path_of(home_id))
            inputs = None
            if blob is not None:
                drawn_from = [blob, [dataclasses.astuple(line) for line in home_items], home_visits]
                inputs = hashlib.sha256(
                    json.dumps(drawn_from, ensure_ascii=False).encode("utf-8")
                ).hexdigest()
            home_line = pages.reuse(
                page, inputs, writer, lambda kept: HomeLine(*_interned(kept, HOME_REPEATS))
            )
            if home_line is PageCache.MISSING:
                home = ledger.household(home_id, verify=False)
                home_line = None
                if home.village.startswith(root):
                    writer.put(
                        page, _household_page(ctx, home, unit_names, cadre_names, home_items, home_visits)
                    )
                    home_line = HomeLine(
                        home.id,
                        home.head,
                        home.village,
                        home.status,
                        home.register_no,
                        home.removed,
                        *_sounds(home.head),
                    )
                pages.put(page, inputs, home_line)
            if home_line is not None:
                homes.append(home_line)
    del items_by_home
    writer.put("assets/items.js", _items_js(items, unit_names, ctx))
    writer.put("assets/search.js", _search_js(homes, items, units, unit_names))
    for code in units:
        writer.put(f"data/{code}.js", _unit_js(code, units[code].name, figures[code]))
    homes_by_village: dict[str, list[HomeLine]] = defaultdict(list)
    for home_line in homes:
        homes_by_village[home_line.village].append(home_line)
    children: dict[str, list[str]] = defaultdict(list)
    for code, info in sorted(units.items()):
        if info.parent in units:
            children[info.parent].append(code)
    for code, info in units.items():
        page = _unit_page(
            ctx, info, units, children[code], homes_by_village.get(code, []), figures[code], figures
        )
        writer.put("index.html" if code == root else f"u/{code}.html", page)
    writer.put("list.html", _list_page(ctx))
    writer.put("overdue.html", _overdue_page(ctx, items, unit_names, cadre_names, week=False))
    writer.put("week.html", _overdue_page(ctx, items, unit_names, cadre_names, week=True))
    writer.put("ranking.html", _ranking_page(ctx, ledger, root, units, office))
    sheet = office.reconcile(ledger, None, root)
    for code, info in units.items():
        rows = [row for row in sheet.rows if row.unit.startswith(code)]
        writer.put(f"r/{code}.html", _reconcile_page(ctx, info, rows, sheet.date, unit_names))
    writer.put(MARKER, "minqing report site\n")
    pages.commit()
    removed = writer.sweep()
    return SiteResult(str(folder), len(writer.paths), writer.written, removed)


def _figures(
    index: Index, periods: tuple[SitePeriod, ...], units: dict[str, UnitInfo], root: str, lang: str
) -> dict[str, dict[str, Any]]:
    """unit -> period key -> {"v": figures as shown, "raw": rollup values, "rows": children's shown figures,
    "l": metric -> counted item ids}: one rollup and one counted_items per level below the root and period; the
    root's figures are the total of the first of them (the rollup's total is the whole `--unit` filter)."""
    out: dict[str, dict[str, Any]] = {code: {} for code in units}
    # One string object per distinct id or shown figure: the same open item is in the lists of every period, unit
    # and level (millions of references at the `large` bench size), and most figures are the same few strings.
    canonical: dict[str, str] = {}

    def shared(lists: dict[str, list[str]]) -> dict[str, list[str]]:
        return {name: [canonical.setdefault(i, i) for i in ids] for name, ids in lists.items()}

    root_level = units[root].level
    below = sorted({info.level for info in units.values()} - {root_level}, key=PAGE_LEVELS.index)
    for site_period in periods:
        label_text = _period_label(site_period, lang)

        def keep(
            code: str,
            values: dict[str, Any],
            lists: dict[str, list[str]],
            key: str = site_period.key,
            shown_label: str = label_text,
        ) -> None:
            out[code][key] = {
                "label": shown_label,
                "raw": values,
                "v": {
                    name: canonical.setdefault(text, text)
                    for name, text in shown_values(values, lang).items()
                },
                "rows": {},
                "l": shared(lists),
            }

        for level in below or [root_level]:
            result = R.rollup([index], site_period.period, level, root, lang)
            lists = R.counted_items(index, site_period.period, level, root)
            for row in result.rows:
                # A grouping also has rows for work attached directly to a higher unit (the county's own level
                # in `--by township`); a unit's figures are its row in the grouping of its own level.
                if row.unit in units and units[row.unit].level == level:
                    keep(row.unit, row.values, lists.get(row.unit, {name: [] for name in R.LISTED_METRICS}))
            if below and level == below[0]:
                every = {
                    name: sorted({i for group in lists.values() for i in group[name]})
                    for name in R.LISTED_METRICS
                }
                keep(root, result.total.values, every)
        for code, info in units.items():
            if info.parent in out and site_period.key in out[info.parent] and site_period.key in out[code]:
                shown = out[code][site_period.key]["v"]
                out[info.parent][site_period.key]["rows"][code] = {
                    key: shown[key] for key in (*CHILD_COLUMNS, "cleared")
                }
    return out


def shown_values(values: dict[str, Any], lang: str) -> dict[str, str]:
    return {name: display(name, value, lang) for name, value in values.items()}


def _period_label(site_period: SitePeriod, lang: str) -> str:
    if site_period.kind == "year":
        return render("site_ytd", lang, year=site_period.key, to=site_period.period.as_of.isoformat())
    kind = PERIOD_LABELS[site_period.kind][1 if lang == "en" else 0]
    return f"{site_period.key}（{kind}）" if lang != "en" else f"{site_period.key} ({kind})"


class VisitsByHousehold:
    """Each household's visits, newest first, read from one cursor ordered by household while the households are
    walked in id order (`iter_households`): a million visits are never held in memory at once."""

    def __init__(self, index: Index, root: str) -> None:
        self._rows = index.conn.execute(
            "SELECT household, id, date, kind FROM visits WHERE household IS NOT NULL AND substr(unit, 1, ?) = ?"
            " ORDER BY household, date DESC, id",
            (len(root), root),
        )
        self._next = self._rows.fetchone()

    def take(self, household: str) -> list[tuple[str, str, str]]:
        out = []
        while self._next is not None and self._next[0] <= household:
            if self._next[0] == household:
                out.append((self._next[1], self._next[2], self._next[3]))
            self._next = self._rows.fetchone()
        return out


def _js(name: str, value: Any) -> str:
    return (
        f"window.MQ = window.MQ || {{}};\n{name} = {json.dumps(value, ensure_ascii=False, sort_keys=True)};\n"
    )


def _labels_js(ctx: Context) -> str:
    names = {key: ctx.metric(key) for key in R.METRICS}
    colon = ": " if ctx.lang == "en" else "："
    return (
        _js("window.MQ.metricNames", names)
        + _js("window.MQ.noHits", ctx.t("site_no_hits"))
        + _js("window.MQ.colon", colon)
    )


def _items_js(items: list[Any], unit_names: dict[str, str], ctx: Context) -> str:
    table_ = {
        item.id: [
            mask_text(item.desc)[0],
            place(unit_names, item.unit),
            label(item.state, ctx.lang),
            item.due or "",
            label(item.kind, ctx.lang),
        ]
        for item in items
    }
    return _js("window.MQ.items", table_)


def _search_js(
    homes: list[Any], items: list[Any], units: dict[str, UnitInfo], unit_names: dict[str, str]
) -> str:
    entries = []
    for home in homes:
        entries.append(
            [
                home.id,
                home.head,
                home.initials,
                home.spelled,
                place(unit_names, home.village),
                f"h/{home.id}.html",
            ]
        )
    for code, info in units.items():
        initials, full = _sounds(info.name)
        page = "index.html" if info.parent not in units else f"u/{code}.html"
        entries.append([code, info.name, initials, full, "", page])
    for item in items:
        desc = mask_text(item.desc)[0]
        entries.append([item.id, desc, "", "", place(unit_names, item.unit), f"i/{item.id}.html"])
    return _js("window.MQ.search", entries)


def _unit_js(code: str, name: str, figures: dict[str, Any]) -> str:
    periods = {key: {k: v for k, v in data.items() if k != "raw"} for key, data in figures.items()}
    payload = json.dumps({"name": name, "p": periods}, ensure_ascii=False, sort_keys=True)
    return (
        "window.MQ = window.MQ || {}; window.MQ.units = window.MQ.units || {};\n"
        f"window.MQ.units[{json.dumps(code)}] = {payload};\n"
    )


# ---------------------------------------------------------------- pages


def list_link(base: str, unit: str, period_key: str, metric: str) -> str:
    """The list page for the items a figure counts; the page script rewrites it when another period is chosen."""
    return f"{base}list.html#u={unit}&amp;p={period_key}&amp;m={metric}"


def _figure(ctx: Context, key: str, shown: str, list_prefix: str) -> str:
    value = f'<span class="v" data-m="{key}">{esc(shown)}</span>'
    if key in R.LISTED_METRICS:
        value = f'<a data-list="{key}" href="{list_prefix}{key}">{value}</a>'
    return f'<div class="card"><span class="k">{esc(ctx.metric(key))}</span>{value}</div>'


def _unit_page(
    ctx: Context,
    info: UnitInfo,
    units: dict[str, UnitInfo],
    kids: list[str],
    homes: list[Any],
    figures: dict[str, Any],
    all_figures: dict[str, dict[str, Any]],
) -> str:
    is_root = info.code == ctx.root_unit
    base = "" if is_root else "../"
    default = ctx.periods[0].key
    current = figures.get(default) or {"v": {}, "rows": {}, "raw": {}}
    shown = current["v"]
    list_prefix = list_link(base, info.code, default, "")  # + the metric

    def link_unit(code: str) -> str:
        target = "index.html" if code == ctx.root_unit else f"u/{code}.html"
        return f'<a data-keep href="{base}{target}">{esc(units[code].name)}</a>'

    trail, parent = [], info.parent
    while parent in units:
        trail.insert(0, link_unit(parent))
        parent = units[parent].parent
    options = []
    for kind in ("month", "quarter", "year"):
        group = [p for p in ctx.periods if p.kind == kind]
        label_text = ctx.t(f"site_periods_{kind}")
        opts = "".join(
            f'<option value="{esc(p.key)}">{esc(_period_label(p, ctx.lang))}</option>' for p in group
        )
        options.append(f'<optgroup label="{esc(label_text)}">{opts}</optgroup>')
    level_name = label(info.level, ctx.lang)
    parts = [
        f'<p class="crumbs">{" › ".join(trail)}</p>' if trail else "",
        f"<h1>{esc(info.name)} <small class=muted>{esc(level_name)} {esc(info.code)}</small></h1>",
        '<div class="controls"><label>'
        + esc(ctx.t("site_period"))
        + ' <select id="period">'
        + "".join(options)
        + "</select></label>"
        + f'<span class="muted">{esc(ctx.t("site_as_of", date=ctx.today.isoformat()))}</span>'
        + f'<a href="{base}r/{info.code}.html">{esc(ctx.t("site_reconcile"))}</a></div>',
        f"<p><span data-period-label>{esc(current.get('label', default))}</span></p>",
        f"<h2>{esc(ctx.t('site_headline'))}</h2>",
        '<div class="cards">'
        + "".join(_figure(ctx, key, shown.get(key, "—"), list_prefix) for key in HEADLINE)
        + "</div>",
        f"<h2>{esc(ctx.t('site_funnel'))}</h2>",
        '<div class="cards">'
        + "".join(_figure(ctx, key, shown.get(key, "—"), list_prefix) for key in FUNNEL)
        + "</div>",
        f"<h2>{esc(ctx.t('site_clearance'))}</h2>",
        '<div class="cards">'
        + _figure(ctx, "cleared", shown.get("cleared", "—"), list_prefix)
        + _figure(ctx, "open", shown.get("open", "—"), list_prefix)
        + "</div>",
        f"<h2>{esc(ctx.t('site_activity'))}</h2>",
        '<div class="cards">'
        + "".join(_figure(ctx, key, shown.get(key, "—"), list_prefix) for key in ACTIVITY)
        + "</div>",
        _charts(ctx, figures),
    ]
    if kids:
        headers = [(esc(ctx.t("site_unit")), False)] + [
            (esc(ctx.metric(k)), True) for k in (*CHILD_COLUMNS, "cleared")
        ]
        rows = []
        for code in kids:
            child = current["rows"].get(code, {})
            cells = [(link_unit(code), False)]
            for key in (*CHILD_COLUMNS, "cleared"):
                value = f'<span data-m="{key}" data-u="{code}">{esc(child.get(key, "—"))}</span>'
                if key in R.LISTED_METRICS:
                    value = f'<a data-list="{key}" data-u="{code}" href="{list_link(base, code, default, key)}">{value}</a>'
                cells.append((value, True))
            rows.append(cells)
        cleared = sum(1 for code in kids if all_figures[code].get(default, {}).get("raw", {}).get("cleared"))
        parts.append(
            f"<h2 id=units>{esc(ctx.t('site_units_below', level=label(units[kids[0]].level, ctx.lang)))}</h2>"
        )
        parts.append(f"<p>{esc(ctx.t('site_cleared_count', cleared=cleared, total=len(kids)))}</p>")
        parts.append(
            table(headers, rows, ctx.t("site_units_below", level=label(units[kids[0]].level, ctx.lang)))
        )
    if info.level == "village":
        headers = [
            (esc(ctx.t(k)), False) for k in ("site_household", "site_head", "site_status", "site_register_no")
        ]
        rows = [
            [
                (f'<a href="{base}h/{home.id}.html">{esc(home.id)}</a>', False),
                (esc(home.head), False),
                (esc(label(home.status, ctx.lang)), False),
                (esc(home.register_no or ""), False),
            ]
            for home in homes
            if not home.removed
        ]
        parts.append(f"<h2 id=households>{esc(ctx.t('site_households', count=len(rows)))}</h2>")
        parts.append(table(headers, rows, ctx.t("site_households", count=len(rows))))
    extra = f'<script src="{base}data/{info.code}.js"></script>\n'
    return shell(ctx, f"{info.name} · {ctx.t('site_title')}", "\n".join(parts), base, info.code, extra)


def _charts(ctx: Context, figures: dict[str, Any]) -> str:
    months = [p for p in ctx.periods if p.kind == "month"]
    parts = [f"<h2>{esc(ctx.t('site_charts'))}</h2>"]
    if len(months) >= 2:
        this, last = figures.get(months[0].key), figures.get(months[1].key)
        if this and last:
            parts.append(
                bars(
                    ctx.t("site_this_vs_last", this=months[0].key, last=months[1].key),
                    [ctx.metric(k) for k in COMPARED],
                    [
                        (months[1].key, [last["raw"][k] or 0 for k in COMPARED]),
                        (months[0].key, [this["raw"][k] or 0 for k in COMPARED]),
                    ],
                    ["#9aa8b8", "#9b1c1c"],
                )
            )
    trend = [p for p in reversed(months) if p.key in figures]
    parts.append(
        bars(
            ctx.t("site_trend", count=len(trend)),
            [p.key for p in trend],
            [(ctx.metric(k), [figures[p.key]["raw"][k] or 0 for p in trend]) for k in TREND],
            ["#0b4f8a", "#c77c02", "#1f6f43"],
        )
    )
    return "\n".join(parts)


def _history_rows(ctx: Context, item: Any, cadre_names: dict[str, str]) -> list[list[tuple[str, bool]]]:
    """One row per step of the item's `history:`: when, who (the cadre's name), what, and the fields it set."""

    def shown(value: Any) -> str:
        if isinstance(value, list | tuple):
            return "、".join(shown(part) for part in value)
        text = str(value)
        return cadre_names.get(text) or mask_text(text)[0]

    rows = []
    for entry in item.history:
        details = "; ".join(
            f"{esc(key)}={esc(shown(value))}"
            for key, value in (entry.fields or {}).items()
            if value not in (None, "", [], {}) and key != "id"
        )
        when = entry.at[:16].replace("T", " ")
        rows.append(
            [
                (f'<time datetime="{esc(entry.at)}">{esc(when)}</time>', False),
                (esc(cadre_names.get(entry.by, entry.by)), False),
                (esc(label(entry.op, ctx.lang)), False),
                (details, False),
            ]
        )
    return rows


def _item_page(ctx: Context, item: Any, unit_names: dict[str, str], cadre_names: dict[str, str]) -> str:
    base = "../"
    facts = [
        ("site_kind", label(item.kind, ctx.lang)),
        ("site_ledger", label(item.ledger, ctx.lang)),
        ("site_category", label(item.category, ctx.lang)),
        ("site_unit", place(unit_names, item.unit)),
        ("site_level", label(item.level, ctx.lang)),
        ("site_state", label(item.state, ctx.lang)),
        ("site_created", item.created),
        ("site_due", item.due or "—"),
        ("site_leader", cadre_names.get(item.leader, item.leader) if item.leader else "—"),
    ]
    rows = "".join(
        f"<tr><th scope=row>{esc(ctx.t(key))}</th><td>{esc(value)}</td></tr>" for key, value in facts
    )
    if item.household:
        rows += (
            f"<tr><th scope=row>{esc(ctx.t('site_household'))}</th>"
            f'<td><a href="{base}h/{item.household}.html">{esc(item.household)}</a></td></tr>'
        )
    if item.resolution:
        how = item.resolution.get("how")
        note = mask_text(str(item.resolution.get("note") or ""))[0]
        rows += f"<tr><th scope=row>{esc(ctx.t('site_resolution'))}</th><td>{esc(label(how, ctx.lang))} {esc(note)}</td></tr>"
    headers = [(esc(ctx.t(k)), False) for k in ("site_when", "site_who", "site_what", "site_fields")]
    body = [
        f"<h1>{esc(item.id)} {esc(mask_text(item.desc)[0])}</h1>",
        f'<div class="scroll" tabindex="0"><table><tbody>{rows}</tbody></table></div>',
        f"<h2>{esc(ctx.t('site_history'))}</h2>",
        table(headers, _history_rows(ctx, item, cadre_names), ctx.t("site_history")),
    ]
    return shell(ctx, f"{item.id} · {ctx.t('site_title')}", "\n".join(body), base)


def _household_page(
    ctx: Context,
    home: Any,
    unit_names: dict[str, str],
    cadre_names: dict[str, str],
    items: list[Any],
    visits: list[tuple[str, str, str]],
) -> str:
    base = "../"
    # Files keep only masked forms of ID numbers and phones (DESIGN §3); the site shows exactly those.
    facts = [
        ("site_head", home.head),
        ("site_village", unit_names.get(home.village, home.village)),
        ("site_group", unit_names.get(home.group, home.group or "—")),
        ("site_members", home.members),
        ("site_status", label(home.status, ctx.lang)),
        ("site_register_no", home.register_no or "—"),
        ("site_id_number", home.id_number or "—"),
        ("site_phone", home.phone or "—"),
        ("site_pairings", "、".join(cadre_names.get(c, c) for c in home.pairings) or "—"),
    ]
    if home.removed:
        facts.append(("site_removed", f"{home.removed} {label(home.remove_reason, ctx.lang)}"))
    rows = "".join(
        f"<tr><th scope=row>{esc(ctx.t(key))}</th><td>{esc(value)}</td></tr>" for key, value in facts
    )
    village_page = "index.html" if home.village == ctx.root_unit else f"u/{home.village}.html"
    village_link = f'<a href="{base}{village_page}">{esc(unit_names.get(home.village, home.village))}</a>'
    item_rows = [
        [
            (f'<a href="{base}i/{item.id}.html">{esc(item.id)}</a>', False),
            (esc(mask_text(item.desc)[0]), False),
            (esc(label(item.state, ctx.lang)), False),
            (esc(item.due or ""), False),
        ]
        for item in items
    ]
    visit_rows = [
        [(esc(day), False), (esc(label(kind, ctx.lang)), False), (esc(vid), False)]
        for vid, day, kind in visits
    ]
    body = [
        f'<p class="crumbs">{village_link}</p>',
        f"<h1>{esc(home.head)} <small class=muted>{esc(home.id)}</small></h1>",
        f'<div class="scroll" tabindex="0"><table><tbody>{rows}</tbody></table></div>',
        f"<h2>{esc(ctx.t('site_items', count=len(items)))}</h2>",
        table(
            [(esc(ctx.t(k)), False) for k in ("site_item", "site_desc", "site_state", "site_due")],
            item_rows,
            ctx.t("site_items", count=len(items)),
        ),
        f"<h2>{esc(ctx.t('site_visits', count=len(visits)))}</h2>",
        table(
            [(esc(ctx.t(k)), False) for k in ("site_date", "site_kind", "site_visit")],
            visit_rows,
            ctx.t("site_visits", count=len(visits)),
        ),
    ]
    return shell(ctx, f"{home.head} · {ctx.t('site_title')}", "\n".join(body), base)


def _list_page(ctx: Context) -> str:
    headers = "".join(
        f'<th scope="col"><button type="button">{esc(ctx.t(k))}</button></th>'
        for k in ("site_item", "site_desc", "site_unit", "site_state", "site_due", "site_kind")
    )
    body = (
        '<h1 id="list-title"></h1>'
        '<div class="scroll" tabindex="0" role="region"><table id="list" data-sortable>'
        f'<thead><tr>{headers}</tr></thead><tbody id="list-body"></tbody></table></div>'
    )
    return shell(ctx, ctx.t("site_title"), body, "")


def _overdue_page(
    ctx: Context, items: list[Any], unit_names: dict[str, str], cadre_names: dict[str, str], week: bool
) -> str:
    today = ctx.today.isoformat()
    sunday = (ctx.today + dt.timedelta(days=6 - ctx.today.weekday())).isoformat()
    if week:
        chosen = [i for i in items if i.is_open and i.due and today <= i.due <= sunday]
        title = ctx.t("site_due_week_title", start=today, end=sunday, count=len(chosen))
    else:
        chosen = [i for i in items if i.is_open and i.due and i.due < today]
        title = ctx.t("site_overdue_title", date=today, count=len(chosen))
    chosen.sort(key=lambda i: (i.due, i.unit, i.id))
    rows = [
        [
            (f'<a href="i/{i.id}.html">{esc(i.id)}</a>', False),
            (esc(mask_text(i.desc)[0]), False),
            (esc(place(unit_names, i.unit)), False),
            (esc(i.due), False),
            (esc(cadre_names.get(i.leader, i.leader) if i.leader else "—"), False),
            (esc(label(i.state, ctx.lang)), False),
        ]
        for i in chosen
    ]
    headers = [
        (esc(ctx.t(k)), False)
        for k in ("site_item", "site_desc", "site_unit", "site_due", "site_leader", "site_state")
    ]
    return shell(ctx, title, f"<h1>{esc(title)}</h1>" + table(headers, rows, title), "")


def _ranking_page(ctx: Context, ledger: Ledger, root: str, units: dict[str, UnitInfo], office: Any) -> str:
    level = units[root].level
    by = "team" if level == "township" else "township"
    quarters = sorted({p.key for p in ctx.periods if p.kind == "quarter"}, reverse=True)[:2]
    parts = [
        f"<h1>{esc(ctx.t('site_ranking'))}</h1>",
        f"<p class=muted>{esc(ctx.t('site_ranking_note'))}</p>",
    ]
    if level == "village":
        parts.append(f"<p>{esc(ctx.t('site_ranking_none'))}</p>")
        return shell(ctx, ctx.t("site_ranking"), "\n".join(parts), "")
    for quarter in quarters:
        ranking = office.rank(ledger, quarter, by)
        keys = (
            "rank",
            "name",
            "score",
            "on_time_rate",
            "on_time_points",
            "coverage",
            "coverage_points",
            "satisfaction_rate",
            "satisfaction_points",
            "overdue",
            "overdue_penalty",
        )
        headers = [
            (esc(ctx.metric(k) if k in R.METRICS else ctx.t(f"site_rank_{k}")), k != "name") for k in keys
        ]
        rows = []
        for row in ranking.rows:
            if not row.unit.startswith(root):
                continue
            values = row.to_dict()
            cells = []
            for key in keys:
                value = values[key]
                if key == "name":
                    target = "index.html" if row.unit == root else f"u/{row.unit}.html"
                    cells.append((f'<a href="{target}">{esc(value)}</a>', False))
                else:
                    cells.append((esc(display(key, value, ctx.lang)), True))
            rows.append(cells)
        caption = ctx.t(
            "site_ranking_quarter",
            quarter=quarter,
            start=ranking.period.start.isoformat(),
            end=ranking.period.end.isoformat(),
            as_of=ranking.period.as_of.isoformat(),
        )
        parts += [f"<h2>{esc(caption)}</h2>", table(headers, rows, caption)]
    return shell(ctx, ctx.t("site_ranking"), "\n".join(parts), "")


def _reconcile_page(
    ctx: Context, info: UnitInfo, rows: list[Any], date: str, unit_names: dict[str, str]
) -> str:
    base = "../"
    title = ctx.t(
        "site_reconcile_title",
        unit=info.name,
        date=date,
        count=len(rows),
        overdue=sum(1 for row in rows if row.overdue_days),
    )
    keys = (
        "site_item",
        "site_ledger",
        "site_desc",
        "site_head",
        "site_unit",
        "site_state",
        "site_leader",
        "site_due",
        "site_overdue_days",
        "site_last",
        "site_days_since",
        "site_sign",
    )
    body_rows = [
        [
            (f'<a href="{base}i/{row.id}.html">{esc(row.id)}</a>', False),
            (esc(label(row.ledger, ctx.lang)), False),
            (esc(mask_text(row.desc)[0]), False),
            (esc(row.head or ""), False),
            (esc(place(unit_names, row.unit)), False),
            (esc(label(row.state, ctx.lang)), False),
            (esc(row.leader_name or "—"), False),
            (esc(row.due or "—"), False),
            (esc(row.overdue_days or ""), True),
            (esc(f"{label(row.last_op, ctx.lang)} {row.last_date} {row.last_by_name}"), False),
            (esc(row.days_since), True),
            ("", False),
        ]
        for row in rows
    ]
    page_link = "index.html" if info.code == ctx.root_unit else f"u/{info.code}.html"
    body = [
        f'<p class="crumbs noprint"><a href="{base}{page_link}">{esc(info.name)}</a></p>',
        f"<h1>{esc(title)}</h1>",
        table(
            [(esc(ctx.t(k)), k in ("site_overdue_days", "site_days_since")) for k in keys], body_rows, title
        ),
        '<div class="sign">'
        + "".join(
            f"<span>{esc(ctx.t(k))}：________</span>"
            for k in ("site_sign_maker", "site_sign_checker", "site_sign_leader")
        )
        + "</div>",
    ]
    return shell(ctx, title, "\n".join(body), base)
