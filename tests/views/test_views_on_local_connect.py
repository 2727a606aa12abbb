"""Each consumer view, on the local engine's SNS, against a chat as the local Connect streams it.

A whole chat goes through the local Connect's own publishing to a topic of the local engine:
every participant role (customer, agent, supervisor, a custom bot, the system), items of every
MessageVisibility (CUSTOMER, AGENT, ALL) from each role, the events the payload page names (joined,
left, typing, transfer succeeded and failed, interactive message, chat ended) and a transfer, after
which ContactId differs from InitialContactId. One queue per view, subscribed with the view's
filter policy. Each view gets exactly the items its rule selects: none meant for its audience
dropped, none meant for another delivered.

Items missing an attribute (Connect's page lists every attribute on every item; the stand-in
never omits one) are published straight to the topic: SNS drops them from every view that
filters on that attribute, where the guide's rule read literally would deliver some
(docs/consumer-views.md).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from contact_streaming import ConsumerView, MessageVisibility, ParticipantRole
from local.session import Session
from local.world import CONTACT_FLOW_ID, INSTANCE_ID
from standins.chat import (
    ENDED,
    INTERACTIVE,
    JOINED,
    LEFT,
    TRANSFER_FAILED,
    TRANSFER_SUCCEEDED,
    TYPING,
    sns_attributes,
)

ROLES = [role.value for role in ParticipantRole]
VISIBILITIES = [visibility.value for visibility in MessageVisibility]
Attributes = dict[str, str]


def shown_to_customer(a: Attributes) -> bool:
    """The guide: (MessageVisibility == CUSTOMER || MessageVisibility == ALL) && ParticipantRole != CUSTOMER."""  # noqa: E501
    visible = a.get("MessageVisibility") in ("CUSTOMER", "ALL")
    return visible and a.get("ParticipantRole") != "CUSTOMER"


def shown_to_agent(a: Attributes) -> bool:
    """The guide: (MessageVisibility == AGENT || MessageVisibility == ALL) && ParticipantRole != AGENT."""  # noqa: E501
    return a.get("MessageVisibility") in ("AGENT", "ALL") and a.get("ParticipantRole") != "AGENT"


def sent_by(role: str, *, events: bool) -> Callable[[Attributes], bool]:
    """What one role sent: its messages, or everything."""
    return lambda a: a.get("ParticipantRole") == role and (events or a.get("Type") == "MESSAGE")


VIEWS: dict[str, tuple[ConsumerView, Callable[[Attributes], bool]]] = {
    "customer": (ConsumerView.customer(), shown_to_customer),
    "agent": (ConsumerView.agent(), shown_to_agent),
    **{
        f"{role.lower()}-messages": (ConsumerView.sent_by(role), sent_by(role, events=False))
        for role in ROLES
    },
    **{
        f"{role.lower()}-items": (
            ConsumerView.sent_by(role, include_events=True),
            sent_by(role, events=True),
        )
        for role in ROLES
    },
}


@dataclass
class Played:
    """What the chat put on the topic (item Id to attributes), and its two contact ids."""

    items: dict[str, Attributes]
    initial_contact_id: str
    transferred_contact_id: str


def play_chat(session: Session, topic_arn: str) -> Played:
    """A streamed chat with every role, visibility and event, and a transfer, through Connect."""
    connect = session.connect
    client = session.connect_client()
    participant = session.participant_client()

    def connection(participant_token: str) -> str:
        answer = participant.create_participant_connection(
            ParticipantToken=participant_token, Type=["CONNECTION_CREDENTIALS"]
        )
        return str(answer["ConnectionCredentials"]["ConnectionToken"])

    def say(token: str, text: str) -> None:
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=text)

    started = client.start_chat_contact(
        InstanceId=INSTANCE_ID,
        ContactFlowId=CONTACT_FLOW_ID,
        ParticipantDetails={"DisplayName": "Jane"},
        ChatStreamingConfiguration={"StreamingEndpointArn": topic_arn},
    )
    contact_id = started["ContactId"]
    customer = connection(started["ParticipantToken"])
    say(customer, "hello")
    participant.send_event(ConnectionToken=customer, ContentType=TYPING)
    say(connection(connect.join_agent(contact_id, "Ann")), "hi Jane")
    for role in ("SUPERVISOR", "CUSTOM_BOT"):
        say(connection(connect.chats.join(contact_id, role, role).participant_token), role)
    for role in ROLES:
        for visibility in VISIBILITIES:
            connect.post(contact_id, role, f"{role} to {visibility}", visibility)
    connect.chats.post(contact_id, "SYSTEM", "{}", "ALL", content_type=INTERACTIVE)
    transferred = connect.transfer(contact_id)
    say(connection(connect.join_agent(transferred, "Bob")), "I can help")
    say(customer, "thanks")
    connect.transfer(transferred, succeeded=False)
    participant.disconnect_participant(ConnectionToken=customer)
    items = {str(p.item["Id"]): dict(p.attributes) for p in connect.chats.published_to(contact_id)}
    return Played(items, contact_id, transferred)


# Items Connect's page never shows, each lacking one attribute the views filter on.
MISSING: dict[str, Attributes] = {
    "no-role": {"MessageVisibility": "ALL", "Type": "MESSAGE"},
    "no-visibility": {"ParticipantRole": "AGENT", "Type": "MESSAGE"},
    "no-type": {"ParticipantRole": "CUSTOMER", "MessageVisibility": "ALL"},
}


def publish_missing(sns: Any, topic_arn: str) -> None:
    """Publish the MISSING items straight to the topic, their names as their Ids."""
    for name, attributes in MISSING.items():
        sns.publish(
            TopicArn=topic_arn,
            Message=json.dumps({"Id": name, "Content": name}),
            MessageAttributes=sns_attributes(attributes),
        )


def missing_delivered(view_name: str) -> set[str]:
    """The MISSING items a view's subscription passes: those with every attribute it filters on
    that its rule accepts."""
    view, rule = VIEWS[view_name]
    filtered = set(view.rules)
    return {name for name, a in MISSING.items() if not filtered - set(a) and rule(a)}


def deliverable(view_name: str, played: Played) -> int:
    """How many items the view's queue should get: the chat's that its rule accepts, and the
    MISSING ones its subscription passes."""
    _, rule = VIEWS[view_name]
    return sum(map(rule, played.items.values())) + len(missing_delivered(view_name))


def drain(sqs: Any, queue_url: str, expected: int) -> list[str]:
    """The item Ids a queue received, waiting (bounded) until no more arrive."""
    got: list[str] = []
    quiet_since = time.monotonic()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = answer.get("Messages", [])
        for message in messages:
            got.append(str(json.loads(json.loads(message["Body"])["Message"])["Id"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if messages:
            quiet_since = time.monotonic()
        elif len(got) >= expected and time.monotonic() - quiet_since > 2:
            break
    return got


@dataclass
class Run:
    """The chat played, and what each view's queue received."""

    played: Played
    delivered: dict[str, list[str]]


