"""CloudFormation custom resource events, a Lambda context, and the environment Lambda gives.

The events carry the keys CloudFormation sends (RequestType, ServiceToken, ResponseURL, StackId,
RequestId, ResourceType, LogicalResourceId, ResourceProperties, and OldResourceProperties and
PhysicalResourceId where CloudFormation sends them).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from standins.aws import (
    ACCESS_KEY,
    ACCOUNT,
    FUNCTION_NAME,
    REGION,
    SECRET_KEY,
    SERVICE_TOKEN,
    SESSION_TOKEN,
    STACK_NAME,
)
from standins.response_endpoint import ResponseEndpoint

RESOURCE_TYPE = "Custom::ContactStreaming"
LOGICAL_ID = "StreamingResourceE1C2B3A4"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/{uuid.uuid4()}"
INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CONTACT_ID = "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK_NAME}-TopicBFC7AF6E-Q1w2E3r4T5y6"


def properties(**overrides: Any) -> dict[str, Any]:
    """ResourceProperties as the synthesized template resolves them; overrides replace keys.

    An override of None removes the key.
    """
    props: dict[str, Any] = {
        "ServiceToken": SERVICE_TOKEN,
        "InstanceId": INSTANCE_ID,
        "ContactId": CONTACT_ID,
        "StreamingEndpointArn": TOPIC_ARN,
        "Region": REGION,
        "ServiceTimeout": "300",
    }
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


def cfn_event(
    request_type: str,
    endpoint: ResponseEndpoint,
    props: Mapping[str, Any],
    *,
    old_props: Mapping[str, Any] | None = None,
    physical_id: str | None = None,
    request_id: str | None = None,
    logical_id: str = LOGICAL_ID,
    stack_id: str = STACK_ID,
) -> dict[str, Any]:
    """An event shaped like the one CloudFormation sends to the provider Lambda."""
    request_id = request_id or str(uuid.uuid4())
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": SERVICE_TOKEN,
        "ResponseURL": endpoint.response_url(stack_id, logical_id, request_id),
        "StackId": stack_id,
        "RequestId": request_id,
        "LogicalResourceId": logical_id,
        "ResourceType": RESOURCE_TYPE,
        "ResourceProperties": dict(props),
    }
    if request_type == "Update":
        event["OldResourceProperties"] = dict(old_props or {})
    if request_type in ("Update", "Delete"):
        assert physical_id is not None, f"{request_type} needs a PhysicalResourceId"
        event["PhysicalResourceId"] = physical_id
    return event


def lambda_environment(connect_url: str, ca_file: str, stacks_url: str) -> dict[str, str]:
    """What Lambda sets for the function, with AWS endpoints and trust pointed at the stand-ins."""
    return {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_CONNECT": connect_url,
        "AWS_ENDPOINT_URL_CLOUDFORMATION": stacks_url,
        "SSL_CERT_FILE": ca_file,
    }


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables (dropping AWS_PROFILE) for the block, then restore them."""
    names = [*values, "AWS_PROFILE"]
    saved = {name: os.environ.get(name) for name in names}
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
