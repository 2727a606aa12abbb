#!/usr/bin/env python3
"""The example app: one PerChatBackendStack.

It needs only the library (`contact_streaming`) and its own folder: copy `per_chat_backend/`
into a project of your own and run `cdk synth --app "python -m per_chat_backend.app"` from the
folder that holds it. In this repository (docs/streaming-endpoint.md, "Example: per chat from a
backend"), from its root, after `make synth`:
    export PATH="$PWD/node_modules/.bin:$PATH"
    cdk synth --app ".venv/bin/python -m examples.per_chat_backend.app"
"""

import aws_cdk as cdk

from .stack import PerChatBackendStack

app = cdk.App()
PerChatBackendStack(app, "PerChatBackendStack")
app.synth()
