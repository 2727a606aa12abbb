"""Connect's quotas in the stand-in: token buckets with bursts, 429 ThrottlingException, callers."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from standins.aws import ACCESS_KEY, REGION, SECRET_KEY, SESSION_TOKEN
from standins.connect import (
    DEFAULT_QUOTAS,
    START,
    STOP,
    ConnectStandIn,
    Quota,
    TokenBucket,
    caller_of,
)

INSTANCE = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
TOPIC = f"arn:aws:sns:{REGION}:123456789012:topic"


def client(connect: ConnectStandIn, attempts: int = 1, app: str = "") -> object:
    """A Connect client for the stand-in; `app` names the caller in the User-Agent."""
    session = boto3.session.Session(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, REGION)
    config = Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        user_agent_extra=f"app/{app}" if app else None,
    )
    return session.client("connect", endpoint_url=connect.url, config=config)


def start_call(connect: ConnectStandIn, connect_client: object, contact: str) -> str:
    """StartContactStreaming on a fresh active contact; the error code, or "" on success."""
    connect.add_contact(INSTANCE, contact)
    try:
        connect_client.start_contact_streaming(  # type: ignore[attr-defined]
            InstanceId=INSTANCE,
            ContactId=contact,
            ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC},
            ClientToken=contact,
        )
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return ""


def test_bucket_start_quota_bursts_eight_then_refills_five_a_second() -> None:
    bucket = TokenBucket(DEFAULT_QUOTAS[START])

    assert [bucket.take(100.0) for _ in range(9)] == [True] * 8 + [False]
    assert [bucket.take(100.2) for _ in range(2)] == [True, False]
    assert [bucket.take(101.2) for _ in range(6)] == [True] * 5 + [False]


def test_bucket_stop_quota_bursts_eight_then_refills_five_a_second() -> None:
    bucket = TokenBucket(DEFAULT_QUOTAS[STOP])

    assert [bucket.take(0.0) for _ in range(9)] == [True] * 8 + [False]
    assert [bucket.take(0.2) for _ in range(2)] == [True, False]
    assert [bucket.take(1.2) for _ in range(6)] == [True] * 5 + [False]
    assert [bucket.take(60.0) for _ in range(9)] == [True] * 8 + [False]


def test_default_quotas_start_and_stop_five_a_second_burst_eight() -> None:
    # Service Quotas L-93412F17 and L-2FC23A76; Connect's API throttling table.
    assert {START: Quota(5, 8), STOP: Quota(5, 8)} == DEFAULT_QUOTAS


def slow_refill(quota: Quota) -> Quota:
    """The same burst, refilled too slowly to matter within a test."""
    return Quota(per_second=0.01, burst=quota.burst)


def test_quotas_start_beyond_burst_answers_429_throttling(connect: ConnectStandIn) -> None:
    connect.set_quotas({START: slow_refill(DEFAULT_QUOTAS[START])})
    connect_client = client(connect)

    codes = [start_call(connect, connect_client, f"contact-{n}") for n in range(9)]

    assert codes == [""] * 8 + ["ThrottlingException"]
    assert [call.status for call in connect.calls_of(START)] == [200] * 8 + [429]
    assert len(connect.active_streams()) == 8


def test_quotas_stop_beyond_burst_answers_429_throttling(connect: ConnectStandIn) -> None:
    connect.set_quotas({STOP: slow_refill(DEFAULT_QUOTAS[STOP])})
    connect_client = client(connect)
    connect.add_contact(INSTANCE, "contact")
    codes = []
    for n in range(9):
        try:
            connect_client.stop_contact_streaming(  # type: ignore[attr-defined]
                InstanceId=INSTANCE, ContactId="contact", StreamingId=f"stream-{n}"
            )
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])

    assert codes == ["ResourceNotFoundException"] * 8 + ["ThrottlingException"]


def test_quotas_throttling_standard_retries_treat_it_as_throttling_three_attempts(
    connect: ConnectStandIn,
) -> None:
    connect.set_quotas({START: Quota(per_second=0.001, burst=0)})

    code = start_call(connect, client(connect, attempts=3), "contact")

    assert code == "ThrottlingException"
    assert [call.error for call in connect.calls_of(START)] == ["ThrottlingException"] * 3


def test_limit_rate_five_bursts_of_five_for_each_operation(connect: ConnectStandIn) -> None:
    connect.limit_rate(5)

    assert {op: bucket.quota for op, bucket in connect.buckets.items()} == {
        START: Quota(5, 5),
        STOP: Quota(5, 5),
    }


@pytest.mark.parametrize(
    ("user_agent", "caller"),
    [
        ("Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux lang/python#3.14", "stack"),
        ("Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 app/live-chat", "live-chat"),
    ],
)
def test_caller_of_user_agent_names_app_or_stack(user_agent: str, caller: str) -> None:
    assert caller_of(user_agent) == caller


def test_calls_record_who_called_from_user_agent(connect: ConnectStandIn) -> None:
    start_call(connect, client(connect), "from-stack")
    start_call(connect, client(connect, app="live-chat"), "from-live-chat")

    assert [(c.body["ContactId"], c.caller) for c in connect.calls_of(START)] == [
        ("from-stack", "stack"),
        ("from-live-chat", "live-chat"),
    ]
