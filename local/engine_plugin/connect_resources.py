"""The engine's application: ministack, plus a handler for AWS::Connect::IntegrationAssociation.

Runs inside the engine's own process (hypercorn imports it by file path, in the engine's Python),
so it imports nothing of this repository. ministack has no Connect and refuses a template with an
unregistered resource type; this registers the one Connect type a FlowStreaming stack declares.
Its handler calls the local Connect at AWS_ENDPOINT_URL_CONNECT, signed as the stack's account
signs (as the engine's Lambdas do): AssociateLambdaFunction on create, DisassociateLambdaFunction
on delete, both on replacement. Only IntegrationType LAMBDA_FUNCTION is served; any other fails
the resource with a reason that says so. docs/local.md lists this as a difference from AWS.
"""

from __future__ import annotations

import importlib
import os
import uuid
from typing import Any

import boto3

RESOURCE_TYPE = "AWS::Connect::IntegrationAssociation"
LAMBDA_FUNCTION = "LAMBDA_FUNCTION"

ministack: Any = importlib.import_module("ministack.app")
provisioners: Any = importlib.import_module("ministack.services.cloudformation.provisioners")
responses: Any = importlib.import_module("ministack.core.responses")
app = ministack.app


def connect_client() -> Any:
    """A Connect client of the local Connect, with the credentials the engine's Lambdas get."""
    session: Any = boto3.session.Session()
    return session.client(
        "connect",
        region_name=os.environ["MINISTACK_REGION"],
        endpoint_url=os.environ["AWS_ENDPOINT_URL_CONNECT"],
        aws_access_key_id=responses.get_account_id(),
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=os.environ["AWS_SESSION_TOKEN"],
    )


def instance_id_of(value: str) -> str:
    """The instance id of the InstanceId property, which CloudFormation takes as an ARN."""
    return value.rsplit("instance/", 1)[-1]


def checked(props: dict[str, Any]) -> tuple[str, str]:
    """The instance id and function ARN of a LAMBDA_FUNCTION association, or ValueError."""
    kind = props.get("IntegrationType")
    if kind != LAMBDA_FUNCTION:
        raise ValueError(
            f"{RESOURCE_TYPE}: IntegrationType {kind!r} is not served by the local engine "
            f"(only {LAMBDA_FUNCTION})"
        )
    return instance_id_of(str(props["InstanceId"])), str(props["IntegrationArn"])


def physical_id(props: dict[str, Any]) -> str:
    """The resource's identifier: InstanceId|IntegrationType|IntegrationArn (its schema's key)."""
    return f"{props['InstanceId']}|{props['IntegrationType']}|{props['IntegrationArn']}"


def create(logical_id: str, props: dict[str, Any], stack_name: str) -> tuple[str, dict[str, str]]:
    """Associate the function with the instance."""
    instance_id, function_arn = checked(props)
    connect_client().associate_lambda_function(InstanceId=instance_id, FunctionArn=function_arn)
    identifier = physical_id(props)
    return identifier, {
        "IntegrationAssociationId": str(uuid.uuid5(uuid.NAMESPACE_URL, identifier)),
        "IntegrationAssociationArn": f"{props['InstanceId']}/integration-association/"
        f"{uuid.uuid5(uuid.NAMESPACE_URL, identifier)}",
    }


def delete(physical: str, props: dict[str, Any]) -> None:
    """Disassociate the function; one already gone counts as deleted."""
    instance_id, function_arn = checked(props)
    client = connect_client()
    try:
        client.disassociate_lambda_function(InstanceId=instance_id, FunctionArn=function_arn)
    except client.exceptions.ResourceNotFoundException:
        return


def update(
    physical: str, old: dict[str, Any], new: dict[str, Any], stack_name: str
) -> tuple[str, dict[str, str]]:
    """Every property requires replacement: associate the new pair, then drop the old one."""
    created = create("", new, stack_name)
    if created[0] != physical:
        delete(physical, old)
    return created


provisioners._RESOURCE_HANDLERS[RESOURCE_TYPE] = {
    "create": create,
    "update": update,
    "delete": delete,
}
