"""PhysicalResourceIds fit CloudFormation's 1 KB and give back exactly what they record."""

from __future__ import annotations

import handler
import pytest
from physical_id import Stream, parse_physical_id

from tests.handler.conftest import LambdaContext, StubbedConnect, returned_id
from tests.handler.events import (
    LOGICAL_ID,
    REGION,
    REQUEST_ID,
    STACK_ID,
    event,
    expected_token,
    properties,
    start_params,
)

TOKEN = expected_token(STACK_ID, LOGICAL_ID, REQUEST_ID)
MAX_INSTANCE_ID = "i" * 100
MAX_CONTACT_ID = "c" * 256
# 350 characters: a long partition name leaves room for the longest topic name (256).
MAX_TOPIC_ARN = f"arn:aws-{'p' * 58}:sns:{REGION}:123456789012:{'t' * 256}"
MAX_STREAMING_ID = "s" * 100
MAX_PROPS = properties(
    InstanceId=MAX_INSTANCE_ID, ContactId=MAX_CONTACT_ID, StreamingEndpointArn=MAX_TOPIC_ARN
)
MAX_START = start_params(
    TOKEN, instance_id=MAX_INSTANCE_ID, contact_id=MAX_CONTACT_ID, endpoint_arn=MAX_TOPIC_ARN
)


def test_physical_id_max_length_inputs_fixture_has_model_maximums() -> None:
    assert (len(MAX_INSTANCE_ID), len(MAX_CONTACT_ID), len(MAX_TOPIC_ARN)) == (100, 256, 350)


def test_physical_id_max_length_started_fits_and_round_trips(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": MAX_STREAMING_ID}, MAX_START
    )

    physical_id = returned_id(handler.create(event("Create", MAX_PROPS), lambda_context))
    stream = parse_physical_id(physical_id)

    assert len(physical_id.encode()) <= 1024
    assert stream == Stream(
        REGION, MAX_INSTANCE_ID, MAX_CONTACT_ID, MAX_TOPIC_ARN, streaming_id=MAX_STREAMING_ID
    )


def test_physical_id_max_length_pending_fits_and_round_trips(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_client_error(
        "start_contact_streaming", "InternalServiceException", "", 500, expected_params=MAX_START
    )

    with pytest.raises(RuntimeError, match="InternalServiceException"):
        handler.create(event("Create", MAX_PROPS), lambda_context)
    physical_id = handler.helper.PhysicalResourceId

    assert len(physical_id.encode()) <= 1024
    assert parse_physical_id(physical_id) == Stream(
        REGION, MAX_INSTANCE_ID, MAX_CONTACT_ID, MAX_TOPIC_ARN, state="pending", client_token=TOKEN
    )


def test_physical_id_escaping_exceeds_limit_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    props = properties(InstanceId=MAX_INSTANCE_ID, ContactId="/&" * 128)

    with pytest.raises(handler.InvalidPropertyError, match="too long to record"):
        handler.create(event("Create", props), lambda_context)

    assert parse_physical_id(handler.helper.PhysicalResourceId) is None
    assert connect.calls == []


@pytest.mark.parametrize(
    "awkward",
    ["a&b=c", "100% sure", "plus+sign space", "ünïcode/ключ", "contact-streaming:state=none"],
)
def test_physical_id_awkward_characters_round_trip(awkward: str) -> None:
    stream = Stream(REGION, awkward, awkward, awkward, streaming_id=awkward)

    assert parse_physical_id(stream.physical_id()) == stream
