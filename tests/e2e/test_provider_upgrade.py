"""A stack that starts configuring its provider explicitly keeps its ServiceToken and every stream.

The upgrade app's streams (as tests/e2e/upgrade_app.py builds them) are deployed as every release
has built them, the first stream making the provider with the defaults. Then the same app, now
creating ``ContactStreamingProvider(stack, "ContactStreamingProvider", quota_share=...,
log_retention=..., memory_size=...)`` before its streams, is deployed over it with the CLI, and
the stack destroyed. The local Connect records every call: the upgrade must make none.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnOutput, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns

from contact_streaming import ContactStreaming, ContactStreamingProvider
from local.session import Session
from local.world import INSTANCE_ID
from standins.connect import Call, StreamRecord
from tests.e2e.conftest import Cli, synthesize

STACK = "ProviderUpgrade"
STREAMS = 3
FUNCTION = "AWS::Lambda::Function"
STREAM = "Custom::ContactStreaming"
MEMORY_SIZE = 512
QUOTA_SHARE = 0.5


def build(app: App, contacts: list[str], *, explicit: bool) -> Stack:
    """The upgrade app's stack (tests/e2e/upgrade_app.py), its provider explicit if told."""
    stack = Stack(app, STACK)
    if explicit:
        ContactStreamingProvider(
            stack,
            "ContactStreamingProvider",
            quota_share=QUOTA_SHARE,
            log_retention=logs.RetentionDays.ONE_MONTH,
            memory_size=MEMORY_SIZE,
        )
    topic = sns.Topic(stack, "Topic")
    for index, contact_id in enumerate(contacts):
        stream = ContactStreaming(
            stack, f"Stream{index}", instance_id=INSTANCE_ID, contact_id=contact_id, topic=topic
        )
        CfnOutput(stack, f"StreamingId{index}", value=stream.streaming_id)
    return stack


@dataclass
class Deployed:
    """The stack after one deploy: its resources' physical ids by logical id, outputs, template."""

    physical_ids: dict[str, str]
    types: dict[str, str]
    outputs: dict[str, str]
    template: dict[str, Any]

    def of_type(self, resource_type: str) -> dict[str, str]:
        """Physical ids of one resource type, by logical id."""
        return {k: v for k, v in self.physical_ids.items() if self.types[k] == resource_type}


@dataclass
class Run:
    """The stack deployed without, then with, an explicit provider; then destroyed."""

    before: Deployed
    after: Deployed
    status_after_upgrade: str
    upgrade_calls: list[Call]
    streams_after_upgrade: list[StreamRecord]
    stream_events: list[dict[str, Any]]
    function_configuration: dict[str, Any]
    destroy_calls: list[Call]
    streams_after_destroy: list[StreamRecord]
    status_after_destroy: str


def deployed(cli: Cli, assembly: Path, outputs: dict[str, str]) -> Deployed:
    """What the stack holds now."""
    resources = cli.session.client("cloudformation").describe_stack_resources(StackName=STACK)
    found = resources["StackResources"]
    template = json.loads((assembly / f"{STACK}.template.json").read_text())
    return Deployed(
        {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in found},
        {r["LogicalResourceId"]: r["ResourceType"] for r in found},
        outputs,
        template,
    )


def calls(session: Session, contacts: list[str]) -> list[Call]:
    """The Start and Stop calls the local Connect recorded for these contacts, in order."""
    wanted = ("StartContactStreaming", "StopContactStreaming")
    with session.connect.lock:
        return [
            c
            for c in session.connect.calls
            if c.operation in wanted and c.body.get("ContactId") in contacts
        ]


def streams(session: Session, contacts: list[str]) -> list[StreamRecord]:
    """Copies of every stream of these contacts, running or stopped."""
    with session.connect.lock:
        return [
            StreamRecord(**vars(s))
            for s in session.connect.streams.values()
            if s.contact_id in contacts
        ]


