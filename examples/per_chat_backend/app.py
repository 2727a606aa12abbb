#!/usr/bin/env python3
"""The example app: one PerChatBackendStack.

From the repository root, after `make synth` (docs/streaming-endpoint.md, "Example: per chat
from a backend"):
    export PATH="$PWD/node_modules/.bin:$PATH"
    cdk synth --app ".venv/bin/python -m examples.per_chat_backend.app"
"""

import aws_cdk as cdk

from examples.per_chat_backend.stack import PerChatBackendStack

app = cdk.App()
PerChatBackendStack(app, "PerChatBackendStack")
app.synth()
