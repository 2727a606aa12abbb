"""Refusals in seconds: what must be there before the run creates anything, and how to fix it."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from acceptance.cdk import CDK

BOOTSTRAP_STACK = "CDKToolkit"
# The default qualifier of `cdk bootstrap`; the CLI reads this parameter before a deploy.
BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
# The oldest bootstrap stack the pinned CLI deploys with.
MIN_BOOTSTRAP_VERSION = 6
FLOW_TYPE = "CONTACT_FLOW"


class RefusalError(Exception):
    """The run will not start: the message says what is missing and how to fix it."""


def code_of(error: ClientError) -> str:
    """The error code of an AWS error answer."""
    return str(error.response.get("Error", {}).get("Code", ""))


def check_cli() -> None:
    """The pinned cdk CLI is installed."""
    if not CDK.exists():
        raise RefusalError(f"no cdk CLI at {CDK}: run `make setup` first")


def check_region(session: Any) -> str:
    """The SDK names a region: the Connect instance's."""
    if not session.region_name:
        raise RefusalError(
            "no AWS region: set AWS_REGION (or a profile's region) to your Connect instance's"
        )
    return str(session.region_name)


def check_credentials(session: Any, sts: Any) -> str:
    """The SDK finds credentials and STS accepts them; the account id."""
    if session.get_credentials() is None:
        raise RefusalError(
            "no AWS credentials: configure a profile (AWS_PROFILE, `aws configure` or "
            "`aws sso login`) or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    try:
        return str(sts.get_caller_identity()["Account"])
    except NoCredentialsError as error:
        raise RefusalError(f"no AWS credentials ({error}): configure a profile") from error
    except ClientError as error:
        raise RefusalError(
            f"STS refused the credentials ({code_of(error)}): refresh them "
            "(`aws sso login`, or new keys)"
        ) from error


def check_bootstrap(cloudformation: Any, ssm: Any, account: str, region: str) -> int:
    """The account and region are bootstrapped for the CDK; the bootstrap version."""
    fix = f"run `node_modules/.bin/cdk bootstrap aws://{account}/{region}`"
    try:
        (stack,) = cloudformation.describe_stacks(StackName=BOOTSTRAP_STACK)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            raise RefusalError(
                f"{account}/{region} is not bootstrapped for the CDK (no {BOOTSTRAP_STACK} "
                f"stack): {fix}"
            ) from error
        raise RefusalError(f"cannot read the {BOOTSTRAP_STACK} stack ({code_of(error)})") from error
    status = str(stack["StackStatus"])
    if not status.endswith("_COMPLETE") or "ROLLBACK" in status or "DELETE" in status:
        raise RefusalError(f"the {BOOTSTRAP_STACK} stack is {status}: {fix}")
    try:
        version = int(ssm.get_parameter(Name=BOOTSTRAP_VERSION_PARAMETER)["Parameter"]["Value"])
    except ClientError as error:
        raise RefusalError(
            f"no bootstrap version parameter {BOOTSTRAP_VERSION_PARAMETER} ({code_of(error)}): "
            f"{fix} (a custom qualifier is not supported)"
        ) from error
    if version < MIN_BOOTSTRAP_VERSION:
        raise RefusalError(f"bootstrap version {version} < {MIN_BOOTSTRAP_VERSION}: {fix}")
    return version


def check_instance(connect: Any, instance_id: str, region: str) -> str:
    """The Connect instance exists in this region and is active; its ARN."""
    try:
        instance = connect.describe_instance(InstanceId=instance_id)["Instance"]
    except ClientError as error:
        code = code_of(error)
        if code in ("ResourceNotFoundException", "InvalidRequestException"):
            raise RefusalError(
                f"Connect instance {instance_id!r} not found in {region}: give INSTANCE_ID, the "
                "id at the end of the instance ARN, and its region in AWS_REGION"
            ) from error
        raise RefusalError(
            f"Connect DescribeInstance answered {code}: the run needs connect:DescribeInstance"
        ) from error
    if instance.get("InstanceStatus") != "ACTIVE":
        raise RefusalError(
            f"Connect instance {instance_id} is {instance.get('InstanceStatus')}, not ACTIVE"
        )
    return str(instance["Arn"])


def check_flow(connect: Any, instance_id: str, flow_id: str) -> str:
    """The contact flow exists in the instance, is published and can start a chat; its name."""
    try:
        flow = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)
    except ClientError as error:
        code = code_of(error)
        if code in ("ResourceNotFoundException", "InvalidParameterException"):
            raise RefusalError(
                f"contact flow {flow_id!r} not found in instance {instance_id}: give "
                "CONTACT_FLOW_ID, the id at the end of a flow's ARN (one that keeps a chat "
                "open, e.g. one that puts it in a queue)"
            ) from error
        if code == "ContactFlowNotPublishedException":
            raise RefusalError(f"contact flow {flow_id} is not published: publish it") from error
        raise RefusalError(
            f"Connect DescribeContactFlow answered {code}: the run needs "
            "connect:DescribeContactFlow"
        ) from error
    found = flow["ContactFlow"]
    if found.get("Type") != FLOW_TYPE:
        raise RefusalError(
            f"contact flow {flow_id} is a {found.get('Type')} flow: StartChatContact needs a "
            f"{FLOW_TYPE} flow (an inbound flow that puts the chat in a queue)"
        )
    return str(found.get("Name", flow_id))


def flow_function_arn(session: Any, account: str, region: str, name: str) -> str:
    """The ARN of the run's flow function (its name is fixed, so a flow can name it)."""
    partition = session.get_partition_for_region(region)
    return f"arn:{partition}:lambda:{region}:{account}:function:{name}"


def check_flow_invokes(connect: Any, instance_id: str, flow_id: str, function_arn: str) -> None:
    """The flow has an Invoke AWS Lambda function block that invokes `function_arn`."""
    flow = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)
    try:
        actions = json.loads(flow["ContactFlow"].get("Content") or "{}").get("Actions", [])
    except ValueError:
        actions = []
    invoked = [
        (action.get("Parameters") or {}).get("LambdaFunctionARN")
        for action in actions
        if action.get("Type") == "InvokeLambdaFunction"
    ]
    if function_arn not in invoked:
        raise RefusalError(
            f"contact flow {flow_id} invokes no {function_arn} (it invokes {invoked or 'nothing'}):"
            " add an Invoke AWS Lambda function block with that ARN, synchronous, 8 s, before the"
            " chat is queued, and publish the flow (see docs/acceptance.md)"
        )


def unreachable(error: BotoCoreError) -> RefusalError:
    """A refusal for an SDK error that is not an answer (no region, endpoint unreachable, ...)."""
    if isinstance(error, NoRegionError):
        return RefusalError("no AWS region: set AWS_REGION to your Connect instance's region")
    if isinstance(error, NoCredentialsError):
        return RefusalError("no AWS credentials: configure a profile or export keys")
    return RefusalError(f"cannot reach AWS ({error}): check the network and AWS_ENDPOINT_URL*")
