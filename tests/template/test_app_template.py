"""The app stack's template, as `cdk synth` writes it: resources, IAM, policies, outputs."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Annotations, Capture, Match, Template
from syrupy.assertion import SnapshotAssertion

from contact_streaming.provider import SERVICE_TIMEOUT, TIMEOUT
from stacks.streaming_stack import CONTACT_ID_PATTERN, INSTANCE_ID_PATTERN
from standins.aws import LAMBDA_TIMEOUT_S
from tests.template.conftest import Synth
from tests.template.iam import as_list, connect_statements, instance_arn, role_statements

APP_INSTANCE_ARN = instance_arn({"Ref": "InstanceId"})
CONNECT_CONDITIONS = {
    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    "ArnEquals": {"aws:SourceArn": APP_INSTANCE_ARN},
}


def topic_policy_statements(app_synth: Synth) -> list[dict[str, Any]]:
    _, policy = app_synth.only("AWS::SNS::TopicPolicy")
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_app_stack_resources_one_of_each(app_synth: Synth) -> None:
    counts = {
        "Custom::ContactStreaming": 1,
        "AWS::Lambda::Function": 1,
        "AWS::Lambda::EventInvokeConfig": 1,
        "AWS::IAM::Role": 1,
        "AWS::IAM::Policy": 1,
        "AWS::Logs::LogGroup": 1,
        "AWS::SNS::Topic": 1,
        "AWS::SNS::TopicPolicy": 1,
        "AWS::KMS::Key": 1,
    }
    for resource_type, count in counts.items():
        app_synth.template.resource_count_is(resource_type, count)
    assert len(app_synth.raw["Resources"]) == sum(counts.values())


def test_app_stack_function_never_retried_by_lambda(app_synth: Synth) -> None:
    # CloudFormation invokes the provider asynchronously; a Lambda retry of a timed-out Create
    # could start a stream after the rollback Delete has already reconciled.
    function_id, _ = app_synth.only("AWS::Lambda::Function")
    _, config = app_synth.only("AWS::Lambda::EventInvokeConfig")
    assert config["Properties"]["MaximumRetryAttempts"] == 0
    assert config["Properties"]["FunctionName"] == {"Ref": function_id}


def test_app_stack_queued_event_older_than_service_timeout_less_lambda_timeout_dropped(
    app_synth: Synth,
) -> None:
    # A throttled async invocation waits in Lambda's queue (up to 6 hours by default). An event
    # that starts after CloudFormation gave up (ServiceTimeout) could start an unrecorded stream:
    # one that starts at all must finish within the ServiceTimeout.
    _, config = app_synth.only("AWS::Lambda::EventInvokeConfig")
    max_age = config["Properties"]["MaximumEventAgeInSeconds"]
    assert max_age == SERVICE_TIMEOUT.to_seconds() - TIMEOUT.to_seconds() == 120
    assert max_age + TIMEOUT.to_seconds() <= SERVICE_TIMEOUT.to_seconds()


def test_app_stack_custom_resource_properties_connect_inputs(app_synth: Synth) -> None:
    topic_id, _ = app_synth.only("AWS::SNS::Topic")
    function_id, _ = app_synth.only("AWS::Lambda::Function")
    _, resource = app_synth.only("Custom::ContactStreaming")
    assert resource["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": [function_id, "Arn"]},
        "ServiceTimeout": str(SERVICE_TIMEOUT.to_seconds()),
        "InstanceId": {"Ref": "InstanceId"},
        "ContactId": {"Ref": "ContactId"},
        "StreamingEndpointArn": {"Ref": topic_id},
        "Pace": "0,0",
    }
    # No Region: an instance id is in the stack's region, the function's own (AWS_REGION).
    # Pace "0,0": the only stream heads the first lane, so the handler never waits.


def test_app_stack_function_paces_default_share_of_connect_quotas(app_synth: Synth) -> None:
    _, function = app_synth.only("AWS::Lambda::Function")
    assert function["Properties"]["Environment"]["Variables"] == {
        "PACE_LANES": "1",
        "PACE_START_PER_SECOND": "2",
        "PACE_STOP_PER_SECOND": "2",
    }


def test_app_stack_service_timeout_exceeds_lambda_timeout(app_synth: Synth) -> None:
    _, resource = app_synth.only("Custom::ContactStreaming")
    _, function = app_synth.only("AWS::Lambda::Function")
    service_timeout = int(resource["Properties"]["ServiceTimeout"])
    lambda_timeout = function["Properties"]["Timeout"]
    assert lambda_timeout == TIMEOUT.to_seconds()
    # CloudFormation must wait longer than the Lambda can run, or a slow answer is lost.
    assert 1 <= lambda_timeout < service_timeout <= 3600


def test_app_stack_function_timeout_equals_standins_lambda_timeout(app_synth: Synth) -> None:
    # The stand-ins' Lambda context counts down from LAMBDA_TIMEOUT_S; they import no aws_cdk.
    _, function = app_synth.only("AWS::Lambda::Function")
    assert LAMBDA_TIMEOUT_S == function["Properties"]["Timeout"] == TIMEOUT.to_seconds()


def test_app_stack_custom_resource_after_topic_and_its_policy(app_synth: Synth) -> None:
    # Connect may publish as soon as streaming starts: the policy must exist before and after.
    topic_id, _ = app_synth.only("AWS::SNS::Topic")
    policy_id, _ = app_synth.only("AWS::SNS::TopicPolicy")
    _, resource = app_synth.only("Custom::ContactStreaming")
    assert resource["DependsOn"] == [policy_id]
    assert resource["Properties"]["StreamingEndpointArn"] == {"Ref": topic_id}


def test_app_stack_custom_resource_default_deletion_is_cloudformations_delete(
    app_synth: Synth,
) -> None:
    # CloudFormation deletes a resource without a DeletionPolicy; RETAIN writes Retain.
    _, resource = app_synth.only("Custom::ContactStreaming")
    assert "DeletionPolicy" not in resource
    assert "UpdateReplacePolicy" not in resource


def test_app_stack_lambda_python314_arm64_small_and_logs_json_to_own_group(
    app_synth: Synth,
) -> None:
    log_group_id, _ = app_synth.only("AWS::Logs::LogGroup")
    role_id, _ = app_synth.only("AWS::IAM::Role")
    app_synth.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.14",
            "Architectures": ["arm64"],
            "Handler": "handler.handler",
            "MemorySize": 256,
            "Timeout": 180,
            "Role": {"Fn::GetAtt": [role_id, "Arn"]},
            "LoggingConfig": {"LogFormat": "JSON", "LogGroup": {"Ref": log_group_id}},
        },
    )


def test_app_stack_log_group_retention_90_days(app_synth: Synth) -> None:
    app_synth.template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 90})


def test_app_stack_role_trusts_lambda_and_has_no_managed_or_inline_policies(
    app_synth: Synth,
) -> None:
    _, role = app_synth.only("AWS::IAM::Role")
    properties = role["Properties"]
    assert properties["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ]
    assert "ManagedPolicyArns" not in properties
    assert "Policies" not in properties
    assert "AWSLambdaBasicExecutionRole" not in str(app_synth.raw)


def test_app_stack_role_statements_logs_on_own_group_stack_status_connect_on_instance(
    app_synth: Synth,
) -> None:
    role_id, _ = app_synth.only("AWS::IAM::Role")
    log_group_id, _ = app_synth.only("AWS::Logs::LogGroup")
    statements = role_statements(app_synth.raw, role_id)
    by_actions = {tuple(sorted(as_list(s["Action"]))): s for s in statements}
    assert len(by_actions) == len(statements) == 3
    status = by_actions[("cloudformation:DescribeStacks",)]
    assert status == {
        "Action": "cloudformation:DescribeStacks",
        "Effect": "Allow",
        "Resource": {"Ref": "AWS::StackId"},
    }
    logs = by_actions[("logs:CreateLogStream", "logs:PutLogEvents")]
    assert logs["Effect"] == "Allow"
    assert logs["Resource"] == {"Fn::GetAtt": [log_group_id, "Arn"]}
    assert set(logs) == {"Action", "Effect", "Resource"}
    connect = by_actions[("connect:StartContactStreaming", "connect:StopContactStreaming")]
    assert connect["Effect"] == "Allow"
    assert connect["Resource"] == APP_INSTANCE_ARN
    assert set(connect) == {"Action", "Effect", "Resource"}


def test_app_stack_role_statements_no_wildcard_no_publish(app_synth: Synth) -> None:
    role_id, _ = app_synth.only("AWS::IAM::Role")
    for statement in role_statements(app_synth.raw, role_id):
        assert "*" not in as_list(statement["Resource"])
        assert not any("*" in action for action in as_list(statement["Action"]))
        assert "sns:Publish" not in as_list(statement["Action"])
        assert "NotResource" not in statement
        assert "NotAction" not in statement


def test_app_stack_topic_policy_lets_connect_publish_for_instance(app_synth: Synth) -> None:
    topic_id, _ = app_synth.only("AWS::SNS::Topic")
    statements = connect_statements(topic_policy_statements(app_synth))
    assert len(statements) == 1
    statement = statements[0]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sns:Publish"
    assert statement["Resource"] == {"Ref": topic_id}
    assert statement["Condition"] == CONNECT_CONDITIONS


def test_app_stack_topic_policy_denies_publish_without_tls(app_synth: Synth) -> None:
    topic_id, _ = app_synth.only("AWS::SNS::Topic")
    denies = [s for s in topic_policy_statements(app_synth) if s["Effect"] == "Deny"]
    assert denies == [
        {
            "Action": "sns:Publish",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": "*",
            "Resource": {"Ref": topic_id},
            "Sid": "AllowPublishThroughSSLOnly",
        }
    ]


def test_app_stack_topic_encrypted_with_rotating_customer_key(app_synth: Synth) -> None:
    key_id, key = app_synth.only("AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    app_synth.template.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}}
    )


def test_app_stack_key_policy_lets_connect_use_key_for_instance(app_synth: Synth) -> None:
    _, key = app_synth.only("AWS::KMS::Key")
    statements = connect_statements(key["Properties"]["KeyPolicy"]["Statement"])
    assert len(statements) == 1
    statement = statements[0]
    assert statement["Effect"] == "Allow"
    assert sorted(as_list(statement["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    # In a key policy "*" means this key.
    assert statement["Resource"] == "*"
    assert statement["Condition"] == CONNECT_CONDITIONS


def connect_sid(template: Template, resource_type: str, document: str) -> str:
    """The Sid of the one connect.amazonaws.com statement in a resource's policy document."""
    sid = Capture()
    template.has_resource_properties(
        resource_type,
        {
            document: {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Principal": {"Service": "connect.amazonaws.com"}, "Sid": sid}
                        )
                    ]
                )
            }
        },
    )
    return sid.as_string()


