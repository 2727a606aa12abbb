"""The app's life through the cdk CLI on the local engine: deploy, move the stream, destroy.

The steps share one deployed stack (module fixture), in file order; each also works alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from local.chat import Chat
from local.session import Session
from local.subscriber import Subscriber
from local.world import INSTANCE_ID
from tests.e2e.conftest import APP_STACK, running, streams_of
from tests.engine import Cli


@dataclass
class Deployed:
    """The app stack as first deployed, and the chats of its contacts (by ContactId)."""

    contact_id: str
    outputs: dict[str, str]
    chats: dict[str, Chat]

    def new_chat(self, session: Session, interval_s: float = 0.0) -> Chat:
        """A fresh chat (customer and agent connected), chatting when `interval_s` is given."""
        chat = Chat(
            session.connect,
            session.participant_client(),
            INSTANCE_ID,
            str(uuid.uuid4()),
            interval_s or 3600.0,
        ).start()
        self.chats[chat.contact_id] = chat
        return chat


@pytest.fixture(scope="module")
def deployed(session: Session, cli: Cli, app_assembly: Path) -> Iterator[Deployed]:
    """The app deployed on a fresh chat contact (destroyed at the end if still there)."""
    state = Deployed("", {}, {})
    chat = state.new_chat(session, interval_s=0.2)
    run, outputs = cli.deploy(
        app_assembly, APP_STACK, InstanceId=INSTANCE_ID, ContactId=chat.contact_id
    )
    assert run.returncode == 0, run.output[-3000:]
    state.contact_id, state.outputs = chat.contact_id, outputs
    try:
        yield state
    finally:
        for each in state.chats.values():
            each.stop()
        if cli.stack_status(APP_STACK) != "GONE":
            cli.destroy(app_assembly, APP_STACK)


def test_deploy_app_outputs_running_stream_and_chat_reaches_topic(
    session: Session, cli: Cli, deployed: Deployed
) -> None:
    assert cli.stack_status(APP_STACK) == "CREATE_COMPLETE"
    (stream,) = streams_of(session, deployed.contact_id)
    assert stream.streaming_id == deployed.outputs["StreamingId"]
    assert stream.endpoint_arn == deployed.outputs["TopicArn"]
    subscriber = Subscriber(session.client("sns")).start()
    try:
        subscriber.subscribe(deployed.outputs["TopicArn"])
        received = subscriber.wait_for(3, timeout_s=15)
    finally:
        subscriber.stop()
    assert len(received) >= 3
    assert {m.attributes["ContactId"] for m in received} == {deployed.contact_id}
    assert all(m.item["Type"] == "MESSAGE" and m.item["Content"] for m in received)


def test_update_other_contact_starts_new_stream_and_stops_old_at_cleanup(
    session: Session,
    cli: Cli,
    app_assembly: Path,
    deployed: Deployed,
) -> None:
    (old,) = running(session, deployed.contact_id)
    moved_to = deployed.new_chat(session).contact_id
    run, outputs = cli.deploy(app_assembly, APP_STACK, InstanceId=INSTANCE_ID, ContactId=moved_to)
    assert run.returncode == 0, run.output[-3000:]
    (new,) = streams_of(session, moved_to)
    assert outputs["StreamingId"] == new.streaming_id != old.streaming_id
    assert new.state == "ACTIVE"
    assert old.state == "STOPPED"
    stops = [c.body["StreamingId"] for c in session.connect.calls_of("StopContactStreaming")]
    assert stops.count(old.streaming_id) == 1
    assert cli.stack_status(APP_STACK) == "UPDATE_COMPLETE"


def test_destroy_app_stops_stream_deletes_stack_and_chat_stops_reaching_topic(
    session: Session, cli: Cli, app_assembly: Path, deployed: Deployed
) -> None:
    streaming_id = cli.outputs(APP_STACK)["StreamingId"]
    (stream,) = [s for s in session.connect.active_streams() if s.streaming_id == streaming_id]
    chat = deployed.chats[stream.contact_id]
    assert len(chat.say("CUSTOMER", "Still streaming?")) == 1
    run = cli.destroy(app_assembly, APP_STACK)
    assert run.returncode == 0, run.output[-3000:]
    assert cli.stack_status(APP_STACK) == "GONE"
    assert stream.state == "STOPPED"
    assert chat.say("CUSTOMER", "Anyone there?") == []
    assert chat.failures == []
