"""FlowStreaming's props: checked at synth, each error naming the prop, the value and the fix."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

from contact_streaming import ConnectInstance, FlowStreaming, StreamingEndpoint
from tests.flow.stacks import INSTANCE_ID


@pytest.mark.parametrize("endpoint", [None, "arn:aws:sns:us-east-1:123456789012:topic", object()])
def test_flow_streaming_endpoint_not_an_endpoint_raises(endpoint: Any) -> None:
    stack = Stack(App(), "Bad")
    with pytest.raises(
        ValueError, match=r"FlowStreaming: endpoint must be an IStreamingEndpoint .*from_topic_arn"
    ):
        FlowStreaming(stack, "Flow", endpoint=endpoint)
    assert stack.node.try_find_child("Flow") is None


def test_flow_streaming_instance_in_other_region_raises() -> None:
    app = App()
    env = Environment(account="123456789012", region="eu-west-2")
    endpoint_stack = Stack(app, "EndpointStack", env=env)
    endpoint = StreamingEndpoint(
        endpoint_stack,
        "Endpoint",
        instance_arn=f"arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE_ID}",
    )
    other = Stack(app, "FlowStack", env=Environment(account="123456789012", region="us-east-1"))
    with pytest.raises(ValueError, match=r"'us-east-1'.*'eu-west-2'"):
        FlowStreaming(other, "Flow", endpoint=endpoint)


def test_flow_streaming_endpoint_from_another_stack_synthesizes() -> None:
    app = App()
    env = Environment(account="123456789012", region="eu-west-2")
    endpoint_stack = Stack(app, "EndpointStack", env=env)
    endpoint = StreamingEndpoint(endpoint_stack, "Endpoint", instance_id=INSTANCE_ID)
    flow_stack = Stack(app, "FlowStack", env=env)
    FlowStreaming(flow_stack, "Flow", endpoint=endpoint)
    variables = Template.from_stack(flow_stack).find_resources("AWS::Lambda::Function")
    (function,) = variables.values()
    arn = function["Properties"]["Environment"]["Variables"]["STREAMING_ENDPOINT_ARN"]
    assert "Fn::ImportValue" in arn


def test_flow_streaming_log_retention_given_is_used() -> None:
    stack = Stack(App(), "Retention")
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    FlowStreaming(stack, "Flow", endpoint=endpoint, log_retention=logs.RetentionDays.ONE_YEAR)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Logs::LogGroup", {"RetentionInDays": 365}
    )


def test_flow_streaming_imported_endpoint_of_another_stack_wired_to_its_instance() -> None:
    # The endpoint's stack exports its topic; the flow's stack imports it by ARN (from_topic_arn).
    app = App()
    env = Environment(account="123456789012", region="eu-west-2")
    instance_arn = f"arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE_ID}"
    endpoint_stack = Stack(app, "EndpointStack", env=env)
    endpoint = StreamingEndpoint(endpoint_stack, "Endpoint", instance_arn=instance_arn)
    flow_stack = Stack(app, "FlowStack", env=env)
    imported = StreamingEndpoint.from_topic_arn(
        flow_stack,
        "Imported",
        endpoint.topic.topic_arn,
        instance=ConnectInstance.from_instance_arn(flow_stack, "Instance", instance_arn),
    )
    FlowStreaming(flow_stack, "Flow", endpoint=imported)
    template = Template.from_stack(flow_stack)
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    variables = function["Properties"]["Environment"]["Variables"]
    assert "Fn::ImportValue" in variables["STREAMING_ENDPOINT_ARN"]
    assert variables["INSTANCE_ARN"] == instance_arn
    template.has_resource_properties(
        "AWS::Connect::IntegrationAssociation",
        {"InstanceId": instance_arn, "IntegrationType": "LAMBDA_FUNCTION"},
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"SourceArn": instance_arn, "SourceAccount": "123456789012"},
    )
    (policy,) = template.find_resources("AWS::IAM::Policy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {
        "Action": "connect:StartContactStreaming",
        "Effect": "Allow",
        "Resource": instance_arn,
    } in statements
    assert not template.find_resources("AWS::SNS::TopicPolicy")
