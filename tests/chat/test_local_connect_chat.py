"""The local Connect carries a chat as Connect does, through boto3's real clients.

StartChatContact and the participant service (its own endpoint, bearer tokens); every item of a
streamed chat published to the stream's topic with Connect's payload and attributes. Publishing
goes to a recorder with SNS Publish's signature (the engine's SNS is tested in tests/acceptance).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from standins.aws import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, SESSION_TOKEN
from standins.chat import ENDED, JOINED, LEFT
from standins.connect import ConnectStandIn

INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
FLOW_ID = "c0ffee00-1234-4abc-9def-0123456789ab"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:chat"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@dataclass
class Recorder:
    """Stands in for a boto3 SNS client: keeps each Publish."""

    published: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, **request: Any) -> dict[str, str]:
        self.published.append(request)
        return {"MessageId": str(len(self.published))}

    def items(self) -> list[tuple[dict[str, Any], dict[str, str]]]:
        """Each published chat item and its attributes."""
        return [
            (
                json.loads(p["Message"]),
                {k: v["StringValue"] for k, v in p["MessageAttributes"].items()},
            )
            for p in self.published
        ]


@dataclass
class World:
    """The local Connect, its recorder and the two boto3 clients."""

    connect: ConnectStandIn
    sns: Recorder
    client: Any
    participant: Any

    def start_chat(self, **extra: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.start_chat_contact(
            InstanceId=INSTANCE_ID,
            ContactFlowId=FLOW_ID,
            ParticipantDetails={"DisplayName": "Jane"},
            **extra,
        )
        return answer

    def stream(self, contact_id: str) -> str:
        return str(
            self.client.start_contact_streaming(
                InstanceId=INSTANCE_ID,
                ContactId=contact_id,
                ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC_ARN},
                ClientToken=f"stream-{contact_id}",
            )["StreamingId"]
        )

    def connection(self, participant_token: str, connect_participant: bool = False) -> str:
        answer = self.participant.create_participant_connection(
            ParticipantToken=participant_token,
            Type=["CONNECTION_CREDENTIALS"],
            ConnectParticipant=connect_participant,
        )
        return str(answer["ConnectionCredentials"]["ConnectionToken"])


@pytest.fixture
def world() -> Iterator[World]:
    connect = ConnectStandIn().start()
    participant_service = connect.start_participant_service()
    recorder = Recorder()
    connect.publish_with(recorder)
    connect.add_instance(INSTANCE_ID, FLOW_ID)
    keys: dict[str, Any] = {
        "region_name": REGION,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "aws_session_token": SESSION_TOKEN,
        "config": NO_RETRIES,
    }
    try:
        yield World(
            connect,
            recorder,
            boto3.client("connect", endpoint_url=connect.url, **keys),
            boto3.client("connectparticipant", endpoint_url=participant_service.url, **keys),
        )
    finally:
        connect.stop()


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_start_chat_unknown_flow_or_instance_resource_not_found(world: World) -> None:
    with pytest.raises(ClientError) as flow:
        world.client.start_chat_contact(
            InstanceId=INSTANCE_ID, ContactFlowId="nope", ParticipantDetails={"DisplayName": "J"}
        )
    with pytest.raises(ClientError) as instance:
        world.client.describe_instance(InstanceId="11111111-2222-4333-8444-555555555555")
    assert error_code(flow) == error_code(instance) == "ResourceNotFoundException"
    assert "Contact flow nope not found" in str(flow.value)


def test_start_chat_same_client_token_same_contact(world: World) -> None:
    first = world.start_chat(ClientToken="once")
    again = world.start_chat(ClientToken="once")
    assert first["ContactId"] == again["ContactId"]
    assert first["ParticipantToken"] == again["ParticipantToken"]


def test_start_chat_duration_out_of_model_range_invalid_parameter(world: World) -> None:
    unchecked = boto3.client(
        "connect",
        endpoint_url=world.connect.url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        config=NO_RETRIES.merge(Config(parameter_validation=False)),
    )
    with pytest.raises(ClientError) as error:
        unchecked.start_chat_contact(
            InstanceId=INSTANCE_ID,
            ContactFlowId=FLOW_ID,
            ParticipantDetails={"DisplayName": "Jane"},
            ChatDurationInMinutes=59,
        )
    assert error_code(error) == "InvalidParameterException"
    assert "between 60 and 10080" in str(error.value)


def test_start_chat_with_streaming_configuration_returns_streaming_id(world: World) -> None:
    chat = world.start_chat(ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC_ARN})
    (stream,) = world.connect.active_streams()
    assert chat["StreamingId"] == stream.streaming_id
    assert stream.contact_id == chat["ContactId"]


def test_chat_not_streamed_publishes_nothing_and_refuses_connect_participant(
    world: World,
) -> None:
    chat = world.start_chat()
    with pytest.raises(ClientError) as refused:
        world.connection(chat["ParticipantToken"], connect_participant=True)
    token = world.connection(chat["ParticipantToken"])
    world.participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="hi")
    assert error_code(refused) == "ValidationException"
    assert world.sns.published == []


def test_streamed_chat_publishes_joined_message_left_ended_with_connect_attributes(
    world: World,
) -> None:
    chat = world.start_chat()
    world.stream(chat["ContactId"])
    token = world.connection(chat["ParticipantToken"], connect_participant=True)
    sent = world.participant.send_message(
        ConnectionToken=token, ContentType="text/plain", Content="hello"
    )
    world.participant.disconnect_participant(ConnectionToken=token)
    items = world.sns.items()
    assert [(i["Type"], i["ContentType"], i["ParticipantRole"]) for i, _ in items] == [
        ("EVENT", JOINED, "CUSTOMER"),
        ("MESSAGE", "text/plain", "CUSTOMER"),
        ("EVENT", LEFT, "CUSTOMER"),
        ("EVENT", ENDED, "SYSTEM"),
    ]
    item, attributes = items[1]
    assert item["Id"] == sent["Id"]
    assert item["Content"] == "hello"
    assert item["ParticipantId"] == chat["ParticipantId"]
    assert attributes == {
        "InitialContactId": chat["ContactId"],
        "ContactId": chat["ContactId"],
        "ParticipantRole": "CUSTOMER",
        "InstanceId": INSTANCE_ID,
        "AccountId": ACCOUNT,
        "Type": "MESSAGE",
        "ContentType": "text/plain",
        "MessageVisibility": "ALL",
    }
    assert {p["TopicArn"] for p in world.sns.published} == {TOPIC_ARN}
    assert world.connect.active_streams() == []


def test_stopped_stream_publishes_no_more(world: World) -> None:
    chat = world.start_chat()
    streaming_id = world.stream(chat["ContactId"])
    token = world.connection(chat["ParticipantToken"], connect_participant=True)
    world.client.stop_contact_streaming(
        InstanceId=INSTANCE_ID, ContactId=chat["ContactId"], StreamingId=streaming_id
    )
    world.participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="x")
    assert [i["Type"] for i, _ in world.sns.items()] == ["EVENT"]


def test_send_message_same_client_token_one_item(world: World) -> None:
    chat = world.start_chat()
    world.stream(chat["ContactId"])
    token = world.connection(chat["ParticipantToken"])
    first = world.participant.send_message(
        ConnectionToken=token, ContentType="text/plain", Content="once", ClientToken="t-1"
    )
    again = world.participant.send_message(
        ConnectionToken=token, ContentType="text/plain", Content="once", ClientToken="t-1"
    )
    assert first["Id"] == again["Id"]
    assert [i["Type"] for i, _ in world.sns.items()] == ["EVENT", "MESSAGE"]


@pytest.mark.parametrize("bearer", ["connection", "wrong"])
def test_create_connection_with_other_than_participant_token_access_denied(
    world: World, bearer: str
) -> None:
    chat = world.start_chat()
    used = {"connection": world.connection(chat["ParticipantToken"]), "wrong": "x" * 40}[bearer]
    with pytest.raises(ClientError) as error:
        world.participant.create_participant_connection(
            ParticipantToken=used, Type=["CONNECTION_CREDENTIALS"]
        )
    assert error_code(error) == "AccessDeniedException"


def test_send_message_with_participant_token_access_denied(world: World) -> None:
    chat = world.start_chat()
    world.connection(chat["ParticipantToken"])
    with pytest.raises(ClientError) as error:
        world.participant.send_message(
            ConnectionToken=chat["ParticipantToken"], ContentType="text/plain", Content="x"
        )
    assert error_code(error) == "AccessDeniedException"


def test_agent_joins_and_both_messages_are_streamed_with_their_roles(world: World) -> None:
    chat = world.start_chat()
    world.stream(chat["ContactId"])
    agent = world.connection(world.connect.join_agent(chat["ContactId"]))
    customer = world.connection(chat["ParticipantToken"])
    for token, text in ((customer, "hi"), (agent, "hello")):
        world.participant.send_message(
            ConnectionToken=token, ContentType="text/plain", Content=text
        )
    messages = [
        (i["ParticipantRole"], i["Content"]) for i, _ in world.sns.items() if "Content" in i
    ]
    assert messages == [("CUSTOMER", "hi"), ("AGENT", "hello")]


def test_chat_tokens_never_in_recorded_calls(world: World) -> None:
    chat = world.start_chat()
    token = world.connection(chat["ParticipantToken"])
    recorded = json.dumps([c.body for c in world.connect.calls])
    assert chat["ParticipantToken"] not in recorded
    assert token not in recorded
    assert world.connect.participant is not None
    assert [c.operation for c in world.connect.participant.calls] == ["CreateParticipantConnection"]
