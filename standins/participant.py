"""The local Connect's participant service, on an endpoint of its own.

Point boto3 at it with AWS_ENDPOINT_URL_CONNECTPARTICIPANT.

Paths, bodies, the `X-Amz-Bearer` header and the error shapes come from botocore's
`connectparticipant` model, so boto3's real client talks to it unchanged. As on AWS, the bearer
token says which participant speaks: a participant token for CreateParticipantConnection, the
connection token it returns for SendMessage, SendEvent and DisconnectParticipant. (boto3 also
signs the request with SigV4, signing name `execute-api`; the token is what authorizes.)
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import botocore.session

from standins.chat import Chats, ParticipantError
from standins.server import LocalServer, QuietRequestHandler

MODEL = botocore.session.get_session().get_service_model("connectparticipant")
CONNECTION = "CreateParticipantConnection"
SEND_MESSAGE = "SendMessage"
SEND_EVENT = "SendEvent"
DISCONNECT = "DisconnectParticipant"
# SendMessage's Content: the model's max (16384), which its documentation gives in bytes ("Maximum
# of 16,384 bytes for all content types"); botocore checks characters, so the service counts bytes.
MESSAGE_BYTES = int(
    MODEL.operation_model(SEND_MESSAGE).input_shape.members["Content"].metadata["max"]  # type: ignore[union-attr]
)
OPERATIONS = {
    MODEL.operation_model(name).http["requestUri"]: name
    for name in (CONNECTION, SEND_MESSAGE, SEND_EVENT, DISCONNECT)
}


def error_status(code: str) -> int:
    """HTTP status of a modelled error (400 for anything else)."""
    if code in MODEL.shape_names:
        return int(MODEL.shape_for(code).metadata["error"]["httpStatusCode"])
    return 400


@dataclass(frozen=True)
class ParticipantCall:
    """One call as the participant service answered it (no tokens kept)."""

    operation: str
    status: int
    error: str


class ParticipantService:
    """The HTTP server of the participant service, in front of the local Connect's chats."""

    def __init__(self, chats: Chats) -> None:
        self.chats = chats
        self.lock = threading.Lock()
        self.calls: list[ParticipantCall] = []
        self.http: LocalServer | None = None

    @property
    def url(self) -> str:
        """The endpoint for AWS_ENDPOINT_URL_CONNECTPARTICIPANT."""
        assert self.http is not None
        return f"http://127.0.0.1:{self.http.port}"

    def start(self) -> ParticipantService:
        """Serve on 127.0.0.1, on a free port, from a daemon thread."""
        service = self

        class Handler(ParticipantRequestHandler):
            participant = service

        self.http = LocalServer(Handler)
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self.http is not None:
            self.http.stop()

    def record(self, operation: str, status: int, error: str) -> None:
        """Remember one answered call."""
        with self.lock:
            self.calls.append(ParticipantCall(operation, status, error))

    def perform(self, operation: str, bearer: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply one call; the answer body, or ParticipantError."""
        if not bearer:
            raise ParticipantError("AccessDeniedException", "X-Amz-Bearer is required")
        if operation == CONNECTION:
            types = body.get("Type") or []
            return self.chats.connect(bearer, types, bool(body.get("ConnectParticipant")))
        if operation == SEND_MESSAGE:
            content = str(body.get("Content", ""))
            size = len(content.encode("utf-8"))
            if not 1 <= size <= MESSAGE_BYTES:
                raise ParticipantError(
                    "ValidationException",
                    f"Content must be 1 to {MESSAGE_BYTES} bytes (UTF-8), got {size}",
                )
            return self.chats.send_message(
                bearer, str(body.get("ContentType", "")), content, str(body.get("ClientToken", ""))
            )
        if operation == SEND_EVENT:
            return self.chats.send_event(
                bearer, str(body.get("ContentType", "")), str(body.get("Content", ""))
            )
        self.chats.disconnect(bearer)
        return {}


class ParticipantRequestHandler(QuietRequestHandler):
    """One HTTP exchange with the participant service."""

    participant: ParticipantService

    def do_POST(self) -> None:
        """Route a POST to the operation its path names; the bearer token authorizes."""
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        operation = OPERATIONS.get(self.path.split("?", 1)[0])
        if operation is None:
            self.answer("", ParticipantError("UnknownOperationException", "No such operation"))
            return
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            self.answer(operation, ParticipantError("SerializationException", "body is not JSON"))
            return
        try:
            result: dict[str, Any] | ParticipantError = self.participant.perform(
                operation, self.headers.get("X-Amz-Bearer", ""), request
            )
        except ParticipantError as error:
            result = error
        self.answer(operation, result)

    def answer(self, operation: str, result: dict[str, Any] | ParticipantError) -> None:
        """Record the call, then write the JSON answer (an error as REST-JSON errors are)."""
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        if isinstance(result, ParticipantError):
            status = error_status(result.code)
            headers["x-amzn-ErrorType"] = result.code
            payload: dict[str, Any] = {"Message": result.message}
            self.participant.record(operation, status, result.code)
        else:
            status, payload = 200, result
            self.participant.record(operation, 200, "")
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
