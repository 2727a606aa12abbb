"""One Lambda instance in its own process: import the handler, say "ready", wait for "go", run.

Usage: `python -m standins.driver` with the repository root and lambda/ on PYTHONPATH and
Lambda's environment (see events.lambda_environment) set. stdin: one line of event JSON, then
"go". stdout: "ready" once the handler is imported. The answer goes to the event's ResponseURL.
"""

from __future__ import annotations

import importlib
import json
import sys

from standins.aws import LAMBDA_TIMEOUT_S, LambdaContext


def main() -> None:
    """Cold-start like a Lambda sandbox, then handle one event when told to."""
    event = json.loads(sys.stdin.readline())
    handler = importlib.import_module("handler")
    print("ready", flush=True)
    if sys.stdin.readline().strip() == "go":
        handler.handler(event, LambdaContext(LAMBDA_TIMEOUT_S))


if __name__ == "__main__":
    main()
