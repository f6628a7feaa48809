from conftest import refused, run


def test_sample_ledger_has_units_and_refuses_bad_code(sample):
    result = run("org", "list", "--json", ledger=sample.path)
    assert result.exit_code == 0
    assert "板栗园村" in result.stdout
    refused(
        sample.path,
        "org",
        "add",
        "5206021",
        "坏",
        "--level",
        "township",
        "--parent",
        "520602",
        contains="5206021",
    )
