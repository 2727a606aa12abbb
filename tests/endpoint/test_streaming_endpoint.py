"""StreamingEndpoint: its topic, key and grant, and one Connect statement per instance per topic."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from contact_streaming import ContactStreaming, StreamingEndpoint
from tests.endpoint.conftest import (
    ACCOUNT,
    IMPORTED_KEY_ARN,
    IMPORTED_TOPIC_ARN,
    INSTANCE_ARN,
    OTHER_INSTANCE_ARN,
    REGION,
)
from tests.endpoint.test_topic_policies import (
    CONDITIONS,
    KEY_STATEMENT,
    PUBLISH_STATEMENT,
    connect_key_statements,
    warned_statements,
    without_sid,
)

INSTANCE_ID = INSTANCE_ARN.rsplit("/", 1)[1]


def only(template: Template, resource_type: str) -> tuple[str, dict[str, Any]]:
    """The logical id and body of the template's one resource of a type."""
    found = template.find_resources(resource_type)
    assert len(found) == 1, sorted(found)
    logical_id, body = next(iter(found.items()))
    return logical_id, dict(body)


def topic_statements(stack: Stack) -> list[dict[str, Any]]:
    """The statements of the stack's one topic policy."""
    _, policy = only(Template.from_stack(stack), "AWS::SNS::TopicPolicy")
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def connect_topic_statements(stack: Stack) -> list[dict[str, Any]]:
    """The topic policy statements that name Connect."""
    return [
        s
        for s in topic_statements(stack)
        if s.get("Principal") == {"Service": "connect.amazonaws.com"}
    ]


def source_arns(statements: list[dict[str, Any]]) -> list[Any]:
    return [s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in statements]


def test_streaming_endpoint_without_topic_new_standard_topic_on_rotating_key(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    template = Template.from_stack(stack)
    key_id, key = only(template, "AWS::KMS::Key")
    topic_id, topic = only(template, "AWS::SNS::Topic")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert "FifoTopic" not in topic["Properties"]
    assert stack.resolve(endpoint.topic.topic_arn) == {"Ref": topic_id}
    assert endpoint.instance_arn == INSTANCE_ARN
    assert len(template.to_json()["Resources"]) == 3  # key, topic, topic policy: no Lambda


def test_streaming_endpoint_new_topic_policy_tls_deny_and_connect_publish_only(
    stack: Stack,
) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    topic_ref = stack.resolve(endpoint.topic.topic_arn)
    statements = [without_sid(s) for s in topic_statements(stack)]
    assert statements == [
        {
            "Action": "sns:Publish",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": "*",
            "Resource": topic_ref,
        },
        {**PUBLISH_STATEMENT, "Resource": topic_ref},
    ]


def test_streaming_endpoint_new_key_policy_account_root_and_connect_only(stack: Stack) -> None:
    StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    _, key = only(Template.from_stack(stack), "AWS::KMS::Key")
    account_root = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{ACCOUNT}:root"]]}
    assert [without_sid(s) for s in key["Properties"]["KeyPolicy"]["Statement"]] == [
        {"Action": "kms:*", "Effect": "Allow", "Principal": {"AWS": account_root}, "Resource": "*"},
        KEY_STATEMENT,
    ]


def test_streaming_endpoint_no_warnings_for_its_own_topic(stack: Stack) -> None:
    StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())


def test_streaming_endpoint_instance_id_names_instance_in_stack_region(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    resolved = stack.resolve(endpoint.instance_arn)
    assert resolved == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}",
            ],
        ]
    }
    assert [without_sid(s) for s in connect_key_statements(stack)] == [
        {**KEY_STATEMENT, "Condition": {**CONDITIONS, "ArnEquals": {"aws:SourceArn": resolved}}}
    ]


def test_streaming_endpoint_adopted_owned_topic_gets_statements(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key"))
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN, topic=topic)
    assert endpoint.topic is topic
    assert [without_sid(s) for s in connect_topic_statements(stack)] == [
        {**PUBLISH_STATEMENT, "Resource": stack.resolve(topic.topic_arn)}
    ]
    assert [without_sid(s) for s in connect_key_statements(stack)] == [KEY_STATEMENT]
    assert len(Template.from_stack(stack).find_resources("AWS::KMS::Key")) == 1


def test_streaming_endpoint_imported_topic_and_key_warn_naming_itself(stack: Stack) -> None:
    topic = sns.Topic.from_topic_attributes(
        stack, "Topic", topic_arn=IMPORTED_TOPIC_ARN, key_arn=IMPORTED_KEY_ARN
    )
    StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN, topic=topic)
    Annotations.from_stack(stack).has_warning(
        "/Endpoint/Topic",
        Match.string_like_regexp(r"^StreamingEndpoint cannot change this topic's policy"),
    )
    assert [without_sid(s) for s in warned_statements(stack, "contact-streaming:topic-policy")] == [
        PUBLISH_STATEMENT
    ]
    assert [without_sid(s) for s in warned_statements(stack, "contact-streaming:key-policy")] == [
        KEY_STATEMENT
    ]
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


