"""Ids deployed by earlier versions: Delete still stops them, and upgrades restart no stream.

The literals below are what every earlier version wrote (there was one format), frozen here so
that a change to the encoder cannot move them along with it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import handler
import pytest
from physical_id import ID_PREFIX, Stream, parse_physical_id

from tests.handler.conftest import LambdaContext, StubbedConnect, queue_status, returned_id
from tests.handler.events import (
    CONTACT_ID,
    INSTANCE_ID,
    LOGICAL_ID,
    REGION,
    REQUEST_ID,
    STACK_ID,
    STREAMING_ID,
    TOPIC_ARN,
    event,
    expected_token,
    properties,
    start_params,
    stop_params,
)

EARLIER_STARTED = (
    "contact-streaming:state=started&region=us-east-1"
    "&instance=11111111-2222-3333-4444-555555555555&contact=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    "&endpoint=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Achat-transcripts&streaming=stream-0001"
)
EARLIER_PENDING = (
    "contact-streaming:state=pending&region=us-east-1"
    "&instance=11111111-2222-3333-4444-555555555555&contact=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    f"&endpoint=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Achat-transcripts&token={'ab' * 32}"
)
EARLIER_NONE = "contact-streaming:state=none&request=2f8e6a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b"
# The same stream with its fields in another order and "+"/"%3a" spellings: the encoder would
# write it differently, so only an answer that returns the id as given keeps it.
RESPELLED = (
    "contact-streaming:streaming=stream-0001&endpoint=arn%3aaws%3asns%3aus-east-1%3a123456789012"
    "%3achat-transcripts&contact=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    "&instance=11111111-2222-3333-4444-555555555555&region=us-east-1&state=started"
)
A_STREAM = Stream(REGION, INSTANCE_ID, CONTACT_ID, TOPIC_ARN, streaming_id=STREAMING_ID)
OTHER_CONTACT = "ffffffff-0000-1111-2222-333333333333"


def test_earlier_ids_parse_as_they_did() -> None:
    assert parse_physical_id(EARLIER_STARTED) == A_STREAM
    assert parse_physical_id(RESPELLED) == A_STREAM
    assert parse_physical_id(EARLIER_PENDING) == Stream(
        REGION, INSTANCE_ID, CONTACT_ID, TOPIC_ARN, state="pending", client_token="ab" * 32
    )
    assert parse_physical_id(EARLIER_NONE) is None


def test_create_id_same_as_earlier_versions_wrote() -> None:
    assert A_STREAM.physical_id() == EARLIER_STARTED


@pytest.mark.parametrize("earlier_id", [EARLIER_STARTED, RESPELLED])
def test_update_nothing_changed_earlier_id_answered_byte_for_byte_without_call(
    connect: StubbedConnect,
    cloudformation: StubbedConnect,
    lambda_context: LambdaContext,
    earlier_id: str,
) -> None:
    upgraded = properties(ServiceTimeout="300", Pace="0,0")
    kept = handler.update(
        event("Update", upgraded, physical_id=earlier_id, old_props=properties()), lambda_context
    )

    assert returned_id(kept) == earlier_id
    assert handler.helper.Data == {"StreamingId": STREAMING_ID}
    assert (connect.calls, cloudformation.calls) == ([], [])


@pytest.mark.parametrize("earlier_id", [EARLIER_STARTED, RESPELLED])
def test_delete_earlier_id_stops_its_stream(
    connect: StubbedConnect, lambda_context: LambdaContext, earlier_id: str
) -> None:
    connect.stubber.add_response("stop_contact_streaming", {}, stop_params())

    deleted = handler.delete(event("Delete", physical_id=earlier_id), lambda_context)

    assert returned_id(deleted) == earlier_id
    assert connect.calls == ["StopContactStreaming"]


def test_replacing_update_of_earlier_id_remembers_its_streaming_id(
    connect: StubbedConnect, cloudformation: StubbedConnect, lambda_context: LambdaContext
) -> None:
    queue_status(cloudformation, "UPDATE_IN_PROGRESS")
    token = expected_token(STACK_ID, LOGICAL_ID, REQUEST_ID)
    connect.stubber.add_response(
        "start_contact_streaming",
        {"StreamingId": "stream-0002"},
        start_params(token, contact_id=OTHER_CONTACT),
    )
    moved = properties(ContactId=OTHER_CONTACT)

    new_id = returned_id(
        handler.update(
            event("Update", moved, physical_id=EARLIER_STARTED, old_props=properties()),
            lambda_context,
        )
    )

    assert parse_physical_id(new_id) == Stream(
        REGION,
        INSTANCE_ID,
        OTHER_CONTACT,
        TOPIC_ARN,
        streaming_id="stream-0002",
        previous=STREAMING_ID,
    )
    # An earlier version reads the new id too: the fields it knows, unchanged, and `previous`,
    # which it ignores, last.
    fields = parse_qsl(new_id.removeprefix(ID_PREFIX))
    assert [name for name, _ in fields] == [
        "state",
        "region",
        "instance",
        "contact",
        "endpoint",
        "streaming",
        "previous",
    ]
    assert connect.calls == ["StartContactStreaming"]
