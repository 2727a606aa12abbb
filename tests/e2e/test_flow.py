"""Chats started as Connect's hosted widget starts them are streamed by the flow's function.

One deploy and one destroy of tests/e2e/flow_stacks.py through the cdk CLI; the steps share it,
in file order. The local Connect runs each chat's flow (standins/flows.py): the flow invokes the
function on the engine's Lambda, the function calls StartContactStreaming, and the chat's messages
reach the endpoint's topic and the queue subscribed to it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from acceptance.delivery import Delivery, receive
from local.session import Session
from local.world import INSTANCE_ID, REGION
from standins.connect import DEFAULT_QUOTAS, STACK_CALLER, START, THROTTLED, instance_arn
from standins.flows import Contact, flow_event
from tests.e2e.conftest import synthesize
from tests.e2e.flow_stacks import FLOW_STACK, FlowStack
from tests.engine import Cli

CHATS = 8
MESSAGES = 3
# The account's other callers of StartContactStreaming share the quota: a backend that calls it
# faster than 5/s until the flow's function has been throttled this often. It calls from several
# threads: on a loaded machine one thread's round trips alone may not outpace the quota.
BACKEND_PER_S = 10.0
BACKEND_THREADS = 3
THROTTLES = 1
BACKEND_LIMIT_S = 15.0
# The function's reason when Connect's answer never came (lost or late): the stream may exist.
LOST_ANSWER = frozenset(
    {"ReadTimeoutError", "ConnectionClosedError", "ConnectTimeoutError", "EndpointConnectionError"}
)


def function_throttles(session: Session, since: int) -> int:
    """StartContactStreaming calls of the stack's function (no app id) answered 429, counted
    from the `since`-th call of the session on."""
    calls = session.connect.calls_of(START)[since:]
    return sum(1 for c in calls if c.error == THROTTLED and c.caller == STACK_CALLER)


@contextmanager
def busy_backend(session: Session, topic_arn: str, until: Callable[[], bool]) -> Iterator[None]:
    """Another caller on the account's StartContactStreaming quota (BACKEND_THREADS threads, each
    BACKEND_PER_S calls a second), until `until()` or a limit."""
    client = session.connect_client(
        Config(user_agent_extra="app/backend", retries={"total_max_attempts": 1})
    )
    stop = threading.Event()

    def run() -> None:
        deadline = time.monotonic() + BACKEND_LIMIT_S
        while not stop.is_set() and not until() and time.monotonic() < deadline:
            contact_id = str(uuid.uuid4())
            session.connect.add_contact(INSTANCE_ID, contact_id)
            with suppress(ClientError):  # throttled: it only needs to use the quota
                client.start_contact_streaming(
                    InstanceId=INSTANCE_ID,
                    ContactId=contact_id,
                    ChatStreamingConfiguration={"StreamingEndpointArn": topic_arn},
                    ClientToken=contact_id,
                )
            stop.wait(1 / BACKEND_PER_S)

    threads = [threading.Thread(target=run, daemon=True) for _ in range(BACKEND_THREADS)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def lambda_client(session: Session) -> Any:
    """The engine's Lambda, one attempt per call, waiting as long as a cold start may take."""
    return session.settings.client(
        "lambda", Config(read_timeout=60, retries={"total_max_attempts": 1})
    )


def invoke_function(client: Any, function_arn: str, contact: Contact) -> dict[str, str]:
    """The function invoked as a flow's block invokes it, for `contact`: its answer."""
    answer = client.invoke(FunctionName=function_arn, Payload=json.dumps(flow_event(contact, {})))
    return dict(json.loads(answer["Payload"].read()))


def invoke_again(session: Session, function_arn: str, contact_id: str) -> dict[str, str]:
    """The function invoked again for a chat of the instance, as a second block would."""
    chat = Contact(instance_arn(REGION, INSTANCE_ID), contact_id, contact_id)
    return invoke_function(lambda_client(session), function_arn, chat)


def warm_up(session: Session, function_arn: str, count: int) -> None:
    """`count` concurrent invocations with a voice contact (the function skips it), so that the
    burst finds warm workers: the test is about throttling, not the engine's cold starts."""
    client = lambda_client(session)
    voice = Contact(instance_arn(REGION, INSTANCE_ID), "warm-up", "warm-up", channel="VOICE")
    with ThreadPoolExecutor(max_workers=count) as pool:
        answers = list(
            pool.map(lambda _: invoke_function(client, function_arn, voice), range(count))
        )
    assert [answer["streaming"] for answer in answers] == ["skipped"] * count


