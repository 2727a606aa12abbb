"""FlowStreaming's template: the function, its role, log group, permission and association."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from contact_streaming import FlowStreaming, StreamingEndpoint
from contact_streaming.flow_streaming import flow_handler_dir
from tests.flow.stacks import INSTANCE_ID, flow_stack
from tests.template.conftest import Synth, synthesize

INSTANCE_ARN_JOIN = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":connect:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            f":instance/{INSTANCE_ID}",
        ],
    ]
}


@pytest.fixture(scope="module")
def flow_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("flow"), flow_stack)


def function_of(synth: Synth) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical_id, body)
        for logical_id, body in synth.resources("AWS::Lambda::Function").items()
        if body["Properties"]["Handler"] == "flow_handler.handler"
    ]
    return found


def test_flow_template_function_python_arm_8_seconds_json_logs(flow_synth: Synth) -> None:
    _, function = function_of(flow_synth)
    properties = function["Properties"]
    assert properties["Runtime"] == "python3.14"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Timeout"] == 8
    assert properties["LoggingConfig"]["LogFormat"] == "JSON"
    topic_id, _ = flow_synth.only("AWS::SNS::Topic")
    assert properties["Environment"]["Variables"] == {
        "STREAMING_ENDPOINT_ARN": {"Ref": topic_id},
        "INSTANCE_ARN": INSTANCE_ARN_JOIN,
    }


def test_flow_template_log_group_has_retention(flow_synth: Synth) -> None:
    _, function = function_of(flow_synth)
    group_id = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    group = flow_synth.raw["Resources"][group_id]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == 90


def test_flow_template_role_starts_streaming_on_instance_only(flow_synth: Synth) -> None:
    _, function = function_of(flow_synth)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    (policy,) = [
        body
        for body in flow_synth.resources("AWS::IAM::Policy").values()
        if body["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    connect = [s for s in statements if str(s["Action"]).startswith("connect:")]
    assert connect == [
        {
            "Action": "connect:StartContactStreaming",
            "Effect": "Allow",
            "Resource": INSTANCE_ARN_JOIN,
        }
    ]
    others = [s for s in statements if s not in connect]
    assert {a for s in others for a in s["Action"]} == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert not [
        r
        for r in flow_synth.resources("AWS::IAM::Role").values()
        if "ManagedPolicyArns" in r["Properties"]
    ]


def test_flow_template_connect_may_invoke_for_instance_only(flow_synth: Synth) -> None:
    function_id, _ = function_of(flow_synth)
    (permission,) = flow_synth.resources("AWS::Lambda::Permission").values()
    assert permission["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
        "Principal": "connect.amazonaws.com",
        "SourceAccount": {"Ref": "AWS::AccountId"},
        "SourceArn": INSTANCE_ARN_JOIN,
    }


def test_flow_template_association_lambda_on_instance_after_permission(flow_synth: Synth) -> None:
    function_id, _ = function_of(flow_synth)
    permission_id, _ = flow_synth.only("AWS::Lambda::Permission")
    _, association = flow_synth.only("AWS::Connect::IntegrationAssociation")
    assert association["Properties"] == {
        "InstanceId": INSTANCE_ARN_JOIN,
        "IntegrationType": "LAMBDA_FUNCTION",
        "IntegrationArn": {"Fn::GetAtt": [function_id, "Arn"]},
    }
    assert permission_id in association["DependsOn"]


def test_flow_template_asset_holds_only_the_flow_handler(flow_synth: Synth) -> None:
    _, function = function_of(flow_synth)
    key = function["Properties"]["Code"]["S3Key"]
    asset = flow_synth.outdir / f"asset.{key.removesuffix('.zip')}"
    assert sorted(p.name for p in asset.iterdir()) == ["flow_handler.py"]
    assert (asset / "flow_handler.py").read_bytes() == (
        flow_handler_dir() / "flow_handler.py"
    ).read_bytes()


def test_flow_streaming_exposes_function_role_log_group(tmp_path: Path) -> None:
    stack = Stack(App(outdir=str(tmp_path)), "Exposed")
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    flow = FlowStreaming(stack, "Flow", endpoint=endpoint)
    assert flow.function.node.path == "Exposed/Flow/Function"
    assert flow.role.node.path == "Exposed/Flow/Role"
    assert flow.log_group.node.path == "Exposed/Flow/Logs"
    assert flow.association.node.path == "Exposed/Flow/Association"
    assert flow.instance_arn == endpoint.instance_arn


def masked(synth: Synth) -> dict[str, Any]:
    template = copy.deepcopy(synth.raw)
    function_id, _ = function_of(synth)
    code = template["Resources"][function_id]["Properties"]["Code"]
    assert re.fullmatch(r"[0-9a-f]{64}\.zip", code["S3Key"])
    code["S3Key"] = "<asset-hash>.zip"
    return template


def test_flow_template_matches_snapshot(flow_synth: Synth, snapshot: SnapshotAssertion) -> None:
    assert masked(flow_synth) == snapshot.use_extension(JSONSnapshotExtension)
