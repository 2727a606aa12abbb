"""The local Connect sends items as Connect does: sizes in bytes, every visibility, transfers.

SendMessage's Content is at most 16,384 bytes (botocore's connectparticipant model: max 16384, its
documentation says bytes). The payload page ("Use the Amazon SNS payload after enabling message
streaming") gives MessageVisibility per item (CUSTOMER, AGENT or ALL), an InitialContactId that
can differ from ContactId after a transfer, and the event content types. Talked to over HTTP with
boto3's real clients; publishing goes to a recorder with SNS Publish's signature.
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
from standins.chat import JOINED, LEFT, TRANSFER_FAILED, TRANSFER_SUCCEEDED
from standins.connect import ConnectStandIn
from standins.participant import MESSAGE_BYTES

INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
FLOW_ID = "c0ffee00-1234-4abc-9def-0123456789ab"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:chat"


@dataclass
class Recorder:
    """Stands in for a boto3 SNS client: keeps each Publish."""

    published: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, **request: Any) -> dict[str, str]:
        self.published.append(request)
        return {"MessageId": str(len(self.published))}

    def items(self) -> list[tuple[dict[str, Any], dict[str, str]]]:
        return [
            (
                json.loads(p["Message"]),
                {k: v["StringValue"] for k, v in p["MessageAttributes"].items()},
            )
            for p in self.published
        ]


@dataclass
class Chat:
    """A streamed chat with its customer connected, and the clients that drive it."""

    connect: ConnectStandIn
    sns: Recorder
    participant: Any
    contact_id: str
    customer: str

    def connection(self, participant_token: str) -> str:
        answer = self.participant.create_participant_connection(
            ParticipantToken=participant_token, Type=["CONNECTION_CREDENTIALS"]
        )
        return str(answer["ConnectionCredentials"]["ConnectionToken"])

    def say(self, token: str, content: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.participant.send_message(
            ConnectionToken=token, ContentType="text/plain", Content=content
        )
        return answer


@pytest.fixture
def chat() -> Iterator[Chat]:
    connect = ConnectStandIn().start()
    service = connect.start_participant_service()
    recorder = Recorder()
    connect.publish_with(recorder)
    connect.add_instance(INSTANCE_ID, FLOW_ID)
    keys: dict[str, Any] = {
        "region_name": REGION,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "aws_session_token": SESSION_TOKEN,
        "config": Config(retries={"total_max_attempts": 1}),
    }
    try:
        client = boto3.client("connect", endpoint_url=connect.url, **keys)
        participant = boto3.client("connectparticipant", endpoint_url=service.url, **keys)
        started = client.start_chat_contact(
            InstanceId=INSTANCE_ID,
            ContactFlowId=FLOW_ID,
            ParticipantDetails={"DisplayName": "Jane"},
            ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC_ARN},
        )
        made = Chat(connect, recorder, participant, started["ContactId"], "")
        made.customer = made.connection(started["ParticipantToken"])
        yield made
    finally:
        connect.stop()


@pytest.mark.parametrize(
    ("content", "size"),
    [("a" * MESSAGE_BYTES, MESSAGE_BYTES), ("\N{GRINNING FACE}" * 4096, 16384)],
)
def test_send_message_at_16384_utf8_bytes_accepted(chat: Chat, content: str, size: int) -> None:
    assert len(content.encode()) == size == MESSAGE_BYTES == 16384

    chat.say(chat.customer, content)

    assert chat.sns.items()[-1][0]["Content"] == content


@pytest.mark.parametrize("content", ["\N{EURO SIGN}" * 5462, "\N{GRINNING FACE}" * 4097])
def test_send_message_over_16384_utf8_bytes_validation_exception(chat: Chat, content: str) -> None:
    # Few enough characters for botocore's own check (it counts characters), too many bytes.
    assert len(content) <= MESSAGE_BYTES < len(content.encode())
    published = len(chat.sns.published)

    with pytest.raises(ClientError) as refused:
        chat.say(chat.customer, content)

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert f"got {len(content.encode())}" in refused.value.response["Error"]["Message"]
    assert len(chat.sns.published) == published


def test_transfer_new_contact_id_same_initial_contact_id_on_every_later_item(chat: Chat) -> None:
    agent = chat.connection(chat.connect.join_agent(chat.contact_id, "Ann"))
    chat.say(agent, "let me transfer you")
    before = len(chat.sns.published)

    new_id = chat.connect.transfer(chat.contact_id)
    second = chat.connection(chat.connect.join_agent(new_id, "Bob"))
    chat.say(second, "hello again")
    chat.say(chat.customer, "thanks")

    assert new_id != chat.contact_id
    after = chat.sns.items()[before:]
    kinds = [(i["ContentType"], i["ParticipantRole"], a["MessageVisibility"]) for i, a in after]
    assert kinds == [
        (TRANSFER_SUCCEEDED, "SYSTEM", "AGENT"),
        (LEFT, "AGENT", "ALL"),
        (JOINED, "AGENT", "ALL"),
        ("text/plain", "AGENT", "ALL"),
        ("text/plain", "CUSTOMER", "ALL"),
    ]
    for item, attributes in after:
        assert item["InitialContactId"] == attributes["InitialContactId"] == chat.contact_id
    # The transfer event and the first agent's leaving belong to the contact being transferred.
    assert [a["ContactId"] for _, a in after[:2]] == [chat.contact_id] * 2
    for item, attributes in after[2:]:
        assert item["ContactId"] == attributes["ContactId"] == new_id
    assert {p.streaming_id for p in chat.connect.chats.published} == {
        s.streaming_id for s in chat.connect.active_streams()
    }


def test_transfer_failed_event_keeps_contact_id_and_agent(chat: Chat) -> None:
    agent = chat.connection(chat.connect.join_agent(chat.contact_id))

    same = chat.connect.transfer(chat.contact_id, succeeded=False)
    chat.say(agent, "still here")

    assert same == chat.contact_id
    (event, attributes), (message, _) = chat.sns.items()[-2:]
    assert (event["ContentType"], event["ParticipantRole"]) == (TRANSFER_FAILED, "SYSTEM")
    assert attributes["MessageVisibility"] == "AGENT"
    assert message["ContactId"] == message["InitialContactId"] == chat.contact_id


def test_post_publishes_items_of_customer_and_agent_visibility(chat: Chat) -> None:
    chat.connect.post(chat.contact_id, "SYSTEM", "You are third in the queue", "CUSTOMER")
    chat.connect.post(chat.contact_id, "CUSTOM_BOT", "Customer asked about billing", "AGENT")

    shown = [(i["ParticipantRole"], a["MessageVisibility"], a["Type"]) for i, a in chat.sns.items()]

    assert shown[-2:] == [("SYSTEM", "CUSTOMER", "MESSAGE"), ("CUSTOM_BOT", "AGENT", "MESSAGE")]


def test_every_participant_role_sends_through_the_participant_service(chat: Chat) -> None:
    for role in ("AGENT", "SUPERVISOR", "CUSTOM_BOT"):
        token = chat.connection(
            chat.connect.chats.join(chat.contact_id, role, role).participant_token
        )
        chat.say(token, f"from {role}")
    chat.say(chat.customer, "from CUSTOMER")
    chat.participant.disconnect_participant(ConnectionToken=chat.customer)

    roles = {i["ParticipantRole"] for i, _ in chat.sns.items()}

    assert roles == {"CUSTOMER", "AGENT", "SUPERVISOR", "CUSTOM_BOT", "SYSTEM"}


def test_start_streaming_on_a_transferred_contact_id_resource_not_found(chat: Chat) -> None:
    # Connect's answer is unpublished: StartContactStreaming's ContactId is "the contact
    # associated with the first interaction". The stand-in knows only the initial contact.
    new_id = chat.connect.transfer(chat.contact_id)
    client = boto3.client(
        "connect",
        endpoint_url=chat.connect.url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
    )

    with pytest.raises(ClientError) as refused:
        client.start_contact_streaming(
            InstanceId=INSTANCE_ID,
            ContactId=new_id,
            ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC_ARN},
            ClientToken="after-transfer",
        )

    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
