"""CDK's built-in CloudFormation validation finds nothing in any template we write.

aws-cdk-lib validates the templates at each synth (its CloudFormation Validate plugin) and, with
cdk.json's feature flags, fails the synth on what it finds. The tests turn it off
(tests/conftest.py: it costs about 5 s of CPU per process and a few more per synth); here it
runs, registered explicitly, once, on an app of every case of tests/iam, a stack of many
streams, the acceptance run's stacks, and one broken resource that shows it looks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnResource, CloudFormationValidatePlugin, Stack, Validations
from aws_cdk import aws_sns as sns

from acceptance.consumer import ConsumerStack
from acceptance.flow_app import FlowStack
from contact_streaming import ContactStreaming
from tests.iam.apps import CASES, INSTANCE_ID
from tests.template.conftest import cdk_context

PLUGIN = "CloudFormation Validate"
BROKEN = "Broken/Topic"


def many_streams(app: App) -> Stack:
    """Twelve streams of one stack: lanes chained by DependsOn, one provider."""
    stack = Stack(app, "ManyStreams")
    topic = sns.Topic(stack, "Topic")
    for index in range(12):
        ContactStreaming(
            stack, f"Streaming{index}", instance_id=INSTANCE_ID, contact_id=f"c{index}", topic=topic
        )
    return stack


def acceptance_consumer(app: App) -> Stack:
    """The acceptance run's consumer stack (endpoint, queue, view)."""
    return ConsumerStack(app, "AcceptanceConsumer", instance_id=INSTANCE_ID)


def acceptance_flow(app: App) -> Stack:
    """The acceptance run's flow stack (FlowStreaming on an endpoint, a queue)."""
    return FlowStack(app, "AcceptanceFlow", instance_id=INSTANCE_ID)


def broken(app: App) -> Stack:
    """A topic with a property CloudFormation does not have."""
    stack = Stack(app, "Broken")
    CfnResource(stack, "Topic", type="AWS::SNS::Topic", properties={"Unknown": "x"})
    return stack


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """CloudFormation Validate's findings (not annotations), by construct path, after the synth
    failed as `cdk synth` fails."""
    outdir = tmp_path_factory.mktemp("validated")
    app = App(context=cdk_context(), outdir=str(outdir))
    for build in [*CASES.values(), many_streams, acceptance_consumer, acceptance_flow, broken]:
        build(app)
    Validations.of(app).add_plugins(CloudFormationValidatePlugin())
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    return reported(outdir)


def reported(outdir: Path) -> dict[str, list[dict[str, Any]]]:
    """The plugin's violations in an assembly's validation report, by construct path."""
    report = json.loads((outdir / "validation-report.json").read_text())
    found: dict[str, list[dict[str, Any]]] = {}
    for plugin in report["pluginReports"]:
        if plugin["pluginName"] != PLUGIN:
            continue
        for violation in plugin["violations"]:
            for construct in violation["violatingConstructs"]:
                found.setdefault(construct["constructPath"], []).append(violation)
    return found


def test_cloudformation_validation_reports_the_broken_resource(
    findings: dict[str, list[dict[str, Any]]],
) -> None:
    (violation,) = findings[BROKEN]
    assert violation["ruleName"] == "F3002"
    assert "'Unknown' was unexpected" in violation["description"]


def test_cloudformation_validation_no_finding_in_any_stack_of_ours(
    findings: dict[str, list[dict[str, Any]]],
) -> None:
    ours = {path: found for path, found in findings.items() if path != BROKEN}
    assert ours == {}
