"""Hundreds of streams share one provider, and the IAM policy grows with instances, not streams."""

from __future__ import annotations

import json

import pytest

from tests.scale.conftest import (
    MANY,
    REGION,
    Synthesized,
    SynthStreams,
    compact,
    instance_arn,
)
from tests.template.lint import lint
from tests.template.test_cdk_nag import findings

# CloudFormation quotas (docs: CloudFormation quotas).
MAX_RESOURCES = 500
MAX_TEMPLATE_BYTES_FROM_S3 = 1_000_000
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200
MAX_MAPPINGS = 200
MAX_LOGICAL_ID = 255
CUSTOM = "Custom::ContactStreaming"
CONNECT_ACTIONS = ["connect:StartContactStreaming", "connect:StopContactStreaming"]


def connect_resources(synthesized: Synthesized) -> list[str]:
    """The resources of the provider policy's Connect statement, as a list."""
    statements = [
        s for s in synthesized.provider_policy()["Statement"] if s["Action"] == CONNECT_ACTIONS
    ]
    assert len(statements) == 1, statements
    resource = statements[0]["Resource"]
    return resource if isinstance(resource, list) else [resource]


def test_provider_many_streams_one_function_role_and_policy(many: Synthesized) -> None:
    assert len(many.resources("Custom::ContactStreaming")) == MANY
    assert len(many.resources("AWS::Lambda::Function")) == 1
    assert len(many.resources("AWS::IAM::Role")) == 1
    assert len(many.resources("AWS::IAM::Policy")) == 1
    assert len(many.resources("AWS::Logs::LogGroup")) == 1


def test_provider_many_streams_every_resource_uses_the_one_function(many: Synthesized) -> None:
    (function,) = many.resources("AWS::Lambda::Function")
    tokens = {
        json.dumps(r["Properties"]["ServiceToken"])
        for r in many.resources("Custom::ContactStreaming").values()
    }
    assert tokens == {json.dumps({"Fn::GetAtt": [function, "Arn"]})}


def test_provider_policy_one_and_many_streams_same_instance_identical(
    one: Synthesized, many: Synthesized
) -> None:
    assert compact(many.provider_policy()) == compact(one.provider_policy())
    assert len(compact(many.provider_policy())) == len(compact(one.provider_policy()))
    assert connect_resources(many) == [instance_arn(1)]


def test_provider_policy_extra_instance_adds_one_resource_only(synth: SynthStreams) -> None:
    sizes = {}
    for count in (1, 2, 3):
        synthesized = synth([number for number in range(1, count + 1) for _ in range(4)])
        assert connect_resources(synthesized) == [instance_arn(n) for n in range(1, count + 1)]
        assert len(synthesized.provider_policy()["Statement"]) == 3  # logs, stack, connect
        sizes[count] = len(compact(synthesized.provider_policy()))
    per_instance = len(json.dumps(instance_arn(3))) + 1  # the quoted ARN and a comma
    assert sizes[3] - sizes[2] == per_instance
    assert sizes[2] - sizes[1] == per_instance + 2  # and the list's brackets


def test_template_many_streams_within_cloudformation_quotas(many: Synthesized) -> None:
    template = many.template
    assert len(template["Resources"]) <= MAX_RESOURCES
    assert many.template_bytes < MAX_TEMPLATE_BYTES_FROM_S3
    assert len(template.get("Outputs", {})) <= MAX_OUTPUTS
    assert len(template.get("Parameters", {})) <= MAX_PARAMETERS
    assert len(template.get("Mappings", {})) <= MAX_MAPPINGS
    assert max(len(name) for name in template["Resources"]) <= MAX_LOGICAL_ID


@pytest.fixture(scope="module")
def lint_findings(many: Synthesized) -> list[str]:
    """cfn-lint's findings on the many-stream template, as 'RULE message'."""
    matches = lint(json.dumps(many.template), [REGION], every_rule=False)
    return [f"{m.rule.id} {m.message}" for m in matches]


def test_template_many_streams_cfn_lint_no_errors(lint_findings: list[str]) -> None:
    assert [finding for finding in lint_findings if finding.startswith("E")] == []


def test_template_many_streams_cfn_lint_no_redundant_dependency(lint_findings: list[str]) -> None:
    assert [finding for finding in lint_findings if "Resources/Stream" in finding] == []


def test_custom_resource_owned_topic_depends_on_topic_policy_and_lane_predecessor(
    many: Synthesized,
) -> None:
    (policy,) = many.resources("AWS::SNS::TopicPolicy")
    streams = many.resources(CUSTOM)
    by_place = {tuple(r["Properties"]["Pace"].split(",")): name for name, r in streams.items()}
    for (lane, position), name in by_place.items():
        before = by_place.get((lane, str(int(position) - 1)))
        assert sorted(streams[name]["DependsOn"]) == sorted([policy, *([before] if before else [])])


def test_custom_resource_many_streams_at_most_lanes_ready_at_once(many: Synthesized) -> None:
    (function,) = many.resources("AWS::Lambda::Function").values()
    lanes = int(function["Properties"]["Environment"]["Variables"]["PACE_LANES"])
    streams = many.resources(CUSTOM)
    heads = [n for n, r in streams.items() if not set(r["DependsOn"]) & streams.keys()]
    followed = [d for r in streams.values() for d in r["DependsOn"] if d in streams]
    assert len(heads) == lanes == 45
    assert len(followed) == len(set(followed)) == MANY - lanes


def test_custom_resource_destroy_writes_no_default_deletion_policy(many: Synthesized) -> None:
    for resource in many.resources(CUSTOM).values():
        assert "DeletionPolicy" not in resource
        assert "UpdateReplacePolicy" not in resource


def test_stack_many_streams_cdk_nag_no_findings(many: Synthesized) -> None:
    assert findings(many.stack) == []
