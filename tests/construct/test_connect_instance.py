"""ConnectInstance: a typed Connect instance, its grant, and its refusals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk import App, CfnParameter, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from contact_streaming import ConnectInstance, IConnectInstance

ACCOUNT = "123456789012"
REGION = "eu-west-2"
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ARN = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE_ID}"
STREAMING = ["connect:StartContactStreaming", "connect:StopContactStreaming"]


@pytest.fixture
def stack() -> Stack:
    return Stack(App(), "Instances", env=Environment(account=ACCOUNT, region=REGION))


def role_statements(stack: Stack) -> list[dict[str, Any]]:
    """The statements of the stack's one IAM policy."""
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    (policy,) = policies.values()
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_connect_instance_from_instance_id_in_stack_region_and_account(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_id(stack, "Instance", INSTANCE_ID)
    assert isinstance(instance, IConnectInstance)
    assert instance.instance_id == INSTANCE_ID
    assert stack.resolve(instance.instance_arn) == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}",
            ],
        ]
    }
    assert (instance.region, instance.account) == (REGION, ACCOUNT)


def test_connect_instance_from_instance_arn_parts_from_the_arn(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ARN)
    assert instance.instance_arn == INSTANCE_ARN
    assert instance.instance_id == INSTANCE_ID
    assert (instance.region, instance.account) == ("us-east-1", ACCOUNT)


def test_connect_instance_creates_no_resource(stack: Stack) -> None:
    ConnectInstance.from_instance_id(stack, "ById", INSTANCE_ID)
    ConnectInstance.from_instance_arn(stack, "ByArn", INSTANCE_ARN)
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


def test_connect_instance_token_id_passes_and_names_it(stack: Stack) -> None:
    parameter = CfnParameter(stack, "InstanceId")
    instance = ConnectInstance.from_instance_id(stack, "Instance", parameter.value_as_string)
    assert stack.resolve(instance.instance_id) == {"Ref": "InstanceId"}


def test_grant_streaming_on_instance_start_and_stop_on_its_arn_only(stack: Stack) -> None:
    instance = ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ARN)
    role = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    grant = instance.grant_streaming(role)
    assert isinstance(grant, iam.Grant)
    assert grant.success
    assert role_statements(stack) == [
        {"Action": STREAMING, "Effect": "Allow", "Resource": INSTANCE_ARN}
    ]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "got none of them"),
        (
            {"instance_id": INSTANCE_ID, "instance_arn": INSTANCE_ARN},
            f"got instance_id and instance_arn (instance_id={INSTANCE_ID!r}",
        ),
    ],
)
def test_connect_instance_not_exactly_one_prop_raises_naming_both(
    stack: Stack, props: dict[str, str], message: str
) -> None:
    pattern = r"^ConnectInstance: pass exactly one of instance_id and instance_arn, " + re.escape(
        message
    )
    with pytest.raises(ValueError, match=pattern):
        ConnectInstance(stack, "Instance", **props)


def test_connect_instance_from_instance_id_given_arn_raises_naming_instance_arn(
    stack: Stack,
) -> None:
    with pytest.raises(ValueError, match=r"^ConnectInstance: instance_id .* is an ARN: pass it"):
        ConnectInstance.from_instance_id(stack, "Instance", INSTANCE_ARN)


def test_connect_instance_from_instance_arn_malformed_raises(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"^ConnectInstance: instance_arn must look like"):
        ConnectInstance.from_instance_arn(stack, "Instance", INSTANCE_ID)


def test_connect_instance_refused_adds_no_construct(stack: Stack) -> None:
    with pytest.raises(ValueError, match="instance_arn must look like"):
        ConnectInstance.from_instance_arn(stack, "Instance", "arn:aws:sns:eu-west-2:1:t")
    assert stack.node.try_find_child("Instance") is None
