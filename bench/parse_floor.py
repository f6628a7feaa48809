"""The parse floor for `check` and `audit` (issue 19): read every blob of HEAD's tree with one
`git cat-file --batch` and parse each with PyYAML's C loader, nothing else. Any check that must parse every file
cannot be faster than this by more than what a faster parser buys; `git fsck` (no parsing) is the other reference.

    python -m bench.parse_floor LEDGER            # prints files, documents, bytes and seconds
    python -m bench.parse_floor LEDGER --fast     # the same with minqing's own reader (core/yamlio: fastyaml first)

Plain on purpose: no checks, no objects kept (each file's documents are dropped once built); without --fast no
minqing import either.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def blobs(ledger: str) -> list[tuple[str, str]]:
    """(object id, path) of every YAML blob in HEAD's tree."""
    listing = subprocess.run(
        ["git", "-C", ledger, "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    out = []
    for record in listing.split("\0"):
        if not record:
            continue
        meta, path = record.split("\t", 1)
        _mode, kind, oid = meta.split()
        if kind == "blob" and path.endswith(".yaml"):
            out.append((oid, path))
    return out


def parse_all(ledger: str, fast: bool = False) -> tuple[int, int, int]:
    """Files, documents and bytes parsed (`fast`: with minqing's reader instead of PyYAML's C loader)."""
    load, load_all = _loaders(fast)
    listed = blobs(ledger)
    proc = subprocess.Popen(
        ["git", "-C", ledger, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        assert proc.stdin is not None
        proc.stdin.write("".join(oid + "\n" for oid, _ in listed).encode())
        proc.stdin.close()

    import threading

    writer = threading.Thread(target=feed)
    writer.start()
    documents = size = 0
    read = proc.stdout
    for _oid, path in listed:
        header = read.readline().split()
        length = int(header[2])
        data = read.read(length + 1)[:-1]
        size += length
        text = data.decode("utf-8")
        if path.startswith(("visits/", "activities/", "surveys/")):
            documents += sum(1 for _ in load_all(text))
        else:
            load(text)
            documents += 1
    writer.join()
    proc.wait()
    return len(listed), documents, size


def _loaders(fast: bool) -> tuple[Any, Any]:
    if fast:
        from minqing.ledgers.core import yamlio

        return (lambda text: yamlio.load(text, limit=yamlio.MAX_STREAM_BYTES)), yamlio.load_all
    return (
        lambda text: yaml.load(text, Loader=LOADER),  # noqa: S506 - a safe loader
        lambda text: yaml.load_all(text, Loader=LOADER),  # noqa: S506 - a safe loader
    )


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    ledger = args[0] if args else "."
    start = time.perf_counter()
    files, documents, size = parse_all(ledger, fast="--fast" in sys.argv)
    seconds = time.perf_counter() - start
    print(f"{files} files, {documents} documents, {size / 1e6:.1f} MB parsed in {seconds:.2f} s")


if __name__ == "__main__":
    main()
