"""Scale benchmark: ContactStreaming against CDK's AwsCustomResource doing the same job.

For N streams on one Connect instance, each cell synthesizes one stack in a fresh Python process
(so no cell profits from another's warm jsii kernel) and reports synth seconds, template bytes,
IAM policy bytes and resource count. The parent prints a Markdown table and the targets' ratios.

Run: ``make bench-scale`` (or ``python -m bench.scale_bench``; ``--cell VARIANT N`` runs one cell).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from standins.fresh import run_fresh
from standins.scale_stack import ACCOUNT, INSTANCE_ID, REGION, STACK, add_streams, new_stack

COUNTS = (1, 50, 200, 490)
# Template bytes per added stream, ours / the anchor's (issue 7: lanes cost bytes).
BYTES_TARGET = 0.3
OURS = "ContactStreaming"
SCOPED = "AwsCustomResource, scoped"
STAR = "AwsCustomResource, *"
VARIANTS = (OURS, SCOPED, STAR)
MAX_RESOURCES = 500  # CloudFormation: resources per stack
MAX_TEMPLATE_BYTES = 1_000_000  # CloudFormation: template body uploaded through S3
MAX_INLINE_POLICY_CHARS = 10_240  # IAM: all inline policies of one role, whitespace excluded
CELL_TIMEOUT = 300
REPEATS = 2  # synth seconds are the best of this many synths, each in a fresh App
PRELOAD = ("aws_cdk.aws_iam", "aws_cdk.aws_sns", "aws_cdk.custom_resources", "contact_streaming")
Cell = dict[str, Any]
# Every cloud assembly folder build_stack made in this process, for run_cell to remove.
OUTDIRS: list[str] = []


def build_stack(variant: str, count: int, resource_limit: int | None) -> Any:
    """An App with one stack holding `count` streams made by `variant`; returns the App."""
    from aws_cdk import aws_iam as iam

    outdir = tempfile.mkdtemp(prefix="scale-bench-")
    OUTDIRS.append(outdir)
    app, stack, topic = new_stack(resource_limit, outdir)
    if variant == OURS:
        add_streams(stack, topic, count)
        return app
    instance_arn = stack.format_arn(
        service="connect", resource="instance", resource_name=INSTANCE_ID
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("connect.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnEquals": {"aws:SourceArn": instance_arn},
            },
        )
    )
    for index in range(count):
        anchor_stream(stack, f"Stream{index}", variant, instance_arn, f"contact-{index:04d}", topic)
    return app


def anchor_stream(
    stack: Any, name: str, variant: str, instance_arn: str, contact_id: str, topic: Any
) -> None:
    """One stream made the AwsCustomResource way: an SDK call on create and one on delete."""
    from aws_cdk import custom_resources as cr

    policy = (
        cr.AwsCustomResourcePolicy.from_sdk_calls(resources=[instance_arn])
        if variant == SCOPED
        else cr.AwsCustomResourcePolicy.from_sdk_calls(
            resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
        )
    )
    resource = cr.AwsCustomResource(
        stack,
        name,
        on_create=cr.AwsSdkCall(
            service="Connect",
            action="startContactStreaming",
            parameters={
                "InstanceId": INSTANCE_ID,
                "ContactId": contact_id,
                "ChatStreamingConfiguration": {"StreamingEndpointArn": topic.topic_arn},
            },
            physical_resource_id=cr.PhysicalResourceId.from_response("StreamingId"),
        ),
        on_delete=cr.AwsSdkCall(
            service="Connect",
            action="stopContactStreaming",
            parameters={
                "InstanceId": INSTANCE_ID,
                "ContactId": contact_id,
                "StreamingId": cr.PhysicalResourceIdReference(),
            },
        ),
        policy=policy,
        install_latest_aws_sdk=False,
    )
    resource.node.add_dependency(topic)


def resolve(value: Any, names: dict[str, str]) -> Any:
    """Replace CloudFormation intrinsics with deploy-time-like strings (IAM measures those)."""
    if isinstance(value, list):
        return [resolve(item, names) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        return names.get(value["Ref"], f"arn:aws:x:{REGION}:{ACCOUNT}:{value['Ref']}-0123456789AB")
    if "Fn::GetAtt" in value:
        logical, _attribute = value["Fn::GetAtt"]
        return f"arn:aws:x:{REGION}:{ACCOUNT}:{STACK}-{logical}-0123456789AB:*"
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(str(resolve(part, names)) for part in parts)
    return {key: resolve(item, names) for key, item in value.items()}


def inline_policy_chars(template: dict[str, Any]) -> int:
    """Characters of all inline policies attached to the stack's roles, compact, as IAM counts."""
    names = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
    documents = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Policy" and properties.get("Roles"):
            documents.append(properties["PolicyDocument"])
        if resource["Type"] == "AWS::IAM::Role":
            documents.extend(p["PolicyDocument"] for p in properties.get("Policies", []))
    return sum(len(json.dumps(resolve(d, names), separators=(",", ":"))) for d in documents)


