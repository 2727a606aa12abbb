"""Create: StartContactStreaming with an idempotent ClientToken, and what each outcome records."""

from __future__ import annotations

from typing import Any

import handler
import pytest
from botocore.exceptions import EndpointConnectionError
from physical_id import ID_PREFIX, parse_physical_id

from tests.handler.conftest import LambdaContext, StubbedConnect, returned_id
from tests.handler.events import (
    CONTACT_ID,
    INSTANCE_ID,
    LOGICAL_ID,
    REGION,
    REQUEST_ID,
    STACK_ID,
    STREAMING_ID,
    TOPIC_ARN,
    event,
    expected_token,
    properties,
    start_params,
)

TOKEN = expected_token(STACK_ID, LOGICAL_ID, REQUEST_ID)

# Definite refusals: code, HTTP status, a fragment of the hint the Reason must carry.
REFUSALS = [
    ("ResourceNotFoundException", 404, "InstanceId and ContactId"),
    ("InvalidRequestException", 400, "active chat contact"),
    ("InvalidParameterException", 400, "check the properties"),
    ("AccessDeniedException", 403, "provider role"),
    ("LimitExceededException", 429, "at most two SNS topics"),
    ("ThrottlingException", 429, "lower ContactStreamingProvider's quota_share"),
    ("TooManyRequestsException", 429, "lower ContactStreamingProvider's quota_share"),
]


def test_create_valid_properties_starts_with_exact_params(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(TOKEN)
    )

    physical_id = returned_id(handler.create(event("Create"), lambda_context))

    assert connect.calls == ["StartContactStreaming"]
    assert handler.helper.Data == {"StreamingId": STREAMING_ID}
    assert len(physical_id) <= 1024


def test_create_started_physical_id_records_everything_delete_needs(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(TOKEN)
    )

    stream = parse_physical_id(returned_id(handler.create(event("Create"), lambda_context)))

    assert stream is not None
    assert (stream.state, stream.region, stream.instance_id, stream.contact_id) == (
        "started",
        REGION,
        INSTANCE_ID,
        CONTACT_ID,
    )
    assert (stream.endpoint_arn, stream.streaming_id) == (TOPIC_ARN, STREAMING_ID)


def test_create_same_event_twice_sends_same_client_token(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    for _ in range(2):
        connect.stubber.add_response(
            "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(TOKEN)
        )

    first = handler.create(event("Create"), lambda_context)
    second = handler.create(event("Create"), lambda_context)

    assert connect.calls == ["StartContactStreaming", "StartContactStreaming"]
    assert first == second


def test_create_different_request_id_sends_different_client_token(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    other_request = "99999999-8888-4777-8666-555555555555"
    other_token = expected_token(STACK_ID, LOGICAL_ID, other_request)
    assert other_token != TOKEN
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(TOKEN)
    )
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": "stream-0002"}, start_params(other_token)
    )

    handler.create(event("Create"), lambda_context)
    handler.create(event("Create", request_id=other_request), lambda_context)

    assert connect.calls == ["StartContactStreaming", "StartContactStreaming"]


@pytest.mark.parametrize(("code", "status", "hint"), REFUSALS)
def test_create_connect_refuses_raises_readable_reason(
    connect: StubbedConnect, lambda_context: LambdaContext, code: str, status: int, hint: str
) -> None:
    connect.stubber.add_client_error(
        "start_contact_streaming", code, "x" * 400, status, expected_params=start_params(TOKEN)
    )

    with pytest.raises(RuntimeError) as raised:
        handler.create(event("Create"), lambda_context)

    reason = str(raised.value)
    assert reason.startswith(f"Connect StartContactStreaming failed: {code}")
    assert hint in reason
    assert len(reason) <= 256


@pytest.mark.parametrize(("code", "status", "hint"), REFUSALS)
def test_create_connect_refuses_records_not_started_id(
    connect: StubbedConnect, lambda_context: LambdaContext, code: str, status: int, hint: str
) -> None:
    connect.stubber.add_client_error(
        "start_contact_streaming", code, "refused", status, expected_params=start_params(TOKEN)
    )

    with pytest.raises(RuntimeError, match=code):
        handler.create(event("Create"), lambda_context)
    failed_id = handler.helper.PhysicalResourceId
    handler.delete(event("Delete", physical_id=failed_id), lambda_context)

    assert failed_id.startswith(ID_PREFIX)
    assert parse_physical_id(failed_id) is None
    assert connect.calls == ["StartContactStreaming"]


def test_create_connect_internal_error_records_pending_id_with_token(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_client_error(
        "start_contact_streaming",
        "InternalServiceException",
        "try later",
        500,
        expected_params=start_params(TOKEN),
    )

    with pytest.raises(RuntimeError, match="InternalServiceException") as raised:
        handler.create(event("Create"), lambda_context)
    pending = parse_physical_id(handler.helper.PhysicalResourceId)

    assert pending is not None
    assert (pending.state, pending.client_token, pending.streaming_id) == ("pending", TOKEN, "")
    assert (pending.instance_id, pending.contact_id) == (INSTANCE_ID, CONTACT_ID)
    assert len(str(raised.value)) <= 256


def test_create_connect_unreachable_records_pending_id_with_token(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    def unreachable(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://connect.us-east-1.amazonaws.com")

    # Raised before the Stubber answers, as botocore raises it once its retries find no endpoint.
    handler.connect_client(REGION).meta.events.register(
        "provide-client-params.connect", unreachable
    )

    with pytest.raises(RuntimeError, match="did not answer") as raised:
        handler.create(event("Create"), lambda_context)
    pending = parse_physical_id(handler.helper.PhysicalResourceId)

    assert connect.calls == ["StartContactStreaming"]
    assert pending is not None
    assert (pending.state, pending.client_token) == ("pending", TOKEN)
    assert "Delete will stop the stream" in str(raised.value)
    assert isinstance(raised.value.__cause__, EndpointConnectionError)
    assert len(str(raised.value)) <= 256


def test_create_instance_in_other_region_calls_that_region(
    connect: StubbedConnect, connect_eu_west_2: StubbedConnect, lambda_context: LambdaContext
) -> None:
    endpoint = "arn:aws:sns:eu-west-2:123456789012:chat-transcripts"
    connect_eu_west_2.stubber.add_response(
        "start_contact_streaming",
        {"StreamingId": STREAMING_ID},
        start_params(TOKEN, endpoint_arn=endpoint),
    )
    props = properties(Region="eu-west-2", StreamingEndpointArn=endpoint)

    stream = parse_physical_id(returned_id(handler.create(event("Create", props), lambda_context)))

    assert (connect.calls, connect_eu_west_2.calls) == ([], ["StartContactStreaming"])
    assert stream is not None
    assert (stream.region, stream.endpoint_arn) == ("eu-west-2", endpoint)


def test_create_without_region_calls_functions_own_region_and_records_it(
    connect: StubbedConnect,
    connect_eu_west_2: StubbedConnect,
    lambda_context: LambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The construct writes Region only for an instance ARN; an instance id is in the stack's
    # region, which is where the function runs (Lambda sets AWS_REGION).
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    connect_eu_west_2.stubber.add_response(
        "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(TOKEN)
    )
    props = properties()
    del props["Region"]

    stream = parse_physical_id(returned_id(handler.create(event("Create", props), lambda_context)))

    assert (connect.calls, connect_eu_west_2.calls) == ([], ["StartContactStreaming"])
    assert stream is not None
    assert stream.region == "eu-west-2"
