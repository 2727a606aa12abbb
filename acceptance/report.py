"""What the run tells its user: a timeline, the calls it made, and never a secret.

Every line goes through `Report.say`, which blanks any registered secret (the participant and
connection tokens) in case one ever reached a message; the run itself never passes one.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from typing import Any, TextIO

REDACTED = "<redacted>"


class Report:
    """The timeline and the ledger of AWS calls of one run."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.start = time.monotonic()
        self.steps: list[tuple[float, str]] = []
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.cli: list[str] = []
        self.secrets: set[str] = set()
        self.lock = threading.Lock()

    def secret(self, value: str) -> str:
        """Remember `value` as a secret never to be shown; return it."""
        if value:
            self.secrets.add(value)
        return value

    def scrub(self, text: str) -> str:
        """`text` with every registered secret blanked."""
        for value in self.secrets:
            text = text.replace(value, REDACTED)
        return text

    def say(self, text: str) -> None:
        """Print one line (secrets blanked)."""
        print(self.scrub(text), file=self.out, flush=True)

    def mark(self, text: str) -> None:
        """Record and print one step of the timeline."""
        at = time.monotonic() - self.start
        self.steps.append((at, text))
        self.say(f"[{at:6.1f} s] {text}")

    def count_call(self, service: str, operation: str, error: str) -> None:
        """Count one AWS API call this run made (from botocore's after-call event)."""
        with self.lock:
            self.calls[f"{service} {operation}"] += 1
            if error:
                self.errors[f"{service} {operation}: {error}"] += 1

    def hook(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        """The `after-call` handler of botocore: count the call (never looks at its body)."""
        error = parsed.get("Error", {}).get("Code", "") if isinstance(parsed, dict) else ""
        self.count_call(model.service_model.service_id, model.name, str(error))

    def print_summary(self) -> None:
        """The timeline, then every call and CLI run the run made."""
        self.say("\nTimeline")
        for at, text in self.steps:
            self.say(f"{at:7.1f} s  {text}")
        self.say("\nAWS API calls made by the run (the cdk CLI's own calls not included)")
        for name, count in sorted(self.calls.items()):
            self.say(f"  {count:4d}  {name}")
        for name, count in sorted(self.errors.items()):
            self.say(f"        of which {count} answered an error: {name}")
        self.say("\ncdk CLI runs")
        for line in self.cli:
            self.say(f"  {line}")
