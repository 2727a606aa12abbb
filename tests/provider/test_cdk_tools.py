"""CDK's own tools on everything the provider creates: iam.PermissionsBoundary, Tags, cdk-nag.

Not in `make test-floor`: cdk-nag needs aws-cdk-lib 2.262.0 (see the Makefile's FLOOR_TESTS).
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from cdk_nag import AwsSolutionsChecks

from contact_streaming import ContactStreaming, ContactStreamingProvider
from tests.template.conftest import cdk_context

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
TOPIC_ARN = "arn:aws:sns:eu-west-2:123456789012:streaming"
PROVIDER_TYPES = ("AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Logs::LogGroup")
BOUNDARY = "team-boundary"


def stack_with_provider(*, explicit: bool) -> tuple[Stack, ContactStreamingProvider]:
    """A stack with two streams; its provider explicit with settings, or made by the first."""
    stack = Stack(App(context=cdk_context()), "Tools")
    if explicit:
        ContactStreamingProvider(
            stack,
            "ContactStreamingProvider",
            quota_share=0.5,
            log_retention=logs.RetentionDays.ONE_YEAR,
            memory_size=512,
        )
    for index in range(2):
        ContactStreaming(
            stack,
            f"Stream{index}",
            contact_id=f"contact-{index}",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
        )
    return stack, ContactStreamingProvider.of(stack)


def template_of(stack: Stack) -> dict[str, Any]:
    """The stack's synthesized template."""
    app = stack.node.root
    assert isinstance(app, App)
    template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    return template


def provider_resources(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The provider's function, role and log group, by type (one of each)."""
    found = {r["Type"]: r for r in template["Resources"].values() if r["Type"] in PROVIDER_TYPES}
    assert sorted(found) == sorted(PROVIDER_TYPES)
    return found


def boundary_arn() -> dict[str, Any]:
    """The managed policy ARN CDK writes for BOUNDARY (partition and account from the stack)."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":iam::",
                {"Ref": "AWS::AccountId"},
                f":policy/{BOUNDARY}",
            ],
        ]
    }


@pytest.mark.parametrize("explicit", [True, False])
@pytest.mark.parametrize("on", ["stack", "provider"])
def test_permissions_boundary_reaches_provider_role(explicit: bool, on: str) -> None:
    stack, provider = stack_with_provider(explicit=explicit)
    policy = iam.ManagedPolicy.from_managed_policy_name(stack, "Boundary", BOUNDARY)
    iam.PermissionsBoundary.of(stack if on == "stack" else provider).apply(policy)
    role = provider_resources(template_of(stack))["AWS::IAM::Role"]
    assert role["Properties"]["PermissionsBoundary"] == boundary_arn()


@pytest.mark.parametrize("explicit", [True, False])
@pytest.mark.parametrize("on", ["stack", "provider"])
def test_tags_reach_provider_function_role_log_group(explicit: bool, on: str) -> None:
    stack, provider = stack_with_provider(explicit=explicit)
    Tags.of(stack if on == "stack" else provider).add("team", "chat")
    for resource_type, resource in provider_resources(template_of(stack)).items():
        tags = resource["Properties"]["Tags"]
        assert {"Key": "team", "Value": "chat"} in tags, resource_type


def test_tags_on_provider_only_leave_other_resources_untagged() -> None:
    stack, provider = stack_with_provider(explicit=True)
    iam.Role(stack, "Other", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    Tags.of(provider).add("team", "chat")
    roles = [r for r in template_of(stack)["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert sorted("Tags" in r["Properties"] for r in roles) == [False, True]


@pytest.mark.parametrize("explicit", [True, False])
def test_cdk_nag_provider_with_settings_no_findings(explicit: bool) -> None:
    stack, _ = stack_with_provider(explicit=explicit)
    report = AwsSolutionsChecks().validate_scope(stack)
    assert [(v.rule_name, v.severity) for v in report.violations] == []


def test_cdk_nag_sees_provider_resources() -> None:
    # The check above proves something only if cdk-nag reads the provider's resources: a
    # wildcard added to its role is found.
    stack, provider = stack_with_provider(explicit=True)
    provider.role.add_to_principal_policy(
        iam.PolicyStatement(actions=["connect:*"], resources=["*"])
    )
    report = AwsSolutionsChecks().validate_scope(stack)
    paths = {
        str(r.construct_path)
        for v in report.violations
        if v.rule_name.startswith("AwsSolutions-IAM5")
        for r in v.violating_resources
    }
    assert any(path.startswith("Tools/ContactStreamingProvider/Role") for path in paths)
