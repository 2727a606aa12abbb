"""Stacks whose Connect instance is in another region than the stack."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Template

from contact_streaming import ContactStreaming

ACCOUNT = "111122223333"
STACK_REGION = "us-east-1"
INSTANCE_REGION = "eu-central-1"
INSTANCE_ARN = (
    f"arn:aws:connect:{INSTANCE_REGION}:{ACCOUNT}:instance/12345678-aaaa-4bbb-8ccc-123456789012"
)
TOPIC_ARN = f"arn:aws:sns:{INSTANCE_REGION}:{ACCOUNT}:streaming"


def stack_in(region: str | None) -> Stack:
    """A new stack in `region` (None: an environment-agnostic stack)."""
    env = Environment(account=ACCOUNT, region=region) if region else None
    return Stack(App(), "Region", env=env)


@pytest.fixture(scope="module")
def other_region_template() -> Template:
    """A stack in STACK_REGION streaming from an instance (and to a topic) in INSTANCE_REGION."""
    stack = stack_in(STACK_REGION)
    ContactStreaming(
        stack,
        "Stream",
        instance_arn=INSTANCE_ARN,
        contact_id="contact-1",
        streaming_endpoint_arn=TOPIC_ARN,
    )
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def other_region_properties(other_region_template: Template) -> dict[str, Any]:
    """The custom resource's properties, as CloudFormation hands them to the handler."""
    (resource,) = other_region_template.find_resources("Custom::ContactStreaming").values()
    properties: dict[str, Any] = resource["Properties"]
    return properties
