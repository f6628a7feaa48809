"""The message catalog is complete in both languages: every key has zh and en text with the same placeholders, and
every key the code raises or renders exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from minqing.ledgers.core import errors, help_texts, messages

ROOT = Path(__file__).resolve().parent.parent


def placeholders(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("catalog", ["MESSAGES", "LABELS", "OP_LABELS", "HELP"])
def test_every_key_has_both_languages(catalog):
    # HELP: every command's, option's and argument's --help (ledgers/core/help_texts.py, issue 17)
    table = help_texts.HELP if catalog == "HELP" else getattr(messages, catalog)
    assert table, catalog
    for key, pair in table.items():
        assert isinstance(pair, tuple) and len(pair) == 2, (catalog, key)
        zh, en = pair
        assert isinstance(zh, str) and zh.strip(), (catalog, key, "zh")
        assert isinstance(en, str) and en.strip(), (catalog, key, "en")


def test_placeholders_match_between_languages():
    mismatched = {
        key: (sorted(placeholders(zh)), sorted(placeholders(en)))
        for key, (zh, en) in messages.MESSAGES.items()
        if placeholders(zh) != placeholders(en)
    }
    assert mismatched == {}


def test_labels_have_no_placeholders():
    for table in (messages.LABELS, messages.OP_LABELS):
        for key, (zh, en) in table.items():
            assert not placeholders(zh) and not placeholders(en), key


def test_messages_render_in_both_languages_with_their_placeholders():
    for key, (zh, _) in messages.MESSAGES.items():
        params = {name: f"<{name}>" for name in placeholders(zh)}
        for lang in ("zh", "en"):
            text = messages.render(key, lang, **params)
            assert text and "{" not in text.replace("{{", "").replace("}}", ""), (key, lang, text)


def _error_classes() -> list[str]:
    return sorted(
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.LedgerError)
    )


def test_every_key_the_code_uses_is_in_the_catalog():
    """`SomeError("key", …)`, `Text("key", …)` and `render("key", …)` anywhere in ledgers/ and cli/."""
    classes = "|".join(_error_classes() + ["Text"])
    # render(key, lang, …) takes the key first; error.render("en") takes only a language.
    pattern = re.compile(rf"\b(?:(?:{classes})\(\s*\"([a-z_]+)\"|render\(\s*\"([a-z_]+)\",)")
    missing = {}
    used = set()
    for folder in ("ledgers", "cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for keys in pattern.findall(path.read_text(encoding="utf-8")):
                key = keys[0] or keys[1]
                used.add(key)
                if key not in messages.MESSAGES:
                    missing.setdefault(key, path.name)
    assert len(used) > 60  # the scan itself works
    assert missing == {}


def test_unknown_key_still_renders_something():
    assert messages.render("no_such_key", "zh", value=1) == "no_such_key: {'value': 1}"
