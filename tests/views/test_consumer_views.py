"""Consumer views: each filter policy, on the local engine's SNS, lets through exactly what
Connect's admin guide says that consumer should get, of messages of every role and visibility.

The expected sets come from the guide's own rules (written here as Python predicates); what each
queue receives comes from SNS applying the view's filter policy (ministack evaluates filter
policies, "anything-but" included).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from itertools import product
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from contact_streaming import ConsumerView, MessageVisibility, ParticipantRole
from local.session import Session
from standins.chat import ChatContact, Participant, chat_item, item_attributes, sns_attributes

INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ROLES = [role.value for role in ParticipantRole]
VISIBILITIES = [visibility.value for visibility in MessageVisibility]
TYPES = ["MESSAGE", "EVENT"]
Kind = tuple[str, str, str]  # role, visibility, type
EVERY_KIND: list[Kind] = list(product(ROLES, VISIBILITIES, TYPES))


def shown_to_customer(role: str, visibility: str, _: str) -> bool:
    """The guide: (MessageVisibility == CUSTOMER || MessageVisibility == ALL) && ParticipantRole != CUSTOMER."""  # noqa: E501
    return visibility in ("CUSTOMER", "ALL") and role != "CUSTOMER"


def shown_to_agent(role: str, visibility: str, _: str) -> bool:
    """The guide: (MessageVisibility == AGENT || MessageVisibility == ALL) && ParticipantRole != AGENT."""  # noqa: E501
    return visibility in ("AGENT", "ALL") and role != "AGENT"


VIEWS: dict[str, tuple[ConsumerView, Callable[[str, str, str], bool]]] = {
    "customer": (ConsumerView.customer(), shown_to_customer),
    "agent": (ConsumerView.agent(), shown_to_agent),
    "customer-messages": (
        ConsumerView.sent_by("CUSTOMER"),
        lambda role, _, kind: role == "CUSTOMER" and kind == "MESSAGE",
    ),
    "agent-items": (
        ConsumerView.sent_by(ParticipantRole.AGENT, include_events=True),
        lambda role, _, __: role == "AGENT",
    ),
    "bot-messages": (
        ConsumerView.sent_by(ParticipantRole.CUSTOM_BOT),
        lambda role, _, kind: role == "CUSTOM_BOT" and kind == "MESSAGE",
    ),
}


def publish_every_kind(client: Any, topic_arn: str, contact_id: str) -> None:
    """One item of every role, visibility and type, with Connect's payload and attributes."""
    contact = ChatContact(INSTANCE_ID, contact_id)
    for role, visibility, kind in EVERY_KIND:
        sender = Participant(str(uuid.uuid4()), role, role.title(), "")
        content_type = (
            "text/plain" if kind == "MESSAGE" else "application/vnd.amazonaws.connect.event.typing"
        )
        item = chat_item(contact, sender, kind, content_type, f"{role} {visibility} {kind}")
        attributes = item_attributes(INSTANCE_ID, item, visibility)
        client.publish(
            TopicArn=topic_arn,
            Message=json.dumps(item),
            MessageAttributes=sns_attributes(attributes),
        )


def drain(client: Any, queue_url: str, expected: int) -> list[Kind]:
    """Everything on a queue: (role, visibility, type) of each delivered item."""
    got: list[Kind] = []
    for _ in range(10):
        answer = client.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        messages = answer.get("Messages", [])
        for message in messages:
            envelope = json.loads(message["Body"])
            attrs = {k: v["Value"] for k, v in envelope["MessageAttributes"].items()}
            got.append((attrs["ParticipantRole"], attrs["MessageVisibility"], attrs["Type"]))
            client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if not messages and len(got) >= expected:
            break
    return got


@pytest.fixture(scope="module")
def delivered(session: Session) -> Iterator[dict[str, list[Kind]]]:
    """One topic, one queue per view subscribed with the view's policy; every kind published."""
    sns_client, sqs_client = session.client("sns"), session.client("sqs")
    name = f"views-{uuid.uuid4().hex[:8]}"
    topic_arn = sns_client.create_topic(Name=name)["TopicArn"]
    queues: dict[str, str] = {}
    try:
        for view_name, (view, _) in VIEWS.items():
            url = sqs_client.create_queue(QueueName=f"{name}-{view_name}")["QueueUrl"]
            queues[view_name] = url
            arn = sqs_client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            sns_client.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=arn["Attributes"]["QueueArn"],
                Attributes={"FilterPolicy": json.dumps(view.filter_policy_json())},
            )
        publish_every_kind(sns_client, topic_arn, str(uuid.uuid4()))
        yield {
            view_name: drain(
                sqs_client, url, sum(map(bool, (VIEWS[view_name][1](*k) for k in EVERY_KIND)))
            )
            for view_name, url in queues.items()
        }
    finally:
        for url in queues.values():
            sqs_client.delete_queue(QueueUrl=url)
        sns_client.delete_topic(TopicArn=topic_arn)


@pytest.mark.parametrize("view_name", list(VIEWS))
def test_view_on_engine_sns_delivers_exactly_what_the_guide_says(
    delivered: dict[str, list[Kind]], view_name: str
) -> None:
    _, rule = VIEWS[view_name]
    expected = sorted(kind for kind in EVERY_KIND if rule(*kind))
    assert expected  # every view lets something through
    assert sorted(delivered[view_name]) == expected


def test_views_customer_and_agent_policies_are_the_guides_rules() -> None:
    assert ConsumerView.customer().filter_policy_json() == {
        "MessageVisibility": ["CUSTOMER", "ALL"],
        "ParticipantRole": [{"anything-but": ["CUSTOMER"]}],
    }
    assert ConsumerView.agent().filter_policy_json() == {
        "MessageVisibility": ["AGENT", "ALL"],
        "ParticipantRole": [{"anything-but": ["AGENT"]}],
    }
    assert ConsumerView.sent_by("SYSTEM").filter_policy_json() == {
        "ParticipantRole": ["SYSTEM"],
        "Type": ["MESSAGE"],
    }


def test_views_sent_by_unknown_role_raises_naming_role_and_choices() -> None:
    with pytest.raises(
        ValueError, match=r"role 'BOT' is not a Connect ParticipantRole; use one of AGENT, CUSTOMER"
    ):
        ConsumerView.sent_by("BOT")


@pytest.mark.parametrize("view_name", list(VIEWS))
def test_views_filter_policy_synthesizes_to_the_same_json_in_sqs_subscription(
    view_name: str,
) -> None:
    view, _ = VIEWS[view_name]
    stack = Stack(App(), "Views")
    topic = sns.Topic(stack, "Topic")
    topic.add_subscription(
        subscriptions.SqsSubscription(sqs.Queue(stack, "Queue"), filter_policy=view.filter_policy)
    )
    template = Template.from_stack(stack)
    (subscription,) = template.find_resources("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["FilterPolicy"] == view.filter_policy_json()
