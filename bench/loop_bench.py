"""Benchmark the test loop: `make check` (or other targets), each run beside its own anchor.

This machine's pace varies: the CPU time of one `make check` has varied by a third here from one
hour to the next. So each run is printed with an anchor measured just before it (that of
bench/test_suites_bench.py: a fresh process that synthesizes a one-topic stack; the median of
three) and the ratio of the two. Prints a Markdown table; asserts nothing about speed.

Usage: python -m bench.loop_bench [runs] [target ...]   (default: 3 runs of `make check`)
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass

from bench.test_suites_bench import ANCHOR, Timing, run_timed

DEFAULT_RUNS = 3
DEFAULT_TARGETS = ("check",)
ANCHOR_RUNS = 3


@dataclass(frozen=True)
class LoopRun:
    """One run of a make target, and the anchor measured just before it."""

    target: str
    anchor_s: float
    timing: Timing


def parse(argv: list[str]) -> tuple[int, list[str]]:
    """The number of runs and the make targets, from the command line."""
    if len(argv) < 2:
        return DEFAULT_RUNS, list(DEFAULT_TARGETS)
    runs = int(argv[1]) if argv[1].isascii() and argv[1].isdigit() else 0
    if runs < 1:
        raise SystemExit(f"runs must be a whole number of at least 1, got {argv[1]!r}")
    return runs, argv[2:] or list(DEFAULT_TARGETS)


def anchor_s() -> float:
    """The anchor's wall time now: the median of ANCHOR_RUNS runs."""
    return statistics.median(
        run_timed("anchor", [sys.executable, "-c", ANCHOR]).wall_s for _ in range(ANCHOR_RUNS)
    )


def table(runs: list[LoopRun]) -> list[str]:
    """The figures as Markdown lines, in the order run."""
    lines = [
        f"| target | anchor s ({ANCHOR_RUNS}, median) | wall s | CPU s | wall / anchor | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        t = run.timing
        lines.append(
            f"| make {run.target} | {run.anchor_s:.2f} | {t.wall_s:.1f} | {t.cpu_s:.1f}"
            f" | {t.wall_s / run.anchor_s:.1f} | {t.result} |"
        )
    return lines


def main(argv: list[str]) -> int:
    """Run each target `runs` times, each after its anchor; print the table."""
    count, targets = parse(argv)
    runs = [
        LoopRun(target, anchor_s(), run_timed(target, ["make", "--no-print-directory", target]))
        for target in targets
        for _ in range(count)
    ]
    print("\n".join(table(runs)))
    return 0 if all(run.timing.passed for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
