"""Help and messages in one language (issue 17): `--help` of every command, group and option comes from the catalog
(ledgers/core/help_texts.py) in Chinese by default and in English with `--lang en` or MINQING_LANG=en; examples are
printed whole at 80 columns; a refusal in Chinese carries no English sentence fragments."""

from __future__ import annotations

import re

import pytest
import typer
from conftest import git, run
from test_bad_input_corpus import (
    CSV_HEADER,
    HAND_EDITS,
    INPUT_FILES,
    TYPED,
    World,
    _build,
    _entity_path,
    _fill,
)
from typer.testing import CliRunner

from minqing.cli import help_lang
from minqing.cli.app import app
from minqing.ledgers.core import help_texts, messages

CJK = re.compile(r"[\u4e00-\u9fff]")


def _walk(command, path: tuple[str, ...] = (), hidden: bool = False):
    yield path, command
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command, info_name="minqing")
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and (hidden or not sub.hidden):
                yield from _walk(sub, path + (name,), hidden)


COMMANDS = list(_walk(typer.main.get_command(app)))
IDS = [" ".join(path) or "minqing" for path, _ in COMMANDS]


def _help(path: tuple[str, ...], *, lang: str | None = None, env_lang: str = "zh", columns: int = 80) -> str:
    argv = (["--lang", lang] if lang else []) + list(path) + ["--help"]
    result = CliRunner().invoke(app, argv, env={"MINQING_LANG": env_lang, "COLUMNS": str(columns)})
    assert result.exit_code == 0, (argv, result.output)
    return result.stdout


def _sections(text: str) -> dict[str, list[str]]:
    """Help text split at its headings (`选项：`/`Options:` …) into the lines under each; "" holds the top."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in text.splitlines():
        if (
            line
            and not line.startswith(" ")
            and line.rstrip().endswith(("：", ":"))
            and " " not in line.strip()
        ):
            current = line.strip().rstrip("：:")
            sections[current] = []
        else:
            sections[current].append(line)
    return sections


def _described_rows(lines: list[str]) -> list[tuple[str, str]]:
    """(names, description) per row of a definition list; a wrapped description's later lines are appended."""
    rows: list[tuple[str, str]] = []
    for line in lines:
        if not line.strip():
            continue
        match = re.match(r"^  (\S.*?)(?:\s{2,}(.*))?$", line)
        if match and not line.startswith("   "):
            rows.append((match.group(1), match.group(2) or ""))
        elif rows:
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + line.strip())
    return rows


@pytest.mark.parametrize("path,command", COMMANDS, ids=IDS)
def test_help_is_chinese_by_default_and_english_with_lang_en(path, command):
    zh = _help(path)
    assert zh.startswith("用法：minqing"), zh
    assert "[required]" not in zh and "[default:" not in zh, zh  # click's own words, said in Chinese
    top = "\n".join(_sections(zh)[""][1:])  # below the usage line (用法：)
    assert CJK.search(top), f"minqing {' '.join(path)}: no Chinese description\n{zh}"
    options = _described_rows(_sections(zh).get("选项", []) + _sections(zh).get("参数", []))
    assert options, zh
    for names, text in options:
        assert CJK.search(text), f"minqing {' '.join(path)} {names}: not described in Chinese: {text!r}"
    for sub_name, text in _described_rows(_sections(zh).get("命令", [])):
        assert CJK.search(text), f"minqing {' '.join(path)} {sub_name}: summary not in Chinese: {text!r}"

    for en in (_help(path, lang="en"), _help(path, env_lang="en")):
        assert en.startswith("Usage: minqing"), en
        # English prose (it may name a Chinese term beside its translation: 结对认亲)
        described = "\n".join(_sections(en)[""][1:]).replace("minqing", "")  # below the usage line
        assert re.search(r"[A-Za-z]{3,}", described), en
        rows = _described_rows(_sections(en).get("Options", []) + _sections(en).get("Arguments", []))
        assert [names for names, _ in rows] == [names for names, _ in options]
        for names, text in rows:
            assert re.search(r"[A-Za-z]{3,}", text), f"minqing {' '.join(path)} {names}: {text!r}"


