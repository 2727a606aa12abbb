"""The acceptance consumer's stack has what real SNS and Connect need, and nothing that stays."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from acceptance.consumer import KEY_PENDING_DAYS, VIEW, build
from acceptance.names import CONSUMER_STACK_CONTEXT, INSTANCE_CONTEXT

INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    """The consumer stack's template."""
    app = App(context={CONSUMER_STACK_CONTEXT: "Consumer", INSTANCE_CONTEXT: INSTANCE_ID})
    return dict(Template.from_stack(build(app)).to_json())


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    """The resources of one type, by logical id."""
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """A policy document's statements."""
    found: list[dict[str, Any]] = policy["Statement"]
    return found


def test_consumer_queue_policy_lets_sns_send_from_the_topic_only(template: dict[str, Any]) -> None:
    ((topic_id, _),) = of_type(template, "AWS::SNS::Topic").items()
    (policy,) = of_type(template, "AWS::SQS::QueuePolicy").values()
    allows = [
        s for s in statements(policy["Properties"]["PolicyDocument"]) if s["Effect"] == "Allow"
    ]
    assert allows == [
        {
            "Action": "sqs:SendMessage",
            "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": topic_id}}},
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Resource": allows[0]["Resource"],
        }
    ]


def test_consumer_queue_key_lets_sns_encrypt_and_is_deleted_with_the_stack(
    template: dict[str, Any],
) -> None:
    (queue,) = of_type(template, "AWS::SQS::Queue").values()
    key_id = queue["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = template["Resources"][key_id]
    sns_statements = [
        s
        for s in statements(key["Properties"]["KeyPolicy"])
        if s.get("Principal") == {"Service": "sns.amazonaws.com"}
    ]
    assert [sorted(s["Action"]) for s in sns_statements] == [["kms:Decrypt", "kms:GenerateDataKey"]]
    for each in of_type(template, "AWS::KMS::Key").values():
        assert each["DeletionPolicy"] == "Delete"
        assert each["Properties"]["PendingWindowInDays"] == KEY_PENDING_DAYS


def test_consumer_subscription_filters_with_the_customer_messages_view(
    template: dict[str, Any],
) -> None:
    (subscription,) = of_type(template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "sqs"
    assert "RawMessageDelivery" not in subscription["Properties"]
    assert subscription["Properties"]["FilterPolicy"] == VIEW.filter_policy_json()
    assert VIEW.filter_policy_json() == {"ParticipantRole": ["CUSTOMER"], "Type": ["MESSAGE"]}


def test_consumer_topic_lets_the_instance_publish(template: dict[str, Any]) -> None:
    (policy,) = of_type(template, "AWS::SNS::TopicPolicy").values()
    connect = [
        s
        for s in statements(policy["Properties"]["PolicyDocument"])
        if s.get("Principal") == {"Service": "connect.amazonaws.com"}
    ]
    assert len(connect) == 1
    assert connect[0]["Action"] == "sns:Publish"
    assert INSTANCE_ID in str(connect[0]["Condition"])


def test_consumer_without_context_raises_naming_both_values() -> None:
    with pytest.raises(ValueError, match="consumerStackName=<name> and -c instanceId="):
        build(App())
