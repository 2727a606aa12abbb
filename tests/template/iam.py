"""Helpers that read IAM statements out of a synthesized template."""

from __future__ import annotations

from typing import Any

Statement = dict[str, Any]


def as_list(value: Any) -> list[Any]:
    """A policy field that may be one value or a list, as a list."""
    return value if isinstance(value, list) else [value]


def role_statements(raw: dict[str, Any], role_id: str) -> list[Statement]:
    """Every statement of every AWS::IAM::Policy attached to the role `role_id`."""
    statements: list[Statement] = []
    for resource in raw["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if {"Ref": role_id} in resource["Properties"]["Roles"]:
            statements.extend(resource["Properties"]["PolicyDocument"]["Statement"])
    return statements


def connect_statements(statements: list[Statement]) -> list[Statement]:
    """The statements whose principal is connect.amazonaws.com."""
    return [s for s in statements if s.get("Principal") == {"Service": "connect.amazonaws.com"}]


def instance_arn(instance_id: Any) -> dict[str, Any]:
    """The instance ARN CDK's format_arn renders in a stack with no env."""
    tail: list[Any] = [f":instance/{instance_id}"]
    if not isinstance(instance_id, str):
        tail = [":instance/", instance_id]
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":connect:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                *tail,
            ],
        ]
    }
