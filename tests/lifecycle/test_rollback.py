"""Rollback after a replacement, under each reading of CloudFormation, over real HTTP.

A stack update moves the stream from contact X (A) to contact Y (B, a new PhysicalResourceId),
then fails elsewhere and rolls back. How CloudFormation rolls back a replaced custom resource is
undocumented; `roll_back` plays each reading: (1) delete-alone, the cleanup Delete of B; (2)
update-then-delete, an Update of B with X's properties, then that Delete, A recorded again; (3)
answer-recorded, that Update, whose answer CloudFormation records, and the Delete of B only if
the answer differs from B. The handler tells the rollback's Update from a deliberate one by the
stack's status, read from the DescribeStacks stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from standins.aws import ACCESS_KEY, REGION, SESSION_TOKEN
from standins.connect import ACTIVE, START, STOP, Fault
from standins.describe_stacks import DESCRIBE
from standins.events import CONTACT_ID, INSTANCE_ID, STACK_ID, properties
from standins.harness import Harness, Outcome

OTHER_CONTACT = "7c6b5a49-3827-4160-9f5e-4d3c2b1a0f9e"
THIRD_CONTACT = "3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b"
UPDATING = "UPDATE_IN_PROGRESS"
ROLLING_BACK = "UPDATE_ROLLBACK_IN_PROGRESS"
ROLLBACK_CLEANUP = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
UPDATE_CLEANUP = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
DELETE_ALONE = "delete-alone"
UPDATE_THEN_DELETE = "update-then-delete"
ANSWER_RECORDED = "answer-recorded"
READINGS = [DELETE_ALONE, UPDATE_THEN_DELETE, ANSWER_RECORDED]


@dataclass
class Replaced:
    """A stream for `old` properties (A) moved by a successful Update to `new` (B)."""

    old: dict[str, Any]
    new: dict[str, Any]
    created: Outcome
    updated: Outcome

    @property
    def a_id(self) -> str:
        return str(self.created.body["PhysicalResourceId"])

    @property
    def b_id(self) -> str:
        return str(self.updated.body["PhysicalResourceId"])

    @property
    def a_stream(self) -> str:
        return str(self.created.body["Data"]["StreamingId"])

    @property
    def b_stream(self) -> str:
        return str(self.updated.body["Data"]["StreamingId"])


def move(life: Harness, old: dict[str, Any], new: dict[str, Any], created: Outcome) -> Replaced:
    """A deliberate Update of `created`'s id from `old` to `new` properties; no cleanup yet."""
    life.connect.add_contact(INSTANCE_ID, new["ContactId"], ACTIVE)
    life.stacks.set_status(STACK_ID, UPDATING)
    physical_id = created.body["PhysicalResourceId"]
    updated = life.send("Update", new, old_props=old, physical_id=physical_id)
    replaced = Replaced(old, new, created, updated)
    assert updated.body["Status"] == "SUCCESS", updated.body["Reason"]
    assert replaced.b_id != replaced.a_id
    return replaced


def replace_stream(life: Harness) -> Replaced:
    """Create A for CONTACT_ID, then a deliberate Update that replaces it with B for Y."""
    old = properties()
    created = life.send("Create", old)
    assert created.body["Status"] == "SUCCESS", created.body["Reason"]
    replaced = move(life, old, properties(ContactId=OTHER_CONTACT), created)
    assert running(life) == {replaced.a_stream: CONTACT_ID, replaced.b_stream: OTHER_CONTACT}
    return replaced


def roll_back(life: Harness, reading: str, replaced: Replaced) -> str:
    """CloudFormation rolls back `replaced`'s update under `reading`; the id it then holds."""
    recorded, delete_new = replaced.a_id, True
    if reading in (UPDATE_THEN_DELETE, ANSWER_RECORDED):
        rolled = rollback_update(life, replaced)
        assert rolled.body["Status"] == "SUCCESS", rolled.body["Reason"]
        if reading == ANSWER_RECORDED:
            recorded = str(rolled.body["PhysicalResourceId"])
            delete_new = recorded != replaced.b_id
    if delete_new:
        life.stacks.set_status(STACK_ID, ROLLBACK_CLEANUP)
        cleanup = life.send("Delete", replaced.new, physical_id=replaced.b_id)
        assert cleanup.body["Status"] == "SUCCESS", cleanup.body["Reason"]
        assert cleanup.body["PhysicalResourceId"] == replaced.b_id
    return recorded


def running(life: Harness) -> dict[str, str]:
    """Connect's running streams: StreamingId to ContactId."""
    return {s.streaming_id: s.contact_id for s in life.connect.active_streams()}


def starts_and_stops(life: Harness) -> tuple[int, int]:
    """How many StartContactStreaming and StopContactStreaming calls Connect answered 200."""
    starts = [c for c in life.connect.calls_of(START) if c.status == 200]
    stops = [c for c in life.connect.calls_of(STOP) if c.status == 200]
    return len(starts), len(stops)


