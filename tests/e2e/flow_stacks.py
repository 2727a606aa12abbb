"""The flow e2e test's app: a StreamingEndpoint, a function a contact flow invokes, a queue.

The function is wired as Connect requires: associated with the instance
(`AWS::Connect::IntegrationAssociation`, LAMBDA_FUNCTION), with a resource policy letting
`connect.amazonaws.com` invoke it from the instance, and a role that may stream to the endpoint.
A standard queue subscribed to the topic is what the test reads.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from contact_streaming import StreamingEndpoint

FLOW_STACK = "E2eFlowStack"

# A minimal flow function (tests only): streams a chat to the endpoint with a ClientToken derived
# from the contact, retries throttling with jitter for at most 4 s (a cold start and the flow's
# wait for it must fit in the 8 s), and never raises into the flow.
FLOW_FUNCTION_CODE = """
import hashlib, os, random, time
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

connect = boto3.client("connect", config=Config(retries={"total_max_attempts": 1}, read_timeout=3))
ENDPOINT = os.environ["STREAMING_ENDPOINT_ARN"]
THROTTLED = ("ThrottlingException", "TooManyRequestsException")


def handler(event, context):
    data = event["Details"]["ContactData"]
    if data.get("Channel") != "CHAT":
        return {"streaming": "skipped"}
    token = hashlib.sha256((data["ContactId"] + "|" + ENDPOINT).encode()).hexdigest()
    deadline, delay = time.monotonic() + 4.0, 0.2
    while True:
        try:
            answer = connect.start_contact_streaming(
                InstanceId=data["InstanceARN"].rsplit("/", 1)[-1],
                ContactId=data["ContactId"],
                ChatStreamingConfiguration={"StreamingEndpointArn": ENDPOINT},
                ClientToken=token,
            )
            return {"streaming": "started", "streamingId": answer["StreamingId"]}
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code not in THROTTLED or time.monotonic() + delay > deadline:
                return {"streaming": "failed", "reason": code}
        time.sleep(random.uniform(delay / 2, delay))
        delay = min(delay * 2, 1.0)
"""


class FlowStack(Stack):
    """The endpoint, the flow function wired to the instance, and a queue on the topic."""

    def __init__(self, scope: Construct, construct_id: str, *, instance_id: str) -> None:
        super().__init__(scope, construct_id)
        endpoint = StreamingEndpoint(self, "Endpoint", instance_id=instance_id)
        function = lambda_.Function(
            self,
            "FlowFunction",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline(FLOW_FUNCTION_CODE),
            timeout=Duration.seconds(8),
            environment={"STREAMING_ENDPOINT_ARN": endpoint.topic.topic_arn},
        )
        endpoint.grant_streaming(function)
        function.add_permission(
            "ConnectInvokes",
            principal=iam.ServicePrincipal("connect.amazonaws.com"),
            source_arn=endpoint.instance_arn,
            source_account=self.account,
        )
        connect.CfnIntegrationAssociation(
            self,
            "Association",
            instance_id=endpoint.instance_arn,
            integration_type="LAMBDA_FUNCTION",
            integration_arn=function.function_arn,
        )
        queue = sqs.Queue(self, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED)
        endpoint.topic.add_subscription(subscriptions.SqsSubscription(queue))
        CfnOutput(self, "TopicArn", value=endpoint.topic.topic_arn)
        CfnOutput(self, "QueueUrl", value=queue.queue_url)
        CfnOutput(self, "FunctionArn", value=function.function_arn)
