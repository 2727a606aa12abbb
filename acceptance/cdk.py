"""The pinned `cdk` CLI, run with the caller's own SDK settings, bounded in time, interruptible.

The CLI runs in a session of its own, so a Ctrl-C reaches the run (which then cleans up), not the
CLI; an interrupted or overdue CLI is stopped with its whole process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from acceptance.signals import held

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"
# On AWS a deploy of the app takes a few minutes; one that takes 30 is a fault.
TIMEOUT_S = 1800.0
STOP_WAIT_S = 10.0


class CdkError(Exception):
    """A CLI run failed or overran; the message ends with the end of its output."""


@dataclass(frozen=True)
class CdkRun:
    """One CLI run."""

    args: tuple[str, ...]
    output: str
    seconds: float


def cli_env() -> dict[str, str]:
    """The caller's environment (its AWS settings untouched), with the pinned Node first."""
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return env


def stop(process: subprocess.Popen[str]) -> None:
    """Stop the CLI and its children: SIGTERM to the group, SIGKILL if it lingers.

    A Ctrl-C meanwhile waits until the CLI is gone (it runs in a session of its own, so an
    interrupted stop would leave it running).
    """
    with held():
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=STOP_WAIT_S)
                return
            except subprocess.TimeoutExpired:
                continue


def cdk(args: list[str], timeout_s: float = TIMEOUT_S) -> CdkRun:
    """Run `cdk <args> --no-notices` from the repository root; CdkError unless it succeeds."""
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - the pinned CLI
        [str(CDK), *args, "--no-notices"],
        cwd=ROOT,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop(process)
        raise CdkError(f"cdk {args[0]} did not finish within {timeout_s:.0f} s") from None
    except BaseException:
        stop(process)
        raise
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise CdkError(f"cdk {' '.join(args[:2])} exited {process.returncode}:\n{output[-3000:]}")
    return CdkRun(tuple(args), output, seconds)
