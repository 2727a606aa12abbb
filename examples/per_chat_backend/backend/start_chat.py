"""Start a customer's chat and stream its messages to the endpoint before anyone can write.

The chat API invokes this with ``{"DisplayName": "..."}``. It calls StartChatContact, then
StartContactStreaming for the new contact, and only then answers with what the customer's client
needs for CreateParticipantConnection: messages sent before streaming starts never reach the topic.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient

DISPLAY_NAME_LIMITS = (1, 256)  # Connect's model: ParticipantDetails.DisplayName


@cache
def connect_client() -> ConnectClient:
    """One Connect client per Lambda sandbox."""
    return boto3.client("connect")


def display_name(event: dict[str, Any]) -> str:
    """The customer's display name from the event; ValueError naming it when it is unusable."""
    name = event.get("DisplayName")
    low, high = DISPLAY_NAME_LIMITS
    if not isinstance(name, str) or not name.strip() or not low <= len(name) <= high:
        raise ValueError(f"DisplayName must be a non-blank string of {low}-{high} characters")
    return name


def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Start one chat, stream it to STREAMING_ENDPOINT_ARN, answer with the participant token."""
    name = display_name(event)
    instance_id = os.environ["INSTANCE_ID"]
    connect = connect_client()
    chat = connect.start_chat_contact(
        InstanceId=instance_id,
        ContactFlowId=os.environ["CONTACT_FLOW_ID"],
        ParticipantDetails={"DisplayName": name},
        # Lambda's own retries of this invocation reuse the request id: no second chat.
        ClientToken=context.aws_request_id,
    )
    contact_id = chat["ContactId"]
    connect.start_contact_streaming(
        InstanceId=instance_id,
        ContactId=contact_id,
        ChatStreamingConfiguration={"StreamingEndpointArn": os.environ["STREAMING_ENDPOINT_ARN"]},
        # One stream per contact and endpoint, however often this is retried.
        ClientToken=contact_id,
    )
    return {
        "ContactId": contact_id,
        "ParticipantId": chat["ParticipantId"],
        "ParticipantToken": chat["ParticipantToken"],
    }