def test_every_command_and_parameter_has_a_catalog_entry_in_both_languages():
    missing = []
    for path, command in _walk(typer.main.get_command(app), hidden=True):
        key = " ".join(path)
        if help_texts.HELP.get(key or "minqing") is None:
            missing.append(key or "minqing")
        for param in command.params:
            if help_lang.param_help(key, param, "zh") is None:
                missing.append(f"{key} {help_lang.param_key(param)}")
    assert missing == []
    for key, (zh, en) in help_texts.HELP.items():
        assert CJK.search(zh), (key, zh)
        # English text may name a Chinese term (结对认亲) beside its translation, never instead of it
        assert re.search(r"[A-Za-z]{3,}", en), (key, en)
    # a list of accepted codes is filled from the model, never written out twice
    coded = {key for key, (zh, en) in help_texts.HELP.items() if "{codes}" in zh + en}
    assert coded == set(help_texts.choices())
    assert all(
        "{codes}" in zh and "{codes}" in en for key, (zh, en) in help_texts.HELP.items() if key in coded
    )
    # examples belong to commands that exist (hidden ones too: `minqing hooks run --help` still works)
    known = {" ".join(path) for path, _ in _walk(typer.main.get_command(app), hidden=True)}
    assert set(help_texts.EXAMPLES) <= known


def test_no_help_literals_remain_in_the_command_modules():
    """The catalog is the one place for help text: a `help="…"` in cli/ would be shown in English only."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "cli"
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(root.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"(?<![_\w])help=\"", line)
    ]
    assert offenders == []


def test_the_root_help_follows_lang_given_before_help():
    """`minqing --lang en --help` prints while click parses, before the root callback reads --lang."""
    assert _help((), lang="en").startswith("Usage: minqing")
    assert _help((), env_lang="en").startswith("Usage: minqing")
    assert _help((), lang="zh", env_lang="en").startswith("用法：minqing")
    assert _help(()).startswith("用法：minqing")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_examples_are_printed_whole_at_80_columns(lang):
    """Every example line of the catalog appears on one line of its command's help, however narrow the terminal."""
    for path, _ in COMMANDS:
        key = " ".join(path)
        examples = help_texts.EXAMPLES.get(key, ())
        if not examples:
            continue
        text = _help(path, lang=lang, columns=80)
        lines = [line.strip() for line in text.splitlines()]
        for example in examples:
            assert example in lines, f"{example!r} broken in the help of minqing {key}:\n{text}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_prose_fits_80_columns(lang):
    """Descriptions wrap within 80 terminal columns (a Chinese character takes two); only example lines may be
    longer, because breaking them would break the command."""
    from rich.cells import cell_len

    for path, _ in COMMANDS:
        examples = set(help_texts.EXAMPLES.get(" ".join(path), ()))
        for line in _help(path, lang=lang, columns=80).splitlines():
            if line.strip() in examples:
                continue
            assert cell_len(line) <= 80, f"minqing {' '.join(path)}: {cell_len(line)} columns: {line!r}"


# --- one language per message ------------------------------------------------------------------------------------

# Codes and names that are the same in both languages: enum codes (the command line takes them), file formats and
# tools. Everything else of three or more ASCII letters in a Chinese message is an English fragment.
CODES = {
    word.lower()
    for table in (messages.LABELS, messages.PERIOD_LABELS, messages.GROUPING_LABELS)
    for key in table
    for word in re.findall(r"[A-Za-z]+", key)
} | {
    "xlsx",
    "csv",
    "json",
    "html",
    "yaml",
    "git",
    "ssh",
    "minqing",
    "null",
    "bom",
    "gbk",
    "utf",
    "base64",
    "pub",
    "zip",
}
CODES |= {
    word for path, _ in COMMANDS for word in path
}  # a command named in a message: 请先交办（issue assign）


def english_words(message: str) -> list[str]:
    """ASCII words of 3+ letters that are not an option, id, code, path, metavar or a value quoted back."""
    text = re.sub(r"“[^”]*”|‘[^’]*’|'[^']*'|\"[^\"]*\"", " ", message)  # the user's own input, quoted back
    text = re.sub(r"minqing(?: [a-z][a-z-]*)+", " ", text)  # a command to run: `先用 minqing org add 添加`
    text = re.sub(r"^用法：.*$", " ", text, flags=re.M)  # a usage line is command syntax: [entry], {item_id}
    words = []
    for token in re.findall(r"[A-Za-z0-9_./~#@:+\-…|]+", text):
        token = token.strip(":.|")
        if (
            not token
            or token.startswith("-")
            or token.isupper()
            or re.search(r"[0-9_/~#@|]|\w\.\w|YYYY", token)
        ):
            continue  # --option, ID/CODE/YYYY-MM, H-7K3M, 520602, in_progress, a/b/path, file.xlsx, a|b|c codes
        words += [word for word in re.findall(r"[A-Za-z]{3,}", token) if word.lower() not in CODES]
    return words


