"""Benchmark the provider handler against the local Connect and CloudFormation stand-ins.

Cold start: a fresh process imports the handler and handles one Create (answered over HTTPS),
against a fresh process doing only `import boto3; boto3.client("connect")`. Warm: the median
time per Create and per Delete in one process. Prints a Markdown table.

Usage: python -m bench.handler_bench [runs]
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from standins.events import INSTANCE_ID, cfn_event, properties
from standins.fresh import ROOT, run_fresh
from standins.harness import QUICK_DELETE_TIMEOUT_S, running_harness
from standins.response_endpoint import ResponseEndpoint

RUNS = 10
FRESH_TIMEOUT_S = 60
WARM_EVENTS = 50
BARE = """
import time
started = time.perf_counter()
import boto3
boto3.client("connect")
print((time.perf_counter() - started) * 1000)
"""
HANDLER = """
import json, sys, time
from standins.aws import LambdaContext
event = json.loads(sys.stdin.read())
started = time.perf_counter()
import handler
handler.handler(event, LambdaContext(30.0))
print((time.perf_counter() - started) * 1000)
"""


def in_fresh_process(code: str, stdin: str = "") -> tuple[float, float]:
    """Run `code` in a new interpreter; (ms it reports, ms the whole process took)."""
    started = time.perf_counter()
    reported = run_fresh(
        "-c", code, stdin=stdin, pythonpath=(ROOT, ROOT / "lambda"), timeout=FRESH_TIMEOUT_S
    )
    process_ms = (time.perf_counter() - started) * 1000
    return float(reported), process_ms


def cold_starts(cfn: ResponseEndpoint, runs: int) -> dict[str, list[tuple[float, float]]]:
    """Alternate bare-boto3 and handler cold starts, `runs` of each."""
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "handler": []}
    for _ in range(runs):
        results["bare"].append(in_fresh_process(BARE))
        event = cfn_event("Create", cfn, properties())
        results["handler"].append(in_fresh_process(HANDLER, json.dumps(event)))
    return results


def median(values: list[float]) -> float:
    """The median, rounded to 0.1."""
    return round(statistics.median(values), 1)


def main(argv: list[str]) -> int:
    """Run the benchmark and print the table."""
    runs = int(argv[1]) if len(argv) > 1 else RUNS
    with running_harness(ROOT / "lambda") as harness:
        harness.connect.add_contact(INSTANCE_ID, properties()["ContactId"])
        cold = cold_starts(harness.cfn, runs)
        failed = [p.body["Reason"] for p in harness.cfn.received() if p.body["Status"] != "SUCCESS"]
        if failed:
            print(f"cold-start Creates failed: {failed}")
            return 1
        harness.reset()
        creates, deletes = [], []
        for n in range(WARM_EVENTS):
            contact = f"bench-contact-{n}"
            harness.connect.add_contact(INSTANCE_ID, contact)
            created = harness.send("Create", properties(ContactId=contact))
            deleted = harness.send(
                "Delete",
                properties(ContactId=contact),
                physical_id=created.body["PhysicalResourceId"],
                timeout_s=QUICK_DELETE_TIMEOUT_S,
            )
            if {created.body["Status"], deleted.body["Status"]} != {"SUCCESS"}:
                print(f"warm event failed: {created.body['Reason']} {deleted.body['Reason']}")
                return 1
            creates.append(created.elapsed_ms)
            deletes.append(deleted.elapsed_ms)
    print_table(cold, creates, deletes, runs)
    return 0


def print_table(
    cold: dict[str, list[tuple[float, float]]],
    creates: list[float],
    deletes: list[float],
    runs: int,
) -> None:
    """Print the figures as Markdown."""
    bare_in = median([inner for inner, _ in cold["bare"]])
    bare_proc = median([whole for _, whole in cold["bare"]])
    cold_in = median([inner for inner, _ in cold["handler"]])
    cold_proc = median([whole for _, whole in cold["handler"]])
    create_ms, delete_ms = median(creates), median(deletes)
    print(f"Handler benchmark (median of {runs} fresh processes; {WARM_EVENTS} warm events each)")
    print()
    print("| measure | ms | ratio to bare boto3 client |")
    print("|---|---:|---:|")
    print(f"| bare `import boto3; boto3.client('connect')` (in process) | {bare_in} | 1.00 |")
    print(
        f"| handler cold start: import + first Create (in process) | {cold_in} | "
        f"{cold_in / bare_in:.2f} |"
    )
    print(f"| bare boto3 client, whole process | {bare_proc} | 1.00 |")
    print(f"| handler cold start, whole process | {cold_proc} | {cold_proc / bare_proc:.2f} |")
    print(f"| warm Create (Start + HTTPS answer) | {create_ms} | {create_ms / bare_in:.2f} |")
    print(f"| warm Delete (Stop + HTTPS answer) | {delete_ms} | {delete_ms / bare_in:.2f} |")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
