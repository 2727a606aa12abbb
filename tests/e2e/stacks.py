"""Test-only stacks for the end-to-end tests.

A stream with a resource after it that fails its update when told, and a stream kept on delete
(RemovalPolicy.RETAIN).
"""

from __future__ import annotations

from aws_cdk import CfnOutput, CfnParameter, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from contact_streaming import ContactStreaming

TRIPWIRE_STACK = "E2eTripwireStack"
RETAIN_STACK = "E2eRetainStack"
TRIPWIRE_REASON = "Tripwire failed its update because Fail=true"

# A custom resource handler that answers by itself (no crhelper): SUCCESS, except an Update
# with Fail=true, whose Reason adds the status of its own stack, read with DescribeStacks (as the
# provider may read it mid-update). It trusts the engine's certificate through SSL_CERT_FILE.
TRIPWIRE_CODE = f'''
import json
import urllib.request

import boto3


def handler(event, context):
    failing = event["RequestType"] == "Update" and event["ResourceProperties"]["Fail"] == "true"
    reason = ""
    if failing:
        stacks = boto3.client("cloudformation").describe_stacks(StackName=event["StackId"])
        reason = "{TRIPWIRE_REASON} (stack " + stacks["Stacks"][0]["StackStatus"] + ")"
    body = json.dumps({{
        "Status": "FAILED" if failing else "SUCCESS",
        "Reason": reason,
        "PhysicalResourceId": event.get("PhysicalResourceId", "tripwire"),
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }}).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT")
    urllib.request.urlopen(request, timeout=10).close()
'''


class StreamStack(Stack):
    """A topic and one ContactStreaming fed by the parameters InstanceId and ContactId."""

    def __init__(self, scope: Construct, construct_id: str, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        instance = CfnParameter(self, "InstanceId")
        contact = CfnParameter(self, "ContactId")
        self.contact = contact
        self.stream = ContactStreaming(
            self,
            "Streaming",
            instance_id=instance.value_as_string,
            contact_id=contact.value_as_string,
            topic=sns.Topic(self, "Topic"),
            removal_policy=removal_policy,
        )
        CfnOutput(self, "StreamingId", value=self.stream.streaming_id)


class TripwireStack(StreamStack):
    """The stream, then a custom resource that fails its update when the parameter Fail=true.

    The tripwire depends on the stream, so an update replaces the stream first, then fails.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id, RemovalPolicy.DESTROY)
        fail = CfnParameter(self, "Fail", allowed_values=["false", "true"], default="false")
        function = lambda_.Function(
            self,
            "TripwireFunction",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline(TRIPWIRE_CODE),
            timeout=Duration.seconds(30),
        )
        tripwire = CustomResource(
            self,
            "Tripwire",
            service_token=function.function_arn,
            properties={"Fail": fail.value_as_string, "ContactId": self.contact.value_as_string},
            service_timeout=Duration.seconds(60),
        )
        tripwire.node.add_dependency(self.stream)


def build(scope: Construct) -> None:
    """Both test stacks in one app."""
    TripwireStack(scope, TRIPWIRE_STACK)
    StreamStack(scope, RETAIN_STACK, RemovalPolicy.RETAIN)
