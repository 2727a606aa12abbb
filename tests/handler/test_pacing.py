"""Pacing: the waits that keep a stack's calls within its share, and when the handler makes them."""

from __future__ import annotations

import logging
import math
import time

import handler
import pacing
import pytest

from tests.handler.conftest import LambdaContext, StubbedConnect, queue_status
from tests.handler.events import (
    LOGICAL_ID,
    REQUEST_ID,
    STACK_ID,
    STARTED_ID,
    STREAMING_ID,
    event,
    expected_token,
    properties,
    start_params,
    stop_params,
)

# Rates with Stops slower than Starts (as after raising only the Start quota) over 4 lanes.
ENVIRONMENT = {"PACE_LANES": "4", "PACE_START_PER_SECOND": "2", "PACE_STOP_PER_SECOND": "0.8"}
TOKEN = expected_token(STACK_ID, LOGICAL_ID, REQUEST_ID)


# A wall-clock moment on the slot grid: a whole number of both slot lengths (0.5 s and 1.25 s).
NOW = 1_800_000_000.0


@pytest.fixture
def paced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """The provider's pacing environment at wall-clock NOW; waits are recorded, not slept."""
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    timeline: list[tuple[str, float]] = []
    monkeypatch.setattr("pacing.time.time", lambda: NOW)
    monkeypatch.setattr("pacing.time.sleep", lambda seconds: timeline.append(("wait", seconds)))
    return timeline


def record_calls(connect: StubbedConnect, timeline: list[tuple[str, float]]) -> None:
    """Put each Connect call on the timeline, between the waits."""

    def record(model: object, **_: object) -> None:
        timeline.append((getattr(model, "name", "?"), 0.0))

    client = handler.connect_client("us-east-1")
    client.meta.events.register_first("provide-client-params.connect", record)


def test_pace_of_without_property_or_environment_unpaced() -> None:
    assert pacing.pace_of(properties(), {}) == pacing.UNPACED
    assert pacing.pace_of(properties(Pace="2,3"), {}) == pacing.UNPACED
    assert pacing.pace_of(properties(), ENVIRONMENT) == pacing.UNPACED
    assert pacing.UNPACED.before_start(NOW + 0.3) == 0
    assert pacing.UNPACED.before_stop(NOW + 0.3) == 0


@pytest.mark.parametrize("place", ["2", "a,b", "-1,2", "1,-1", "1,2,3"])
def test_pace_of_malformed_place_unpaced_and_logged(
    place: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert pacing.pace_of(properties(Pace=place), ENVIRONMENT) == pacing.UNPACED
    assert "Not pacing" in caplog.text


def test_pace_of_place_and_environment_read() -> None:
    assert pacing.pace_of(properties(Pace="3,17"), ENVIRONMENT) == pacing.Pace(3, 17, 4, 2.0, 0.8)


@pytest.mark.parametrize(("place", "expected"), [("5,3", (1, 3)), ("4,0", (0, 1)), ("8,0", (0, 1))])
def test_pace_of_lane_beyond_lanes_shares_a_lanes_slots_never_calls_at_once(
    place: str, expected: tuple[int, int]
) -> None:
    # A stream removed by an update that also made fewer lanes: its Delete has its old place.
    pace = pacing.pace_of(properties(Pace=place), ENVIRONMENT)
    assert (pace.lane, pace.position, pace.lanes) == (*expected, 4)
    assert pace.before_stop(NOW + 0.1) == pytest.approx(4.9 if expected[0] == 0 else 1.15)


def test_pace_first_lane_head_calls_at_once_whenever() -> None:
    head = pacing.Pace(0, 0, 4, 2.0, 0.8)
    for moment in (NOW, NOW + 0.1, NOW + 1.7):
        assert head.before_start(moment) == head.before_stop(moment) == 0


@pytest.mark.parametrize(("lane", "expected"), [(0, 2.0), (1, 0.5), (3, 1.5)])
def test_pace_before_start_waits_for_lanes_slot(lane: int, expected: float) -> None:
    # Slots of 0.5 s (2 Starts a second) dealt to 4 lanes in turn; NOW starts lane 0's slot,
    # which a later stream of lane 0 leaves for the round after.
    pace = pacing.Pace(lane, 3, 4, 2.0, 0.8)
    assert pace.before_start(NOW + 1e-6) == pytest.approx(expected - 1e-6)


@pytest.mark.parametrize(("lane", "expected"), [(1, 1.25), (2, 2.5), (3, 3.75)])
def test_pace_before_stop_waits_for_lanes_slot_of_stop_rate(lane: int, expected: float) -> None:
    pace = pacing.Pace(lane, 0, 4, 2.0, 0.8)
    assert pace.before_stop(NOW) == pytest.approx(expected)


def test_pace_lanes_calls_fall_in_distinct_slots_at_most_rate_a_second() -> None:
    # Every lane asks at random moments for many rounds; the calls land one per slot at most.
    calls = []
    for lane in range(4):
        moment = NOW + 0.123 * lane
        for _ in range(25):
            moment += pacing.Pace(lane, 1, 4, 2.0, 0.8).before_start(moment)
            calls.append(moment)
            moment += 0.37 * (lane + 1)  # the Start, the answer, CloudFormation's own time
    slots = [round((moment - NOW) / 0.5, 6) for moment in calls]
    assert all(slot == int(slot) for slot in slots)
    assert len(set(slots)) == len(slots) == 100


def test_pace_default_share_last_lane_waits_a_whole_stop_round_uncut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 44 lanes (the default share, 88 streams). At a moment starting lane 0's Start and Stop slots
    # (a multiple of 44 x 0.5 s and 44 x 1.25 s), the last lane's Stop slot is 43 x 1.25 s away.
    now = 1_799_999_960.0
    pace = pacing.pace_of(
        properties(Pace="43,2"),
        {"PACE_LANES": "44", "PACE_START_PER_SECOND": "2", "PACE_STOP_PER_SECOND": "0.8"},
    )
    slept: list[float] = []
    monkeypatch.setattr("pacing.time.sleep", slept.append)
    assert pace.before_start(now) == pytest.approx(21.5)
    assert pace.before_stop(now) == pytest.approx(53.75)
    assert pacing.wait(pace.before_stop(now), time.monotonic() + 100) == pytest.approx(53.75)
    assert slept == [pytest.approx(53.75)]


def test_wait_capped_and_ends_before_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("pacing.time.sleep", slept.append)
    now = time.monotonic()
    assert pacing.wait(100.0, math.inf) == pacing.MAX_WAIT_S
    assert pacing.wait(10.0, now + 5.0) <= 5.0 - pacing.DEADLINE_MARGIN_S
    assert pacing.wait(10.0, now) == 0.0
    assert pacing.wait(-3.0, math.inf) == 0.0
    assert slept[0] == pacing.MAX_WAIT_S
    assert len(slept) == 2


def test_create_lane_head_of_first_lane_calls_at_once(
    connect: StubbedConnect, lambda_context: LambdaContext, paced: list[tuple[str, float]]
) -> None:
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(TOKEN)
    )

    handler.create(event("Create", properties(Pace="0,0")), lambda_context)

    assert paced == []
    assert connect.calls == ["StartContactStreaming"]


