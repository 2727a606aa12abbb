"""The pinned `cdk` CLI (node_modules/.bin/cdk), run against the engine with a bound on its time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from local.world import CDK, ROOT

# Each call is bounded: a deploy here takes seconds; one that does not finish is a fault.
TIMEOUT_S = 240.0


class CdkTimeoutError(Exception):
    """The CLI did not finish in time (and was stopped)."""


@dataclass(frozen=True)
class CdkRun:
    """What one CLI call did."""

    args: tuple[str, ...]
    returncode: int
    output: str
    seconds: float


def cli_env(client_env: dict[str, str]) -> dict[str, str]:
    """The caller's environment, pointed at the engine, with no AWS profile or telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(client_env)
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return env


def cdk(
    args: list[str], client_env: dict[str, str], timeout_s: float = TIMEOUT_S, echo: bool = False
) -> CdkRun:
    """Run `cdk <args> --no-notices` from the repository root; stop it after `timeout_s`."""
    command = [str(CDK), *args, "--no-notices"]
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - the pinned CLI
        command,
        cwd=ROOT,
        env=cli_env(client_env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate(timeout=10)
        raise CdkTimeoutError(
            f"cdk {' '.join(args)} did not finish within {timeout_s:.0f} s: {output[-2000:]}"
        ) from error
    if echo:
        print(output, end="")
    return CdkRun(tuple(args), process.returncode, output, time.monotonic() - started)


def outputs(path: Path, stack_name: str) -> dict[str, str]:
    """The stack outputs `cdk deploy --outputs-file` wrote."""
    written: dict[str, dict[str, str]] = json.loads(path.read_text())
    return written[stack_name]
