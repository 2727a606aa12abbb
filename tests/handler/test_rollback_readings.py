"""Rollback after a replacement under each reading of CloudFormation, with stubbed clients.

CloudFormation does not document how it rolls back a custom resource that an update replaced
(A's id replaced by B's). Three readings, played here by `Life.roll_back`:
(1) delete-alone: the cleanup Delete of B; A stays recorded.
(2) update-then-delete: an Update of B with A's properties, then the Delete of B; A recorded again.
(3) answer-recorded: that Update, whose answer CloudFormation records; B deleted only if the
    answer differs from B.
Every life ends by asserting the streams Connect runs (Connect's StreamingIds started, less
those stopped), the id CloudFormation holds, and the number of Start and Stop calls.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import handler
import pytest
from physical_id import Stream, parse_physical_id

from tests.handler.conftest import LambdaContext, StubbedConnect, queue_status, returned_id
from tests.handler.events import (
    CONTACT_ID,
    INSTANCE_ID,
    LOGICAL_ID,
    REGION,
    STACK_ID,
    TOPIC_ARN,
    event,
    expected_token,
    properties,
    start_params,
    stop_params,
)

UPDATING = "UPDATE_IN_PROGRESS"
ROLLING_BACK = "UPDATE_ROLLBACK_IN_PROGRESS"
DELETE_ALONE = "delete-alone"
UPDATE_THEN_DELETE = "update-then-delete"
ANSWER_RECORDED = "answer-recorded"
READINGS = [DELETE_ALONE, UPDATE_THEN_DELETE, ANSWER_RECORDED]
START, STOP = "StartContactStreaming", "StopContactStreaming"
B_CONTACT = "bbbbbbbb-0000-1111-2222-333333333333"
C_CONTACT = "cccccccc-0000-1111-2222-333333333333"


@dataclass
class Life:
    """The unit tests' CloudFormation: the id it holds, the streams Connect answered."""

    connect: StubbedConnect
    cloudformation: StubbedConnect
    context: LambdaContext
    recorded: str = ""
    started: dict[str, str] = field(default_factory=dict)  # StreamingId: ContactId
    requests: itertools.count[int] = field(default_factory=itertools.count)

    def request_id(self) -> str:
        return f"00000000-0000-4000-8000-{next(self.requests):012d}"

    def expect_start(self, request_id: str, contact_id: str, streaming_id: str) -> None:
        token = expected_token(STACK_ID, LOGICAL_ID, request_id)
        self.connect.stubber.add_response(
            "start_contact_streaming",
            {"StreamingId": streaming_id},
            start_params(token, contact_id=contact_id),
        )
        self.started[streaming_id] = contact_id

    def create(self, contact_id: str, streaming_id: str) -> str:
        """A Create for `contact_id`, Connect answering `streaming_id`; the id is recorded."""
        request_id = self.request_id()
        self.expect_start(request_id, contact_id, streaming_id)
        created = handler.create(
            event("Create", properties(ContactId=contact_id), request_id=request_id), self.context
        )
        self.recorded = returned_id(created)
        return self.recorded

    def update(
        self,
        physical_id: str,
        contacts: tuple[str, str],
        status: str,
        starts: str | None = None,
    ) -> str:
        """An Update of `physical_id` with the stack in `status`; its answer.

        `contacts` are the ContactIds of the properties and of the old properties.

        `starts` is the StreamingId Connect answers if the handler is expected to start one.
        """
        request_id = self.request_id()
        queue_status(self.cloudformation, status)
        if starts is not None:
            self.expect_start(request_id, contacts[0], starts)
        answered = handler.update(
            event(
                "Update",
                properties(ContactId=contacts[0]),
                request_id=request_id,
                physical_id=physical_id,
                old_props=properties(ContactId=contacts[1]),
            ),
            self.context,
        )
        return returned_id(answered)

    def delete(self, physical_id: str, stops: str) -> None:
        """A Delete of `physical_id`, expected to stop Connect's stream `stops`."""
        self.connect.stubber.add_response(
            "stop_contact_streaming", {}, stop_params(stops, contact_id=self.started[stops])
        )
        handler.delete(event("Delete", physical_id=physical_id), self.context)

    def replace(self, contact_id: str, old_contact_id: str, starts: str) -> tuple[str, str]:
        """A deliberate update that replaces the recorded id; (old id, new id). No cleanup yet."""
        old_id = self.recorded
        self.recorded = self.update(old_id, (contact_id, old_contact_id), UPDATING, starts=starts)
        assert self.recorded != old_id
        return old_id, self.recorded

    def roll_back(
        self, reading: str, old_id: str, new_id: str, contacts: tuple[str, str], new_stream: str
    ) -> None:
        """CloudFormation rolls back the update that replaced `old_id` by `new_id`.

        `contacts` are the old and new ContactIds; `new_stream` is what the Delete of the new
        id must stop.
        """
        old_contact, new_contact = contacts
        self.recorded = old_id
        delete_new = True
        if reading in (UPDATE_THEN_DELETE, ANSWER_RECORDED):
            answered = self.update(new_id, (old_contact, new_contact), ROLLING_BACK)
            if reading == ANSWER_RECORDED:
                self.recorded = answered
                delete_new = answered != new_id
        if delete_new:
            self.delete(new_id, stops=new_stream)

    def running(self) -> dict[str, str]:
        """Connect's streams still running: started (Connect's answers) less those stopped."""
        stopped = {
            params["StreamingId"]
            for name, params in zip(self.connect.calls, self.connect.params, strict=True)
            if name == STOP
        }
        return {sid: contact for sid, contact in self.started.items() if sid not in stopped}

    def count(self, operation: str) -> int:
        return self.connect.calls.count(operation)


