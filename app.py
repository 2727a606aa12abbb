#!/usr/bin/env python3
"""The CDK app: one StreamingStack."""

import aws_cdk as cdk

from stacks.streaming_stack import StreamingStack

app = cdk.App()
StreamingStack(app, "ContactStreamingStack")
app.synth()
