"""Issue 15: reporting periods (报送). A closed month keeps its figures as reported; anything dated inside it is
refused unless recorded late (补录, --late --reason), counted in its own column and listed by `period show`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import refused, run
from foundation_util import World, world_template

from minqing.ledgers.verify import audit


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def git(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def ok(w: World, *args: str) -> str:
    result = run(*args, ledger=w.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def october(w: World, *extra: str) -> dict:
    out = ok(w, "rollup", "--period", "month", "--date", "2026-10-15", "--format", "json", *extra)
    return json.loads(out)


def visit(w: World, date: str, *extra: str, household: str = "h1") -> list[str]:
    return ["visit", "add", "--household", w[household], "--by", w["village"], "--date", date, *extra]


def figures(result: dict) -> tuple:
    return result["rows"], result["total"]


def test_close_stores_the_figures_and_rollup_as_reported_gives_them_exactly(w: World) -> None:
    ok(w, *visit(w, "2026-10-20", "--raise", "屋顶漏雨", "--category", "housing"))
    live = october(w)
    out = ok(w, "period", "close", "2026-10", "--as", w["county"])
    assert "2026-10 520602" in out
    data = yaml.safe_load((w.path / "periods/2026-10/520602.yaml").read_text(encoding="utf-8"))
    assert (data["id"], data["state"], data["closed_by"]) == ("2026-10/520602", "closed", w["county"])
    assert figures(data["reported"]) == figures(live)
    message = git(w.path, "log", "-1", "--format=%B")
    assert message.startswith("报送 2026-10") and "Ledger-Op: period.close" in message
    assert "Ledger-Entry: 2026-10/520602" in message
    # Later entries change the live figures, never the reported ones.
    ok(w, *visit(w, "2026-10-21", "--late", "--reason", "漏录"))
    assert october(w)["total"]["visits"] == live["total"]["visits"] + 1
    assert october(w)["total"]["late"] == 1
    reported = october(w, "--as-reported")
    assert figures(reported) == figures(live)
    table = ok(w, "rollup", "--period", "month", "--date", "2026-10-15", "--as-reported")
    assert "和平乡" in table
    assert [f.code for f in audit.audit_repo(w.path, mark=False).findings] == []
    assert run("check", ledger=w.path).exit_code == 0


def test_entries_dated_in_a_closed_month_are_refused_unless_recorded_late(w: World) -> None:
    ok(w, "period", "close", "2026-10", "--as", w["county"])
    refused(w.path, *visit(w, "2026-10-20"), contains="2026-10")
    refused(
        w.path, "activity", "add", "--kind", "cleanup", "--unit", "520602101201", "--date", "2026-10-09",
        "--title", "环境整治", contains="--late",
    )  # fmt: skip
    refused(w.path, *visit(w, "2026-10-20", "--late"), contains="--reason")  # late needs a reason
    late = ok(w, *visit(w, "2026-10-20", "--late", "--reason", "纸质台账补录"))
    late_id = late.split()[0]
    assert "late: 纸质台账补录" in (w.path / "visits/2026-10/520602101201.yaml").read_text(encoding="utf-8")
    ok(w, *visit(w, "2026-11-20"))  # November is open
    shown = ok(w, "period", "show", "2026-10")
    assert "已报送" in shown and late_id in shown and "纸质台账补录" in shown
    view = json.loads(ok(w, "period", "show", "2026-10", "--json"))
    assert [entry["id"] for entry in view["late"]] == [late_id]
    # A correction that moves a November visit into October is an entry in October too.
    november = ok(w, *visit(w, "2026-11-21")).split()[0]
    refused(
        w.path, "visit", "edit", november, "--date", "2026-10-30", "--reason", "日期录错", contains="2026-10"
    )
    ok(w, "visit", "edit", november, "--date", "2026-10-30", "--reason", "日期录错", "--late")
    assert [f.code for f in audit.audit_repo(w.path, mark=False).findings] == []


def test_a_township_closing_blocks_only_that_township(w: World) -> None:
    ok(w, "period", "close", "2026-10", "--unit", "520602101", "--as", w["town"])
    assert (w.path / "periods/2026-10/520602101.yaml").exists()
    refused(w.path, *visit(w, "2026-10-20"), contains="520602101")
    ok(w, *visit(w, "2026-10-20", household="h3"))  # 坝黄镇 has not reported
    # A township leader reports for their own township only.
    refused(
        w.path, "period", "close", "2026-10", "--unit", "520602102", "--as", w["town"], contains="520602101"
    )
    refused(w.path, "period", "close", "2026-09", "--as", w["town"], contains="520602")


def test_items_registered_in_a_closed_month_are_corrected_only_late(w: World) -> None:
    raised = ok(w, *visit(w, "2026-10-20", "--raise", "屋顶漏雨", "--category", "housing"))
    item_id = raised.split()[2]
    ok(w, "period", "close", "2026-10", "--as", w["admin"])
    refused(w.path, "issue", "edit", item_id, "--category", "water", "--reason", "录错", contains=item_id)
    refused(w.path, "issue", "void", item_id, "--reason", "重复", contains="--late")
    ok(w, "issue", "void", item_id, "--reason", "重复", "--late")
    assert october(w)["total"]["raised"] == 0
    assert figures(october(w, "--as-reported"))[1]["raised"] == 1


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("period", "close", "2026-11"), "2026-11"),  # not ended yet (today is 2026-11-23)
        (("period", "close", "2026-13"), "2026-13"),
        (("period", "close", "2026-10", "--unit", "520602999"), "520602999"),
        (("period", "close", "2026-10", "--as", "{clerk}"), "period.close"),
        (("period", "reopen", "2026-10", "--reason", "重报"), "2026-10"),  # not closed
        (("rollup", "--period", "month", "--date", "2026-10-15", "--as-reported"), "2026-10"),
    ],
)
def test_bad_period_commands_are_refused(w: World, args: tuple[str, ...], contains: str) -> None:
    argv = [arg.format(clerk=w["clerk"]) for arg in args]
    refused(w.path, *argv, contains=contains)


def test_reopen_is_the_admins_with_a_reason_and_a_new_close_reports_anew(w: World) -> None:
    ok(w, "period", "close", "2026-10", "--as", w["county"])
    refused(w.path, "period", "close", "2026-10", "--as", w["county"], contains="reopen")
    refused(
        w.path,
        "period",
        "reopen",
        "2026-10",
        "--reason",
        "重报",
        "--as",
        w["county"],
        contains="period.reopen",
    )
    refused(w.path, "period", "reopen", "2026-10", "--as", w["admin"], contains="--reason")
    ok(w, "period", "reopen", "2026-10", "--reason", "上级要求重报", "--as", w["admin"])
    ok(w, *visit(w, "2026-10-20"))  # open again: no --late needed
    refused(
        w.path, "rollup", "--period", "month", "--date", "2026-10-15", "--as-reported", contains="2026-10"
    )
    ok(w, "period", "close", "2026-10", "--as", w["county"])
    assert october(w, "--as-reported")["total"]["visits"] == 1
    refused(
        w.path, "rollup", "--period", "week", "--date", "2026-10-15", "--as-reported", contains="--period"
    )
    data = yaml.safe_load((w.path / "periods/2026-10/520602.yaml").read_text(encoding="utf-8"))
    assert [entry["op"] for entry in data["history"]] == ["close", "reopen", "close"]
    assert [f.code for f in audit.audit_repo(w.path, mark=False).findings] == []


def _hand_commit(w: World, rel: str, line: str, op: str, entry: str) -> str:
    """Append one stream document by hand and commit it with the trailers of `op`, as the admin."""
    with open(w.path / rel, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    git(w.path, "add", "-A")
    message = f"手工\n\nLedger-Op: {op}\nLedger-Entry: {entry}\nLedger-Actor: {w['admin']}\n"
    author = f"user.email={w['admin']}@minqing.invalid"
    git(w.path, "-c", "user.name=x", "-c", author, "commit", "-qm", message)
    return git(w.path, "rev-parse", "HEAD").strip()


def test_audit_flags_an_entry_slipped_into_a_closed_month_without_the_late_marker(w: World) -> None:
    ok(w, *visit(w, "2026-10-20"))
    ok(w, "period", "close", "2026-10", "--as", w["county"])
    rel = "visits/2026-10/520602101201.yaml"
    line = (
        f"--- {{id: V-FAKE01, date: '2026-10-21', kind: visit, household: {w['h1']}, village: '520602101201', "
        f"unit: '520602101201', by: [{w['village']}], note: 补记, items: [], at: '2026-11-23T10:00:00+08:00', "
        f"recorded_by: {w['admin']}}}"
    )
    forged = _hand_commit(w, rel, line, "visit.add", "V-FAKE01")
    found = [(f.commit, f.code) for f in audit.audit_repo(w.path, mark=False).findings]
    assert found == [(forged, "period_closed")]
