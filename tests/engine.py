"""One local engine and one local Connect for every test that needs them, bootstrapped once.

tests/conftest.py registers this module as a plugin, so its fixtures reach every folder. A test
that uses `session` or `cli` (directly or through another fixture) is marked `engine` and, under
pytest-xdist's `--dist loadgroup`, runs in the one worker that holds the engine.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.cdk import CdkRun, cdk
from local.session import Session, running_session
from local.world import ACCOUNT, REGION


@pytest.fixture(scope="session")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """The engine and the local Connect, checked by the preflight; stopped after the session."""
    with running_session(tmp_path_factory.mktemp("engine")) as running:
        yield running


@dataclass
class Cli:
    """The `cdk` CLI against the session's engine."""

    session: Session
    folder: Path

    def run(self, *args: str) -> CdkRun:
        """Any cdk command."""
        return cdk(list(args), self.session.settings.client_env())

    def deploy(
        self, assembly: Path, stack: str, **parameters: str
    ) -> tuple[CdkRun, dict[str, str]]:
        """`cdk deploy` of one stack of an assembly; the run and the outputs it wrote."""
        outputs = self.folder / f"{uuid.uuid4().hex}.json"
        args = ["deploy", stack, "--app", str(assembly), "--require-approval", "never"]
        for name, value in parameters.items():
            args += ["--parameters", f"{name}={value}"]
        run = self.run(*args, "--outputs-file", str(outputs))
        written = json.loads(outputs.read_text()) if outputs.exists() else {}
        return run, written.get(stack, {})

    def destroy(self, assembly: Path, stack: str) -> CdkRun:
        """`cdk destroy --force` of one stack of an assembly."""
        return self.run("destroy", stack, "--app", str(assembly), "--force")

    def stack_status(self, stack: str) -> str:
        """The stack's status, or "GONE" when the engine has no such stack."""
        cloudformation = self.session.client("cloudformation")
        try:
            found = cloudformation.describe_stacks(StackName=stack)["Stacks"]
        except cloudformation.exceptions.ClientError as error:
            if "does not exist" in str(error):
                return "GONE"
            raise
        return str(found[0]["StackStatus"])

    def remove(self, stack: str, timeout_s: float = 60.0) -> None:
        """Delete a stack without the CLI (clean-up, not under test); wait until it is gone."""
        if self.stack_status(stack) == "GONE":
            return
        self.session.client("cloudformation").delete_stack(StackName=stack)
        deadline = time.monotonic() + timeout_s
        while self.stack_status(stack) != "GONE":
            assert time.monotonic() < deadline, f"{stack} not deleted in {timeout_s:.0f} s"
            time.sleep(0.5)

    def outputs(self, stack: str) -> dict[str, str]:
        """The stack's outputs as the engine reports them."""
        cloudformation = self.session.client("cloudformation")
        (found,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
        return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}

    def events(self, stack: str) -> list[dict[str, Any]]:
        """The stack's events, newest first."""
        cloudformation = self.session.client("cloudformation")
        found: list[dict[str, Any]] = cloudformation.describe_stack_events(StackName=stack)[
            "StackEvents"
        ]
        return found


@pytest.fixture(scope="session")
def cli(session: Session, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The CLI, after `cdk bootstrap` of the local account.

    Bootstrap locks its output folder for writing (cdk.out, in the repository, unless told): each
    engine's worker bootstraps into a folder of its own, beside the other's deploys.
    """
    tool = Cli(session, tmp_path_factory.mktemp("cli"))
    output = tool.folder / "bootstrap.out"
    run = tool.run("bootstrap", f"aws://{ACCOUNT}/{REGION}", "--output", str(output))
    assert run.returncode == 0, run.output[-3000:]
    return tool