def test_app_stack_topic_and_key_sids_stable_across_apps_and_distinct(
    app_synth: Synth, app_template: Template
) -> None:
    topic_sid = connect_sid(app_synth.template, "AWS::SNS::TopicPolicy", "PolicyDocument")
    key_sid = connect_sid(app_synth.template, "AWS::KMS::Key", "KeyPolicy")
    assert topic_sid.startswith("ConnectStreaming")
    assert key_sid.startswith("ConnectStreamingKey")
    assert topic_sid != key_sid
    # Another App (without cdk.json's flags) renders the same Sids: no churn between synths.
    assert connect_sid(app_template, "AWS::SNS::TopicPolicy", "PolicyDocument") == topic_sid
    assert connect_sid(app_template, "AWS::KMS::Key", "KeyPolicy") == key_sid


def test_app_stack_parameters_instance_and_contact_with_allowed_patterns(app_synth: Synth) -> None:
    app_synth.template.has_parameter(
        "InstanceId", {"Type": "String", "AllowedPattern": INSTANCE_ID_PATTERN}
    )
    app_synth.template.has_parameter(
        "ContactId", {"Type": "String", "AllowedPattern": CONTACT_ID_PATTERN}
    )
    # No defaults: a deploy without them fails with CloudFormation's own message.
    assert "Default" not in app_synth.raw["Parameters"]["InstanceId"]
    assert "Default" not in app_synth.raw["Parameters"]["ContactId"]


def test_app_stack_outputs_streaming_id_and_topic_arn(app_synth: Synth) -> None:
    resource_id, _ = app_synth.only("Custom::ContactStreaming")
    topic_id, _ = app_synth.only("AWS::SNS::Topic")
    app_synth.template.has_output(
        "StreamingId", {"Value": {"Fn::GetAtt": [resource_id, "StreamingId"]}}
    )
    app_synth.template.has_output("TopicArn", {"Value": {"Ref": topic_id}})


def test_app_stack_synth_no_warnings_or_errors(app_synth: Synth) -> None:
    annotations = Annotations.from_stack(app_synth.stack)
    assert annotations.find_warning("*", Match.any_value()) == []
    assert annotations.find_error("*", Match.any_value()) == []


def test_app_stack_template_matches_snapshot(
    app_synth: Synth, json_snapshot: SnapshotAssertion
) -> None:
    assert app_synth.with_asset_masked() == json_snapshot
