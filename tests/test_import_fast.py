"""Issue 19, import at sheet speed: the import's faster paths write what the plain ones write.

- `sheets._record_dict` stands in for `Record.to_dict` (and `replace(record, history=…).to_dict()`);
- fastdump's block and flow writers skip PyYAML's resolver for first characters no implicit resolver starts with,
  and keep the written `key:` forms;
- `store._Packing` packs an import's objects in a thread while the files are written (was: after them), and
  `store._Staging` stages each file as it is written (was: one update-index after all of them).

Each is held to its plain counterpart through the CLI on office-shaped sheets (a title row, official village names,
mixed date forms; the packing path taken from one file up), with the same seeded ids: the same tree, commit and output;
and a sheet with bad rows is refused alike, leaving HEAD and the worktree as they were."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import replace

import pytest
import yaml
from conftest import NOW, run, snapshot
from sheets_fixture import build_office, copy_office, id_number, write_csv, write_xlsx

from minqing.ledgers.core import fastdump, ids, yamlio
from minqing.ledgers.core.model import Cadre, Household, Visit
from minqing.ledgers.ops import register, sheets
from minqing.ledgers.read.visits import iter_visits
from minqing.ledgers.repo import store

VILLAGES = (("520602101203", "青杠村村民委员会"), ("520602101204", "龙井村村委会"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华国建文平志伟东海强晓光林永军德春红英"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    office = build_office(tmp_path_factory.mktemp("fast") / "office")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MINQING_NOW", NOW)
        ledger = office.ledger()
        for code, official in VILLAGES:  # the bureau's official names; offices write them either way
            register.add_unit(ledger, None, code, official, "village", "520602101", at=NOW)
    return office


def _name(index: int) -> str:
    index, surname = divmod(index, len(SURNAMES))
    return SURNAMES[surname] + GIVEN[index % len(GIVEN)] + GIVEN[(index // len(GIVEN)) % len(GIVEN)]


def _households(rows: int) -> list[list[str]]:
    out = [
        ["2026年和平乡脱贫户花名册"],
        [],
        ["序号", "乡镇", "村", "户主姓名", "身份证号", "家庭人口", "户类别"],
    ]
    villages = ["青杠村村民委员会", "青杠村", "龙井村村委会", "板栗园村"]
    for index in range(rows):
        number = id_number(100 + index) if index % 7 == 0 else ""
        out.append(
            [
                str(index + 1),
                "和平乡",
                villages[index % 4],
                _name(index),
                number,
                f"{1 + index % 5}人",
                "脱贫户",
            ]
        )
    out.append(["合计", "", "", "", "", str(rows), ""])
    return out


def _visits(homes: list[tuple[str, str]]) -> list[list[str]]:
    out = [
        ["2026年入户走访台账"],
        ["序号", "走访日期", "乡镇", "村", "户主姓名", "走访人", "走访情况", "走访类型"],
    ]
    dates = ("2026-11-03", "2026/11/4", "2026年11月5日", "2026.11.6", "20261107")
    for index, (village, head) in enumerate(homes):
        note = "入户走访，了解生产生活情况" if index % 3 else f"第{index}次：核实收入 true"
        kind = "" if index % 4 else "谈心谈话"
        out.append([str(index + 1), dates[index % 5], "和平乡", village, head, "李明", note, kind])
    return out


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain paths: Record.to_dict, PyYAML's writers, the objects packed and the files staged when the commit
    is made."""

    def record_dict(record, history=None):
        return (record if history is None else replace(record, history=history)).to_dict()

    class Packing:
        def __init__(self, ledger, writes, head):
            self.args = (ledger, writes, head)

        def wait(self):
            store._pack_objects(*self.args)

    monkeypatch.setattr(sheets, "_record_dict", record_dict)
    monkeypatch.setattr(yamlio, "dump", yamlio.dump_with_pyyaml)
    monkeypatch.setattr(yamlio, "dump_stream_doc", yamlio.dump_stream_doc_with_pyyaml)

    class Staging:  # staged by the commit, after every file is written
        def __init__(self, ledger, head):
            self.paths = set()

        def add(self, rel):
            pass

        def finish(self):
            pass

        def undo(self):
            pass

    monkeypatch.setattr(store, "_Packing", Packing)
    monkeypatch.setattr(store, "_Staging", Staging)


def _import(office, sheet, kind: str, seed: int) -> tuple[int, str, str, str, str]:
    with ids.seeded(seed):
        result = run("import", str(sheet), "--kind", kind, ledger=office.path)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=office.path, capture_output=True, text=True, check=True
        ).stdout

    head, status = snapshot(office.path)
    refs = git("for-each-ref", "refs/minqing/")
    return result.exit_code, result.output, git("rev-parse", "HEAD^{tree}") + head, status, refs


def _both_ways(base, tmp_path, monkeypatch, build, kind: str):
    """(fast, slow) outcomes of importing the sheet `build(office)` writes, each into its own copy of `base`."""
    outcomes = []
    for name in ("fast", "slow"):
        office = copy_office(base, tmp_path / name)
        sheet = build(office, tmp_path / f"{name}-sheet")
        with monkeypatch.context() as patch:
            patch.setattr(store, "PACKED_BLOBS_FROM", 1)  # a visits sheet's few stream files are packed too
            if name == "slow":
                _slow(patch)
            outcomes.append(_import(office, sheet, kind, 19))
    return outcomes


