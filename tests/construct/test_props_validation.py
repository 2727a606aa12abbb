"""Synth-time validation of ContactStreaming props: bad literals fail, tokens pass."""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest
from aws_cdk import App, CfnParameter, Environment, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from contact_streaming import ContactStreaming, validation

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ARN = f"arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE_ID}"
TOPIC_ARN = "arn:aws:sns:eu-west-2:123456789012:streaming"
GOOD: dict[str, Any] = {
    "contact_id": "contact-1",
    "instance_id": INSTANCE_ID,
    "streaming_endpoint_arn": TOPIC_ARN,
}


@pytest.fixture
def stack() -> Stack:
    return Stack(App(), "Test")


def build(stack: Stack, **overrides: Any) -> ContactStreaming:
    props = {**GOOD, **overrides}
    return ContactStreaming(stack, "Streaming", **props)


def quoted(value: str) -> str:
    """A regex matching repr(value) in an error message."""
    return re.escape(repr(value))


@pytest.mark.parametrize("contact_id", ["", "c" * 257])
def test_contact_streaming_contact_id_bad_length_raises(stack: Stack, contact_id: str) -> None:
    pattern = rf"contact_id must be 1-256 characters, got {quoted(contact_id)}"
    with pytest.raises(ValueError, match=pattern):
        build(stack, contact_id=contact_id)


def test_contact_streaming_contact_id_256_chars_accepted(stack: Stack) -> None:
    build(stack, contact_id="c" * 256)


@pytest.mark.parametrize("instance_id", ["", "i" * 101])
def test_contact_streaming_instance_id_bad_length_raises(stack: Stack, instance_id: str) -> None:
    pattern = rf"instance_id must be 1-100 characters, got {quoted(instance_id)}"
    with pytest.raises(ValueError, match=pattern):
        build(stack, instance_id=instance_id)


@pytest.mark.parametrize(
    "instance_arn",
    [
        f"arn:aws:sns:eu-west-2:123456789012:instance/{INSTANCE_ID}",
        f"arn:aws:connect:eu-west-2:12345:instance/{INSTANCE_ID}",
        f"arn:aws:connect:eu-west-2:123456789012:contact/{INSTANCE_ID}",
        INSTANCE_ID,
        "",
    ],
)
def test_contact_streaming_instance_arn_malformed_raises(stack: Stack, instance_arn: str) -> None:
    with pytest.raises(ValueError, match=rf"instance_arn must look like .*{quoted(instance_arn)}"):
        build(stack, instance_id=None, instance_arn=instance_arn)


def test_contact_streaming_instance_arn_id_too_long_raises(stack: Stack) -> None:
    long_id = "i" * 101
    with pytest.raises(ValueError, match=rf"instance_arn must be 1-100 .*{quoted(long_id)}"):
        build(stack, instance_id=None, instance_arn=INSTANCE_ARN.replace(INSTANCE_ID, long_id))


@pytest.mark.parametrize(
    ("instance_id", "instance_arn", "given"),
    [
        (INSTANCE_ID, INSTANCE_ARN, rf"instance_id and instance_arn \(.*{quoted(INSTANCE_ARN)}"),
        (None, None, "none of them"),
    ],
)
def test_contact_streaming_instance_id_and_arn_not_exactly_one_raises(
    stack: Stack, instance_id: str | None, instance_arn: str | None, given: str
) -> None:
    pattern = rf"exactly one of instance_id, instance_arn and instance, got {given}"
    with pytest.raises(ValueError, match=pattern):
        build(stack, instance_id=instance_id, instance_arn=instance_arn)


def test_contact_streaming_topic_and_endpoint_both_raises(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    pattern = (
        r"exactly one of topic, endpoint and streaming_endpoint_arn, "
        rf"got topic and streaming_endpoint_arn .*{quoted(TOPIC_ARN)}"
    )
    with pytest.raises(ValueError, match=pattern):
        build(stack, topic=topic)


def test_contact_streaming_topic_and_endpoint_neither_raises(stack: Stack) -> None:
    pattern = r"exactly one of topic, endpoint and streaming_endpoint_arn, got none of them"
    with pytest.raises(ValueError, match=pattern):
        build(stack, streaming_endpoint_arn=None)


def test_contact_streaming_endpoint_arn_351_chars_raises(stack: Stack) -> None:
    prefix = "arn:aws:sns:eu-west-2:123456789012:"
    arn = prefix + "t" * (351 - len(prefix))
    assert len(arn) == 351
    pattern = rf"streaming_endpoint_arn must be 1-350 characters, got {quoted(arn)} \(351"
    with pytest.raises(ValueError, match=pattern):
        build(stack, streaming_endpoint_arn=arn)


def test_contact_streaming_endpoint_arn_fifo_raises(stack: Stack) -> None:
    arn = f"{TOPIC_ARN}.fifo"
    with pytest.raises(ValueError, match=rf"streaming_endpoint_arn {quoted(arn)} names a FIFO"):
        build(stack, streaming_endpoint_arn=arn)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sqs:eu-west-2:123456789012:queue",
        "arn:aws:sns:eu-west-2:123456789012:bad/name",
        "streaming",
    ],
)
def test_contact_streaming_endpoint_arn_not_sns_raises(stack: Stack, arn: str) -> None:
    with pytest.raises(ValueError, match=rf"must be an SNS topic ARN .*{quoted(arn)}"):
        build(stack, streaming_endpoint_arn=arn)


