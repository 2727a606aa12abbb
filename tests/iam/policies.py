"""Every policy statement in a synthesized template, with what kind of policy holds it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

Statement = dict[str, Any]


class Kind(Enum):
    """Where a statement sits, which decides what its Resource means."""

    IDENTITY = "identity"
    """A role's policy: Resource names what the actions act on."""
    TRUST = "trust"
    """A role's trust policy: no Resource; its action is sts:AssumeRole (or a sibling)."""
    TOPIC = "topic"
    """An SNS topic policy: Resource must be one of the topics the policy is attached to."""
    KEY = "key"
    """A KMS key policy: Resource "*" means the key itself."""


@dataclass(frozen=True)
class Located:
    """A statement, where it came from (`logical id/part`), its kind and what it is attached to."""

    where: str
    kind: Kind
    statement: Statement
    attached_to: tuple[Any, ...] = ()
    """For a topic policy, its Topics (template values); empty otherwise."""


# Resource types that carry policy documents, and the properties the walk below reads.
HANDLED = {
    "AWS::IAM::Policy": ("PolicyDocument",),
    "AWS::IAM::ManagedPolicy": ("PolicyDocument",),
    "AWS::IAM::Role": ("AssumeRolePolicyDocument", "Policies"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument",),
    "AWS::KMS::Key": ("KeyPolicy",),
}


def as_list(value: Any) -> list[Any]:
    """A policy field that may be one value or a list, as a list."""
    return value if isinstance(value, list) else [value]


def statements(template: dict[str, Any]) -> list[Located]:
    """Every statement of every policy in the template, each with its kind."""
    found: list[Located] = []
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        kind = resource["Type"]
        if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found += _of(
                f"{logical_id}/PolicyDocument", Kind.IDENTITY, properties["PolicyDocument"]
            )
        elif kind == "AWS::IAM::Role":
            document = properties["AssumeRolePolicyDocument"]
            found += _of(f"{logical_id}/AssumeRolePolicyDocument", Kind.TRUST, document)
            for inline in properties.get("Policies", []):
                where = f"{logical_id}/Policies/{inline['PolicyName']}"
                found += _of(where, Kind.IDENTITY, inline["PolicyDocument"])
        elif kind == "AWS::SNS::TopicPolicy":
            where, topics = f"{logical_id}/PolicyDocument", tuple(properties["Topics"])
            found += _of(where, Kind.TOPIC, properties["PolicyDocument"], topics)
        elif kind == "AWS::KMS::Key":
            found += _of(f"{logical_id}/KeyPolicy", Kind.KEY, properties["KeyPolicy"])
    return found


def unhandled(template: dict[str, Any]) -> list[str]:
    """Policies this module does not read: a policy document elsewhere, or a managed policy."""
    found = []
    for logical_id, resource in template["Resources"].items():
        read = HANDLED.get(resource["Type"], ())
        for name, value in resource.get("Properties", {}).items():
            if name == "ManagedPolicyArns" or (name not in read and _holds_statement(value)):
                found.append(f"{logical_id} ({resource['Type']}): {name}")
    return found


def _holds_statement(value: Any) -> bool:
    if isinstance(value, dict):
        return "Statement" in value or any(_holds_statement(each) for each in value.values())
    if isinstance(value, list):
        return any(_holds_statement(each) for each in value)
    return False


def _of(
    where: str, kind: Kind, document: dict[str, Any], attached_to: tuple[Any, ...] = ()
) -> list[Located]:
    return [
        Located(f"{where}/Statement/{index}", kind, statement, attached_to)
        for index, statement in enumerate(as_list(document["Statement"]))
    ]
