"""Clean-up logic of the acceptance run, with fakes (no engine, no CLI)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

from acceptance import cdk
from acceptance.report import Report
from acceptance.scenario import Clients, Options, Run, StepError
from acceptance.signals import held


def new_run(**clients: Any) -> Run:
    """A run whose clients are `clients` (None for the rest), printing into a buffer."""
    names = ("session", "sts", "cloudformation", "ssm", "connect", "participant", "sqs", "logs")
    made = Clients(*(clients.get(name) for name in names))
    return Run(Options("instance", "flow", "r1"), made, Report(io.StringIO()))


def test_clean_step_raising_any_error_runs_the_remaining_steps() -> None:
    run = new_run()
    done: list[str] = []

    def fails(error: Exception) -> None:
        raise error

    run.undo = [
        ("delete stack consumer", lambda: done.append("consumer")),
        ("end the chat", lambda: fails(KeyError("ConnectionToken"))),
        ("delete stack app", lambda: fails(ValueError("no such log group"))),
        ("delete file", lambda: fails(OSError("disk"))),
        ("delete stack other", lambda: fails(StepError("other is DELETE_FAILED"))),
    ]
    left = run.clean()
    assert done == ["consumer"]
    assert left == [
        "delete stack other: other is DELETE_FAILED",
        "delete file: OSError: disk",
        "delete stack app: ValueError: no such log group",
        "end the chat: KeyError: 'ConnectionToken'",
    ]
    assert run.undo == []
    assert not run.folder.exists()


class FakeConnect:
    """StartChatContact's answer, with the tokens Connect gives; Ctrl-C pressed as it answers."""

    def __init__(self) -> None:
        self.answered = False

    def start_chat_contact(self, **_: Any) -> dict[str, str]:
        self.answered = True
        os.kill(os.getpid(), signal.SIGINT)
        return {"ContactId": "c-1", "ParticipantId": "p-1", "ParticipantToken": "pt-secret"}


class FakeParticipant:
    """The customer's side: connects with the participant token, disconnects with its own."""

    def __init__(self) -> None:
        self.disconnected: list[str] = []

    def create_participant_connection(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["ParticipantToken"] == "pt-secret"
        return {"ConnectionCredentials": {"ConnectionToken": "ct-secret"}}

    def disconnect_participant(self, ConnectionToken: str) -> None:  # noqa: N803 - boto3's name
        self.disconnected.append(ConnectionToken)


@pytest.fixture
def ctrl_c_interrupts() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in the run (even if pytest inherited it ignored)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("ctrl_c_interrupts")
def test_start_chat_interrupted_while_connect_answers_clean_ends_the_chat() -> None:
    connect, participant = FakeConnect(), FakeParticipant()
    run = new_run(connect=connect, participant=participant)
    with pytest.raises(KeyboardInterrupt):
        run.start_chat()
    assert connect.answered
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert run.clean() == []
    assert participant.disconnected == ["ct-secret"]
    out = run.report.out
    assert isinstance(out, io.StringIO)
    assert "secret" not in out.getvalue()


@pytest.mark.usefixtures("ctrl_c_interrupts")
def test_start_flow_chat_interrupted_while_connect_answers_clean_ends_that_chat() -> None:
    connect, participant = FakeConnect(), FakeParticipant()
    run = new_run(connect=connect, participant=participant)
    with pytest.raises(KeyboardInterrupt):
        run.start_flow_chat()
    assert connect.answered
    assert run.flow_chat.contact_id == "c-1"
    assert run.chat.contact_id == ""
    assert run.clean() == []
    assert participant.disconnected == ["ct-secret"]
    out = run.report.out
    assert isinstance(out, io.StringIO)
    assert "secret" not in out.getvalue()


class PressedError(Exception):
    """The test's Ctrl-C."""


def press(signum: int, frame: FrameType | None) -> None:
    raise PressedError


STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)"
)


def test_stop_ctrl_c_while_waiting_still_kills_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cdk, "STOP_WAIT_S", 1.0)
    process = subprocess.Popen(
        [sys.executable, "-c", STUBBORN],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    before = signal.signal(signal.SIGINT, press)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
        started = time.monotonic()
        with pytest.raises(PressedError):
            cdk.stop(process)
        assert time.monotonic() - started >= 0.9
        assert process.poll() == -signal.SIGKILL
        assert signal.getsignal(signal.SIGINT) is press
    finally:
        signal.signal(signal.SIGINT, before)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def signalled_in_held_block(steps: list[str]) -> None:
    """SIGINT to this process inside a held block, then one more step in the block."""
    with held():
        os.kill(os.getpid(), signal.SIGINT)
        steps.append("after the signal")


def test_held_signal_in_block_reaches_the_handler_after_it() -> None:
    before = signal.signal(signal.SIGINT, press)
    steps: list[str] = []
    try:
        with pytest.raises(PressedError):
            signalled_in_held_block(steps)
        assert steps == ["after the signal"]
        assert signal.getsignal(signal.SIGINT) is press
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, before)