@pytest.fixture(scope="module")
def run(session: Session, cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Deploy with the default provider, deploy with an explicit one over it, destroy."""
    folder = tmp_path_factory.mktemp("provider-upgrade")
    contacts = [str(uuid.uuid4()) for _ in range(STREAMS)]
    old = synthesize(folder / "default.out", lambda app: build(app, contacts, explicit=False))
    new = synthesize(folder / "explicit.out", lambda app: build(app, contacts, explicit=True))
    for contact_id in contacts:
        session.connect.add_contact(INSTANCE_ID, contact_id)
    try:
        first, outputs = cli.deploy(old, STACK)
        assert first.returncode == 0, first.output[-3000:]
        before = deployed(cli, old, outputs)
        count = len(calls(session, contacts))
        second, outputs = cli.deploy(new, STACK)
        assert second.returncode == 0, second.output[-3000:]
        after = deployed(cli, new, outputs)
        upgrade_calls = calls(session, contacts)[count:]
        running = streams(session, contacts)
        events = [e for e in cli.events(STACK) if e["ResourceType"] == STREAM]
        (function_name,) = after.of_type(FUNCTION).values()
        configuration = cli.session.client("lambda").get_function_configuration(
            FunctionName=function_name
        )
        status = cli.stack_status(STACK)
        count = len(calls(session, contacts))
        destroy = cli.destroy(new, STACK)
        assert destroy.returncode == 0, destroy.output[-3000:]
        yield Run(
            before,
            after,
            status,
            upgrade_calls,
            running,
            events,
            configuration,
            calls(session, contacts)[count:],
            streams(session, contacts),
            cli.stack_status(STACK),
        )
    finally:
        cli.remove(STACK)
        for contact_id in contacts:
            session.connect.end_contact(INSTANCE_ID, contact_id)


def test_provider_upgrade_template_changed_only_in_settings(run: Run) -> None:
    # The upgrade is a real one: the explicit settings reach the template.
    assert run.before.template != run.after.template
    assert run.before.template["Resources"].keys() == run.after.template["Resources"].keys()
    assert run.status_after_upgrade == "UPDATE_COMPLETE"


def test_provider_upgrade_keeps_function_and_service_token(run: Run) -> None:
    assert run.after.of_type(FUNCTION) == run.before.of_type(FUNCTION)
    (function_id,) = run.after.of_type(FUNCTION)
    for logical_id in run.before.of_type(STREAM):
        for deploy in (run.before, run.after):
            token = deploy.template["Resources"][logical_id]["Properties"]["ServiceToken"]
            assert token == {"Fn::GetAtt": [function_id, "Arn"]}


def test_provider_upgrade_keeps_every_physical_id(run: Run) -> None:
    assert run.after.physical_ids == run.before.physical_ids
    assert len(run.after.of_type(STREAM)) == STREAMS


def test_provider_upgrade_settings_reach_deployed_function(run: Run) -> None:
    assert run.function_configuration["MemorySize"] == MEMORY_SIZE
    variables = run.function_configuration["Environment"]["Variables"]
    assert variables["PACE_START_PER_SECOND"] == f"{QUOTA_SHARE * 5:g}"


def test_provider_upgrade_calls_connect_nothing(run: Run) -> None:
    assert [(c.operation, c.body["ContactId"]) for c in run.upgrade_calls] == []


def test_provider_upgrade_every_stream_still_running_same_ids(run: Run) -> None:
    assert run.after.outputs == run.before.outputs
    running = {s.streaming_id for s in run.streams_after_upgrade if s.state == "ACTIVE"}
    assert len(run.streams_after_upgrade) == STREAMS
    assert running == {run.before.outputs[f"StreamingId{i}"] for i in range(STREAMS)}


def test_provider_upgrade_replaces_and_deletes_no_stream(run: Run) -> None:
    assert not [e for e in run.stream_events if "DELETE" in e["ResourceStatus"]]


def test_provider_upgrade_then_destroy_stops_every_stream_once(run: Run) -> None:
    assert run.status_after_destroy == "GONE"
    assert [c.operation for c in run.destroy_calls] == ["StopContactStreaming"] * STREAMS
    stopped = sorted(c.body["StreamingId"] for c in run.destroy_calls if c.status == 200)
    assert stopped == sorted(run.before.outputs[f"StreamingId{i}"] for i in range(STREAMS))
    assert {s.state for s in run.streams_after_destroy} == {"STOPPED"}
