"""Synth refuses streams that would subscribe one contact to more than two topics.

Connect's admin guide ("Enable real-time chat message streaming", step 3): at most two SNS topics
per contact, counted over an app's stacks. A contact is known when its id and instance are
literals or the same token.
"""

from __future__ import annotations

import re

import pytest
from aws_cdk import App, CfnParameter, Stack
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from contact_streaming import ConnectInstance, ContactStreaming

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ARN = f"arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE_ID}"
TOPICS = [f"arn:aws:sns:us-east-1:123456789012:topic-{n}" for n in range(3)]
CONTACT = "contact-1"


@pytest.fixture
def stack() -> Stack:
    return Stack(App(), "Test", env={"account": "123456789012", "region": "us-east-1"})


def stream(stack: Stack, name: str, topic: str, contact_id: str = CONTACT) -> ContactStreaming:
    return ContactStreaming(
        stack,
        name,
        contact_id=contact_id,
        instance_id=INSTANCE_ID,
        streaming_endpoint_arn=topic,
    )


def test_topics_per_contact_third_literal_stream_raises_naming_contact_and_paths(
    stack: Stack,
) -> None:
    stream(stack, "A", TOPICS[0])
    stream(stack, "B", TOPICS[1])

    with pytest.raises(ValueError, match="has 3 streams") as refused:
        stream(stack, "C", TOPICS[2])

    message = str(refused.value)
    assert f"contact_id '{CONTACT}' has 3 streams" in message
    for path, topic in zip(("Test/A", "Test/B", "Test/C"), TOPICS, strict=True):
        assert f"{path} -> '{topic}'" in message
    assert "at most two SNS topics" in message
    assert "Remove a stream of this contact" in message
    assert stack.node.try_find_child("C") is None
    Template.from_stack(stack).resource_count_is("Custom::ContactStreaming", 2)


def test_topics_per_contact_two_streams_of_a_contact_synthesize(stack: Stack) -> None:
    stream(stack, "A", TOPICS[0])
    stream(stack, "B", TOPICS[1])

    template = Template.from_stack(stack)

    template.resource_count_is("Custom::ContactStreaming", 2)


def test_topics_per_contact_other_contacts_do_not_count(stack: Stack) -> None:
    stream(stack, "A", TOPICS[0])
    stream(stack, "B", TOPICS[1])
    stream(stack, "C", TOPICS[2], contact_id="contact-2")
    stream(stack, "D", TOPICS[0], contact_id="contact-3")

    Template.from_stack(stack).resource_count_is("Custom::ContactStreaming", 4)


def test_topics_per_contact_one_topic_three_times_still_refused(stack: Stack) -> None:
    # Whether Connect counts a topic named twice once is unpublished: every stream counts.
    stream(stack, "A", TOPICS[0])
    stream(stack, "B", TOPICS[0])

    with pytest.raises(ValueError, match="has 3 streams"):
        stream(stack, "C", TOPICS[0])


def test_topics_per_contact_same_token_twice_is_one_contact(stack: Stack) -> None:
    contact = CfnParameter(stack, "ContactId").value_as_string
    topics = [sns.Topic(stack, f"Topic{n}") for n in range(3)]
    for name, topic in zip("AB", topics, strict=False):
        ContactStreaming(stack, name, contact_id=contact, instance_id=INSTANCE_ID, topic=topic)

    with pytest.raises(ValueError, match="has 3 streams") as refused:
        ContactStreaming(stack, "C", contact_id=contact, instance_id=INSTANCE_ID, topic=topics[2])

    message = str(refused.value)
    assert 'contact_id {"Ref": "ContactId"} has 3 streams' in message
    assert re.search(r'Test/C -> \{"Ref": "Topic2\w+"\}', message), message


def test_topics_per_contact_instance_by_id_and_by_arn_is_one_instance(stack: Stack) -> None:
    stream(stack, "A", TOPICS[0])
    ContactStreaming(
        stack, "B", contact_id=CONTACT, instance_arn=INSTANCE_ARN, streaming_endpoint_arn=TOPICS[1]
    )

    with pytest.raises(ValueError, match="has 3 streams"):
        stream(stack, "C", TOPICS[2])


def test_topics_per_contact_different_tokens_are_left_to_deploy(stack: Stack) -> None:
    # Two parameters may hold the same contact at deploy time; synth cannot know: no refusal.
    for n in range(3):
        contact = CfnParameter(stack, f"Contact{n}").value_as_string
        stream(stack, f"S{n}", TOPICS[n], contact_id=contact)

    Template.from_stack(stack).resource_count_is("Custom::ContactStreaming", 3)


def test_topics_per_contact_streams_of_one_contact_in_two_stacks_count_together() -> None:
    app = App()
    stacks = [
        Stack(app, name, env={"account": "123456789012", "region": "us-east-1"})
        for name in ("One", "Two")
    ]
    stream(stacks[0], "A", TOPICS[0])
    stream(stacks[0], "B", TOPICS[1])

    with pytest.raises(ValueError, match="has 3 streams") as refused:
        stream(stacks[1], "A", TOPICS[2])

    assert "One/A -> " in str(refused.value)
    assert "Two/A -> " in str(refused.value)


def test_topics_per_contact_apps_are_counted_apart() -> None:
    for _ in range(2):
        stack = Stack(App(), "Test", env={"account": "123456789012", "region": "us-east-1"})
        stream(stack, "A", TOPICS[0])
        stream(stack, "B", TOPICS[1])

        Template.from_stack(stack).resource_count_is("Custom::ContactStreaming", 2)


def test_topics_per_contact_typed_instance_and_instance_id_are_one_instance(stack: Stack) -> None:
    stream(stack, "A", TOPICS[0])
    stream(stack, "B", TOPICS[1])
    instance = ConnectInstance.from_instance_id(stack, "Instance", INSTANCE_ID)

    with pytest.raises(ValueError, match="has 3 streams"):
        ContactStreaming(
            stack, "C", contact_id=CONTACT, instance=instance, streaming_endpoint_arn=TOPICS[2]
        )

    assert stack.node.try_find_child("C") is None
