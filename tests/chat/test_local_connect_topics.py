"""The local Connect allows a contact two active streams, as Connect allows it two SNS topics.

Admin guide, "Enable real-time chat message streaming", step 3: a contact can be subscribed to at
most two SNS topics. Connect's answer to a third is unpublished; the stand-in answers the one
limit error StartContactStreaming's model lists, LimitExceededException (429). Talked to over HTTP
with boto3's real client, retries off so each answer is seen as sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from standins.aws import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, SESSION_TOKEN
from standins.connect import START, TOPICS_PER_CONTACT, ConnectStandIn

INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
FLOW_ID = "c0ffee00-1234-4abc-9def-0123456789ab"
CONTACT_ID = "33333333-abc5-46db-9ad5-d772559ab556"
TOPICS = [f"arn:aws:sns:{REGION}:{ACCOUNT}:topic-{n}" for n in range(4)]


@pytest.fixture
def connect() -> Iterator[ConnectStandIn]:
    stand_in = ConnectStandIn().start()
    stand_in.add_instance(INSTANCE_ID, FLOW_ID)
    stand_in.add_contact(INSTANCE_ID, CONTACT_ID)
    try:
        yield stand_in
    finally:
        stand_in.stop()


@pytest.fixture
def client(connect: ConnectStandIn) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=connect.url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        config=Config(retries={"total_max_attempts": 1}),
    )


def start(client: Any, topic: str, token: str, contact_id: str = CONTACT_ID) -> str:
    return str(
        client.start_contact_streaming(
            InstanceId=INSTANCE_ID,
            ContactId=contact_id,
            ChatStreamingConfiguration={"StreamingEndpointArn": topic},
            ClientToken=token,
        )["StreamingId"]
    )


def test_local_connect_third_stream_on_contact_limit_exceeded_429(
    connect: ConnectStandIn, client: Any
) -> None:
    start(client, TOPICS[0], "a")
    start(client, TOPICS[1], "b")

    with pytest.raises(ClientError) as refused:
        start(client, TOPICS[2], "c")

    assert TOPICS_PER_CONTACT == 2
    assert refused.value.response["Error"]["Code"] == "LimitExceededException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert [s.endpoint_arn for s in connect.active_streams()] == TOPICS[:2]


def test_local_connect_replayed_client_token_at_the_limit_answers_same_stream(
    connect: ConnectStandIn, client: Any
) -> None:
    start(client, TOPICS[0], "a")
    second = start(client, TOPICS[1], "b")

    again = start(client, TOPICS[1], "b")

    assert again == second
    assert len(connect.active_streams()) == 2
    assert [call.status for call in connect.calls_of(START)] == [200, 200, 200]


def test_local_connect_stopped_stream_frees_its_place(connect: ConnectStandIn, client: Any) -> None:
    first = start(client, TOPICS[0], "a")
    start(client, TOPICS[1], "b")
    client.stop_contact_streaming(InstanceId=INSTANCE_ID, ContactId=CONTACT_ID, StreamingId=first)

    start(client, TOPICS[2], "c")

    assert sorted(s.endpoint_arn for s in connect.active_streams()) == TOPICS[1:3]


def test_local_connect_two_streams_to_one_topic_count_twice(
    connect: ConnectStandIn, client: Any
) -> None:
    # Whether Connect counts a topic named twice once is unpublished: the stand-in counts streams.
    start(client, TOPICS[0], "a")
    start(client, TOPICS[0], "b")

    with pytest.raises(ClientError) as refused:
        start(client, TOPICS[1], "c")

    assert refused.value.response["Error"]["Code"] == "LimitExceededException"


def test_local_connect_limit_is_per_contact(connect: ConnectStandIn, client: Any) -> None:
    other = "44444444-abc5-46db-9ad5-d772559ab556"
    connect.add_contact(INSTANCE_ID, other)
    start(client, TOPICS[0], "a")
    start(client, TOPICS[1], "b")

    start(client, TOPICS[2], "c", contact_id=other)

    assert len(connect.active_streams()) == 3


def test_local_connect_start_chat_streaming_counts_toward_the_limit(
    connect: ConnectStandIn, client: Any
) -> None:
    chat = client.start_chat_contact(
        InstanceId=INSTANCE_ID,
        ContactFlowId=FLOW_ID,
        ParticipantDetails={"DisplayName": "Jane"},
        ChatStreamingConfiguration={"StreamingEndpointArn": TOPICS[0]},
    )
    start(client, TOPICS[1], "b", contact_id=chat["ContactId"])

    with pytest.raises(ClientError) as refused:
        start(client, TOPICS[2], "c", contact_id=chat["ContactId"])

    assert refused.value.response["Error"]["Code"] == "LimitExceededException"
