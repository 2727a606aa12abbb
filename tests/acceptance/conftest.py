"""`python -m acceptance` as a user runs it, pointed at the local engine and the local Connect.

The run gets nothing but the SDK's standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CONNECT,
AWS_ENDPOINT_URL_CONNECTPARTICIPANT, AWS_CA_BUNDLE, credentials and region in the environment):
no back door into the stand-ins.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from acceptance.names import FLOW_FUNCTION_NAME
from local.session import Session
from local.world import ACCOUNT, CONTACT_FLOW_ID, INSTANCE_ID, REGION, ROOT
from tests.engine import Cli

RUN_TIMEOUT_S = 300.0
FLOW_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FLOW_FUNCTION_NAME}"


def create_streaming_flow(session: Session, function_arn: str = FLOW_FUNCTION_ARN) -> str:
    """A published flow, as docs/acceptance.md tells the user to build it: invoke the run's
    function, then queue the chat (errors: disconnect). Created through CreateContactFlow."""
    connect = session.connect_client()
    errors = [{"NextAction": "end", "ErrorType": "NoMatchingError"}]
    actions = [
        {
            "Identifier": "stream",
            "Type": "InvokeLambdaFunction",
            "Parameters": {"LambdaFunctionARN": function_arn, "InvocationTimeLimitSeconds": "8"},
            "Transitions": {"NextAction": "queue", "Errors": errors},
        },
        {
            "Identifier": "queue",
            "Type": "TransferContactToQueue",
            "Parameters": {},
            "Transitions": {"NextAction": "end", "Errors": errors},
        },
        {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}},
    ]
    content = {"Version": "2019-10-30", "StartAction": "stream", "Actions": actions}
    created = connect.create_contact_flow(
        InstanceId=INSTANCE_ID,
        Name="Stream the chat, then queue it",
        Type="CONTACT_FLOW",
        Content=json.dumps(content),
    )
    return str(created["ContactFlowId"])


@dataclass(frozen=True)
class Finished:
    """One finished run: exit status, everything it printed, how long it took."""

    returncode: int
    output: str
    seconds: float


@dataclass
class Runner:
    """Runs `python -m acceptance` with a given environment."""

    env: dict[str, str]
    tmp: Path

    def args(self, *extra: str, instance_id: str = INSTANCE_ID) -> list[str]:
        """The command line: the local instance and flow, short waits, then `extra`."""
        return [
            sys.executable,
            "-m",
            "acceptance",
            "--instance-id",
            instance_id,
            "--contact-flow-id",
            CONTACT_FLOW_ID,
            "--wait",
            "20",
            "--quiet",
            "3",
            *extra,
        ]

    def run(self, *extra: str, instance_id: str = INSTANCE_ID, **env: str) -> Finished:
        """Run to the end (bounded); `env` overrides the environment (an empty value unsets)."""
        merged = {k: v for k, v in {**self.env, **env}.items() if v}
        started = time.monotonic()
        done = subprocess.run(
            self.args(*extra, instance_id=instance_id),
            cwd=ROOT,
            env=merged,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        return Finished(done.returncode, done.stdout + done.stderr, time.monotonic() - started)

    def start(self) -> subprocess.Popen[str]:
        """Start a run in the background (its output on a pipe)."""
        return subprocess.Popen(
            self.args(),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


def files_holding(folder: Path, secrets: list[str]) -> list[str]:
    """The files under `folder` that hold any of `secrets` (files over 4 MB are skipped).

    A run deletes folders while this looks: os.walk passes over a folder gone before it is listed
    (Path.rglob raises FileNotFoundError there), and a file gone before it is read is passed over.
    """
    found = []
    for parent, _, names in os.walk(folder):
        for name in names:
            path = Path(parent, name)
            try:
                if not path.is_file() or path.stat().st_size > 4 << 20:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if any(secret.encode() in data for secret in secrets):
                found.append(str(path))
    return found


@dataclass
class Watcher:
    """Scans a folder every second, while a run writes in it, for the secrets `secrets()` names."""

    folder: Path
    secrets: Callable[[], list[str]]
    hits: set[str] = field(default_factory=set)
    scans: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Watcher:
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        self.scan()

    def watch(self) -> None:
        """Scan until stopped."""
        while not self.stopping.wait(1.0):
            self.scan()

    def scan(self) -> None:
        """One scan."""
        self.hits.update(files_holding(self.folder, self.secrets()))
        self.scans += 1


def make_runner(session: Session, folder: Path) -> Runner:
    """A bare environment, plus the SDK settings for the engine and the local Connect.

    TMPDIR is a folder of its own, so everything the run writes can be searched for tokens; the
    AWS config and credentials files name files that do not exist (no profile can leak in).
    CDK_VALIDATION passes through (tests/conftest.py; the acceptance stacks are validated in
    tests/template/test_cloudformation_validation.py).
    """
    (folder / "tmp").mkdir(parents=True)
    validation = os.environ.get("CDK_VALIDATION")
    env = {
        **({"CDK_VALIDATION": validation} if validation else {}),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "TMPDIR": str(folder / "tmp"),
        "AWS_CONFIG_FILE": str(folder / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-credentials"),
        **session.sdk_env(),
    }
    return Runner(env, folder)


@pytest.fixture
def runner(session: Session, cli: Cli, tmp_path: Path) -> Runner:
    """A runner for one test (`cli`: the local account is bootstrapped, as a user's must be)."""
    return make_runner(session, tmp_path)
