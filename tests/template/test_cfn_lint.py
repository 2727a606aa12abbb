"""cfn-lint (all regions, informational and experimental rules) on every synthesized template."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING

from tests.template.conftest import Synth
from tests.template.lint import lint

if TYPE_CHECKING:
    from cfnlint.rules import Match as LintMatch  # type: ignore[import-untyped]

ANY_PLACE = "*"
# Findings we keep, each by rule id and the resource type it sits on (or anywhere), with why.
ALLOWED = {
    # Informational: CDK renders ARNs built from tokens as Fn::Join with an empty delimiter.
    # Fn::Sub would read better by hand, but the template is generated; the two are equivalent.
    ("I1022", ANY_PLACE): "CDK renders token strings as Fn::Join; equivalent to Fn::Sub",
    # Informational and experimental: asks for a Metadata.com.aws.cloudformation.Context prose
    # block on the template and on each resource. Nothing deploys or checks it; the design
    # notes and docstrings say what each resource is for.
    ("I4010", ANY_PLACE): "optional prose Context metadata; no tool reads it",
    # aws-cdk-lib's lambda.Function makes the function depend on its role and the role's
    # default policy, so it never runs before its permissions exist; the role entry repeats
    # the GetAtt. Not ours to change.
    ("W3005", "AWS::Lambda::Function"): "CDK's own DependsOn on the role it also GetAtts",
    # RemovalPolicy.RETAIN keeps streaming when the stack is destroyed, but a replacing Update
    # (another contact) must still let CloudFormation stop the old stream: no UpdateReplacePolicy.
    ("W3011", "Custom::ContactStreaming"): "RETAIN on delete only; a replaced stream still stops",
}


@cache
def lint_template(template_json: str) -> tuple[LintMatch, ...]:
    """cfn-lint's findings on a template, all regions (each template is linted once per session)."""
    from cfnlint.helpers import REGIONS  # type: ignore[import-untyped]  # imported where it runs

    return tuple(lint(template_json, REGIONS))


def findings(synth: Synth) -> tuple[LintMatch, ...]:
    """cfn-lint's findings on a template, as written to the cloud assembly."""
    return lint_template(json.dumps(synth.raw, sort_keys=True))


def resource_type(synth: Synth, match: LintMatch) -> str:
    """The type of the resource a finding points at ('' when it is not in Resources)."""
    path = match.path or []
    if len(path) < 2 or path[0] != "Resources":
        return ""
    return str(synth.raw["Resources"][path[1]]["Type"])


def describe(synth: Synth, match: LintMatch) -> str:
    return f"{match.rule.id} {resource_type(synth, match)} {match.path}: {match.message}"


def test_cfn_lint_template_no_errors(any_synth: Synth) -> None:
    errors = [m for m in findings(any_synth) if m.rule.id.startswith("E")]
    assert [describe(any_synth, m) for m in errors] == []


def test_cfn_lint_template_only_allowed_warnings_and_infos(any_synth: Synth) -> None:
    unexplained = [
        describe(any_synth, m)
        for m in findings(any_synth)
        if (m.rule.id, resource_type(any_synth, m)) not in ALLOWED
        and (m.rule.id, ANY_PLACE) not in ALLOWED
    ]
    assert unexplained == []


def test_cfn_lint_allowed_w3005_is_only_the_functions_role(app_synth: Synth) -> None:
    # The allow-list must not hide a DependsOn that matters: the one W3005 names the role.
    role_id, _ = app_synth.only("AWS::IAM::Role")
    redundant = sorted(m.message.split("'")[1] for m in findings(app_synth) if m.rule.id == "W3005")
    assert redundant == [role_id]


def test_cfn_lint_broken_template_reports_error(app_synth: Synth) -> None:
    # The linter runs on our templates and can fail them: a bad runtime is an error.
    broken = json.loads(json.dumps(app_synth.raw))
    function_id, _ = app_synth.only("AWS::Lambda::Function")
    broken["Resources"][function_id]["Properties"]["Runtime"] = "python2.0"
    assert any(m.rule.id.startswith("E") for m in lint_template(json.dumps(broken)))
