"""A local Lambda for one function, invoked asynchronously as CloudFormation invokes a provider.

Each invocation runs in a sandbox (standins/sandbox.py: a separate process, one event at a
time, reused while warm, killed at the function's Timeout). Beyond the function's reserved
concurrency, an event is throttled back into the queue and retried at intervals growing from 1 s
to 5 minutes, as Lambda's async queue does. A function error or timeout is retried
MaximumRetryAttempts times (the function's EventInvokeConfig, default 2), 1 then 2 minutes later.

The service has no thread of its own: its owner calls `step` and `wait` in a loop.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT_CONCURRENCY = 1000  # Lambda's default concurrency per account and region
THROTTLE_FIRST_S = 1.0
THROTTLE_MAX_S = 300.0
DEFAULT_RETRY_ATTEMPTS = 2
RETRY_DELAY_S = 60.0
START_WAIT_S = 120.0
FORK_WAIT_S = 10.0
FORK_BATCH = 32  # fork requests sent before reading their answers (socket buffers stay small)
EXIT_WAIT_S = 5.0


@dataclass(frozen=True)
class Function:
    """What the service needs of a Lambda function's configuration."""

    handler: str
    code_dir: Path
    timeout_s: float
    environment: dict[str, str]
    reserved_concurrency: int | None = None
    retry_attempts: int = DEFAULT_RETRY_ATTEMPTS


@dataclass
class Invocation:
    """One async event in Lambda's queue."""

    event: dict[str, Any]
    ready_at: float
    throttles: int = 0
    errors: int = 0


@dataclass
class Sandbox:
    """A forked sandbox process and the invocation it is running, if any."""

    pid: int
    connection: socket.socket
    reader: IO[bytes]
    running: Invocation | None = None
    deadline: float = 0.0


@dataclass
class LambdaStats:
    """What happened to invocations so far."""

    invocations: int = 0
    throttles: int = 0
    cold_starts: int = 0
    timeouts: int = 0
    errors: int = 0
    peak_concurrency: int = 0
    busy_seconds: float = 0.0
    """Invocation time summed over sandboxes (what Lambda bills, times the memory)."""
    fork_seconds: float = 0.0
    error_lines: list[str] = field(default_factory=list)


