"""The flow function against the local Connect: started, skipped, failed, and never a raise."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flow import flow_handler

from standins.aws import REGION, LambdaContext
from standins.connect import START, THROTTLED, ConnectStandIn, Fault, Quota
from standins.flow_event import flow_event
from tests.flow.conftest import (
    CONNECT_LIMIT_S,
    ENDPOINT_ARN,
    INSTANCE_ARN,
    INSTANCE_ID,
    OTHER_INSTANCE_ARN,
    new_chat,
)


def invoke(contact_id: str, context: LambdaContext, **kwargs: Any) -> dict[str, str]:
    return flow_handler.handler(flow_event(contact_id, INSTANCE_ARN, **kwargs), context)


def test_flow_handler_chat_started_streams_to_endpoint(
    connect: ConnectStandIn, context: LambdaContext
) -> None:
    contact_id = new_chat(connect)
    answer = invoke(contact_id, context)
    (stream,) = connect.active_streams()
    assert answer == {"streaming": "started", "streamingId": stream.streaming_id, "reason": ""}
    assert (stream.instance_id, stream.contact_id, stream.endpoint_arn) == (
        INSTANCE_ID,
        contact_id,
        ENDPOINT_ARN,
    )


def test_flow_handler_same_contact_twice_one_stream(
    connect: ConnectStandIn, context: LambdaContext
) -> None:
    # A flow's retry, or the same contact entering a second flow, sends the same event again.
    contact_id = new_chat(connect)
    first, second = invoke(contact_id, context), invoke(contact_id, context)
    assert first == second
    assert first["streaming"] == "started"
    assert len(connect.active_streams()) == 1
    tokens = {call.client_token for call in connect.calls_of(START)}
    assert len(tokens) == 1


def test_flow_handler_client_token_differs_by_contact_and_endpoint() -> None:
    one = flow_handler.Contact("contact-1", INSTANCE_ARN, "CHAT")
    other = flow_handler.Contact("contact-2", INSTANCE_ARN, "CHAT")
    tokens = {
        flow_handler.client_token(one, ENDPOINT_ARN),
        flow_handler.client_token(one, ENDPOINT_ARN),
        flow_handler.client_token(other, ENDPOINT_ARN),
        flow_handler.client_token(one, f"{ENDPOINT_ARN}-second"),
    }
    assert len(tokens) == 3
    assert all(len(token) <= 500 for token in tokens)


@pytest.mark.parametrize("channel", ["VOICE", "TASK", "EMAIL"])
def test_flow_handler_non_chat_contact_skipped_without_call(
    connect: ConnectStandIn, context: LambdaContext, channel: str
) -> None:
    answer = invoke("aaaaaaaa-0000-0000-0000-000000000000", context, channel=channel)
    assert answer == {
        "streaming": "skipped",
        "streamingId": "",
        "reason": f"Channel{channel.title()}",
    }
    assert connect.calls_of(START) == []


def test_flow_handler_other_instance_contact_failed_without_call(
    connect: ConnectStandIn, context: LambdaContext
) -> None:
    event = flow_event("aaaaaaaa-0000-0000-0000-000000000000", OTHER_INSTANCE_ARN)
    answer = flow_handler.handler(event, context)
    assert answer == {"streaming": "failed", "streamingId": "", "reason": "OtherInstance"}
    assert connect.calls_of(START) == []


@pytest.mark.parametrize(
    "event",
    [None, {}, {"Details": {}}, {"Details": {"ContactData": {"ContactId": "c"}}}, "text"],
)
def test_flow_handler_not_a_flow_event_failed(
    connect: ConnectStandIn, context: LambdaContext, event: Any
) -> None:
    answer = flow_handler.handler(event, context)
    assert answer == {"streaming": "failed", "streamingId": "", "reason": "NotAContactFlowEvent"}
    assert connect.calls_of(START) == []


def test_flow_handler_ended_contact_failed_at_once(
    connect: ConnectStandIn, context: LambdaContext
) -> None:
    contact_id = new_chat(connect)
    connect.end_contact(INSTANCE_ID, contact_id)
    answer = invoke(contact_id, context)
    assert answer["streaming"] == "failed"
    assert answer["reason"] == "InvalidRequestException"
    assert len(connect.calls_of(START)) == 1


def test_flow_handler_limit_exceeded_not_retried(
    connect: ConnectStandIn, context: LambdaContext
) -> None:
    # A 429 too, but Connect's per-contact limit (two topics): waiting does not help.
    connect.script(START, Fault("error", "LimitExceededException"))
    answer = invoke(new_chat(connect), context)
    assert answer["reason"] == "LimitExceededException"
    assert answer["streaming"] == "failed"
    assert len(connect.calls_of(START)) == 1


@pytest.mark.parametrize(
    "code", [THROTTLED, "TooManyRequestsException", "InternalServiceException"]
)
def test_flow_handler_retryable_error_retried_then_started(
    connect: ConnectStandIn, roomy: LambdaContext, code: str
) -> None:
    connect.script(START, Fault("error", code), Fault("error", code))
    answer = invoke(new_chat(connect), roomy)
    assert answer["streaming"] == "started", answer
    assert [call.error for call in connect.calls_of(START)] == [code, code, ""]


def test_flow_handler_lost_answer_retried_one_stream(
    connect: ConnectStandIn, roomy: LambdaContext
) -> None:
    # The first call starts the stream but its answer is lost: the retry's token finds it.
    connect.script(START, Fault("drop", after_effect=True))
    answer = invoke(new_chat(connect), roomy)
    (stream,) = connect.active_streams()
    assert answer["streamingId"] == stream.streaming_id
    assert len(connect.calls_of(START)) == 2


def test_flow_handler_every_answer_lost_failed_yet_streaming_then_same_block_gets_its_id(
    connect: ConnectStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Connect started the stream but no answer came back in time: the function can only say it
    # failed, with the network's reason; the same block again finds the stream by its token.
    monkeypatch.setattr(flow_handler, "BUDGET_S", 3.0)
    connect.script(START, *[Fault("drop", after_effect=True)] * 20)
    contact_id = new_chat(connect)
    lost = invoke(contact_id, LambdaContext(timeout_s=60))
    (stream,) = connect.active_streams()
    assert (lost["streaming"], lost["streamingId"]) == ("failed", "")
    assert lost["reason"] == "ConnectionClosedError"
    with connect.lock:
        connect.faults.clear()
    again = invoke(contact_id, LambdaContext(timeout_s=60))
    assert again == {"streaming": "started", "streamingId": stream.streaming_id, "reason": ""}
    assert connect.active_streams() == [stream]


def test_flow_handler_no_credentials_failed_at_once_without_call(
    connect: ConnectStandIn,
    context: LambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # An error of botocore's own that waiting cannot mend: answered at once, not retried.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    answer = invoke(new_chat(connect), context)
    assert answer == {"streaming": "failed", "streamingId": "", "reason": "NoCredentialsError"}
    assert connect.calls_of(START) == []


def test_flow_handler_botocore_makes_one_attempt_per_call(
    connect: ConnectStandIn,
) -> None:
    # Too little time left for a second attempt of the handler's own: botocore adds none.
    connect.script(START, Fault("error", THROTTLED))
    short = LambdaContext(timeout_s=flow_handler.ATTEMPT_S)
    answer = invoke(new_chat(connect), short)
    assert answer == {"streaming": "failed", "streamingId": "", "reason": THROTTLED}
    assert len(connect.calls_of(START)) == 1


def test_flow_handler_throttled_throughout_failed_within_connect_limit(
    connect: ConnectStandIn, context: LambdaContext
) -> None:
    connect.set_quotas({START: Quota(per_second=1e-9, burst=0)})
    began = time.monotonic()
    answer = invoke(new_chat(connect), context)
    elapsed = time.monotonic() - began
    assert answer == {"streaming": "failed", "streamingId": "", "reason": THROTTLED}
    assert len(connect.calls_of(START)) >= 3
    assert elapsed < CONNECT_LIMIT_S


def test_flow_handler_throttled_last_attempt_ends_inside_budget(
    connect: ConnectStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a clock that moves only when the handler sleeps: every attempt starts early enough to
    # end (ATTEMPT_S at most) inside BUDGET_S, and the handler gives up once one could not.
    connect.set_quotas({START: Quota(per_second=1e-9, burst=0)})
    contact_id = new_chat(connect)
    clock = {"now": 1000.0}
    starts: list[float] = []
    original = flow_handler.connect_client

    def recording_client(region: str) -> Any:
        starts.append(clock["now"])
        return original(region)

    with monkeypatch.context() as patch:
        patch.setattr(time, "monotonic", lambda: clock["now"])
        patch.setattr(time, "sleep", lambda s: clock.__setitem__("now", clock["now"] + s))
        patch.setattr(flow_handler, "connect_client", recording_client)
        answer = invoke(contact_id, LambdaContext(timeout_s=CONNECT_LIMIT_S))
    assert answer["streaming"] == "failed"
    assert len(starts) >= 5
    assert max(starts) + flow_handler.ATTEMPT_S <= 1000.0 + flow_handler.BUDGET_S
    assert flow_handler.BUDGET_S < CONNECT_LIMIT_S


def test_flow_handler_burst_beyond_quota_all_started(
    connect: ConnectStandIn, roomy: LambdaContext
) -> None:
    # The burst of 8 already spent, six chats at once: throttled, they retry and start in time.
    contacts = [new_chat(connect) for _ in range(6)]
    flow_handler.connect_client(REGION)  # a warm Lambda's client: no start-up between the calls
    while not connect.throttled(START):
        pass
    with ThreadPoolExecutor(max_workers=len(contacts)) as pool:
        answers = list(pool.map(lambda c: invoke(c, roomy), contacts))
    assert [a["streaming"] for a in answers] == ["started"] * len(contacts)
    assert len(connect.active_streams()) == len(contacts)
    assert connect.count(429) >= 1


def test_flow_handler_unexpected_error_answers_failed(
    connect: ConnectStandIn, context: LambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(flow_handler.INSTANCE_ENV)
    answer = invoke(new_chat(connect), context)
    assert answer == {"streaming": "failed", "streamingId": "", "reason": "UnexpectedKeyError"}


def test_flow_handler_answer_is_flat_string_map(
    connect: ConnectStandIn, context: LambdaContext
) -> None:
    answer = invoke(new_chat(connect), context)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items())


def test_flow_handler_log_has_contact_and_outcome_no_token(
    connect: ConnectStandIn, context: LambdaContext, caplog: pytest.LogCaptureFixture
) -> None:
    contact_id = new_chat(connect)
    caplog.set_level(logging.INFO)
    invoke(contact_id, context)
    token = flow_handler.client_token(
        flow_handler.Contact(contact_id, INSTANCE_ARN, "CHAT"), ENDPOINT_ARN
    )
    (record,) = [vars(r) for r in caplog.records if "outcome" in vars(r)]
    assert (record["contactId"], record["outcome"]) == (contact_id, "started")
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert token not in logged
    assert token.removeprefix("flow-") not in logged
