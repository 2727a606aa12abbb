"""A topic given to a construct is checked once on its way: read through jsii once."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sns as sns

from contact_streaming import ContactStreaming, StreamingEndpoint, topic_policy, validation

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"


def test_topic_given_to_endpoint_and_stream_checked_once_by_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks: list[str] = []
    check = topic_policy.checked

    def counted(topic: sns.ITopic, *, owner: str = validation.OWNER) -> topic_policy.CheckedTopic:
        checks.append(owner)
        return check(topic, owner=owner)

    monkeypatch.setattr(topic_policy, "checked", counted)
    stack = Stack(App(), "Once")
    # Its own new topic needs no check: the endpoint made it standard, on a customer-managed key.
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    StreamingEndpoint(stack, "Adopting", instance_id=INSTANCE_ID, topic=endpoint.topic)
    ContactStreaming(stack, "Stream", instance_id=INSTANCE_ID, contact_id="c", topic=endpoint.topic)
    assert checks == ["StreamingEndpoint", "ContactStreaming"]
