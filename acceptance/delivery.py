"""What reaches the consumer's queue, and whether it is what Connect should have delivered.

The subscription is not raw: each SQS message body is SNS's envelope, whose `Message` is the chat
item and whose `MessageAttributes` are Connect's (Connect's admin guide, "Use the Amazon SNS
payload after enabling message streaming").
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

VISIBILITIES = ("CUSTOMER", "AGENT", "ALL")
POLL_S = 2


@dataclass(frozen=True)
class Sent:
    """One message the customer sent, as SendMessage answered."""

    item_id: str
    absolute_time: str
    content: str
    at_monotonic: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Delivery:
    """One message as it arrived on the queue."""

    item: dict[str, Any]
    attributes: dict[str, str]
    at: float

    def describe(self) -> str:
        """One line for the user: who, what, and the attributes that route it."""
        names = ("ParticipantRole", "Type", "ContentType", "MessageVisibility")
        routed = " ".join(f"{n}={self.attributes.get(n, '-')}" for n in names)
        role, content = self.item.get("ParticipantRole", "?"), self.item.get("Content", "")
        return f"{role:<9} {content!r}  {routed}"


def parse(body: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The chat item and its message attributes from an SNS envelope."""
    envelope = json.loads(body)
    attributes = {
        name: str(value.get("Value", ""))
        for name, value in envelope.get("MessageAttributes", {}).items()
    }
    return json.loads(envelope["Message"]), attributes


def receive(sqs: Any, queue_url: str, count: int, wait_s: float) -> list[Delivery]:
    """Poll the queue until `count` messages arrived or `wait_s` passed; delete what was read."""
    got: list[Delivery] = []
    deadline = time.monotonic() + wait_s
    while len(got) < count and (left := deadline - time.monotonic()) > 0:
        answer = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=max(1, min(POLL_S, int(left))),
        )
        for message in answer.get("Messages", []):
            item, attributes = parse(message["Body"])
            got.append(Delivery(item, attributes, time.monotonic()))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return got


def check_delivery(
    got: list[Delivery], sent: list[Sent], attributes: dict[str, str], participant_id: str
) -> list[str]:
    """What is wrong with the deliveries of `sent` (nothing: an empty list)."""
    if len(got) != len(sent):
        return [f"{len(got)} of {len(sent)} messages reached the queue"]
    problems: list[str] = []
    ordered = sorted(got, key=lambda d: str(d.item.get("AbsoluteTime", "")))
    if [d.item.get("Id") for d in ordered] != [s.item_id for s in sent]:
        problems.append("the items' Ids, in AbsoluteTime order, are not the sent messages' Ids")
    for delivery, message in zip(ordered, sent, strict=True):
        problems += check_one(delivery, message, attributes, participant_id)
    return problems


def check_one(
    delivery: Delivery, sent: Sent, attributes: dict[str, str], participant_id: str
) -> list[str]:
    """What is wrong with one delivery of one sent message."""
    item = delivery.item
    expected_item = {
        "Content": sent.content,
        "ContentType": "text/plain",
        "Type": "MESSAGE",
        "ParticipantRole": "CUSTOMER",
        "ParticipantId": participant_id,
        "ContactId": attributes["ContactId"],
        "InitialContactId": attributes["InitialContactId"],
    }
    problems = [
        f"item {sent.item_id}: {name} is {item.get(name)!r}, expected {value!r}"
        for name, value in expected_item.items()
        if item.get(name) != value
    ]
    problems += [
        f"item {sent.item_id}: attribute {name} is {delivery.attributes.get(name)!r}, "
        f"expected {value!r}"
        for name, value in attributes.items()
        if delivery.attributes.get(name) != value
    ]
    if delivery.attributes.get("MessageVisibility") not in VISIBILITIES:
        problems.append(f"item {sent.item_id}: MessageVisibility missing or unknown")
    if not item.get("AbsoluteTime") or not item.get("DisplayName"):
        problems.append(f"item {sent.item_id}: AbsoluteTime or DisplayName missing")
    return problems
