#!/usr/bin/env python3
"""The CDK app: one StreamingStack, named ContactStreamingStack unless `-c stackName=…` says."""

import aws_cdk as cdk

from stacks.streaming_stack import StreamingStack, stack_name

app = cdk.App()
StreamingStack(app, stack_name(app))
app.synth()
