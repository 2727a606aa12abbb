"""An instance in another region: the resource, IAM and the handler's signature all name it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import handler
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from contact_streaming import ContactStreaming
from standins.harness import new_lambda_sandbox
from tests.region.conftest import (
    ACCOUNT,
    INSTANCE_ARN,
    INSTANCE_REGION,
    STACK_REGION,
    TOPIC_ARN,
    stack_in,
)

CREDENTIAL_SCOPE = re.compile(
    rf"^AWS4-HMAC-SHA256 Credential=AKIDFAKE/\d{{8}}/{INSTANCE_REGION}/connect/aws4_request,"
)


class FakeRaw:
    """The raw body botocore reads from a response."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self.body


def authorization(request: AWSPreparedRequest) -> str:
    """The request's SigV4 Authorization header."""
    header = request.headers["Authorization"]
    return header.decode() if isinstance(header, bytes) else str(header)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[AWSPreparedRequest]]:
    """Requests the handler's Connect client signs; each gets a fake 200 instead of being sent."""
    for name in (
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_CONNECT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", STACK_REGION)
    monkeypatch.setenv("AWS_REGION", STACK_REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    new_lambda_sandbox(handler)
    requests: list[AWSPreparedRequest] = []

    def answer(request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse:
        requests.append(request)
        body = json.dumps({"StreamingId": "streaming-1"}).encode()
        return AWSResponse(request.url, 200, HTTPHeaders(), FakeRaw(body))

    client = handler.connect_client(INSTANCE_REGION)
    # A before-send hook that returns a response stops botocore from sending the request.
    client.meta.events.register("before-send.connect", answer)  # type: ignore[arg-type]
    yield requests
    new_lambda_sandbox(handler)


def test_custom_resource_instance_arn_other_region_region_property_is_instance_region(
    other_region_template: Template,
) -> None:
    other_region_template.has_resource_properties(
        "Custom::ContactStreaming", {"Region": INSTANCE_REGION, "StreamingEndpointArn": TOPIC_ARN}
    )


def test_provider_policy_instance_arn_other_region_names_that_arn(
    other_region_template: Template,
) -> None:
    other_region_template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": [
                                    "connect:StartContactStreaming",
                                    "connect:StopContactStreaming",
                                ],
                                "Resource": INSTANCE_ARN,
                            }
                        )
                    ]
                )
            }
        },
    )


def test_handler_start_other_region_request_signed_for_that_region(
    other_region_properties: dict[str, Any], sent: list[AWSPreparedRequest]
) -> None:
    wanted = handler.desired_stream(other_region_properties)
    streaming_id = handler.start_call(replace(wanted, client_token="token-1"))
    assert streaming_id == "streaming-1"
    (request,) = sent
    assert request.url == f"https://connect.{INSTANCE_REGION}.amazonaws.com/contact/start-streaming"
    assert CREDENTIAL_SCOPE.match(authorization(request))


def test_handler_stop_other_region_request_signed_for_that_region(
    other_region_properties: dict[str, Any], sent: list[AWSPreparedRequest]
) -> None:
    wanted = handler.desired_stream(other_region_properties)
    handler.stop(replace(wanted, state="started", streaming_id="streaming-1"))
    (request,) = sent
    assert request.url == f"https://connect.{INSTANCE_REGION}.amazonaws.com/contact/stop-streaming"
    assert CREDENTIAL_SCOPE.match(authorization(request))


def test_construct_owned_topic_in_other_region_raises_naming_both_regions() -> None:
    stack = stack_in(STACK_REGION)
    topic = sns.Topic(stack, "Topic")
    with pytest.raises(
        ValueError, match=rf"topic is in region '{STACK_REGION}'.*'{INSTANCE_REGION}'"
    ):
        ContactStreaming(stack, "Stream", instance_arn=INSTANCE_ARN, contact_id="c", topic=topic)


def test_construct_imported_topic_in_other_region_raises_naming_both_regions() -> None:
    stack = stack_in(STACK_REGION)
    topic = sns.Topic.from_topic_arn(stack, "Topic", f"arn:aws:sns:eu-west-1:{ACCOUNT}:t")
    with pytest.raises(
        ValueError, match=rf"'eu-west-1' but instance_arn is in.*'{INSTANCE_REGION}'"
    ):
        ContactStreaming(stack, "Stream", instance_arn=INSTANCE_ARN, contact_id="c", topic=topic)


def test_construct_endpoint_arn_other_region_than_stack_instance_raises() -> None:
    with pytest.raises(
        ValueError,
        match=rf"streaming_endpoint_arn is in region '{INSTANCE_REGION}' but instance_id "
        rf"\(the stack's region\) is in region '{STACK_REGION}'",
    ):
        ContactStreaming(
            stack_in(STACK_REGION),
            "Stream",
            instance_id="12345678-aaaa-4bbb-8ccc-123456789012",
            contact_id="c",
            streaming_endpoint_arn=TOPIC_ARN,
        )


def test_construct_topic_region_unknown_other_region_instance_synthesizes() -> None:
    stack = stack_in(None)
    topic = sns.Topic(stack, "Topic")
    ContactStreaming(stack, "Stream", instance_arn=INSTANCE_ARN, contact_id="c", topic=topic)
    Template.from_stack(stack).has_resource_properties(
        "Custom::ContactStreaming", {"Region": INSTANCE_REGION}
    )
