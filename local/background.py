"""`make local-up` / `make local-down`: the local session left running in the background.

`up` starts `python -m local serve` as a detached process (the local Connect, its chat and the
engine), waits for it to be ready, bootstraps and deploys the app with the `cdk` CLI, and prints
what to export to use the CLI against it. `down` destroys the stack, then stops the server and
the engine by the PIDs recorded in .local/state.json, and removes .local/.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from local.cdk import CdkTimeoutError, cdk
from local.chat import Chat
from local.demo import DemoError, checked, deploy_args
from local.engine import EngineError, stop_group
from local.session import running_session
from local.world import (
    ACCOUNT,
    CONTACT_FLOW_ID,
    CONTACT_ID,
    INSTANCE_ID,
    OTHER_CONTACT_ID,
    REGION,
    ROOT,
    STACK_NAME,
    STATE,
)

STATE_FILE = STATE / "state.json"
READY_TIMEOUT_S = 60.0


def serve() -> int:
    """Run the session until SIGTERM; record PIDs and what to export in the state file."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        with running_session(STATE) as session:
            participant = session.participant_client()
            chats = [
                Chat(session.connect, participant, INSTANCE_ID, contact).start()
                for contact in (CONTACT_ID, OTHER_CONTACT_ID)
            ]
            state = {
                "serve_pid": os.getpid(),
                "engine_pid": session.engine.pid,
                "connect_url": session.connect.url,
                "env": session.sdk_env(),
            }
            STATE_FILE.write_text(json.dumps(state, indent=2))
            try:
                stopping.wait()
            finally:
                for chat in chats:
                    chat.stop()
    except EngineError as error:
        (STATE / "error.txt").write_text(str(error))
        return 1
    return 0


def read_state() -> dict[str, object] | None:
    """The running session's state, if there is one."""
    try:
        state: dict[str, object] = json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return None
    return state


def wait_ready(process: subprocess.Popen[bytes]) -> dict[str, object]:
    """The state file once the server wrote it; EngineError if it died or took too long."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        state = read_state()
        if state is not None:
            return state
        if process.poll() is not None:
            error = STATE / "error.txt"
            reason = error.read_text() if error.exists() else f"see {STATE / 'serve.log'}"
            raise EngineError(f"the local session did not start: {reason}")
        time.sleep(0.2)
    raise EngineError(f"the local session was not ready in {READY_TIMEOUT_S:.0f} s")


def up() -> int:
    """Start the session in the background, bootstrap and deploy; print what to export."""
    state = read_state()
    if state is not None and alive(int(str(state["serve_pid"]))):
        print(f"A local session is already running ({STATE_FILE}); `make local-down` first.")
        return 1
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir()
    with (STATE / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local", "serve"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        state = wait_ready(process)
        env = exported(state)
        checked(cdk(["bootstrap", f"aws://{ACCOUNT}/{REGION}"], env))
        run = checked(cdk(deploy_args(STATE / "outputs.json"), env))
    except (EngineError, DemoError, CdkTimeoutError) as error:
        print(f"LOCAL UP FAILED: {error}")
        stop_group(process.pid)
        state = read_state()
        if state is not None:
            stop_group(int(str(state["engine_pid"])))
            STATE_FILE.unlink()
        print(f"Stopped what it started; logs in {STATE}")
        return 1
    print(run.output[run.output.find("Outputs:") :].strip())
    print(f"\nThe app is deployed on the local engine (server PID {process.pid}).")
    print("To use the cdk CLI (or the AWS CLI) against it, export:\n")
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")
    print(f"\nThe chat on contact {CONTACT_ID} is streaming to the topic above. To move the")
    print(f"stream to the other active chat: cdk deploy --parameters InstanceId={INSTANCE_ID} \\")
    print(f"  --parameters ContactId={OTHER_CONTACT_ID}")
    print("The acceptance run works against it too (after the exports above):")
    print(f"  make acceptance-aws INSTANCE_ID={INSTANCE_ID} CONTACT_FLOW_ID={CONTACT_FLOW_ID}")
    print("`make local-down` destroys the stack and stops everything.")
    return 0


def down() -> int:
    """Destroy the stack (bounded), stop the server and the engine by PID, remove .local/."""
    state = read_state()
    if state is None:
        print("No local session is running.")
        shutil.rmtree(STATE, ignore_errors=True)
        return 0
    env = exported(state)
    status = 0
    try:
        run = cdk(["destroy", STACK_NAME, "--force"], env)
        print(run.output.strip().splitlines()[-1] if run.output.strip() else "")
        status = 0 if run.returncode == 0 else 1
    except CdkTimeoutError as error:
        print(f"cdk destroy: {error}")
        status = 1
    for name in ("serve_pid", "engine_pid"):
        pid = int(str(state[name]))
        if ours(pid):
            stop_group(pid)
    shutil.rmtree(STATE, ignore_errors=True)
    print(f"Stopped the local session (PIDs {state['serve_pid']}, {state['engine_pid']}).")
    return status


def ours(pid: int) -> bool:
    """Whether `pid` is still a process of the local session (the server or the engine)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"local serve" in command or b"hypercorn" in command


def alive(pid: int) -> bool:
    """Whether a process with this PID exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def exported(state: dict[str, object]) -> dict[str, str]:
    """What the state file says to export for the CLI."""
    env = state["env"]
    assert isinstance(env, dict)
    return {str(name): str(value) for name, value in env.items()}
