"""Lazy command tree: a subcommand's click command is built from its Typer registration only when it is used.

Typer turns every registered function into a click command up front, evaluating each signature's annotations
(~2 ms a command, ~0.25 s for the whole CLI), before `--version` or `status` can run. Here a group's `commands`
is a `LazyCommands` mapping: every name is listed (help, completion, `name in group.commands` work as before) but a
command or sub-group is converted the first time it is looked up, so `minqing issue show` builds one group shell and
one command. Help output is unchanged: `--help` of a group looks up, and so builds, each of its commands.

Typer 0.29 also coerces every option value through a pydantic TypeAdapter, and importing pydantic alone costs
~0.1 s. Our options are only `str`, `bool`, `int` and `list[str]` (enums are plain strings validated in ledgers/),
so `fast_coercion` gives each such parameter a coercion that returns the value click parsed (an `int` from ASCII
digits); anything else, including a bad integer, still goes through Typer's own adapter and its error message.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import TyperCommand, TyperGroup

from .help_lang import LocalizedHelp

_PENDING = object()


class LazyCommands(dict):  # type: ignore[type-arg]
    """name -> click command; a value is built by its maker on first access. Keys keep registration order."""

    def __init__(self, makers: dict[str, Callable[[], Any]]) -> None:
        super().__init__(dict.fromkeys(makers, _PENDING))
        self._makers = makers

    def __getitem__(self, name: str) -> Any:
        value = dict.__getitem__(self, name)
        if value is _PENDING:
            value = self._makers.pop(name)()
            dict.__setitem__(self, name, value)
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        self._makers.pop(name, None)
        dict.__setitem__(self, name, value)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[name] if dict.__contains__(self, name) else default

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[name] for name in self]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(name, self[name]) for name in self]

    def __iter__(self) -> Iterator[str]:
        return iter(list(dict.keys(self)))


def lazy_commands(
    holder: typer.Typer,
    *,
    pretty_exceptions_short: bool,
    rich_markup_mode: Any,
    suggest_commands: bool,
    prefix: str = "",
) -> LazyCommands:
    """The commands and sub-groups registered on `holder`, each converted by Typer's own functions when used.

    `prefix` is the path of the group they belong to ("cadre key"); each command gets its own as `help_path`, the
    key of its help in the catalog (cli/help_lang.py)."""
    settings = {"pretty_exceptions_short": pretty_exceptions_short, "rich_markup_mode": rich_markup_mode}
    makers: dict[str, Callable[[], Any]] = {}
    for command_info in holder.registered_commands:
        assert command_info.callback is not None
        name = command_info.name or typer.main.get_command_name(command_info.callback.__name__)
        makers[name] = _command_maker(command_info, settings, f"{prefix} {name}".strip())
    for group_info in holder.registered_groups:
        name = typer.main.solve_typer_info_defaults(group_info).name
        if not name:  # add_typer without a name merges its commands into this group: build those now
            group = typer.main.get_group_from_info(group_info, **settings, suggest_commands=suggest_commands)
            for sub_name, command in group.commands.items():
                makers[sub_name] = _constant(command)
            continue
        makers[name] = _group_maker(group_info, settings, suggest_commands, f"{prefix} {name}".strip())
    return LazyCommands(makers)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _command_maker(command_info: Any, settings: dict[str, Any], path: str) -> Callable[[], Any]:
    def make() -> Any:
        info = command_info
        if info.cls in (None, TyperCommand):
            info = copy.copy(command_info)
            info.cls = FastCommand
        command = typer.main.get_command_from_info(info, **settings)
        command.help_path = path
        return command

    return make


def _group_maker(
    group_info: Any, settings: dict[str, Any], suggest_commands: bool, path: str
) -> Callable[[], Any]:
    def make() -> Any:
        # Typer builds the group (callback, options, help) from a shell without commands; ours are added lazily.
        real = group_info.typer_instance
        shell = copy.copy(real)
        shell.registered_commands = []
        shell.registered_groups = []
        shell_info = copy.copy(group_info)
        shell_info.typer_instance = shell
        if typer.main.solve_typer_info_defaults(group_info).cls in (None, TyperGroup):
            shell_info.cls = FastGroup
        group = typer.main.get_group_from_info(shell_info, **settings, suggest_commands=suggest_commands)
        group.commands = lazy_commands(real, **settings, suggest_commands=suggest_commands, prefix=path)
        group.help_path = path
        return group

    return make


_DIGITS = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class _PlainParam(RuntimeParam):
    """The value as parsed when it already has the annotated type; otherwise Typer's own (pydantic) coercion."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        annotation = self.annotation
        if annotation is str and isinstance(value, str):
            return value
        if annotation is bool and isinstance(value, bool):
            return value
        if annotation is int and isinstance(value, str) and _DIGITS.fullmatch(value):
            return int(value)
        if annotation is int and type(value) is int:
            return value
        if (
            annotation == list[str]
            and isinstance(value, list | tuple)
            and all(isinstance(v, str) for v in value)
        ):
            return list(value)
        return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)


_PLAIN = (str, bool, int, list[str])


def fast_param(param: Any) -> None:
    """Give one plain-typed parameter `_PlainParam` (a no-op if Typer's internals ever change)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return
    if descriptor.file_annotation is None and not descriptor.is_choice and descriptor.annotation in _PLAIN:
        info = descriptor.parameter_info
        if getattr(info, "min", None) is None and getattr(info, "max", None) is None:
            param._runtime_param = _PlainParam(parameter_info=info, annotation=descriptor.annotation)


class FastParsing:
    """Mixin: before parsing, every parameter (the help option too, made on demand) gets the plain coercion."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            fast_param(param)
        return super().parse_args(ctx, args)  # type: ignore[misc]


class FastCommand(LocalizedHelp, FastParsing, TyperCommand):
    pass


class FastGroup(LocalizedHelp, FastParsing, TyperGroup):
    pass
