"""Benchmark the flow function (FlowStreaming's Lambda) against the local Connect at 5/s burst 8.

Chats arrive at a steady rate (at random times, a fixed seed) below, at and above Connect's
published StartContactStreaming quota, or all at once; each is handed to the function in a
thread of its own, as Connect's flow would invoke it, with an 8-second Lambda context. Prints,
per arrival rate, the fraction of chats streamed and the flow time per chat (p50, p99, max),
against an anchor measured in the same run: one unthrottled call of the function.

Usage: python -m bench.flow_bench [seconds of arrivals per rate]
"""

from __future__ import annotations

import importlib
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from standins.aws import ACCESS_KEY, REGION, SECRET_KEY, SESSION_TOKEN, LambdaContext
from standins.connect import START, ConnectStandIn, Quota, instance_arn
from standins.flow_event import flow_event

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
ENDPOINT_ARN = f"arn:aws:sns:{REGION}:123456789012:flow-bench"
# Connect's published quota for StartContactStreaming: 5 requests a second, bursts of 8.
PUBLISHED = Quota(5, 8)
CONNECT_LIMIT_S = 8.0
RATES = (2.0, 4.0, 5.0, 6.0, 8.0, 12.0)
BURSTS = (20, 40)
SECONDS = 15.0
ANCHOR_RUNS = 50
SEED = 20


@dataclass(frozen=True)
class Row:
    """One load: how many chats, how many streamed, their flow times (seconds)."""

    label: str
    chats: int
    streamed: int
    times: list[float]


def flow_function() -> ModuleType:
    """lambda/flow/flow_handler.py, imported as the Lambda runtime would find it."""
    folder = str(ROOT / "lambda" / "flow")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("flow_handler")


@contextmanager
def local_connect() -> Iterator[ConnectStandIn]:
    """The local Connect on a free port, and the function's environment pointing at it."""
    connect = ConnectStandIn().start()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL_CONNECT": connect.url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_SESSION_TOKEN": SESSION_TOKEN,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "INSTANCE_ARN": instance_arn(REGION, INSTANCE_ID),
            "STREAMING_ENDPOINT_ARN": ENDPOINT_ARN,
        }
    )
    try:
        yield connect
    finally:
        connect.stop()


def invoke(function: ModuleType, contact_id: str, results: list[tuple[str, float]]) -> None:
    """One flow's Invoke AWS Lambda function block: the answer and how long the flow waited."""
    started = time.perf_counter()
    event = flow_event(contact_id, instance_arn(REGION, INSTANCE_ID))
    answer = function.handler(event, LambdaContext(CONNECT_LIMIT_S))
    results.append((answer["streaming"], time.perf_counter() - started))


def run_load(
    function: ModuleType, connect: ConnectStandIn, label: str, arrivals: list[float]
) -> Row:
    """Start a chat at each arrival (seconds from now) and hand it to the function."""
    connect.reset()
    connect.set_quotas({START: PUBLISHED})
    contacts = [connect.start_chat(INSTANCE_ID)[0] for _ in arrivals]
    results: list[tuple[str, float]] = []
    threads = []
    began = time.perf_counter()
    for at, contact_id in zip(arrivals, contacts, strict=True):
        time.sleep(max(0.0, began + at - time.perf_counter()))
        thread = threading.Thread(target=invoke, args=(function, contact_id, results))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=CONNECT_LIMIT_S * 2)
    streamed = sum(1 for outcome, _ in results if outcome == "started")
    assert streamed == len(connect.active_streams()), "a chat streamed twice, or was lost"
    return Row(label, len(arrivals), streamed, [elapsed for _, elapsed in results])


def poisson_arrivals(rate: float, seconds: float, rng: random.Random) -> list[float]:
    """`rate` x `seconds` arrival times, each uniform over `seconds`, in order.

    A Poisson process at `rate` that is known to bring that many chats in `seconds` places them
    so: the clumps of random arrivals, at exactly the rate the row names.
    """
    return sorted(rng.uniform(0, seconds) for _ in range(round(rate * seconds)))


def anchor(function: ModuleType, connect: ConnectStandIn) -> float:
    """Median seconds of one unthrottled call of the function, its client made (warm)."""
    connect.reset()
    invoke(function, connect.start_chat(INSTANCE_ID)[0], [])  # the client, made once per sandbox
    times = []
    for _ in range(ANCHOR_RUNS):
        results: list[tuple[str, float]] = []
        invoke(function, connect.start_chat(INSTANCE_ID)[0], results)
        times.append(results[0][1])
    return statistics.median(times)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def print_table(anchor_s: float, rows: list[Row]) -> None:
    """A Markdown table: fraction streamed and flow time per chat, and times over the anchor."""
    print(
        f"anchor: one unthrottled call of the function, median of {ANCHOR_RUNS}: "
        f"{anchor_s * 1000:.1f} ms"
    )
    print()
    print(
        "| chats arriving | chats | streamed | p50 ms | p99 ms | max ms "
        "| p50 / anchor | max / anchor |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        p50, p99, top = (percentile(row.times, 0.5), percentile(row.times, 0.99), max(row.times))
        print(
            f"| {row.label} | {row.chats} | {row.streamed / row.chats:.0%} "
            f"| {p50 * 1000:.0f} "
            f"| {p99 * 1000:.0f} | {top * 1000:.0f} "
            f"| {p50 / anchor_s:.1f}x | {top / anchor_s:.1f}x |"
        )


def main(seconds: float = SECONDS) -> None:
    """Run every load and print the table."""
    function = flow_function()
    rng = random.Random(SEED)  # noqa: S311 - arrival times, not secrets
    with local_connect() as connect:
        anchor_s = anchor(function, connect)
        rows = [
            run_load(function, connect, f"{rate:g}/s", poisson_arrivals(rate, seconds, rng))
            for rate in RATES
        ]
        rows += [run_load(function, connect, f"{count} at once", [0.0] * count) for count in BURSTS]
    print(
        f"StartContactStreaming at {PUBLISHED.per_second:g}/s burst {PUBLISHED.burst:g}; "
        f"{seconds:g} s of arrivals per rate; the function's budget {function.BUDGET_S} s"
    )
    print_table(anchor_s, rows)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS)
