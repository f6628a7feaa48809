"""--unmask on show commands: full values only from this machine's vault, only for allowed roles, always logged."""

from __future__ import annotations

import json

from conftest import refused, run


def _household_with_pii(sample) -> str:
    result = run(
        "household",
        "add",
        "--head",
        "测试户庚",
        "--village",
        "520602101201",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13812345678",
        "--as",
        sample.admin,
        ledger=sample.path,
    )
    assert result.exit_code == 0, result.output
    return result.stdout.split()[0]


def test_show_is_masked_by_default_and_unmasked_for_admin(sample):
    home = _household_with_pii(sample)
    masked = json.loads(run("household", "show", home, "--json", ledger=sample.path).stdout)
    assert masked["id_number"] == "110***********002X"
    assert masked["phone"] == "138****5678"
    full = json.loads(
        run("household", "show", home, "--json", "--unmask", "--as", sample.admin, ledger=sample.path).stdout
    )
    assert full["id_number"] == "11010519491231002X"
    assert full["phone"] == "13812345678"
    log = (sample.path / ".git" / "minqing" / "access.log").read_text(encoding="utf-8").splitlines()
    assert len(log) == 1 and f"household show {home}" in log[0] and sample.admin in log[0]


def test_unmask_refused_for_clerk_and_not_logged(sample):
    home = _household_with_pii(sample)
    refused(sample.path, "household", "show", home, "--unmask", "--as", sample.clerk, contains="admin")
    assert not (sample.path / ".git" / "minqing" / "access.log").exists()


def test_cadre_show_unmask(sample):
    masked = json.loads(run("cadre", "show", sample.township_leader, "--json", ledger=sample.path).stdout)
    assert masked["phone"] == "138****1234"
    # The sample cadre was added through the library on this machine, so its phone is in the vault.
    full = json.loads(
        run(
            "cadre",
            "show",
            sample.township_leader,
            "--json",
            "--unmask",
            "--as",
            sample.admin,
            ledger=sample.path,
        ).stdout
    )
    assert full["phone"] == "13800001234"