def synth_refusal(variant: str, count: int) -> str:
    """What CDK says when synthesizing with its default resource limit ('' when it synthesizes)."""
    try:
        build_stack(variant, count, resource_limit=None).synth()
    except RuntimeError as error:  # how jsii raises the construct library's errors
        return str(error).split(":", 2)[-1].split(":")[0].strip()
    return ""


def run_cell(variant: str, count: int) -> Cell:
    """Synthesize one stack (the resource limit lifted so every cell measures) and measure it."""
    # Imports (and the jsii kernel's start) happen before the clock, for every variant alike.
    for module in PRELOAD:
        importlib.import_module(module)

    # Node loads aws-cdk-lib's modules on first use: a throwaway synth keeps that off the clock.
    build_stack(variant, 1, resource_limit=0).synth()
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        assembly = build_stack(variant, count, resource_limit=0).synth()
        timings.append(time.perf_counter() - started)
    seconds = min(timings)
    path = Path(assembly.get_stack_by_name(STACK).template_full_path)
    template = json.loads(path.read_text())
    resources = len(template["Resources"])
    cell = {
        "variant": variant,
        "count": count,
        "seconds": seconds,
        "template_bytes": path.stat().st_size,
        "iam_chars": inline_policy_chars(template),
        "resources": resources,
        "cdk_refusal": synth_refusal(variant, count) if resources > MAX_RESOURCES else "",
    }
    for outdir in OUTDIRS:
        shutil.rmtree(outdir, ignore_errors=True)
    return cell


def measure(variant: str, count: int) -> Cell:
    """Run one cell in a fresh Python process."""
    cell: Cell = json.loads(
        run_fresh("-m", "bench.scale_bench", "--cell", variant, str(count), timeout=CELL_TIMEOUT)
    )
    return cell


def broken_limits(cell: Cell) -> str:
    """Which CloudFormation or IAM limit this stack breaks, and why."""
    broken = []
    if cell["resources"] > MAX_RESOURCES:
        refused = " (CDK refuses to synth)" if cell["cdk_refusal"] else ""
        broken.append(f"{cell['resources']} resources > {MAX_RESOURCES}{refused}")
    if cell["template_bytes"] > MAX_TEMPLATE_BYTES:
        broken.append(f"template > {MAX_TEMPLATE_BYTES:,} bytes")
    if cell["iam_chars"] > MAX_INLINE_POLICY_CHARS:
        broken.append(
            f"role's inline policies {cell['iam_chars']:,} > {MAX_INLINE_POLICY_CHARS:,} chars"
        )
    return "; ".join(broken) or "none"


