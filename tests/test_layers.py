"""The layers of DESIGN §2 point one way (issue 13).

Every import statement of `ledgers/` and `cli/` is walked — those inside functions too — and an import is refused
when it runs back up the layers (core ← repo ← read ← ops ← sync ← verify ← cli), when `ledgers/core` reaches for
git, sqlite, subprocess or the file system, when `cli/` imports git, yaml or sqlite3, or when a module takes
another module's `_private` name. One CLI module per command group, named after it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("core", "repo", "read", "ops", "sync", "verify", "cli")
# What the pure core may not import: it computes, it does not touch git, databases, processes or files.
IMPURE = {"subprocess", "sqlite3", "git", "shutil", "tempfile", "fcntl", "multiprocessing", "concurrent"}
CLI_FORBIDDEN = {"git", "yaml", "sqlite3", "subprocess"}


def _module_of(path: Path) -> tuple[str, ...]:
    """minqing.<...> dotted parts of a source file (ledgers/core/ids.py -> ('ledgers', 'core', 'ids'))."""
    return path.relative_to(ROOT).with_suffix("").parts


def _layer(parts: tuple[str, ...]) -> str | None:
    if parts[:1] == ("cli",):
        return "cli"
    if parts[:1] == ("ledgers",) and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return None


def _sources() -> list[Path]:
    return sorted((ROOT / "ledgers").rglob("*.py")) + sorted((ROOT / "cli").rglob("*.py"))


def _imports(path: Path) -> list[tuple[int, tuple[str, ...] | None, str, list[str]]]:
    """(line, target module parts inside minqing or None, top-level external name, imported names)."""
    here = _module_of(path)
    package = here[:-1] if path.name != "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = tuple(alias.name.split("."))
                if parts[0] == "minqing":
                    found.append((node.lineno, parts[1:], "", []))
                else:
                    found.append((node.lineno, None, parts[0], []))
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + tuple((node.module or "").split(".")) if node.module else base
                found.append((node.lineno, tuple(p for p in target if p), "", names))
            elif (node.module or "").split(".")[0] == "minqing":
                found.append((node.lineno, tuple(node.module.split("."))[1:], "", names))
            else:
                found.append((node.lineno, None, (node.module or "").split(".")[0], names))
    return found


def _violations() -> list[str]:
    problems = []
    for path in _sources():
        here = _module_of(path)
        layer = _layer(here)
        rel = path.relative_to(ROOT)
        for line, target, external, names in _imports(path):
            if target is None:
                if layer == "core" and external in IMPURE:
                    problems.append(f"{rel}:{line}: the pure core imports {external}")
                if layer == "cli" and external in CLI_FORBIDDEN:
                    problems.append(
                        f"{rel}:{line}: cli/ imports {external} (rules and I/O belong in ledgers/)"
                    )
                continue
            target_layer = _layer(target)
            if layer and target_layer and LAYERS.index(target_layer) > LAYERS.index(layer):
                problems.append(
                    f"{rel}:{line}: {layer} imports {'.'.join(target)} from the {target_layer} layer above it"
                )
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    problems.append(f"{rel}:{line}: takes the private name {name} from {'.'.join(target)}")
    return problems


def test_every_module_has_a_layer() -> None:
    loose = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "ledgers").glob("*.py"))
        if path.name != "__init__.py"
    ]
    assert loose == [], "every ledgers/ module lives in one of the layers " + ", ".join(LAYERS[:-1])


def test_imports_point_down_the_layers() -> None:
    problems = _violations()
    assert problems == [], "\n".join(problems)


def test_the_walk_sees_imports_inside_functions() -> None:
    # The test would be worthless if it only saw top-level imports: the old cycles hid inside functions.
    inner = [
        (line, target)
        for path in _sources()
        for line, target, _external, _names in _imports(path)
        if target and path.name == "app.py"
    ]
    assert inner, "cli/app.py imports nothing from minqing?"
    bad = ROOT / "tests" / "_layer_probe.py"
    try:
        bad.write_text("def f():\n    from minqing.ledgers.verify import audit\n")
        found = [target for _line, target, _ext, _n in _imports(bad) if target]
        assert found == [("ledgers", "verify")]
    finally:
        bad.unlink()


def test_one_cli_module_per_command_group() -> None:
    """Each command group's commands are defined in cli/cmd_<group>.py and attached to no other module's group."""
    import typer
    import typer.main
    from typer.core import TyperGroup as Group

    from minqing.cli import app as app_module

    groups = app_module.group_modules()
    for group, module in groups.items():
        assert module == f"cmd_{group.replace('-', '_')}", (group, module)
        assert (ROOT / "cli" / f"{module}.py").exists(), module

    def leaves(command, path: str):
        """(path, callback's module) of every command under `command`, sub-groups and hidden ones too."""
        if isinstance(command, Group):
            ctx = typer.Context(command, info_name=path)
            for name in command.list_commands(ctx):
                yield from leaves(command.get_command(ctx, name), f"{path} {name}")
        else:
            callback = getattr(command.callback, "__wrapped__", command.callback)
            yield path, callback.__module__

    root = typer.main.get_command(app_module.app)
    ctx = typer.Context(root, info_name="minqing")
    built = {name: root.get_command(ctx, name) for name in root.list_commands(ctx)}
    assert {name for name, command in built.items() if isinstance(command, Group)} == set(groups)
    misplaced = [
        f"minqing {path}: defined in {module}, but the group {group} lives in minqing.cli.{groups[group]}"
        for group in groups
        for path, module in leaves(built[group], group)
        if module != f"minqing.cli.{groups[group]}"
    ]
    assert misplaced == [], "\n".join(misplaced)
    # A module named after a group holds only that group: no top-level command hides in cmd_cadre.py.
    stray = [
        f"minqing {name}: a top-level command in {module}"
        for name, command in built.items()
        if not isinstance(command, Group)
        for _path, module in leaves(command, name)
        if module.rpartition(".")[2] in groups.values()
    ]
    assert stray == [], "\n".join(stray)
