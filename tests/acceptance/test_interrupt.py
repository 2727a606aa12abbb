"""Ctrl-C in the middle of `cdk deploy` of the app: the run deletes everything it created."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time

from local.session import Session
from tests.acceptance.conftest import Runner
from tests.acceptance.test_refusals import acceptance_stacks

LINE_TIMEOUT_S = 120.0


def read_lines(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    """Copy the run's output, line by line, into `lines`."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)


def wait_for(lines: queue.Queue[str], pattern: str, seen: list[str]) -> re.Match[str]:
    """The first line matching `pattern` (every line read is kept in `seen`)."""
    deadline = time.monotonic() + LINE_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(seen)}")


def wait_for_stack(
    session: Session,
    name: str,
    process: subprocess.Popen[str],
    lines: queue.Queue[str],
    seen: list[str],
) -> str:
    """The stack's status as soon as the CLI has created it (the deploy is under way)."""
    cloudformation = session.client("cloudformation")
    deadline = time.monotonic() + LINE_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        while not lines.empty():
            seen.append(lines.get())
        try:
            return str(cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"])
        except cloudformation.exceptions.ClientError:
            time.sleep(0.2)
    raise AssertionError(f"{name} was never created (run exit {process.poll()}):\n{''.join(seen)}")


def test_acceptance_interrupted_during_app_deploy_deletes_stacks_and_ends_chat(
    session: Session, runner: Runner
) -> None:
    before = acceptance_stacks(session)
    process = runner.start()
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_lines, args=(process, lines), daemon=True).start()
    seen: list[str] = []
    try:
        contact_id = wait_for(lines, r"chat contact (\S+) started", seen).group(1)
        app = wait_for(lines, r"cdk deploy (ContactStreamingAcceptance-\w+) \.\.\.", seen)
        status = wait_for_stack(session, app.group(1), process, lines, seen)
        process.send_signal(signal.SIGINT)
        returncode = process.wait(timeout=LINE_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    time.sleep(0.2)
    while not lines.empty():
        seen.append(lines.get())
    output = "".join(seen)
    assert status != "CREATE_COMPLETE", "interrupted too late to test a deploy under way"
    assert returncode == 130, output
    assert "INTERRUPTED" in output
    assert re.search(r"clean-up: delete stack ContactStreamingAcceptance-\w+", output)
    assert re.search(r"clean-up: delete stack ContactStreamingAcceptanceConsumer-\w+", output)
    assert "clean-up: end the chat" in output
    assert "Could not delete" not in output
    assert acceptance_stacks(session) == before
    chat = session.connect.chats.contact_of(contact_id)
    assert chat is not None
    assert chat.ended
    assert session.connect.streams_of(chat.instance_id, contact_id) == []
