"""The shortcuts that keep per-stream synth cheap give the answers CDK would."""

from __future__ import annotations

import pytest
from aws_cdk import App, Fn, Stack, Token
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from contact_streaming import ContactStreaming, validation


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(App(), "Checks")


def test_known_literals_and_tokens_agree_with_cdk(stack: Stack) -> None:
    values = [
        "literal",
        "has Token[ but is no token",
        stack.region,
        f"arn:aws:connect:{stack.region}:1:instance/x",
        Fn.select(0, ["a"]),
        Token.as_string(Fn.get_att("Thing", "Arn")),
    ]
    assert [validation.known(v) for v in values] == [not Token.is_unresolved(v) for v in values]
    assert validation.known("literal")
    assert not validation.known(stack.region)


def test_provider_policy_equal_tokens_from_different_objects_one_resource() -> None:
    stack = Stack(App(), "Tokens")
    topic = sns.Topic(stack, "Topic")
    for n in range(3):
        # A new token object each time, each resolving to the same ARN.
        arn = Fn.join(":", ["arn:aws:connect", stack.region, stack.account, "instance/abc"])
        ContactStreaming(stack, f"Stream{n}", instance_arn=arn, contact_id="c", topic=topic)
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    connect = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "connect:StartContactStreaming" in s["Action"]
    ]
    assert len(connect) == 1
    assert list(connect[0]["Resource"]) == ["Fn::Join"]  # one ARN, not a list of three
