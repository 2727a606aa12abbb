"""Fixtures for handler unit tests: stubbed Connect and CloudFormation clients, a Lambda context.

The environment is set before `handler` is imported: crhelper builds boto3 clients at import.
"""

from __future__ import annotations

import os

os.environ["AWS_REGION"] = "us-east-1"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_PROFILE", None)

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import handler
import pytest
from botocore.stub import Stubber

from tests.handler.events import REGION, STACK_ID, stacks_answer


class NetworkRefusedError(AssertionError):
    """A handler test tried to send a request past the Stubber."""


@dataclass
class StubbedConnect:
    """The Stubber on one region's cached client, and the calls (name, params) that reached it."""

    stubber: Stubber
    calls: list[str] = field(default_factory=list)
    params: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LambdaContext:
    """The parts of a Lambda context that crhelper and the handler read."""

    function_name: str = "ContactStreamingProvider"
    aws_request_id: str = "c0ffee00-0000-4000-8000-000000000000"
    invoked_function_arn: str = (
        "arn:aws:lambda:us-east-1:123456789012:function:ContactStreamingProvider"
    )
    remaining_millis: int = 60_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


def returned_id(result: object) -> str:
    """The PhysicalResourceId a handler function returned (crhelper's stubs type it loosely)."""
    assert isinstance(result, str), result
    return result


def _refuse_network(request: Any, **_: Any) -> None:
    raise NetworkRefusedError(f"test tried to reach {request.url}")


def stub_region(region: str) -> Iterator[StubbedConnect]:
    """Stub `handler.connect_client(region)`; afterwards assert every queued answer was used."""
    yield from stub_client(handler.connect_client(region))


def stub_client(client: Any) -> Iterator[StubbedConnect]:
    """Stub a cached client; afterwards assert every queued answer was used."""
    stubbed = StubbedConnect(Stubber(client))
    params_event = f"provide-client-params.{client.meta.service_model.service_id.hyphenize()}"

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        stubbed.calls.append(model.name)
        stubbed.params.append(params)

    client.meta.events.register_first(params_event, record)
    client.meta.events.register_first("before-send", _refuse_network)
    with stubbed.stubber:
        yield stubbed
        stubbed.stubber.assert_no_pending_responses()
    client.meta.events.unregister(params_event, record)
    client.meta.events.unregister("before-send", _refuse_network)


@pytest.fixture(autouse=True)
def fresh_handler_state() -> Iterator[None]:
    """What crhelper's __call__ resets before each request; no client outlives a test."""
    handler.connect_client.cache_clear()
    handler.cloudformation_client.cache_clear()
    handler.helper.Data = {}
    handler.helper.PhysicalResourceId = ""
    yield
    handler.connect_client.cache_clear()
    handler.cloudformation_client.cache_clear()


@pytest.fixture
def connect() -> Iterator[StubbedConnect]:
    """The Stubber on the us-east-1 Connect client the handler uses."""
    yield from stub_region(REGION)


@pytest.fixture
def cloudformation() -> Iterator[StubbedConnect]:
    """The Stubber on the us-east-1 CloudFormation client that reads the stack's status."""
    yield from stub_client(handler.cloudformation_client(REGION))


@pytest.fixture
def connect_eu_west_2() -> Iterator[StubbedConnect]:
    """The Stubber on the eu-west-2 client, for an instance outside the stack's region."""
    yield from stub_region("eu-west-2")


@pytest.fixture
def lambda_context() -> LambdaContext:
    """A Lambda context with a minute left."""
    return LambdaContext()


def queue_status(cloudformation: StubbedConnect, status: str) -> None:
    """DescribeStacks of the event's stack, and only that stack, answers `status`."""
    cloudformation.stubber.add_response(
        "describe_stacks", stacks_answer(status), {"StackName": STACK_ID}
    )