@pytest.fixture
def life(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> Life:
    return Life(connect, cloudformation, lambda_context)


def stream_id(contact_id: str, streaming_id: str) -> str:
    """The id a Create of `contact_id` answers when Connect starts `streaming_id`."""
    return Stream(
        REGION, INSTANCE_ID, contact_id, TOPIC_ARN, streaming_id=streaming_id
    ).physical_id()


@pytest.mark.parametrize("reading", READINGS)
def test_rollback_after_replacement_each_reading_old_runs_and_recorded_new_stopped(
    life: Life, reading: str
) -> None:
    a_id = life.create(CONTACT_ID, "stream-a")
    _, b_id = life.replace(B_CONTACT, CONTACT_ID, starts="stream-b")

    life.roll_back(reading, a_id, b_id, (CONTACT_ID, B_CONTACT), new_stream="stream-b")

    assert life.running() == {"stream-a": CONTACT_ID}
    assert life.recorded == a_id == stream_id(CONTACT_ID, "stream-a")
    assert (life.count(START), life.count(STOP)) == (2, 1)
    reads = [UPDATING] + ([ROLLING_BACK] if reading != DELETE_ALONE else [])
    assert life.cloudformation.calls == ["DescribeStacks"] * len(reads)


def test_rollback_update_answers_old_id_exactly_without_calling_connect(life: Life) -> None:
    a_id = life.create(CONTACT_ID, "stream-a")
    _, b_id = life.replace(B_CONTACT, CONTACT_ID, starts="stream-b")

    answered = life.update(b_id, (CONTACT_ID, B_CONTACT), ROLLING_BACK)

    assert answered == a_id
    assert handler.helper.Data == {"StreamingId": "stream-a"}
    assert life.connect.calls == [START, START]


@pytest.mark.parametrize("reading", READINGS)
def test_rollback_of_second_replacement_in_chain_b_runs_and_recorded_c_stopped(
    life: Life, reading: str
) -> None:
    a_id = life.create(CONTACT_ID, "stream-a")
    _, b_id = life.replace(B_CONTACT, CONTACT_ID, starts="stream-b")
    life.delete(a_id, stops="stream-a")  # the first update's cleanup
    _, c_id = life.replace(C_CONTACT, B_CONTACT, starts="stream-c")

    life.roll_back(reading, b_id, c_id, (B_CONTACT, C_CONTACT), new_stream="stream-c")

    assert life.running() == {"stream-b": B_CONTACT}
    recorded = parse_physical_id(life.recorded)
    assert recorded is not None
    assert (recorded.contact_id, recorded.streaming_id) == (B_CONTACT, "stream-b")
    # B's own id also remembers A; an answer rebuilt from C names B alone (A stopped long ago).
    assert parse_physical_id(b_id) == Stream(
        REGION, INSTANCE_ID, B_CONTACT, TOPIC_ARN, streaming_id="stream-b", previous="stream-a"
    )
    expected = stream_id(B_CONTACT, "stream-b") if reading == ANSWER_RECORDED else b_id
    assert life.recorded == expected
    assert (life.count(START), life.count(STOP)) == (3, 2)
    life.delete(life.recorded, stops="stream-b")  # the stack's delete finds B from what it holds
    assert life.running() == {}


def test_deliberate_update_back_to_old_contact_starts_third_stream(life: Life) -> None:
    a_id = life.create(CONTACT_ID, "stream-a")
    _, b_id = life.replace(B_CONTACT, CONTACT_ID, starts="stream-b")
    life.delete(a_id, stops="stream-a")

    _, c_id = life.replace(CONTACT_ID, B_CONTACT, starts="stream-c")
    life.delete(b_id, stops="stream-b")  # that update's cleanup

    assert life.running() == {"stream-c": CONTACT_ID}
    assert life.recorded == c_id
    assert c_id not in (a_id, b_id)
    assert parse_physical_id(c_id) == Stream(
        REGION, INSTANCE_ID, CONTACT_ID, TOPIC_ARN, streaming_id="stream-c", previous="stream-b"
    )
    assert (life.count(START), life.count(STOP)) == (3, 2)
    assert life.cloudformation.calls == ["DescribeStacks"] * 2
