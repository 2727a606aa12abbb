"""Hold a policy statement against the Service Authorization Reference: a list of problems.

The rules, for every statement of every kind (policies.Kind):

- Each Action exists in the reference for its service. A wildcard (`kms:GenerateDataKey*`) names
  every action it matches; it must match at least one, and at least one must take the statement's
  resources (IAM grants each action what applies to it).
- Identity policy: an action with resource types takes only Resources that match one of its types'
  ARN formats (arns.overlaps), every required type matched by some Resource, and never "*" alone;
  an action with no resource types takes "*" and nothing else.
- Topic policy: the same, and every Resource is a topic the policy is attached to.
- Key policy: Resource is "*", which means this key: the key's ARN format stands in for it.
- Trust policy: the action exists; a trust policy has no Resource.
- Condition keys: a service key (`kms:ViaService`) must be one the reference lists for the
  statement's actions or their resource types. An `aws:` key passes where the reference lists it so,
  and otherwise must be one of the global condition keys (IAM User Guide, "AWS global condition
  context keys"), which the reference does not list per action (aws:SourceArn, aws:SourceAccount).
- NotAction and NotResource are refused: no policy of the package needs them.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from tests.iam import arns, reference
from tests.iam.policies import Kind, Located, as_list

# From the IAM User Guide's "AWS global condition context keys" (the keys the package may use).
GLOBAL_CONDITION_KEYS = (
    "aws:CalledVia",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalServiceName",
    "aws:PrincipalTag/${TagKey}",
    "aws:RequestedRegion",
    "aws:RequestTag/${TagKey}",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceTag/${TagKey}",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:ViaAWSService",
)
KEY_ARN_FORMAT_OF = ("kms", "key")


def problems(located: Located, template: dict[str, Any]) -> list[str]:
    """What in one statement of `template` disagrees with the reference (empty when it holds)."""
    statement = located.statement
    resources = {
        **{
            name: {"Type": "AWS::CloudFormation::Parameter"}
            for name in template.get("Parameters", {})
        },
        **template.get("Resources", {}),
    }
    found = [
        f"{field} is not supported" for field in ("NotAction", "NotResource") if field in statement
    ]
    actions = [str(each) for each in as_list(statement.get("Action", []))]
    if not actions:
        found.append("no Action")
    if located.kind is Kind.TRUST:
        found += [
            f"{a}: no such action in the reference" for a in actions if not reference.expand(a)
        ]
        if "Resource" in statement:
            found.append("a trust policy has no Resource")
        return found + _condition_problems(statement, actions)
    try:
        patterns = _resource_patterns(located, resources)
    except arns.UnknownTokenError as error:
        return [*found, str(error)]
    found += _resource_problems(located, patterns, resources)
    for name in actions:
        found += _action_problems(name, patterns, located.kind)
    return found + _condition_problems(statement, actions)


def _resource_patterns(located: Located, resources: dict[str, Any]) -> list[str]:
    values = as_list(located.statement.get("Resource", []))
    if located.kind is Kind.KEY and values == ["*"]:
        return [arns.from_reference(reference.arn_format(*KEY_ARN_FORMAT_OF))]
    return [arns.from_template(value, resources) for value in values]


def _resource_problems(
    located: Located, patterns: list[str], resources: dict[str, Any]
) -> list[str]:
    values = as_list(located.statement.get("Resource", []))
    if not values:
        return ["no Resource"]
    if located.kind is Kind.KEY and values != ["*"]:
        return [f"a key policy's Resource is '*' (this key), not {values!r}"]
    if located.kind is Kind.TOPIC:
        return [
            f"Resource {value!r} is not a topic the policy is attached to"
            for value in values
            if value not in located.attached_to
        ]
    return []


def _action_problems(name: str, patterns: list[str], kind: Kind) -> list[str]:
    matched = reference.expand(name)
    if not matched:
        return [f"{name}: no such action in the reference"]
    if kind is Kind.KEY and matched[0].service != "kms":
        return [f"{name}: a key policy grants kms actions only"]
    verdicts = [_takes(each, patterns) for each in matched]
    if any(not verdict for verdict in verdicts):
        return []
    if len(matched) == 1:
        return verdicts[0]
    return [f"{name}: none of the {len(matched)} actions it names takes the Resource"]


def _takes(action: reference.Action, patterns: list[str]) -> list[str]:
    """Why `action` does not take these resource patterns (empty when it does)."""
    name = action.full_name
    if not action.resource_types:
        return [] if patterns == ["*"] else [f"{name} has no resource types: Resource must be '*'"]
    if "*" in patterns:
        return [f"{name} authorizes on a resource type: Resource '*' grants every one"]
    formats = {each.name: arns.from_reference(each.arn_format) for each in action.resource_types}
    found = [
        f"{name}: Resource {pattern!r} matches none of its types {sorted(formats)}"
        for pattern in patterns
        if not any(arns.overlaps(pattern, arn_format) for arn_format in formats.values())
    ]
    found += [
        f"{name}: no Resource matches its required type {each.name!r} ({each.arn_format})"
        for each in action.resource_types
        if each.required and not any(arns.overlaps(p, formats[each.name]) for p in patterns)
    ]
    return found


def _condition_problems(statement: dict[str, Any], actions: list[str]) -> list[str]:
    listed = [
        key
        for name in actions
        for matched in reference.expand(name)
        for key in matched.all_condition_keys()
    ]
    found = []
    for operator, block in statement.get("Condition", {}).items():
        for key in block:
            if _listed(key, listed):
                continue
            if key.lower().startswith("aws:") and _listed(key, list(GLOBAL_CONDITION_KEYS)):
                continue
            found.append(f"condition key {key!r} ({operator}) is not listed for {actions}")
    return found


def _listed(key: str, keys: list[str]) -> bool:
    """Whether `key` is one of `keys`, whose `${Variable}` parts stand for any text."""
    return any(
        fnmatch.fnmatchcase(key.lower(), arns.VARIABLE.sub("*", each).lower()) for each in keys
    )