class LambdaService:
    """Async invocations of one function: a queue, sandboxes, and reserved concurrency."""

    def __init__(self, function: Function, log_path: Path) -> None:
        self.function = function
        self.log_path = log_path
        self.queue: deque[Invocation] = deque()
        self.idle: list[Sandbox] = []
        self.busy: dict[int, Sandbox] = {}
        self.stats = LambdaStats()
        self.selector = selectors.DefaultSelector()
        self.server: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.control_reader: IO[bytes] | None = None

    # --- life of the fork server -------------------------------------------------------------
    def start(self) -> LambdaService:
        """Start the fork server (it imports the handler) and wait, bounded, until it is ready."""
        # Datagram-like messages: each fork request carries its own file descriptor.
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control, self.control_reader = ours, ours.makefile("rb")
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join([str(self.function.code_dir), str(ROOT)]),
            "PYTHONDONTWRITEBYTECODE": "1",
            **self.function.environment,
        }
        with self.log_path.open("ab") as log:
            self.server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "standins.sandbox",
                    self.function.handler,
                    str(theirs.fileno()),
                ],
                cwd=self.function.code_dir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=(theirs.fileno(),),
            )
        theirs.close()
        line = self.read_control(START_WAIT_S)
        if line != "ready":
            self.close()
            raise RuntimeError(f"the sandbox fork server did not start; see {self.log_path}")
        return self

    def read_control(self, timeout_s: float) -> str:
        """One line from the fork server, or "" if none comes within `timeout_s`."""
        assert self.control is not None
        assert self.control_reader is not None
        self.control.settimeout(timeout_s)
        try:
            return self.control_reader.readline().decode().strip()
        except (TimeoutError, OSError):
            return ""

    def pids(self) -> list[int]:
        """Every process the service started: the fork server and its live sandboxes."""
        sandboxes = [s.pid for s in [*self.idle, *self.busy.values()]]
        return ([self.server.pid] if self.server is not None else []) + sandboxes

    def close(self) -> None:
        """Kill every sandbox and the fork server by PID, close their sockets, wait (bounded)."""
        sandboxes = [*self.idle, *self.busy.values()]
        for sandbox in sandboxes:
            self.kill(sandbox)
        self.idle.clear()
        self.busy.clear()
        if self.control is not None:
            self.control.close()
        if self.server is not None and self.server.poll() is None:
            self.server.kill()
            self.server.wait(timeout=EXIT_WAIT_S)
        self.selector.close()
        deadline = time.monotonic() + EXIT_WAIT_S
        while any(running(s.pid) for s in sandboxes) and time.monotonic() < deadline:
            time.sleep(0.01)

    def kill(self, sandbox: Sandbox) -> None:
        """Stop one sandbox by its PID, then forget it."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(sandbox.pid, signal.SIGKILL)
        self.forget(sandbox)

    def forget(self, sandbox: Sandbox) -> None:
        """Close a sandbox's sockets (one that exited was reaped: its PID may be reused)."""
        if sandbox.connection.fileno() >= 0 and sandbox.running is not None:
            self.selector.unregister(sandbox.connection)
        sandbox.reader.close()
        sandbox.connection.close()

    # --- invocations ---------------------------------------------------------------------------
    def invoke(self, event: dict[str, Any]) -> None:
        """Queue an async invocation (Lambda answers 202 at once)."""
        self.queue.append(Invocation(event, ready_at=time.monotonic()))

    def in_flight(self) -> int:
        """Invocations queued or running."""
        return len(self.queue) + len(self.busy)

    def step(self) -> None:
        """Run queued events that are due, throttling those beyond reserved concurrency."""
        now = time.monotonic()
        limit = self.function.reserved_concurrency
        limit = ACCOUNT_CONCURRENCY if limit is None else limit
        waiting: deque[Invocation] = deque()
        runnable: list[Invocation] = []
        while self.queue:
            invocation = self.queue.popleft()
            if invocation.ready_at > now:
                waiting.append(invocation)
            elif len(self.busy) + len(runnable) >= limit:
                invocation.throttles += 1
                self.stats.throttles += 1
                delay = min(THROTTLE_MAX_S, THROTTLE_FIRST_S * 2 ** (invocation.throttles - 1))
                invocation.ready_at = now + delay
                waiting.append(invocation)
            else:
                runnable.append(invocation)
        self.queue = waiting
        self.fork(len(runnable) - len(self.idle))
        for invocation in runnable:
            self.run(invocation, now)
        for sandbox in [s for s in self.busy.values() if s.deadline <= now]:
            self.stats.timeouts += 1
            self.stats.busy_seconds += self.function.timeout_s
            self.busy.pop(sandbox.pid)
            assert sandbox.running is not None
            self.retry_or_drop(sandbox.running, f"timed out after {self.function.timeout_s} s")
            self.kill(sandbox)

    def run(self, invocation: Invocation, now: float) -> None:
        """Hand an event to an idle sandbox (the most recently used: the warmest)."""
        sandbox = self.idle.pop()
        request = {"event": invocation.event, "timeout_s": self.function.timeout_s}
        sandbox.connection.sendall(json.dumps(request).encode() + b"\n")
        sandbox.running, sandbox.deadline = invocation, now + self.function.timeout_s
        self.busy[sandbox.pid] = sandbox
        self.selector.register(sandbox.connection, selectors.EVENT_READ, sandbox)
        self.stats.invocations += 1
        self.stats.peak_concurrency = max(self.stats.peak_concurrency, len(self.busy))

    def fork(self, count: int) -> None:
        """Add `count` new sandboxes (cold starts) to the idle ones, asking in batches."""
        assert self.control is not None
        started = time.monotonic()
        for first in range(0, max(0, count), FORK_BATCH):
            ends = []
            for _ in range(min(FORK_BATCH, count - first)):
                ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
                socket.send_fds(self.control, [b"f"], [theirs.fileno()])
                theirs.close()
                ends.append(ours)
            for ours in ends:
                line = self.read_control(FORK_WAIT_S)
                if not line.isdigit():
                    raise RuntimeError(f"the fork server did not fork; see {self.log_path}")
                self.idle.insert(0, Sandbox(int(line), ours, ours.makefile("rb")))
                self.stats.cold_starts += 1
        self.stats.fork_seconds += time.monotonic() - started

    def wait(self, timeout_s: float) -> None:
        """Wait up to `timeout_s` for sandboxes to finish; make finished ones idle."""
        if not self.busy:
            time.sleep(timeout_s)
            return
        for key, _events in self.selector.select(timeout=timeout_s):
            sandbox: Sandbox = key.data
            self.selector.unregister(sandbox.connection)
            line = sandbox.reader.readline().decode().strip()
            invocation = sandbox.running
            assert invocation is not None
            self.busy.pop(sandbox.pid)
            sandbox.running = None
            started = sandbox.deadline - self.function.timeout_s
            self.stats.busy_seconds += time.monotonic() - started
            if line == "done":
                self.idle.append(sandbox)
                continue
            self.retry_or_drop(invocation, line or "the sandbox exited")
            if line:
                self.idle.append(sandbox)
            else:
                self.forget(sandbox)

    def retry_or_drop(self, invocation: Invocation, what: str) -> None:
        """A function error: retry it later if attempts are left, as Lambda's async queue does."""
        self.stats.errors += 1
        self.stats.error_lines.append(what)
        invocation.errors += 1
        if invocation.errors <= self.function.retry_attempts:
            invocation.ready_at = time.monotonic() + RETRY_DELAY_S * invocation.errors
            self.queue.append(invocation)

    def memory_mb(self) -> float:
        """Proportional set size of the fork server and every sandbox (shared pages split)."""
        total_kb = 0
        for pid in self.pids():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            for line in rollup.splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        return total_kb / 1024


def running(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