@dataclass
class Deployed:
    """The deployed stack's outputs and a Connect client as the widget's side uses it."""

    outputs: dict[str, str]
    connect: Any

    def create_flow(self, *actions: dict[str, Any]) -> str:
        """A published flow of the instance made of `actions` (the first one starts it)."""
        content = {
            "Version": "2019-10-30",
            "StartAction": actions[0]["Identifier"],
            "Actions": [*actions, {"Identifier": "end", "Type": "DisconnectParticipant"}],
        }
        answer = self.connect.create_contact_flow(
            InstanceId=INSTANCE_ID,
            Name=uuid.uuid4().hex,
            Type="CONTACT_FLOW",
            Content=json.dumps(content),
        )
        return str(answer["ContactFlowId"])

    def start_chat(self, flow_id: str) -> dict[str, Any]:
        """StartChatContact as the hosted widget calls it: no ChatStreamingConfiguration."""
        answer: dict[str, Any] = self.connect.start_chat_contact(
            InstanceId=INSTANCE_ID,
            ContactFlowId=flow_id,
            ParticipantDetails={"DisplayName": "Customer"},
        )
        return answer


def invoke(identifier: str, function_arn: str, then: str = "end") -> dict[str, Any]:
    """An Invoke AWS Lambda function block, as the flow designer writes it."""
    return {
        "Identifier": identifier,
        "Type": "InvokeLambdaFunction",
        "Parameters": {
            "LambdaFunctionARN": function_arn,
            "InvocationTimeLimitSeconds": "8",
            "ResponseValidation": {"ResponseType": "STRING_MAP"},
        },
        "Transitions": {
            "NextAction": then,
            "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
        },
    }


@pytest.fixture(scope="module")
def flow_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flow app, synthesized once."""
    return synthesize(
        tmp_path_factory.mktemp("flow.out"),
        lambda app: FlowStack(app, FLOW_STACK, instance_id=INSTANCE_ID),
    )


@pytest.fixture(scope="module")
def deployed(session: Session, cli: Cli, flow_assembly: Path) -> Iterator[Deployed]:
    """The flow app deployed (destroyed at the end if still there)."""
    run, outputs = cli.deploy(flow_assembly, FLOW_STACK)
    assert run.returncode == 0, run.output[-3000:]
    try:
        yield Deployed(outputs, session.connect_client())
    finally:
        if cli.stack_status(FLOW_STACK) != "GONE":
            cli.destroy(flow_assembly, FLOW_STACK)


def say(session: Session, participant_token: str, count: int, contact_id: str) -> list[str]:
    """The customer connects and sends `count` messages; their item Ids, in order."""
    client = session.participant_client()
    connection = client.create_participant_connection(
        ParticipantToken=participant_token, Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )["ConnectionCredentials"]["ConnectionToken"]
    return [
        str(
            client.send_message(
                ConnectionToken=connection,
                ContentType="text/plain",
                Content=f"{contact_id} message {n}",
            )["Id"]
        )
        for n in range(count)
    ]


def customer_messages(deliveries: list[Delivery]) -> dict[str, list[Delivery]]:
    """The customer's messages on the queue by ContactId, in AbsoluteTime order."""
    found: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        if delivery.item.get("Type") == "MESSAGE" and delivery.item.get("ParticipantRole") == (
            "CUSTOMER"
        ):
            found.setdefault(delivery.attributes["ContactId"], []).append(delivery)
    return {
        contact: sorted(items, key=lambda d: str(d.item["AbsoluteTime"]))
        for contact, items in found.items()
    }


def read_queue(session: Session, queue_url: str, count: int) -> dict[str, list[Delivery]]:
    """The customer's messages on the queue once there are `count` (or after 20 s)."""
    sqs, deliveries = session.client("sqs"), []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        deliveries += receive(sqs, queue_url, 10, 2)
        if sum(map(len, customer_messages(deliveries).values())) >= count:
            break
    return customer_messages(deliveries)


