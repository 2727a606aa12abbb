"""Stacks whose streaming topic is encrypted or imported."""

from __future__ import annotations

import pytest
from aws_cdk import App, Environment, Stack

ACCOUNT = "111122223333"
OWNER_ACCOUNT = "444455556666"
REGION = "eu-west-2"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/12345678-aaaa-4bbb-8ccc-123456789012"
OTHER_INSTANCE_ARN = INSTANCE_ARN.replace("12345678-", "87654321-")
IMPORTED_TOPIC_ARN = f"arn:aws:sns:{REGION}:{OWNER_ACCOUNT}:streaming"
IMPORTED_KEY_ARN = f"arn:aws:kms:{REGION}:{OWNER_ACCOUNT}:key/0000aaaa-1111-4222-8333-444455556666"


@pytest.fixture
def stack() -> Stack:
    """An empty stack with a known account and region."""
    return Stack(App(), "Endpoint", env=Environment(account=ACCOUNT, region=REGION))