def table(cells: list[Cell]) -> str:
    """The measurements as a Markdown table."""
    lines = [
        "| variant | N | synth s | template bytes | bytes/stream | IAM policy chars | resources "
        "| limit broken |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for cell in cells:
        lines.append(
            f"| {cell['variant']} | {cell['count']} | {cell['seconds']:.2f} "
            f"| {cell['template_bytes']:,} | {cell['template_bytes'] / cell['count']:,.0f} "
            f"| {cell['iam_chars']:,} "
            f"| {cell['resources']} | {broken_limits(cell)} |"
        )
    return "\n".join(lines)


def first_break(cells: list[Cell], variant: str) -> str:
    """Where a variant first breaks a limit, and the per-stream growth that makes it break."""
    low = min((c for c in cells if c["variant"] == variant), key=lambda c: c["count"])
    per_resource = slope(cells, variant, "resources")
    per_iam = slope(cells, variant, "iam_chars")
    notes = [f"+{per_resource:.0f} resources and +{per_iam:.0f} IAM chars per stream"]
    if per_resource:
        at = low["count"] + (MAX_RESOURCES - low["resources"]) / per_resource
        notes.append(f"> {MAX_RESOURCES} resources from about N={int(at) + 1}")
    if per_iam:
        at = low["count"] + (MAX_INLINE_POLICY_CHARS - low["iam_chars"]) / per_iam
        notes.append(f"> {MAX_INLINE_POLICY_CHARS:,} IAM chars from about N={int(at) + 1}")
    return f"- {variant}: " + ", ".join(notes)


def slope(cells: list[Cell], variant: str, key: str) -> float:
    """What one more stream adds to `key`, from the smallest N to the largest (fixed costs out)."""
    rows = sorted((c for c in cells if c["variant"] == variant), key=lambda c: c["count"])
    low, high = rows[0], rows[-1]
    return (float(high[key]) - float(low[key])) / (int(high["count"]) - int(low["count"]))


def ratios(cells: list[Cell]) -> list[str]:
    """Targets: template bytes/stream <= BYTES_TARGET of the anchor's, IAM constant, synth time."""
    lines = []
    ours_bytes = slope(cells, OURS, "template_bytes")
    ours_seconds = slope(cells, OURS, "seconds")
    for anchor in (SCOPED, STAR):
        size = ours_bytes / slope(cells, anchor, "template_bytes")
        speed = ours_seconds / slope(cells, anchor, "seconds")
        lines.append(
            f"- vs {anchor}: template bytes per added stream {ours_bytes:,.0f} / "
            f"{slope(cells, anchor, 'template_bytes'):,.0f} = {size:.3f} "
            f"({'meets' if size <= BYTES_TARGET else 'misses'} <= {BYTES_TARGET}); "
            "synth ms per added stream "
            f"{ours_seconds * 1000:.1f} / {slope(cells, anchor, 'seconds') * 1000:.1f} "
            f"= {speed:.2f} "
            f"({'meets' if speed <= 1 else 'misses'} <= 1)"
        )
    iam = sorted({c["iam_chars"] for c in cells if c["variant"] == OURS})
    verdict = "constant: meets" if len(iam) == 1 else "NOT constant: misses"
    lines.append(f"- {OURS} IAM policy chars at N={COUNTS}: {iam} ({verdict})")
    return lines


def machine() -> str:
    """Date and machine, for the README."""
    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs (nproc), {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    """Run every cell, one fresh process each, one after another, and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cell", nargs=2, metavar=("VARIANT", "N"))
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(run_cell(args.cell[0], int(args.cell[1]))))
        return
    started = time.perf_counter()
    cells = []
    for count in COUNTS:
        for variant in VARIANTS:
            cells.append(measure(variant, count))
            print(f"measured {variant} N={count}", file=sys.stderr, flush=True)
    print(f"## Scale benchmark ({machine()})\n")
    print(table(cells))
    print(f"\nTargets (ours / anchor; per added stream: slope from N={COUNTS[0]} to {COUNTS[-1]}):")
    print("\n".join(ratios(cells)))
    print("\nWhere each grows (first to last N) and where that breaks a limit:")
    print("\n".join(first_break(cells, variant) for variant in VARIANTS))
    print(f"\n{len(cells)} cells in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
