"""Synthesized templates of the app and of small test stacks, each built once per session.

Every app here gets cdk.json's context (its feature flags), as `cdk synth` gives it, so the
templates under test are the ones the CLI writes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnParameter, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from contact_streaming import ContactStreaming
from examples.per_chat_backend.stack import PerChatBackendStack
from stacks.streaming_stack import EXISTING_TOPIC_CONTEXT, StreamingStack
from tests.conftest import ROOT, STACK_NAME

EXISTING_TOPIC_ARN = "arn:aws:sns:eu-west-2:123456789012:existing-streaming-topic"
INSTANCE_A = "11111111-2222-3333-4444-555555555555"
INSTANCE_B_ARN = (
    "arn:aws:connect:eu-west-2:123456789012:instance/66666666-7777-8888-9999-000000000000"
)


def cdk_context() -> dict[str, Any]:
    """The context cdk.json gives the app (feature flags)."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class Synth:
    """One synthesized stack: its app, stack, template (as written to disk) and assertions."""

    app: App
    stack: Stack
    outdir: Path
    raw: dict[str, Any]
    template: Template

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """The template's resources of one type, by logical id."""
        return {
            logical_id: resource
            for logical_id, resource in self.raw["Resources"].items()
            if resource["Type"] == resource_type
        }

    def only(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        """The logical id and body of the template's one resource of a type."""
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def with_asset_masked(self) -> dict[str, Any]:
        """A copy of the template whose one Lambda's asset hash reads "<asset-hash>".

        The hash changes with every edit of the Lambda's code; test_lambda_asset.py pins it down.
        """
        template = copy.deepcopy(self.raw)
        function_id, _ = self.only("AWS::Lambda::Function")
        code = template["Resources"][function_id]["Properties"]["Code"]
        assert re.fullmatch(r"[0-9a-f]{64}\.zip", code["S3Key"])
        code["S3Key"] = "<asset-hash>.zip"
        return template


def synthesize(
    outdir: Path, build: Callable[[App], Stack], context: dict[str, Any] | None = None
) -> Synth:
    """Build a stack in a fresh app with cdk.json's context and synthesize it into `outdir`."""
    app = App(context={**cdk_context(), **(context or {})}, outdir=str(outdir))
    stack = build(app)
    assembly = app.synth()
    raw: dict[str, Any] = assembly.get_stack_by_name(stack.stack_name).template
    return Synth(app, stack, outdir, raw, Template.from_json(raw))


def app_stack(app: App) -> Stack:
    """The app's stack, as app.py builds it."""
    return StreamingStack(app, STACK_NAME)


def retain_stack(app: App) -> Stack:
    """One stream kept running when the stack is deleted; the instance given by ARN."""
    stack = Stack(app, "RetainStack")
    ContactStreaming(
        stack,
        "Streaming",
        instance_arn=INSTANCE_B_ARN,
        contact_id=CfnParameter(stack, "ContactId").value_as_string,
        streaming_endpoint_arn=EXISTING_TOPIC_ARN,
        removal_policy=RemovalPolicy.RETAIN,
    )
    return stack


def multi_stack(app: App) -> Stack:
    """Three streams on two instances, all to one encrypted topic the stack owns."""
    stack = Stack(app, "MultiStack")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Topic", master_key=key, enforce_ssl=True)
    for index, contact in enumerate(("contact-1", "contact-2")):
        ContactStreaming(
            stack, f"StreamA{index}", instance_id=INSTANCE_A, contact_id=contact, topic=topic
        )
    ContactStreaming(
        stack, "StreamB", instance_arn=INSTANCE_B_ARN, contact_id="contact-3", topic=topic
    )
    return stack


def per_chat_stack(app: App) -> Stack:
    """The example app's stack (examples/per_chat_backend/app.py)."""
    return PerChatBackendStack(app, "PerChatBackendStack")


@pytest.fixture(scope="session")
def app_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The app's stack with its own new topic (the default)."""
    return synthesize(tmp_path_factory.mktemp("app"), app_stack)


@pytest.fixture(scope="session")
def existing_topic_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The app's stack with `-c existingTopicArn=...`."""
    return synthesize(
        tmp_path_factory.mktemp("existing"),
        app_stack,
        {EXISTING_TOPIC_CONTEXT: EXISTING_TOPIC_ARN},
    )


@pytest.fixture(scope="session")
def retain_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """A stack whose one stream has removal_policy=RETAIN."""
    return synthesize(tmp_path_factory.mktemp("retain"), retain_stack)


@pytest.fixture(scope="session")
def multi_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """A stack with three streams on two instances."""
    return synthesize(tmp_path_factory.mktemp("multi"), multi_stack)


@pytest.fixture(scope="session")
def per_chat_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The per-chat backend example: a StreamingEndpoint and a Lambda granted streaming."""
    return synthesize(tmp_path_factory.mktemp("per-chat"), per_chat_stack)


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy's snapshot, written as JSON."""
    return snapshot.use_extension(JSONSnapshotExtension)


SYNTH_FIXTURES = (
    "app_synth",
    "existing_topic_synth",
    "retain_synth",
    "multi_synth",
    "per_chat_synth",
)


@pytest.fixture(params=SYNTH_FIXTURES)
def any_synth(request: pytest.FixtureRequest) -> Synth:
    """Each synthesized stack in turn."""
    synth: Synth = request.getfixturevalue(request.param)
    return synth
