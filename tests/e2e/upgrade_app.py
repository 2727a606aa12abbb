"""The upgrade test's app: one topic and one ContactStreaming per contact, each with its output.

A release runs it as a script in its own environment (it uses only the public API every release
has): ``python upgrade_app.py OUTDIR CONTEXT_FILE STACK INSTANCE CONTACT...``; it prints where
it imported contact_streaming from. The current code's build runs in the test's process.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aws_cdk import App, CfnOutput, Stack
from aws_cdk import aws_sns as sns

import contact_streaming
from contact_streaming import ContactStreaming


def build(app: App, stack_name: str, instance_id: str, contacts: list[str]) -> Stack:
    """The stack: a topic, and a stream of each contact with its StreamingId as an output."""
    stack = Stack(app, stack_name)
    topic = sns.Topic(stack, "Topic")
    for index, contact_id in enumerate(contacts):
        stream = ContactStreaming(
            stack, f"Stream{index}", instance_id=instance_id, contact_id=contact_id, topic=topic
        )
        CfnOutput(stack, f"StreamingId{index}", value=stream.streaming_id)
    return stack


def main(argv: list[str]) -> None:
    """Synthesize the app into OUTDIR with the context of CONTEXT_FILE (a cdk.json)."""
    outdir, context_file, stack_name, instance_id, *contacts = argv
    context = json.loads(Path(context_file).read_text())["context"]
    app = App(outdir=outdir, context=context)
    build(app, stack_name, instance_id, contacts)
    app.synth()
    print(json.dumps({"module": contact_streaming.__file__}))


if __name__ == "__main__":
    main(sys.argv[1:])
