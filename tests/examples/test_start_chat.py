"""The per-chat example's backend: it starts the chat, then streams it, then answers.

Connect is botocore's Stubber, which checks every call against Connect's model; nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import start_chat
from botocore.stub import Stubber

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
FLOW_ID = "66666666-7777-8888-9999-000000000000"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:streaming"
CONTACT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CONTEXT = SimpleNamespace(aws_request_id="request-1")
CHAT = {"ContactId": CONTACT_ID, "ParticipantId": "participant-1", "ParticipantToken": "token-1"}


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """A stubbed Connect client in the backend's place, and the backend's environment."""
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "INSTANCE_ID": INSTANCE_ID,
        "CONTACT_FLOW_ID": FLOW_ID,
        "STREAMING_ENDPOINT_ARN": TOPIC_ARN,
    }.items():
        monkeypatch.setenv(name, value)
    start_chat.connect_client.cache_clear()
    with Stubber(start_chat.connect_client()) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()
    start_chat.connect_client.cache_clear()


def expect_chat_then_stream(stubber: Stubber, name: str = "Ana") -> None:
    stubber.add_response(
        "start_chat_contact",
        CHAT,
        {
            "InstanceId": INSTANCE_ID,
            "ContactFlowId": FLOW_ID,
            "ParticipantDetails": {"DisplayName": name},
            "ClientToken": "request-1",
        },
    )
    stubber.add_response(
        "start_contact_streaming",
        {"StreamingId": "streaming-1"},
        {
            "InstanceId": INSTANCE_ID,
            "ContactId": CONTACT_ID,
            "ChatStreamingConfiguration": {"StreamingEndpointArn": TOPIC_ARN},
            "ClientToken": CONTACT_ID,
        },
    )


def test_start_chat_new_chat_streams_to_endpoint_then_answers(connect: Stubber) -> None:
    expect_chat_then_stream(connect)
    answer = start_chat.handler({"DisplayName": "Ana"}, CONTEXT)
    assert answer == CHAT


def test_start_chat_streaming_refused_no_answer_with_token(connect: Stubber) -> None:
    # Without streaming the customer must not get a token: their first messages would be lost.
    connect.add_response("start_chat_contact", CHAT)
    connect.add_client_error(
        "start_contact_streaming", "AccessDeniedException", http_status_code=403
    )
    with pytest.raises(start_chat.connect_client().exceptions.AccessDeniedException):
        start_chat.handler({"DisplayName": "Ana"}, CONTEXT)


@pytest.mark.parametrize(
    "event", [{}, {"DisplayName": " "}, {"DisplayName": "n" * 257}, {"DisplayName": 7}]
)
def test_start_chat_bad_display_name_refused_without_call(
    connect: Stubber, event: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"DisplayName must be a non-blank string of 1-256"):
        start_chat.handler(event, CONTEXT)


def test_start_chat_display_name_limits_equal_botocore_connect_model(connect: Stubber) -> None:
    model = start_chat.connect_client().meta.service_model.operation_model("StartChatContact")
    assert model.input_shape is not None
    shape: Any = model.input_shape.members["ParticipantDetails"].members["DisplayName"]  # type: ignore[attr-defined]
    assert (shape.metadata["min"], shape.metadata["max"]) == start_chat.DISPLAY_NAME_LIMITS
