"""Benchmark the test suites: the wall and CPU time of each folder of tests/, run alone.

Each folder runs in a pytest of its own, one after another, so the next slowdown shows where it
is. The anchor, measured in the same run: a fresh process that synthesizes a one-topic stack (the
start-up of jsii and Node that most suites pay, and a synth). Prints a Markdown table; asserts
nothing about speed.

Usage: python -m bench.test_suites_bench [folder ...]   (default: every folder of tests/)
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# A folder that hangs is a fault, not a figure.
SUITE_TIMEOUT_S = 900
ANCHOR = (
    "from aws_cdk import App, Stack, aws_sns; "
    "app = App(); aws_sns.Topic(Stack(app, 'Anchor'), 'Topic'); app.synth()"
)
SUMMARY = re.compile(r"^=* ?(\d+ \w+.*) in [\d.]+s")


@dataclass(frozen=True)
class Timing:
    """One process: its wall time, its CPU time (user + system, children included), its result."""

    name: str
    wall_s: float
    cpu_s: float
    result: str
    passed: bool


def run_timed(name: str, command: list[str]) -> Timing:
    """Run `command` from the repository root; time it; keep pytest's summary line."""
    env = {
        **os.environ,
        "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - pytest or python on this repository
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT_S,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(name, wall, cpu, summary(done.stdout, done.returncode), done.returncode == 0)


def summary(output: str, returncode: int) -> str:
    """The closing counts of pytest ("12 passed"), or the exit code when there are none."""
    for line in reversed(output.splitlines()):
        found = SUMMARY.match(line.strip())
        if found:
            return found.group(1)
    return f"exit {returncode}"


def suites(chosen: list[str]) -> list[str]:
    """The folders of tests/ that hold test modules (or those chosen), by name."""
    names = sorted(p.name for p in TESTS.iterdir() if p.is_dir() and any(p.glob("test_*.py")))
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise SystemExit(f"no test folder {unknown}; the folders are {names}")
    return chosen or names


def main(argv: list[str]) -> int:
    """Time the anchor, then each suite; print the table."""
    names = suites(argv[1:])
    load_before = os.getloadavg()[0]
    anchor = run_timed("anchor", [sys.executable, "-c", ANCHOR])
    timings = [
        run_timed(
            name, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/{name}"]
        )
        for name in names
    ]
    print_table(anchor, timings, load_before, os.getloadavg()[0])
    return 0 if all(t.passed for t in timings) else 1


def print_table(
    anchor: Timing, timings: list[Timing], load_before: float, load_after: float
) -> None:
    """Print the figures as Markdown, slowest suite first."""
    print(
        "Test suites, each folder's pytest alone "
        f"(load average {load_before:.1f} before, {load_after:.1f} after; {os.cpu_count()} CPUs)"
    )
    print()
    print("| suite | wall s | CPU s | wall / anchor | result |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| anchor: one-topic stack synthesized | {anchor.wall_s:.1f} | {anchor.cpu_s:.1f} | 1 | |"
    )
    for t in sorted(timings, key=lambda t: -t.wall_s):
        ratio = t.wall_s / anchor.wall_s
        print(f"| tests/{t.name} | {t.wall_s:.1f} | {t.cpu_s:.1f} | {ratio:.1f} | {t.result} |")
    wall, cpu = sum(t.wall_s for t in timings), sum(t.cpu_s for t in timings)
    print(f"| all, one after another | {wall:.1f} | {cpu:.1f} | {wall / anchor.wall_s:.1f} | |")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
