"""Connect hangs past the Lambda deadline: FAILED in time, and the rollback leaves no stream."""

from __future__ import annotations

from tests.standins.connect import START, STOP, Fault
from tests.standins.events import properties
from tests.standins.harness import Harness

LAMBDA_TIMEOUT_S = 1.5
CONNECT_DELAY_S = 2.0


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
