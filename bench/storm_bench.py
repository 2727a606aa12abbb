"""Storm benchmark: deploy and destroy N streams at Connect's default quotas, live chats running.

For each N and each CloudFormation time per custom resource (the seconds the engine spends on a
resource before invoking it), a fresh process synthesizes a stack of N streams (as
bench/scale_bench.py builds it) and plays its storm (standins/storm.py): the local CloudFormation
engine invokes every ready custom resource through the handler taken from the synthesized Lambda
asset, against a Connect stand-in with StartContactStreaming and StopContactStreaming each at
5/s (burst 8, Connect's published defaults), while a live-chat caller starts one stream a second
with standard retries (3 attempts). Prints one row per phase, then the curve (each phase's time
over its floor, per N and CloudFormation time); figures are measured, never asserted. A phase's
floor is CloudFormation's own time once (no pace can call before it has spent it on the first
resources) plus N / (share x quota): the deploy's with the Start quota, the destroy's with Stop.

Run: ``make bench-storm`` (``--counts 100 490`` chooses the N, ``--seconds 1 5 10 20`` the
CloudFormation times; ``--cell N --resource-seconds T`` runs one storm in this process).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from standins.fresh import run_fresh

COUNTS = (100, 490)
SECONDS = (1.0, 5.0, 10.0, 20.0)
CELL_TIMEOUT_S = 3600
START, STOP = "StartContactStreaming", "StopContactStreaming"
Row = dict[str, Any]


def pair(row: Row, key: str) -> str:
    """A Start / Stop pair of figures."""
    return f"{row[key][START]} / {row[key][STOP]}"


def ideal(row: Row) -> float:
    """The phase's time if the stack made its calls at exactly its share (0 when unpaced)."""
    rate = float(row["allowed_per_second"])
    return int(row["streams"]) / rate if rate else 0.0


def ratio(row: Row) -> str:
    """The phase's time over what the share allows."""
    return f"{row['seconds'] / ideal(row):.2f}" if ideal(row) else "-"


def floor(row: Row) -> float:
    """The phase's shortest possible time: CloudFormation's own time once, plus N / (share x rate).

    No pace can hide the first: CloudFormation spends it on the first resources before any call.
    """
    return float(row["resource_seconds"]) + ideal(row) if ideal(row) else 0.0


def floor_ratio(row: Row) -> str:
    """The phase's time over its floor."""
    return f"{row['seconds'] / floor(row):.2f}" if floor(row) else "-"


def gb_seconds(row: Row) -> float:
    """What Lambda bills for the phase: invocation time times the memory, in GB-seconds."""
    return float(row["busy_seconds"]) * int(row["memory_mb"]) / 1024


def note(row: Row) -> str:
    """What else a reader must know about the row."""
    notes = []
    if row["rolled_back"]:
        notes.append(f"rolled back ({row['rollback_failed']} rollback deletes FAILED)")
    if row["prepared"]:
        notes.append(row["prepared"])
    return "; ".join(notes)


# (header, right-aligned, cell). Add a column here (e.g. the share's ideal time) and every row
# shows it.
COLUMNS: list[tuple[str, bool, Callable[[Row], str]]] = [
    ("N", True, lambda r: str(r["streams"])),
    ("CFN s per resource", True, lambda r: f"{r['resource_seconds']:g}"),
    ("phase", False, lambda r: r["phase"]),
    ("s", True, lambda r: f"{r['seconds']:.2f}"),
    ("share allows", True, lambda r: f"{r['allowed_per_second']:g}/s"),
    ("N / share s", True, lambda r: f"{ideal(r):.1f}"),
    ("s / (N / share)", True, ratio),
    ("floor s", True, lambda r: f"{floor(r):.1f}"),
    ("s / floor", True, floor_ratio),
    ("stack calls Start / Stop", True, lambda r: pair(r, "stack_calls")),
    ("busiest 1 s Start / Stop", True, lambda r: pair(r, "busiest_second")),  # attempts
    ("stack throttled", True, lambda r: str(r["stack_throttled"])),
    ("FAILED", True, lambda r: str(r["failed"])),
    ("left running", True, lambda r: str(r["left_running"])),
    ("live-chat made", True, lambda r: str(r["live_chat"]["made"])),
    ("live-chat lost", True, lambda r: str(r["live_chat"]["lost"])),
    ("live-chat throttled", True, lambda r: str(r["live_chat"]["throttled"])),
    ("Lambda invocations", True, lambda r: str(r["invocations"])),
    ("Lambda throttles", True, lambda r: str(r["lambda_throttles"])),
    ("peak concurrency", True, lambda r: str(r["peak_concurrency"])),
    ("GB-s", True, lambda r: f"{gb_seconds(r):,.0f}"),
    ("new sandboxes", True, lambda r: str(r["sandboxes"])),
    ("forking s", True, lambda r: f"{r['fork_seconds']:.1f}"),
    ("sandboxes MB", True, lambda r: f"{r['sandbox_mb']:,.0f}"),
    ("note", False, note),
]


