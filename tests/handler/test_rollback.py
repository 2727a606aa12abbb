"""Rollback after a replacement: the stack status tells a rollback from a deliberate Update."""

from __future__ import annotations

from typing import Any

import handler
import pytest
import rollback
from botocore.exceptions import EndpointConnectionError
from physical_id import Stream, parse_physical_id
from reasons import REASON_LIMIT

from tests.handler.conftest import LambdaContext, StubbedConnect, queue_status, returned_id
from tests.handler.events import (
    CONTACT_ID,
    INSTANCE_ID,
    LOGICAL_ID,
    REGION,
    STACK_ID,
    STARTED_ID,
    STREAMING_ID,
    TOPIC_ARN,
    event,
    expected_token,
    properties,
    start_params,
    stop_params,
)

OTHER_CONTACT = "ffffffff-0000-1111-2222-333333333333"
NEW_STREAMING_ID = "stream-0002"
THIRD_STREAMING_ID = "stream-0003"
ROLLBACK_REQUEST = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a"
# B: the stream a replacing Update of an earlier version started for OTHER_CONTACT; A
# (STARTED_ID) is the old one. See test_rollback_readings.py for ids of this version.
NEW_ID = Stream(
    REGION, INSTANCE_ID, OTHER_CONTACT, TOPIC_ARN, streaming_id=NEW_STREAMING_ID
).physical_id()


def back_to_old_props() -> dict[str, Any]:
    """An Update of B's id with A's properties: a rollback's, or a deliberate move back."""
    return event(
        "Update",
        properties(),
        request_id=ROLLBACK_REQUEST,
        physical_id=NEW_ID,
        old_props=properties(ContactId=OTHER_CONTACT),
    )


def test_update_during_update_rollback_id_without_previous_keeps_id_starts_nothing(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    # NEW_ID as an earlier version wrote it, without `previous`: the rollback's Update keeps it
    # (that version's behaviour), and the Delete of it stops B under readings (1) and (2).
    queue_status(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS")

    physical_id = returned_id(handler.update(back_to_old_props(), lambda_context))

    assert physical_id == NEW_ID  # the rollback's Delete of this id stops B
    assert handler.helper.Data == {"StreamingId": NEW_STREAMING_ID}
    assert connect.calls == []
    assert cloudformation.calls == ["DescribeStacks"]


def test_update_back_to_old_contact_not_rolling_back_starts_new_stream(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    queue_status(cloudformation, "UPDATE_IN_PROGRESS")
    token = expected_token(STACK_ID, LOGICAL_ID, ROLLBACK_REQUEST)
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": THIRD_STREAMING_ID}, start_params(token)
    )

    physical_id = returned_id(handler.update(back_to_old_props(), lambda_context))
    stream = parse_physical_id(physical_id)

    assert physical_id not in (NEW_ID, STARTED_ID)
    assert stream is not None
    assert (stream.contact_id, stream.streaming_id) == (CONTACT_ID, THIRD_STREAMING_ID)
    assert connect.calls == ["StartContactStreaming"]
    assert cloudformation.calls == ["DescribeStacks"]


@pytest.mark.parametrize(
    ("code", "status", "advice"),
    [
        (
            "AccessDenied",
            403,
            "the provider role needs cloudformation:DescribeStacks on this stack",
        ),
        ("ValidationError", 400, "see the provider's log"),
    ],
)
def test_update_stack_status_refused_fails_keeps_id_starts_nothing(
    connect: StubbedConnect,
    cloudformation: StubbedConnect,
    lambda_context: LambdaContext,
    code: str,
    status: int,
    advice: str,
) -> None:
    cloudformation.stubber.add_client_error(
        "describe_stacks", code, "not allowed here", status, expected_params={"StackName": STACK_ID}
    )

    with pytest.raises(rollback.StatusUnknownError) as raised:
        handler.update(back_to_old_props(), lambda_context)

    reason = str(raised.value)
    assert reason.startswith("Started nothing: cannot tell a rollback from an update")
    assert f"DescribeStacks {code}: not allowed here" in reason
    assert reason.endswith(advice)
    assert len(reason) <= REASON_LIMIT
    assert handler.helper.PhysicalResourceId == NEW_ID
    assert connect.calls == []


def test_update_stack_status_unanswered_fails_keeps_id_starts_nothing(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    def unreachable(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://cloudformation.example.invalid")

    client = handler.cloudformation_client(REGION)
    client.meta.events.register_first("before-call.cloudformation.DescribeStacks", unreachable)

    with pytest.raises(rollback.StatusUnknownError, match="did not answer after retries") as raised:
        handler.update(back_to_old_props(), lambda_context)

    assert str(raised.value).endswith("; try again")
    assert handler.helper.PhysicalResourceId == NEW_ID
    assert connect.calls == []


def test_update_long_service_message_reason_keeps_advice(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    cloudformation.stubber.add_client_error(
        "describe_stacks", "AccessDenied", "x" * 2000, 403, expected_params={"StackName": STACK_ID}
    )

    with pytest.raises(rollback.StatusUnknownError) as raised:
        handler.update(back_to_old_props(), lambda_context)

    assert len(str(raised.value)) <= REASON_LIMIT
    assert str(raised.value).endswith("cloudformation:DescribeStacks on this stack")


def test_create_and_delete_never_read_stack_status(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    token = expected_token(STACK_ID, LOGICAL_ID, ROLLBACK_REQUEST)
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(token)
    )
    connect.stubber.add_response("stop_contact_streaming", {}, stop_params())

    created = handler.create(event("Create", request_id=ROLLBACK_REQUEST), lambda_context)
    handler.delete(event("Delete", physical_id=returned_id(created)), lambda_context)

    assert connect.calls == ["StartContactStreaming", "StopContactStreaming"]
    assert cloudformation.calls == []


def client_settings(config: Any) -> tuple[object, ...]:
    """Retries and timeouts of a client's Config (botocore-stubs does not type its attributes)."""
    return (config.retries, config.connect_timeout, config.read_timeout)


def test_stack_status_client_same_config_as_connect_client() -> None:
    status_config = handler.cloudformation_client(REGION).meta.config
    connect_config = handler.connect_client(REGION).meta.config

    assert client_settings(status_config) == client_settings(connect_config)
    assert client_settings(status_config) == client_settings(handler.CLIENT_CONFIG)
    assert client_settings(status_config)[1:] == (2, 5)


def test_stack_status_client_honours_endpoint_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:9")

    client = handler.cloudformation_client(REGION)

    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert client.meta.region_name == REGION


@pytest.mark.parametrize(
    ("stack_id", "region"),
    [
        (STACK_ID, "us-east-1"),
        ("arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/S/1", "cn-north-1"),
        ("not-an-arn", "us-east-1"),  # the function's own region, the stack's
    ],
)
def test_stack_region_from_stack_arn(stack_id: str, region: str) -> None:
    assert rollback.stack_region(stack_id) == region
