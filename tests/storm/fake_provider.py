"""A provider stand-in for engine tests: it answers as its properties say, and logs each event.

Properties: `<RequestType>Sleep` (seconds before answering), `<RequestType>Fails` (answer FAILED).
Every event appends a "start" JSON line, and an "end" line just before it answers, to the file
FAKE_LOG names. It uses only the standard library, so a sandbox of it starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.request
from typing import Any

# Read once at import, as a pacing module reads its settings: the sandbox must set it before.
IMPORTED_WITH = os.environ.get("FAKE_SETTING", "")
LOG = os.environ["FAKE_LOG"]
handled = 0


def log(**fields: Any) -> None:
    """Append one JSON line (small enough to be written at once)."""
    with open(LOG, "a") as file:
        file.write(json.dumps(fields) + "\n")


def handler(event: dict[str, Any], context: Any) -> None:
    """Sleep, log, and answer CloudFormation as the properties say."""
    global handled
    handled += 1
    kind, props = event["RequestType"], event["ResourceProperties"]
    common = {"pid": os.getpid(), "logical": event["LogicalResourceId"], "type": kind}
    log(
        step="start",
        at=time.monotonic(),
        handled=handled,
        remaining_ms=context.get_remaining_time_in_millis(),
        imported_with=IMPORTED_WITH,
        physical=event.get("PhysicalResourceId", ""),
        props=props,
        **common,
    )
    time.sleep(float(props.get(f"{kind}Sleep", 0)))
    logical = event["LogicalResourceId"]
    body = {
        "Status": "FAILED" if props.get(f"{kind}Fails") else "SUCCESS",
        "Reason": f"{kind} as told",
        "PhysicalResourceId": event.get("PhysicalResourceId") or f"physical-{logical}",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": logical,
        "Data": {"Value": f"value-of-{logical}"},
    }
    request = urllib.request.Request(
        event["ResponseURL"], data=json.dumps(body).encode(), method="PUT"
    )
    tls = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    log(step="end", at=time.monotonic(), **common)
    urllib.request.urlopen(request, context=tls, timeout=5).close()
