"""Create that cannot succeed: FAILED at once, a Reason naming the cause, and no stream."""

from __future__ import annotations

import pytest

from standins.aws import LAMBDA_TIMEOUT_S, REGION
from standins.connect import START, STOP, Fault
from standins.events import CONTACT_ID, INSTANCE_ID, properties
from standins.harness import Harness

TOO_LONG = {"InstanceId": 101, "ContactId": 257, "StreamingEndpointArn": 351}


def assert_failed_without_stream(life: Harness, body: dict[str, object], *causes: str) -> None:
    assert body["Status"] == "FAILED"
    reason = str(body["Reason"])
    for cause in causes:
        assert cause in reason, reason
    assert life.connect.active_streams() == []


def test_create_unknown_contact_failed_names_resource_not_found(life: Harness) -> None:
    outcome = life.send("Create", properties(ContactId="00000000-0000-4000-8000-000000000000"))

    assert_failed_without_stream(life, outcome.body, "ResourceNotFoundException", "ContactId")
    assert len(life.connect.calls_of(START)) == 1


def test_create_ended_contact_failed_names_inactive_contact(life: Harness) -> None:
    life.connect.end_contact(INSTANCE_ID, CONTACT_ID)

    outcome = life.send("Create", properties())

    assert_failed_without_stream(life, outcome.body, "InvalidRequestException", "active")


def test_create_access_denied_failed_names_the_role(life: Harness) -> None:
    life.connect.script(START, Fault("error", "AccessDeniedException"))

    outcome = life.send("Create", properties())

    assert_failed_without_stream(life, outcome.body, "AccessDeniedException", "role")
    assert [call.status for call in life.connect.calls_of(START)] == [403]


def test_create_fifo_endpoint_failed_without_connect_call(life: Harness) -> None:
    fifo = f"arn:aws:sns:{REGION}:123456789012:Streaming.fifo"

    outcome = life.send("Create", properties(StreamingEndpointArn=fifo))

    assert_failed_without_stream(life, outcome.body, "StreamingEndpointArn", "FIFO")
    assert life.connect.calls == []


BAD_PROPERTIES = [
    (name, kind)
    for name in ("InstanceId", "ContactId", "StreamingEndpointArn", "Region")
    for kind in ("missing", "blank", "oversized")
    # A missing Region means the function's own region (see test_create.py).
    if (name, kind) != ("Region", "missing")
]


@pytest.mark.parametrize(("name", "kind"), BAD_PROPERTIES)
def test_create_bad_property_failed_without_connect_call(
    life: Harness, name: str, kind: str
) -> None:
    value = {"missing": None, "blank": "   ", "oversized": "a" * TOO_LONG.get(name, 40)}[kind]

    outcome = life.send("Create", properties(**{name: value}))

    assert_failed_without_stream(life, outcome.body, name)
    assert life.connect.calls == []
    assert len(str(outcome.body["Reason"])) <= 256


def test_create_500s_past_retries_failed_pending_id_and_delete_leaves_nothing(
    life: Harness,
) -> None:
    attempts = life.handler.connect_client(REGION).meta.config.retries["total_max_attempts"]
    life.connect.script(START, *[Fault("error", "InternalServiceException")] * attempts)

    # The function's whole timeout: botocore's random backoffs, not the Clock, end the attempts.
    created = life.send("Create", properties(), timeout_s=LAMBDA_TIMEOUT_S)

    assert_failed_without_stream(life, created.body, "InternalServiceException")
    assert "state=pending" in str(created.body["PhysicalResourceId"])
    assert len(life.connect.calls_of(START)) == attempts
    deleted = life.send("Delete", properties(), physical_id=str(created.body["PhysicalResourceId"]))
    assert deleted.body["Status"] == "SUCCESS", deleted.body["Reason"]
    assert life.connect.active_streams() == []
    assert [call.status for call in life.connect.calls_of(STOP)] == [200]
