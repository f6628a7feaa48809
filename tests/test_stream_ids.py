"""Stream documents (visits, survey answers, corrections, voids) never reuse an id (issue 19: a stress run drew one
visit id twice). Ids are 30 random bits; at a county's million visits hundreds of pairs would be drawn alike, and
each would be a duplicate that `check` and `audit` report. A drawn id already in the target stream, or known to the
index, is drawn again. The draws are made to repeat with `ids.seeded` (the same seed draws the same ids)."""

from __future__ import annotations

from conftest import NOW, Sample, run

from minqing.ledgers.core import ids
from minqing.ledgers.ops import visits
from minqing.ledgers.repo.store import Ledger


def _visit(sample: Sample, household: str, date: str) -> str:
    led = Ledger.open(sample.path)
    visit, _ = visits.add_visit(
        led, sample.admin, household=household, by=[sample.village_cadre], date=date, at=NOW
    )
    return visit.id


def test_an_id_already_in_the_stream_is_drawn_again(sample: Sample) -> None:
    with ids.seeded(7):
        first = _visit(sample, sample.households[0], "2026-11-20")
    with ids.seeded(7):  # the same draw again, into the same village's November stream
        second = _visit(sample, sample.households[1], "2026-11-21")
    assert first != second
    assert run("check", ledger=sample.path).exit_code == 0
    assert run("audit", ledger=sample.path).exit_code == 0


def test_an_id_the_index_knows_in_another_stream_is_drawn_again(sample: Sample) -> None:
    with ids.seeded(11):
        first = _visit(sample, sample.households[0], "2026-10-20")  # 板栗园村's October stream
    assert run("reindex", ledger=sample.path).exit_code == 0
    with ids.seeded(11):
        second = _visit(
            sample, sample.households[3], "2026-11-20"
        )  # 宋家坝村's November stream: another file
    assert first != second
    assert run("check", ledger=sample.path).exit_code == 0


def test_a_void_and_a_correction_do_not_reuse_the_ids_of_their_stream(sample: Sample) -> None:
    with ids.seeded(5):
        original = _visit(sample, sample.households[0], "2026-11-20")
    with ids.seeded(5):
        result = run("visit", "edit", original, "--note", "更正", "--reason", "录错", ledger=sample.path)
    assert result.exit_code == 0, result.output
    with ids.seeded(5):
        result = run("visit", "void", original, "--reason", "重复录入", ledger=sample.path)
    assert result.exit_code == 0, result.output
    assert run("check", ledger=sample.path).exit_code == 0
    assert run("audit", ledger=sample.path).exit_code == 0
