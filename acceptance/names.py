"""Names the run and its consumer app share (no CDK import: the run itself never starts jsii)."""

from __future__ import annotations

CONSUMER_STACK_CONTEXT = "consumerStackName"
INSTANCE_CONTEXT = "instanceId"
APP_STACK_PREFIX = "ContactStreamingAcceptance-"
CONSUMER_STACK_PREFIX = "ContactStreamingAcceptanceConsumer-"
