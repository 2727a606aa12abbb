"""A third topic on one contact: the handler fails at once, over HTTP against the local Connect.

Connect subscribes a contact to at most two SNS topics (admin guide, "Enable real-time chat
message streaming", step 3); the local Connect answers a third with LimitExceededException (429),
which botocore's standard retry mode would retry as throttling. The handler does not.
"""

from __future__ import annotations

from standins.connect import START, Fault
from standins.events import TOPIC_ARN, properties
from standins.harness import Harness

# Far below what botocore's retries of a 429 would take (10 attempts, backoff up to 20 s each).
FAST_MS = 3000


def two_topics(life: Harness) -> list[str]:
    """Two streams of the contact, each to its own topic, started by the handler: their ids."""
    ids = []
    for topic in (TOPIC_ARN, f"{TOPIC_ARN}-second"):
        outcome = life.send("Create", properties(StreamingEndpointArn=topic))
        assert outcome.body["Status"] == "SUCCESS", outcome.body["Reason"]
        ids.append(str(outcome.body["PhysicalResourceId"]))
    return ids


def test_create_third_topic_on_contact_fails_at_once_naming_the_limit(life: Harness) -> None:
    two_topics(life)

    third = life.send("Create", properties(StreamingEndpointArn=f"{TOPIC_ARN}-third"))

    assert third.body["Status"] == "FAILED"
    reason = str(third.body["Reason"])
    assert "LimitExceededException" in reason
    assert "at most two SNS topics" in reason
    assert "stop another stream of this contact" in reason
    assert "quota_share" not in reason
    assert [call.status for call in life.connect.calls_of(START)] == [200, 200, 429]
    assert third.elapsed_ms < FAST_MS
    assert len(life.connect.active_streams()) == 2


def test_update_moving_to_third_topic_fails_at_once_and_keeps_old_id(life: Harness) -> None:
    first = life.send("Create", properties())
    second = life.send("Create", properties(StreamingEndpointArn=f"{TOPIC_ARN}-second"))
    assert first.body["Status"] == second.body["Status"] == "SUCCESS"
    old_id = first.body["PhysicalResourceId"]

    # A replacing Update starts the new stream before the old one's Delete: three for a moment.
    updated = life.send(
        "Update",
        properties(StreamingEndpointArn=f"{TOPIC_ARN}-third"),
        old_props=properties(),
        physical_id=old_id,
    )

    assert updated.body["Status"] == "FAILED"
    assert "at most two SNS topics" in str(updated.body["Reason"])
    assert updated.body["PhysicalResourceId"] == old_id
    assert [call.status for call in life.connect.calls_of(START)] == [200, 200, 429]
    assert updated.elapsed_ms < FAST_MS
    assert len(life.connect.active_streams()) == 2


def test_create_after_a_stop_frees_a_place_succeeds(life: Harness) -> None:
    first, _ = two_topics(life)
    stopped = life.send("Delete", properties(), physical_id=first)
    assert stopped.body["Status"] == "SUCCESS", stopped.body["Reason"]

    third = life.send("Create", properties(StreamingEndpointArn=f"{TOPIC_ARN}-third"))

    assert third.body["Status"] == "SUCCESS", third.body["Reason"]


def test_create_throttled_keeps_its_retries_and_succeeds(life: Harness) -> None:
    life.connect.script(START, *[Fault("error", "ThrottlingException")] * 3)

    outcome = life.send("Create", properties())

    assert outcome.body["Status"] == "SUCCESS", outcome.body["Reason"]
    assert [call.status for call in life.connect.calls_of(START)] == [429, 429, 429, 200]