def test_shared_path_endpoint_then_stream_same_instance_one_statement_each(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    ContactStreaming(
        stack, "Stream", instance_arn=INSTANCE_ARN, contact_id="c", topic=endpoint.topic
    )
    assert source_arns(connect_topic_statements(stack)) == [INSTANCE_ARN]
    assert source_arns(connect_key_statements(stack)) == [INSTANCE_ARN]


def test_shared_path_stream_then_endpoint_same_instance_one_statement_each(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key"))
    ContactStreaming(stack, "Stream", instance_arn=INSTANCE_ARN, contact_id="c", topic=topic)
    StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN, topic=topic)
    assert source_arns(connect_topic_statements(stack)) == [INSTANCE_ARN]
    assert source_arns(connect_key_statements(stack)) == [INSTANCE_ARN]


def test_shared_path_stream_on_endpoint_topic_depends_on_its_policy(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    ContactStreaming(
        stack, "Stream", instance_arn=INSTANCE_ARN, contact_id="c", topic=endpoint.topic
    )
    template = Template.from_stack(stack)
    policy_id, _ = only(template, "AWS::SNS::TopicPolicy")
    _, resource = only(template, "Custom::ContactStreaming")
    assert resource["DependsOn"] == [policy_id]


def test_shared_path_stream_given_endpoint_topic_arn_depends_on_its_policy(stack: Stack) -> None:
    # An ARN instead of the topic: nothing is added, but streaming still waits for the policy.
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    ContactStreaming(
        stack,
        "Stream",
        instance_arn=INSTANCE_ARN,
        contact_id="c",
        streaming_endpoint_arn=endpoint.topic.topic_arn,
    )
    template = Template.from_stack(stack)
    policy_id, _ = only(template, "AWS::SNS::TopicPolicy")
    _, resource = only(template, "Custom::ContactStreaming")
    assert resource["DependsOn"] == [policy_id]
    assert source_arns(connect_topic_statements(stack)) == [INSTANCE_ARN]


def test_shared_path_stream_given_other_topic_arn_depends_on_nothing(stack: Stack) -> None:
    StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    ContactStreaming(
        stack,
        "Stream",
        instance_arn=INSTANCE_ARN,
        contact_id="c",
        streaming_endpoint_arn=IMPORTED_TOPIC_ARN,
    )
    _, resource = only(Template.from_stack(stack), "Custom::ContactStreaming")
    assert "DependsOn" not in resource


def test_shared_path_two_endpoints_two_instances_one_statement_each(stack: Stack) -> None:
    first = StreamingEndpoint(stack, "First", instance_arn=INSTANCE_ARN)
    StreamingEndpoint(stack, "Second", instance_arn=OTHER_INSTANCE_ARN, topic=first.topic)
    StreamingEndpoint(stack, "Again", instance_arn=INSTANCE_ARN, topic=first.topic)
    assert source_arns(connect_topic_statements(stack)) == [INSTANCE_ARN, OTHER_INSTANCE_ARN]
    assert source_arns(connect_key_statements(stack)) == [INSTANCE_ARN, OTHER_INSTANCE_ARN]


def test_shared_path_imported_topic_endpoint_and_stream_one_warning(stack: Stack) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Topic", IMPORTED_TOPIC_ARN)
    StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN, topic=topic)
    ContactStreaming(stack, "Stream", instance_arn=INSTANCE_ARN, contact_id="c", topic=topic)
    warned = warned_statements(stack, "contact-streaming:topic-policy")
    assert source_arns(warned) == [INSTANCE_ARN]


def grantee_statements(stack: Stack, role: iam.Role) -> list[dict[str, Any]]:
    """Every statement of the IAM policies attached to `role`."""
    role_ref = stack.resolve(role.role_name)
    return [
        statement
        for policy in Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
        if role_ref in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_grant_streaming_start_and_stop_on_the_instance_only(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    role = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    grant = endpoint.grant_streaming(role)
    assert grant.success
    assert grantee_statements(stack, role) == [
        {
            "Action": ["connect:StartContactStreaming", "connect:StopContactStreaming"],
            "Effect": "Allow",
            "Resource": INSTANCE_ARN,
        }
    ]


def test_grant_streaming_instance_id_resource_is_formatted_instance_arn(stack: Stack) -> None:
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    role = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    endpoint.grant_streaming(role)
    (statement,) = grantee_statements(stack, role)
    assert statement["Resource"] == stack.resolve(endpoint.instance_arn)
    assert "Condition" not in statement


def test_grant_streaming_adds_nothing_to_topic_or_key(stack: Stack) -> None:
    granted = StreamingEndpoint(stack, "Endpoint", instance_arn=INSTANCE_ARN)
    role = iam.Role(stack, "Backend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    granted.grant_streaming(role)
    alone = Stack(App(), "Endpoint", env=Environment(account=ACCOUNT, region=REGION))
    StreamingEndpoint(alone, "Endpoint", instance_arn=INSTANCE_ARN)
    assert topic_statements(stack) == topic_statements(alone)
    assert only(Template.from_stack(stack), "AWS::KMS::Key") == only(
        Template.from_stack(alone), "AWS::KMS::Key"
    )
    assert not any("sns:" in str(s["Action"]) for s in grantee_statements(stack, role))
