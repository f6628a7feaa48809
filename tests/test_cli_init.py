"""`minqing init` and ledger discovery (-C, MINQING_LEDGER, cwd and parents), through the CLI on real git repos."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from conftest import refused, run
from foundation_util import commit_count, commits, git_out, read_yaml


def _listing(path: Path) -> dict[str, bytes]:
    return {
        p.relative_to(path).as_posix(): (p.read_bytes() if p.is_file() else b"")
        for p in sorted(path.rglob("*"))
    }


def test_init_creates_config_units_attributes_admin_secret_and_one_commit(tmp_path: Path) -> None:
    target = tmp_path / "bijiang"
    result = run(
        "init", str(target), "--county-code", "520602", "--county-name", "碧江区", "--admin-name", "张华"
    )
    assert result.exit_code == 0, result.output
    admin = git_out(target, "config", "minqing.user").strip()
    assert re.fullmatch(r"C-[0-9A-HJKMNP-TV-Z]{6}", admin)
    assert result.stdout.strip() == f"已创建台账 {target.resolve()}（管理员 {admin}）"

    config = read_yaml(target / "minqing.yaml")
    assert config["county"] == {"code": "520602", "name": "碧江区"}
    assert config["deadlines"]["petition_answer_days"] == 60
    assert config["close_levels"]["clerk"] == []
    assert read_yaml(target / "org/units.yaml") == {
        "county": {"code": "520602", "name": "碧江区"},
        "units": [],
    }
    assert "code: '520602'" in (target / "org/units.yaml").read_text()  # codes stay strings
    attributes = (target / ".gitattributes").read_text()
    assert "issues/** merge=minqing-entity" in attributes
    assert "visits/** merge=minqing-stream" in attributes

    cadre = read_yaml(target / "cadres" / f"{admin}.yaml")
    assert (cadre["id"], cadre["name"], cadre["unit"], cadre["role"], cadre["status"]) == (
        admin,
        "张华",
        "520602",
        "admin",
        "active",
    )
    assert [entry["op"] for entry in cadre["history"]] == ["create"]

    secret = target / ".git" / "minqing" / "secret"
    assert re.fullmatch(r"[0-9a-f]{64}\n", secret.read_text())
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600

    assert commit_count(target) == 1
    (first,) = commits(target)
    assert first.subject == "初始化台账 碧江区（520602）"
    assert first.trailers == {"Ledger-Op": ["ledger.init"], "Ledger-Entry": [admin], "Ledger-Actor": [admin]}
    assert (first.author, first.email) == ("张华", f"{admin}@minqing.invalid")
    assert sorted(first.files) == sorted(
        [".gitattributes", "minqing.yaml", "org/units.yaml", f"cadres/{admin}.yaml"]
    )
    assert git_out(target, "status", "--porcelain", "--untracked-files=all") == ""
    assert git_out(target, "symbolic-ref", "--short", "HEAD").strip() == "main"


def test_init_admin_defaults_to_git_user_name_and_next_command_works(tmp_path: Path, monkeypatch) -> None:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = 王秀英\n\temail = wang@example.invalid\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    target = tmp_path / "ledger"
    assert run("init", str(target), "--county-code", "520602", "--county-name", "碧江区").exit_code == 0
    admin = git_out(target, "config", "minqing.user").strip()
    assert read_yaml(target / "cadres" / f"{admin}.yaml")["name"] == "王秀英"
    # The acting user is set: an admin-only command works with no --as.
    added = run(
        "org", "add", "520602101", "和平乡", "--level", "township", "--parent", "520602", ledger=target
    )
    assert added.exit_code == 0, added.output
    assert commits(target)[0].trailers["Ledger-Actor"] == [admin]


def test_init_into_an_existing_empty_directory(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert (
        run(
            "init", str(target), "--county-code", "520602", "--county-name", "碧江区", "--admin-name", "张华"
        ).exit_code
        == 0
    )
    assert commit_count(target) == 1


def _refused_init(tmp_path: Path, target: Path, *options: str, contains: str) -> None:
    before = _listing(tmp_path)
    result = run("init", str(target), *options)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and contains in lines[0], result.stderr
    assert result.stdout == ""
    assert _listing(tmp_path) == before


def test_init_refuses_a_non_empty_directory_and_leaves_it_untouched(tmp_path: Path) -> None:
    target = tmp_path / "papers"
    target.mkdir()
    (target / "名单.txt").write_text("王大\n", encoding="utf-8")
    _refused_init(
        tmp_path, target, "--county-code", "520602", "--county-name", "碧江区", contains="不是空目录"
    )
    assert not (target / ".git").exists()


def test_init_refuses_an_existing_ledger(tmp_path: Path) -> None:
    target = tmp_path / "ledger"
    run("init", str(target), "--county-code", "520602", "--county-name", "碧江区", "--admin-name", "张华")
    result = refused(
        target,
        "init",
        str(target),
        "--county-code",
        "520602",
        "--county-name",
        "碧江区",
        contains="已经是台账",
    )
    assert str(target) in result.stderr
    assert commit_count(target) == 1


def test_init_refuses_a_new_ledger_inside_an_existing_one(tmp_path: Path) -> None:
    target = tmp_path / "ledger"
    run("init", str(target), "--county-code", "520602", "--county-name", "碧江区", "--admin-name", "张华")
    result = refused(
        target, "init", str(target / "nested"), "--county-code", "520602", "--county-name", "碧江区"
    )
    assert "nested" in result.stderr
    assert not (target / "nested").exists()


@pytest.mark.parametrize(
    ("options", "contains"),
    [
        (["--county-code", "52060", "--county-name", "碧江区"], "“52060”"),
        (["--county-code", "5206021", "--county-name", "碧江区"], "“5206021”"),
        (["--county-code", "52060A", "--county-name", "碧江区"], "“52060A”"),
        (["--county-name", "碧江区"], "--county-code"),
        (["--county-code", "520602"], "--county-name"),
        (["--county-code", "520602", "--county-name", "   "], "--county-name"),
        (["--county-code", "520602", "--county-name", "碧江\x07区"], "控制字符"),
        (["--county-code", "520602", "--county-name", "碧江区", "--admin-name", " "], "--admin-name"),
        (["--county-code", "520602", "--county-name", "碧江区", "--admin-name", "张/华"], "--admin-name"),
    ],
)
def test_init_refuses_bad_input_and_creates_nothing(
    tmp_path: Path, options: list[str], contains: str
) -> None:
    target = tmp_path / "new"
    _refused_init(tmp_path, target, *options, contains=contains)
    assert not target.exists()


def test_init_bad_county_code_message_says_what_is_accepted(tmp_path: Path) -> None:
    result = run(
        "--lang", "en", "init", str(tmp_path / "x"), "--county-code", "52060", "--county-name", "碧江区"
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "minqing: --county-code: code '52060' is invalid; accepted: 6 digits (GB/T 2260), e.g. 520602"
    )


# ---------------------------------------------------------------- discovery


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from foundation_util import office_env

    from minqing.ledgers.ops import register

    with office_env():
        path = tmp_path_factory.mktemp("discovery") / "ledger"
        register.init(str(path), "520602", "碧江区", "张华")
    (path / "org" / "deep" / "deeper").mkdir(parents=True)
    return path


def _county(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0]


def test_discovery_by_dash_c(ledger_dir: Path) -> None:
    assert _county(run("-C", str(ledger_dir), "status")).startswith("碧江区（520602）")
    assert _county(run("-C", str(ledger_dir / "org"), "status")).startswith("碧江区")


def test_discovery_by_environment(ledger_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_LEDGER", str(ledger_dir))
    assert _county(run("status")).startswith("碧江区")


def test_discovery_by_cwd_and_parents(ledger_dir: Path, monkeypatch) -> None:
    monkeypatch.chdir(ledger_dir)
    assert _county(run("status")).startswith("碧江区")
    monkeypatch.chdir(ledger_dir / "org" / "deep" / "deeper")
    assert _county(run("status")).startswith("碧江区")


def test_dash_c_wins_over_environment(ledger_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MINQING_LEDGER", str(tmp_path))
    assert _county(run("-C", str(ledger_dir), "status")).startswith("碧江区")
    monkeypatch.setenv("MINQING_LEDGER", str(ledger_dir))
    outside = run("-C", str(tmp_path), "status")
    assert outside.exit_code == 4


def _not_a_ledger(result, path: Path | str) -> None:
    assert result.exit_code == 4, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "不是民情台账目录" in lines[0] and str(path) in lines[0], result.stderr
    assert result.stdout == ""


def test_outside_a_ledger_every_reading_and_writing_command_exits_4(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in (
        ["status"],
        ["org", "list"],
        ["cadre", "list"],
        ["issue", "list"],
        ["household", "add", "--head", "王大", "--village", "520602101201"],
    ):
        _not_a_ledger(run(*argv), tmp_path)


def test_missing_or_non_ledger_locations_exit_4(tmp_path: Path, monkeypatch) -> None:
    _not_a_ledger(run("-C", str(tmp_path / "nowhere"), "status"), tmp_path / "nowhere")
    monkeypatch.setenv("MINQING_LEDGER", str(tmp_path))
    _not_a_ledger(run("status"), tmp_path)


def test_a_directory_with_minqing_yaml_but_no_git_is_not_a_ledger(tmp_path: Path) -> None:
    (tmp_path / "minqing.yaml").write_text("schema: 1\n")
    _not_a_ledger(run("-C", str(tmp_path), "status"), tmp_path)
    assert os.listdir(tmp_path) == ["minqing.yaml"]