def test_flow_widget_chats_in_burst_streamed_or_reported_by_function_messages_in_order_on_topic(
    session: Session, deployed: Deployed
) -> None:
    function_arn = deployed.outputs["FunctionArn"]
    assert deployed.connect.list_lambda_functions(InstanceId=INSTANCE_ID)["LambdaFunctions"] == [
        function_arn
    ]
    flow_id = deployed.create_flow(invoke("stream", function_arn))
    warm_up(session, function_arn, CHATS)
    since = len(session.connect.calls_of(START))
    with session.connect.lock:
        quotas_before = dict(session.connect.buckets)
    session.connect.set_quotas({START: DEFAULT_QUOTAS[START]})
    started = time.monotonic()
    try:
        throttled_enough = lambda: function_throttles(session, since) >= THROTTLES  # noqa: E731
        with (
            busy_backend(session, deployed.outputs["TopicArn"], throttled_enough),
            ThreadPoolExecutor(max_workers=CHATS) as pool,
        ):
            chats = list(pool.map(lambda _: deployed.start_chat(flow_id), range(CHATS)))
    finally:
        with session.connect.lock:
            session.connect.buckets = quotas_before
    flow_s = time.monotonic() - started
    throttled = function_throttles(session, since)
    answers = {}
    for chat in chats:
        (invocation,) = session.connect.flows.invocations_of(chat["ContactId"])
        late = session.connect.flows.late_of(chat["ContactId"])
        assert invocation.outcome == "Success", (invocation, late)
        answers[chat["ContactId"]] = invocation.response
    streamed = [c for c in chats if answers[c["ContactId"]]["streaming"] == "started"]
    for chat in chats:
        streams = [s for s in session.connect.active_streams() if s.contact_id == chat["ContactId"]]
        if chat in streamed:
            (stream,) = streams
            assert stream.streaming_id == answers[chat["ContactId"]]["streamingId"]
            assert stream.endpoint_arn == deployed.outputs["TopicArn"]
        elif answers[chat["ContactId"]]["reason"] == THROTTLED:
            # The function's own report: it ran out of its time budget while throttled.
            assert answers[chat["ContactId"]]["streaming"] == "failed"
            assert streams == []
        else:
            # No answer from the local Connect in time (it serves from this busy process): Connect
            # may have started the stream. The same block again gets its id (flow-streaming.md).
            assert answers[chat["ContactId"]]["streaming"] == "failed"
            assert answers[chat["ContactId"]]["reason"] in LOST_ANSWER, answers[chat["ContactId"]]
            again = invoke_again(session, function_arn, chat["ContactId"])
            assert again["streaming"] == "started", again
            assert [
                s.streaming_id
                for s in session.connect.active_streams()
                if s.contact_id == chat["ContactId"]
            ] == [again["streamingId"]]
            streamed.append(chat)
    sent = {
        c["ContactId"]: say(session, c["ParticipantToken"], MESSAGES, c["ContactId"])
        for c in streamed
    }
    got = read_queue(session, deployed.outputs["QueueUrl"], len(sent) * MESSAGES)
    blocks = sorted(
        i.seconds for c in chats for i in session.connect.flows.invocations_of(c["ContactId"])
    )
    print(  # the timeline the report quotes (pytest -s)
        f"\n{CHATS} chats in {flow_s:.2f} s (flow included), the function throttled {throttled} "
        f"times, {len(streamed)} streamed; flow blocks took {blocks[0]:.2f}-{blocks[-1]:.2f} s"
    )
    assert throttled >= THROTTLES
    # Survived or reported: each chat streamed, or the function said it ran out of time while
    # throttled (checked above); at least one streamed, so the order check below means something.
    assert streamed, answers
    assert {contact: [d.item["Id"] for d in items] for contact, items in got.items()} == sent


def test_flow_entered_twice_invokes_function_twice_and_streams_once(
    session: Session, deployed: Deployed
) -> None:
    function_arn = deployed.outputs["FunctionArn"]
    first = deployed.create_flow(invoke("stream", function_arn))
    transfer = {
        "Identifier": "transfer",
        "Type": "TransferToFlow",
        "Parameters": {"ContactFlowId": first},
        "Transitions": {},
    }
    twice = deployed.create_flow(invoke("stream-first", function_arn, then="transfer"), transfer)
    chat = deployed.start_chat(twice)
    invocations = session.connect.flows.invocations_of(chat["ContactId"])
    assert [i.flow_id for i in invocations] == [twice, first]
    assert {i.response["streaming"] for i in invocations} == {"started"}
    (stream,) = [s for s in session.connect.streams.values() if s.contact_id == chat["ContactId"]]
    assert {i.response["streamingId"] for i in invocations} == {stream.streaming_id}


def test_flow_destroy_disassociates_function_and_flow_takes_error_branch(
    session: Session, cli: Cli, flow_assembly: Path, deployed: Deployed
) -> None:
    function_arn = deployed.outputs["FunctionArn"]
    flow_id = deployed.create_flow(invoke("stream", function_arn))
    run = cli.destroy(flow_assembly, FLOW_STACK)
    assert run.returncode == 0, run.output[-3000:]
    assert deployed.connect.list_lambda_functions(InstanceId=INSTANCE_ID)["LambdaFunctions"] == []
    chat = deployed.start_chat(flow_id)
    (invocation,) = session.connect.flows.invocations_of(chat["ContactId"])
    assert (invocation.outcome, invocation.attempts) == ("Error", 0)
    assert "not associated" in invocation.error
    assert [s for s in session.connect.streams.values() if s.contact_id == chat["ContactId"]] == []
