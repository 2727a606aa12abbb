"""ConsumerView's two forms of its policy: both properties, the same policy; the old name kept."""

from __future__ import annotations

import inspect

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from contact_streaming import ConsumerView, ItemType, ParticipantRole

VIEWS = {
    "customer": ConsumerView.customer(),
    "agent": ConsumerView.agent(),
    "sent-by-agent": ConsumerView.sent_by(ParticipantRole.AGENT),
    "sent-by-customer-with-events": ConsumerView.sent_by("CUSTOMER", include_events=True),
}


def test_views_both_policy_forms_are_properties() -> None:
    for name in ("filter_policy", "filter_policy_document"):
        assert isinstance(inspect.getattr_static(ConsumerView, name), property), name


@pytest.mark.parametrize("view_name", list(VIEWS))
def test_views_filter_policy_json_old_name_equals_document(view_name: str) -> None:
    view = VIEWS[view_name]
    assert view.filter_policy_json() == view.filter_policy_document


@pytest.mark.parametrize("view_name", list(VIEWS))
def test_views_document_is_what_cdk_synthesizes_from_filter_policy(view_name: str) -> None:
    view = VIEWS[view_name]
    stack = Stack(App(), "Views")
    topic = sns.Topic(stack, "Topic")
    topic.add_subscription(
        subscriptions.SqsSubscription(sqs.Queue(stack, "Queue"), filter_policy=view.filter_policy)
    )
    (subscription,) = Template.from_stack(stack).find_resources("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["FilterPolicy"] == view.filter_policy_document


def test_views_sent_by_messages_only_names_item_type_message() -> None:
    document = ConsumerView.sent_by("AGENT").filter_policy_document
    assert document["Type"] == [ItemType.MESSAGE.value]
    assert "Type" not in ConsumerView.sent_by("AGENT", include_events=True).filter_policy_document
