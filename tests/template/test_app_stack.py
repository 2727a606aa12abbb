"""What the app's synthesized template must hold."""

from __future__ import annotations

from aws_cdk.assertions import Match, Template


def test_app_stack_default_context_one_custom_resource(app_template: Template) -> None:
    app_template.resource_count_is("Custom::ContactStreaming", 1)
    app_template.resource_count_is("AWS::Lambda::Function", 1)


def test_app_stack_custom_resource_properties_name_connect_inputs(app_template: Template) -> None:
    app_template.has_resource_properties(
        "Custom::ContactStreaming",
        {
            "InstanceId": {"Ref": "InstanceId"},
            "ContactId": {"Ref": "ContactId"},
            "StreamingEndpointArn": {"Ref": Match.string_like_regexp("^Topic")},
            "Region": {"Ref": "AWS::Region"},
            "ServiceTimeout": "300",
        },
    )
