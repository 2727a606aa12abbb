"""Templates of the app's existingTopicArn variant, a RETAIN stream and a stack of three streams."""

from __future__ import annotations

from aws_cdk.assertions import Match

from contact_streaming.provider import PROVIDER_ID
from tests.template.conftest import EXISTING_TOPIC_ARN, INSTANCE_A, INSTANCE_B_ARN, Synth
from tests.template.iam import as_list, connect_statements, instance_arn, role_statements

INSTANCE_A_ARN = instance_arn(INSTANCE_A)
B_CONDITIONS = {
    "StringEquals": {"aws:SourceAccount": "123456789012"},
    "ArnEquals": {"aws:SourceArn": INSTANCE_B_ARN},
}
A_CONDITIONS = {
    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    "ArnEquals": {"aws:SourceArn": INSTANCE_A_ARN},
}


def connect_resources(synth: Synth) -> list[object]:
    """The resources of the provider role's connect statement(s)."""
    role_id, _ = synth.only("AWS::IAM::Role")
    resources: list[object] = []
    for statement in role_statements(synth.raw, role_id):
        if any(action.startswith("connect:") for action in as_list(statement["Action"])):
            resources.extend(as_list(statement["Resource"]))
    return resources


def test_existing_topic_variant_no_topic_or_key_created(existing_topic_synth: Synth) -> None:
    for resource_type in ("AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::KMS::Key"):
        existing_topic_synth.template.resource_count_is(resource_type, 0)
    existing_topic_synth.template.resource_count_is("Custom::ContactStreaming", 1)


def test_existing_topic_variant_endpoint_is_given_arn(existing_topic_synth: Synth) -> None:
    existing_topic_synth.template.has_resource_properties(
        "Custom::ContactStreaming", {"StreamingEndpointArn": EXISTING_TOPIC_ARN}
    )
    existing_topic_synth.template.has_output("TopicArn", {"Value": EXISTING_TOPIC_ARN})
    _, resource = existing_topic_synth.only("Custom::ContactStreaming")
    assert "DependsOn" not in resource


def test_existing_topic_variant_role_still_scoped_to_instance(
    existing_topic_synth: Synth,
) -> None:
    assert connect_resources(existing_topic_synth) == [instance_arn({"Ref": "InstanceId"})]


def test_retain_stream_deletion_policy_retain_but_replacement_still_stops(
    retain_synth: Synth,
) -> None:
    # Destroying the stack leaves the stream running; an Update that moves the stream to another
    # contact is a replacement, and CloudFormation's cleanup Delete must stop the old stream.
    _, resource = retain_synth.only("Custom::ContactStreaming")
    assert resource["DeletionPolicy"] == "Retain"
    assert "UpdateReplacePolicy" not in resource


def test_retain_stream_instance_arn_gives_id_and_region(retain_synth: Synth) -> None:
    retain_synth.template.has_resource_properties(
        "Custom::ContactStreaming",
        {
            "InstanceId": INSTANCE_B_ARN.rsplit("/", 1)[1],
            "Region": "eu-west-2",
            "ContactId": {"Ref": "ContactId"},
            "StreamingEndpointArn": EXISTING_TOPIC_ARN,
        },
    )
    assert connect_resources(retain_synth) == [INSTANCE_B_ARN]


def test_multi_stream_stack_one_provider_for_three_streams(multi_synth: Synth) -> None:
    multi_synth.template.resource_count_is("Custom::ContactStreaming", 3)
    for resource_type in (
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::Logs::LogGroup",
    ):
        multi_synth.template.resource_count_is(resource_type, 1)
    function_id, _ = multi_synth.only("AWS::Lambda::Function")
    assert function_id.startswith(PROVIDER_ID)
    tokens = {
        str(resource["Properties"]["ServiceToken"])
        for resource in multi_synth.resources("Custom::ContactStreaming").values()
    }
    assert tokens == {str({"Fn::GetAtt": [function_id, "Arn"]})}


def test_multi_stream_stack_role_names_each_instance_once(multi_synth: Synth) -> None:
    resources = connect_resources(multi_synth)
    assert len(resources) == 2
    assert INSTANCE_A_ARN in resources
    assert INSTANCE_B_ARN in resources


def test_multi_stream_stack_topic_policy_one_statement_per_instance(multi_synth: Synth) -> None:
    _, policy = multi_synth.only("AWS::SNS::TopicPolicy")
    statements = connect_statements(policy["Properties"]["PolicyDocument"]["Statement"])
    assert sorted(str(s["Condition"]) for s in statements) == sorted(
        [str(A_CONDITIONS), str(B_CONDITIONS)]
    )
    assert len({s["Sid"] for s in statements}) == 2


def test_multi_stream_stack_key_policy_one_statement_per_instance(multi_synth: Synth) -> None:
    _, key = multi_synth.only("AWS::KMS::Key")
    statements = connect_statements(key["Properties"]["KeyPolicy"]["Statement"])
    assert sorted(str(s["Condition"]) for s in statements) == sorted(
        [str(A_CONDITIONS), str(B_CONDITIONS)]
    )


def test_multi_stream_stack_every_stream_waits_for_topic_policy(multi_synth: Synth) -> None:
    policy_id, _ = multi_synth.only("AWS::SNS::TopicPolicy")
    multi_synth.template.all_resources(
        "Custom::ContactStreaming", {"DependsOn": Match.array_with([policy_id])}
    )
