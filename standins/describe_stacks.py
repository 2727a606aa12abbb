"""A local CloudFormation API answering DescribeStacks, with a stack status tests can set.

The real boto3 client speaks CloudFormation's query protocol to it: a form-encoded POST to "/"
(Action=DescribeStacks, Version, StackName) answered in XML, errors as an XML ErrorResponse. The
stand-in checks SigV4 (service `cloudformation`, the expected region, the signature itself) as
the Connect stand-in does, knows the stacks it was told about by StackId or name (any other name
gets CloudFormation's ValidationError), records every call, and can be scripted to fail: an
error code, a delay, or a dropped connection.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from standins.aws import REGION
from standins.connect import Fault, verify_signature
from standins.server import LocalServer, QuietRequestHandler

DESCRIBE = "DescribeStacks"
VERSION = "2010-05-15"
NAMESPACE = f"http://cloudformation.amazonaws.com/doc/{VERSION}/"
CREATED = "2026-01-01T00:00:00.000Z"
# HTTP status of each error code, as CloudFormation answers it.
ERROR_STATUS = {
    "AccessDenied": 403,
    "SignatureDoesNotMatch": 403,
    "InternalFailure": 500,
    "ServiceUnavailable": 503,
}


@dataclass(frozen=True)
class StackCall:
    """One request as the stand-in saw it: the StackName asked for and what was answered."""

    action: str
    stack_name: str
    status: int
    answer: str


class StackError(Exception):
    """An error answer: its code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class StackStandIn:
    """State, scripting and the HTTP server of the local CloudFormation API."""

    def __init__(self, region: str = REGION) -> None:
        self.region = region
        self.lock = threading.Lock()
        self.http: LocalServer | None = None
        self.reset()

    def reset(self) -> None:
        """Forget stacks, calls and faults."""
        with self.lock:
            self.statuses: dict[str, str] = {}
            self.calls: list[StackCall] = []
            self.rejected_signatures: list[str] = []
            self.faults: deque[Fault] = deque()

    def set_status(self, stack_id: str, status: str) -> None:
        """Make a stack known (by its StackId ARN) in `status`."""
        with self.lock:
            self.statuses[stack_id] = status

    def script(self, *faults: Fault) -> None:
        """Queue faults for the next calls, one per call."""
        with self.lock:
            self.faults.extend(faults)

    def calls_of(self, action: str = DESCRIBE) -> list[StackCall]:
        """Recorded calls of one action, in order."""
        with self.lock:
            return [c for c in self.calls if c.action == action]

    @property
    def url(self) -> str:
        """The endpoint for AWS_ENDPOINT_URL_CLOUDFORMATION."""
        assert self.http is not None
        return f"http://127.0.0.1:{self.http.port}"

    def start(self) -> StackStandIn:
        """Serve on 127.0.0.1, on a free port, from a daemon thread."""
        stand_in = self

        class Handler(StackRequestHandler):
            stacks = stand_in

        self.http = LocalServer(Handler)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.http is not None:
            self.http.stop()

    def next_fault(self) -> Fault | None:
        """The fault scripted for this call, if any."""
        with self.lock:
            return self.faults.popleft() if self.faults else None

    def record(self, action: str, stack_name: str, status: int, answer: str) -> None:
        """Remember one answered call."""
        with self.lock:
            self.calls.append(StackCall(action, stack_name, status, answer))

    def describe(self, stack_name: str) -> tuple[str, str]:
        """The (StackId, StackStatus) of a stack named by StackId or name."""
        with self.lock:
            for stack_id, status in self.statuses.items():
                if stack_name in (stack_id, stack_name_of(stack_id)):
                    return stack_id, status
        raise StackError("ValidationError", f"Stack with id {stack_name} does not exist")


def stack_name_of(stack_id: str) -> str:
    """The name in a StackId (arn:…:stack/<name>/<uuid>)."""
    return stack_id.split(":stack/", 1)[-1].split("/", 1)[0]


class StackRequestHandler(QuietRequestHandler):
    """One HTTP exchange with the stand-in."""

    stacks: StackStandIn

    def do_POST(self) -> None:
        """Check the signature, then answer the form's Action."""
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        problem = verify_signature(
            "POST", self.path, headers, body, self.stacks.region, "cloudformation"
        )
        if problem:
            self.stacks.rejected_signatures.append(problem)
            self.answer_error(StackError("SignatureDoesNotMatch", problem))
            return
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        action = form.get("Action", "")
        if action != DESCRIBE or form.get("Version") != VERSION:
            self.answer_error(StackError("InvalidAction", f"{action} is not served here"))
            return
        self.serve(form.get("StackName", ""))

    def serve(self, stack_name: str) -> None:
        """Apply a scripted fault, or answer DescribeStacks; record the call."""
        fault = self.stacks.next_fault()
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "drop":
            self.stacks.record(DESCRIBE, stack_name, 0, "dropped")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            if fault is not None and fault.kind == "error":
                raise StackError(fault.code, f"scripted {fault.code}")
            stack_id, status = self.stacks.describe(stack_name)
        except StackError as error:
            code = self.answer_error(error)
            self.stacks.record(DESCRIBE, stack_name, code, error.code)
            return
        self.send_xml(200, describe_stacks_xml(stack_id, status))
        self.stacks.record(DESCRIBE, stack_name, 200, status)

    def answer_error(self, error: StackError) -> int:
        """Answer an XML ErrorResponse as CloudFormation does; return the status."""
        status = ERROR_STATUS.get(error.code, 400)
        kind = "Receiver" if status >= 500 else "Sender"
        self.send_xml(
            status,
            f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{kind}</Type>'
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"</Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>",
        )
        return status

    def send_xml(self, status: int, document: str) -> None:
        """Write an XML response."""
        data = document.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)


def describe_stacks_xml(stack_id: str, status: str) -> str:
    """A DescribeStacks answer naming one stack in `status`."""
    member = (
        f"<member><StackId>{escape(stack_id)}</StackId>"
        f"<StackName>{escape(stack_name_of(stack_id))}</StackName>"
        f"<CreationTime>{CREATED}</CreationTime><StackStatus>{escape(status)}</StackStatus>"
        "</member>"
    )
    return (
        f'<DescribeStacksResponse xmlns="{NAMESPACE}"><DescribeStacksResult>'
        f"<Stacks>{member}</Stacks></DescribeStacksResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</DescribeStacksResponse>"
    )