@pytest.fixture(scope="module")
def run(session: Session) -> Iterator[Run]:
    sns, sqs = session.client("sns"), session.client("sqs")
    name = f"views-chat-{uuid.uuid4().hex[:8]}"
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queues: dict[str, str] = {}
    try:
        for view_name, (view, _) in VIEWS.items():
            url = sqs.create_queue(QueueName=f"{name}-{view_name}")["QueueUrl"]
            queues[view_name] = url
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=arn["Attributes"]["QueueArn"],
                Attributes={"FilterPolicy": json.dumps(view.filter_policy_document)},
            )
        played = play_chat(session, topic_arn)
        publish_missing(sns, topic_arn)
        # Every queue at once: each waits until it has been quiet for a while, as drain says.
        with ThreadPoolExecutor(max_workers=len(queues)) as pool:
            draining = {
                view_name: pool.submit(drain, sqs, url, deliverable(view_name, played))
                for view_name, url in queues.items()
            }
            delivered = {view_name: future.result() for view_name, future in draining.items()}
        yield Run(played, delivered)
    finally:
        for url in queues.values():
            sqs.delete_queue(QueueUrl=url)
        sns.delete_topic(TopicArn=topic_arn)


def test_views_chat_has_every_role_visibility_and_page_event(run: Run) -> None:
    items = run.played.items.values()

    assert {(a["ParticipantRole"], a["MessageVisibility"]) for a in items} >= {
        (role, visibility) for role in ROLES for visibility in VISIBILITIES
    }
    assert {a["Type"] for a in items} == {"MESSAGE", "EVENT"}
    assert {a["ContentType"] for a in items} >= {
        JOINED,
        LEFT,
        TYPING,
        TRANSFER_SUCCEEDED,
        TRANSFER_FAILED,
        INTERACTIVE,
        ENDED,
        "text/plain",
    }
    assert {a["InitialContactId"] for a in items} == {run.played.initial_contact_id}
    assert {a["ContactId"] for a in items} == {
        run.played.initial_contact_id,
        run.played.transferred_contact_id,
    }


@pytest.mark.parametrize("view_name", list(VIEWS))
def test_view_on_local_connect_chat_delivers_exactly_the_guides_items(
    run: Run, view_name: str
) -> None:
    _, rule = VIEWS[view_name]
    expected = sorted(item_id for item_id, a in run.played.items.items() if rule(a))
    delivered = sorted(i for i in run.delivered[view_name] if i not in MISSING)

    assert expected  # every view has an audience in this chat
    assert delivered == expected


@pytest.mark.parametrize("view_name", list(VIEWS))
def test_view_item_missing_a_filtered_attribute_is_never_delivered(
    run: Run, view_name: str
) -> None:
    missing = {i for i in run.delivered[view_name] if i in MISSING}

    assert missing == missing_delivered(view_name)


def test_customer_view_drops_item_without_role_that_the_literal_rule_would_deliver(
    run: Run,
) -> None:
    # (ALL and ParticipantRole missing) satisfies "ParticipantRole != CUSTOMER" read literally;
    # SNS's anything-but needs the attribute, so the view drops the item (fail safe).
    assert shown_to_customer(MISSING["no-role"])
    assert shown_to_agent(MISSING["no-role"])
    assert "no-role" not in run.delivered["customer"]
    assert "no-role" not in run.delivered["agent"]
