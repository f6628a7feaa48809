"""The rows issue 19 asked of the harness beyond the first round's: a real git server (sync and clone through `git
daemon` and smart HTTP), `audit` after one commit, a rollup over a hundred county ledgers, exports against a plain
script, and the leaders' static site (whole, and after a day's work). `bench.run` calls each and adds its rows."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench.generate import generate
from bench.run import MINQING, Row, Sample, measure, sh, sync_rounds
from bench.servers import SERVERS

ORDER = ("tiny", "small", "county", "large")


def _minqing(*args: str) -> str:
    return shlex.join(MINQING + list(args))


def _quiet(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True, text=True)


# ---------------------------------------------------------------- a real git server


def network(
    size: str,
    repeat: int,
    ledger: Path,
    workdir: Path,
    env: dict[str, str],
    git_env: dict[str, str],
    household: str,
    cadre: str,
) -> list[Row]:
    """The county's repo served twice on 127.0.0.1, by `git daemon` and by smart HTTP: `county.git` with minqing's
    pre-receive hook (every push audited, as the guide sets a central repo up) and `plain.git` without it (bare
    git's merges have no trailers, so the hook would refuse them). Timed through the daemon: `minqing clone` and
    its first command (which builds the index) against `git clone` and `minqing reindex`. Timed through each
    server: a sync of one commit each way, as in `offices`, against `git pull --no-rebase && git push`."""
    place = workdir / "network"
    shutil.rmtree(place, ignore_errors=True)
    served = place / "served"
    served.mkdir(parents=True)
    for name in ("county.git", "plain.git"):
        subprocess.run(["git", "clone", "-q", "--bare", str(ledger), str(served / name)], check=True)
    _quiet(MINQING + ["hooks", "install", "--bare", str(served / "county.git")], place, env)
    secret = ledger / ".git" / "minqing" / "secret"
    user = subprocess.run(
        ["git", "config", "minqing.user"], cwd=ledger, capture_output=True, text=True
    ).stdout.strip()
    clone_args = ["--user", user] + (["--secret-file", str(secret)] if secret.exists() else [])
    clone = Row(
        "`minqing clone` over `git daemon`, then its first command (`status`: the index is built)",
        reference="`git clone` over the same daemon, then `minqing reindex`",
        target="≤ 1.2 × reference",
        target_ratio=1.2,
    )
    syncs = {
        transport: Row(
            f"`sync` of one commit each way over {transport}, the served repo's pre-receive hook auditing the push",
            reference=f"`git pull --no-rebase && git push` over {transport} (a served repo without the hook)",
            target="≤ 1.5 × reference at `large`",
            target_ratio=1.5 if size == "large" else None,
        )
        for transport in SERVERS
    }
    clones = {name: place / name for name in ("this", "other", "git-this", "git-other")}
    with SERVERS["git daemon"](served) as daemon:
        for _attempt in range(max(1, min(repeat, 3))):  # a clone of `large` is a minute each way
            for path in clones.values():
                shutil.rmtree(path, ignore_errors=True)
            os.sync()  # a clone of `large` is the disk's work: not the last one's deletion too
            clone.samples.append(
                measure(
                    sh(
                        _minqing("clone", f"{daemon}/county.git", str(clones["this"]), *clone_args)
                        + " && "
                        + _minqing("-C", str(clones["this"]), "status")
                    ),
                    place,
                    env,
                )
            )
            os.sync()
            clone.ref_samples.append(
                measure(
                    sh(
                        shlex.join(["git", "clone", "-q", f"{daemon}/plain.git", str(clones["git-this"])])
                        + " && "
                        + _minqing("-C", str(clones["git-this"]), "reindex")
                    ),
                    place,
                    env,
                )
            )
        _quiet(MINQING + ["clone", f"{daemon}/county.git", str(clones["other"]), *clone_args], place, env)
        subprocess.run(["git", "clone", "-q", f"{daemon}/plain.git", str(clones["git-other"])], check=True)
    for path in clones.values():
        # smart HTTP: the small server reads no chunked POST, so a push goes in one request
        subprocess.run(["git", "config", "http.postBuffer", str(1 << 30)], cwd=path, check=True)
    for transport, serve in SERVERS.items():
        with serve(served) as base:
            for name, path in clones.items():
                repo = "plain.git" if name.startswith("git-") else "county.git"
                subprocess.run(["git", "remote", "set-url", "origin", f"{base}/{repo}"], cwd=path, check=True)
            sync_rounds(
                syncs[transport],
                repeat,
                ledger,
                clones,
                place,
                env,
                git_env,
                household,
                cadre,
                f"{transport} ",
            )
    shutil.rmtree(place, ignore_errors=True)
    return [clone, *syncs.values()]


# ---------------------------------------------------------------- audit after one commit


def incremental_audit(repeat: int, ledger: Path, env: dict[str, str], household: str, cadre: str) -> Row:
    """`audit --since refs/minqing/audited` after one `visit add`. The mark is set to the commit before it by hand:
    the bench ledger is one bulk commit audit does not accept (see the whole-history row), and what this row
    measures is the audit of the day's new commit."""
    row = Row(
        "`audit --since refs/minqing/audited` after one commit",
        reference="`git log -p -1` of that commit",
        target="≤ 0.5 s",
        target_seconds=0.5,
    )
    for attempt in range(repeat):
        subprocess.run(["git", "update-ref", "refs/minqing/audited", "HEAD"], cwd=ledger, check=True)
        visit = ["visit", "add", "--household", household, "--by", cadre, "--note", f"audit {attempt}"]
        _quiet(MINQING + visit, ledger, env)
        row.samples.append(measure(MINQING + ["audit", "--since", "refs/minqing/audited"], ledger, env))
        row.ref_samples.append(measure(["git", "log", "-p", "-1", "HEAD"], ledger, env))
    subprocess.run(["git", "update-ref", "-d", "refs/minqing/audited"], cwd=ledger, check=True)
    return row


# ---------------------------------------------------------------- a hundred counties


def counties(
    size: str,
    repeat: int,
    ledger: Path,
    workdir: Path,
    env: dict[str, str],
    git_env: dict[str, str],
    count: int,
) -> Row:
    """`rollup --repos-file` over `count` county ledgers (issue 19: a city or province), each a copy of a `county`
    ledger (of this run's own ledger when it is smaller) with a county code of its own (a rollup refuses one county
    twice) and its index: a warm rollup, a worker per core, against what an office would script without it, a
    `minqing rollup` per ledger one after another (the note has `MINQING_JOBS=1`, the same rollups in one process,
    which already spreads each ledger's queries over the cores). The copies' working trees are hard links (a hundred
    checkouts of 70,000 files would be the disk's benchmark; git is told not to trust their ctimes); each has its
    own git dir and index file."""
    county_size = ORDER[min(ORDER.index(size), ORDER.index("county"))]
    source = ledger if county_size == size else workdir / f"ledger-{county_size}"
    if not (source / "minqing.yaml").exists():
        shutil.rmtree(source, ignore_errors=True)
        print(f"generating {county_size} ledger in {source} …", file=sys.stderr)
        generate(source, county_size)
    _quiet(MINQING + ["-C", str(source), "reindex"], workdir, env)
    place = workdir / "counties"
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    names = [f"c{number:03d}" for number in range(count)]
    config = (source / "minqing.yaml").read_text(encoding="utf-8")
    code = next(line.split("'")[1] for line in config.splitlines() if line.strip().startswith("code:"))
    state = Path(".git") / "minqing"
    for number, name in enumerate(names):
        copy = place / name
        subprocess.run(["git", "clone", "-q", "--local", "--no-checkout", str(source), str(copy)], check=True)
        for entry in source.iterdir():
            if entry.name not in (".git", "minqing.yaml"):
                subprocess.run(["cp", "-al", str(entry), str(copy / entry.name)], check=True)
        for part in (source / ".git").glob("*index*"):  # git's index, split (core.splitIndex) or not
            if part.is_file():
                shutil.copy2(part, copy / ".git" / part.name)
        (copy / state).mkdir(parents=True, exist_ok=True)
        for kept in (source / state).iterdir():
            if kept.is_file():
                shutil.copy2(kept, copy / state / kept.name)
        for key, value in (("core.trustctime", "false"), ("core.checkStat", "minimal")):
            subprocess.run(["git", "config", key, value], cwd=copy, check=True)
        (copy / "minqing.yaml").write_text(
            config.replace(f"code: '{code}'", f"code: '{int(code) + 1 + number}'", 1), encoding="utf-8"
        )
        subprocess.run(
            ["git", "commit", "-q", "-m", f"county {name}", "minqing.yaml"], cwd=copy, env=git_env, check=True
        )
    listing = place / "counties.txt"
    listing.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    cores = os.cpu_count() or 1
    row = Row(
        f"warm `rollup --repos-file` over {count} `{county_size}` ledgers, a worker per core ({cores})",
        reference="`minqing -C LEDGER rollup` of each, one after another (a shell loop)",
        target="≤ 0.5 × reference; memory flat in the number of ledgers (set in issue 19)",
        target_ratio=0.5,
    )
    command = MINQING + ["rollup", "--repos-file", str(listing), "--by", "county", "--format", "json"]
    one = json.loads(_quiet(MINQING + ["-C", str(source), "rollup", "--format", "json"], workdir, env).stdout)
    summed = json.loads(_quiet(command, place, env).stdout)  # untimed: each index brought up to its commit
    single = dict(env, MINQING_JOBS="1")
    each = _minqing("-C", "$name", "rollup", "--by", "county", "--format", "json").replace(
        "'$name'", '"$name"'
    )
    loop = sh(f"while read -r name; do {each} > /dev/null; done < {shlex.quote(str(listing))}")
    in_one: list[Sample] = []
    for _ in range(repeat):
        row.samples.append(measure(command, place, env))
        row.ref_samples.append(measure(loop, place, env))
        in_one.append(measure(command, place, single))
    alone = measure(MINQING + ["-C", str(source), "rollup", "--format", "json"], workdir, env)
    households = summed["total"]["households"]
    row.note = (
        f"{households:,} households counted (each ledger {one['total']['households']:,}: "
        f"{'all' if households == count * one['total']['households'] else '**not all**'} of them); "
        f"one ledger alone {alone.seconds:.2f} s, {alone.rss_mb:.0f} MB; the same rollups one after another in one"
        f" process (`MINQING_JOBS=1`) {statistics.median(s.seconds for s in in_one):.2f} s"
    )
    shutil.rmtree(place, ignore_errors=True)
    return row


# ---------------------------------------------------------------- exports


PLAIN_EXPORT = """
import csv, sys, glob, yaml
from yaml import CSafeLoader
kind, fmt, root, out = sys.argv[1:]
files = sorted(glob.glob(f"{root}/{'visits/*/*.yaml' if kind == 'visits' else 'issues/*/*.yaml'}"))
def rows():
    for name in files:
        with open(name, encoding="utf-8") as handle:
            for doc in yaml.load_all(handle, Loader=CSafeLoader):
                if isinstance(doc, dict):
                    yield [str(value) for value in doc.values() if not isinstance(value, (list, dict))]
if fmt == "csv":
    with open(out, "w", encoding="utf-8-sig", newline="") as sink:
        csv.writer(sink).writerows(rows())
else:
    import openpyxl
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("x")
    for row in rows():
        sheet.append(row)
    book.save(out)
"""


def exports(repeat: int, ledger: Path, workdir: Path, env: dict[str, str]) -> list[Row]:
    """A county's visits to CSV and its items to xlsx, against a plain script that reads the same files with
    PyYAML's C loader and writes each document's plain fields with `csv` / openpyxl (issue 19's reference)."""
    script = workdir / "plain_export.py"
    script.write_text(PLAIN_EXPORT, encoding="utf-8")
    rows = []
    for kind, fmt in (("visits", "csv"), ("issues", "xlsx")):
        row = Row(
            f"`export --kind {kind} --format {fmt}`",
            reference=f"a plain script reading the same files and writing {fmt}",
            target="≤ 2 × reference; ≤ 500 MB",
            target_ratio=2.0,
        )
        out = workdir / f"export.{fmt}"
        for _ in range(repeat):
            row.samples.append(
                measure(MINQING + ["export", "--kind", kind, "--format", fmt, "--out", str(out)], ledger, env)
            )
            row.ref_samples.append(
                measure([sys.executable, str(script), kind, fmt, str(ledger), str(out)], ledger, env)
            )
        out.unlink(missing_ok=True)
        rows.append(row)
    return rows


# ---------------------------------------------------------------- the leaders' site


def site(
    repeat: int,
    ledger: Path,
    workdir: Path,
    env: dict[str, str],
    household: str,
    cadre: str,
    item_id: str | None,
    check: Row,
) -> list[Row]:
    """`report site` of the whole ledger into a new folder, then again after a day's work (three visits and an
    item's progress) into the same folder, which rewrites only the pages that changed. Whole: against `check` in
    this run (both read every file); after a day: against the whole site."""
    whole = Row(
        "`report site` of the whole ledger (a new folder)",
        reference="`minqing check` (this run)",
        target="≤ 4 × reference (set in issue 19)",
        target_ratio=4.0,
    )
    again = Row(
        "`report site` after a day's work (three visits and one item's progress), into the same folder",
        reference="the whole site (this run)",
        target="≤ 0.5 × reference (set in issue 19)",
        target_ratio=0.5,
    )
    out = workdir / "site"
    for attempt in range(max(1, min(repeat, 2))):  # a whole site of `large` is minutes
        shutil.rmtree(out, ignore_errors=True)
        whole.samples.append(measure(MINQING + ["report", "site", str(out), "-q"], ledger, env))
        for number in range(3):
            visit = [
                "visit",
                "add",
                "--household",
                household,
                "--by",
                cadre,
                "--note",
                f"site {attempt}.{number}",
            ]
            _quiet(MINQING + visit, ledger, env)
        if item_id:
            _quiet(MINQING + ["issue", "progress", item_id, "--note", f"site {attempt}"], ledger, env)
        again.samples.append(measure(MINQING + ["report", "site", str(out), "-q"], ledger, env))
    whole.ref_samples = list(check.samples)
    again.ref_samples = list(whole.samples)
    shutil.rmtree(out, ignore_errors=True)
    return [whole, again]


__all__ = ["Sample", "counties", "exports", "incremental_audit", "network", "site"]
