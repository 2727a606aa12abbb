"""PerChatBackendStack: a StreamingEndpoint and a backend Lambda streaming each chat to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, CfnParameter, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from contact_streaming import StreamingEndpoint

BACKEND_DIR = Path(__file__).resolve().parent / "backend"
# Connect's instance and contact flow ids are UUIDs.
UUID_PATTERN = r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"


class PerChatBackendStack(Stack):
    """Streams every chat the backend starts to one topic; no stream is tied to the stack.

    Deploy with the parameters InstanceId and ContactFlowId (the flow new chats start in).
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        instance_id = CfnParameter(
            self,
            "InstanceId",
            description="Amazon Connect instance id (the UUID at the end of the instance ARN)",
            allowed_pattern=UUID_PATTERN,
            constraint_description="must be an Amazon Connect instance id (a UUID)",
        ).value_as_string
        flow_id = CfnParameter(
            self,
            "ContactFlowId",
            description="Id of the contact flow each new chat starts in",
            allowed_pattern=UUID_PATTERN,
            constraint_description="must be a contact flow id (a UUID)",
        ).value_as_string

        endpoint = StreamingEndpoint(self, "Endpoint", instance_id=instance_id)
        start_chat = self.backend(instance_id, flow_id, endpoint.topic.topic_arn)
        endpoint.grant_streaming(start_chat)
        start_chat.add_to_role_policy(
            iam.PolicyStatement(
                actions=["connect:StartChatContact"],
                resources=[
                    self.format_arn(
                        service="connect",
                        resource="instance",
                        resource_name=f"{instance_id}/contact-flow/{flow_id}",
                    )
                ],
            )
        )

        CfnOutput(self, "FunctionName", value=start_chat.function_name)
        CfnOutput(self, "TopicArn", value=endpoint.topic.topic_arn)

    def backend(self, instance_id: str, flow_id: str, topic_arn: str) -> lambda_.Function:
        """The Lambda that starts a chat and its streaming, with its own role and log group."""
        log_group = logs.LogGroup(self, "StartChatLogs", retention=logs.RetentionDays.THREE_MONTHS)
        role = iam.Role(
            self,
            "StartChatRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Starts Connect chats and streams each to the streaming endpoint",
        )
        log_group.grant_write(role)
        return lambda_.Function(
            self,
            "StartChat",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="start_chat.handler",
            code=lambda_.Code.from_asset(str(BACKEND_DIR), exclude=["__pycache__", "*.pyc"]),
            timeout=Duration.seconds(10),
            role=role,
            log_group=log_group,
            environment={
                "INSTANCE_ID": instance_id,
                "CONTACT_FLOW_ID": flow_id,
                "STREAMING_ENDPOINT_ARN": topic_arn,
            },
            description="Starts a Connect chat and streams its messages to the endpoint",
        )
