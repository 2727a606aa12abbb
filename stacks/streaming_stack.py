"""StreamingStack: an encrypted SNS topic and one ContactStreaming fed by stack parameters."""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import App, CfnOutput, CfnParameter, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from contact_streaming import ConnectInstance, ContactStreaming, StreamingEndpoint

# Instance ids are UUIDs; contact ids are too, but the API allows up to 256 characters.
INSTANCE_ID_PATTERN = r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"
CONTACT_ID_PATTERN = r"^[A-Za-z0-9-]{1,256}$"
EXISTING_TOPIC_CONTEXT = "existingTopicArn"
STACK_NAME_CONTEXT = "stackName"
DEFAULT_STACK_NAME = "ContactStreamingStack"
# CloudFormation's rule for stack names.
STACK_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


def stack_name(app: App) -> str:
    """The app's stack name: context ``stackName`` (``cdk deploy -c stackName=…``) or the default.

    Another name deploys a second, independent copy of the app (the acceptance run does), so a
    deployed ``ContactStreamingStack`` is never touched. A name CloudFormation would refuse
    raises ValueError naming it.
    """
    name = app.node.try_get_context(STACK_NAME_CONTEXT)
    if name is None:
        return DEFAULT_STACK_NAME
    if not isinstance(name, str) or not STACK_NAME_PATTERN.match(name):
        raise ValueError(
            f"context {STACK_NAME_CONTEXT}={name!r} is not a CloudFormation stack name: "
            "use a letter, then letters, digits and hyphens (at most 128 characters)"
        )
    return name


class StreamingStack(Stack):
    """Streams one chat contact's messages to an SNS topic while the stack exists.

    Deploy with the parameters InstanceId and ContactId. Context ``existingTopicArn`` streams to
    an existing standard topic (whose policy must already let Connect publish) instead of a new one.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        instance_id = CfnParameter(
            self,
            "InstanceId",
            description="Amazon Connect instance id (the UUID at the end of the instance ARN)",
            allowed_pattern=INSTANCE_ID_PATTERN,
            constraint_description="must be an Amazon Connect instance id (a UUID)",
        )
        contact_id = CfnParameter(
            self,
            "ContactId",
            description="ContactId of an active chat contact in that instance",
            allowed_pattern=CONTACT_ID_PATTERN,
            constraint_description="must be a ContactId: letters, digits and hyphens, 1-256",
        )
        instance = ConnectInstance.from_instance_id(self, "Instance", instance_id.value_as_string)
        existing_arn = self.node.try_get_context(EXISTING_TOPIC_CONTEXT)
        if existing_arn:
            # A topic set up elsewhere: an imported endpoint, whose policy this stack leaves alone.
            endpoint = StreamingEndpoint.from_topic_arn(
                self, "ExistingEndpoint", str(existing_arn), instance=instance
            )
            stream = ContactStreaming(
                self, "Streaming", contact_id=contact_id.value_as_string, endpoint=endpoint
            )
            topic_arn = endpoint.topic.topic_arn
        else:
            topic = self.new_topic()
            stream = ContactStreaming(
                self,
                "Streaming",
                instance=instance,
                contact_id=contact_id.value_as_string,
                topic=topic,
            )
            topic_arn = topic.topic_arn
        CfnOutput(self, "StreamingId", value=stream.streaming_id, description="Connect StreamingId")
        CfnOutput(self, "TopicArn", value=topic_arn, description="SNS topic receiving the messages")

    def new_topic(self) -> sns.Topic:
        """A standard topic, TLS-only, encrypted with a rotating customer-managed key."""
        key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the contact streaming topic; Connect may use it to publish",
            enable_key_rotation=True,
        )
        return sns.Topic(
            self,
            "Topic",
            display_name="Connect contact streaming",
            master_key=key,
            enforce_ssl=True,
        )
