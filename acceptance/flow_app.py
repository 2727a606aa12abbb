"""The acceptance flow app: an endpoint, the FlowStreaming function a contact flow invokes, a queue.

The function has a fixed name (`acceptance.names.FLOW_FUNCTION_NAME`), so the user's flow can name
its ARN before the run deploys it. The queue is subscribed to the endpoint's topic with the
consumer view of the customer's messages, as the consumer stack's queue is. Everything is deleted
with the stack (log group included; the keys are scheduled for deletion after 7 days).

Run by the CLI: `cdk deploy --app "python -m acceptance.flow_app" -c flowStackName=… -c
instanceId=…`.
"""

from __future__ import annotations

from aws_cdk import App, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from acceptance.consumer import KEY_PENDING_DAYS, VIEW
from acceptance.names import FLOW_FUNCTION_NAME, FLOW_STACK_CONTEXT, INSTANCE_CONTEXT
from contact_streaming import FlowStreaming, StreamingEndpoint


class FlowStack(Stack):
    """A streaming endpoint, the flow function streaming to it, and a queue on its topic."""

    def __init__(self, scope: Construct, construct_id: str, *, instance_id: str) -> None:
        super().__init__(scope, construct_id)
        endpoint = StreamingEndpoint(self, "Endpoint", instance_id=instance_id)
        streaming = FlowStreaming(self, "FlowStreaming", endpoint=endpoint)
        function = streaming.function.node.default_child
        assert isinstance(function, lambda_.CfnFunction)
        function.function_name = FLOW_FUNCTION_NAME
        streaming.log_group.apply_removal_policy(RemovalPolicy.DESTROY)
        queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.hours(1),
            removal_policy=RemovalPolicy.DESTROY,
        )
        endpoint.topic.add_subscription(
            subscriptions.SqsSubscription(queue, filter_policy=VIEW.filter_policy)
        )
        for key in self.node.find_all():
            if isinstance(key, kms.CfnKey):
                key.apply_removal_policy(RemovalPolicy.DESTROY)
                key.add_property_override("PendingWindowInDays", KEY_PENDING_DAYS)
        CfnOutput(self, "TopicArn", value=endpoint.topic.topic_arn)
        CfnOutput(self, "QueueUrl", value=queue.queue_url)
        CfnOutput(self, "FunctionArn", value=streaming.function.function_arn)


def build(app: App) -> FlowStack:
    """The flow stack the context names."""
    name = app.node.try_get_context(FLOW_STACK_CONTEXT)
    instance_id = app.node.try_get_context(INSTANCE_CONTEXT)
    if not name or not instance_id:
        raise ValueError(f"give -c {FLOW_STACK_CONTEXT}=<name> and -c {INSTANCE_CONTEXT}=<id>")
    return FlowStack(app, str(name), instance_id=str(instance_id))


if __name__ == "__main__":
    flow_app = App()
    build(flow_app)
    flow_app.synth()