def test_households_and_visits_written_alike(base, tmp_path, monkeypatch):
    def homes(office, folder):
        folder.mkdir(exist_ok=True)
        return write_xlsx(folder / "农户花名册.xlsx", _households(300)[1:], title="2026年和平乡脱贫户花名册")

    fast, slow = _both_ways(base, tmp_path / "h", monkeypatch, homes, "households")
    assert fast == slow
    assert fast[0] == 0 and fast[3] == "" and fast[4] == ""  # committed, clean worktree, no packing ref left

    def visits(office, folder):
        folder.mkdir()
        with ids.seeded(7):
            assert (
                run(
                    "import", str(homes(office, folder)), "--kind", "households", ledger=office.path
                ).exit_code
                == 0
            )
        ledger = store.Ledger.open(office.path)
        pairs = []
        for entry_id in sorted(ledger.all_ids("H")):
            home = ledger.household(entry_id)
            if home.village in ("520602101203", "520602101204") and len(pairs) < 300:
                pairs.append((ledger.units()[home.village].official or "", home.head))
        return write_csv(folder / "走访台账.csv", _visits(pairs))

    fast, slow = _both_ways(base, tmp_path / "v", monkeypatch, visits, "visits")
    assert fast == slow
    assert fast[0] == 0 and fast[3] == "" and fast[4] == ""


def test_bad_rows_refused_alike(base, tmp_path, monkeypatch):
    def sheet(office, folder):
        folder.mkdir()
        rows = _households(250)
        rows[5][2] = "无此村"  # an unknown village
        rows[9][4] = id_number(100)  # the ID number of row 1 (序号 1) again
        rows[12][5] = "许多人"  # not a number of members
        rows[20][6] = "富裕户"  # not a household category
        return write_csv(folder / "农户.csv", rows)

    fast, slow = _both_ways(base, tmp_path, monkeypatch, sheet, "households")
    assert fast == slow
    code, output, _tree, status, refs = fast
    assert code != 0 and status == "" and refs == ""
    lines = output.strip().splitlines()
    assert len([line for line in lines if "农户.csv:" in line]) == 4
    assert all(len(line) < 300 for line in lines)


def test_record_dict_is_to_dict(base):
    ledger = base.ledger()
    records = [ledger.household(home) for home in base.homes.values()]
    records += [ledger.cadre(cadre) for cadre in (base.leader, base.recalled, base.wang_banli)]
    records += list(iter_visits(ledger))
    assert {type(record) for record in records} == {Household, Cadre, Visit}
    for record in records:
        assert list(sheets._record_dict(record).items()) == list(record.to_dict().items())
        history = record.history[:1] if hasattr(record, "history") else None
        if history is not None:
            expected = replace(record, history=history).to_dict()
            assert list(sheets._record_dict(record, history).items()) == list(expected.items())


@pytest.mark.parametrize("first", [chr(code) for code in range(33, 127)] + list("张李王一二三〇０１Ｈ"))
def test_first_characters_without_a_resolver(first):
    """A first character the fast writer takes as plain without asking PyYAML's resolver: PyYAML agrees, for
    strings that look like numbers, bools, nulls and dates after it too."""
    resolver = yaml.resolver.Resolver()
    if first not in fastdump._PLAIN_FIRST:
        return
    for rest in ("", "1", "rue", "ull", "0.5", "e3", "026-11-03", ":00", "x"):
        value = first + rest
        assert resolver.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str", value


@pytest.mark.parametrize("point", ["write", "commit", "journal", "index"])
def test_an_import_killed_while_it_stages_is_undone_or_finished(base, tmp_path, point):
    """put_many stages each file as it writes it (store._Staging): a kill part-way leaves staged paths, which
    `doctor --fix` unstages with the files (killed while writing) or commits (killed once the commit was
    described), as for a kill at the commit's own update-index."""
    minqing = shutil.which("minqing")
    if minqing is None:
        pytest.skip("the minqing console script is not on PATH")
    office = copy_office(base, tmp_path / "office")
    sheet = write_csv(tmp_path / "农户.csv", _households(250))  # past PACKED_BLOBS_FROM: staged while written
    before = snapshot(office.path)
    env = dict(
        os.environ, MINQING_NOW=NOW, MINQING_LANG="en", GIT_CONFIG_NOSYSTEM="1", MINQING_CRASH_AT=point
    )
    for name in ("MINQING_USER", "MINQING_LEDGER"):
        env.pop(name, None)
    killed = subprocess.run(
        [minqing, "-C", str(office.path), "import", str(sheet), "--kind", "households"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    fixed = run("--lang", "en", "doctor", "--fix", "--json", ledger=office.path)
    assert fixed.exit_code == 0, fixed.output
    head, status = snapshot(office.path)
    assert status == ""
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"], cwd=office.path, capture_output=True, text=True
    ).stdout
    assert staged == ""
    refs = subprocess.run(
        ["git", "for-each-ref", "refs/minqing/"], cwd=office.path, capture_output=True, text=True
    ).stdout
    assert refs == ""
    if point in ("write", "commit"):
        assert head == before[0]
    else:
        files = subprocess.run(
            ["git", "diff-tree", "-r", "--name-only", f"{before[0]}..HEAD"],
            cwd=office.path,
            capture_output=True,
            text=True,
        ).stdout.split()
        assert len([rel for rel in files if rel.startswith("households/")]) == 250
