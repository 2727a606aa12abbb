"""ARN patterns: a policy's Resource (CDK tokens resolved) against the reference's ARN formats.

A pattern is a string of three kinds of atoms:

- a literal character;
- SEGMENT: one or more characters within one ARN segment (no ``:`` and no ``/``). A reference
  variable (``${InstanceId}``) is one, and so is a CloudFormation value the template cannot know
  (``AWS::Partition``, ``AWS::Region``, ``AWS::AccountId``, a parameter, a generated name). This
  is stricter than AWS for the few names that may hold a ``/`` (log group names): none of the
  package's policies names one;
- ANY: IAM's ``*`` in a Resource, zero or more of any character.

A Resource matches a resource type when some ARN of that type's format also matches the Resource
(the two patterns' languages meet): `overlaps`.
"""

from __future__ import annotations

import re
from typing import Any

SEGMENT = "\x00"
ANY = "*"
OTHER = "\x01"  # stands for every character that no pattern names literally
VARIABLE = re.compile(r"\$\{[^}]*\}")

# What a Ref or Fn::GetAtt stands for, by the referenced resource's type (AWS's "Return values").
_S = SEGMENT
REF_BY_TYPE: dict[str, str] = {
    "AWS::SNS::Topic": f"arn:{_S}:sns:{_S}:{_S}:{_S}",
    "AWS::KMS::Key": _S,
    "AWS::Logs::LogGroup": _S,
    "AWS::IAM::Role": _S,
    "AWS::Lambda::Function": _S,
    "AWS::CloudFormation::Parameter": _S,
}
GETATT_BY_TYPE: dict[tuple[str, str], str] = {
    ("AWS::SNS::Topic", "TopicArn"): f"arn:{_S}:sns:{_S}:{_S}:{_S}",
    ("AWS::KMS::Key", "Arn"): f"arn:{_S}:kms:{_S}:{_S}:key/{_S}",
    ("AWS::Logs::LogGroup", "Arn"): f"arn:{_S}:logs:{_S}:{_S}:log-group:{_S}:*",
    ("AWS::IAM::Role", "Arn"): f"arn:{_S}:iam::{_S}:role/{_S}",
    ("AWS::Lambda::Function", "Arn"): f"arn:{_S}:lambda:{_S}:{_S}:function:{_S}",
}
PSEUDO: dict[str, str] = {
    "AWS::Partition": _S,
    "AWS::Region": _S,
    "AWS::AccountId": _S,
    "AWS::URLSuffix": _S,
    "AWS::StackName": _S,
    "AWS::StackId": f"arn:{_S}:cloudformation:{_S}:{_S}:stack/{_S}/{_S}",
}


class UnknownTokenError(ValueError):
    """A template value the resolver cannot turn into a pattern: teach it, do not guess."""


def from_reference(arn_format: str) -> str:
    """The pattern of a reference ARN format: each `${Variable}` one SEGMENT."""
    return VARIABLE.sub(SEGMENT, arn_format)


def from_template(value: Any, resources: dict[str, Any]) -> str:
    """The pattern of a template value: a string, or Ref / Fn::GetAtt / Fn::Join of them."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Fn::Join" and isinstance(argument[0], str):
            return argument[0].join(from_template(part, resources) for part in argument[1])
        if function == "Ref":
            return _ref(argument, resources)
        if function == "Fn::GetAtt":
            logical_id, attribute = argument
            key = (_type_of(logical_id, resources), attribute)
            if key in GETATT_BY_TYPE:
                return GETATT_BY_TYPE[key]
    raise UnknownTokenError(f"no pattern for {value!r}: add it to tests/iam/arns.py")


def _ref(name: str, resources: dict[str, Any]) -> str:
    if name in PSEUDO:
        return PSEUDO[name]
    found = REF_BY_TYPE.get(_type_of(name, resources))
    if found is None:
        raise UnknownTokenError(f"no pattern for Ref {name!r}: add its type to tests/iam/arns.py")
    return found


def _type_of(logical_id: str, resources: dict[str, Any]) -> str:
    if logical_id not in resources:
        raise UnknownTokenError(f"{logical_id!r} is not in the template")
    kind: str = resources[logical_id]["Type"]
    return kind


def overlaps(first: str, second: str) -> bool:
    """Whether some string matches both patterns (each of literals, SEGMENT and ANY)."""
    symbols = set(first) | set(second) | {":", "/", OTHER}
    symbols -= {SEGMENT, ANY}
    one, two = _Nfa(first), _Nfa(second)
    start = {(a, b) for a in one.closure({0}) for b in two.closure({0})}
    seen, todo = set(start), list(start)
    while todo:
        a, b = todo.pop()
        if a == one.final and b == two.final:
            return True
        for symbol in symbols:
            for pair in {
                (x, y) for x in one.step({a}, symbol) for y in two.step({b}, symbol)
            } - seen:
                seen.add(pair)
                todo.append(pair)
    return False


class _Nfa:
    """A pattern as an automaton: state k is "the first k atoms matched"."""

    def __init__(self, pattern: str) -> None:
        self.atoms = pattern
        self.final = len(pattern)

    def closure(self, states: set[int]) -> set[int]:
        """The states reachable without reading: past each ANY (which may match nothing)."""
        found = set(states)
        for state in sorted(states):
            while state < self.final and self.atoms[state] == ANY:
                state += 1
                found.add(state)
        return found

    def step(self, states: set[int], symbol: str) -> set[int]:
        """The states after reading `symbol` from any of `states`."""
        after: set[int] = set()
        for state in self.closure(states):
            if state > 0 and self._loops(self.atoms[state - 1], symbol):
                after.add(state)
            if state < self.final and self._matches(self.atoms[state], symbol):
                after.add(state + 1)
        return self.closure(after)

    @staticmethod
    def _matches(atom: str, symbol: str) -> bool:
        if atom == ANY:
            return False  # ANY is read by its loop, entered through closure
        if atom == SEGMENT:
            return symbol not in ":/"
        return atom == symbol

    @staticmethod
    def _loops(atom: str, symbol: str) -> bool:
        return (atom == SEGMENT and symbol not in ":/") or atom == ANY
