"""`--help` in the chosen language, from the catalog in ledgers/core/help_texts.py.

The commands carry no help literals: every command, option and argument is looked up in that catalog by its path
(`issue add`, `issue add --desc`) each time help is rendered, so one process can print help in zh and then in en
(CliRunner tests do). The language is known before any help renders: MinqingGroup reads `--lang`/MINQING_LANG from
the arguments before click's eager `--help` runs (`minqing --lang en --help`), and a subcommand's help renders
after the root callback has set it.

Help is formatted in terminal cells by cli/help_format.py (imported only when help renders); examples are printed
as click `\\b` blocks, never rewrapped.
"""

from __future__ import annotations

import os
import re
from typing import Any

import typer

# Built-in words of click's help page, in the same (zh, en) form as the catalog.
HEADINGS: dict[str, tuple[str, str]] = {
    "usage": ("用法：", "Usage: "),
    "options": ("选项", "Options"),
    "arguments": ("参数", "Arguments"),
    "commands": ("命令", "Commands"),
    "example": ("示例：", "Example:"),
    "required": ("必填", "required"),
    "default": ("默认：", "default: "),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def lang_of(value: str | None) -> str:
    """'en…' is English, anything else Chinese (the default), as the root callback decides."""
    return "en" if (value or "").lower().startswith("en") else "zh"


def lang_from_args(args: list[str]) -> str:
    """The language the root's `--lang` (before the command name) or MINQING_LANG chooses, before click parses."""
    chosen = os.environ.get("MINQING_LANG", "")
    takes_value = {"-C", "--lang"}
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--lang" and index + 1 < len(args):
            chosen = args[index + 1]
        elif token.startswith("--lang="):
            chosen = token.split("=", 1)[1]
        elif not token.startswith("-"):
            break  # the command name: options after it are the subcommand's
        index += 2 if token in takes_value else 1
    return lang_of(chosen)


def param_key(param: Any) -> str:
    """An option by its long name (else its only name, `-C`); an argument by its metavar name (`ITEM_ID`)."""
    if param.param_type_name == "argument":
        return param.name.upper()
    longs = [name for name in param.opts if name.startswith("--")]
    return (longs or list(param.opts))[0]


def param_help(path: str, param: Any, lang: str) -> str | None:
    """The catalog's text for one parameter of the command at `path`, specific key first; None when it has none."""
    from minqing.ledgers.core import help_texts  # only when help is rendered: it is a large table

    name = param_key(param)
    key = f"{path} {name}".strip() if f"{path} {name}".strip() in help_texts.HELP else name
    pair = help_texts.HELP.get(key)
    if pair is None:
        return None
    text = pick(pair, lang)
    if "{codes}" in text:  # the accepted codes, from the model (help_texts.choices)
        text = text.replace("{codes}", "|".join(help_texts.choices()[key]))
    return text


def command_help(path: str, lang: str) -> str | None:
    """The command's description, then its examples as a block click prints line by line."""
    from minqing.ledgers.core import help_texts

    pair = help_texts.HELP.get(path or "minqing")
    if pair is None:
        return None
    text = pick(pair, lang)
    examples = help_texts.EXAMPLES.get(path, ())
    if examples:
        block = "\n".join(["\b", pick(HEADINGS["example"], lang)] + [f"  {line}" for line in examples])
        text = f"{text}\n\n{block}"
    return text


def localize(command: Any, ctx: Any, lang: str) -> None:
    """Set the help of `command` and of each of its parameters (the help option too) to the catalog's text.

    A command or option the catalog does not know keeps the help it was declared with (tests/test_help_lang.py
    fails on any such), so a new option shows its English until its entry is written."""
    path = getattr(command, "help_path", None)
    if path is None:
        return
    text = command_help(path, lang)
    if text is not None:
        command.help = text
    for param in command.get_params(ctx):
        text = param_help(path, param, lang)
        if text is not None:
            param.help = text


def current_lang() -> str:
    from .common import STATE

    return STATE.lang


class LocalizedHelp:
    """Mixin for every minqing command and group: help in the chosen language, headings included, measured in
    terminal cells. `help_path` is the command's path as typed ("" for the root), set where it is built."""

    help_path: str | None = None

    def format_help(self, ctx: Any, formatter: Any) -> None:
        localize(self, ctx, current_lang())
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(
            ctx.command_path, " ".join(pieces), prefix=pick(HEADINGS["usage"], current_lang())
        )

    def format_options(self, ctx: Any, formatter: Any) -> None:
        lang = current_lang()
        arguments, options = [], []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is None:
                continue
            (arguments if param.param_type_name == "argument" else options).append(
                _localize_record(record, lang)
            )
        for heading, rows in (("arguments", arguments), ("options", options)):
            if rows:
                with formatter.section(pick(HEADINGS[heading], lang)):
                    formatter.write_dl(rows)
        if hasattr(self, "list_commands"):
            self._format_subcommands(ctx, formatter, lang)

    def _format_subcommands(self, ctx: Any, formatter: Any, lang: str) -> None:
        rows = []
        for name in self.list_commands(ctx):  # type: ignore[attr-defined]
            command = self.get_command(ctx, name)  # type: ignore[attr-defined]
            if command is None or command.hidden:
                continue
            path = getattr(command, "help_path", None)
            summary = command_help(path, lang) if path is not None else None
            rows.append((name, first_sentence(summary if summary is not None else command.help or "", lang)))
        if rows:
            with formatter.section(pick(HEADINGS["commands"], lang)):
                formatter.write_dl(rows)


_EXTRA = r"\[([^\[\]]*)\]$"  # patterns compile on first use: at startup no help is rendered


def _localize_record(record: tuple[str, str], lang: str) -> tuple[str, str]:
    """Click appends `[default: x; required]` in English to a parameter's help; say it in the chosen language."""
    names, text = record
    if lang == "en":
        return record

    def say(match: re.Match[str]) -> str:
        parts = []
        for part in match.group(1).split("; "):
            if part == "required":
                part = pick(HEADINGS["required"], lang)
            elif part.startswith("default: "):
                part = pick(HEADINGS["default"], lang) + part.removeprefix("default: ")
            parts.append(part)
        return "[" + "；".join(parts) + "]"

    return names, re.sub(_EXTRA, say, text)


_SENTENCE_END = r"(?<=[。；])|(?<=[.;])\s"


def first_sentence(text: str, lang: str) -> str:
    """The summary shown beside a command in its group's list: the first sentence of the first paragraph."""
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    head = re.split(_SENTENCE_END, paragraph, maxsplit=1)[0].strip()
    return head.rstrip("。；;") if lang == "zh" else head.rstrip(";")


class HelpContext(typer.Context):
    """Every context of a minqing command formats its help with CellFormatter (cli/help_format.py)."""

    def make_formatter(self) -> Any:
        from .help_format import CellFormatter

        return CellFormatter(width=self.terminal_width, max_width=self.max_content_width)


LocalizedHelp.context_class = HelpContext  # type: ignore[attr-defined]


# --- click's own usage errors ------------------------------------------------------------------------------------

_NO_SUCH_COMMAND = r"No such command '(.+?)'\.(?: Did you mean '(.+)'\?)?$"  # click suggests a close name
_EXTRA_ARGUMENTS = r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"
_INVALID_VALUE = r"Invalid value for (.+?): (.*)$"


def _usage_text(error: Any, lang: str) -> str | None:
    """What click's usage error says, from the catalog; None for a kind not translated (left as click says it)."""
    from typer._click import exceptions as click_errors

    from minqing.ledgers.core.messages import render

    if isinstance(error, click_errors.NoSuchOption):
        text = render("usage_no_such_option", lang, name=error.option_name)
        if error.possibilities:
            text += render("usage_did_you_mean", lang, names=", ".join(sorted(error.possibilities)))
        return text
    if isinstance(error, click_errors.MissingParameter):
        hint = error.param_hint or (error.param.get_error_hint() if error.param is not None else "")
        return render("usage_missing", lang, name=str(hint).strip("'"))
    if isinstance(error, click_errors.BadOptionUsage):
        return render("usage_needs_value", lang, name=error.option_name)
    message = error.format_message()
    if match := re.match(_NO_SUCH_COMMAND, message):
        text = render("usage_no_such_command", lang, name=match.group(1))
        if match.group(2):
            text += render("usage_did_you_mean", lang, names=match.group(2))
        return text
    if match := re.match(_EXTRA_ARGUMENTS, message):
        return render("usage_extra_arguments", lang, values=match.group(1))
    if match := re.match(_INVALID_VALUE, message):
        return render(
            "usage_invalid_value", lang, name=match.group(1).replace("'", ""), detail=match.group(2)
        )
    return None


def localize_usage_error(error: Any, lang: str) -> None:
    """Click's usage errors (unknown option, missing argument, unknown command …) come through gettext in English
    only; in Chinese the usage line, the hint and the error are said from the catalog instead."""
    from typer._click import exceptions as click_errors

    if lang == "en" or isinstance(error, click_errors.NoArgsIsHelpError):
        return
    text = _usage_text(error, lang)
    if text is None:
        return

    def show(file: Any = None) -> None:
        from minqing.ledgers.core.messages import render

        ctx = error.ctx
        if ctx is not None:
            hint = render("usage_try", lang, command=ctx.command_path, option=ctx.help_option_names[0])
            typer.echo(f"{ctx.get_usage()}\n{hint}\n", err=True)
        typer.echo(render("usage_error", lang, message=text), err=True)

    error.show = show
