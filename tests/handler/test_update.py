"""Update: keep a stream whose target is unchanged, start a new one when the target moves."""

from __future__ import annotations

from typing import Any

import handler
import pytest
from physical_id import parse_physical_id

from tests.handler.conftest import LambdaContext, StubbedConnect, queue_status, returned_id
from tests.handler.events import (
    LOGICAL_ID,
    STACK_ID,
    STARTED_ID,
    STREAMING_ID,
    event,
    expected_token,
    properties,
    start_params,
    stop_params,
)

UPDATE_REQUEST = "7c6b5a49-3827-4160-9f8e-7d6c5b4a3928"
TOKEN = expected_token(STACK_ID, LOGICAL_ID, UPDATE_REQUEST)
OLD_ID = STARTED_ID
NEW_STREAMING_ID = "stream-0002"
CHANGES: dict[str, dict[str, Any]] = {
    "contact": {"ContactId": "ffffffff-0000-1111-2222-333333333333"},
    "instance": {"InstanceId": "99999999-8888-7777-6666-555555555555"},
    "endpoint": {"StreamingEndpointArn": "arn:aws:sns:us-east-1:123456789012:other-topic"},
}


@pytest.fixture
def deliberate(cloudformation: StubbedConnect) -> StubbedConnect:
    """The stack is UPDATE_IN_PROGRESS: an Update that changes the target starts a stream."""
    queue_status(cloudformation, "UPDATE_IN_PROGRESS")
    return cloudformation


def update_event(new_props: dict[str, Any]) -> dict[str, Any]:
    """An Update from the properties of OLD_ID to `new_props`."""
    return event(
        "Update",
        new_props,
        request_id=UPDATE_REQUEST,
        physical_id=OLD_ID,
        old_props=properties(),
    )


def changed_start_params(change: dict[str, Any]) -> dict[str, Any]:
    """StartContactStreaming parameters for the changed properties."""
    props = properties(**change)
    return start_params(
        TOKEN,
        instance_id=props["InstanceId"],
        contact_id=props["ContactId"],
        endpoint_arn=props["StreamingEndpointArn"],
    )


def test_update_nothing_relevant_changed_keeps_id_without_call(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    new_props = properties(ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:Other")

    physical_id = returned_id(handler.update(update_event(new_props), lambda_context))

    assert physical_id == OLD_ID
    assert handler.helper.Data == {"StreamingId": STREAMING_ID}
    assert connect.calls == []
    assert cloudformation.calls == []


@pytest.mark.parametrize("changed", sorted(CHANGES))
def test_update_target_changed_starts_new_stream_with_new_id(
    connect: StubbedConnect, lambda_context: LambdaContext, deliberate: StubbedConnect, changed: str
) -> None:
    change = CHANGES[changed]
    connect.stubber.add_response(
        "start_contact_streaming",
        {"StreamingId": NEW_STREAMING_ID},
        changed_start_params(change),
    )

    physical_id = returned_id(handler.update(update_event(properties(**change)), lambda_context))
    stream = parse_physical_id(physical_id)

    assert physical_id != OLD_ID
    assert connect.calls == ["StartContactStreaming"]
    assert stream is not None
    assert stream.streaming_id == NEW_STREAMING_ID
    wanted = properties(**change)
    assert (stream.instance_id, stream.contact_id, stream.endpoint_arn) == (
        wanted["InstanceId"],
        wanted["ContactId"],
        wanted["StreamingEndpointArn"],
    )
    assert handler.helper.Data == {"StreamingId": NEW_STREAMING_ID}


@pytest.mark.parametrize(
    ("code", "status"),
    [("ResourceNotFoundException", 404), ("InvalidRequestException", 400)],
)
def test_update_start_refused_keeps_old_id(
    connect: StubbedConnect,
    lambda_context: LambdaContext,
    deliberate: StubbedConnect,
    code: str,
    status: int,
) -> None:
    change = CHANGES["contact"]
    connect.stubber.add_client_error(
        "start_contact_streaming",
        code,
        "no such contact",
        status,
        expected_params=changed_start_params(change),
    )

    with pytest.raises(RuntimeError, match=f"StartContactStreaming failed: {code}"):
        handler.update(update_event(properties(**change)), lambda_context)

    assert handler.helper.PhysicalResourceId == OLD_ID
    assert connect.calls == ["StartContactStreaming"]


def queue_internal_error(connect: StubbedConnect, change: dict[str, Any]) -> None:
    """Connect answers the Update's StartContactStreaming with a 500 (outcome unknown)."""
    connect.stubber.add_client_error(
        "start_contact_streaming",
        "InternalServiceException",
        "try later",
        500,
        expected_params=changed_start_params(change),
    )


def test_update_start_internal_error_keeps_old_id_and_stops_late_stream(
    connect: StubbedConnect, lambda_context: LambdaContext, deliberate: StubbedConnect
) -> None:
    # CloudFormation adopts a FAILED Update's id: answering anything but the old id would lose
    # the old stream. The new stream, if Connect started it, is found by its token and stopped.
    change = CHANGES["contact"]
    queue_internal_error(connect, change)
    connect.stubber.add_response(
        "start_contact_streaming",
        {"StreamingId": NEW_STREAMING_ID},
        changed_start_params(change),
    )
    connect.stubber.add_response(
        "stop_contact_streaming",
        {},
        stop_params(NEW_STREAMING_ID, contact_id=change["ContactId"]),
    )

    with pytest.raises(RuntimeError, match="InternalServiceException"):
        handler.update(update_event(properties(**change)), lambda_context)

    assert handler.helper.PhysicalResourceId == OLD_ID
    assert connect.calls == [
        "StartContactStreaming",
        "StartContactStreaming",
        "StopContactStreaming",
    ]


def test_update_start_internal_error_unsettled_keeps_old_id_and_logs_request_id_not_token(
    connect: StubbedConnect,
    lambda_context: LambdaContext,
    deliberate: StubbedConnect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    change = CHANGES["contact"]
    queue_internal_error(connect, change)
    queue_internal_error(connect, change)

    with pytest.raises(RuntimeError, match="InternalServiceException"):
        handler.update(update_event(properties(**change)), lambda_context)

    assert handler.helper.PhysicalResourceId == OLD_ID
    assert connect.calls == ["StartContactStreaming", "StartContactStreaming"]
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(logged) == 1
    message = logged[0].getMessage()
    # The operator rebuilds the token from the RequestId; the token itself is never logged.
    assert TOKEN not in message
    assert UPDATE_REQUEST in message
    assert expected_token(STACK_ID, LOGICAL_ID, UPDATE_REQUEST) == TOKEN
    assert change["ContactId"] in message
