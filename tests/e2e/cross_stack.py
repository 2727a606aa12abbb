"""Three stacks of one app, the usual layout: a shared endpoint, a backend, a stream.

The endpoint stack names the Connect instance (parameter InstanceId) and sets up the topic. The
backend stack imports the endpoint by its topic's ARN (StreamingEndpoint.from_topic_arn) and
grants its function through the import; the function starts streaming a chat to the imported
topic, as a per-chat backend does. The stream stack streams one contact (parameter ContactId) to
the endpoint. CDK wires the stacks together with exports, so they deploy in dependency order.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, CfnParameter, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from contact_streaming import (
    ConnectInstance,
    ContactStreaming,
    IStreamingEndpoint,
    StreamingEndpoint,
)

ENDPOINT_STACK = "E2eEndpointStack"
BACKEND_STACK = "E2eBackendStack"
STREAM_STACK = "E2eCrossStreamStack"
# In dependency order; destroyed in reverse.
STACKS = (ENDPOINT_STACK, BACKEND_STACK, STREAM_STACK)

# A per-chat backend at its smallest: start streaming one contact to the imported endpoint.
BACKEND_CODE = """
import os

import boto3


def handler(event, context):
    answer = boto3.client("connect").start_contact_streaming(
        InstanceId=os.environ["INSTANCE_ID"],
        ContactId=event["ContactId"],
        ChatStreamingConfiguration={"StreamingEndpointArn": os.environ["STREAMING_ENDPOINT_ARN"]},
        ClientToken=event["ContactId"],
    )
    return {"StreamingId": answer["StreamingId"]}
"""


class EndpointStack(Stack):
    """The Connect instance, named by the parameter InstanceId, and its streaming endpoint."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        instance_id = CfnParameter(self, "InstanceId").value_as_string
        instance = ConnectInstance.from_instance_id(self, "Instance", instance_id)
        self.endpoint = StreamingEndpoint(self, "Endpoint", instance=instance)
        CfnOutput(self, "TopicArn", value=self.endpoint.topic.topic_arn)


class BackendStack(Stack):
    """A function granted through an import of the endpoint: no object of the other stack's."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic_arn: str, instance_arn: str
    ) -> None:
        super().__init__(scope, construct_id)
        instance = ConnectInstance.from_instance_arn(self, "Instance", instance_arn)
        endpoint = StreamingEndpoint.from_topic_arn(self, "Endpoint", topic_arn, instance=instance)
        function = lambda_.Function(
            self,
            "Backend",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline(BACKEND_CODE),
            timeout=Duration.seconds(30),
            environment={
                "INSTANCE_ID": endpoint.instance.instance_id,
                "STREAMING_ENDPOINT_ARN": endpoint.topic.topic_arn,
            },
        )
        endpoint.grant_streaming(function)
        CfnOutput(self, "FunctionName", value=function.function_name)
        CfnOutput(self, "RoleName", value=function.role.role_name if function.role else "")


class StreamStack(Stack):
    """One contact (parameter ContactId) streamed to the endpoint of another stack."""

    def __init__(
        self, scope: Construct, construct_id: str, *, endpoint: IStreamingEndpoint
    ) -> None:
        super().__init__(scope, construct_id)
        contact_id = CfnParameter(self, "ContactId").value_as_string
        stream = ContactStreaming(self, "Streaming", contact_id=contact_id, endpoint=endpoint)
        CfnOutput(self, "StreamingId", value=stream.streaming_id)


def build(scope: Construct) -> None:
    """The three stacks in one app."""
    shared = EndpointStack(scope, ENDPOINT_STACK)
    BackendStack(
        scope,
        BACKEND_STACK,
        topic_arn=shared.endpoint.topic.topic_arn,
        instance_arn=shared.endpoint.instance_arn,
    )
    StreamStack(scope, STREAM_STACK, endpoint=shared.endpoint)
