"""FlowStreaming passes cdk-nag's AwsSolutions pack and cfn-lint, like the other constructs."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.flow.stacks import flow_stack
from tests.template.conftest import Synth, synthesize
from tests.template.lint import lint
from tests.template.test_cdk_nag import findings as nag_findings
from tests.template.test_cdk_nag import nag_app, plugin_reports
from tests.template.test_cfn_lint import ALLOWED, ANY_PLACE, resource_type

ASSOCIATION = "AWS::Connect::IntegrationAssociation"


@cache
def connect_regions() -> tuple[str, ...]:
    """The regions whose CloudFormation has AWS::Connect::IntegrationAssociation (cfn-lint's data).

    Connect runs in some regions only: a template with a Connect resource cannot deploy elsewhere,
    so it is linted (informational and experimental rules too) in the regions that have it.
    """
    import cfnlint  # type: ignore[import-untyped]  # here, as in test_cfn_lint.py

    providers = Path(cfnlint.__file__).parent / "data" / "schemas" / "providers"
    return tuple(
        sorted(
            path.stem for path in providers.glob("*.json") if f'"{ASSOCIATION}"' in path.read_text()
        )
    )


def lint_in_connect_regions(template: dict[str, Any]) -> list[Any]:
    return lint(json.dumps(template, sort_keys=True), connect_regions())


@pytest.fixture(scope="module")
def flow_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("flow-checks"), flow_stack)


def test_flow_cdk_nag_plugin_no_findings(tmp_path: Path) -> None:
    nag_app(tmp_path, flow_stack).synth()
    assert plugin_reports(tmp_path) == []


def test_flow_cdk_nag_no_unacknowledged_findings(flow_synth: Synth) -> None:
    assert nag_findings(flow_synth.app) == []


def test_flow_cfn_lint_only_allowed_findings(flow_synth: Synth) -> None:
    matches = lint_in_connect_regions(flow_synth.raw)
    unexplained = [
        f"{m.rule.id} {resource_type(flow_synth, m)} {m.path}: {m.message}"
        for m in matches
        if (m.rule.id, resource_type(flow_synth, m)) not in ALLOWED
        and (m.rule.id, ANY_PLACE) not in ALLOWED
    ]
    assert unexplained == []
    assert not [m for m in matches if m.rule.id.startswith("E")]


def test_flow_cfn_lint_sees_a_broken_association(flow_synth: Synth) -> None:
    broken = json.loads(json.dumps(flow_synth.raw))
    association_id, _ = flow_synth.only(ASSOCIATION)
    broken["Resources"][association_id]["Properties"]["IntegrationType"] = "LAMBDA"
    assert any(m.rule.id.startswith("E") for m in lint_in_connect_regions(broken))


def test_flow_cfn_lint_regions_are_connects() -> None:
    regions = connect_regions()
    assert {"us-east-1", "eu-west-2", "ap-southeast-2"} <= set(regions)
    assert "ap-east-1" not in regions
