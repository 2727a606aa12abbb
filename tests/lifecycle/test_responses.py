"""What reaches CloudFormation: once, in time, and small enough to be read."""

from __future__ import annotations

from standins.aws import REGION
from standins.connect import START
from standins.events import properties
from standins.harness import Harness
from standins.response_endpoint import CFN_BODY_LIMIT, PHYSICAL_ID_LIMIT


def test_response_first_connection_dropped_answer_arrives_once(life: Harness) -> None:
    life.cfn.reset(drop_first=1)

    outcome = life.send("Create", properties())

    assert len(life.cfn.dropped) == 1
    assert len(life.cfn.received()) == 1
    assert outcome.body["Status"] == "SUCCESS", outcome.body["Reason"]
    assert outcome.body == life.cfn.dropped[0].body
    assert len(life.connect.calls_of(START)) == 1
    assert len(life.connect.active_streams()) == 1


def test_response_longest_recordable_properties_body_under_limits(life: Harness) -> None:
    # The longest ContactId whose id fits beside these with any ASCII StreamingId of 100.
    instance, contact = "i" * 100, "c" * 235
    topic = f"arn:aws:sns:{REGION}:123456789012:{'t' * 256}"
    life.connect.add_contact(instance, contact)

    created = life.send(
        "Create", properties(InstanceId=instance, ContactId=contact, StreamingEndpointArn=topic)
    )

    assert created.body["Status"] == "SUCCESS", created.body["Reason"]
    assert created.response.size < CFN_BODY_LIMIT
    assert len(created.body["PhysicalResourceId"].encode()) <= PHYSICAL_ID_LIMIT


def test_response_ids_that_cannot_be_recorded_failed_without_call(life: Harness) -> None:
    instance, contact = "/" * 100, "é" * 256

    created = life.send("Create", properties(InstanceId=instance, ContactId=contact))

    assert created.body["Status"] == "FAILED"
    assert "too long to record" in created.body["Reason"]
    assert created.response.size < CFN_BODY_LIMIT
    assert len(created.body["PhysicalResourceId"].encode()) <= PHYSICAL_ID_LIMIT
    assert life.connect.calls == []


def test_response_oversized_values_reason_short_body_under_limit(life: Harness) -> None:
    created = life.send("Create", properties(ContactId="x" * 100_000))

    assert created.body["Status"] == "FAILED"
    assert "ContactId" in created.body["Reason"]
    assert "100000 characters" in created.body["Reason"]
    assert created.response.size < CFN_BODY_LIMIT
