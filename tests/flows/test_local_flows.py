"""The local Connect runs a flow's Invoke AWS Lambda function block as Connect's guides describe it.

Through boto3's real Connect client: CreateContactFlow (flow language), the Lambda associations,
StartChatContact. The function is a scripted stand-in for a boto3 Lambda client (GetPolicy,
Invoke); the engine's real Lambda runs it in tests/e2e/test_flow.py.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from standins.aws import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, SESSION_TOKEN
from standins.connect import ConnectStandIn, instance_arn
from standins.flows import LateAnswer, allows_connect

INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
QUEUE_FLOW_ID = "c0ffee00-1234-4abc-9def-0123456789ab"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:stream-chat"
INSTANCE_ARN = instance_arn(REGION, INSTANCE_ID)
NO_RETRIES = Config(retries={"total_max_attempts": 1}, read_timeout=15)
Step = Callable[[], dict[str, Any]]


def policy(
    condition: dict[str, Any] | None = None, principal: str = "connect.amazonaws.com"
) -> dict[str, Any]:
    """A function policy with one statement, as Lambda's AddPermission writes it."""
    statement: dict[str, Any] = {
        "Sid": "connect",
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": "lambda:InvokeFunction",
        "Resource": FUNCTION,
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


ALLOWED = policy(
    {"ArnLike": {"AWS:SourceArn": INSTANCE_ARN}, "StringEquals": {"AWS:SourceAccount": ACCOUNT}}
)


def answer(payload: Any) -> Step:
    """An invocation that returns `payload`."""
    return lambda: {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(payload).encode())}


def failing() -> dict[str, Any]:
    """An invocation whose function raised."""
    return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(b"{}")}


