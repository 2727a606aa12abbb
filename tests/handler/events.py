"""CloudFormation-shaped custom resource events and the values the tests expect from them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from physical_id import Stream

STACK_ID = (
    "arn:aws:cloudformation:us-east-1:123456789012:stack/ContactStreamingStack/"
    "5b7a2e10-0000-11ef-9c1c-0a1b2c3d4e5f"
)
LOGICAL_ID = "Streaming"
REQUEST_ID = "2f8e6a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b"
SERVICE_TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:ContactStreamingProvider"
RESPONSE_URL = "https://cloudformation-custom-resource-response-useast1.example.invalid/signed"
REGION = "us-east-1"
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
CONTACT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:chat-transcripts"
STREAMING_ID = "stream-0001"


def properties(**overrides: Any) -> dict[str, Any]:
    """ResourceProperties as the construct writes them, with `overrides` applied."""
    props: dict[str, Any] = {
        "ServiceToken": SERVICE_TOKEN,
        "Region": REGION,
        "InstanceId": INSTANCE_ID,
        "ContactId": CONTACT_ID,
        "StreamingEndpointArn": TOPIC_ARN,
    }
    props.update(overrides)
    return props


def event(
    request_type: str,
    props: dict[str, Any] | None = None,
    *,
    request_id: str = REQUEST_ID,
    physical_id: str | None = None,
    old_props: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A custom resource request as CloudFormation sends it."""
    body: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": SERVICE_TOKEN,
        "ResponseURL": RESPONSE_URL,
        "StackId": STACK_ID,
        "RequestId": request_id,
        "LogicalResourceId": LOGICAL_ID,
        "ResourceType": "Custom::ContactStreaming",
        "ResourceProperties": properties() if props is None else props,
    }
    if physical_id is not None:
        body["PhysicalResourceId"] = physical_id
    if old_props is not None:
        body["OldResourceProperties"] = old_props
    return body


def expected_token(stack_id: str, logical_id: str, request_id: str) -> str:
    """The ClientToken formula of DESIGN.md: sha256 of StackId, LogicalResourceId, RequestId."""
    return hashlib.sha256(f"{stack_id}\n{logical_id}\n{request_id}".encode()).hexdigest()


def start_params(
    token: str,
    *,
    instance_id: str = INSTANCE_ID,
    contact_id: str = CONTACT_ID,
    endpoint_arn: str = TOPIC_ARN,
) -> dict[str, Any]:
    """The exact StartContactStreaming parameters expected for one stream."""
    return {
        "InstanceId": instance_id,
        "ContactId": contact_id,
        "ChatStreamingConfiguration": {"StreamingEndpointArn": endpoint_arn},
        "ClientToken": token,
    }


def stop_params(
    streaming_id: str = STREAMING_ID,
    *,
    instance_id: str = INSTANCE_ID,
    contact_id: str = CONTACT_ID,
) -> dict[str, Any]:
    """The exact StopContactStreaming parameters expected for one stream."""
    return {"InstanceId": instance_id, "ContactId": contact_id, "StreamingId": streaming_id}


def stacks_answer(status: str) -> dict[str, Any]:
    """A DescribeStacks answer naming the event's stack in `status`."""
    stack = {
        "StackId": STACK_ID,
        "StackName": "ContactStreamingStack",
        "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
        "StackStatus": status,
    }
    return {"Stacks": [stack]}


STARTED_ID = Stream(
    REGION, INSTANCE_ID, CONTACT_ID, TOPIC_ARN, streaming_id=STREAMING_ID
).physical_id()
"""The PhysicalResourceId a successful Create of `properties()` answers with."""
