"""Stacks with a FlowStreaming, synthesized once per session for the template tests."""

from __future__ import annotations

from aws_cdk import App, Stack

from contact_streaming import FlowStreaming, StreamingEndpoint

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
FLOW_STACK = "FlowStack"


def flow_stack(app: App) -> Stack:
    """An endpoint on a new topic and the flow function that streams every chat to it."""
    stack = Stack(app, FLOW_STACK)
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    FlowStreaming(stack, "FlowStreaming", endpoint=endpoint)
    return stack
