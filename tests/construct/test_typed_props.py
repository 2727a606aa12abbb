"""ContactStreaming and StreamingEndpoint given a typed instance or an endpoint, and refusals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from contact_streaming import ConnectInstance, ContactStreaming, StreamingEndpoint

ACCOUNT = "123456789012"
REGION = "eu-west-2"
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"
OTHER_ARN = INSTANCE_ARN.replace("11111111-", "99999999-")
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:streaming"


@pytest.fixture
def stack() -> Stack:
    return Stack(App(), "Typed", env=Environment(account=ACCOUNT, region=REGION))


def stream_properties(stack: Stack) -> dict[str, Any]:
    """The properties of the stack's one Custom::ContactStreaming."""
    (stream,) = Template.from_stack(stack).find_resources("Custom::ContactStreaming").values()
    properties: dict[str, Any] = stream["Properties"]
    return properties


def test_contact_streaming_instance_from_id_same_properties_as_instance_id() -> None:
    by_string = Stack(App(), "Typed", env=Environment(account=ACCOUNT, region=REGION))
    ContactStreaming(
        by_string, "S", contact_id="c", instance_id=INSTANCE_ID, topic=sns.Topic(by_string, "T")
    )
    typed = Stack(App(), "Typed", env=Environment(account=ACCOUNT, region=REGION))
    instance = ConnectInstance.from_instance_id(typed, "Instance", INSTANCE_ID)
    ContactStreaming(typed, "S", contact_id="c", instance=instance, topic=sns.Topic(typed, "T"))
    assert Template.from_stack(typed).to_json() == Template.from_stack(by_string).to_json()


def test_contact_streaming_instance_from_arn_writes_region(stack: Stack) -> None:
    arn = INSTANCE_ARN.replace(REGION, "us-east-1")
    instance = ConnectInstance.from_instance_arn(stack, "Instance", arn)
    ContactStreaming(
        stack,
        "S",
        contact_id="c",
        instance=instance,
        streaming_endpoint_arn=TOPIC_ARN.replace(REGION, "us-east-1"),
    )
    properties = stream_properties(stack)
    assert (properties["InstanceId"], properties["Region"]) == (INSTANCE_ID, "us-east-1")


