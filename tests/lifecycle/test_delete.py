"""Delete: always SUCCESS, stopping what the PhysicalResourceId records (and nothing else)."""

from __future__ import annotations

from standins.aws import LAMBDA_TIMEOUT_S
from standins.connect import STOP, STOPPED
from standins.events import CONTACT_ID, INSTANCE_ID, properties
from standins.harness import Harness


def test_delete_started_stream_stops_it(life: Harness) -> None:
    created = life.send("Create", properties())
    streaming_id = created.body["Data"]["StreamingId"]

    # The real timeout: crhelper waits sleep_on_delete (2 s) for log delivery first.
    deleted = life.send(
        "Delete",
        properties(),
        physical_id=created.body["PhysicalResourceId"],
        timeout_s=LAMBDA_TIMEOUT_S,
    )

    assert deleted.body["Status"] == "SUCCESS", deleted.body["Reason"]
    assert deleted.body["PhysicalResourceId"] == created.body["PhysicalResourceId"]
    assert life.connect.streams[streaming_id].state == STOPPED
    assert life.connect.active_streams() == []
    (stop,) = life.connect.calls_of(STOP)
    assert stop.body == {
        "InstanceId": INSTANCE_ID,
        "ContactId": CONTACT_ID,
        "StreamingId": streaming_id,
    }
    assert deleted.elapsed_ms < 10_000


def test_delete_again_already_stopped_success(life: Harness) -> None:
    created = life.send("Create", properties())
    physical_id = created.body["PhysicalResourceId"]
    life.send("Delete", properties(), physical_id=physical_id)

    again = life.send("Delete", properties(), physical_id=physical_id)

    assert again.body["Status"] == "SUCCESS", again.body["Reason"]
    assert [c.error for c in life.connect.calls_of(STOP)] == ["", "ResourceNotFoundException"]
    assert life.connect.active_streams() == []


def test_delete_after_failed_create_success_without_call(life: Harness) -> None:
    created = life.send("Create", properties(ContactId=""))
    assert created.body["Status"] == "FAILED"

    deleted = life.send(
        "Delete", properties(ContactId=""), physical_id=created.body["PhysicalResourceId"]
    )

    assert deleted.body["Status"] == "SUCCESS", deleted.body["Reason"]
    assert life.connect.calls == []


def test_delete_after_contact_ended_success(life: Harness) -> None:
    created = life.send("Create", properties())
    life.connect.end_contact(INSTANCE_ID, CONTACT_ID)

    deleted = life.send("Delete", properties(), physical_id=created.body["PhysicalResourceId"])

    assert deleted.body["Status"] == "SUCCESS", deleted.body["Reason"]
    assert [c.error for c in life.connect.calls_of(STOP)] == ["InvalidRequestException"]
    assert life.connect.active_streams() == []


def test_delete_foreign_physical_id_success_without_call(life: Harness) -> None:
    deleted = life.send(
        "Delete", properties(), physical_id="ContactStreamingStack_Streaming_AB12CD34"
    )

    assert deleted.body["Status"] == "SUCCESS", deleted.body["Reason"]
    assert life.connect.calls == []
