"""An instance in another region: the handler signs for that region, as the local Connect checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from standins.aws import REGION
from standins.events import properties
from standins.harness import Harness

OTHER_REGION = "eu-central-1"
OTHER_TOPIC = f"arn:aws:sns:{OTHER_REGION}:123456789012:StreamingTopic"


@pytest.fixture
def connect_in_other_region(life: Harness) -> Iterator[Harness]:
    """The stand-in accepts only requests signed for OTHER_REGION (AWS_ENDPOINT_URL_CONNECT
    sends every region's calls to it)."""
    life.connect.region = OTHER_REGION
    yield life
    life.connect.region = REGION


def test_create_instance_in_other_region_signed_for_that_region(
    connect_in_other_region: Harness,
) -> None:
    life = connect_in_other_region
    props = properties(Region=OTHER_REGION, StreamingEndpointArn=OTHER_TOPIC)

    created = life.send("Create", props)

    assert created.body["Status"] == "SUCCESS", created.body["Reason"]
    assert life.connect.rejected_signatures == []
    assert f"region={OTHER_REGION}" in str(created.body["PhysicalResourceId"])
    deleted = life.send("Delete", props, physical_id=created.body["PhysicalResourceId"])
    assert deleted.body["Status"] == "SUCCESS", deleted.body["Reason"]
    assert life.connect.rejected_signatures == []
    assert life.connect.active_streams() == []


def test_create_stack_region_call_refused_by_other_region_connect(
    connect_in_other_region: Harness,
) -> None:
    # Control: a request signed for the stack's region is refused, so the check above can fail.
    life = connect_in_other_region

    created = life.send("Create", properties())

    assert created.body["Status"] == "FAILED"
    assert any(REGION in problem for problem in life.connect.rejected_signatures)
    assert life.connect.active_streams() == []
