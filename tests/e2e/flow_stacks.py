"""The flow e2e test's app: a StreamingEndpoint, its FlowStreaming function, a queue on the topic.

FlowStreaming wires the function as Connect requires: associated with the instance
(`AWS::Connect::IntegrationAssociation`, LAMBDA_FUNCTION, which the local engine provisions with
its own handler), a resource policy letting `connect.amazonaws.com` invoke it from the instance,
and a role that may stream to the endpoint. A standard queue subscribed to the topic is what the
test reads.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from contact_streaming import FlowStreaming, StreamingEndpoint

FLOW_STACK = "E2eFlowStack"


class FlowStack(Stack):
    """The endpoint, the flow function wired to the instance, and a queue on the topic."""

    def __init__(self, scope: Construct, construct_id: str, *, instance_id: str) -> None:
        super().__init__(scope, construct_id)
        endpoint = StreamingEndpoint(self, "Endpoint", instance_id=instance_id)
        streaming = FlowStreaming(self, "FlowStreaming", endpoint=endpoint)
        queue = sqs.Queue(self, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED)
        endpoint.topic.add_subscription(subscriptions.SqsSubscription(queue))
        CfnOutput(self, "TopicArn", value=endpoint.topic.topic_arn)
        CfnOutput(self, "QueueUrl", value=queue.queue_url)
        CfnOutput(self, "FunctionArn", value=streaming.function.function_arn)
