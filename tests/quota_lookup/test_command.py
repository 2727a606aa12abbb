"""The command end to end: the engine's STS for the account, a local Service Quotas, a stack."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_cdk import App, Environment, Stack

from contact_streaming import ContactStreaming
from local.session import Session
from local.world import ACCOUNT, CREDENTIALS, REGION
from standins.servicequotas import START_QUOTA, ServiceQuotasStandIn
from tests.conftest import ROOT

KEY = f"contact-streaming:connect-quotas:account={ACCOUNT}:region={REGION}"


@pytest.fixture
def engine_quotas() -> Iterator[ServiceQuotasStandIn]:
    """A local Service Quotas that takes the engine's credentials."""
    stand_in = ServiceQuotasStandIn(REGION, ACCOUNT, CREDENTIALS).start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def run_command(session: Session, quotas: ServiceQuotasStandIn, context: Path) -> str:
    """`python -m contact_streaming.quota_lookup` with the SDK's standard settings only."""
    env = {
        "PATH": f"{ROOT / 'node_modules' / '.bin'}:/usr/bin:/bin",
        "HOME": str(context.parent),
        **session.settings.client_env(),
        "AWS_ENDPOINT_URL_SERVICE_QUOTAS": quotas.url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "contact_streaming.quota_lookup", "--context-file", str(context)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_command_writes_applied_start_and_default_stop_a_stack_then_reads(
    session: Session, engine_quotas: ServiceQuotasStandIn, tmp_path: Path
) -> None:
    engine_quotas.apply(START_QUOTA, 12.5)
    context = tmp_path / "cdk.context.json"
    context.write_text(json.dumps({"acknowledged-issue-numbers": [1]}))

    out = run_command(session, engine_quotas, context)

    assert f"account {ACCOUNT} in {REGION}" in out
    assert "StartContactStreaming (L-93412F17): 12.5/s (applied)" in out
    assert "StopContactStreaming (L-2FC23A76): 5/s (AWS default)" in out
    written = json.loads(context.read_text())
    assert written == {
        "acknowledged-issue-numbers": [1],
        KEY: {"startPerSecond": 12.5, "stopPerSecond": 5.0},
    }
    stack = Stack(App(context=written), "Quotas", env=Environment(account=ACCOUNT, region=REGION))
    ContactStreaming(
        stack,
        "Stream",
        contact_id="contact-1",
        instance_id="11111111-2222-3333-4444-555555555555",
        streaming_endpoint_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:streaming",
    )
    template = stack.node.root.synth().get_stack_by_name("Quotas").template  # type: ignore[attr-defined]
    (function,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    ]
    variables = function["Properties"]["Environment"]["Variables"]
    assert (variables["PACE_START_PER_SECOND"], variables["PACE_STOP_PER_SECOND"]) == ("5", "2")
