"""Fixtures: both stand-ins for the session, fresh state and a fresh Connect client per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from standins.connect import ACTIVE
from standins.events import CONTACT_ID, INSTANCE_ID
from standins.harness import Harness, running_harness
from standins.response_endpoint import CFN_BODY_LIMIT, PHYSICAL_ID_LIMIT, REASON_LIMIT


@pytest.fixture(scope="session")
def session_harness() -> Iterator[Harness]:
    """Both stand-ins running and Lambda's environment set, for the whole session."""
    with running_harness() as harness:
        yield harness


@pytest.fixture
def life(session_harness: Harness) -> Iterator[Harness]:
    """The harness with fresh state and one active chat contact (INSTANCE_ID, CONTACT_ID).

    Afterwards, every response the test caused must fit CloudFormation's limits.
    """
    session_harness.reset()
    session_harness.connect.add_contact(INSTANCE_ID, CONTACT_ID, ACTIVE)
    yield session_harness
    for put in session_harness.cfn.received() + session_harness.cfn.dropped:
        assert put.size < CFN_BODY_LIMIT, f"{put.size}-byte response: {put.body}"
        assert len(str(put.body["PhysicalResourceId"]).encode()) <= PHYSICAL_ID_LIMIT
        assert len(str(put.body["Reason"])) <= REASON_LIMIT, put.body["Reason"]