def test_contact_streaming_endpoint_streams_to_its_topic_with_its_instance(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    stream = ContactStreaming(stack, "S", contact_id="c", endpoint=endpoint)
    properties = stream_properties(stack)
    assert properties["StreamingEndpointArn"] == stack.resolve(endpoint.topic.topic_arn)
    assert properties["InstanceId"] == INSTANCE_ID
    assert stream.instance_arn == INSTANCE_ARN
    (policy_id,) = Template.from_stack(stack).find_resources("AWS::SNS::TopicPolicy")
    (stream_body,) = Template.from_stack(stack).find_resources("Custom::ContactStreaming").values()
    assert policy_id in stream_body["DependsOn"]


def test_contact_streaming_imported_endpoint_streams_to_its_arn(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ARN)
    endpoint = StreamingEndpoint.from_topic_arn(stack, "Endpoint", TOPIC_ARN, instance=instance)
    ContactStreaming(stack, "S", contact_id="c", endpoint=endpoint)
    properties = stream_properties(stack)
    assert (properties["StreamingEndpointArn"], properties["InstanceId"]) == (
        TOPIC_ARN,
        INSTANCE_ID,
    )
    assert Template.from_stack(stack).find_resources("AWS::SNS::TopicPolicy") == {}


def test_contact_streaming_endpoint_and_its_own_instance_accepted(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    ContactStreaming(stack, "A", contact_id="a", endpoint=endpoint, instance=endpoint.instance)
    ContactStreaming(stack, "B", contact_id="b", endpoint=endpoint, instance_arn=INSTANCE_ARN)
    ContactStreaming(stack, "C", contact_id="c", endpoint=endpoint, instance_id=INSTANCE_ID)
    assert len(Template.from_stack(stack).find_resources("Custom::ContactStreaming")) == 3


@pytest.mark.parametrize(
    ("prop", "value"),
    [("instance_arn", OTHER_ARN), ("instance_id", OTHER_ARN.rsplit("/", 1)[1])],
)
def test_contact_streaming_endpoint_other_instance_raises_naming_both(
    stack: Stack, prop: str, value: str
) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    pattern = rf"^ContactStreaming: {prop} names {re.escape(repr(value))} but the endpoint's topic"
    props: dict[str, Any] = {prop: value}
    with pytest.raises(ValueError, match=pattern):
        ContactStreaming(stack, "S", contact_id="c", endpoint=endpoint, **props)


def test_contact_streaming_endpoint_other_typed_instance_raises(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    other = ConnectInstance.from_instance_arn(stack, "Other", OTHER_ARN)
    with pytest.raises(ValueError, match=r"^ContactStreaming: instance names .*leave instance out"):
        ContactStreaming(stack, "S", contact_id="c", endpoint=endpoint, instance=other)


def test_contact_streaming_instance_and_instance_id_raises_naming_the_three(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_id(stack, "Instance", INSTANCE_ID)
    pattern = (
        r"^ContactStreaming: pass exactly one of instance_id, instance_arn and instance, "
        r"got instance_id and instance \(instance_id="
    )
    with pytest.raises(ValueError, match=pattern):
        ContactStreaming(
            stack,
            "S",
            contact_id="c",
            instance=instance,
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
        )


def test_contact_streaming_endpoint_and_topic_raises_naming_the_three(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    pattern = (
        r"^ContactStreaming: pass exactly one of topic, endpoint and streaming_endpoint_arn, "
        r"got topic and endpoint"
    )
    with pytest.raises(ValueError, match=pattern):
        ContactStreaming(
            stack, "S", contact_id="c", endpoint=endpoint, topic=sns.Topic(stack, "Topic")
        )


@pytest.mark.parametrize("value", [TOPIC_ARN, "not an endpoint"])
def test_contact_streaming_endpoint_given_string_raises_naming_from_topic_arn(
    stack: Stack, value: str
) -> None:
    pattern = r"^ContactStreaming: endpoint must be an IStreamingEndpoint .*from_topic_arn"
    with pytest.raises(ValueError, match=pattern):
        ContactStreaming(stack, "S", contact_id="c", instance_id=INSTANCE_ID, endpoint=value)  # type: ignore[arg-type]


def test_contact_streaming_endpoint_given_topic_raises(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    with pytest.raises(
        ValueError, match=r"^ContactStreaming: endpoint must be an IStreamingEndpoint"
    ):
        ContactStreaming(stack, "S", contact_id="c", instance_id=INSTANCE_ID, endpoint=topic)  # type: ignore[arg-type]


@pytest.mark.parametrize("owner", [ContactStreaming, StreamingEndpoint])
def test_construct_instance_given_string_raises_naming_connect_instance(
    stack: Stack, owner: type
) -> None:
    pattern = rf"^{owner.__name__}: instance must be an IConnectInstance, got .*from_instance_id"
    props: dict[str, Any] = {"instance": INSTANCE_ARN}
    if owner is ContactStreaming:
        props |= {"contact_id": "c", "streaming_endpoint_arn": TOPIC_ARN}
    with pytest.raises(ValueError, match=pattern):
        owner(stack, "Owner", **props)


@pytest.mark.parametrize("owner", [ContactStreaming, StreamingEndpoint])
def test_construct_instance_in_other_account_raises(stack: Stack, owner: type) -> None:
    other = INSTANCE_ARN.replace(ACCOUNT, "999999999999")
    instance = ConnectInstance.from_instance_arn(stack, "Instance", other)
    props: dict[str, Any] = {"instance": instance}
    if owner is ContactStreaming:
        props |= {"contact_id": "c", "streaming_endpoint_arn": TOPIC_ARN}
    with pytest.raises(
        ValueError, match=rf"^{owner.__name__}: instance is in account '999999999999'"
    ):
        owner(stack, "Owner", **props)


@pytest.mark.parametrize("owner", [ContactStreaming, StreamingEndpoint])
def test_construct_instance_in_other_region_than_topic_raises(stack: Stack, owner: type) -> None:
    instance = ConnectInstance.from_instance_arn(
        stack, "Instance", INSTANCE_ARN.replace(REGION, "us-east-1")
    )
    props: dict[str, Any] = {"instance": instance, "topic": sns.Topic(stack, "Topic")}
    if owner is ContactStreaming:
        props |= {"contact_id": "c"}
    pattern = (
        rf"^{owner.__name__}: topic is in region '{REGION}' but instance is in region 'us-east-1'"
    )
    with pytest.raises(ValueError, match=pattern):
        owner(stack, "Owner", **props)


def test_streaming_endpoint_instance_typed_same_template_as_instance_arn() -> None:
    by_string = Stack(App(), "Typed", env=Environment(account=ACCOUNT, region=REGION))
    StreamingEndpoint(by_string, "Endpoint", instance_arn=INSTANCE_ARN)
    typed = Stack(App(), "Typed", env=Environment(account=ACCOUNT, region=REGION))
    instance = ConnectInstance.from_instance_arn(typed, "Instance", INSTANCE_ARN)
    endpoint = StreamingEndpoint(typed, "Endpoint", instance=instance)
    assert endpoint.instance is instance
    assert endpoint.instance_arn == INSTANCE_ARN
    assert Template.from_stack(typed).to_json() == Template.from_stack(by_string).to_json()


def test_streaming_endpoint_instance_id_gives_typed_instance(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    assert endpoint.instance.instance_id == INSTANCE_ID
    assert endpoint.instance.instance_arn == endpoint.instance_arn
