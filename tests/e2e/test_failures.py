"""Deploys that fail, through the cdk CLI on the local engine.

The CLI exits non-zero and says why, the stack rolls back, and no stream is left running that the
stack does not record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from local.session import Session
from local.world import INSTANCE_ID
from tests.e2e.conftest import APP_STACK, running, streams_of
from tests.e2e.stacks import TRIPWIRE_REASON, TRIPWIRE_STACK
from tests.engine import Cli


@pytest.fixture
def app_stack_absent(cli: Cli) -> Iterator[None]:
    """No app stack before the test, none after it."""
    cli.remove(APP_STACK)
    yield
    cli.remove(APP_STACK)


def test_create_unknown_contact_cli_fails_reason_names_contact_stack_rolled_back(
    session: Session, cli: Cli, app_assembly: Path, app_stack_absent: None
) -> None:
    unknown = "00000000-0000-4000-8000-00000000dead"
    run, outputs = cli.deploy(app_assembly, APP_STACK, InstanceId=INSTANCE_ID, ContactId=unknown)
    assert run.returncode != 0
    assert "ResourceNotFoundException" in run.output
    assert f"Contact {unknown} not found" in run.output
    assert outputs == {}
    assert cli.stack_status(APP_STACK) == "ROLLBACK_COMPLETE"
    (failed,) = [e for e in cli.events(APP_STACK) if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed["ResourceType"] == "Custom::ContactStreaming"
    assert "check InstanceId and ContactId" in failed["ResourceStatusReason"]
    assert streams_of(session, unknown) == []
    starts = session.connect.calls_of("StartContactStreaming")
    assert [c.status for c in starts if c.body["ContactId"] == unknown] == [404]


@pytest.fixture
def tripwire_deployed(
    cli: Cli, test_assembly: Path, new_contact: Callable[[], str]
) -> Iterator[tuple[str, dict[str, str]]]:
    """The tripwire stack deployed on a fresh contact (its update does not fail yet)."""
    contact_id = new_contact()
    run, outputs = cli.deploy(
        test_assembly, TRIPWIRE_STACK, InstanceId=INSTANCE_ID, ContactId=contact_id, Fail="false"
    )
    assert run.returncode == 0, run.output[-3000:]
    yield contact_id, outputs
    cli.remove(TRIPWIRE_STACK)


def test_update_replaces_stream_then_other_resource_fails_old_stream_kept_new_stopped(
    session: Session,
    cli: Cli,
    test_assembly: Path,
    tripwire_deployed: tuple[str, dict[str, str]],
    new_contact: Callable[[], str],
) -> None:
    first_contact, first_outputs = tripwire_deployed
    (old,) = running(session, first_contact)
    moved_to = new_contact()
    starts_before = len(session.connect.calls_of("StartContactStreaming"))
    run, _ = cli.deploy(
        test_assembly, TRIPWIRE_STACK, InstanceId=INSTANCE_ID, ContactId=moved_to, Fail="true"
    )
    assert run.returncode != 0
    # The tripwire read its own stack mid-update, as the provider's Lambda may.
    assert f"{TRIPWIRE_REASON} (stack UPDATE_IN_PROGRESS)" in run.output
    assert cli.stack_status(TRIPWIRE_STACK) == "UPDATE_ROLLBACK_COMPLETE"
    # The old stream runs on and stays recorded; the new one was stopped; no third started.
    assert old.state == "ACTIVE"
    assert cli.outputs(TRIPWIRE_STACK)["StreamingId"] == old.streaming_id
    assert first_outputs["StreamingId"] == old.streaming_id
    (new,) = streams_of(session, moved_to)
    assert new.state == "STOPPED"
    starts = session.connect.calls_of("StartContactStreaming")[starts_before:]
    assert [c.body["ContactId"] for c in starts if c.status == 200] == [moved_to]
    assert running(session, first_contact, moved_to) == [old]
