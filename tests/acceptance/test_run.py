"""The whole acceptance scenario on the local engine and the local Connect (make acceptance).

One run (module fixture), then what it printed, what the local Connect saw of its chat, what it
left behind (nothing) and where its tokens went (nowhere).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.session import Session
from local.world import INSTANCE_ID
from standins.chat import JOINED, MESSAGE
from tests.acceptance.conftest import (
    FLOW_FUNCTION_ARN,
    Finished,
    Runner,
    Watcher,
    create_streaming_flow,
    files_holding,
    make_runner,
)
from tests.engine import Cli

K = 3
AFTER = 2
STEPS = (
    "preflight passed",
    r"cdk deploy ContactStreamingAcceptanceConsumer-\w+ done",
    "StartChatContact: chat contact",
    r"cdk deploy ContactStreamingAcceptance-\w+ done .*StreamingId",
    "CreateParticipantConnection: the customer is connected",
    f"SendMessage x {K}: sent",
    f"{K} of {K} messages on the queue, in order",
    r"cdk destroy ContactStreamingAcceptance-\w+ done .*log group deleted",
    f"SendMessage x {AFTER} after destroy: 0 on the queue",
    "DisconnectParticipant: the customer left, the chat ended",
    r"cdk destroy ContactStreamingAcceptanceConsumer-\w+ done",
    r"cdk deploy ContactStreamingAcceptanceFlow-\w+ done .*function arn:aws:lambda:.*Flow",
    "StartChatContact on the streaming flow: chat contact",
    "CreateParticipantConnection: the flow chat's customer is connected",
    f"{K} of {K} flow chat messages on the queue, in order, streamed by the flow's function",
    "DisconnectParticipant: the flow's chat ended",
    r"cdk destroy ContactStreamingAcceptanceFlow-\w+ done",
)


@dataclass(frozen=True)
class Played:
    """A finished run, its runner and identifiers."""

    finished: Finished
    runner: Runner
    contact_id: str
    flow_contact_id: str
    run_id: str
    watcher: Watcher
    others_before: dict[str, tuple[str, str]]


@pytest.fixture(scope="module")
def played(session: Session, cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Played:
    """One full run, shared by the tests of this module."""
    runner = make_runner(session, tmp_path_factory.mktemp("acceptance"))
    others_before = stacks_now(session)
    flow_id = create_streaming_flow(session)
    with Watcher(runner.tmp, session.connect.chats.tokens) as watcher:
        finished = runner.run(
            "--messages", str(K), "--after-destroy", str(AFTER), "--streaming-flow-id", flow_id
        )
    contact = re.search(r"chat contact (\S+) started", finished.output)
    flow_contact = re.search(r"on the streaming flow: chat contact (\S+)", finished.output)
    run_id = re.search(r"Acceptance run (\w+):", finished.output)
    assert contact, finished.output
    assert flow_contact, finished.output
    assert run_id, finished.output
    return Played(
        finished,
        runner,
        contact.group(1),
        flow_contact.group(1),
        run_id.group(1),
        watcher,
        others_before,
    )


def stacks_now(session: Session) -> dict[str, tuple[str, str]]:
    """Every stack not deleted: its status and when it last changed."""
    found = session.client("cloudformation").describe_stacks()["Stacks"]
    return {
        s["StackName"]: (s["StackStatus"], str(s.get("LastUpdatedTime", s["CreationTime"])))
        for s in found
    }


def timeline(output: str) -> list[str]:
    """The lines of the printed timeline."""
    return output.split("\nTimeline\n", 1)[1].split("\n\n", 1)[0].splitlines()


def test_acceptance_local_engine_passes_with_every_step_in_its_timeline(played: Played) -> None:
    output = played.finished.output
    assert played.finished.returncode == 0, output
    assert "PASSED" in output
    lines = timeline(output)
    positions = [next(i for i, line in enumerate(lines) if re.search(step, line)) for step in STEPS]
    assert positions == sorted(positions), lines
    assert re.search(r"\n\s+2  Connect StartChatContact\n", output)
    assert re.search(rf"\n\s+{2 * K + AFTER}  ConnectParticipant SendMessage\n", output)


def test_acceptance_local_connect_streamed_the_chat_until_destroy(
    session: Session, played: Played
) -> None:
    items = session.connect.chats.published_to(played.contact_id)
    kinds = [
        (p.item["Type"], p.item["ContentType"], p.attributes["ParticipantRole"]) for p in items
    ]
    assert kinds == [("EVENT", JOINED, "CUSTOMER")] + [(MESSAGE, "text/plain", "CUSTOMER")] * K
    contents = [p.item.get("Content", "") for p in items[1:]]
    assert all(f"message {i} of {K}" in c for i, c in enumerate(contents, 1))
    streams = [s for s in session.connect.streams.values() if s.contact_id == played.contact_id]
    assert [s.state for s in streams] == ["STOPPED"]
    assert {p.topic_arn for p in items} == {streams[0].endpoint_arn}
    chat = session.connect.chats.contact_of(played.contact_id)
    assert chat is not None
    assert chat.ended


def test_acceptance_flow_chat_streamed_by_flow_function_then_disassociated(
    session: Session, played: Played
) -> None:
    (invocation,) = session.connect.flows.invocations_of(played.flow_contact_id)
    # On a failure, each attempt's time and error, and what a timed-out attempt got in the end.
    seen = (invocation, session.connect.flows.late_of(played.flow_contact_id))
    assert (invocation.function_arn, invocation.outcome) == (FLOW_FUNCTION_ARN, "Success"), seen
    assert invocation.response["streaming"] == "started"
    (stream,) = [
        s for s in session.connect.streams.values() if s.contact_id == played.flow_contact_id
    ]
    assert stream.streaming_id == invocation.response["streamingId"]
    assert stream.state == "STOPPED"  # the chat ended, and its stream with it
    items = session.connect.chats.published_to(played.flow_contact_id)
    assert [p.item.get("Content", "") for p in items if p.item["Type"] == MESSAGE] == [
        f"acceptance {played.run_id}: flow message {i} of {K}" for i in range(1, K + 1)
    ]
    assert FLOW_FUNCTION_ARN not in session.connect.flows.associated(INSTANCE_ID)


def test_acceptance_run_leaves_no_stack_queue_topic_log_group_or_file(
    session: Session, played: Played
) -> None:
    run_id = played.run_id
    stacks = session.client("cloudformation").list_stacks()["StackSummaries"]
    assert [
        s["StackName"]
        for s in stacks
        if run_id in s["StackName"] and s["StackStatus"] != "DELETE_COMPLETE"
    ] == []
    queues = session.client("sqs").list_queues().get("QueueUrls", [])
    assert [q for q in queues if run_id in q] == []
    topics = session.client("sns").list_topics()["Topics"]
    assert [t for t in topics if run_id in t["TopicArn"]] == []
    groups = session.client("logs").describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups if run_id in g["logGroupName"]] == []
    assert list((played.runner.tmp / "tmp").iterdir()) == []


def test_acceptance_run_touches_no_stack_it_did_not_create(
    session: Session, played: Played
) -> None:
    assert "CDKToolkit" in played.others_before
    assert stacks_now(session) == played.others_before


def test_acceptance_tokens_never_printed_logged_or_written(
    session: Session, played: Played
) -> None:
    chat = session.connect.chats.contact_of(played.contact_id)
    assert chat is not None
    (customer,) = chat.participants
    tokens = [customer.participant_token, customer.connection_token]
    assert all(token.startswith(("participant-", "connection-")) for token in tokens)
    assert [t for t in tokens if t in played.finished.output] == []
    # What the run wrote while it ran (its cdk.out folders, outputs files), scanned every second.
    assert played.watcher.scans >= 10
    assert played.watcher.hits == set()
    # What reached the engine (templates, parameters, its log).
    assert files_holding(session.settings.folder, tokens) == []


def test_files_holding_finds_a_secret_written_in_a_nested_file(tmp_path: Path) -> None:
    (tmp_path / "cdk.out").mkdir()
    (tmp_path / "cdk.out" / "outputs.json").write_text('{"x": "participant-abc"}')
    assert files_holding(tmp_path, ["participant-abc"]) == [
        str(tmp_path / "cdk.out" / "outputs.json")
    ]
    assert files_holding(tmp_path, ["connection-xyz"]) == []


def test_files_holding_folder_deleted_while_looking_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cdk.out" / "asset").mkdir(parents=True)
    (tmp_path / "cdk.out" / "outputs.json").write_text('{"x": "participant-abc"}')
    gone = tmp_path / "cdk.out" / "asset"
    listing = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path) == gone:  # listed in its parent, deleted before it is listed itself
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert files_holding(tmp_path, ["participant-abc"]) == [
        str(tmp_path / "cdk.out" / "outputs.json")
    ]
