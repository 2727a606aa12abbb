"""StreamingEndpoint.from_topic_arn: an endpoint of another stack or app, and its refusals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk import App, CfnParameter, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Template

from contact_streaming import (
    ConnectInstance,
    ContactStreaming,
    IStreamingEndpoint,
    StreamingEndpoint,
)
from tests.endpoint.conftest import ACCOUNT, INSTANCE_ARN, REGION

TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:streaming"
STREAMING = ["connect:StartContactStreaming", "connect:StopContactStreaming"]


def policy_statements(stack: Stack) -> list[dict[str, Any]]:
    """Every statement of the stack's IAM policies."""
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    return [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]


def test_from_topic_arn_endpoint_with_topic_instance_and_arn(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ARN)
    endpoint = StreamingEndpoint.from_topic_arn(stack, "Endpoint", TOPIC_ARN, instance=instance)
    assert isinstance(endpoint, IStreamingEndpoint)
    assert endpoint.topic.topic_arn == TOPIC_ARN
    assert endpoint.instance is instance
    assert endpoint.instance_arn == INSTANCE_ARN


def test_from_topic_arn_changes_nothing_and_warns_nothing(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ARN)
    StreamingEndpoint.from_topic_arn(stack, "Endpoint", TOPIC_ARN, instance=instance)
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}
    assert Annotations.from_stack(stack).find_warning("*", {}) == []


def test_from_topic_arn_grant_streaming_start_and_stop_on_instance_only(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ARN)
    endpoint = StreamingEndpoint.from_topic_arn(stack, "Endpoint", TOPIC_ARN, instance=instance)
    role = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    assert endpoint.grant_streaming(role).success
    assert policy_statements(stack) == [
        {"Action": STREAMING, "Effect": "Allow", "Resource": INSTANCE_ARN}
    ]


def test_streaming_endpoint_grant_streaming_same_as_its_instance_grant(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    role = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    endpoint.grant_streaming(role)
    endpoint.instance.grant_streaming(role)
    assert policy_statements(stack) == [
        {"Action": STREAMING, "Effect": "Allow", "Resource": INSTANCE_ARN}
    ]


@pytest.mark.parametrize(
    ("topic_arn", "refusal"),
    [
        (f"{TOPIC_ARN}.fifo", "names a FIFO topic"),
        ("arn:aws:sqs:eu-west-2:111122223333:queue", "must be an SNS topic ARN"),
        (TOPIC_ARN.replace(REGION, "us-east-1"), "is in region 'us-east-1' but instance is in"),
    ],
)
def test_from_topic_arn_bad_topic_arn_raises_naming_it(
    stack: Stack, topic_arn: str, refusal: str
) -> None:
    instance = ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ARN)
    pattern = r"^StreamingEndpoint: topic_arn .*" + re.escape(refusal)
    with pytest.raises(ValueError, match=pattern):
        StreamingEndpoint.from_topic_arn(stack, "Endpoint", topic_arn, instance=instance)
    assert stack.node.try_find_child("Endpoint") is None


def test_from_topic_arn_instance_given_string_raises(stack: Stack) -> None:
    pattern = r"^StreamingEndpoint: instance must be an IConnectInstance"
    with pytest.raises(ValueError, match=pattern):
        StreamingEndpoint.from_topic_arn(stack, "Endpoint", TOPIC_ARN, instance=INSTANCE_ARN)  # type: ignore[arg-type]


def three_stacks() -> tuple[Stack, Stack, Stack]:
    """The usual layout: an endpoint stack, a backend stack granted through an imported
    endpoint, and a stream stack streaming to the endpoint (environment-agnostic stacks)."""
    app = App()
    shared = Stack(app, "Shared")
    instance_id = CfnParameter(shared, "InstanceId").value_as_string
    instance = ConnectInstance.from_instance_id(shared, "Instance", instance_id)
    endpoint = StreamingEndpoint(shared, "Endpoint", instance=instance)
    backend = Stack(app, "Backend")
    imported = StreamingEndpoint.from_topic_arn(
        backend, "Endpoint", endpoint.topic.topic_arn, instance=endpoint.instance
    )
    role = iam.Role(backend, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    imported.grant_streaming(role)
    streams = Stack(app, "Streams")
    ContactStreaming(streams, "Stream", contact_id="contact-1", endpoint=endpoint)
    return shared, backend, streams


def test_cross_stack_backend_and_stream_depend_on_the_endpoint_stack() -> None:
    shared, _, _ = three_stacks()
    assembly = App.of(shared).synth()  # type: ignore[union-attr]
    for name in ("Backend", "Streams"):
        stack = assembly.get_stack_by_name(name)
        assert [d.id for d in stack.dependencies if ".assets" not in d.id] == ["Shared"]
    assert [
        d.id for d in assembly.get_stack_by_name("Shared").dependencies if ".assets" not in d.id
    ] == []


def test_cross_stack_backend_granted_on_the_exported_instance() -> None:
    shared, backend, _ = three_stacks()
    (statement,) = policy_statements(backend)
    assert statement["Action"] == STREAMING
    parts = statement["Resource"]["Fn::Join"][1]
    assert parts[-1] == {"Fn::ImportValue": "Shared:ExportsOutputRefInstanceId56AA3A4C"}
    assert {"Ref": "AWS::Region"} in parts  # the backend's own region: both are in one env
    exported = Template.from_stack(shared).to_json()["Outputs"]
    assert {"Ref": "InstanceId"} in [o["Value"] for o in exported.values()]


def test_cross_stack_stream_streams_to_the_exported_topic_with_its_instance() -> None:
    _, _, streams = three_stacks()
    (stream,) = Template.from_stack(streams).find_resources("Custom::ContactStreaming").values()
    properties = stream["Properties"]
    assert properties["StreamingEndpointArn"]["Fn::ImportValue"].startswith(
        "Shared:ExportsOutputRefEndpointTopic"
    )
    assert properties["InstanceId"] == {
        "Fn::ImportValue": "Shared:ExportsOutputRefInstanceId56AA3A4C"
    }
    assert "Region" not in properties
    assert Template.from_stack(streams).find_resources("AWS::SNS::TopicPolicy") == {}
