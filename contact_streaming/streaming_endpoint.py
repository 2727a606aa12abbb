"""StreamingEndpoint: an SNS topic set up for a Connect instance to stream chats to, per chat."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from contact_streaming import topic_policy, validation
from contact_streaming.instance import Instance

OWNER = "StreamingEndpoint"
ADOPT_ARN = "adopt a topic by its ARN with sns.Topic.from_topic_arn(scope, id, arn)"
STREAMING_ACTIONS = ("connect:StartContactStreaming", "connect:StopContactStreaming")


def encrypted_topic(scope: Construct) -> sns.Topic:
    """A standard topic ``Topic`` in `scope`, TLS-only, on a rotating customer-managed key."""
    key = kms.Key(
        scope,
        "TopicKey",
        description="Encrypts the contact streaming topic; Connect may use it to publish",
        enable_key_rotation=True,
    )
    return sns.Topic(
        scope,
        "Topic",
        display_name="Connect contact streaming",
        master_key=key,
        enforce_ssl=True,
    )


class StreamingEndpoint(Construct):
    """A standard SNS topic that a Connect instance may stream chat messages to.

    For backends that start streaming per chat themselves (StartContactStreaming right after
    StartChatContact). The topic's policy (and its customer-managed key's policy) lets
    ``connect.amazonaws.com`` publish for this instance only, with the same statements that
    ``ContactStreaming`` adds; both share one code path, so a topic used by both still has one
    Connect statement per instance. ``grant_streaming`` gives a backend the IAM it needs.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_id: str | None = None,
        instance_arn: str | None = None,
        topic: sns.ITopic | None = None,
    ) -> None:
        """Define the endpoint.

        :param instance_id: the Connect instance's id, in this stack's region.
            Default: None; give exactly one of instance_id and instance_arn.
        :param instance_arn: the Connect instance's ARN, in this stack's account.
            Default: None; give exactly one of instance_id and instance_arn.
        :param topic: a standard SNS topic (not FIFO, not on the AWS-managed ``alias/aws/sns``
            key) in the instance's region to adopt; a topic or key this stack cannot change gets
            a synth-time warning quoting the statement its owner must add. Default: None; a new
            standard topic in this stack, encrypted with a new customer-managed key (rotation
            on), that accepts only TLS.
        """
        stack = Stack.of(scope)
        validation.check_instance(instance_id, instance_arn, stack.account, owner=OWNER)
        if topic is not None:
            validation.check_topic(topic, ADOPT_ARN, owner=OWNER)
        instance = Instance.of(stack, instance_id, instance_arn)
        found = topic_policy.checked(topic, owner=OWNER) if topic is not None else None
        validation.check_same_region(
            "topic" if found is not None else "the new topic (the stack's region)",
            found.region if found is not None else stack.region,
            "instance_arn" if instance_arn is not None else "instance_id (the stack's region)",
            instance.region,
            owner=OWNER,
        )
        super().__init__(scope, construct_id)

        self.topic: sns.ITopic = topic if topic is not None else encrypted_topic(self)
        """The topic Connect streams to: pass ``topic.topic_arn`` to StartContactStreaming."""
        self.instance_arn = instance.arn
        """The Connect instance's ARN (a token when built from a token)."""
        if found is None:
            # The topic made just above: a standard topic on a customer-managed key.
            found = topic_policy.CheckedTopic(self.topic.topic_arn, stack.region, stack)
        topic_policy.allow_connect(self.topic, found, instance, owner=OWNER)

    def grant_streaming(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` start and stop contact streaming on this endpoint's instance, and no more.

        ``connect:StartContactStreaming`` and ``connect:StopContactStreaming`` authorize on the
        instance's ARN. Connect, not the caller, publishes to the topic: no ``sns:Publish``.
        """
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(STREAMING_ACTIONS),
            resource_arns=[self.instance_arn],
        )
