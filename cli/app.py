"""The Typer app: global options, the one place LedgerErrors become a one-line message and an exit code."""

import contextlib
import functools
import gc
import importlib
import os
import select
import sys
from typing import Annotated, Any

import typer
from typer._click.exceptions import UsageError

from .common import STATE
from .help_lang import lang_from_args, localize_usage_error
from .lazy import FastGroup, LazyCommands, lazy_commands

# Command modules, `cli/cmd_<name>.py`, each with `register(app)`, and the top-level names each registers. Add a
# module here (with its names) to add its commands. A command group lives in exactly one module named after it
# (`minqing cadre …` in cmd_cadre.py); a module of top-level commands is named after what they are. This order is the
# order of `minqing --help` and of docs/reference/cli.md (top-level commands first, then the groups). A module is
# imported when one of its names is looked up, so a command imports only its own module (21 modules were ~5 ms of
# every command's startup); tests/test_perf_paths.py holds each module's names to what its register() adds.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "ledger": ("init", "status", "demo"),
    "pairing": ("pair", "unpair"),
    "sync": ("clone", "sync", "conflicts", "resolve-conflict", "merge-driver"),  # merge-driver is hidden
    "doctor": ("doctor",),
    "check": ("check",),
    "rollup": ("rollup", "reindex"),
    "office": ("rank", "reconcile", "duties"),
    "sheets": ("import", "export", "find"),
    "audit": ("log", "audit"),
    "undo": ("undo",),
    "org": ("org",),
    "cadre": ("cadre",),
    "household": ("household",),
    "visit": ("visit",),
    "survey": ("survey",),  # issue 18
    "issue": ("issue",),
    "report": ("report",),
    "activity": ("activity",),
    "review": ("review",),
    "period": ("period",),
    "hooks": ("hooks",),
}


@functools.cache
def registered(module: str) -> typer.Typer:
    """What `cli/cmd_<module>.py` registers, on a holder of its own (the module is imported here)."""
    holder = typer.Typer()
    importlib.import_module(f"{__package__}.cmd_{module}").register(holder)
    return holder


class MinqingGroup(FastGroup):
    """Catches LedgerError from any subcommand: message to stderr in the chosen language, exit code per DESIGN §8.

    Its commands are built lazily (cli/lazy.py): startup imports and converts only the command that runs."""

    def __init__(self, *args: Any, commands: Any = None, **kwargs: Any) -> None:
        if not commands:
            settings = {
                "pretty_exceptions_short": app.pretty_exceptions_short,
                "rich_markup_mode": app.rich_markup_mode,
                "suggest_commands": kwargs.get("suggest_commands", True),
            }
            commands = LazyCommands(
                {
                    name: _from_module(module, name, settings)
                    for module, names in COMMAND_MODULES.items()
                    for name in names
                }
            )
        super().__init__(*args, commands=commands, **kwargs)
        self.help_path = ""  # the root's help is the catalog's "minqing"

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        # `minqing --lang en --help` prints help while click parses, before the callback that reads --lang runs.
        STATE.lang = lang_from_args(args)
        try:
            return super().parse_args(ctx, args)
        except UsageError as error:
            localize_usage_error(error, STATE.lang)
            raise

    def invoke(self, ctx: typer.Context) -> Any:
        from minqing.ledgers.core import pii
        from minqing.ledgers.core.errors import LedgerError

        pii.take_masked()
        try:
            result = super().invoke(ctx)
        except LedgerError as error:
            typer.echo(f"minqing: {error.render(STATE.lang)}", err=True)
            raise SystemExit(error.exit_code) from None
        except UsageError as error:
            localize_usage_error(error, STATE.lang)
            raise
        except KeyboardInterrupt:
            from minqing.ledgers.core.messages import render

            typer.echo(f"minqing: {render('ctrl_c', STATE.lang)}", err=True)
            raise SystemExit(130) from None
        except BrokenPipeError:
            # Click would turn this into exit 1, which means "findings" here (DESIGN §8); only our own stdout is
            # the reader's business (a git pipe that broke is a real failure).
            if not _stdout_closed():
                raise
            _silence_stdout()
            raise SystemExit(0) from None
        except SystemExit:
            _notice_masked()  # a command that ends with exit 1 (findings) may still have written
            raise
        _notice_masked()
        return result

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)


