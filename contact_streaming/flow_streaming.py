"""FlowStreaming: a Lambda that a contact flow invokes per chat to stream it to an endpoint."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from contact_streaming import validation
from contact_streaming.connect_instance import parts_of
from contact_streaming.instance import Instance
from contact_streaming.provider import handler_dir
from contact_streaming.streaming_endpoint import IStreamingEndpoint, checked_endpoint

OWNER = "FlowStreaming"
FLOW_FOLDER = "flow"
FLOW_HANDLER_FILE = "flow_handler.py"
# Connect's synchronous Invoke AWS Lambda function block waits at most 8 s: never longer.
TIMEOUT = Duration.seconds(8)
MEMORY_MB = 256
DEFAULT_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
ENDPOINT_ENV = "STREAMING_ENDPOINT_ARN"
INSTANCE_ENV = "INSTANCE_ARN"
START_ACTION = "connect:StartContactStreaming"
CONNECT_PRINCIPAL = "connect.amazonaws.com"


def flow_handler_dir() -> Path:
    """The folder holding flow_handler.py: `flow` beside the provider's handler.py."""
    folder = handler_dir() / FLOW_FOLDER
    if not (folder / FLOW_HANDLER_FILE).is_file():
        raise FileNotFoundError(f"{OWNER}: no {FLOW_FOLDER}/{FLOW_HANDLER_FILE} in {folder.parent}")
    return folder


class FlowStreaming(Construct):
    """A Lambda that a contact flow's Invoke AWS Lambda function block calls for each chat.

    It starts streaming the chat to the endpoint's topic (StartContactStreaming, idempotent per
    contact and endpoint) and answers a STRING_MAP the flow can branch on: ``streaming`` is
    ``started``, ``skipped`` (not a chat) or ``failed``, with ``streamingId`` and ``reason``.
    The function is associated with the endpoint's instance (AWS::Connect::IntegrationAssociation),
    Connect may invoke it for that instance only, and its role may start streaming on that
    instance only. Put ``function.function_arn`` in the flow's block (synchronous, 8 s).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: IStreamingEndpoint,
        log_retention: logs.RetentionDays | None = None,
    ) -> None:
        """Define the function, its role, log group, permission and the instance's association.

        :param endpoint: the endpoint to stream every chat to (a ``StreamingEndpoint`` of this or
            another stack, or ``StreamingEndpoint.from_topic_arn``): its topic and its Connect
            instance, which must be in this stack's region. Required.
        :param log_retention: how long the function's log group keeps its logs.
            Default: None; three months.
        """
        endpoint = checked_endpoint(endpoint, OWNER)
        stack = Stack.of(scope)
        instance = parts_of(endpoint.instance)
        validation.check_same_region(
            "this stack",
            stack.region,
            "endpoint's instance",
            instance.region,
            owner=OWNER,
        )
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=log_retention or DEFAULT_LOG_RETENTION
        )
        """The function's log group."""
        self.role = self._role(instance)
        """The function's role: StartContactStreaming on the endpoint's instance, and its logs."""
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="flow_handler.handler",
            code=lambda_.Code.from_asset(str(flow_handler_dir()), exclude=["__pycache__", "*.pyc"]),
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            environment={
                ENDPOINT_ENV: endpoint.topic.topic_arn,
                INSTANCE_ENV: instance.arn,
            },
            description="Invoked by a contact flow: StartContactStreaming for each chat",
        )
        """The function: its ARN goes in the flow's Invoke AWS Lambda function block."""
        self.function.add_permission(
            "ConnectInvoke",
            principal=iam.ServicePrincipal(CONNECT_PRINCIPAL),
            source_account=instance.account,
            source_arn=instance.arn,
        )
        self.association = connect.CfnIntegrationAssociation(
            self,
            "Association",
            instance_id=instance.arn,
            integration_type="LAMBDA_FUNCTION",
            integration_arn=self.function.function_arn,
        )
        """The function's association with the instance (its flows may then invoke it)."""
        # Once associated, the instance's flows may call it: the permission must exist by then.
        self.association.node.add_dependency(self.function.node.find_child("ConnectInvoke"))
        self.instance_arn = instance.arn
        """The Connect instance's ARN."""

    def _role(self, instance: Instance) -> iam.Role:
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Starts Connect contact streaming for chats its contact flow hands it",
        )
        self.log_group.grant_write(role)
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=[START_ACTION], resources=[instance.arn])
        )
        return role
