"""ContactStreaming: an Amazon Connect chat contact's message streaming, tied to a stack's life."""

from __future__ import annotations

from aws_cdk import CfnResource, RemovalPolicy, Stack, Token
from aws_cdk import aws_sns as sns
from constructs import Construct

from contact_streaming import connect_instance, topic_policy, topics_per_contact, validation
from contact_streaming.connect_instance import IConnectInstance
from contact_streaming.provider import (
    SERVICE_TIMEOUT,
    ContactStreamingProvider,
    share_for,
    warn_per_stream,
)
from contact_streaming.quota import ConnectQuotas
from contact_streaming.streaming_endpoint import IStreamingEndpoint, checked_endpoint, instance_prop

RESOURCE_TYPE = "Custom::ContactStreaming"
IMPORT_ARN = (
    "stream to a topic set up elsewhere with "
    "endpoint=StreamingEndpoint.from_topic_arn(scope, id, arn, instance=...) "
    "(or its ARN as streaming_endpoint_arn)"
)
# The number CustomResource(service_timeout=…) would write, read once rather than per stream.
SERVICE_TIMEOUT_SECONDS = str(int(SERVICE_TIMEOUT.to_seconds()))


class ContactStreaming(Construct):
    """Starts streaming a chat contact's messages to an SNS topic on deploy; stops it on destroy.

    Each instance is one ``Custom::ContactStreaming`` resource. All of a stack's streams share
    one provider Lambda, whose IAM policy names each Connect instance once.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_id: str,
        instance_id: str | None = None,
        instance_arn: str | None = None,
        instance: IConnectInstance | None = None,
        topic: sns.ITopic | None = None,
        endpoint: IStreamingEndpoint | None = None,
        streaming_endpoint_arn: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
        quota_share: float | None = None,
        connect_quotas: ConnectQuotas | None = None,
    ) -> None:
        """Define one stream.

        :param contact_id: the chat contact's ContactId; a literal or a token. Connect streams a
            contact to at most two SNS topics: a third stream of one contact in an app is
            refused. Required.
        :param instance_id: the Connect instance's id, in this stack's region.
            Default: None; give exactly one of instance_id, instance_arn and instance (or none
            with an endpoint: its instance).
        :param instance_arn: the Connect instance's ARN; its region is where Connect is called.
            Default: None; give exactly one of instance_id, instance_arn and instance (or none
            with an endpoint: its instance).
        :param instance: the Connect instance (``ConnectInstance.from_instance_id`` or
            ``from_instance_arn``). Default: None; give exactly one of instance_id, instance_arn
            and instance (or none with an endpoint: its instance).
        :param topic: the standard SNS topic Connect streams to; a topic this stack owns gets a
            policy statement letting Connect publish. Default: None; give exactly one of topic,
            endpoint and streaming_endpoint_arn.
        :param endpoint: a ``StreamingEndpoint``, or one imported with
            ``StreamingEndpoint.from_topic_arn``: its topic already lets Connect publish for its
            instance, which is the stream's. Default: None; give exactly one of topic, endpoint
            and streaming_endpoint_arn.
        :param streaming_endpoint_arn: the ARN of a standard SNS topic whose policy already lets
            Connect publish; kept for compatibility, the same as
            ``endpoint=StreamingEndpoint.from_topic_arn(...)``. Default: None; give exactly one of
            topic, endpoint and streaming_endpoint_arn.
        :param removal_policy: DESTROY stops streaming when the resource is deleted; RETAIN leaves
            it running when the stack is destroyed (an Update that moves the stream still stops
            the old one). SNAPSHOT is refused. Default: RemovalPolicy.DESTROY.
        :param quota_share: deprecated (goes in 2.0): pass it to ContactStreamingProvider
            instead, once per stack. If given, every ContactStreaming in the stack must give the
            same value, and it must equal the provider's. Default: None, meaning the provider's.
        :param connect_quotas: deprecated (goes in 2.0): pass it to ContactStreamingProvider
            instead, like quota_share. Default: None, meaning the provider's.
        """
        existing = ContactStreamingProvider.find(scope)
        # The provider knows its stack's account: no call into jsii per stream once it exists.
        account = existing._account if existing is not None else Stack.of(scope).account
        endpoint_prop = validation.check_one_of(
            {"topic": topic, "endpoint": endpoint, "streaming_endpoint_arn": streaming_endpoint_arn}
        )
        if endpoint is not None:
            endpoint = checked_endpoint(endpoint, validation.OWNER)
            streaming_endpoint_arn = endpoint.topic.topic_arn
        typed = connect_instance.check_instance_props(
            instance_id,
            instance_arn,
            instance,
            account,
            owner=validation.OWNER,
            implied=endpoint.instance if endpoint is not None else None,
        )
        validation.check_removal_policy(removal_policy)
        validation.check_id("contact_id", contact_id, validation.CONTACT_ID_LIMITS)
        if streaming_endpoint_arn is not None:
            validation.check_endpoint_arn(streaming_endpoint_arn, prop=endpoint_prop)
        if topic is not None:
            validation.check_topic(topic, IMPORT_ARN)
        found = topic_policy.checked(topic) if topic is not None else None
        wanted_share = share_for(scope, existing, quota_share, connect_quotas)
        endpoint_arn = found.arn if found is not None else streaming_endpoint_arn
        assert endpoint_arn is not None
        named = (instance_id, instance_arn) if typed is None else (typed.instance_id, None)
        topics_per_contact.check(scope, construct_id, existing, named, contact_id, endpoint_arn)
        super().__init__(scope, construct_id)
        warn_per_stream(self, quota_share=quota_share, connect_quotas=connect_quotas)

        provider = ContactStreamingProvider.of(scope)
        provider._use_quota(wanted_share, self.node.path)
        parts = (
            provider._instance(instance_id, instance_arn)
            if typed is None
            else connect_instance.parts_of(typed)
        )
        validation.check_same_region(
            endpoint_prop,
            found.region if found is not None else validation.endpoint_region(endpoint_arn),
            instance_prop(instance_id, instance_arn),
            parts.region,
        )
        provider._allow_instance(parts.arn)
        if topic is not None and found is not None:
            policy = topic_policy.allow_connect(topic, found, parts)
        else:
            # An ARN of a topic set up here (e.g. a StreamingEndpoint's): depend on its policy too.
            policy = topic_policy.policy_for(self, endpoint_arn)

        # A plain CfnResource rather than CustomResource: the same template, fewer calls into
        # jsii per stream, and no DeletionPolicy written for CloudFormation's default (Delete).
        properties = {
            "ServiceToken": provider.service_token,
            "ServiceTimeout": SERVICE_TIMEOUT_SECONDS,
            "InstanceId": parts.instance_id,
            "ContactId": contact_id,
            "StreamingEndpointArn": endpoint_arn,
        }
        if instance_arn is not None or (typed is not None and connect_instance.named_by_arn(typed)):
            # Only an ARN can name another region; without Region the handler uses its own.
            properties["Region"] = parts.region
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=properties)
        """The stream's ``Custom::ContactStreaming`` resource in the template."""
        # Its Pace property and its DependsOn on the stream before it in its lane come at synth.
        provider._add_stream(self.resource)
        if removal_policy != RemovalPolicy.DESTROY:
            # Only DeletionPolicy: a replacing Update (new contact) still stops the old stream.
            self.resource.apply_removal_policy(removal_policy, apply_to_update_replace_policy=False)
        if policy is not None:
            # Connect may publish as soon as streaming starts, and until Delete has stopped it.
            # (The StreamingEndpointArn Ref already orders the resource after the topic.)
            self.resource.node.add_dependency(policy)
        self.instance_arn = parts.arn
        """The Connect instance's ARN (a token when built from a token)."""

    @property
    def streaming_id(self) -> str:
        """The StreamingId Connect returned (a token resolved at deploy time)."""
        return Token.as_string(self.resource.get_att("StreamingId"))
