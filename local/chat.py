"""A chat in the local Connect: a customer and an agent talking through the participant service.

The contact starts in the local Connect (with a known ContactId, so the demo can deploy on it),
an agent joins, and both connect with their participant tokens (CreateParticipantConnection);
then they say a line every `interval_s` seconds with SendMessage, through boto3's real
`connectparticipant` client. The local Connect streams each message, as Connect does, to the
topic of every active stream of the contact; a message sent while no stream runs reaches no topic.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from standins.chat import CUSTOMER, Published
from standins.connect import ConnectStandIn

SCRIPT = (
    ("CUSTOMER", "Hello, my parcel has not arrived."),
    ("AGENT", "Sorry to hear that. What is the order number?"),
    ("CUSTOMER", "It is 4711."),
    ("AGENT", "Thanks, it is out for delivery today."),
)


class Chat:
    """A chat on one contact that says the next line of SCRIPT every `interval_s` seconds."""

    def __init__(
        self,
        connect: ConnectStandIn,
        participant: Any,
        instance_id: str,
        contact_id: str,
        interval_s: float = 0.5,
    ) -> None:
        self.connect = connect
        self.participant = participant
        self.instance_id = instance_id
        self.contact_id = contact_id
        self.interval_s = interval_s
        self.lines = itertools.cycle(SCRIPT)
        self.connections: dict[str, str] = {}
        self.lock = threading.Lock()
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> Chat:
        """Start the chat contact, connect its customer and agent, and start chatting."""
        _, customer = self.connect.start_chat(self.instance_id, self.contact_id)
        agent = self.connect.join_agent(self.contact_id)
        for role, token in ((CUSTOMER, customer), ("AGENT", agent)):
            answer = self.participant.create_participant_connection(
                ParticipantToken=token, Type=["CONNECTION_CREDENTIALS"]
            )
            self.connections[role] = answer["ConnectionCredentials"]["ConnectionToken"]
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop chatting (bounded wait for the thread)."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def run(self) -> None:
        """Say a line every interval until stopped."""
        while not self.stopping.wait(self.interval_s):
            role, text = next(self.lines)
            self.say(role, text)

    def say(self, role: str, text: str) -> list[Published]:
        """Send one message as `role` (SendMessage); what the local Connect streamed of it."""
        try:
            sent = self.participant.send_message(
                ConnectionToken=self.connections[role], ContentType="text/plain", Content=text
            )
        except (BotoCoreError, ClientError) as error:
            with self.lock:
                self.failures.append(f"{role}: {error}")
            return []
        return [p for p in self.published() if p.item["Id"] == sent["Id"]]

    def published(self) -> list[Published]:
        """Every item of this chat the local Connect published to a topic so far."""
        return self.connect.chats.published_to(self.contact_id)

    def published_to(self, streaming_id: str) -> list[Published]:
        """What went to one stream's topic so far."""
        return [p for p in self.published() if p.streaming_id == streaming_id]

    def count(self) -> int:
        """How many items were published so far (all streams)."""
        return len(self.published())
