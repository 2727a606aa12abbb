"""The acceptance consumer: a CDK app with one stack, a topic for the instance and a queue on it.

The topic is a `StreamingEndpoint` (a standard topic on a customer-managed key whose policies let
the instance's Connect publish): the app streams to it (`-c existingTopicArn=…`), and it outlives
the app's `cdk destroy`, so a message that does not arrive afterwards proves the stream stopped.
The queue is encrypted with a customer-managed key; `SqsSubscription` gives it the queue policy
(`sns.amazonaws.com`, `aws:SourceArn` = the topic) and the key statement SNS needs to deliver.
Its filter policy is a consumer view: the customer's messages. Everything is deleted with the
stack (the keys are scheduled for deletion after KMS's shortest window, 7 days).

Run by the CLI: `cdk deploy --app "python -m acceptance.consumer" -c consumerStackName=… -c
instanceId=…`.
"""

from __future__ import annotations

import json

from aws_cdk import App, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from acceptance.names import CONSUMER_STACK_CONTEXT as STACK_CONTEXT
from acceptance.names import INSTANCE_CONTEXT
from contact_streaming import ConsumerView, ParticipantRole, StreamingEndpoint

KEY_PENDING_DAYS = 7
VIEW = ConsumerView.sent_by(ParticipantRole.CUSTOMER)


class ConsumerStack(Stack):
    """A streaming topic for one Connect instance, and an encrypted queue subscribed to it."""

    def __init__(self, scope: Construct, construct_id: str, *, instance_id: str) -> None:
        super().__init__(scope, construct_id)
        endpoint = StreamingEndpoint(self, "Endpoint", instance_id=instance_id)
        queue_key = kms.Key(
            self,
            "QueueKey",
            description="Encrypts the acceptance consumer's queue",
            enable_key_rotation=True,
        )
        queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=queue_key,
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
        CfnOutput(self, "FilterPolicy", value=json.dumps(VIEW.filter_policy_json()))


def build(app: App) -> ConsumerStack:
    """The consumer stack the context names."""
    name = app.node.try_get_context(STACK_CONTEXT)
    instance_id = app.node.try_get_context(INSTANCE_CONTEXT)
    if not name or not instance_id:
        raise ValueError(f"give -c {STACK_CONTEXT}=<name> and -c {INSTANCE_CONTEXT}=<instance id>")
    return ConsumerStack(app, str(name), instance_id=str(instance_id))


if __name__ == "__main__":
    consumer_app = App()
    build(consumer_app)
    consumer_app.synth()
