"""StreamingEndpoint: an SNS topic set up for a Connect instance to stream chats to, per chat."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct, Node

from contact_streaming import connect_instance, topic_policy, validation
from contact_streaming.connect_instance import ConnectInstance, IConnectInstance
from contact_streaming.instance import Instance

OWNER = "StreamingEndpoint"
ADOPT_ARN = (
    "adopt a topic by its ARN with sns.Topic.from_topic_arn(scope, id, arn), or import an "
    "endpoint already set up with StreamingEndpoint.from_topic_arn(scope, id, arn, instance=...)"
)


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


@runtime_checkable
class IStreamingEndpoint(Protocol):
    """A topic set up for a Connect instance to stream to, in this stack, another, or imported.

    ``ContactStreaming(endpoint=...)`` streams to it; ``grant_streaming`` lets a backend start and
    stop streaming to it per chat.
    """

    @property
    def node(self) -> Node:
        """The construct's node (every IStreamingEndpoint is a construct)."""
        ...

    @property
    def topic(self) -> sns.ITopic:
        """The topic Connect streams to: pass ``topic.topic_arn`` to StartContactStreaming."""
        ...

    @property
    def instance(self) -> IConnectInstance:
        """The Connect instance whose streams the topic accepts."""
        ...

    @property
    def instance_arn(self) -> str:
        """The Connect instance's ARN (a token when built from a token)."""
        ...

    def grant_streaming(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` start and stop contact streaming on the endpoint's instance only."""
        ...


class StreamingEndpoint(Construct):
    """A standard SNS topic that a Connect instance may stream chat messages to.

    For backends that start streaming per chat themselves (StartContactStreaming right after
    StartChatContact), and for ``ContactStreaming(endpoint=...)``. The topic's policy (and its
    customer-managed key's policy) lets ``connect.amazonaws.com`` publish for this instance only,
    with the same statements that ``ContactStreaming`` adds; both share one code path, so a topic
    used by both still has one Connect statement per instance. ``grant_streaming`` gives a
    backend the IAM it needs; ``StreamingEndpoint.from_topic_arn`` imports an endpoint set up
    elsewhere (another stack or app).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_id: str | None = None,
        instance_arn: str | None = None,
        instance: IConnectInstance | None = None,
        topic: sns.ITopic | None = None,
    ) -> None:
        """Define the endpoint.

        :param instance_id: the Connect instance's id, in this stack's region.
            Default: None; give exactly one of instance_id, instance_arn and instance.
        :param instance_arn: the Connect instance's ARN, in this stack's account.
            Default: None; give exactly one of instance_id, instance_arn and instance.
        :param instance: the Connect instance (``ConnectInstance.from_instance_id`` or
            ``from_instance_arn``), in this stack's account.
            Default: None; give exactly one of instance_id, instance_arn and instance.
        :param topic: a standard SNS topic (not FIFO, not on the AWS-managed ``alias/aws/sns``
            key) in the instance's region to adopt; a topic or key this stack cannot change gets
            a synth-time warning quoting the statement its owner must add. Default: None; a new
            standard topic in this stack, encrypted with a new customer-managed key (rotation
            on), that accepts only TLS.
        """
        stack = Stack.of(scope)
        typed = connect_instance.check_instance_props(
            instance_id, instance_arn, instance, stack.account, owner=OWNER
        )
        if topic is not None:
            validation.check_topic(topic, ADOPT_ARN, owner=OWNER)
        found = topic_policy.checked(topic, owner=OWNER) if topic is not None else None
        parts = (
            connect_instance.parts_of(typed)
            if typed is not None
            else Instance.of(stack, instance_id, instance_arn)
        )
        validation.check_same_region(
            "topic" if found is not None else "the new topic (the stack's region)",
            found.region if found is not None else stack.region,
            instance_prop(instance_id, instance_arn),
            parts.region,
            owner=OWNER,
        )
        super().__init__(scope, construct_id)

        self.instance: IConnectInstance = (
            typed
            if typed is not None
            else ConnectInstance(
                self, "Instance", instance_id=instance_id, instance_arn=instance_arn
            )
        )
        """The Connect instance whose streams the topic accepts."""
        self.topic: sns.ITopic = topic if topic is not None else encrypted_topic(self)
        """The topic Connect streams to: pass ``topic.topic_arn`` to StartContactStreaming."""
        self.instance_arn = parts.arn
        """The Connect instance's ARN (a token when built from a token)."""
        if found is None:
            # The topic made just above: a standard topic on a customer-managed key.
            found = topic_policy.CheckedTopic(self.topic.topic_arn, stack.region, stack)
        topic_policy.allow_connect(self.topic, found, parts, owner=OWNER)

    @classmethod
    def from_topic_arn(
        cls,
        scope: Construct,
        construct_id: str,
        topic_arn: str,
        *,
        instance: IConnectInstance,
    ) -> IStreamingEndpoint:
        """An endpoint set up elsewhere (another stack or app), to stream to and grant with.

        Nothing is changed on the topic: its policy must already let Connect publish for
        `instance` (a ``StreamingEndpoint`` in another stack does that).

        :param topic_arn: the standard SNS topic's ARN, in the instance's region; a literal or a
            token (e.g. another stack's ``endpoint.topic.topic_arn``). Required.
        :param instance: the Connect instance the topic accepts streams of. Required.
        """
        validation.check_endpoint_arn(topic_arn, prop="topic_arn", owner=OWNER)
        typed = connect_instance.check_instance(instance, owner=OWNER)
        validation.check_same_region(
            "topic_arn",
            validation.endpoint_region(topic_arn),
            "instance",
            typed.region,
            owner=OWNER,
        )
        return ImportedStreamingEndpoint(scope, construct_id, topic_arn=topic_arn, instance=typed)

    def grant_streaming(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` start and stop contact streaming on this endpoint's instance, and no more.

        ``connect:StartContactStreaming`` and ``connect:StopContactStreaming`` authorize on the
        instance's ARN. Connect, not the caller, publishes to the topic: no ``sns:Publish``.
        """
        return self.instance.grant_streaming(grantee)


class ImportedStreamingEndpoint(Construct):
    """An endpoint set up elsewhere: what ``StreamingEndpoint.from_topic_arn`` returns."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic_arn: str, instance: IConnectInstance
    ) -> None:
        """Import the endpoint (checked by ``StreamingEndpoint.from_topic_arn``).

        :param topic_arn: the standard SNS topic's ARN. Required.
        :param instance: the Connect instance the topic accepts streams of. Required.
        """
        super().__init__(scope, construct_id)
        self.topic: sns.ITopic = sns.Topic.from_topic_arn(self, "Topic", topic_arn)
        """The imported topic: pass ``topic.topic_arn`` to StartContactStreaming."""
        self.instance = instance
        """The Connect instance whose streams the topic accepts."""
        self.instance_arn = instance.instance_arn
        """The Connect instance's ARN (a token when built from a token)."""

    def grant_streaming(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` start and stop contact streaming on the endpoint's instance, and no more.

        ``connect:StartContactStreaming`` and ``connect:StopContactStreaming`` authorize on the
        instance's ARN. Connect, not the caller, publishes to the topic: no ``sns:Publish``.
        """
        return self.instance.grant_streaming(grantee)


def instance_prop(instance_id: str | None, instance_arn: str | None) -> str:
    """How the instance was given, for an error: its prop (and region for an id)."""
    if instance_arn is not None:
        return "instance_arn"
    if instance_id is not None:
        return "instance_id (the stack's region)"
    return "instance"


def checked_endpoint(value: object, owner: str) -> IStreamingEndpoint:
    """`value` if it is an IStreamingEndpoint; else ValueError naming what to pass instead."""
    if isinstance(value, str) or not isinstance(value, IStreamingEndpoint):
        raise ValueError(
            f"{owner}: endpoint must be an IStreamingEndpoint (a StreamingEndpoint, or "
            f"StreamingEndpoint.from_topic_arn(scope, id, arn, instance=...)), got {value!r}"
        )
    return value
