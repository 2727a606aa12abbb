"""`make local`: deploy the app on the local engine, watch the chat reach the topic, destroy it.

Everything runs through the real, pinned `cdk` CLI, and everything started here is stopped here.
Prints the steps as they happen and a timeline at the end; exits 1 if a step misbehaves.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from local.cdk import CdkRun, CdkTimeoutError, cdk, outputs
from local.chat import Chat
from local.engine import EngineError
from local.session import Session, running_session
from local.subscriber import Subscriber
from local.world import ACCOUNT, CONTACT_ID, INSTANCE_ID, REGION, STACK_NAME

MESSAGES = 4
MESSAGE_TIMEOUT_S = 15.0
QUIET_S = 3.0


class DemoError(Exception):
    """A step did not do what it should."""


class Timeline:
    """Seconds since the start, and what happened then."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.steps: list[tuple[float, str]] = []

    def mark(self, text: str) -> None:
        """Record and print one step."""
        at = time.monotonic() - self.start
        self.steps.append((at, text))
        print(f"[{at:6.1f} s] {text}", flush=True)

    def print(self) -> None:
        """Print the whole timeline."""
        print("\nTimeline")
        for at, text in self.steps:
            print(f"{at:7.1f} s  {text}")


def checked(run: CdkRun) -> CdkRun:
    """Fail the demo when a CLI call failed, with the end of its output."""
    if run.returncode != 0:
        tail = run.output[-3000:]
        raise DemoError(f"cdk {run.args[0]} exited {run.returncode}:\n{tail}")
    return run


def deploy_args(outputs_file: Path) -> list[str]:
    """`cdk deploy` of the app, unchanged, with the local instance and chat contact."""
    return [
        "deploy",
        STACK_NAME,
        "--require-approval",
        "never",
        "--parameters",
        f"InstanceId={INSTANCE_ID}",
        "--parameters",
        f"ContactId={CONTACT_ID}",
        "--outputs-file",
        str(outputs_file),
    ]


def play(session: Session, folder: Path, timeline: Timeline) -> None:
    """Bootstrap, deploy, watch messages, destroy, watch the silence."""
    env = session.settings.client_env()
    chat = Chat(session.connect, session.participant_client(), INSTANCE_ID, CONTACT_ID).start()
    subscriber = Subscriber(session.client("sns")).start()
    try:
        timeline.mark(
            f"chat contact {CONTACT_ID} active in the local Connect: customer and agent chatting"
        )
        checked(cdk(["bootstrap", f"aws://{ACCOUNT}/{REGION}"], env))
        timeline.mark("cdk bootstrap done")
        outputs_file = folder / "outputs.json"
        run = checked(cdk(deploy_args(outputs_file), env))
        stack_outputs = outputs(outputs_file, STACK_NAME)
        timeline.mark(f"cdk deploy done ({run.seconds:.1f} s, synth included); outputs:")
        for name, value in stack_outputs.items():
            print(f"           {STACK_NAME}.{name} = {value}")
        streams = session.connect.active_streams()
        if [s.streaming_id for s in streams] != [stack_outputs["StreamingId"]]:
            raise DemoError(f"expected the output's stream running, found {streams}")
        subscriber.subscribe(stack_outputs["TopicArn"])
        timeline.mark("demo subscriber confirmed on the topic")
        got = subscriber.wait_for(MESSAGES, MESSAGE_TIMEOUT_S)
        if len(got) < MESSAGES:
            raise DemoError(f"{len(got)} messages on the topic after {MESSAGE_TIMEOUT_S:.0f} s")
        for item in sorted((m.item for m in got), key=lambda i: i["AbsoluteTime"])[:MESSAGES]:
            print(f"           {item['ParticipantRole']:<9}{item['Content']}")
        timeline.mark(f"{len(got)} chat messages received on the topic")
        before = len(session.connect.calls_of("StopContactStreaming"))
        run = checked(cdk(["destroy", STACK_NAME, "--force"], env))
        stopped = session.connect.calls_of("StopContactStreaming")[before:]
        timeline.mark(
            f"cdk destroy done ({run.seconds:.1f} s): StopContactStreaming "
            f"{', '.join(str(c.status) for c in stopped)}"
        )
        if session.connect.active_streams():
            raise DemoError(f"streams still running: {session.connect.active_streams()}")
        published, received = chat.count(), len(subscriber.messages())
        time.sleep(QUIET_S)
        later = chat.count() - published, len(subscriber.messages()) - received
        if later != (0, 0):
            raise DemoError(f"after destroy: {later[0]} published, {later[1]} received")
        timeline.mark(f"in {QUIET_S:.0f} s after destroy: 0 published, 0 received; chat goes on")
    finally:
        chat.stop()
        subscriber.stop()


def main() -> int:
    """Run the demo in a temporary folder; 0 when every step behaved."""
    timeline = Timeline()
    folder = Path(tempfile.mkdtemp(prefix="contact-streaming-local-"))
    failure = ""
    try:
        with running_session(folder) as session:
            timeline.mark(
                f"engine ready: ministack at {session.settings.url} (PID {session.engine.pid}), "
                f"local Connect at {session.connect.url} (participant service at "
                f"{session.participant_url}); preflight passed"
            )
            play(session, folder, timeline)
    except (DemoError, EngineError, CdkTimeoutError, TimeoutError) as error:
        failure = str(error)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    timeline.mark("engine, local Connect and subscriber stopped")
    timeline.print()
    if failure:
        print(f"\nLOCAL DEMO FAILED: {failure}")
        return 1
    print("\nThe app deployed, streamed the chat to its topic, and destroy stopped it.")
    return 0
