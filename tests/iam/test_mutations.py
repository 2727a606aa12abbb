"""A statement mutated away from the reference fails the check, each with a reason that says why.

Each mutation starts from a real statement of a synthesized case, so the check that passes the
case (test_policies.py) is the one that fails the mutant.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from tests.iam.checker import problems
from tests.iam.conftest import Synthesized
from tests.iam.policies import Kind, Located, as_list

CASE = "stream_by_instance_id"
CONTACT_ARN = "arn:aws:connect:eu-west-2:123456789012:instance/*/contact/*"
TOPIC_ARN = "arn:aws:sns:eu-west-2:123456789012:streaming"
ANOTHER_TOPIC = "arn:aws:sns:eu-west-2:123456789012:another"
KEY_ARN = "arn:aws:kms:eu-west-2:123456789012:key/0f0f0f0f-1111-2222-3333-444444444444"


def first(synthesized: dict[str, Synthesized], kind: Kind, action: str) -> Located:
    """The case's first statement of `kind` that grants `action`."""
    for located in synthesized[CASE].statements:
        if located.kind is kind and action in as_list(located.statement["Action"]):
            return located
    raise AssertionError(f"{CASE} has no {kind.name} statement granting {action}")


def mutated(located: Located, **fields: Any) -> Located:
    """A copy of `located` whose statement has `fields` set (None removes one)."""
    statement = copy.deepcopy(located.statement)
    for name, value in fields.items():
        if value is None:
            statement.pop(name, None)
        else:
            statement[name] = value
    return replace(located, statement=statement)


def check(synthesized: dict[str, Synthesized], located: Located) -> list[str]:
    """The checker's problems with `located`, read against the case's template."""
    return problems(located, synthesized[CASE].template)


STREAMING = (Kind.IDENTITY, "connect:StartContactStreaming")
DESCRIBE = (Kind.IDENTITY, "cloudformation:DescribeStacks")
PUBLISH = (Kind.TOPIC, "sns:Publish")
KEY = (Kind.KEY, "kms:Decrypt")
TRUST = (Kind.TRUST, "sts:AssumeRole")
MUTANTS: dict[str, tuple[tuple[Kind, str], dict[str, Any], str]] = {
    "misspelt_streaming_action": (
        STREAMING,
        {"Action": ["connect:StartContactStream", "connect:StopContactStreaming"]},
        "connect:StartContactStream: no such action",
    ),
    "contact_arn_for_streaming": (
        STREAMING,
        {"Resource": CONTACT_ARN},
        "matches none of its types ['instance']",
    ),
    "topic_arn_for_streaming": (STREAMING, {"Resource": TOPIC_ARN}, "matches none of its types"),
    "star_for_streaming": (STREAMING, {"Resource": "*"}, "Resource '*' grants every one"),
    "wildcard_matching_nothing": (
        STREAMING,
        {"Action": "connect:StartContactStreams*"},
        "no such action",
    ),
    "not_action": (STREAMING, {"NotAction": "connect:StartChatContact"}, "NotAction"),
    "describe_stacks_on_a_topic": (
        DESCRIBE,
        {"Resource": {"Ref": "TopicBFC7AF6E"}},
        "matches none of its types ['stack']",
    ),
    "imported_value_as_resource": (
        DESCRIBE,
        {"Resource": {"Fn::ImportValue": "StackArn"}},
        "no pattern for",
    ),
    "publish_to_another_topic": (
        PUBLISH,
        {"Resource": ANOTHER_TOPIC},
        "is not a topic the policy is attached to",
    ),
    "streaming_action_in_topic_policy": (
        PUBLISH,
        {"Action": "connect:StartContactStreaming"},
        "matches none of its types ['instance']",
    ),
    "misspelt_global_condition_key": (
        PUBLISH,
        {"Condition": {"ArnEquals": {"aws:SourceArnn": "arn:aws:connect:::instance/i"}}},
        "condition key 'aws:SourceArnn'",
    ),
    "service_key_not_listed_for_publish": (
        PUBLISH,
        {"Condition": {"StringEquals": {"sns:Protocol": "https"}}},
        "condition key 'sns:Protocol'",
    ),
    "key_policy_naming_a_key_arn": (KEY, {"Resource": KEY_ARN}, "Resource is '*' (this key)"),
    "key_policy_granting_publish": (KEY, {"Action": "sns:Publish"}, "kms actions only"),
    "key_policy_granting_create_key": (
        KEY,
        {"Action": "kms:CreateKey"},
        "no resource types: Resource must be '*'",
    ),
    "misspelt_trust_action": (TRUST, {"Action": "sts:AssumeRoles"}, "no such action"),
    "resource_in_trust_policy": (TRUST, {"Resource": "*"}, "a trust policy has no Resource"),
}


def test_mutants_each_start_from_a_statement_that_holds(
    synthesized: dict[str, Synthesized],
) -> None:
    for (kind, action), _, _ in MUTANTS.values():
        assert check(synthesized, first(synthesized, kind, action)) == []


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_checker_mutated_statement_fails_with_its_reason(
    synthesized: dict[str, Synthesized], name: str
) -> None:
    (kind, action), fields, reason = MUTANTS[name]
    found = check(synthesized, mutated(first(synthesized, kind, action), **fields))
    assert any(reason in each for each in found), found


def test_checker_service_condition_key_listed_for_the_action_passes(
    synthesized: dict[str, Synthesized],
) -> None:
    located = first(synthesized, *KEY)
    via_sns = {"StringEquals": {"kms:ViaService": "sns.eu-west-2.amazonaws.com"}}
    assert check(synthesized, mutated(located, Condition=via_sns)) == []
