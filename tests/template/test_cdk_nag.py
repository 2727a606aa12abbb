"""cdk-nag's AwsSolutions pack (a CDK validation plugin in cdk-nag 3.x) on the app's stacks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Acknowledgment, App, Stack, Validations
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

from tests.template.conftest import SYNTH_FIXTURES, Synth, app_stack, cdk_context, per_chat_stack

# Rule ids acknowledged in stacks/ or contact_streaming/, with why. None are needed today:
# every AwsSolutions finding was fixed at its cause.
EXPECTED_ACKNOWLEDGMENTS: dict[str, str] = {}


def findings(scope: IConstruct) -> list[tuple[str, str, list[str]]]:
    """AwsSolutions findings left after acknowledgments: (rule, severity, construct paths)."""
    report = AwsSolutionsChecks().validate_scope(scope)
    return [
        (v.rule_name, v.severity or "", [str(r.construct_path) for r in v.violating_resources])
        for v in report.violations
    ]


def acknowledgments(scope: IConstruct) -> dict[str, dict[str, Any]]:
    """Every acknowledged rule in the tree: construct path -> {rule id: reason}.

    CDK stores ids with an "Annotation::" prefix; cdk-nag strips it before matching, and so do we.
    """
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    found: dict[str, dict[str, Any]] = {}
    for construct in scope.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == key:
                rules = {re.sub(r"(?i)^annotation::", "", k): v for k, v in entry.data.items()}
                found.setdefault(construct.node.path, {}).update(rules)
    return found


def nag_app(outdir: Path, build: Any) -> App:
    """An app with cdk.json's context and the AwsSolutions pack registered, as a user would."""
    app = App(context=cdk_context(), outdir=str(outdir))
    build(app)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def plugin_reports(outdir: Path) -> list[dict[str, Any]]:
    """The plugin reports CDK wrote to the assembly's validation report."""
    report = json.loads((outdir / "validation-report.json").read_text())
    reports: list[dict[str, Any]] = report["pluginReports"]
    return reports


@pytest.mark.parametrize("build", [app_stack, per_chat_stack])
def test_cdk_nag_app_synth_with_plugin_passes(tmp_path: Path, build: Any) -> None:
    app = nag_app(tmp_path, build)
    app.synth()
    assert plugin_reports(tmp_path) == []


def bad_stack(app: App) -> Stack:
    """A stack with a wildcard Connect policy, which AwsSolutions-IAM5 reports."""
    stack = Stack(app, "Bad")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["connect:*"], resources=["*"]))
    return stack


def test_cdk_nag_findings_of_synthesized_tree_report_bad_stack(tmp_path: Path) -> None:
    # findings() reads the tree; the tests run it on stacks already synthesized (synth.app,
    # tests/scale's many streams), where it must still see what is wrong.
    app = App(outdir=str(tmp_path))
    stack = bad_stack(app)
    app.synth()
    assert ("AwsSolutions-IAM5[Resource::*]", "error", ["Bad/Role/DefaultPolicy/Resource"]) in (
        findings(stack)
    )


def test_cdk_nag_plugin_wired_bad_stack_fails_synth(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        nag_app(tmp_path, bad_stack).synth()
    rules = {v["ruleName"] for r in plugin_reports(tmp_path) for v in r["violations"]}
    assert "AwsSolutions-IAM5[Resource::*]" in rules


@pytest.mark.parametrize("synth_fixture", SYNTH_FIXTURES)
def test_cdk_nag_each_stack_no_unacknowledged_findings(
    synth_fixture: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(synth_fixture)
    assert findings(synth.app) == []


def test_cdk_nag_acknowledgments_are_the_expected_ones(app_synth: Synth) -> None:
    found = {
        rule: reason
        for rules in acknowledgments(app_synth.app).values()
        for rule, reason in rules.items()
    }
    assert found == EXPECTED_ACKNOWLEDGMENTS


@pytest.mark.parametrize("synth_fixture", SYNTH_FIXTURES)
def test_cdk_nag_every_acknowledgment_has_reason(
    synth_fixture: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(synth_fixture)
    for path, rules in acknowledgments(synth.app).items():
        for rule, reason in rules.items():
            assert isinstance(reason, str), (path, rule)
            assert reason.strip(), f"{path}: {rule} acknowledged without a reason"


def test_cdk_nag_acknowledgment_reader_sees_empty_reason() -> None:
    # The reader above must see what Validations.acknowledge records, or the check proves nothing.
    stack = Stack(App(), "Probe")
    Validations.of(stack).acknowledge(Acknowledgment(id="AwsSolutions-IAM5", reason=""))
    assert acknowledgments(stack) == {"Probe": {"AwsSolutions-IAM5": ""}}
