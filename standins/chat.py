"""Chats in the local Connect: participants, their tokens, and every chat item streamed to SNS.

As Connect does, each item of a chat (a message, or an event: participant joined or left, chat
ended) goes to the endpoint topic of every active stream of its contact, as one SNS message whose
body is the chat item and whose message attributes are those of Connect's admin guide ("Use the
Amazon SNS payload after enabling message streaming"). An item of a chat without an active stream
reaches no topic. Publishing goes through the real SNS API (a boto3 client the owner gives).

A transfer gives the chat a new ContactId and keeps its InitialContactId, as the payload page says
the two can differ after a new agent or a queue-to-queue flow; the chat's streams, started on the
initial contact, keep publishing. Which items carry which MessageVisibility is unpublished: the
stand-in sends ALL on participants' messages and on joined, left, typing and ended events, AGENT on
transfer events (SYSTEM's, shown to agents only: an assumption), and `post` sends an item of any
role and visibility, as a flow, a bot or a supervisor would.

The participant and connection tokens are credentials: they are kept here, never logged.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from standins.aws import ACCOUNT

MESSAGE = "MESSAGE"
EVENT = "EVENT"
JOINED = "application/vnd.amazonaws.connect.event.participant.joined"
LEFT = "application/vnd.amazonaws.connect.event.participant.left"
ENDED = "application/vnd.amazonaws.connect.event.chat.ended"
TYPING = "application/vnd.amazonaws.connect.event.typing"
TRANSFER_SUCCEEDED = "application/vnd.amazonaws.connect.event.transfer.succeeded"
TRANSFER_FAILED = "application/vnd.amazonaws.connect.event.transfer.failed"
INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
# SendMessage's ContentType values (Connect Participant Service API reference).
MESSAGE_CONTENT_TYPES = frozenset(
    {
        "text/plain",
        "text/markdown",
        "application/json",
        "application/vnd.amazonaws.connect.message.interactive.response",
    }
)
CUSTOMER = "CUSTOMER"
AGENT = "AGENT"
SYSTEM = "SYSTEM"
ALL = "ALL"
CONNECTION_TTL_S = 24 * 3600
# Assumed (unpublished): transfer events are for the agents' side of the chat.
TRANSFER_VISIBILITY = AGENT


@dataclass
class Participant:
    """One participant of a chat, with its two bearer tokens."""

    participant_id: str
    role: str
    display_name: str
    participant_token: str
    connection_token: str = ""
    connected: bool = False
    left: bool = False
    sent: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class ChatContact:
    """A chat contact: its participants and state."""

    instance_id: str
    contact_id: str
    """The InitialContactId: the contact the chat started as, and its streams'."""
    participants: list[Participant] = field(default_factory=list)
    ended: bool = False
    current_contact_id: str = ""
    """The ContactId now: a new one after each transfer."""

    def __post_init__(self) -> None:
        self.current_contact_id = self.current_contact_id or self.contact_id


@dataclass(frozen=True)
class Published:
    """One chat item published to one stream's topic."""

    streaming_id: str
    topic_arn: str
    contact_id: str
    item: dict[str, Any]
    attributes: dict[str, str]
    at: float


class ParticipantError(Exception):
    """An error answer of the participant service: its type and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Stream:
    """What publishing needs of an active stream."""

    streaming_id: str
    topic_arn: str


def new_token(kind: str) -> str:
    """A fresh bearer token: unguessable, and recognisable in a leak check."""
    return f"{kind}-{secrets.token_urlsafe(32)}"


def now_iso() -> str:
    """Connect's AbsoluteTime: ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def chat_item(
    contact: ChatContact, sender: Participant, item_type: str, content_type: str, content: str
) -> dict[str, Any]:
    """The SNS message body: the chat item, as Connect's message streaming sends it."""
    item: dict[str, Any] = {
        "AbsoluteTime": now_iso(),
        "ContentType": content_type,
        "Id": str(uuid.uuid4()),
        "Type": item_type,
        "ParticipantId": sender.participant_id,
        "DisplayName": sender.display_name,
        "ParticipantRole": sender.role,
        "InitialContactId": contact.contact_id,
        "ContactId": contact.current_contact_id,
    }
    if content:
        item["Content"] = content
    return item


def item_attributes(
    instance_id: str, item: dict[str, Any], visibility: str = ALL
) -> dict[str, str]:
    """The SNS message attributes Connect sets on a chat item (consumers filter on them)."""
    return {
        "InitialContactId": str(item["InitialContactId"]),
        "ContactId": str(item["ContactId"]),
        "ParticipantRole": str(item["ParticipantRole"]),
        "InstanceId": instance_id,
        "AccountId": ACCOUNT,
        "Type": str(item["Type"]),
        "ContentType": str(item["ContentType"]),
        "MessageVisibility": visibility,
    }


def sns_attributes(attributes: dict[str, str]) -> dict[str, dict[str, str]]:
    """Message attributes in the shape of SNS Publish."""
    return {name: {"DataType": "String", "StringValue": v} for name, v in attributes.items()}


