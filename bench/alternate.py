"""Time shell commands against each other, alternated: each command in turn, N rounds, then each one's minimum and
median wall time. On a shared VM whose speed drifts from minute to minute, a ratio is only honest when both sides
ran in the same moments (BENCHMARKS.md, fifth pass).

    python -m bench.alternate 40 "exec minqing log H-059MTH" "exec git log --follow -- households/…/H-059MTH.yaml"
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def alternate(rounds: int, commands: list[str]) -> dict[str, list[float]]:
    """command -> its wall times in seconds, one per round (after one untimed warm-up each)."""
    times: dict[str, list[float]] = {command: [] for command in commands}
    for command in commands:
        subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    for _ in range(rounds):
        for command in commands:
            start = time.perf_counter()
            subprocess.run(
                command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
            times[command].append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or not args[0].isdigit():
        print("usage: python -m bench.alternate ROUNDS COMMAND [COMMAND …]", file=sys.stderr)
        return 2
    for command, seconds in alternate(int(args[0]), args[1:]).items():
        print(
            f"{command[-70:]:<70}  min {min(seconds) * 1000:.1f} ms  median {statistics.median(seconds) * 1000:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