def _from_module(module: str, name: str, settings: dict[str, Any]) -> Any:
    def make() -> Any:
        return lazy_commands(registered(module), **settings)[name]

    return make


def _stdout_closed() -> bool:
    """Whether the reader of stdout went away (`minqing log | head -1`): a pipe whose read end is closed polls as
    an error. Where poll() does not exist (Windows), no."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on the closed pipe again (the
    recipe of the Python docs, "Note on SIGPIPE")."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _notice_masked() -> None:
    """One line when a full ID or mobile number typed into free text was masked before it was written."""
    from minqing.ledgers.core import messages, pii

    masked = pii.take_masked()
    if not masked:
        return
    fields = "、".join(dict.fromkeys(field for field, _ in masked))
    what = "、".join(
        messages.render(f"pii_{kind}", STATE.lang) for kind in dict.fromkeys(k for _, k in masked)
    )
    typer.echo(f"minqing: {messages.render('pii_masked', STATE.lang, fields=fields, what=what)}", err=True)


app = typer.Typer(
    cls=MinqingGroup,
    name="minqing",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from minqing.ledgers import __version__

        typer.echo(f"minqing {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    directory: Annotated[str | None, typer.Option("-C")] = None,
    lang: Annotated[str | None, typer.Option("--lang")] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
    no_input: Annotated[bool, typer.Option("--no-input")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True),
    ] = None,
) -> None:
    from minqing.ledgers.core.messages import current_lang

    STATE.ledger_path = directory
    chosen = lang or current_lang()
    STATE.lang = "en" if chosen.lower().startswith("en") else "zh"
    STATE.verbose = verbose
    STATE.no_input = no_input


# `app` keeps only the root callback, so Typer's eager conversion (main() and CliRunner alike) has nothing else to
# convert: MinqingGroup adds the commands, lazily.


def every_command() -> typer.Typer:
    """Every module's registrations on one holder, in COMMAND_MODULES' order: what Typer would convert eagerly
    (the tests compare the lazy tree with it)."""
    holder = typer.Typer()
    for module in COMMAND_MODULES:
        holder.registered_commands += registered(module).registered_commands
        holder.registered_groups += registered(module).registered_groups
    return holder


def group_modules() -> dict[str, str]:
    """Command group (as typed: "cadre") -> the module that registers it ("cmd_cadre"); tests/test_layers.py holds
    each group to the module named after it, and each of its commands (sub-groups too) to that module's functions."""
    return {
        str(group.name): f"cmd_{module}"
        for module in COMMAND_MODULES
        for group in registered(module).registered_groups
    }


def main() -> None:
    # What startup made (modules, classes, functions, Typer's tables) lives as long as the process: frozen, the cycle
    # collector no longer walks it at every full collection. A listing of 15,000 items ran ~40 ms faster (BENCHMARKS,
    # fifth pass). Cycles made after this are collected as before. Only here, once a process: CliRunner's in-process
    # invocations (the tests) would freeze each other's garbage.
    gc.freeze()
    try:
        app()
    except SystemExit as done:
        # Output still buffered is written here, after the command: a reader gone by then (`issue list | head -1`)
        # ends the run quietly, with the command's own exit code.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
        raise done from None
    except Exception as error:  # a bug, not bad input: still one line, exit 4, details only with -v
        if STATE.verbose:
            raise
        from minqing.ledgers.core.messages import render

        print(
            "minqing: " + render("internal_error", STATE.lang, kind=type(error).__name__, error=str(error)),
            file=sys.stderr,
        )
        sys.exit(4)
