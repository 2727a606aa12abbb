"""PhysicalResourceIds fit CloudFormation's 1 KB and give back exactly what they record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import handler
import pytest
from physical_id import Stream, fits, parse_physical_id

from tests.handler.conftest import (
    LambdaContext,
    StubbedConnect,
    queue_status,
    returned_id,
    stub_region,
)
from tests.handler.events import (
    LOGICAL_ID,
    REGION,
    REQUEST_ID,
    STACK_ID,
    event,
    expected_token,
    properties,
    start_params,
)

TOKEN = expected_token(STACK_ID, LOGICAL_ID, REQUEST_ID)
MAX_INSTANCE_ID = "i" * 100
MAX_CONTACT_ID = "c" * 256
# 350 characters: a long partition name leaves room for the longest topic name (256).
MAX_TOPIC_ARN = f"arn:aws-{'p' * 58}:sns:{REGION}:123456789012:{'t' * 256}"
MAX_PROPS = properties(
    InstanceId=MAX_INSTANCE_ID, ContactId=MAX_CONTACT_ID, StreamingEndpointArn=MAX_TOPIC_ARN
)
MAX_START = start_params(
    TOKEN, instance_id=MAX_INSTANCE_ID, contact_id=MAX_CONTACT_ID, endpoint_arn=MAX_TOPIC_ARN
)


def test_physical_id_max_length_inputs_fixture_has_model_maximums() -> None:
    assert (len(MAX_INSTANCE_ID), len(MAX_CONTACT_ID), len(MAX_TOPIC_ARN)) == (100, 256, 350)


# The longest ContactId that fits beside the other maximums and the longest StreamingId (100
# characters, each escaped to 3 bytes): the longest legal ContactId (256) does not.
FITTING_CONTACT_ID = "c" * 176
FITTING_PROPS = properties(
    InstanceId=MAX_INSTANCE_ID, ContactId=FITTING_CONTACT_ID, StreamingEndpointArn=MAX_TOPIC_ARN
)
FITTING_START = start_params(
    TOKEN, instance_id=MAX_INSTANCE_ID, contact_id=FITTING_CONTACT_ID, endpoint_arn=MAX_TOPIC_ARN
)
ESCAPED_STREAMING_ID = "%/" * 50


def test_physical_id_longest_legal_inputs_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    # 1104 bytes once started with a 100-character StreamingId that escapes to 300.
    with pytest.raises(handler.InvalidPropertyError, match="too long to record"):
        handler.create(event("Create", MAX_PROPS), lambda_context)

    assert parse_physical_id(handler.helper.PhysicalResourceId) is None
    assert connect.calls == []


def test_physical_id_longest_fitting_started_escaped_streaming_id_fits_and_round_trips(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_response(
        "start_contact_streaming", {"StreamingId": ESCAPED_STREAMING_ID}, FITTING_START
    )

    physical_id = returned_id(handler.create(event("Create", FITTING_PROPS), lambda_context))
    stream = parse_physical_id(physical_id)

    assert len(physical_id.encode()) == 1024
    assert stream == Stream(
        REGION,
        MAX_INSTANCE_ID,
        FITTING_CONTACT_ID,
        MAX_TOPIC_ARN,
        streaming_id=ESCAPED_STREAMING_ID,
    )


def test_physical_id_longest_fitting_pending_fits_and_round_trips(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    connect.stubber.add_client_error(
        "start_contact_streaming",
        "InternalServiceException",
        "",
        500,
        expected_params=FITTING_START,
    )

    with pytest.raises(RuntimeError, match="InternalServiceException"):
        handler.create(event("Create", FITTING_PROPS), lambda_context)
    physical_id = handler.helper.PhysicalResourceId

    assert len(physical_id.encode()) <= 1024
    assert parse_physical_id(physical_id) == Stream(
        REGION,
        MAX_INSTANCE_ID,
        FITTING_CONTACT_ID,
        MAX_TOPIC_ARN,
        state="pending",
        client_token=TOKEN,
    )


def test_physical_id_escaping_exceeds_limit_refused_without_call(
    connect: StubbedConnect, lambda_context: LambdaContext
) -> None:
    props = properties(InstanceId=MAX_INSTANCE_ID, ContactId="/&" * 128)

    with pytest.raises(handler.InvalidPropertyError, match="too long to record"):
        handler.create(event("Create", props), lambda_context)

    assert parse_physical_id(handler.helper.PhysicalResourceId) is None
    assert connect.calls == []


@pytest.mark.parametrize(
    "awkward",
    ["a&b=c", "100% sure", "plus+sign space", "ünïcode/ключ", "contact-streaming:state=none"],
)
def test_physical_id_awkward_characters_round_trip(awkward: str) -> None:
    stream = Stream(REGION, awkward, awkward, awkward, streaming_id=awkward)

    assert parse_physical_id(stream.physical_id()) == stream


LONGEST_REGION = "us-isof-south-1"  # the longest region name in botocore's endpoints
LONGEST_REGION_ARN = f"arn:aws-{'p' * 52}:sns:{LONGEST_REGION}:123456789012:{'t' * 256}"


def longest_props(contact_id: str) -> dict[str, str]:
    """The longest legal properties, in the longest region, but for `contact_id`."""
    return properties(
        Region=LONGEST_REGION,
        InstanceId=MAX_INSTANCE_ID,
        ContactId=contact_id,
        StreamingEndpointArn=LONGEST_REGION_ARN,
    )


@pytest.fixture
def connect_longest_region() -> Iterator[StubbedConnect]:
    """The Stubber on the client for the longest region."""
    yield from stub_region(LONGEST_REGION)


def test_physical_id_replacing_update_longest_fitting_inputs_fits_with_previous(
    connect_longest_region: StubbedConnect,
    cloudformation: StubbedConnect,
    lambda_context: LambdaContext,
) -> None:
    # Beside a 100-character `previous` and the other maximums, a ContactId of 60 fits.
    old_contact, new_contact = "c" * 60, "d" * 60
    old_props, new_props = longest_props(old_contact), longest_props(new_contact)
    old_id = Stream(
        LONGEST_REGION, MAX_INSTANCE_ID, old_contact, LONGEST_REGION_ARN, streaming_id="a" * 100
    ).physical_id()
    queue_status(cloudformation, "UPDATE_IN_PROGRESS")
    connect_longest_region.stubber.add_response(
        "start_contact_streaming",
        {"StreamingId": ESCAPED_STREAMING_ID},
        start_params(
            TOKEN,
            instance_id=MAX_INSTANCE_ID,
            contact_id=new_contact,
            endpoint_arn=LONGEST_REGION_ARN,
        ),
    )

    new_id = returned_id(
        handler.update(
            event("Update", new_props, physical_id=old_id, old_props=old_props), lambda_context
        )
    )

    assert len(LONGEST_REGION_ARN) == 350
    assert len(new_id.encode()) == 1024  # CloudFormation's limit, exactly
    assert parse_physical_id(new_id) == Stream(
        LONGEST_REGION,
        MAX_INSTANCE_ID,
        new_contact,
        LONGEST_REGION_ARN,
        streaming_id=ESCAPED_STREAMING_ID,
        previous="a" * 100,
    )


def test_physical_id_replacing_update_previous_would_not_fit_refused_without_start(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    # The new target alone fits (as a Create); with the old StreamingId (100 characters, each
    # escaped to 3) it would not, so the Update starts nothing and keeps the old id.
    old_id = Stream(
        REGION, MAX_INSTANCE_ID, "o" * 256, MAX_TOPIC_ARN, streaming_id="/" * 100
    ).physical_id()
    assert fits(Stream(REGION, MAX_INSTANCE_ID, FITTING_CONTACT_ID, MAX_TOPIC_ARN, state="pending"))
    queue_status(cloudformation, "UPDATE_IN_PROGRESS")

    with pytest.raises(handler.InvalidPropertyError, match="too long to record beside the repl"):
        handler.update(
            event("Update", FITTING_PROPS, physical_id=old_id, old_props=properties()),
            lambda_context,
        )

    assert handler.helper.PhysicalResourceId == old_id
    assert connect.calls == []


PRINTABLE_ASCII = [chr(code) for code in range(0x20, 0x7F)]


def longest_contact_that_fits(region: str, topic_arn: str, previous: str = "") -> Stream:
    """The pending stream with the longest ContactId `fits` accepts, beside the other maximums."""
    for length in range(256, 0, -1):
        pending = Stream(
            region,
            MAX_INSTANCE_ID,
            "c" * length,
            topic_arn,
            state="pending",
            client_token=TOKEN,
            previous=previous,
        )
        if fits(pending):
            return pending
    raise AssertionError("no ContactId fits")


@pytest.mark.parametrize("previous", ["", "a" * 100], ids=["create", "replacing-update"])
def test_physical_id_fits_accepted_any_ascii_streaming_id_within_1kb(previous: str) -> None:
    pending = longest_contact_that_fits(LONGEST_REGION, LONGEST_REGION_ARN, previous)

    for character in PRINTABLE_ASCII:
        started = replace(pending, state="started", streaming_id=character * 100, client_token="")
        assert len(started.physical_id().encode()) <= 1024, repr(character)
