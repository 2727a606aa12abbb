"""RemovalPolicy.RETAIN through the cdk CLI on the local engine: destroy leaves it running."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from local.session import Session
from local.world import INSTANCE_ID
from tests.e2e.conftest import running
from tests.e2e.stacks import RETAIN_STACK
from tests.engine import Cli


def test_destroy_retained_stream_stack_gone_stream_still_running(
    session: Session, cli: Cli, test_assembly: Path, new_contact: Callable[[], str]
) -> None:
    contact_id = new_contact()
    run, outputs = cli.deploy(
        test_assembly, RETAIN_STACK, InstanceId=INSTANCE_ID, ContactId=contact_id
    )
    assert run.returncode == 0, run.output[-3000:]
    stops_before = len(session.connect.calls_of("StopContactStreaming"))
    try:
        run = cli.destroy(test_assembly, RETAIN_STACK)
        assert run.returncode == 0, run.output[-3000:]
        assert cli.stack_status(RETAIN_STACK) == "GONE"
        (stream,) = running(session, contact_id)
        assert stream.streaming_id == outputs["StreamingId"]
        assert session.connect.calls_of("StopContactStreaming")[stops_before:] == []
    finally:
        session.connect.end_contact(INSTANCE_ID, contact_id)
