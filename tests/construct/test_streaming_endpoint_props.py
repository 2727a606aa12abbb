"""Synth-time validation of StreamingEndpoint props: ContactStreaming's refusals, in its name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk import App, CfnParameter, Environment, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from contact_streaming import ContactStreaming, StreamingEndpoint
from tests.construct.test_props_validation import INSTANCE_ARN, INSTANCE_ID, TOPIC_ARN, quoted

ACCOUNT = "123456789012"


@pytest.fixture
def stack() -> Stack:
    return Stack(App(), "Test")


def in_env(region: str = "eu-west-2") -> Stack:
    """A stack with a known account and region."""
    return Stack(App(), "Known", env=Environment(account=ACCOUNT, region=region))


def endpoint(scope: Stack, **props: Any) -> StreamingEndpoint:
    return StreamingEndpoint(scope, "Endpoint", **props)


def resources(scope: Stack) -> dict[str, Any]:
    found: dict[str, Any] = Template.from_stack(scope).to_json().get("Resources", {})
    return found


@pytest.mark.parametrize(
    ("instance_id", "instance_arn", "given"),
    [(INSTANCE_ID, INSTANCE_ARN, "instance_id and instance_arn"), (None, None, "none of them")],
)
def test_streaming_endpoint_instance_id_and_arn_not_exactly_one_raises(
    stack: Stack, instance_id: str | None, instance_arn: str | None, given: str
) -> None:
    pattern = (
        r"^StreamingEndpoint: pass exactly one of instance_id, instance_arn and instance, "
        rf"got {given}"
    )
    with pytest.raises(ValueError, match=pattern):
        endpoint(stack, instance_id=instance_id, instance_arn=instance_arn)


@pytest.mark.parametrize("instance_id", ["", "i" * 101])
def test_streaming_endpoint_instance_id_bad_length_raises(stack: Stack, instance_id: str) -> None:
    pattern = (
        rf"^StreamingEndpoint: instance_id must be 1-100 characters, got {quoted(instance_id)}"
    )
    with pytest.raises(ValueError, match=pattern):
        endpoint(stack, instance_id=instance_id)


@pytest.mark.parametrize(
    "instance_arn",
    [f"arn:aws:connect:eu-west-2:{ACCOUNT}:contact/{INSTANCE_ID}", INSTANCE_ID, ""],
)
def test_streaming_endpoint_instance_arn_malformed_raises(stack: Stack, instance_arn: str) -> None:
    pattern = rf"^StreamingEndpoint: instance_arn must look like .*{quoted(instance_arn)}"
    with pytest.raises(ValueError, match=pattern):
        endpoint(stack, instance_arn=instance_arn)


def test_streaming_endpoint_instance_arn_other_account_raises() -> None:
    other = f"arn:aws:connect:eu-west-2:210987654321:instance/{INSTANCE_ID}"
    pattern = rf"^StreamingEndpoint: instance_arn is in account '210987654321'.*'{ACCOUNT}'"
    with pytest.raises(ValueError, match=pattern):
        endpoint(in_env(), instance_arn=other)


def test_streaming_endpoint_fifo_topic_raises(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic", fifo=True, topic_name="streaming")
    with pytest.raises(ValueError, match=r"^StreamingEndpoint: topic 'Test/Topic' is a FIFO topic"):
        endpoint(stack, instance_id=INSTANCE_ID, topic=topic)


def test_streaming_endpoint_imported_fifo_topic_raises(stack: Stack) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Topic", f"{TOPIC_ARN}.fifo")
    with pytest.raises(ValueError, match=r"'Test/Topic' is a FIFO topic"):
        endpoint(stack, instance_id=INSTANCE_ID, topic=topic)


def test_streaming_endpoint_topic_on_aws_managed_key_raises(stack: Stack) -> None:
    key = kms.Alias.from_alias_name(stack, "SnsKey", "alias/aws/sns")
    topic = sns.Topic(stack, "Topic", master_key=key)
    pattern = r"^StreamingEndpoint: topic 'Test/Topic' is encrypted with 'alias/aws/sns'"
    with pytest.raises(ValueError, match=pattern):
        endpoint(stack, instance_id=INSTANCE_ID, topic=topic)


def test_streaming_endpoint_topic_in_other_region_raises(stack: Stack) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Topic", TOPIC_ARN.replace("eu-west-2", "eu-west-1"))
    pattern = (
        r"^StreamingEndpoint: topic is in region 'eu-west-1' but instance_arn is in region "
        r"'eu-west-2'.*use a topic in 'eu-west-2'"
    )
    with pytest.raises(ValueError, match=pattern):
        endpoint(stack, instance_arn=INSTANCE_ARN, topic=topic)


def test_streaming_endpoint_new_topic_in_stack_region_other_than_instance_raises() -> None:
    pattern = (
        r"^StreamingEndpoint: the new topic \(the stack's region\) is in region 'us-east-1' "
        r"but instance_arn is in region 'eu-west-2'"
    )
    with pytest.raises(ValueError, match=pattern):
        endpoint(in_env("us-east-1"), instance_arn=INSTANCE_ARN)


def test_streaming_endpoint_failed_validation_adds_nothing() -> None:
    known = in_env("us-east-1")
    with pytest.raises(ValueError, match="region"):
        endpoint(known, instance_arn=INSTANCE_ARN)
    assert known.node.try_find_child("Endpoint") is None
    assert resources(known) == {}


def test_streaming_endpoint_tokens_pass_validation(stack: Stack) -> None:
    instance_arn = CfnParameter(stack, "InstanceArn").value_as_string
    topic = sns.Topic.from_topic_arn(
        stack, "Topic", CfnParameter(stack, "TopicArn").value_as_string
    )
    made = endpoint(stack, instance_arn=instance_arn, topic=topic)
    assert stack.resolve(made.instance_arn) == {"Ref": "InstanceArn"}
    assert stack.resolve(made.topic.topic_arn) == {"Ref": "TopicArn"}


REFUSED: list[dict[str, Any]] = [
    {"instance_id": "i" * 101},
    {"instance_id": None, "instance_arn": INSTANCE_ID},
    {"instance_id": INSTANCE_ID, "instance_arn": INSTANCE_ARN},
    {"instance_id": None, "instance_arn": INSTANCE_ARN.replace(ACCOUNT, "210987654321")},
]


@pytest.mark.parametrize("props", REFUSED)
def test_streaming_endpoint_refuses_what_contact_streaming_refuses_same_words(
    props: dict[str, Any],
) -> None:
    # One validation module serves both constructs: the same bad value, the same sentence.
    with pytest.raises(ValueError, match=r"^ContactStreaming: ") as by_stream:
        ContactStreaming(
            in_env(), "Stream", contact_id="c", streaming_endpoint_arn=TOPIC_ARN, **props
        )
    with pytest.raises(ValueError, match=r"^StreamingEndpoint: ") as by_endpoint:
        endpoint(in_env(), **props)
    stream_words = re.sub(r"^ContactStreaming: ", "", str(by_stream.value))
    assert str(by_endpoint.value) == f"StreamingEndpoint: {stream_words}"


def test_streaming_endpoint_topic_given_arn_string_raises_naming_from_topic_arn(
    stack: Stack,
) -> None:
    pattern = (
        rf"StreamingEndpoint: topic must be an sns.ITopic, got {quoted(TOPIC_ARN)}.*from_topic_arn"
    )
    with pytest.raises(ValueError, match=pattern):
        endpoint(stack, instance_id=INSTANCE_ID, topic=TOPIC_ARN)
    assert resources(stack) == {}


def test_streaming_endpoint_instance_id_is_arn_raises_naming_instance_arn(stack: Stack) -> None:
    pattern = (
        rf"StreamingEndpoint: instance_id {quoted(INSTANCE_ARN)} is an ARN: pass it as instance_arn"
    )
    with pytest.raises(ValueError, match=pattern):
        endpoint(stack, instance_id=INSTANCE_ARN)


@pytest.mark.parametrize("value", [123, "  "])
def test_streaming_endpoint_instance_id_not_string_or_blank_raises_naming_prop(
    stack: Stack, value: object
) -> None:
    with pytest.raises(
        ValueError, match=rf"StreamingEndpoint: instance_id must .*got {re.escape(repr(value))}"
    ):
        endpoint(stack, instance_id=value)
