"""Three stacks of one app through the cdk CLI on the local engine: endpoint, backend, stream.

Deployed one at a time in dependency order (each `--exclusively`, so the order is the test's),
then destroyed in reverse: the backend, granted through an imported endpoint, streams a chat to
the endpoint's topic; the stream stack streams its contact there; destroy stops that stream.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from local.session import Session
from local.world import INSTANCE_ID
from tests.e2e import cross_stack
from tests.e2e.conftest import running, streams_of, synthesize
from tests.engine import Cli

STREAMING = ["connect:StartContactStreaming", "connect:StopContactStreaming"]


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(tmp_path_factory.mktemp("cross.out"), cross_stack.build)


def deploy_alone(cli: Cli, assembly: Path, stack: str, **parameters: str) -> dict[str, str]:
    """`cdk deploy --exclusively` of one stack; its outputs."""
    args = ["deploy", stack, "--app", str(assembly), "--require-approval", "never", "--exclusively"]
    for name, value in parameters.items():
        args += ["--parameters", f"{name}={value}"]
    run = cli.run(*args)
    assert run.returncode == 0, run.output[-3000:]
    assert cli.stack_status(stack) == "CREATE_COMPLETE"
    return cli.outputs(stack)


def destroy_alone(cli: Cli, assembly: Path, stack: str) -> None:
    """`cdk destroy --exclusively` of one stack; it must be gone."""
    run = cli.run("destroy", stack, "--app", str(assembly), "--force", "--exclusively")
    assert run.returncode == 0, run.output[-3000:]
    assert cli.stack_status(stack) == "GONE"


@pytest.fixture(scope="module")
def cleanup(cli: Cli) -> Iterator[None]:
    """Whatever a failed step left deployed is removed, the dependants first."""
    yield
    for stack in reversed(cross_stack.STACKS):
        cli.remove(stack)


def invoke(session: Session, function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Invoke the backend function synchronously; its answer."""
    answer = session.client("lambda").invoke(
        FunctionName=function_name, Payload=json.dumps(payload).encode()
    )
    body: dict[str, Any] = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, body
    return body


def role_statements(session: Session, role_name: str) -> list[dict[str, Any]]:
    """Every statement of the role's inline policies, as the engine holds them."""
    iam = session.client("iam")
    statements: list[dict[str, Any]] = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        statements.extend(document["Statement"])
    return statements


def test_cross_stack_three_stacks_deploy_in_order_work_and_destroy_in_reverse(
    session: Session,
    cli: Cli,
    assembly: Path,
    new_contact: Callable[[], str],
    cleanup: None,
) -> None:
    endpoint = deploy_alone(cli, assembly, cross_stack.ENDPOINT_STACK, InstanceId=INSTANCE_ID)
    backend = deploy_alone(cli, assembly, cross_stack.BACKEND_STACK)
    contact_id = new_contact()
    streams = deploy_alone(cli, assembly, cross_stack.STREAM_STACK, ContactId=contact_id)

    # The backend's grant, made through the imported endpoint: the instance, resolved, only.
    statements = role_statements(session, backend["RoleName"])
    granted = [s for s in statements if s["Action"] == STREAMING]
    assert len(granted) == 1
    assert str(granted[0]["Resource"]).endswith(f":instance/{INSTANCE_ID}")

    # The stream stack's contact streams to the endpoint stack's topic.
    (stream,) = running(session, contact_id)
    assert stream.streaming_id == streams["StreamingId"]
    assert stream.endpoint_arn == endpoint["TopicArn"]

    # The backend streams a chat of its own to the imported endpoint's topic.
    chat_contact = new_contact()
    answer = invoke(session, backend["FunctionName"], {"ContactId": chat_contact})
    (chat_stream,) = running(session, chat_contact)
    assert chat_stream.streaming_id == answer["StreamingId"]
    assert chat_stream.endpoint_arn == endpoint["TopicArn"]

    stops_before = len(session.connect.calls_of("StopContactStreaming"))
    for stack in reversed(cross_stack.STACKS):
        destroy_alone(cli, assembly, stack)
    (stopped,) = streams_of(session, contact_id)
    assert stopped.streaming_id == streams["StreamingId"]
    assert stopped.state != "ACTIVE"
    assert len(session.connect.calls_of("StopContactStreaming")) == stops_before + 1
    session.connect.end_contact(INSTANCE_ID, chat_contact)
