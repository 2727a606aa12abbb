"""tests/template/lint.py finds what cfnlint.api finds, run after run, with either setting."""

from __future__ import annotations

import json
from typing import Any

from tests.template.lint import lint

REGIONS = ["us-east-1", "eu-west-2"]
ROLE_ARN = {"Fn::GetAtt": ["Role", "Arn"]}
# An unknown property (an error), a DependsOn its GetAtt repeats (a warning) and a Fn::Join with
# an empty delimiter (informational).
TEMPLATE = json.dumps(
    {
        "Resources": {
            "Topic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"Unknown": "x", "TopicName": {"Fn::Join": ["", ["a", "b"]]}},
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                },
            },
            "Function": {
                "Type": "AWS::Lambda::Function",
                "DependsOn": ["Role"],
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Code": {"ZipFile": "def handler(event, context): pass"},
                    "Role": ROLE_ARN,
                },
            },
        }
    }
)


def described(matches: list[Any]) -> list[tuple[str, str, str]]:
    """Each finding as (rule id, path, message), sorted."""
    return sorted((m.rule.id, json.dumps(m.path), m.message) for m in matches)


def test_lint_every_rule_finds_what_lint_all_finds_in_its_regions() -> None:
    from cfnlint.api import ManualArgs  # type: ignore[import-untyped]
    from cfnlint.api import lint as api_lint

    every = ManualArgs(include_checks=["I"], include_experimental=True, regions=REGIONS)
    expected = described(api_lint(TEMPLATE, config=every))
    assert {finding[0][0] for finding in expected} == {"E", "W", "I"}
    assert described(lint(TEMPLATE, REGIONS)) == expected
    assert described(lint(TEMPLATE, REGIONS, every_rule=False)) != expected
    assert described(lint(TEMPLATE, REGIONS)) == expected  # the same, after another setting


def test_lint_default_rules_finds_what_lint_finds() -> None:
    from cfnlint.api import lint as api_lint

    expected = described(api_lint(TEMPLATE, regions=REGIONS))
    assert {finding[0][0] for finding in expected} == {"E", "W"}
    assert described(lint(TEMPLATE, REGIONS, every_rule=False)) == expected


def test_lint_unreadable_template_reports_the_parse_error() -> None:
    (match,) = lint("{", REGIONS)
    assert match.rule.id == "E0000"
