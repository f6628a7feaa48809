"""The command git runs for a file both sides of a merge changed (`git merge` → `python -m
minqing.ledgers.sync.driver %O %A %B %P`, registered by repo/drivers.py): `run_driver` without the CLI around it.
A sync at a county's size may call it for many stream files, each a new interpreter; going through `minqing.cli`
imported Typer and every command module first (issue 19)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: python -m minqing.ledgers.sync.driver BASE OURS THEIRS PATH", file=sys.stderr)
        return 2
    from .sync import run_driver

    try:
        return run_driver(*args)
    except Exception as error:  # run_driver leaves a conflict for anything in the data; this is the machine's
        print(f"minqing merge driver: {type(error).__name__}: {error}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())