def client_error(code: str, status: int, operation: str) -> ClientError:
    """An AWS API error as botocore raises it."""
    response: Any = {
        "Error": {"Code": code, "Message": code},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


def api_error(code: str, status: int) -> Step:
    """An Invoke API error."""

    def raise_it() -> dict[str, Any]:
        raise client_error(code, status, "Invoke")

    return raise_it


def slow(seconds: float) -> Step:
    """An invocation that answers after `seconds`."""

    def wait() -> dict[str, Any]:
        time.sleep(seconds)
        return answer({"late": "yes"})()

    return wait


@dataclass
class ScriptedLambda:
    """Stands in for a boto3 Lambda client: a policy, and one scripted step per Invoke."""

    policy: dict[str, Any] | None = field(default_factory=lambda: ALLOWED)
    steps: list[Step] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    on_get_policy: Callable[[], None] = lambda: None

    def get_policy(self, FunctionName: str) -> dict[str, str]:  # noqa: N803 - boto3's name
        self.on_get_policy()
        if self.policy is None:
            raise client_error("ResourceNotFoundException", 404, "GetPolicy")
        return {"Policy": json.dumps(self.policy)}

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:  # noqa: N803
        assert (FunctionName, InvocationType) == (FUNCTION, "RequestResponse")
        self.events.append(json.loads(Payload))
        step = self.steps.pop(0) if self.steps else answer({"streaming": "started"})
        return step()


@dataclass
class World:
    """The local Connect, the scripted function and a boto3 Connect client."""

    connect: ConnectStandIn
    function: ScriptedLambda
    client: Any

    def flow(self, *actions: dict[str, Any]) -> str:
        content = {
            "Version": "2019-10-30",
            "StartAction": actions[0]["Identifier"],
            "Actions": [*actions, {"Identifier": "end", "Type": "DisconnectParticipant"}],
        }
        created = self.client.create_contact_flow(
            InstanceId=INSTANCE_ID, Name="Stream", Type="CONTACT_FLOW", Content=json.dumps(content)
        )
        return str(created["ContactFlowId"])

    def chat(self, flow_id: str) -> str:
        started = self.client.start_chat_contact(
            InstanceId=INSTANCE_ID, ContactFlowId=flow_id, ParticipantDetails={"DisplayName": "C"}
        )
        return str(started["ContactId"])


def invoke(
    identifier: str = "invoke", then: str = "end", on_error: str = "end", **parameters: Any
) -> dict[str, Any]:
    """An Invoke AWS Lambda function block."""
    return {
        "Identifier": identifier,
        "Type": "InvokeLambdaFunction",
        "Parameters": {
            "LambdaFunctionARN": FUNCTION,
            "InvocationTimeLimitSeconds": "8",
            **parameters,
        },
        "Transitions": {
            "NextAction": then,
            "Errors": [{"NextAction": on_error, "ErrorType": "NoMatchingError"}],
        },
    }


@pytest.fixture
def world() -> Iterator[World]:
    connect = ConnectStandIn().start()
    connect.add_instance(INSTANCE_ID, QUEUE_FLOW_ID)
    function = ScriptedLambda()
    connect.invoke_with(function)
    client = boto3.client(
        "connect",
        endpoint_url=connect.url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        config=NO_RETRIES,
    )
    client.associate_lambda_function(InstanceId=INSTANCE_ID, FunctionArn=FUNCTION)
    try:
        yield World(connect, function, client)
    finally:
        connect.stop()


def test_start_chat_flow_with_lambda_block_invokes_function_with_connect_flow_event(
    world: World,
) -> None:
    flow_id = world.flow(invoke(LambdaInvocationAttributes={"team": "support"}))
    contact_id = world.chat(flow_id)
    (event,) = world.function.events
    assert event["Name"] == "ContactFlowEvent"
    data = event["Details"]["ContactData"]
    assert (data["ContactId"], data["InitialContactId"]) == (contact_id, contact_id)
    assert (data["Channel"], data["InstanceARN"]) == ("CHAT", INSTANCE_ARN)
    assert event["Details"]["Parameters"] == {"team": "support"}
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert (invocation.outcome, invocation.attempts) == ("Success", 1)
    assert invocation.response == {"streaming": "started"}


def test_start_chat_builtin_flow_invokes_nothing(world: World) -> None:
    contact_id = world.chat(QUEUE_FLOW_ID)
    assert world.function.events == []
    assert world.connect.flows.invocations_of(contact_id) == []


def test_flow_function_not_associated_not_invoked_takes_error_branch(world: World) -> None:
    world.client.disassociate_lambda_function(InstanceId=INSTANCE_ID, FunctionArn=FUNCTION)
    flow_id = world.flow(invoke(on_error="again"), invoke("again"))
    contact_id = world.chat(flow_id)
    assert world.function.events == []
    invocations = world.connect.flows.invocations_of(contact_id)
    assert [(i.outcome, i.attempts) for i in invocations] == [("Error", 0), ("Error", 0)]
    assert "not associated" in invocations[0].error


@pytest.mark.parametrize(
    "function_policy",
    [
        None,
        policy({"ArnLike": {"AWS:SourceArn": INSTANCE_ARN.replace(INSTANCE_ID, "other")}}),
        policy({"StringEquals": {"AWS:SourceAccount": "999999999999"}}),
        policy({"ArnLike": {"AWS:SourceArn": INSTANCE_ARN}}, principal="sns.amazonaws.com"),
        policy({"StringEquals": {"aws:PrincipalOrgID": "o-123"}}),
    ],
    ids=[
        "no-policy",
        "other-instance",
        "other-account",
        "other-service",
        "unknown-key",
    ],
)
def test_flow_function_policy_not_for_this_instance_refused_without_invocation(
    world: World, function_policy: dict[str, Any] | None
) -> None:
    world.function.policy = function_policy
    contact_id = world.chat(world.flow(invoke()))
    assert world.function.events == []
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert invocation.outcome == "Error"
    assert invocation.error.startswith("AccessDenied")


def test_allows_connect_policy_for_this_instance_or_unconditioned_true() -> None:
    assert allows_connect(ALLOWED, INSTANCE_ARN)
    assert allows_connect(policy(), INSTANCE_ARN)  # as on AWS: no condition, any source
    assert allows_connect(
        policy({"ArnLike": {"AWS:SourceArn": INSTANCE_ARN[:-4] + "*"}}), INSTANCE_ARN
    )


@pytest.mark.parametrize(
    "steps",
    [
        [api_error("TooManyRequestsException", 429)] * 3,
        [api_error("ServiceException", 500)] * 3,
        [failing] * 3,
    ],
    ids=["throttled", "service-failure", "function-error"],
)
def test_flow_retryable_error_retried_then_succeeds(world: World, steps: list[Step]) -> None:
    world.function.steps = [*steps, answer({"streaming": "started"})]
    contact_id = world.chat(world.flow(invoke()))
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert (invocation.outcome, invocation.attempts) == ("Success", 4)


def test_flow_error_after_three_retries_takes_error_branch(world: World) -> None:
    world.function.steps = [failing] * 5
    contact_id = world.chat(world.flow(invoke()))
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert (invocation.outcome, invocation.attempts) == ("Error", 4)
    assert len(world.function.events) == 4
    assert [t.error.split(":")[0] for t in invocation.tries] == ["the function failed"] * 4


def test_flow_access_denied_not_retried(world: World) -> None:
    world.function.steps = [api_error("AccessDeniedException", 403)]
    contact_id = world.chat(world.flow(invoke()))
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert (invocation.outcome, invocation.attempts) == ("Error", 1)


def test_flow_slow_function_stops_waiting_at_time_limit_not_retried(world: World) -> None:
    world.function.steps = [slow(3.0)]
    started = time.monotonic()
    contact_id = world.chat(world.flow(invoke(InvocationTimeLimitSeconds="1")))
    waited = time.monotonic() - started
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert (invocation.outcome, invocation.attempts) == ("Error", 1)
    assert 1.0 <= invocation.seconds < 3.0
    assert waited < 3.0
    (attempt,) = invocation.tries
    assert attempt.error == "no answer within 1.0 s"


def late_answer(world: World, contact_id: str) -> LateAnswer:
    """The one late answer to a contact's timed-out attempt, waited for (at most 10 s)."""
    deadline = time.monotonic() + 10
    while not world.connect.flows.late_of(contact_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    (late,) = world.connect.flows.late_of(contact_id)
    return late


def test_flow_slow_function_late_answer_kept_outcome_still_error(world: World) -> None:
    world.function.steps = [slow(1.5)]
    contact_id = world.chat(world.flow(invoke(InvocationTimeLimitSeconds="1")))
    late = late_answer(world, contact_id)
    assert (late.function_arn, json.loads(late.answer)) == (FUNCTION, {"late": "yes"})
    assert 1.5 <= late.seconds < 10
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert (invocation.outcome, invocation.response) == ("Error", {})


def test_flow_retries_end_when_8_seconds_are_up(world: World) -> None:
    now = [0.0]
    world.connect.flows.clock = lambda: now[0]

    def failing_in_3_seconds() -> dict[str, Any]:
        now[0] += 3.0
        return failing()

    world.function.steps = [failing_in_3_seconds] * 5
    contact_id = world.chat(world.flow(invoke()))
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    # Attempts start at 0, 3 and 6 s; at 9 s the block's 8 s are up, one retry short of three.
    assert (invocation.outcome, invocation.attempts, invocation.seconds) == ("Error", 3, 9.0)
    assert len(world.function.events) == 3


def test_flow_slow_function_late_error_kept_as_function_error(world: World) -> None:
    def late_failure() -> dict[str, Any]:
        time.sleep(1.5)
        return failing()

    world.function.steps = [late_failure]
    contact_id = world.chat(world.flow(invoke(InvocationTimeLimitSeconds="1")))
    late = late_answer(world, contact_id)
    assert late.answer == "FunctionError Unhandled: {}"


def test_flow_time_limit_counts_invocations_not_local_policy_check(world: World) -> None:
    now = [0.0]
    world.connect.flows.clock = lambda: now[0]

    def slow_policy_check() -> None:
        now[0] += 9.0  # longer than the block's whole limit

    world.function.on_get_policy = slow_policy_check
    contact_id = world.chat(world.flow(invoke()))
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert (invocation.outcome, invocation.attempts, invocation.seconds) == ("Success", 1, 0.0)


def test_flow_string_map_answer_nested_takes_error_branch(world: World) -> None:
    world.function.steps = [answer({"streaming": {"nested": "no"}})]
    contact_id = world.chat(world.flow(invoke()))
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert invocation.outcome == "Error"
    assert "STRING_MAP" in invocation.error


def test_flow_json_response_type_accepts_nested_answer(world: World) -> None:
    world.function.steps = [answer({"streaming": {"nested": "yes"}})]
    flow_id = world.flow(invoke(ResponseValidation={"ResponseType": "JSON"}))
    contact_id = world.chat(flow_id)
    (invocation,) = world.connect.flows.invocations_of(contact_id)
    assert invocation.response == {"streaming": {"nested": "yes"}}


def test_flow_transfer_to_flow_runs_both_flows_lambda_blocks(world: World) -> None:
    second = world.flow(invoke())
    transfer = {
        "Identifier": "transfer",
        "Type": "TransferToFlow",
        "Parameters": {"ContactFlowId": second},
    }
    first = world.flow(invoke(then="transfer"), transfer)
    contact_id = world.chat(first)
    assert [i.flow_id for i in world.connect.flows.invocations_of(contact_id)] == [first, second]


def test_flow_transfer_loop_ends_after_bounded_steps(world: World) -> None:
    world.function.steps = [answer({"ok": "yes"})] * 200
    looping = {"Identifier": "loop", "Type": "TransferToFlow", "Parameters": {"ContactFlowId": "x"}}
    flow_id = world.flow(invoke(then="loop"), looping)
    world.connect.flows.contents[(INSTANCE_ID, flow_id)]["loop"]["Parameters"]["ContactFlowId"] = (
        flow_id
    )
    contact_id = world.chat(flow_id)
    assert 0 < len(world.connect.flows.invocations_of(contact_id)) <= 100


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "not JSON"),
        (json.dumps({"StartAction": "a", "Actions": []}), "StartAction"),
        (
            json.dumps(
                {"StartAction": "invoke", "Actions": [invoke(InvocationTimeLimitSeconds="9")]}
            ),
            "1-8",
        ),
        (
            json.dumps(
                {"StartAction": "invoke", "Actions": [invoke(InvocationType="ASYNCHRONOUS")]}
            ),
            "SYNCHRONOUS",
        ),
        (
            json.dumps(
                {"StartAction": "invoke", "Actions": [invoke(LambdaFunctionARN="stream-chat")]}
            ),
            "ARN",
        ),
    ],
    ids=["not-json", "no-start", "time-limit", "asynchronous", "not-an-arn"],
)
def test_create_contact_flow_content_invalid_refused(
    world: World, content: str, problem: str
) -> None:
    with pytest.raises(ClientError, match=problem) as raised:
        world.client.create_contact_flow(
            InstanceId=INSTANCE_ID, Name="Bad", Type="CONTACT_FLOW", Content=content
        )
    assert raised.value.response["Error"]["Code"] == "InvalidContactFlowException"