class Chats:
    """Every chat of the local Connect, and the publishing of its items to active streams.

    `streams_of(instance_id, contact_id)` answers the contact's active streams; `end_contact`
    marks the contact ended in the owner's state (its streams stop with it).
    """

    def __init__(
        self,
        streams_of: Callable[[str, str], list[Stream]],
        end_contact: Callable[[str, str], None],
    ) -> None:
        self.streams_of = streams_of
        self.end_contact = end_contact
        self.lock = threading.Lock()
        self.sns: Any = None
        self.chats: dict[str, ChatContact] = {}
        self.by_participant_token: dict[str, tuple[ChatContact, Participant]] = {}
        self.by_connection_token: dict[str, tuple[ChatContact, Participant]] = {}
        self.published: list[Published] = []
        self.failures: list[str] = []

    def publish_with(self, sns: Any) -> None:
        """Publish streamed items with this boto3 SNS client (the local engine's SNS)."""
        self.sns = sns

    # --- chats and participants -------------------------------------------------------------
    def open(self, instance_id: str, contact_id: str, display_name: str) -> Participant:
        """A new chat contact with its customer; returns the customer (with its token)."""
        contact = ChatContact(instance_id, contact_id)
        with self.lock:
            self.chats[contact_id] = contact
        return self.add_participant(contact, CUSTOMER, display_name)

    def join(self, contact_id: str, role: str, display_name: str) -> Participant:
        """Another participant (an agent, as the agent's workspace would join): its token."""
        with self.lock:
            contact = self.chats[contact_id]
        return self.add_participant(contact, role, display_name)

    def add_participant(self, contact: ChatContact, role: str, display_name: str) -> Participant:
        """Add a participant with a fresh participant token."""
        participant = Participant(str(uuid.uuid4()), role, display_name, new_token("participant"))
        with self.lock:
            contact.participants.append(participant)
            self.by_participant_token[participant.participant_token] = (contact, participant)
        return participant

    def contact_of(self, contact_id: str) -> ChatContact | None:
        """The chat of a contact, if it is one."""
        with self.lock:
            return self.chats.get(contact_id)

    def tokens(self) -> list[str]:
        """Every bearer token handed out (for leak checks)."""
        with self.lock:
            return [*self.by_participant_token, *self.by_connection_token]

    # --- the participant service ------------------------------------------------------------
    def connect(
        self, participant_token: str, types: Iterable[str], connect_participant: bool
    ) -> dict[str, Any]:
        """CreateParticipantConnection: a connection token for the participant the token names."""
        if "CONNECTION_CREDENTIALS" not in set(types):
            raise ParticipantError(
                "ValidationException",
                "the local Connect serves no websocket: ask for Type CONNECTION_CREDENTIALS",
            )
        contact, participant = self.in_chat(
            self.by_participant_token, participant_token, "participant"
        )
        if connect_participant and (participant.role != CUSTOMER or not self.streams(contact)):
            raise ParticipantError(
                "ValidationException",
                "ConnectParticipant is for the customer of a chat with message streaming on",
            )
        first = not participant.connected
        with self.lock:
            if not participant.connection_token:
                participant.connection_token = new_token("connection")
                self.by_connection_token[participant.connection_token] = (contact, participant)
            participant.connected = True
        if first:
            self.emit(contact, participant, EVENT, JOINED, "")
        expiry = datetime.fromtimestamp(time.time() + CONNECTION_TTL_S, UTC)
        return {
            "ConnectionCredentials": {
                "ConnectionToken": participant.connection_token,
                "Expiry": expiry.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
        }

    def participant_of(self, connection_token: str) -> tuple[ChatContact, Participant]:
        """The chat and participant a connection token names, while both are in the chat."""
        return self.in_chat(self.by_connection_token, connection_token, "connection")

    def in_chat(
        self,
        tokens: dict[str, tuple[ChatContact, Participant]],
        token: str,
        kind: str,
    ) -> tuple[ChatContact, Participant]:
        """The chat and participant `token` names in `tokens`, while both are in the chat."""
        with self.lock:
            found = tokens.get(token)
        if found is None:
            raise ParticipantError("AccessDeniedException", f"Invalid {kind} token")
        contact, participant = found
        if contact.ended or participant.left:
            raise ParticipantError("AccessDeniedException", "The participant is not in the chat")
        return found

    def send_message(
        self, connection_token: str, content_type: str, content: str, client_token: str
    ) -> dict[str, str]:
        """SendMessage: one MESSAGE item from the participant; idempotent on ClientToken."""
        contact, participant = self.participant_of(connection_token)
        if content_type not in MESSAGE_CONTENT_TYPES:
            raise ParticipantError(
                "ValidationException", f"ContentType {content_type!r} is not supported"
            )
        with self.lock:
            earlier = participant.sent.get(client_token) if client_token else None
        if earlier is not None:
            return earlier
        item = self.emit(contact, participant, MESSAGE, content_type, content)
        answer = {"Id": str(item["Id"]), "AbsoluteTime": str(item["AbsoluteTime"])}
        if client_token:
            with self.lock:
                participant.sent[client_token] = answer
        return answer

    def send_event(self, connection_token: str, content_type: str, content: str) -> dict[str, str]:
        """SendEvent: one EVENT item (typing, ...) from the participant."""
        contact, participant = self.participant_of(connection_token)
        item = self.emit(contact, participant, EVENT, content_type, content)
        return {"Id": str(item["Id"]), "AbsoluteTime": str(item["AbsoluteTime"])}

    def disconnect(self, connection_token: str) -> None:
        """DisconnectParticipant: the participant leaves; the chat ends when the customer does."""
        contact, participant = self.participant_of(connection_token)
        self.emit(contact, participant, EVENT, LEFT, "")
        with self.lock:
            participant.left = True
        if participant.role == CUSTOMER:
            self.end(contact)

    def end(self, contact: ChatContact) -> None:
        """End the chat: a chat.ended event, then the contact ends and its streams stop."""
        system = Participant("SYSTEM_MESSAGE", SYSTEM, "SYSTEM_MESSAGE", "")
        self.emit(contact, system, EVENT, ENDED, "")
        with self.lock:
            contact.ended = True
        self.end_contact(contact.instance_id, contact.contact_id)

    # --- what a contact flow, a bot or a transfer does ---------------------------------------
    def post(
        self,
        contact_id: str,
        role: str,
        content: str,
        visibility: str,
        *,
        item_type: str = MESSAGE,
        content_type: str = "text/plain",
    ) -> dict[str, Any]:
        """An item from outside the participant service (a flow's or a bot's), any visibility."""
        contact = self.live_chat(contact_id)
        sender = Participant(f"{role}_MESSAGE", role, role, "")
        return self.emit(contact, sender, item_type, content_type, content, visibility)

    def transfer(self, contact_id: str, *, succeeded: bool = True) -> str:
        """The agent transfers the chat: on success it leaves and the chat gets a new ContactId.

        Returns the ContactId after the transfer (the same one if it failed). The customer stays;
        the next agent joins with `join` (by either id).
        """
        contact = self.live_chat(contact_id)
        system = Participant("SYSTEM_MESSAGE", SYSTEM, "SYSTEM_MESSAGE", "")
        if not succeeded:
            self.emit(contact, system, EVENT, TRANSFER_FAILED, "", TRANSFER_VISIBILITY)
            return contact.current_contact_id
        self.emit(contact, system, EVENT, TRANSFER_SUCCEEDED, "", TRANSFER_VISIBILITY)
        for agent in [p for p in contact.participants if p.role == AGENT and not p.left]:
            self.emit(contact, agent, EVENT, LEFT, "")
            with self.lock:
                agent.left = True
        with self.lock:
            contact.current_contact_id = str(uuid.uuid4())
            self.chats[contact.current_contact_id] = contact
        return contact.current_contact_id

    def live_chat(self, contact_id: str) -> ChatContact:
        """The chat a contact id (initial or current) names, while it has not ended."""
        contact = self.contact_of(contact_id)
        if contact is None or contact.ended:
            raise ParticipantError("ResourceNotFoundException", f"No active chat {contact_id}")
        return contact

    # --- streaming --------------------------------------------------------------------------
    def streams(self, contact: ChatContact) -> list[Stream]:
        """The contact's active streams."""
        return self.streams_of(contact.instance_id, contact.contact_id)

    def emit(
        self,
        contact: ChatContact,
        sender: Participant,
        item_type: str,
        content_type: str,
        content: str,
        visibility: str = ALL,
    ) -> dict[str, Any]:
        """Make one chat item and publish it to every active stream of the contact."""
        item = chat_item(contact, sender, item_type, content_type, content)
        attributes = item_attributes(contact.instance_id, item, visibility)
        for stream in self.streams(contact):
            self.publish(stream, contact.contact_id, item, attributes)
        return item

    def publish(
        self, stream: Stream, contact_id: str, item: dict[str, Any], attributes: dict[str, str]
    ) -> None:
        """One SNS Publish to a stream's topic; a failure is recorded, not raised (as Connect)."""
        if self.sns is None:
            with self.lock:
                self.failures.append(f"{stream.topic_arn}: no SNS client to publish with")
            return
        try:
            self.sns.publish(
                TopicArn=stream.topic_arn,
                Message=json.dumps(item),
                MessageAttributes=sns_attributes(attributes),
            )
        except (BotoCoreError, ClientError) as error:
            with self.lock:
                self.failures.append(f"{stream.topic_arn}: {error}")
            return
        record = Published(
            stream.streaming_id, stream.topic_arn, contact_id, item, attributes, time.monotonic()
        )
        with self.lock:
            self.published.append(record)

    def published_to(self, contact_id: str) -> list[Published]:
        """What went to any topic for one contact so far."""
        with self.lock:
            return [p for p in self.published if p.contact_id == contact_id]