def statuses_read(life: Harness) -> list[str]:
    """What each DescribeStacks call answered; every call named the event's stack alone."""
    calls = life.stacks.calls_of(DESCRIBE)
    assert {c.stack_name for c in calls} <= {STACK_ID}
    return [c.answer for c in calls]


def rollback_update(life: Harness, replaced: Replaced) -> Outcome:
    """CloudFormation's possible Update of B's id with A's properties, during the rollback."""
    life.stacks.set_status(STACK_ID, ROLLING_BACK)
    return life.send("Update", replaced.old, old_props=replaced.new, physical_id=replaced.b_id)


def delete_stack(life: Harness, recorded: str, props: dict[str, Any]) -> None:
    """The stack's delete, of the id CloudFormation holds: it must leave nothing running."""
    life.stacks.set_status(STACK_ID, "DELETE_IN_PROGRESS")
    deleted = life.send("Delete", props, physical_id=recorded)
    assert deleted.body["Status"] == "SUCCESS", deleted.body["Reason"]
    assert running(life) == {}


@pytest.mark.parametrize("reading", READINGS)
def test_rollback_after_replacement_keeps_old_stream_stops_new_starts_no_third(
    life: Harness, reading: str
) -> None:
    replaced = replace_stream(life)

    recorded = roll_back(life, reading, replaced)

    assert running(life) == {replaced.a_stream: CONTACT_ID}
    assert recorded == replaced.a_id
    assert starts_and_stops(life) == (2, 1)
    assert [c.body["StreamingId"] for c in life.connect.calls_of(STOP)] == [replaced.b_stream]
    rolled_read = [] if reading == DELETE_ALONE else [ROLLING_BACK]
    assert statuses_read(life) == [UPDATING, *rolled_read]
    assert life.stacks.rejected_signatures == []
    delete_stack(life, recorded, replaced.old)
    assert starts_and_stops(life) == (2, 2)


def test_rollback_update_answers_old_id_and_streaming_id_without_connect_call(
    life: Harness,
) -> None:
    replaced = replace_stream(life)

    rolled = rollback_update(life, replaced)

    assert rolled.body["Status"] == "SUCCESS", rolled.body["Reason"]
    assert rolled.body["PhysicalResourceId"] == replaced.a_id
    assert rolled.body["Data"] == {"StreamingId": replaced.a_stream}
    assert starts_and_stops(life) == (2, 0)


@pytest.mark.parametrize("reading", READINGS)
def test_rollback_of_second_replacement_in_chain_keeps_b_stops_c_starts_no_fourth(
    life: Harness, reading: str
) -> None:
    first = replace_stream(life)
    life.stacks.set_status(STACK_ID, UPDATE_CLEANUP)
    first_cleanup = life.send("Delete", first.new, physical_id=first.a_id)
    assert first_cleanup.body["Status"] == "SUCCESS", first_cleanup.body["Reason"]
    second = move(life, first.new, properties(ContactId=THIRD_CONTACT), first.updated)

    recorded = roll_back(life, reading, second)

    b_stream, c_stream = second.a_stream, second.b_stream
    assert running(life) == {b_stream: OTHER_CONTACT}
    assert [c.body["StreamingId"] for c in life.connect.calls_of(STOP)] == [
        first.a_stream,
        c_stream,
    ]
    assert starts_and_stops(life) == (3, 2)
    if reading == ANSWER_RECORDED:
        # B's id rebuilt from C: B's stream, without B's memory of A (stopped long ago).
        assert recorded != second.a_id
        assert recorded == second.a_id.split("&previous=")[0]
    else:
        assert recorded == second.a_id
    delete_stack(life, recorded, second.old)
    assert starts_and_stops(life) == (3, 3)


def test_update_back_to_old_contact_after_old_stopped_starts_new_stream(life: Harness) -> None:
    replaced = replace_stream(life)
    life.stacks.set_status(STACK_ID, UPDATE_CLEANUP)
    cleanup = life.send("Delete", replaced.new, physical_id=replaced.a_id)
    assert cleanup.body["Status"] == "SUCCESS", cleanup.body["Reason"]
    assert running(life) == {replaced.b_stream: OTHER_CONTACT}

    back = move(life, replaced.new, replaced.old, replaced.updated)
    life.stacks.set_status(STACK_ID, UPDATE_CLEANUP)
    second_cleanup = life.send("Delete", replaced.old, physical_id=replaced.b_id)

    assert second_cleanup.body["Status"] == "SUCCESS", second_cleanup.body["Reason"]
    recorded, c_stream = back.b_id, back.b_stream
    assert recorded not in (replaced.a_id, replaced.b_id)
    assert running(life) == {c_stream: CONTACT_ID}
    assert starts_and_stops(life) == (3, 2)
    assert statuses_read(life) == [UPDATING, UPDATING]
    delete_stack(life, recorded, replaced.old)


