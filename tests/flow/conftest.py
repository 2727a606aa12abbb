"""Fixtures for the flow function: the local Connect at Connect's quotas, and its environment."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from flow import flow_handler

from standins.aws import ACCESS_KEY, REGION, SECRET_KEY, SESSION_TOKEN, LambdaContext
from standins.connect import START, ConnectStandIn, Quota, instance_arn
from standins.harness import fresh_default_session

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ARN = instance_arn(REGION, INSTANCE_ID)
OTHER_INSTANCE_ARN = instance_arn(REGION, "66666666-7777-8888-9999-000000000000")
ENDPOINT_ARN = f"arn:aws:sns:{REGION}:123456789012:flow-streaming"
# Connect's published StartContactStreaming quota: 5 requests a second, bursts of 8.
PUBLISHED_START = Quota(5, 8)
# Connect's synchronous Invoke AWS Lambda function block waits at most this long.
CONNECT_LIMIT_S = 8.0
ROOMY_S = 60.0


@pytest.fixture(scope="module")
def connect_server() -> Iterator[ConnectStandIn]:
    """One local Connect for the module's tests, on a free port."""
    stand_in = ConnectStandIn().start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


@pytest.fixture
def connect(
    connect_server: ConnectStandIn, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ConnectStandIn]:
    """The local Connect, reset, at the published Start quota; the function's environment."""
    connect_server.reset()
    connect_server.set_quotas({START: PUBLISHED_START})
    for name, value in {
        "AWS_ENDPOINT_URL_CONNECT": connect_server.url,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        flow_handler.INSTANCE_ENV: INSTANCE_ARN,
        flow_handler.ENDPOINT_ENV: ENDPOINT_ARN,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # boto3's default session keeps the credentials it first found (another test's, maybe).
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", fresh_default_session())
    flow_handler.connect_client.cache_clear()
    yield connect_server
    flow_handler.connect_client.cache_clear()


@pytest.fixture
def context() -> LambdaContext:
    """A Lambda context whose deadline is the function's 8-second timeout."""
    return LambdaContext(timeout_s=CONNECT_LIMIT_S)


@pytest.fixture
def roomy(monkeypatch: pytest.MonkeyPatch) -> LambdaContext:
    """A minute's budget and deadline: for tests of what is retried, not of how long it takes.

    On a loaded machine a local call can take a second; the budget's bound has tests of its own.
    """
    monkeypatch.setattr(flow_handler, "BUDGET_S", ROOMY_S)
    return LambdaContext(timeout_s=ROOMY_S)


def new_chat(connect: ConnectStandIn) -> str:
    """An active chat on the endpoint's instance: its ContactId."""
    contact_id, _ = connect.start_chat(INSTANCE_ID)
    return contact_id