def run_cell(count: int, resource_seconds: float) -> list[Row]:
    """Play one storm in this process."""
    from standins.storm import run_storm

    return [asdict(figures) for figures in run_storm(count, resource_seconds)]


def measure(count: int, resource_seconds: float) -> list[Row]:
    """Run one storm in a fresh Python process."""
    cell = ("--cell", str(count), "--resource-seconds", f"{resource_seconds:g}")
    rows: list[Row] = json.loads(
        run_fresh("-m", "bench.storm_bench", *cell, timeout=CELL_TIMEOUT_S)
    )
    return rows


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| " + " | ".join(header for header, _, _ in COLUMNS) + " |",
        "|" + "|".join("---:" if right else "---" for _, right, _ in COLUMNS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell(row) for _, _, cell in COLUMNS) + " |")
    return "\n".join(lines)


def curve(rows: list[Row]) -> str:
    """Deploy and destroy over their floors, one line per N and CloudFormation time."""
    lines = [
        "| N | CFN s per resource | deploy s | deploy floor s | deploy / floor | destroy s "
        "| destroy floor s | destroy / floor | stack throttled | FAILED | left running "
        "| live-chat lost |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cells: dict[tuple[int, float], dict[str, Row]] = {}
    for row in rows:
        cells.setdefault((row["streams"], row["resource_seconds"]), {})[row["phase"]] = row
    for (count, seconds), phases in cells.items():
        deploy, destroy = phases["deploy"], phases["destroy"]
        both = (deploy, destroy)
        lines.append(
            f"| {count} | {seconds:g} | {deploy['seconds']:.1f} | {floor(deploy):.1f} "
            f"| {floor_ratio(deploy)} | {destroy['seconds']:.1f} | {floor(destroy):.1f} "
            f"| {floor_ratio(destroy)} "
            f"| {sum(r['stack_throttled'] for r in both)} "
            f"| {sum(r['failed'] + r['rollback_failed'] for r in both)} "
            f"| {deploy['left_running']} / {destroy['left_running']} "
            f"| {sum(r['live_chat']['lost'] for r in both)} |"
        )
    return "\n".join(lines)


def reasons(rows: list[Row]) -> list[str]:
    """The distinct Reasons of FAILED resources, per row that had any."""
    return [
        f"- N={row['streams']} at {row['resource_seconds']:g} s {row['phase']}: {reason}"
        for row in rows
        for reason in row["reasons"]
    ]


def machine() -> str:
    """Date and machine, for the README."""
    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )


def main() -> None:
    """Run every N, one fresh process each, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cell", type=int)
    parser.add_argument("--resource-seconds", type=float, default=0.0)
    parser.add_argument("--counts", type=int, nargs="+", default=list(COUNTS))
    parser.add_argument("--seconds", type=float, nargs="+", default=list(SECONDS))
    args = parser.parse_args()
    if args.cell is not None:
        print(json.dumps(run_cell(args.cell, args.resource_seconds)))
        return
    started = time.perf_counter()
    rows = []
    for count in args.counts:
        for seconds in args.seconds:
            rows.extend(measure(count, seconds))
            load = os.getloadavg()[0]
            print(f"measured N={count} at {seconds:g} s (load {load:.1f})", file=sys.stderr)
    print(f"## Storm benchmark ({machine()})\n")
    print(table(rows))
    print(
        "\nThe curve: each phase's time over its floor (CloudFormation's time once + "
        "N / (share x quota); Start's for the deploy, Stop's for the destroy):\n"
    )
    print(curve(rows))
    failures = reasons(rows)
    if failures:
        print("\nReasons of FAILED resources (first five distinct per phase):")
        print("\n".join(failures))
    storms = len(args.counts) * len(args.seconds)
    print(f"\n{storms} storms in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
