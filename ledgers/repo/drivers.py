"""The merge drivers (DESIGN §7) registered in .git/config: `.gitattributes` travels with a clone, the
driver commands do not, so init, clone and doctor register them with the absolute interpreter."""

from __future__ import annotations

import contextlib
import shlex
import sys
from pathlib import Path

from ..repo.store import Ledger

DRIVER_NAMES = {
    "minqing-stream": "minqing append-only streams (union of documents by id)",
    "minqing-entity": "minqing entity files (union of history by op id, state replayed)",
    "minqing-keys": "minqing org tree and office config (three-way by key)",
}


# The driver's module: run_driver without the CLI (sync/driver.py). Ledgers registered before it name the CLI's
# hidden `merge-driver` command, which still works and still counts as registered.
DRIVER_MODULE = "minqing.ledgers.sync.driver"


def driver_command() -> str:
    """The absolute interpreter, so the driver works from any shell, cron job or venv that ran init/clone."""
    return f"{shlex.quote(sys.executable)} -m {DRIVER_MODULE} %O %A %B %P"


def register_merge_drivers(ledger: Ledger) -> None:
    """Merge-driver config lives in .git/config, which does not travel with a clone (.gitattributes does)."""
    command = driver_command()
    for name, label in DRIVER_NAMES.items():
        ledger.git("config", f"merge.{name}.name", label)
        ledger.git("config", f"merge.{name}.driver", command)


def missing_drivers(ledger: Ledger) -> list[str]:
    """Drivers not registered, or registered with an interpreter that no longer exists (a moved venv)."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    with contextlib.suppress(OSError, configparser.Error):
        parser.read(ledger.git_dir / "config", encoding="utf-8")
    missing = []
    for name in DRIVER_NAMES:
        section = f'merge "{name}"'
        command = parser.get(section, "driver", fallback="") if parser.has_section(section) else ""
        try:
            words = shlex.split(command)
        except ValueError:
            words = []
        if not words or ("merge-driver" not in words and DRIVER_MODULE not in words):
            missing.append(name)
        elif "/" in words[0] and not Path(words[0]).exists():
            missing.append(name)
    return missing