def test_create_later_in_lane_waits_for_its_slot_before_start(
    connect: StubbedConnect, lambda_context: LambdaContext, paced: list[tuple[str, float]]
) -> None:
    record_calls(connect, paced)
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": STREAMING_ID}, start_params(TOKEN)
    )

    handler.create(event("Create", properties(Pace="1,7")), lambda_context)

    assert paced == [("wait", 0.5), ("StartContactStreaming", 0.0)]


def test_update_pace_changed_only_no_call_no_wait(
    connect: StubbedConnect, lambda_context: LambdaContext, paced: list[tuple[str, float]]
) -> None:
    update = event(
        "Update",
        properties(Pace="3,9"),
        physical_id=STARTED_ID,
        old_props=properties(Pace="1,2"),
    )

    assert handler.update(update, lambda_context) == STARTED_ID

    assert connect.calls == []
    assert paced == []


def test_update_new_contact_waits_like_create_before_start(
    connect: StubbedConnect,
    cloudformation: StubbedConnect,
    lambda_context: LambdaContext,
    paced: list[tuple[str, float]],
) -> None:
    queue_status(cloudformation, "UPDATE_IN_PROGRESS")
    record_calls(connect, paced)
    connect.stubber.add_response(
        "start_contact_streaming",
        {"StreamingId": "stream-0002"},
        start_params(TOKEN, contact_id="other-contact"),
    )
    update = event(
        "Update",
        properties(Pace="2,0", ContactId="other-contact"),
        physical_id=STARTED_ID,
        old_props=properties(Pace="2,0"),
    )

    handler.update(update, lambda_context)

    assert paced == [("wait", 1.0), ("StartContactStreaming", 0.0)]


def test_update_rollback_starts_nothing_waits_nothing(
    connect: StubbedConnect,
    cloudformation: StubbedConnect,
    lambda_context: LambdaContext,
    paced: list[tuple[str, float]],
) -> None:
    queue_status(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS")
    update = event(
        "Update",
        properties(Pace="2,5", ContactId="other-contact"),
        physical_id=STARTED_ID,
        old_props=properties(Pace="2,5"),
    )

    assert handler.update(update, lambda_context) == STARTED_ID

    assert connect.calls == []
    assert paced == []


def test_delete_waits_for_its_slot_then_answers_at_once(
    connect: StubbedConnect, lambda_context: LambdaContext, paced: list[tuple[str, float]]
) -> None:
    record_calls(connect, paced)
    connect.stubber.add_response("stop_contact_streaming", {}, stop_params())

    handler.delete(event("Delete", properties(Pace="1,3"), physical_id=STARTED_ID), lambda_context)

    assert paced == [("wait", 1.25), ("StopContactStreaming", 0.0)]


def test_delete_single_stream_no_wait(
    connect: StubbedConnect, lambda_context: LambdaContext, paced: list[tuple[str, float]]
) -> None:
    connect.stubber.add_response("stop_contact_streaming", {}, stop_params())

    handler.delete(event("Delete", properties(Pace="0,0"), physical_id=STARTED_ID), lambda_context)

    assert paced == []
    assert connect.calls == ["StopContactStreaming"]


def test_delete_nothing_recorded_no_wait(
    connect: StubbedConnect, lambda_context: LambdaContext, paced: list[tuple[str, float]]
) -> None:
    delete = event("Delete", properties(Pace="3,9"), physical_id="not-a-stream")

    assert handler.delete(delete, lambda_context) == "not-a-stream"

    assert paced == []
    assert connect.calls == []
