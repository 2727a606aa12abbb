"""Update: keep the stream when nothing that matters changed, else a new stream and a new id."""

from __future__ import annotations

import pytest

from standins.aws import REGION
from standins.connect import ACTIVE, START, STOP, STOPPED, Fault
from standins.events import CONTACT_ID, INSTANCE_ID, properties
from standins.harness import Harness

OTHER_INSTANCE = "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f"
OTHER_CONTACT = "7c6b5a49-3827-4160-9f5e-4d3c2b1a0f9e"
OTHER_TOPIC = f"arn:aws:sns:{REGION}:123456789012:OtherStreamingTopic"


def test_update_nothing_relevant_changed_same_id_no_call(life: Harness) -> None:
    old = properties()
    created = life.send("Create", old)
    calls_before = len(life.connect.calls)

    updated = life.send(
        "Update",
        properties(ServiceTimeout="600"),
        old_props=old,
        physical_id=created.body["PhysicalResourceId"],
    )

    assert updated.body["Status"] == "SUCCESS", updated.body["Reason"]
    assert updated.body["PhysicalResourceId"] == created.body["PhysicalResourceId"]
    assert updated.body["Data"] == created.body["Data"]
    assert len(life.connect.calls) == calls_before
    assert len(life.connect.active_streams()) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"ContactId": OTHER_CONTACT},
        {"InstanceId": OTHER_INSTANCE},
        {"StreamingEndpointArn": OTHER_TOPIC},
    ],
    ids=["contact", "instance", "endpoint"],
)
def test_update_target_changed_new_stream_then_cleanup_delete_stops_old(
    life: Harness, change: dict[str, str]
) -> None:
    life.connect.add_contact(INSTANCE_ID, OTHER_CONTACT, ACTIVE)
    life.connect.add_contact(OTHER_INSTANCE, CONTACT_ID, ACTIVE)
    old, new = properties(), properties(**change)
    created = life.send("Create", old)
    old_id = created.body["PhysicalResourceId"]

    updated = life.send("Update", new, old_props=old, physical_id=old_id)

    assert updated.body["Status"] == "SUCCESS", updated.body["Reason"]
    assert updated.body["PhysicalResourceId"] != old_id
    new_streaming_id = updated.body["Data"]["StreamingId"]
    assert new_streaming_id != created.body["Data"]["StreamingId"]
    assert len(life.connect.active_streams()) == 2
    # CloudFormation's cleanup Delete names the old id but carries the new properties.
    cleanup = life.send("Delete", new, physical_id=old_id)

    assert cleanup.body["Status"] == "SUCCESS", cleanup.body["Reason"]
    assert cleanup.body["PhysicalResourceId"] == old_id
    streams = life.connect.streams
    assert streams[created.body["Data"]["StreamingId"]].state == STOPPED
    (remaining,) = life.connect.active_streams()
    assert remaining.streaming_id == new_streaming_id
    target = {
        "InstanceId": remaining.instance_id,
        "ContactId": remaining.contact_id,
        "StreamingEndpointArn": remaining.endpoint_arn,
    }
    assert target == {k: v for k, v in new.items() if k in target}
    assert [c.status for c in life.connect.calls_of(START)] == [200, 200]
    assert [c.status for c in life.connect.calls_of(STOP)] == [200]


def test_update_start_unanswered_failed_keeps_old_id_and_leaves_only_old_stream(
    life: Harness,
) -> None:
    # Connect starts the new stream but every answer is lost. CloudFormation adopts a FAILED
    # Update's id, so the handler answers with the old id and stops the new stream itself.
    life.connect.add_contact(INSTANCE_ID, OTHER_CONTACT, ACTIVE)
    old, new = properties(), properties(ContactId=OTHER_CONTACT)
    created = life.send("Create", old)
    attempts = life.handler.connect_client(REGION).meta.config.retries["total_max_attempts"]
    life.connect.script(START, *[Fault("drop", after_effect=True)] * attempts)

    updated = life.send(
        "Update", new, old_props=old, physical_id=created.body["PhysicalResourceId"]
    )

    assert updated.body["Status"] == "FAILED"
    assert "did not answer" in updated.body["Reason"]
    assert updated.body["PhysicalResourceId"] == created.body["PhysicalResourceId"]
    (remaining,) = life.connect.active_streams()
    assert remaining.streaming_id == created.body["Data"]["StreamingId"]
    tokens = {call.client_token for call in life.connect.calls_of(START)[1:]}
    assert len(tokens) == 1
    assert [c.status for c in life.connect.calls_of(STOP)] == [200]
