"""Properties Connect would refuse are refused before any call, naming the property and value."""

from __future__ import annotations

from typing import Any

import handler
import pytest
from physical_id import Stream

from tests.handler.conftest import LambdaContext, StubbedConnect
from tests.handler.events import event, properties

MISSING = object()
LONG_VALUES = {"InstanceId": 101, "ContactId": 257, "StreamingEndpointArn": 351}
LIMITS = {"InstanceId": "1-100", "ContactId": "1-256", "StreamingEndpointArn": "1-350"}


def create_with(name: str, value: Any, lambda_context: LambdaContext) -> str:
    """Run Create with property `name` set to `value` (or removed); return the error message."""
    props = properties(**{name: value})
    if value is MISSING:
        del props[name]
    with pytest.raises(handler.InvalidPropertyError) as raised:
        handler.create(event("Create", props), lambda_context)
    return str(raised.value)


@pytest.mark.parametrize("name", ["InstanceId", "ContactId", "StreamingEndpointArn"])
def test_create_missing_property_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext, name: str
) -> None:
    message = create_with(name, MISSING, lambda_context)

    assert message.startswith(f"{name} is required")
    assert "got None" in message
    assert connect.calls == []


@pytest.mark.parametrize("name", ["InstanceId", "ContactId", "StreamingEndpointArn"])
def test_create_blank_property_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext, name: str
) -> None:
    message = create_with(name, "  ", lambda_context)

    assert message.startswith(f"{name} is required and must be a non-blank string")
    assert "got '  '" in message
    assert connect.calls == []


@pytest.mark.parametrize("name", ["InstanceId", "ContactId", "StreamingEndpointArn"])
def test_create_oversized_property_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext, name: str
) -> None:
    length = LONG_VALUES[name]
    value = "arn:aws:sns:us-east-1:123456789012:" if name == "StreamingEndpointArn" else ""
    value += "a" * (length - len(value))

    message = create_with(name, value, lambda_context)

    assert message.startswith(f"{name} must be {LIMITS[name]} characters")
    shown = repr(value) if length <= 120 else f"{value[:60]!r}… ({length} characters)"
    assert message.endswith(f"got {shown}")
    assert connect.calls == []


@pytest.mark.parametrize("name", ["InstanceId", "ContactId", "StreamingEndpointArn", "Region"])
@pytest.mark.parametrize("value", [" " * 1000, ["i-1"] * 500], ids=["blank", "list"])
def test_create_huge_bad_property_reason_stays_short_and_named(
    connect: StubbedConnect, lambda_context: LambdaContext, name: str, value: Any
) -> None:
    message = create_with(name, value, lambda_context)

    assert message.startswith(name)
    assert len(message) <= 256
    assert connect.calls == []


@pytest.mark.parametrize("region", ["", "US-EAST-1", "useast1", "us-east-1; rm", None])
def test_create_bad_region_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext, region: str | None
) -> None:
    message = create_with("Region", region, lambda_context)

    assert message.startswith("Region must be an AWS region such as 'us-east-1'")
    assert f"got {region!r}" in message
    assert connect.calls == []


def test_create_fifo_endpoint_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    fifo = "arn:aws:sns:us-east-1:123456789012:chat.fifo"

    message = create_with("StreamingEndpointArn", fifo, lambda_context)

    assert message.startswith(f"StreamingEndpointArn {fifo!r} is a FIFO topic")
    assert "standard topics" in message
    assert connect.calls == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sqs:us-east-1:123456789012:queue",
        "arn:aws:sns:us-east-1:123456789012:topic:3f1c-subscription",
        "chat-transcripts",
    ],
)
def test_create_non_sns_endpoint_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext, arn: str
) -> None:
    message = create_with("StreamingEndpointArn", arn, lambda_context)

    assert message.startswith("StreamingEndpointArn must be an SNS topic ARN")
    assert message.endswith(f"got {arn!r}")
    assert connect.calls == []


def test_update_invalid_new_properties_keeps_old_id_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    old_id = Stream(
        "us-east-1", "i-1", "c-1", "arn:aws:sns:us-east-1:123456789012:t", streaming_id="s-1"
    ).physical_id()
    update = event("Update", properties(ContactId=""), physical_id=old_id, old_props=properties())

    with pytest.raises(handler.InvalidPropertyError, match="ContactId"):
        handler.update(update, lambda_context)

    assert handler.helper.PhysicalResourceId == old_id
    assert connect.calls == []
