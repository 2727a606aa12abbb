"""Names the run and its consumer app share (no CDK import: the run itself never starts jsii)."""

from __future__ import annotations

CONSUMER_STACK_CONTEXT = "consumerStackName"
INSTANCE_CONTEXT = "instanceId"
APP_STACK_PREFIX = "ContactStreamingAcceptance-"
CONSUMER_STACK_PREFIX = "ContactStreamingAcceptanceConsumer-"
FLOW_STACK_CONTEXT = "flowStackName"
FLOW_STACK_PREFIX = "ContactStreamingAcceptanceFlow-"
# The flow scenario's function has this fixed name, so that the user's flow can name its ARN.
FLOW_FUNCTION_NAME = "ContactStreamingAcceptanceFlow"