def test_create_contact_flow_unknown_type_refused_by_model_enum(world: World) -> None:
    with pytest.raises(ClientError, match="enum") as raised:
        world.client.create_contact_flow(
            InstanceId=INSTANCE_ID, Name="Bad", Type="NOT_A_TYPE", Content="{}"
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"


def test_describe_contact_flow_created_flow_returns_its_content(world: World) -> None:
    flow_id = world.flow(invoke())
    described = world.client.describe_contact_flow(InstanceId=INSTANCE_ID, ContactFlowId=flow_id)
    content = json.loads(described["ContactFlow"]["Content"])
    assert content["StartAction"] == "invoke"
    assert [a["Type"] for a in content["Actions"]] == [
        "InvokeLambdaFunction",
        "DisconnectParticipant",
    ]


def test_lambda_associations_list_disassociate_round_trip(world: World) -> None:
    other = FUNCTION + "-other"
    world.client.associate_lambda_function(InstanceId=INSTANCE_ID, FunctionArn=other)
    world.client.associate_lambda_function(InstanceId=INSTANCE_ID, FunctionArn=other)
    listed = world.client.list_lambda_functions(InstanceId=INSTANCE_ID)["LambdaFunctions"]
    assert listed == [FUNCTION, other]
    world.client.disassociate_lambda_function(InstanceId=INSTANCE_ID, FunctionArn=other)
    assert world.client.list_lambda_functions(InstanceId=INSTANCE_ID)["LambdaFunctions"] == [
        FUNCTION
    ]
    with pytest.raises(ClientError) as raised:
        world.client.disassociate_lambda_function(InstanceId=INSTANCE_ID, FunctionArn=other)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_associate_lambda_function_unknown_instance_refused(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.client.associate_lambda_function(InstanceId="unknown", FunctionArn=FUNCTION)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
