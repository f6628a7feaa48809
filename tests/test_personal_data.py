"""Issue 14: full ID numbers and mobile numbers never reach git through free text, and what is already there is found.

The numbers here are synthetic: valid in form (GB 11643 check character, a mobile prefix) and belonging to nobody.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import refused, run
from foundation_util import World, world_template
from hypothesis import given, settings
from hypothesis import strategies as st

from minqing.ledgers.core import pii
from minqing.ledgers.core.operations import commit_message
from minqing.ledgers.verify import check

ID_NUMBER = "520602198001011232"  # check character valid
ID_OLD = "520602800101123"  # the 15-digit form, born 1980-01-01
MOBILE = "13912345678"
FULL_WIDTH_ID = ID_NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


@pytest.fixture
def w(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    return world_template(tmp_path_factory).copy(tmp_path / "ledger")


def git(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout


def no_full_number(text: str) -> None:
    for number in (ID_NUMBER, ID_OLD, MOBILE, FULL_WIDTH_ID, "520602 19800101 1232", "139 1234 5678"):
        assert number not in text, number


# ---------------------------------------------------------------- finding numbers in text


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (f"户主身份证{ID_NUMBER}电话{MOBILE}", ["id_number", "mobile"]),
        ("身份证 520602 19800101 1232，电话 139 1234 5678", ["id_number", "mobile"]),
        ("电话139-1234-5678", ["mobile"]),
        (f"户主{FULL_WIDTH_ID}", ["id_number"]),
        ("手机１３９１２３４５６７８", ["mobile"]),
        ("+86 139 1234 5678", ["mobile"]),
        (f"老证号{ID_OLD}", ["id_number"]),
        ("52060219800101123x".upper()[:-1] + "X", []),  # wrong check character: not an ID number
        (f"2026-11-03 {MOBILE}", ["mobile"]),  # a date just before does not hide it
        ("组代码52060210120101，村代码520602101201", []),  # org codes are not numbers of people
        ("org add 52060210120104 4组", []),  # a group code and a figure: not a 15-digit ID across a space
        ("5206021980010 11232", ["id_number"]),  # but an ID typed with a stray space still is
        ("139 1234 5678 4组", ["mobile"]),
        ("事项 Q-7K3M2Q，户 H-4H2J9X，走访 V-9PQ1AB", []),
        ("id_hash: 0f" + "1" * 11 + "ab" + "c" * 49, []),  # a keyed hash's digits are not a phone
        ("订单号 123456789012345678901", []),  # a longer run of digits is something else
        ("12345678901", []),  # 11 digits but no mobile prefix
    ],
)
def test_numbers_are_found_in_every_written_form(text: str, kinds: list[str]) -> None:
    assert [hit.kind for hit in pii.find_numbers(text)] == kinds
    masked, found = pii.mask_text(text)
    assert len(found) == len(kinds)
    assert pii.find_numbers(masked) == []
    if kinds:
        no_full_number(masked)


def _valid_id(body: str) -> str:
    return body + pii.id_check_character(body)


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(["520602", "110105", "513225"]),
    born=st.dates(min_value=__import__("datetime").date(1930, 1, 1)),
    serial=st.integers(0, 999),
    before=st.text(alphabet="户主身份证电话，。 ：", max_size=6),
    after=st.text(alphabet="户主身份证电话，。 ：", max_size=6),
    sep=st.sampled_from(["", " ", "-"]),
    wide=st.booleans(),
)
def test_any_valid_id_in_any_text_is_masked(region, born, serial, before, after, sep, wide) -> None:
    number = _valid_id(f"{region}{born:%Y%m%d}{serial:03d}")
    written = sep.join([number[:6], number[6:14], number[14:]])
    if wide:
        written = written.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    masked, found = pii.mask_text(before + written + after)
    assert [hit.kind for hit in found] == ["id_number"]
    assert number[6:14] not in masked.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


def test_a_commit_subject_is_masked_whatever_built_it() -> None:
    message = commit_message(f"走访 测试户 电话{MOBILE}", "visit.add", ["V-1"], "C-1")
    assert message.startswith("走访 测试户 电话139****5678\n\n")


# ---------------------------------------------------------------- typed in: masked before it is written


def test_visit_note_and_raised_item_are_masked_in_files_subject_and_history(w: World) -> None:
    result = run(
        "visit", "add", "--household", w["h1"], "--by", w["village"], "--date", "2026-11-20",
        "--note", f"户主身份证{ID_NUMBER} 电话139 1234 5678",
        "--raise", f"低保申请，身份证号{ID_NUMBER}", "--category", "policy", "--as", w["clerk"],
        ledger=w.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notices) == 1 and "已遮盖" in notices[0] and "--note" in notices[0] and "--raise" in notices[0]
    no_full_number(result.output)
    no_full_number(git(w.path, "log", "-1", "-p", "--format=%B"))
    assert "520***********1232" in git(w.path, "show", "HEAD")
    assert check.check(_open(w.path)) == []


def _open(path: Path):
    from minqing.ledgers.repo.store import Ledger

    return Ledger.open(path)


def test_plan_reason_register_number_and_title_are_masked(w: World) -> None:
    steps = [
        ("issue", "assign", w["registered"], "--leader", w["town"], "--due", "2026-12-20", "--plan", f"联系户主{MOBILE}",
         "--as", w["town"]),
        ("issue", "progress", w["registered"], "--note", f"已电话 {MOBILE} 联系", "--as", w["town"]),
        ("household", "add", "--head", "测试户丁", "--village", "520602101201", "--register-no", ID_NUMBER,
         "--as", w["admin"]),
    ]  # fmt: skip
    for args in steps:
        result = run(*args, ledger=w.path)
        assert result.exit_code == 0, result.output
        assert "已遮盖" in result.stderr
    no_full_number(git(w.path, "log", "-p", "-3"))
    added = [
        p for p in (w.path / "households" / "520602101201").glob("H-*.yaml") if "测试户丁" in p.read_text()
    ]
    assert yaml.safe_load(added[0].read_text())["register_no"] == "520***********1232"


def test_the_notice_speaks_english_with_lang_en(w: World) -> None:
    result = run(
        "--lang", "en", "issue", "progress", w["in_progress"], "--note", f"phoned {MOBILE}", "--as", w["town"],
        ledger=w.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "masked mobile number in --note" in result.stderr


def test_an_office_may_refuse_numbers_in_text_instead(w: World) -> None:
    config = w.path / "minqing.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("pii_in_text: mask", "pii_in_text: refuse"),
        encoding="utf-8",
    )
    git(
        w.path,
        "commit",
        "-qam",
        "拒收\n\nLedger-Op: config.edit\nLedger-Entry: minqing.yaml\nLedger-Actor: x",
    )
    result = refused(
        w.path, "issue", "progress", w["in_progress"], "--note", f"户主身份证{ID_NUMBER}", "--as", w["town"],
        contains="--note",
    )  # fmt: skip
    assert "520***********1232" in result.stderr
    no_full_number(result.output)
    # Text without numbers is still accepted.
    assert (
        run(
            "issue", "progress", w["in_progress"], "--note", "已联系", "--as", w["town"], ledger=w.path
        ).exit_code
        == 0
    )


# ---------------------------------------------------------------- already there: check finds it, masked


def test_check_finds_a_number_edited_into_a_file_and_shows_it_masked(w: World) -> None:
    rel = next(str(p.relative_to(w.path)) for p in (w.path / "issues").rglob("*.yaml"))
    path = w.path / rel
    path.write_text(
        path.read_text(encoding="utf-8").replace("desc: ", f"desc: 电话{MOBILE} ", 1), encoding="utf-8"
    )
    result = run("check", ledger=w.path)
    assert result.exit_code == 1
    assert f"{rel}:" in result.output and "139****5678" in result.output and "手机号" in result.output
    no_full_number(result.output)


def test_check_never_quotes_a_full_id_number_back(w: World) -> None:
    home = next((w.path / "households").rglob(f"{w['h1']}.yaml"))
    text = home.read_text(encoding="utf-8")
    lines = [
        f"id_number: '{ID_NUMBER}'" if line.startswith("id_number:") else line for line in text.splitlines()
    ]
    home.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", ledger=w.path)
    assert result.exit_code == 1
    assert "520***********1232" in result.output
    no_full_number(result.output)


def test_a_sheet_whose_register_column_holds_id_numbers_imports_them_masked(tmp_path: Path) -> None:
    from sheets_fixture import build_office, write_csv

    office = build_office(tmp_path / "office")
    sheet = write_csv(
        tmp_path / "户.csv",
        [["村", "户主姓名", "登记编号", "备注"], ["板栗园村", "钱七", ID_NUMBER, f"电话{MOBILE}"]],
    )
    result = run("import", str(sheet), "--kind", "households", ledger=office.path)
    assert result.exit_code == 0, result.output
    assert "已遮盖" in result.stderr
    no_full_number(git(office.path, "log", "-1", "-p"))
    assert "520***********1232" in git(office.path, "log", "-1", "-p")


def test_no_error_message_quotes_a_full_number_back(w: World) -> None:
    result = refused(
        w.path, "household", "add", "--head", "测试户戊", "--village", "520602101201", "--members", MOBILE
    )
    assert "139****5678" in result.stderr
    result = refused(w.path, "issue", "show", ID_NUMBER)
    no_full_number(result.stderr)


# ---------------------------------------------------------------- already in git: audit finds the commit that wrote it


def _audit(path: Path) -> list:
    from minqing.ledgers.verify import audit

    return audit.audit_repo(path, mark=False, lang="zh").findings


def test_audit_finds_a_number_committed_by_hand_and_a_roster_beside_the_ledger(w: World) -> None:
    rel = next(str(p.relative_to(w.path)) for p in (w.path / "issues").rglob("*.yaml"))
    path = w.path / rel
    path.write_text(
        path.read_text(encoding="utf-8").replace("desc: ", f"desc: 电话{MOBILE} ", 1), encoding="utf-8"
    )
    git(w.path, "commit", "-qam", "改描述")
    edited = git(w.path, "rev-parse", "HEAD").strip()
    (w.path / "花名册.csv").write_text(f"姓名,身份证号\n张三,{ID_NUMBER}\n", encoding="gb18030")
    git(w.path, "add", "花名册.csv")
    git(w.path, "commit", "-qm", "花名册")
    roster = git(w.path, "rev-parse", "HEAD").strip()
    git(w.path, "rm", "-q", "花名册.csv")
    git(w.path, "commit", "-qm", "删掉")
    found = [(f.commit, f.path, f.code) for f in _audit(w.path) if f.code == "personal_data"]
    assert found == [(edited, rel, "personal_data"), (roster, "花名册.csv", "personal_data")]
    shown = run("audit", ledger=w.path)
    assert shown.exit_code == 1
    assert "139****5678" in shown.output and "520***********1232" in shown.output
    no_full_number(shown.output)


def test_audit_reports_a_number_once_not_at_every_later_commit(w: World) -> None:
    rel = next(str(p.relative_to(w.path)) for p in (w.path / "issues").rglob("*.yaml"))
    path = w.path / rel
    path.write_text(
        path.read_text(encoding="utf-8").replace("desc: ", f"desc: 电话{MOBILE} ", 1), encoding="utf-8"
    )
    git(w.path, "commit", "-qam", "改描述")
    path.write_text(path.read_text(encoding="utf-8").replace("desc: ", "desc: 又改 ", 1), encoding="utf-8")
    git(w.path, "commit", "-qam", "又改")
    assert len([f for f in _audit(w.path) if f.code == "personal_data"]) == 1
