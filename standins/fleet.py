"""Many Lambda instances, one process each (standins/driver.py), released at once."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Fleet:
    """Processes that have imported the handler and wait for the word to handle their event."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "lambda")])}
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "standins.driver"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in events
        ]
        for process, event in zip(self.processes, events, strict=True):
            assert process.stdin is not None
            process.stdin.write(json.dumps(event) + "\n")
            process.stdin.flush()

    def wait_ready(self, timeout_s: float) -> int:
        """Wait until every process said "ready" (or `timeout_s` passed); return how many did."""
        selector = selectors.DefaultSelector()
        for process in self.processes:
            assert process.stdout is not None
            selector.register(process.stdout, selectors.EVENT_READ)
        ready, deadline = 0, time.monotonic() + timeout_s
        while ready < len(self.processes) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
                line = key.fileobj.readline()  # type: ignore[union-attr]
                selector.unregister(key.fileobj)
                ready += line.strip() == "ready"
        selector.close()
        return ready

    def go(self) -> None:
        """Release every process at once."""
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.close()

    def finish(self, timeout_s: float) -> list[int | None]:
        """Wait for the processes (killing any still running after `timeout_s`); exit codes."""
        deadline = time.monotonic() + timeout_s
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
        return [process.returncode for process in self.processes]