def send_replacing_update(life: Harness, **send_options: Any) -> tuple[Outcome, Outcome]:
    """Create A for CONTACT_ID, then send the Update that would replace it with B for Y."""
    life.connect.add_contact(INSTANCE_ID, OTHER_CONTACT, ACTIVE)
    old, new = properties(), properties(ContactId=OTHER_CONTACT)
    created = life.send("Create", old)
    physical_id = created.body["PhysicalResourceId"]
    return created, life.send("Update", new, old_props=old, physical_id=physical_id, **send_options)


def assert_failed_keeping_old_stream(life: Harness, created: Outcome, updated: Outcome) -> None:
    """The Update answered FAILED with A's id and a Reason saying why; nothing new started."""
    assert [created.body["Status"], updated.body["Status"]] == ["SUCCESS", "FAILED"]
    assert updated.body["Reason"].startswith(
        "Started nothing: cannot tell a rollback from an update ("
    )
    assert updated.body["PhysicalResourceId"] == created.body["PhysicalResourceId"]
    assert running(life) == {created.body["Data"]["StreamingId"]: CONTACT_ID}
    assert len(life.connect.calls_of(START)) == 1


def test_update_stack_status_denied_failed_keeps_old_id_starts_nothing(life: Harness) -> None:
    life.stacks.script(Fault("error", code="AccessDenied"))

    created, updated = send_replacing_update(life)

    assert_failed_keeping_old_stream(life, created, updated)
    assert updated.body["Reason"].endswith(
        "(DescribeStacks AccessDenied: scripted AccessDenied); the provider role needs "
        "cloudformation:DescribeStacks on this stack"
    )
    assert statuses_read(life) == ["AccessDenied"]


def test_update_stack_status_unanswered_failed_by_clock_before_deadline(life: Harness) -> None:
    # Every connection is dropped; the Connect client's Clock also bounds these retries, so the
    # handler answers itself, before crhelper's own timer (0.5 s before the deadline) would.
    life.stacks.script(*[Fault("drop")] * 50)

    created, updated = send_replacing_update(life, timeout_s=6.0)

    assert_failed_keeping_old_stream(life, created, updated)
    assert "(DescribeStacks did not answer after retries: gave up" in updated.body["Reason"]
    assert updated.body["Reason"].endswith("before the Lambda deadline); try again")
    assert updated.response.at < updated.context.deadline - 0.5
    assert len(statuses_read(life)) >= 2
    assert set(statuses_read(life)) == {"dropped"}


def test_rollback_update_stack_status_denied_fails_then_continued_rollback_recovers(
    life: Harness,
) -> None:
    # The chosen failure mode: starting nothing and failing leaves UPDATE_ROLLBACK_FAILED with
    # A and B both recorded; `continue-update-rollback` sends the Update again.
    replaced = replace_stream(life)
    life.stacks.script(Fault("error", code="AccessDenied"))

    denied = rollback_update(life, replaced)
    assert denied.body["Status"] == "FAILED"
    assert "cloudformation:DescribeStacks" in denied.body["Reason"]
    assert denied.body["PhysicalResourceId"] == replaced.b_id
    assert len(life.connect.calls_of(START)) == 2
    recorded = roll_back(life, ANSWER_RECORDED, replaced)  # `continue-update-rollback`

    assert recorded == replaced.a_id
    assert running(life) == {replaced.a_stream: CONTACT_ID}
    assert starts_and_stops(life) == (2, 1)
    assert statuses_read(life) == [UPDATING, "AccessDenied", ROLLING_BACK]


def test_create_noop_update_and_delete_never_read_stack_status(life: Harness) -> None:
    old = properties()
    created = life.send("Create", old)
    kept = life.send(
        "Update",
        properties(ServiceTimeout="600"),
        old_props=old,
        physical_id=created.body["PhysicalResourceId"],
    )
    deleted = life.send("Delete", old, physical_id=kept.body["PhysicalResourceId"])

    assert [o.body["Status"] for o in (created, kept, deleted)] == ["SUCCESS"] * 3
    assert kept.body["PhysicalResourceId"] == created.body["PhysicalResourceId"]
    assert life.stacks.calls == []
    assert running(life) == {}


def test_describe_stacks_stand_in_refuses_a_wrong_signature(life: Harness) -> None:
    client = boto3.client(
        "cloudformation",
        region_name=REGION,
        endpoint_url=life.stacks.url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key="not-the-secret",
        aws_session_token=SESSION_TOKEN,
    )

    with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
        client.describe_stacks(StackName=STACK_ID)

    assert life.stacks.rejected_signatures == ["signature does not match"]
    assert life.stacks.calls == []
