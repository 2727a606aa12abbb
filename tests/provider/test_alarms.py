"""The alarms docs/provider.md shows: on the provider's function and on its log group."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs

from contact_streaming import ContactStreaming, ContactStreamingProvider

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
TOPIC_ARN = "arn:aws:sns:eu-west-2:123456789012:streaming"


def observed_stack() -> tuple[Stack, dict[str, Any]]:
    """A stream, the Errors alarm on the provider's function and an alarm on its ERROR lines."""
    stack = Stack(App(), "Observed")
    ContactStreaming(
        stack,
        "Streaming",
        contact_id="contact",
        instance_id=INSTANCE_ID,
        streaming_endpoint_arn=TOPIC_ARN,
    )
    provider = ContactStreamingProvider.of(stack)
    cloudwatch.Alarm(
        stack,
        "ProviderErrors",
        metric=provider.function.metric_errors(period=Duration.minutes(5)),
        threshold=1,
        evaluation_periods=1,
    )
    failures = logs.MetricFilter(
        stack,
        "ProviderFailures",
        log_group=provider.log_group,
        filter_pattern=logs.FilterPattern.string_value("$.level", "=", "ERROR"),
        metric_namespace="ContactStreaming",
        metric_name="ProviderErrorLines",
        metric_value="1",
    )
    cloudwatch.Alarm(
        stack,
        "ProviderFailed",
        metric=failures.metric(statistic="Sum", period=Duration.minutes(5)),
        threshold=1,
        evaluation_periods=1,
    )
    app = stack.node.root
    assert isinstance(app, App)
    template: dict[str, Any] = app.synth().get_stack_by_name("Observed").template
    return stack, template


def logical_id(template: dict[str, Any], resource_type: str) -> str:
    """The logical id of the template's one resource of a type."""
    found: list[str] = [k for k, r in template["Resources"].items() if r["Type"] == resource_type]
    assert len(found) == 1, found
    return found[0]


def test_alarm_on_provider_function_errors_names_the_function() -> None:
    _, template = observed_stack()
    alarms = {
        r["Properties"]["Namespace"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert sorted(alarms) == ["AWS/Lambda", "ContactStreaming"]
    alarm = alarms["AWS/Lambda"]
    function_id = logical_id(template, "AWS::Lambda::Function")
    assert alarm["MetricName"] == "Errors"
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]


def test_metric_filter_on_provider_log_group_counts_error_lines() -> None:
    _, template = observed_stack()
    (metric_filter,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Logs::MetricFilter"
    ]
    assert metric_filter["LogGroupName"] == {"Ref": logical_id(template, "AWS::Logs::LogGroup")}
    assert metric_filter["FilterPattern"] == '{ $.level = "ERROR" }'