def test_contact_streaming_fifo_topic_raises(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic", fifo=True, topic_name="streaming")
    with pytest.raises(ValueError, match=r"topic 'Test/Topic' is a FIFO topic"):
        build(stack, streaming_endpoint_arn=None, topic=topic)


def test_contact_streaming_topic_on_aws_managed_key_raises(stack: Stack) -> None:
    key = kms.Alias.from_alias_name(stack, "SnsKey", "alias/aws/sns")
    topic = sns.Topic(stack, "Topic", master_key=key)
    pattern = r"topic 'Test/Topic' is encrypted with 'alias/aws/sns'"
    with pytest.raises(ValueError, match=pattern):
        build(stack, streaming_endpoint_arn=None, topic=topic)


def test_contact_streaming_failed_validation_adds_nothing(stack: Stack) -> None:
    with pytest.raises(ValueError, match="contact_id"):
        build(stack, contact_id="")
    assert stack.node.try_find_child("Streaming") is None
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


def test_contact_streaming_tokens_pass_validation(stack: Stack) -> None:
    def param(name: str) -> str:
        return CfnParameter(stack, name).value_as_string

    build(
        stack,
        contact_id=param("ContactId"),
        instance_id=None,
        instance_arn=param("InstanceArn"),
        streaming_endpoint_arn=param("TopicArn"),
    )
    Template.from_stack(stack).has_resource_properties(
        "Custom::ContactStreaming",
        {"ContactId": {"Ref": "ContactId"}, "StreamingEndpointArn": {"Ref": "TopicArn"}},
    )


def test_contact_streaming_instance_id_token_passes_validation(stack: Stack) -> None:
    build(stack, instance_id=CfnParameter(stack, "InstanceId").value_as_string)
    Template.from_stack(stack).has_resource_properties(
        "Custom::ContactStreaming", {"InstanceId": {"Ref": "InstanceId"}}
    )


@pytest.mark.parametrize(
    ("path", "limits"),
    [
        (("InstanceId",), validation.INSTANCE_ID_LIMITS),
        (("ContactId",), validation.CONTACT_ID_LIMITS),
        (("ChatStreamingConfiguration", "StreamingEndpointArn"), validation.ENDPOINT_ARN_LIMITS),
    ],
)
def test_validation_limits_equal_botocore_connect_model(
    path: tuple[str, ...], limits: tuple[int, int]
) -> None:
    model = botocore.session.get_session().get_service_model("connect")
    shape: Any = model.operation_model("StartContactStreaming").input_shape
    for member in path:
        shape = shape.members[member]
    assert (shape.metadata["min"], shape.metadata["max"]) == limits


def test_contact_streaming_removal_policy_snapshot_raises(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"removal_policy .*SNAPSHOT.* not possible"):
        build(stack, removal_policy=RemovalPolicy.SNAPSHOT)


def test_contact_streaming_instance_arn_other_account_raises(stack: Stack) -> None:
    in_account = Stack(App(), "InAccount", env=Environment(account="123456789012"))
    other = "arn:aws:connect:eu-west-2:210987654321:instance/" + INSTANCE_ID

    with pytest.raises(
        ValueError, match=r"instance_arn is in account '210987654321'.*'123456789012'"
    ):
        build(in_account, instance_id=None, instance_arn=other)


def test_contact_streaming_instance_arn_same_account_accepted() -> None:
    in_account = Stack(App(), "InAccount", env=Environment(account="123456789012"))
    same = "arn:aws:connect:eu-west-2:123456789012:instance/" + INSTANCE_ID

    stream = build(in_account, instance_id=None, instance_arn=same)

    assert stream.instance_arn == same


NOT_STRINGS: list[tuple[str, object]] = [
    ("contact_id", None),
    *[(prop, value) for prop in ("contact_id", "instance_id") for value in (123, 4.5, b"c-1")],
]


@pytest.mark.parametrize(("prop", "value"), NOT_STRINGS)
def test_contact_streaming_id_not_string_raises_naming_prop(
    stack: Stack, prop: str, value: object
) -> None:
    pattern = rf"ContactStreaming: {prop} must be a string .*got {re.escape(repr(value))}"
    with pytest.raises(ValueError, match=pattern):
        build(stack, **{prop: value})


def test_contact_streaming_instance_arn_not_string_raises_naming_prop(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"instance_arn must be a string .*got 123"):
        build(stack, instance_id=None, instance_arn=123)


def test_contact_streaming_endpoint_arn_not_string_raises_naming_prop(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"streaming_endpoint_arn must be a string .*got 123"):
        build(stack, streaming_endpoint_arn=123)


@pytest.mark.parametrize("prop", ["contact_id", "instance_id"])
@pytest.mark.parametrize("value", [" ", "   ", "\t\n"])
def test_contact_streaming_id_blank_raises_naming_prop(stack: Stack, prop: str, value: str) -> None:
    with pytest.raises(
        ValueError, match=rf"ContactStreaming: {prop} must not be blank, got {quoted(value)}"
    ):
        build(stack, **{prop: value})


def test_contact_streaming_instance_id_is_arn_raises_naming_instance_arn(stack: Stack) -> None:
    pattern = rf"instance_id {quoted(INSTANCE_ARN)} is an ARN: pass it as instance_arn"
    with pytest.raises(ValueError, match=pattern):
        build(stack, instance_id=INSTANCE_ARN)


def test_contact_streaming_topic_given_arn_string_raises_naming_endpoint_arn(
    stack: Stack,
) -> None:
    pattern = rf"topic must be an sns.ITopic, got {quoted(TOPIC_ARN)}.*endpoint=.*from_topic_arn"
    with pytest.raises(ValueError, match=pattern):
        build(stack, streaming_endpoint_arn=None, topic=TOPIC_ARN)
    assert stack.node.try_find_child("Streaming") is None


def test_contact_streaming_topic_not_topic_raises_naming_value(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"topic must be an sns.ITopic, got 42"):
        build(stack, streaming_endpoint_arn=None, topic=42)
