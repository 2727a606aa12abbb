"""The stack of N streams that the scale benchmark measures and the storm deploys.

One stack (known account and region) with one topic and `count` ContactStreaming streams on one
Connect instance. Here, below both users, so the layers run one way: bench/ imports standins/,
never the reverse.
"""

from __future__ import annotations

import tempfile
from typing import Any

ACCOUNT = "111122223333"
REGION = "eu-west-2"
INSTANCE_ID = "12345678-aaaa-4bbb-8ccc-123456789012"
STACK = "ScaleBench"
RESOURCE_LIMIT_CONTEXT = "@aws-cdk/core:stackResourceLimit"


def new_stack(resource_limit: int | None, outdir: str) -> tuple[Any, Any, Any]:
    """An App writing to `outdir`, its one stack and the stack's topic, with no stream yet.

    `resource_limit` is CDK's resource limit context (0 lifts it; None keeps CDK's default).
    """
    from aws_cdk import App, Environment, Stack
    from aws_cdk import aws_sns as sns

    context = {} if resource_limit is None else {RESOURCE_LIMIT_CONTEXT: resource_limit}
    app = App(outdir=outdir, context=context)
    stack = Stack(app, STACK, env=Environment(account=ACCOUNT, region=REGION))
    return app, stack, sns.Topic(stack, "Topic")


def add_streams(stack: Any, topic: Any, count: int) -> None:
    """`count` ContactStreaming streams in `stack`, contacts contact-0000 onwards, to `topic`."""
    from contact_streaming import ContactStreaming

    for index in range(count):
        ContactStreaming(
            stack,
            f"Stream{index}",
            instance_id=INSTANCE_ID,
            contact_id=f"contact-{index:04d}",
            topic=topic,
        )


def streams_app(count: int, resource_limit: int | None = None, outdir: str | None = None) -> Any:
    """An App whose one stack holds `count` streams (in a new temporary folder by default)."""
    app, stack, topic = new_stack(
        resource_limit, outdir if outdir is not None else tempfile.mkdtemp(prefix="scale-stack-")
    )
    add_streams(stack, topic, count)
    return app
