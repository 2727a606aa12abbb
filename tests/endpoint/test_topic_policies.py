"""Connect may publish to the topic and use its key; what the stack cannot grant, it warns about."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from contact_streaming import ContactStreaming
from tests.endpoint.conftest import (
    ACCOUNT,
    IMPORTED_KEY_ARN,
    IMPORTED_TOPIC_ARN,
    INSTANCE_ARN,
    OTHER_INSTANCE_ARN,
)

CONDITIONS = {
    "StringEquals": {"aws:SourceAccount": ACCOUNT},
    "ArnEquals": {"aws:SourceArn": INSTANCE_ARN},
}
KEY_STATEMENT = {
    "Effect": "Allow",
    "Principal": {"Service": "connect.amazonaws.com"},
    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
    "Resource": "*",
    "Condition": CONDITIONS,
}
PUBLISH_STATEMENT = {
    "Effect": "Allow",
    "Principal": {"Service": "connect.amazonaws.com"},
    "Action": "sns:Publish",
    "Resource": IMPORTED_TOPIC_ARN,
    "Condition": CONDITIONS,
}
STATEMENT_IN_WARNING = re.compile(r"its owner must add: (\{.*\}) \[ack: [\w:-]+\]$")


def stream(stack: Stack, topic: sns.ITopic, instance_arn: str = INSTANCE_ARN, n: int = 0) -> None:
    """One ContactStreaming to `topic`."""
    ContactStreaming(
        stack, f"Stream{n}", instance_arn=instance_arn, contact_id=f"c{n}", topic=topic
    )


def connect_key_statements(stack: Stack) -> list[dict[str, Any]]:
    """The statements of the stack's one KMS key policy that name Connect."""
    (key,) = Template.from_stack(stack).find_resources("AWS::KMS::Key").values()
    return [
        statement
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
        if statement.get("Principal") == {"Service": "connect.amazonaws.com"}
    ]


def warned_statements(stack: Stack, code: str) -> list[dict[str, Any]]:
    """The policy statements that warnings tagged `code` ask the topic's owner to add."""
    found = []
    for message in Annotations.from_stack(stack).find_warning("*", Match.any_value()):
        text = str(message.entry.data)
        match = STATEMENT_IN_WARNING.search(text)
        if text.endswith(f"[ack: {code}]") and match:
            found.append(json.loads(match.group(1)))
    return found


def without_sid(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement less its Sid (a hash: stable, but not what these tests are about)."""
    return {k: v for k, v in statement.items() if k != "Sid"}


def test_key_policy_owned_key_lets_connect_use_it_for_the_instance(stack: Stack) -> None:
    stream(stack, sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key")))
    assert [without_sid(s) for s in connect_key_statements(stack)] == [KEY_STATEMENT]
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())


def test_key_policy_many_streams_same_instance_one_statement(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key"))
    for n in range(5):
        stream(stack, topic, n=n)
    assert len(connect_key_statements(stack)) == 1


def test_key_policy_two_instances_one_statement_each(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key"))
    stream(stack, topic, INSTANCE_ARN, n=0)
    stream(stack, topic, OTHER_INSTANCE_ARN, n=1)
    source_arns = [
        s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in connect_key_statements(stack)
    ]
    assert source_arns == [INSTANCE_ARN, OTHER_INSTANCE_ARN]


def test_key_policy_owned_alias_statement_on_target_key(stack: Stack) -> None:
    key = kms.Key(stack, "Key")
    alias = kms.Alias(stack, "Alias", alias_name="alias/streaming", target_key=key)
    stream(stack, sns.Topic(stack, "Topic", master_key=alias))
    assert [without_sid(s) for s in connect_key_statements(stack)] == [KEY_STATEMENT]


def test_topic_policy_owned_topic_lets_connect_publish_for_the_instance(stack: Stack) -> None:
    stream(stack, sns.Topic(stack, "Topic"))
    Template.from_stack(stack).has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "sns:Publish",
                                "Principal": {"Service": "connect.amazonaws.com"},
                                "Condition": CONDITIONS,
                            }
                        )
                    ]
                )
            }
        },
    )


def test_construct_aws_managed_sns_key_alias_raises_saying_what_to_use(stack: Stack) -> None:
    key = kms.Alias.from_alias_name(stack, "AwsSns", "alias/aws/sns")
    topic = sns.Topic(stack, "Topic", master_key=key)
    with pytest.raises(ValueError, match=r"'alias/aws/sns'.*customer-managed kms\.Key instead"):
        stream(stack, topic)


def test_construct_imported_topic_aws_managed_key_arn_raises(stack: Stack) -> None:
    topic = sns.Topic.from_topic_attributes(
        stack,
        "Topic",
        topic_arn=IMPORTED_TOPIC_ARN,
        key_arn=IMPORTED_KEY_ARN.rsplit(":", 1)[0] + ":alias/aws/sns",
    )
    with pytest.raises(ValueError, match=r"'alias/aws/sns'.*customer-managed kms\.Key instead"):
        stream(stack, topic)


def test_imported_topic_unencrypted_warns_with_publish_statement(stack: Stack) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Topic", IMPORTED_TOPIC_ARN)
    stream(stack, topic)
    Annotations.from_stack(stack).has_warning(
        "/Endpoint/Topic",
        Match.string_like_regexp(r"cannot change this topic's policy; its owner must add: "),
    )
    assert [without_sid(s) for s in warned_statements(stack, "contact-streaming:topic-policy")] == [
        PUBLISH_STATEMENT
    ]
    assert warned_statements(stack, "contact-streaming:key-policy") == []
    assert Template.from_stack(stack).find_resources("AWS::SNS::TopicPolicy") == {}


def test_imported_topic_with_key_warns_with_publish_and_key_statements(stack: Stack) -> None:
    topic = sns.Topic.from_topic_attributes(
        stack, "Topic", topic_arn=IMPORTED_TOPIC_ARN, key_arn=IMPORTED_KEY_ARN
    )
    stream(stack, topic)
    Annotations.from_stack(stack).has_warning(
        "/Endpoint/Topic",
        Match.string_like_regexp(r"cannot change the topic key's policy; its owner must add: "),
    )
    assert [without_sid(s) for s in warned_statements(stack, "contact-streaming:topic-policy")] == [
        PUBLISH_STATEMENT
    ]
    assert [without_sid(s) for s in warned_statements(stack, "contact-streaming:key-policy")] == [
        KEY_STATEMENT
    ]


def test_owned_topic_imported_key_warns_with_key_statement_only(stack: Stack) -> None:
    key = kms.Key.from_key_arn(stack, "Key", IMPORTED_KEY_ARN)
    stream(stack, sns.Topic(stack, "Topic", master_key=key))
    assert warned_statements(stack, "contact-streaming:topic-policy") == []
    assert [without_sid(s) for s in warned_statements(stack, "contact-streaming:key-policy")] == [
        KEY_STATEMENT
    ]


def test_imported_topic_many_streams_one_warning_per_instance(stack: Stack) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Topic", IMPORTED_TOPIC_ARN)
    for n in range(3):
        stream(stack, topic, n=n)
    stream(stack, topic, OTHER_INSTANCE_ARN, n=3)
    source_arns = [
        s["Condition"]["ArnEquals"]["aws:SourceArn"]
        for s in warned_statements(stack, "contact-streaming:topic-policy")
    ]
    assert source_arns == [INSTANCE_ARN, OTHER_INSTANCE_ARN]
