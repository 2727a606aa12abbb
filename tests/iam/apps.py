"""The apps whose policies tests/iam holds against the reference: one builder per case.

Each builder makes one stack in the App it is given and returns it. A construct that writes a
new policy (FlowStreaming's role, for one) joins by adding its builder to CASES.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from contact_streaming import ConnectInstance, ContactStreaming, FlowStreaming, StreamingEndpoint
from examples.per_chat_backend.stack import PerChatBackendStack
from stacks.streaming_stack import StreamingStack

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
ACCOUNT = "123456789012"
OTHER_REGION = "us-east-1"
OTHER_REGION_INSTANCE_ARN = (
    f"arn:aws:connect:{OTHER_REGION}:{ACCOUNT}:instance/66666666-7777-8888-9999-000000000000"
)
OTHER_REGION_TOPIC_ARN = f"arn:aws:sns:{OTHER_REGION}:{ACCOUNT}:streaming"
OTHER_REGION_KEY_ARN = (
    f"arn:aws:kms:{OTHER_REGION}:{ACCOUNT}:key/0f0f0f0f-1111-2222-3333-444444444444"
)


def stream_by_instance_id(app: App) -> Stack:
    """ContactStreaming by instance id to an owned topic on an owned key: role, topic, key."""
    stack = Stack(app, "ByInstanceId")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Topic", master_key=key, enforce_ssl=True)
    ContactStreaming(stack, "Streaming", instance_id=INSTANCE_ID, contact_id="c", topic=topic)
    return stack


def stream_by_other_region_arn(app: App) -> Stack:
    """ContactStreaming to an instance in another region, by ARN, to an adopted topic there.

    The stack cannot change the adopted topic's or key's policy: its warnings quote them.
    """
    stack = Stack(app, "ByOtherRegionArn", env=Environment(account=ACCOUNT, region="eu-west-2"))
    topic = sns.Topic.from_topic_attributes(
        stack,
        "Topic",
        topic_arn=OTHER_REGION_TOPIC_ARN,
        key_arn=OTHER_REGION_KEY_ARN,
    )
    ContactStreaming(
        stack, "Streaming", instance_arn=OTHER_REGION_INSTANCE_ARN, contact_id="c", topic=topic
    )
    return stack


def endpoint_granted(app: App) -> Stack:
    """A StreamingEndpoint with its own topic and key, and grant_streaming to a backend's role."""
    stack = Stack(app, "EndpointGranted")
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    backend = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    endpoint.grant_streaming(backend)
    return stack


def imported_endpoint_granted(app: App) -> Stack:
    """An endpoint imported by topic ARN, typed instance: a backend's grant, a stream to it."""
    stack = Stack(app, "ImportedEndpoint", env=Environment(account=ACCOUNT, region=OTHER_REGION))
    instance = ConnectInstance.from_instance_arn(stack, "Instance", OTHER_REGION_INSTANCE_ARN)
    endpoint = StreamingEndpoint.from_topic_arn(
        stack, "Endpoint", OTHER_REGION_TOPIC_ARN, instance=instance
    )
    backend = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    endpoint.grant_streaming(backend)
    ContactStreaming(stack, "Streaming", contact_id="c", endpoint=endpoint)
    return stack


def flow_streaming(app: App) -> Stack:
    """FlowStreaming on an endpoint: the flow function's role (StartContactStreaming, its logs)."""
    stack = Stack(app, "FlowStreaming")
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    FlowStreaming(stack, "FlowStreaming", endpoint=endpoint)
    return stack


def app_stack(app: App) -> Stack:
    """The app's stack, as app.py builds it."""
    return StreamingStack(app, "ContactStreamingStack")


def per_chat_example(app: App) -> Stack:
    """The per-chat example app: grant_streaming and StartChatContact on its flow."""
    return PerChatBackendStack(app, "PerChatBackendStack")


CASES: dict[str, Callable[[App], Stack]] = {
    "stream_by_instance_id": stream_by_instance_id,
    "stream_by_other_region_arn": stream_by_other_region_arn,
    "endpoint_granted": endpoint_granted,
    "imported_endpoint_granted": imported_endpoint_granted,
    "flow_streaming": flow_streaming,
    "app_stack": app_stack,
    "per_chat_example": per_chat_example,
}
