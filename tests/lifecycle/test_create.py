"""Create: one stream per resource, however often CloudFormation or the network repeats itself."""

from __future__ import annotations

import uuid

from standins.aws import REGION
from standins.connect import START, Fault
from standins.events import CONTACT_ID, INSTANCE_ID, TOPIC_ARN, properties
from standins.harness import Harness


def test_create_active_contact_starts_one_stream_and_answers_its_id(life: Harness) -> None:
    outcome = life.send("Create", properties())

    assert outcome.body["Status"] == "SUCCESS", outcome.body["Reason"]
    (stream,) = life.connect.active_streams()
    assert (stream.instance_id, stream.contact_id, stream.endpoint_arn) == (
        INSTANCE_ID,
        CONTACT_ID,
        TOPIC_ARN,
    )
    assert outcome.body["Data"] == {"StreamingId": stream.streaming_id}
    assert stream.streaming_id in outcome.body["PhysicalResourceId"]
    assert len(outcome.responses) == 1
    assert life.connect.rejected_signatures == []


def test_create_same_request_delivered_twice_one_stream_same_id(life: Harness) -> None:
    request_id = str(uuid.uuid4())

    first = life.send("Create", properties(), request_id=request_id)
    second = life.send("Create", properties(), request_id=request_id)

    assert first.body["Status"] == second.body["Status"] == "SUCCESS"
    assert len(life.connect.calls_of(START)) == 2
    (stream,) = life.connect.active_streams()
    assert first.body["Data"]["StreamingId"] == second.body["Data"]["StreamingId"]
    assert first.body["Data"]["StreamingId"] == stream.streaming_id
    assert first.body["PhysicalResourceId"] == second.body["PhysicalResourceId"]


def test_create_throttled_and_500s_then_success_one_stream(life: Harness) -> None:
    life.connect.script(
        START,
        Fault("error", "ThrottlingException"),
        Fault("error", "InternalServiceException"),
        Fault("error", "ThrottlingException"),
        Fault("error", "InternalServiceException"),
    )

    outcome = life.send("Create", properties())

    assert outcome.body["Status"] == "SUCCESS", outcome.body["Reason"]
    statuses = [call.status for call in life.connect.calls_of(START)]
    assert statuses == [429, 500, 429, 500, 200]
    assert len({call.client_token for call in life.connect.calls_of(START)}) == 1
    (stream,) = life.connect.active_streams()
    assert outcome.body["Data"]["StreamingId"] == stream.streaming_id


def test_create_connection_dropped_after_start_retry_finds_same_stream(life: Harness) -> None:
    life.connect.script(START, Fault("drop", after_effect=True))

    outcome = life.send("Create", properties())

    assert outcome.body["Status"] == "SUCCESS", outcome.body["Reason"]
    assert [call.error for call in life.connect.calls_of(START)] == ["dropped", ""]
    (stream,) = life.connect.active_streams()
    assert outcome.body["Data"]["StreamingId"] == stream.streaming_id


def test_create_without_region_property_calls_and_records_functions_region(
    life: Harness,
) -> None:
    # The construct writes no Region for an instance id: the function's own region is meant.
    outcome = life.send("Create", properties(Region=None))

    assert outcome.body["Status"] == "SUCCESS", outcome.body["Reason"]
    assert len(life.connect.active_streams()) == 1
    assert life.connect.rejected_signatures == []
    assert f"region={REGION}" in str(outcome.body["PhysicalResourceId"])
