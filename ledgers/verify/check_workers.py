"""Worker processes for `check`: they read, parse and check files (check.check_batch) while the checking process
takes their findings and facts in order.

A worker is a fresh interpreter (`python -m minqing.ledgers.verify.check_workers`), not a fork and not a
multiprocessing child: a fork starts with the checking process's id tables already in its memory (at `large` three
processes summed 543 MB for 273 MB of distinct pages), and a multiprocessing spawn or fork server runs the caller's
main script again in every child, which hangs a script that calls check_tree without a `__main__` guard.

The protocol is pickles over the worker's stdin and stdout: ("know", corpus) replaces what the worker knows of the
corpus (Corpus.for_workers), ("check", paths) answers with check.check_batch's outcomes for those files. Batches go
round-robin, at most IN_FLIGHT to a worker at a time (a few KB of paths, so a write never waits on a full pipe),
and answers are read in the order the batches were sent.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

IN_FLIGHT = 2


class WorkerFailed(RuntimeError):
    """A worker process died or raised: a bug, not bad data (check_batch reports bad data as findings)."""


class Workers:
    """`count` worker processes for one check of the ledger at `root`; close() (or a `with` block) ends them."""

    def __init__(self, count: int, root: Path) -> None:
        command = [sys.executable, "-m", __name__, str(root)]
        self.processes = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(count)
        ]

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        # Both pipes: a worker whose answer is no longer wanted (the check stopped on an error) must not wait to
        # write it.
        for process in self.processes:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None and not pipe.closed:
                    pipe.close()
        for process in self.processes:
            process.wait()

    def know(self, corpus: Any) -> None:
        """What every worker knows of the corpus from now on (sent between kinds, when no batch is out)."""
        message = pickle.dumps(("know", corpus), protocol=pickle.HIGHEST_PROTOCOL)
        for process in self.processes:
            _send(process, message)

    def check(self, batches: Iterable[list[str]]) -> Iterator[Any]:
        """The outcomes of every batch, in the order of the batches."""
        waiting: deque[subprocess.Popen[bytes]] = (
            deque()
        )  # the worker of each batch sent and not answered yet
        batches = iter(batches)
        turn = 0
        exhausted = False
        while True:
            while not exhausted and len(waiting) < IN_FLIGHT * len(self.processes):
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                process = self.processes[turn % len(self.processes)]
                turn += 1
                _send(process, pickle.dumps(("check", batch), protocol=pickle.HIGHEST_PROTOCOL))
                waiting.append(process)
            if not waiting:
                return
            yield from _receive(waiting.popleft())


def _send(process: subprocess.Popen[bytes], message: bytes) -> None:
    assert process.stdin is not None
    try:
        process.stdin.write(len(message).to_bytes(8, "little") + message)
        process.stdin.flush()
    except BrokenPipeError:
        raise WorkerFailed(f"check worker {process.pid} is gone (exit {process.wait()})") from None


def _receive(process: subprocess.Popen[bytes]) -> Any:
    assert process.stdout is not None
    message = _read_message(process.stdout)
    if message is None:
        raise WorkerFailed(f"check worker {process.pid} is gone (exit {process.wait()})")
    status, payload = pickle.loads(message)  # noqa: S301 - our own worker's answer
    if status != "ok":
        raise WorkerFailed(f"check worker {process.pid} failed:\n{payload}")
    return payload


def _read_message(stream: IO[bytes]) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    return stream.read(int.from_bytes(head, "little"))


def serve(root: Path, requests: IO[bytes], answers: IO[bytes]) -> None:
    """A worker's loop: until its stdin closes."""
    import traceback

    from . import check

    corpus = None
    while True:
        message = _read_message(requests)
        if message is None:
            return
        what, payload = pickle.loads(message)  # noqa: S301 - our own checking process's request
        if what == "know":
            corpus = payload
            continue
        try:
            answer = ("ok", check.check_batch(corpus, root, payload))
        except Exception:  # a bug: the checking process raises it as WorkerFailed
            answer = ("failed", traceback.format_exc())
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(len(data).to_bytes(8, "little") + data)
        answers.flush()


if __name__ == "__main__":
    import os

    # Answers go out on the original stdout; anything else printed goes to stderr, not into the protocol.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(Path(sys.argv[1]), sys.stdin.buffer, answers)