def test_the_english_word_check_finds_mixed_messages():
    mixed = english_words("缺少必填项 --out：应为 a file name for the workbook (xlsx is binary)")
    assert {"file", "name", "workbook", "binary"} <= set(mixed) and "xlsx" not in mixed
    assert english_words("--kind 的值“foo bar”无效：应为 visit|talk|stay（或 走访|谈话|驻村）") == []
    assert (
        english_words("没有与“Q-ZZZZ”匹配的事项：应为台账中已有的事项编号 H-… 或 YYYY-MM-DD 或 a.xlsx") == []
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return _build(tmp_path_factory.mktemp("corpus") / "ledger")


def test_refusals_in_chinese_are_wholly_chinese(world: World):
    """The bad-input corpus (tests/test_bad_input_corpus.py), run in Chinese: no message mixes in English."""
    mixed = {}
    for case in TYPED:
        argv = [_fill(arg, world) for arg in case.argv]
        result = run(*argv, ledger=world.path)
        assert result.exit_code == case.code, (case.id, result.output)
        words = english_words(result.stderr)
        if words:
            mixed[case.id] = (words, result.stderr.strip())
    assert mixed == {}, "\n".join(f"{k}: {v}" for k, v in mixed.items())


def test_bad_files_in_chinese_are_wholly_chinese(world: World, tmp_path):
    """Sheets and maps that are not what they claim (the corpus's INPUT_FILES), refused in Chinese."""
    mixed = {}
    sheet = tmp_path / "ok.csv"
    sheet.write_text(CSV_HEADER + "王五,520602101201,3\n", encoding="utf-8")
    for case in INPUT_FILES:
        target = tmp_path / case.name
        target.write_bytes(case.content)
        argv = [
            _fill(arg, world).replace("{file}", str(target)).replace("{csv}", str(sheet)) for arg in case.argv
        ]
        result = run(*argv, ledger=world.path)
        assert result.exit_code == 2, (case.id, result.output)
        words = english_words(result.stderr)
        if words:
            mixed[case.id] = (words, result.stderr.strip())
    assert mixed == {}, "\n".join(f"{k}: {v}" for k, v in mixed.items())


def test_hand_edited_files_in_chinese_are_wholly_chinese(world: World):
    """A ledger file broken by hand (one corpus case per kind of damage): the exit-4 line is Chinese too, PyYAML's
    own words quoted."""
    visit = run(
        "visit", "add", "--household", world.ids["home"], "--by", world.ids["town"], ledger=world.path
    )
    assert visit.exit_code == 0, visit.output
    kinds = {}
    for case in HAND_EDITS:
        kinds.setdefault(case.id.split("-", 1)[1], case)
    mixed = {}
    for case in kinds.values():
        rel = _entity_path(world, case.target)
        path = world.path / rel
        original = path.read_bytes()
        path.write_bytes(case.edit(original))
        git(world.path, "commit", "-q", "-m", f"hand edit {case.id}", "--", rel)
        try:
            result = run(*[_fill(arg, world) for arg in case.argv], ledger=world.path)
            assert result.exit_code == 4, (case.id, result.output)
            words = english_words(result.stderr)
            if words:
                mixed[case.id] = (words, result.stderr.strip())
        finally:
            git(world.path, "reset", "-q", "--hard", "HEAD~1")
    assert len(kinds) >= 8
    assert mixed == {}, "\n".join(f"{k}: {v}" for k, v in mixed.items())


@pytest.mark.parametrize(
    "argv",
    [
        ("issue", "add", "--bogus"),
        ("issue", "add", "--catgory", "housing"),
        ("issue", "add", "--desc"),
        ("issue", "show"),
        ("issue", "show", "Q-1", "extra"),
        ("issue", "bogus"),
        ("issue", "shwo"),  # click adds "Did you mean 'show'?"
        ("stauts",),
        ("--bogus",),
        ("log", "-n", "x1"),
    ],
    ids=" ".join,
)
def test_click_usage_errors_are_said_in_chinese(argv):
    """Click's own usage errors (its words come in English only) are said from the catalog in Chinese, and left as
    click says them in English."""
    zh = CliRunner().invoke(app, list(argv), env={"MINQING_LANG": "zh"})
    assert zh.exit_code == 2, zh.output
    assert "错误：" in zh.stderr and "Error" not in zh.stderr and "Try " not in zh.stderr, zh.stderr
    assert english_words(zh.stderr) == [], zh.stderr
    if argv[-1] in ("shwo", "stauts"):
        assert "是否想用" in zh.stderr, zh.stderr
    en = CliRunner().invoke(app, ["--lang", "en", *argv])
    assert en.exit_code == 2 and "Error: " in en.stderr and not CJK.search(en.stderr), en.stderr
