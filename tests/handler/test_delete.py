"""Delete: stop what the PhysicalResourceId records; gone counts as stopped; failures are clear."""

from __future__ import annotations

import handler
import pytest
from physical_id import Stream, not_started_id

from tests.handler.conftest import LambdaContext, StubbedConnect
from tests.handler.events import (
    CONTACT_ID,
    INSTANCE_ID,
    LOGICAL_ID,
    REQUEST_ID,
    STACK_ID,
    STARTED_ID,
    STREAMING_ID,
    event,
    expected_token,
    properties,
    start_params,
    stop_params,
)

DELETE_REQUEST = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CREATE_TOKEN = expected_token(STACK_ID, LOGICAL_ID, REQUEST_ID)
GONE = [("ResourceNotFoundException", 404), ("InvalidRequestException", 400)]


def delete_event(physical_id: str) -> dict[str, object]:
    """A Delete whose ResourceProperties name another instance and contact than the id does."""
    misleading = properties(InstanceId="not-this-instance", ContactId="not-this-contact")
    return event("Delete", misleading, request_id=DELETE_REQUEST, physical_id=physical_id)


def pending_id_from_failed_create(connect: StubbedConnect, context: LambdaContext) -> str:
    """Run a Create whose Start answers 500, and return the pending id it records."""
    connect.stubber.add_client_error(
        "start_contact_streaming",
        "InternalServiceException",
        "try later",
        500,
        expected_params=start_params(CREATE_TOKEN),
    )
    with pytest.raises(RuntimeError, match="InternalServiceException"):
        handler.create(event("Create"), context)
    return handler.helper.PhysicalResourceId


def test_delete_started_id_stops_what_id_records(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_response("stop_contact_streaming", {}, stop_params())

    physical_id = handler.delete(delete_event(STARTED_ID), lambda_context)

    assert physical_id == STARTED_ID
    assert connect.calls == ["StopContactStreaming"]


def test_delete_id_from_other_region_stops_in_that_region(
    connect: StubbedConnect, connect_eu_west_2: StubbedConnect, lambda_context: LambdaContext
) -> None:
    endpoint = "arn:aws:sns:eu-west-2:123456789012:chat-transcripts"
    physical_id = Stream(
        "eu-west-2", INSTANCE_ID, CONTACT_ID, endpoint, streaming_id=STREAMING_ID
    ).physical_id()
    connect_eu_west_2.stubber.add_response("stop_contact_streaming", {}, stop_params())

    handler.delete(delete_event(physical_id), lambda_context)

    assert (connect.calls, connect_eu_west_2.calls) == ([], ["StopContactStreaming"])


@pytest.mark.parametrize(("code", "status"), GONE)
def test_delete_stream_already_gone_succeeds(
    connect: StubbedConnect, lambda_context: LambdaContext, code: str, status: int
) -> None:
    connect.stubber.add_client_error(
        "stop_contact_streaming", code, "contact ended", status, expected_params=stop_params()
    )

    physical_id = handler.delete(delete_event(STARTED_ID), lambda_context)

    assert physical_id == STARTED_ID
    assert connect.calls == ["StopContactStreaming"]


@pytest.mark.parametrize(
    ("code", "status", "hint"),
    [
        ("InternalServiceException", 500, "try again"),
        ("AccessDeniedException", 403, "provider role"),
    ],
)
def test_delete_stop_fails_raises_readable_reason(
    connect: StubbedConnect, lambda_context: LambdaContext, code: str, status: int, hint: str
) -> None:
    connect.stubber.add_client_error(
        "stop_contact_streaming", code, "m" * 400, status, expected_params=stop_params()
    )

    with pytest.raises(RuntimeError) as raised:
        handler.delete(delete_event(STARTED_ID), lambda_context)

    reason = str(raised.value)
    assert reason.startswith(f"Connect StopContactStreaming failed: {code}")
    assert hint in reason
    assert len(reason) <= 256


@pytest.mark.parametrize(
    "physical_id",
    [
        "",
        "ContactStreamingStack-Streaming-1A2B3C4D",
        "contact-streaming:",
        "contact-streaming:state=started&region=us-east-1&instance=i&contact=c&endpoint=e",
        "contact-streaming:state=pending&region=us-east-1&instance=i&contact=c&endpoint=e",
        "contact-streaming:state=started&instance=i&contact=c&endpoint=e&streaming=s",
        "contact-streaming:state=%ZZ&&&==",
    ],
)
def test_delete_unparseable_id_succeeds_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext, physical_id: str
) -> None:
    assert handler.delete(delete_event(physical_id), lambda_context) == physical_id
    assert connect.calls == []


def test_delete_without_physical_id_succeeds_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    body = delete_event("")
    del body["PhysicalResourceId"]

    assert handler.delete(body, lambda_context) == ""
    assert connect.calls == []


def test_delete_not_started_id_succeeds_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    not_started = not_started_id(event("Create"))

    assert handler.delete(delete_event(not_started), lambda_context) == not_started
    assert connect.calls == []


def test_delete_pending_id_restarts_with_same_token_then_stops(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    pending = pending_id_from_failed_create(connect, lambda_context)
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": "late-stream"}, start_params(CREATE_TOKEN)
    )
    connect.stubber.add_response("stop_contact_streaming", {}, stop_params("late-stream"))

    assert handler.delete(delete_event(pending), lambda_context) == pending
    assert connect.calls == [
        "StartContactStreaming",
        "StartContactStreaming",
        "StopContactStreaming",
    ]


@pytest.mark.parametrize(("code", "status"), GONE)
def test_delete_pending_id_contact_gone_succeeds_without_stop(
    connect: StubbedConnect, lambda_context: LambdaContext, code: str, status: int
) -> None:
    pending = pending_id_from_failed_create(connect, lambda_context)
    connect.stubber.add_client_error(
        "start_contact_streaming", code, "gone", status, expected_params=start_params(CREATE_TOKEN)
    )

    assert handler.delete(delete_event(pending), lambda_context) == pending
    assert connect.calls == ["StartContactStreaming", "StartContactStreaming"]


def test_delete_pending_id_start_fails_raises_readable_reason(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    pending = pending_id_from_failed_create(connect, lambda_context)
    connect.stubber.add_client_error(
        "start_contact_streaming",
        "InternalServiceException",
        "still failing",
        500,
        expected_params=start_params(CREATE_TOKEN),
    )

    with pytest.raises(RuntimeError, match="StartContactStreaming failed: InternalService"):
        handler.delete(delete_event(pending), lambda_context)
    assert connect.calls == ["StartContactStreaming", "StartContactStreaming"]
