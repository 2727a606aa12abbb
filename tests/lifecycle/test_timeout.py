"""Connect hangs past the Lambda deadline: FAILED in time, and the rollback leaves no stream."""

from __future__ import annotations

from standins.connect import ACTIVE, START, STOP, Fault
from standins.events import INSTANCE_ID, properties
from standins.harness import Harness

# crhelper answers FAILED at its timer, 0.5 s before the deadline, with the id the handler has set
# by then: the handler must reach its call to Connect (and the pending id) first. With 1.5 s, once
# under make test's load, it had not (the answer named no stream); test_json_logs.py's hanging
# Connect had been given 3 s for the same reason.
LAMBDA_TIMEOUT_S = 3.0
CONNECT_DELAY_S = 4.0
# The clock stops Connect calls a quarter of this before the end: 6 s of throttled attempts.
THROTTLED_TIMEOUT_S = 8.0
OTHER_CONTACT = "7c6b5a49-3827-4160-9f5e-4d3c2b1a0f9e"


def test_create_connect_hangs_failed_before_deadline_then_rollback_stops_late_stream(
    life: Harness,
) -> None:
    life.connect.script(START, Fault("delay", seconds=CONNECT_DELAY_S))

    created = life.send("Create", properties(), timeout_s=LAMBDA_TIMEOUT_S)

    # What CloudFormation reads is the first answer; on AWS the sandbox stops at the deadline.
    first = created.response
    assert first.body["Status"] == "FAILED"
    assert first.at < created.context.deadline
    physical_id = str(first.body["PhysicalResourceId"])
    assert "state=pending" in physical_id
    # Connect completed the start after the answer: a stream CloudFormation was not told about.
    (late,) = life.connect.active_streams()

    rollback = life.send("Delete", properties(), physical_id=physical_id)

    assert rollback.body["Status"] == "SUCCESS", rollback.body["Reason"]
    assert life.connect.active_streams() == []
    starts = life.connect.calls_of(START)
    assert [c.client_token for c in starts] == [late.client_token] * 2
    (stop,) = life.connect.calls_of(STOP)
    assert stop.body["StreamingId"] == late.streaming_id
    assert stop.status == 200


def test_update_throttled_past_connect_deadline_failed_in_time_keeps_old_id(
    life: Harness,
) -> None:
    # The handler's clock, not crhelper's timer, ends the Update: its own FAILED answer comes
    # before the timer's (0.5 s before the deadline) and keeps the old stream as the resource.
    created = life.send("Create", properties())
    old_id = created.body["PhysicalResourceId"]
    life.connect.add_contact(INSTANCE_ID, OTHER_CONTACT, ACTIVE)
    life.connect.script(START, *[Fault("error", "ThrottlingException")] * 60)

    updated = life.send(
        "Update",
        properties(ContactId=OTHER_CONTACT),
        old_props=properties(),
        physical_id=old_id,
        timeout_s=THROTTLED_TIMEOUT_S,
    )

    first = updated.response
    assert first.body["Status"] == "FAILED"
    assert "before the Lambda deadline" in str(first.body["Reason"])
    assert first.at < updated.context.deadline - 0.5
    assert first.body["PhysicalResourceId"] == old_id
    (running,) = life.connect.active_streams()
    assert running.streaming_id == created.body["Data"]["StreamingId"]
    assert all(call.status == 429 for call in life.connect.calls_of(START)[1:])
