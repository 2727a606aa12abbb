"""Refusals: without credentials, region, bootstrap, instance or flow the run creates nothing.

Each refusal comes within seconds, names what is missing and how to fix it, and exits 2.
"""

from __future__ import annotations

import pytest

from local.session import Session
from tests.acceptance.conftest import FLOW_FUNCTION_ARN, Runner, create_streaming_flow

# Seconds a refusal may take: the run's start-up (boto3, one to five calls) on a loaded machine.
REFUSAL_S = 15.0
NO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""}


def acceptance_stacks(session: Session) -> list[str]:
    """Stacks of any acceptance run that exist now."""
    stacks = session.client("cloudformation").list_stacks()["StackSummaries"]
    return [
        s["StackName"]
        for s in stacks
        if "Acceptance" in s["StackName"] and s["StackStatus"] != "DELETE_COMPLETE"
    ]


@pytest.mark.parametrize(
    ("env", "instance_id", "says"),
    [
        pytest.param(NO_CREDENTIALS, None, "no AWS credentials: configure a profile", id="creds"),
        pytest.param(
            {"AWS_REGION": "", "AWS_DEFAULT_REGION": ""},
            None,
            "no AWS region: set AWS_REGION",
            id="region",
        ),
        pytest.param(
            {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"},
            None,
            "123456789012/eu-west-1 is not bootstrapped for the CDK (no CDKToolkit stack): run "
            "`node_modules/.bin/cdk bootstrap aws://123456789012/eu-west-1`",
            id="bootstrap",
        ),
        pytest.param(
            {},
            "11111111-2222-4333-8444-555555555555",
            "Connect instance '11111111-2222-4333-8444-555555555555' not found in us-east-1: "
            "give INSTANCE_ID",
            id="instance",
        ),
    ],
)
def test_acceptance_missing_prerequisite_refuses_in_seconds_and_creates_nothing(
    session: Session, runner: Runner, env: dict[str, str], instance_id: str | None, says: str
) -> None:
    before = acceptance_stacks(session)
    finished = runner.run(**env) if instance_id is None else runner.run(instance_id=instance_id)
    assert finished.returncode == 2, finished.output
    assert f"REFUSED: {says}" in finished.output
    assert finished.seconds < REFUSAL_S
    assert "cdk deploy" not in finished.output
    assert acceptance_stacks(session) == before


def test_acceptance_unknown_flow_refuses_naming_the_flow(session: Session, runner: Runner) -> None:
    finished = runner.run("--contact-flow-id", "00000000-0000-4000-8000-0000000f10a0")
    assert finished.returncode == 2, finished.output
    assert (
        "REFUSED: contact flow '00000000-0000-4000-8000-0000000f10a0' not found in instance "
        in finished.output
    )
    assert "give CONTACT_FLOW_ID" in finished.output
    assert finished.seconds < REFUSAL_S
    assert "Connect StartChatContact" not in finished.output


def test_acceptance_streaming_flow_not_invoking_the_function_refuses_naming_its_arn(
    session: Session, runner: Runner
) -> None:
    flow_id = create_streaming_flow(session, function_arn=f"{FLOW_FUNCTION_ARN}-other")
    before = acceptance_stacks(session)
    finished = runner.run("--streaming-flow-id", flow_id)
    assert finished.returncode == 2, finished.output
    assert f"REFUSED: contact flow {flow_id} invokes no {FLOW_FUNCTION_ARN} " in finished.output
    assert "add an Invoke AWS Lambda function block with that ARN" in finished.output
    assert finished.seconds < REFUSAL_S
    assert "cdk deploy" not in finished.output
    assert acceptance_stacks(session) == before


def test_acceptance_unreachable_endpoint_refuses_naming_the_setting(runner: Runner) -> None:
    finished = runner.run(AWS_ENDPOINT_URL="https://127.0.0.1:9")
    assert finished.returncode == 2, finished.output
    assert "REFUSED: cannot reach AWS" in finished.output
    assert "check the network and AWS_ENDPOINT_URL*" in finished.output
    assert finished.seconds < REFUSAL_S
