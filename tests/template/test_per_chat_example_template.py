"""The per-chat backend example's template: endpoint, backend Lambda and every IAM statement."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Annotations, Match
from syrupy.assertion import SnapshotAssertion

from tests.conftest import ROOT
from tests.template.conftest import Synth
from tests.template.iam import as_list, connect_statements, role_statements
from tests.template.test_app_template import APP_INSTANCE_ARN, CONNECT_CONDITIONS
from tests.template.test_lambda_asset import read_assembly, run_app

EXAMPLE_DIR = ROOT / "examples" / "per_chat_backend"
# `python -m per_chat_backend.app`, first making sure the repository's own modules are out of reach.
COPIED_OUT_APP = """
import importlib.util, runpy
for name in ("stacks", "examples", "standins", "tests"):
    assert importlib.util.find_spec(name) is None, f"{name} is importable: not a copy on its own"
runpy.run_module("per_chat_backend.app", run_name="__main__")
"""
FLOW_ARN = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":connect:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":instance/",
            {"Ref": "InstanceId"},
            "/contact-flow/",
            {"Ref": "ContactFlowId"},
        ],
    ]
}


def policy_statements(synth: Synth, resource_type: str, document: str) -> list[dict[str, Any]]:
    _, resource = synth.only(resource_type)
    statements: list[dict[str, Any]] = resource["Properties"][document]["Statement"]
    return statements


def test_per_chat_example_resources_endpoint_and_backend_only(per_chat_synth: Synth) -> None:
    counts = {
        "AWS::KMS::Key": 1,
        "AWS::SNS::Topic": 1,
        "AWS::SNS::TopicPolicy": 1,
        "AWS::Lambda::Function": 1,
        "AWS::IAM::Role": 1,
        "AWS::IAM::Policy": 1,
        "AWS::Logs::LogGroup": 1,
    }
    for resource_type, count in counts.items():
        per_chat_synth.template.resource_count_is(resource_type, count)
    # Nothing is tied to the stack's life: no custom resource, no provider.
    assert len(per_chat_synth.raw["Resources"]) == sum(counts.values())


def test_per_chat_example_backend_role_statements_exactly_three(per_chat_synth: Synth) -> None:
    role_id, _ = per_chat_synth.only("AWS::IAM::Role")
    log_group_id, _ = per_chat_synth.only("AWS::Logs::LogGroup")
    assert role_statements(per_chat_synth.raw, role_id) == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [log_group_id, "Arn"]},
        },
        {
            "Action": ["connect:StartContactStreaming", "connect:StopContactStreaming"],
            "Effect": "Allow",
            "Resource": APP_INSTANCE_ARN,
        },
        {"Action": "connect:StartChatContact", "Effect": "Allow", "Resource": FLOW_ARN},
    ]


def test_per_chat_example_backend_role_trusts_lambda_no_managed_policies(
    per_chat_synth: Synth,
) -> None:
    _, role = per_chat_synth.only("AWS::IAM::Role")
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ]
    assert "ManagedPolicyArns" not in role["Properties"]
    assert "Policies" not in role["Properties"]


def test_per_chat_example_topic_policy_tls_deny_and_connect_publish(per_chat_synth: Synth) -> None:
    topic_id, _ = per_chat_synth.only("AWS::SNS::Topic")
    statements = policy_statements(per_chat_synth, "AWS::SNS::TopicPolicy", "PolicyDocument")
    assert len(statements) == 2
    deny, publish = statements
    assert deny == {
        "Action": "sns:Publish",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": "*",
        "Resource": {"Ref": topic_id},
        "Sid": "AllowPublishThroughSSLOnly",
    }
    assert connect_statements(statements) == [publish]
    assert publish["Action"] == "sns:Publish"
    assert publish["Effect"] == "Allow"
    assert publish["Resource"] == {"Ref": topic_id}
    assert publish["Condition"] == CONNECT_CONDITIONS
    assert re.fullmatch(r"ConnectStreaming[0-9a-f]{12}", publish["Sid"])


def test_per_chat_example_key_policy_account_and_connect(per_chat_synth: Synth) -> None:
    key_id, key = per_chat_synth.only("AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = policy_statements(per_chat_synth, "AWS::KMS::Key", "KeyPolicy")
    assert len(statements) == 2
    admin, use_key = statements
    assert admin == {
        "Action": "kms:*",
        "Effect": "Allow",
        "Principal": {
            "AWS": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":iam::",
                        {"Ref": "AWS::AccountId"},
                        ":root",
                    ],
                ]
            }
        },
        "Resource": "*",
    }
    assert connect_statements(statements) == [use_key]
    assert sorted(as_list(use_key["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert use_key["Resource"] == "*"
    assert use_key["Condition"] == CONNECT_CONDITIONS
    per_chat_synth.template.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}}
    )


def test_per_chat_example_function_environment_names_instance_flow_and_topic(
    per_chat_synth: Synth,
) -> None:
    topic_id, _ = per_chat_synth.only("AWS::SNS::Topic")
    role_id, _ = per_chat_synth.only("AWS::IAM::Role")
    log_group_id, _ = per_chat_synth.only("AWS::Logs::LogGroup")
    _, function = per_chat_synth.only("AWS::Lambda::Function")
    properties = function["Properties"]
    assert properties["Environment"] == {
        "Variables": {
            "INSTANCE_ID": {"Ref": "InstanceId"},
            "CONTACT_FLOW_ID": {"Ref": "ContactFlowId"},
            "STREAMING_ENDPOINT_ARN": {"Ref": topic_id},
        }
    }
    assert properties["Handler"] == "start_chat.handler"
    assert properties["Runtime"] == "python3.14"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert properties["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}


def test_per_chat_example_asset_holds_only_the_handler(per_chat_synth: Synth) -> None:
    assembly = read_assembly(per_chat_synth.outdir, per_chat_synth.stack.stack_name)
    _, function = per_chat_synth.only("AWS::Lambda::Function")
    assert function["Properties"]["Code"]["S3Key"] == f"{assembly.asset_hash}.zip"
    assert sorted(p.name for p in assembly.asset_dir.iterdir()) == ["start_chat.py"]


def test_per_chat_example_app_py_template_equals_tested_template(
    per_chat_synth: Synth, tmp_path: Path
) -> None:
    # The documented command's app (examples/per_chat_backend/app.py), in its own process.
    assembly = run_app(
        tmp_path, "-m", "examples.per_chat_backend.app", stack_name=per_chat_synth.stack.stack_name
    )
    assert assembly.template == per_chat_synth.raw


def test_per_chat_example_copied_out_of_repository_synthesizes_tested_template(
    per_chat_synth: Synth, tmp_path: Path
) -> None:
    # Only the example's folder and the library: nothing of the repository's app is importable.
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(EXAMPLE_DIR, project / "per_chat_backend", ignore=ignore)
    library = tmp_path / "library"
    library.mkdir()
    (library / "contact_streaming").symlink_to(ROOT / "contact_streaming", target_is_directory=True)
    assembly = run_app(
        tmp_path / "cdk.out",
        "-c",
        COPIED_OUT_APP,
        stack_name=per_chat_synth.stack.stack_name,
        cwd=project,
        pythonpath=(library,),
    )
    assert assembly.template == per_chat_synth.raw


def test_per_chat_example_parameters_instance_and_flow_ids(per_chat_synth: Synth) -> None:
    for name in ("InstanceId", "ContactFlowId"):
        per_chat_synth.template.has_parameter(
            name, {"Type": "String", "AllowedPattern": Match.string_like_regexp(r"^\^")}
        )
        assert "Default" not in per_chat_synth.raw["Parameters"][name]


def test_per_chat_example_synth_no_warnings_or_errors(per_chat_synth: Synth) -> None:
    annotations = Annotations.from_stack(per_chat_synth.stack)
    assert annotations.find_warning("*", Match.any_value()) == []
    assert annotations.find_error("*", Match.any_value()) == []


def test_per_chat_example_template_matches_snapshot(
    per_chat_synth: Synth, json_snapshot: SnapshotAssertion
) -> None:
    assert per_chat_synth.with_asset_masked() == json_snapshot
