"""50 Creates at once, from 50 processes, against Connect's 5 calls/s limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from standins.aws import LAMBDA_TIMEOUT_S
from standins.connect import START
from standins.events import INSTANCE_ID, cfn_event, properties
from standins.fleet import Fleet
from standins.harness import Harness

INSTANCES = 50
RATE_PER_SECOND = 5
COLD_START_WAIT_S = 120.0


def test_create_fifty_at_once_rate_limited_all_succeed_within_lambda_timeout(
    life: Harness, record_property: Callable[[str, object], None]
) -> None:
    life.connect.limit_rate(RATE_PER_SECOND)
    contacts = [f"contact-{n:02d}" for n in range(INSTANCES)]
    events = []
    for n, contact in enumerate(contacts):
        life.connect.add_contact(INSTANCE_ID, contact)
        props = properties(ContactId=contact)
        events.append(cfn_event("Create", life.cfn, props, logical_id=f"Streaming{n:02d}Resource"))
    fleet = Fleet(events)
    try:
        assert fleet.wait_ready(COLD_START_WAIT_S) == INSTANCES
        released = time.monotonic()
        fleet.go()
        puts = life.cfn.wait_for(INSTANCES, LAMBDA_TIMEOUT_S + 10)
    finally:
        exit_codes = fleet.finish(timeout_s=10)
    seconds = max(put.at for put in puts) - released
    throttled = life.connect.count(429)
    record_property("fifty_creates_seconds", round(seconds, 2))
    record_property("fifty_creates_429s", throttled)
    print(f"\n50 creates at 5 calls/s: {seconds:.1f} s, {throttled} answers 429")

    assert len(puts) == INSTANCES
    failures = [p.body["Reason"] for p in puts if p.body["Status"] != "SUCCESS"]
    assert failures == []
    assert seconds < LAMBDA_TIMEOUT_S
    assert sorted(s.contact_id for s in life.connect.active_streams()) == contacts
    assert len({p.body["Data"]["StreamingId"] for p in puts}) == INSTANCES
    assert throttled > 0
    assert len(life.connect.calls_of(START)) == INSTANCES + throttled
    assert exit_codes == [0] * INSTANCES
