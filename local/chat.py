"""An active chat contact in the local Connect, whose messages stream to SNS as Connect does.

Each message of the chat goes, as an SNS message, to the endpoint topic of every active stream of
that contact (the payload and message attributes of Connect's message streaming). A message sent
while no stream runs reaches no topic, as in Connect.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.world import ACCOUNT
from standins.connect import ConnectStandIn

SCRIPT = (
    ("CUSTOMER", "Customer", "Hello, my parcel has not arrived."),
    ("AGENT", "Agent", "Sorry to hear that. What is the order number?"),
    ("CUSTOMER", "Customer", "It is 4711."),
    ("AGENT", "Agent", "Thanks, it is out for delivery today."),
)


@dataclass(frozen=True)
class Published:
    """One chat message published to one stream's topic."""

    streaming_id: str
    topic_arn: str
    item_id: str
    content: str
    at: float


class Chat:
    """A chat on one contact that says the next line of SCRIPT every `interval_s` seconds."""

    def __init__(
        self,
        connect: ConnectStandIn,
        sns: Any,
        instance_id: str,
        contact_id: str,
        interval_s: float = 0.5,
    ) -> None:
        self.connect = connect
        self.sns = sns
        self.instance_id = instance_id
        self.contact_id = contact_id
        self.interval_s = interval_s
        self.lines = itertools.cycle(SCRIPT)
        self.lock = threading.Lock()
        self.published: list[Published] = []
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> Chat:
        """Make the contact active in the local Connect and start chatting."""
        self.connect.add_contact(self.instance_id, self.contact_id)
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
            role, name, text = next(self.lines)
            self.say(role, name, text)

    def say(self, role: str, name: str, text: str) -> list[Published]:
        """Send one chat message: publish it to every active stream of this contact."""
        item = message_item(self.contact_id, role, name, text)
        sent = []
        for stream in self.connect.active_streams():
            if (stream.instance_id, stream.contact_id) != (self.instance_id, self.contact_id):
                continue
            try:
                self.sns.publish(
                    TopicArn=stream.endpoint_arn,
                    Message=json.dumps(item),
                    MessageAttributes=attributes(self.instance_id, self.contact_id, role),
                )
            except (BotoCoreError, ClientError) as error:
                with self.lock:
                    self.failures.append(f"{stream.endpoint_arn}: {error}")
                continue
            sent.append(
                Published(
                    stream.streaming_id, stream.endpoint_arn, item["Id"], text, time.monotonic()
                )
            )
        with self.lock:
            self.published.extend(sent)
        return sent

    def published_to(self, streaming_id: str) -> list[Published]:
        """What went to one stream's topic so far."""
        with self.lock:
            return [p for p in self.published if p.streaming_id == streaming_id]

    def count(self) -> int:
        """How many messages were published so far (all streams)."""
        with self.lock:
            return len(self.published)


def message_item(contact_id: str, role: str, name: str, text: str) -> dict[str, str]:
    """The SNS message body: the chat item, as Connect's message streaming sends it."""
    return {
        "AbsoluteTime": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "Content": text,
        "ContentType": "text/plain",
        "Id": str(uuid.uuid4()),
        "Type": "MESSAGE",
        "ParticipantId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{contact_id}/{role}")),
        "DisplayName": name,
        "ParticipantRole": role,
        "InitialContactId": contact_id,
        "ContactId": contact_id,
    }


def attributes(instance_id: str, contact_id: str, role: str) -> dict[str, dict[str, str]]:
    """The SNS message attributes Connect sets (subscribers filter on MessageVisibility)."""
    values = {
        "InitialContactId": contact_id,
        "ContactId": contact_id,
        "ParticipantRole": role,
        "InstanceId": instance_id,
        "AccountId": ACCOUNT,
        "Type": "MESSAGE",
        "ContentType": "text/plain",
        "MessageVisibility": "ALL",
    }
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}
