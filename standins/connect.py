"""A local Amazon Connect that speaks REST-JSON for StartContactStreaming and StopContactStreaming.

Paths, status codes, error types and input limits come from botocore's Connect service model, so
the real boto3 client serializes, signs, retries and parses errors exactly as against AWS. The
stand-in checks SigV4 (service `connect`, the expected region, the signature itself), keeps state
(contacts, streams, ClientToken idempotency), records every call and can be scripted to fail.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import OperationModel, Shape, StructureShape

from standins.aws import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, SESSION_TOKEN
from standins.chat import Chats, Stream
from standins.flows import Contact, Flows, InvalidFlowError
from standins.participant import ParticipantService
from standins.server import LocalServer, QuietRequestHandler

START = "StartContactStreaming"
STOP = "StopContactStreaming"
START_CHAT = "StartChatContact"
DESCRIBE_INSTANCE = "DescribeInstance"
DESCRIBE_FLOW = "DescribeContactFlow"
CREATE_FLOW = "CreateContactFlow"
ASSOCIATE_LAMBDA = "AssociateLambdaFunction"
DISASSOCIATE_LAMBDA = "DisassociateLambdaFunction"
LIST_LAMBDAS = "ListLambdaFunctions"
FLOW_OPERATIONS = (CREATE_FLOW, ASSOCIATE_LAMBDA, DISASSOCIATE_LAMBDA, LIST_LAMBDAS)
ACTIVE = "ACTIVE"
ENDED = "ENDED"
STOPPED = "STOPPED"
ERROR_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.connect/"
# A call whose User-Agent names no `app/<id>` (botocore's user_agent_appid) comes from the stack.
STACK_CALLER = "stack"
# Admin guide, "Enable real-time chat message streaming", step 3: at most two SNS topics a contact.
TOPICS_PER_CONTACT = 2

MODEL = botocore.session.get_session().get_service_model("connect")


def route(operation: str) -> tuple[str, re.Pattern[str]]:
    """The HTTP method and path pattern of an operation, from the model's requestUri."""
    http = MODEL.operation_model(operation).http
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(http["requestUri"]))
    return http["method"], re.compile(f"^{pattern}$")


OPERATIONS = {
    name: route(name)
    for name in (START, STOP, START_CHAT, DESCRIBE_INSTANCE, DESCRIBE_FLOW, *FLOW_OPERATIONS)
}


def operation_at(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The operation a request names, with its path parameters."""
    for name, (verb, pattern) in OPERATIONS.items():
        found = pattern.match(path.split("?", 1)[0])
        if verb == method and found:
            return name, found.groupdict()
    return None


def error_status(code: str) -> int:
    """HTTP status of an error: from the model when modelled, else as AWS answers it."""
    if code in MODEL.shape_names:
        return int(MODEL.shape_for(code).metadata["error"]["httpStatusCode"])
    return {"AccessDeniedException": 403, "InvalidSignatureException": 403}.get(code, 400)


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour, used by the next matching call.

    kind: "error" answers `code`; "delay" waits `seconds`, then answers normally; "drop" closes
    the connection without an answer, after doing the work when `after_effect` is true.
    """

    kind: str
    code: str = ""
    seconds: float = 0.0
    after_effect: bool = False


@dataclass
class Call:
    """One request as the stand-in saw it and answered it."""

    operation: str
    body: dict[str, Any]
    status: int
    error: str
    at: float
    client_token: str = ""
    caller: str = STACK_CALLER


@dataclass
class StreamRecord:
    """A stream Connect started."""

    streaming_id: str
    instance_id: str
    contact_id: str
    endpoint_arn: str
    client_token: str
    state: str = ACTIVE


@dataclass(frozen=True)
class Quota:
    """A Connect API quota: `per_second` requests a second, bursts of `burst`."""

    per_second: float
    burst: float


# Connect's default quotas (Service Quotas L-93412F17 and L-2FC23A76, per account and region,
# adjustable; the admin guide's API throttling table gives both 5/s, burst 8).
DEFAULT_QUOTAS = {START: Quota(5, 8), STOP: Quota(5, 8)}
THROTTLED = "ThrottlingException"


@dataclass
class TokenBucket:
    """A quota as a token bucket: `burst` tokens when full, refilled at `per_second` a second."""

    quota: Quota
    tokens: float = field(init=False)
    updated: float | None = None

    def __post_init__(self) -> None:
        self.tokens = self.quota.burst

    def take(self, now: float) -> bool:
        """Take a token if one is left at monotonic time `now`."""
        if self.updated is not None:
            elapsed = max(0.0, now - self.updated)
            self.tokens = min(self.quota.burst, self.tokens + elapsed * self.quota.per_second)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def caller_of(user_agent: str) -> str:
    """Who made a call: the `app/<id>` its User-Agent carries, else STACK_CALLER."""
    for part in user_agent.split():
        if part.startswith("app/"):
            return part[len("app/") :]
    return STACK_CALLER


class ConnectError(Exception):
    """An error answer: its type and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ConnectStandIn:
    """State, scripting and the HTTP server of the local Connect."""

    def __init__(self, region: str = REGION, credentials: Credentials | None = None) -> None:
        self.region = region
        # The credentials callers must sign with (a local engine's Lambdas sign with their own).
        self.credentials = credentials or Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
        self.lock = threading.Lock()
        self.http: LocalServer | None = None
        self.participant: ParticipantService | None = None
        self.flows = Flows(region)
        self.reset()

    def reset(self) -> None:
        """Forget contacts, streams, calls, faults and the rate limit."""
        with self.lock:
            self.contacts: dict[tuple[str, str], str] = {}
            self.streams: dict[str, StreamRecord] = {}
            self.tokens: dict[str, str] = {}
            self.calls: list[Call] = []
            self.rejected_signatures: list[str] = []
            self.faults: dict[str, deque[Fault]] = defaultdict(deque)
            self.buckets: dict[str, TokenBucket] = {}
            self.instances: dict[str, set[str]] = {}
            self.chat_tokens: dict[str, dict[str, Any]] = {}
        self.flows.reset()
        sns = getattr(self, "chats", None)
        self.chats = Chats(self.streams_of, self.end_contact)
        if sns is not None:
            self.chats.publish_with(sns.sns)

    # --- scripting -------------------------------------------------------------------------
    def add_contact(self, instance_id: str, contact_id: str, state: str = ACTIVE) -> None:
        """Make a chat contact known, ACTIVE unless told otherwise."""
        with self.lock:
            self.contacts[(instance_id, contact_id)] = state

    def add_instance(self, instance_id: str, *contact_flow_ids: str) -> None:
        """Make an instance known (DescribeInstance), with its published contact flows."""
        with self.lock:
            self.instances.setdefault(instance_id, set()).update(contact_flow_ids)

    def start_chat(
        self, instance_id: str, contact_id: str | None = None, display_name: str = "Customer"
    ) -> tuple[str, str]:
        """Start an ACTIVE chat contact (as StartChatContact does): its id and customer token."""
        contact_id = contact_id or str(uuid.uuid4())
        self.add_contact(instance_id, contact_id)
        customer = self.chats.open(instance_id, contact_id, display_name)
        return contact_id, customer.participant_token

    def join_agent(self, contact_id: str, display_name: str = "Agent") -> str:
        """An agent joins a chat (as the agent's workspace would): the agent's participant token."""
        return self.chats.join(contact_id, "AGENT", display_name).participant_token

    def transfer(self, contact_id: str, *, succeeded: bool = True) -> str:
        """The chat's agent transfers it (to a queue or an agent): the ContactId after it.

        As Connect does, a transfer that succeeds gives the chat a new ContactId and keeps its
        InitialContactId; streams started on the initial contact keep publishing.
        """
        return self.chats.transfer(contact_id, succeeded=succeeded)

    def post(self, contact_id: str, role: str, content: str, visibility: str) -> dict[str, Any]:
        """A message from a contact flow, a bot or a supervisor, shown to `visibility`."""
        return self.chats.post(contact_id, role, content, visibility)

    def publish_with(self, sns: Any) -> None:
        """Stream chat items through this boto3 SNS client (the local engine's SNS)."""
        self.chats.publish_with(sns)

    def invoke_with(self, lambda_client: Any) -> None:
        """Run flows' Lambda blocks on this boto3 Lambda client (the local engine's Lambda)."""
        self.flows.invoke_with(lambda_client)

    def start_participant_service(self) -> ParticipantService:
        """Serve the participant service on an endpoint of its own (started once)."""
        if self.participant is None:
            self.participant = ParticipantService(self.chats).start()
        return self.participant

    def streams_of(self, instance_id: str, contact_id: str) -> list[Stream]:
        """The active streams of one contact."""
        with self.lock:
            return [
                Stream(s.streaming_id, s.endpoint_arn)
                for s in self.streams.values()
                if s.state == ACTIVE and (s.instance_id, s.contact_id) == (instance_id, contact_id)
            ]

    def end_contact(self, instance_id: str, contact_id: str) -> None:
        """End a contact: its streams stop with it."""
        with self.lock:
            self.contacts[(instance_id, contact_id)] = ENDED
            for stream in self.streams.values():
                if (stream.instance_id, stream.contact_id) == (instance_id, contact_id):
                    stream.state = STOPPED

    def script(self, operation: str, *faults: Fault) -> None:
        """Queue faults for the next calls of `operation`, one per call."""
        with self.lock:
            self.faults[operation].extend(faults)

    def limit_rate(self, per_second: float) -> None:
        """Throttle each operation beyond `per_second` calls a second, with bursts as large."""
        self.set_quotas({operation: Quota(per_second, per_second) for operation in (START, STOP)})

    def set_quotas(self, quotas: Mapping[str, Quota] = DEFAULT_QUOTAS) -> None:
        """Answer 429 ThrottlingException beyond each operation's quota (Connect's defaults)."""
        with self.lock:
            self.buckets = {operation: TokenBucket(quota) for operation, quota in quotas.items()}

    # --- what tests read -------------------------------------------------------------------
    def active_streams(self) -> list[StreamRecord]:
        """Streams still running."""
        with self.lock:
            return [s for s in self.streams.values() if s.state == ACTIVE]

    def calls_of(self, operation: str) -> list[Call]:
        """Recorded calls of one operation, in order."""
        with self.lock:
            return [c for c in self.calls if c.operation == operation]

    def count(self, status: int) -> int:
        """How many calls were answered with `status`."""
        with self.lock:
            return sum(1 for c in self.calls if c.status == status)

    # --- server ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The endpoint for AWS_ENDPOINT_URL_CONNECT."""
        assert self.http is not None
        return f"http://127.0.0.1:{self.http.port}"

    def start(self) -> ConnectStandIn:
        """Serve on 127.0.0.1, on a free port, from a daemon thread."""
        stand_in = self

        class Handler(ConnectRequestHandler):
            connect = stand_in

        self.http = LocalServer(Handler)
        return self

    def stop(self) -> None:
        """Stop serving (both endpoints) and close the sockets."""
        if self.participant is not None:
            self.participant.stop()
        if self.http is not None:
            self.http.stop()

    # --- the service -----------------------------------------------------------------------
    def next_fault(self, operation: str) -> Fault | None:
        """The fault scripted for this call, if any."""
        with self.lock:
            queue = self.faults[operation]
            return queue.popleft() if queue else None

    def throttled(self, operation: str) -> bool:
        """True when the operation's quota refuses this call."""
        with self.lock:
            bucket = self.buckets.get(operation)
            return bucket is not None and not bucket.take(time.monotonic())

    def record(
        self,
        operation: str,
        body: dict[str, Any],
        status: int,
        error: str,
        caller: str = STACK_CALLER,
    ) -> None:
        """Remember one answered call and who made it."""
        body = {name: value for name, value in body.items() if name != "ParticipantToken"}
        with self.lock:
            self.calls.append(
                Call(
                    operation,
                    body,
                    status,
                    error,
                    time.monotonic(),
                    body.get("ClientToken", ""),
                    caller,
                )
            )

    def perform(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply a valid request to the state; return the response body or raise ConnectError."""
        validate(MODEL.operation_model(operation), body)
        if operation == START_CHAT:
            return self.start_chat_contact(body)
        if operation in FLOW_OPERATIONS:
            return self.flow_operation(operation, body)
        with self.lock:
            if operation == START:
                return self.start_streaming(body)
            if operation == STOP:
                return self.stop_streaming(body)
            if operation == DESCRIBE_INSTANCE:
                return self.describe_instance(body)
            return self.describe_contact_flow(body)

    def instance_flows(self, instance_id: str) -> set[str]:
        """The contact flows of a known instance, or ResourceNotFoundException."""
        flows = self.instances.get(instance_id)
        if flows is None:
            raise ConnectError("ResourceNotFoundException", f"Instance {instance_id} not found")
        return flows

    def describe_instance(self, body: dict[str, Any]) -> dict[str, Any]:
        """DescribeInstance of a known instance."""
        instance_id = body["InstanceId"]
        self.instance_flows(instance_id)
        return {
            "Instance": {
                "Id": instance_id,
                "Arn": instance_arn(self.region, instance_id),
                "IdentityManagementType": "CONNECT_MANAGED",
                "InstanceAlias": "local",
                "InstanceStatus": "ACTIVE",
                "InboundCallsEnabled": True,
                "OutboundCallsEnabled": False,
            }
        }

    def describe_contact_flow(self, body: dict[str, Any]) -> dict[str, Any]:
        """DescribeContactFlow of a published flow of a known instance."""
        instance_id, flow_id = body["InstanceId"], body["ContactFlowId"]
        if flow_id not in self.instance_flows(instance_id):
            raise ConnectError(
                "ResourceNotFoundException",
                f"Contact flow {flow_id} not found in instance {instance_id}",
            )
        return {
            "ContactFlow": {
                "Arn": f"{instance_arn(self.region, instance_id)}/contact-flow/{flow_id}",
                "Id": flow_id,
                "Name": "Queue the chat",
                "Type": "CONTACT_FLOW",
                "State": "ACTIVE",
                "Status": "PUBLISHED",
                "Content": self.flows.content_of(instance_id, flow_id),
            }
        }

    def flow_operation(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """CreateContactFlow and the Lambda associations of a known instance (standins/flows.py)."""
        instance_id = body["InstanceId"]
        with self.lock:
            self.instance_flows(instance_id)
        if operation == CREATE_FLOW:
            try:
                flow_id, sha256 = self.flows.create(instance_id, body["Content"])
            except InvalidFlowError as error:
                raise ConnectError("InvalidContactFlowException", str(error)) from None
            self.add_instance(instance_id, flow_id)
            arn = f"{instance_arn(self.region, instance_id)}/contact-flow/{flow_id}"
            return {"ContactFlowId": flow_id, "ContactFlowArn": arn, "FlowContentSha256": sha256}
        if operation == ASSOCIATE_LAMBDA:
            self.flows.associate(instance_id, body["FunctionArn"])
            return {}
        if operation == DISASSOCIATE_LAMBDA:
            if not self.flows.disassociate(instance_id, body["FunctionArn"]):
                raise ConnectError(
                    "ResourceNotFoundException", f"{body['FunctionArn']} is not associated"
                )
            return {}
        return {"LambdaFunctions": self.flows.associated(instance_id)}

    def start_chat_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        """StartChatContact: a new ACTIVE chat on a known flow; idempotent on ClientToken."""
        token = body.get("ClientToken", "")
        with self.lock:
            earlier = self.chat_tokens.get(token) if token else None
            flows = self.instance_flows(body["InstanceId"])
        if earlier is not None:
            return earlier
        if body["ContactFlowId"] not in flows:
            raise ConnectError(
                "ResourceNotFoundException",
                f"Contact flow {body['ContactFlowId']} not found in instance {body['InstanceId']}",
            )
        display_name = body["ParticipantDetails"]["DisplayName"]
        contact_id, participant_token = self.start_chat(body["InstanceId"], None, display_name)
        chat = self.chats.contact_of(contact_id)
        assert chat is not None
        answer: dict[str, Any] = {
            "ContactId": contact_id,
            "ParticipantId": chat.participants[0].participant_id,
            "ParticipantToken": participant_token,
        }
        streaming = body.get("ChatStreamingConfiguration")
        if streaming is not None:
            with self.lock:
                started = self.start_streaming(
                    {
                        "InstanceId": body["InstanceId"],
                        "ContactId": contact_id,
                        "ChatStreamingConfiguration": streaming,
                        "ClientToken": f"chat-{contact_id}",
                    }
                )
            answer["StreamingId"] = started["StreamingId"]
        # The flow runs before the customer's side goes on (docs/local.md: how AWS differs).
        self.flows.run(
            body["InstanceId"],
            body["ContactFlowId"],
            Contact(instance_arn(self.region, body["InstanceId"]), contact_id, contact_id),
        )
        if token:
            with self.lock:
                self.chat_tokens[token] = answer
        return answer

    def contact_state(self, body: dict[str, Any]) -> str:
        """The state of the contact a request names, or ResourceNotFoundException."""
        state = self.contacts.get((body["InstanceId"], body["ContactId"]))
        if state is None:
            raise ConnectError(
                "ResourceNotFoundException",
                f"Contact {body['ContactId']} not found in instance {body['InstanceId']}",
            )
        return state

    def start_streaming(self, body: dict[str, Any]) -> dict[str, Any]:
        """StartContactStreaming: idempotent on ClientToken."""
        endpoint = body["ChatStreamingConfiguration"]["StreamingEndpointArn"]
        token = body["ClientToken"]
        if token in self.tokens:
            earlier = self.streams[self.tokens[token]]
            if (earlier.instance_id, earlier.contact_id, earlier.endpoint_arn) != (
                body["InstanceId"],
                body["ContactId"],
                endpoint,
            ):
                raise ConnectError("InvalidRequestException", "ClientToken reused with other input")
            return {"StreamingId": earlier.streaming_id}
        if self.contact_state(body) != ACTIVE:
            raise ConnectError("InvalidRequestException", "Contact is not active")
        if endpoint.endswith(".fifo"):
            raise ConnectError("InvalidRequestException", "FIFO topics are not supported")
        check_topics_per_contact(self.streams.values(), body["InstanceId"], body["ContactId"])
        stream = StreamRecord(
            str(uuid.uuid4()), body["InstanceId"], body["ContactId"], endpoint, token
        )
        self.streams[stream.streaming_id] = stream
        self.tokens[token] = stream.streaming_id
        return {"StreamingId": stream.streaming_id}

    def stop_streaming(self, body: dict[str, Any]) -> dict[str, Any]:
        """StopContactStreaming of an active stream of an active contact."""
        if self.contact_state(body) != ACTIVE:
            raise ConnectError("InvalidRequestException", "Contact is not active")
        stream = self.streams.get(body["StreamingId"])
        if stream is None or stream.state != ACTIVE or stream.contact_id != body["ContactId"]:
            raise ConnectError(
                "ResourceNotFoundException", f"Streaming {body['StreamingId']} not found"
            )
        stream.state = STOPPED
        return {}


def query_members(operation: str, path: str) -> dict[str, Any]:
    """The input members a request's query string carries, by the model's member names."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    shape = MODEL.operation_model(operation).input_shape
    assert shape is not None
    found: dict[str, Any] = {}
    for name, member in shape.members.items():
        if member.serialization.get("location") == "querystring":
            values = query.get(member.serialization["name"])
            if values:
                found[name] = int(values[0]) if member.type_name == "integer" else values[0]
    return found


def check_topics_per_contact(
    streams: Iterable[StreamRecord], instance_id: str, contact_id: str
) -> None:
    """LimitExceededException if the contact already has TOPICS_PER_CONTACT active streams.

    The admin guide allows a contact at most two SNS topics; the answer to a third is unpublished.
    The stand-in answers the one limit error StartContactStreaming's model lists (429), counts
    every active stream (two streams to one topic count twice: fail safe) and is reached only
    after a ClientToken replay has answered, so a replay never counts twice.
    """
    active = sum(
        1
        for s in streams
        if s.state == ACTIVE and (s.instance_id, s.contact_id) == (instance_id, contact_id)
    )
    if active >= TOPICS_PER_CONTACT:
        raise ConnectError(
            "LimitExceededException",
            f"Contact {contact_id} already streams to {active} endpoints "
            f"(at most {TOPICS_PER_CONTACT})",
        )


def validate(operation: OperationModel, body: dict[str, Any]) -> None:
    """Check required members and string lengths against the model's input shape."""
    assert operation.input_shape is not None
    check_structure(operation.input_shape, body, "")


def check_structure(shape: StructureShape, value: Any, path: str) -> None:
    """Raise InvalidParameterException unless `value` satisfies a structure shape."""
    if not isinstance(value, dict):
        raise ConnectError("InvalidParameterException", f"{path or 'input'} must be an object")
    for name in shape.required_members:
        if name not in value:
            raise ConnectError("InvalidParameterException", f"{path}{name} is required")
    for name, member in shape.members.items():
        if name in value:
            check_member(member, value[name], f"{path}{name}")


def check_member(shape: Shape, value: Any, path: str) -> None:
    """Raise InvalidParameterException unless `value` satisfies a member shape."""
    if isinstance(shape, StructureShape):
        check_structure(shape, value, f"{path}.")
        return
    if shape.type_name == "string" and value not in shape.metadata.get("enum", [value]):
        raise ConnectError(
            "InvalidParameterException",
            f"1 validation error detected: Value {value!r} at '{path}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: {shape.metadata['enum']}",
        )
    if shape.type_name == "string":
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 1 << 31)
        if not isinstance(value, str) or not low <= len(value) <= high:
            raise ConnectError(
                "InvalidParameterException",
                f"1 validation error detected: Value at '{path}' failed to satisfy constraint: "
                f"Member must have length between {low} and {high}",
            )
    if shape.type_name == "integer":
        low, high = shape.metadata.get("min", -(1 << 31)), shape.metadata.get("max", 1 << 31)
        if not isinstance(value, int) or not low <= value <= high:
            raise ConnectError(
                "InvalidParameterException",
                f"1 validation error detected: Value at '{path}' failed to satisfy constraint: "
                f"Member must have value between {low} and {high}",
            )


def verify_signature(
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    region: str,
    service: str = "connect",
    credentials: Credentials | None = None,
) -> str:
    """Why a request is not SigV4-signed for `service` in `region` with `credentials`, or ""."""
    credentials = credentials or Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    authorization = headers.get("authorization", "")
    prefix = "AWS4-HMAC-SHA256 "
    if not authorization.startswith(prefix):
        return "missing AWS4-HMAC-SHA256 Authorization header"
    parts = dict(p.strip().split("=", 1) for p in authorization[len(prefix) :].split(","))
    scope = parts.get("Credential", "").split("/")
    if len(scope) != 5 or scope[0] != credentials.access_key or scope[4] != "aws4_request":
        return f"bad credential {parts.get('Credential')!r}"
    if scope[2] != region or scope[3] != service:
        return f"credential scoped to {scope[2]}/{scope[3]}, expected {region}/{service}"
    signed = parts.get("SignedHeaders", "").split(";")
    request = AWSRequest(
        method=method,
        url=f"http://{headers.get('host', '')}{path}",
        headers={name: headers.get(name, "") for name in signed},
        data=body,
    )
    request.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(credentials, service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != parts.get("Signature"):
        return "signature does not match"
    if headers.get("x-amz-security-token") != credentials.token:
        return "missing or wrong X-Amz-Security-Token"
    return ""


class ConnectRequestHandler(QuietRequestHandler):
    """One HTTP exchange with the stand-in."""

    connect: ConnectStandIn

    def do_POST(self) -> None:
        """Route a POST to the operation its path names."""
        self.route("POST")

    def do_PUT(self) -> None:
        """Route a PUT (StartChatContact)."""
        self.route("PUT")

    def do_GET(self) -> None:
        """Route a GET (DescribeInstance, DescribeContactFlow, ListLambdaFunctions)."""
        self.route("GET")

    def do_DELETE(self) -> None:
        """Route a DELETE (DisassociateLambdaFunction)."""
        self.route("DELETE")

    def route(self, method: str) -> None:
        """Check the signature, then serve the operation the method and path name."""
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        found = operation_at(method, self.path)
        if found is None:
            self.answer_error("UnknownOperationException", f"No operation at {method} {self.path}")
            return
        operation, path_parameters = found
        headers = {k.lower(): v for k, v in self.headers.items()}
        problem = verify_signature(
            method,
            self.path,
            headers,
            body,
            self.connect.region,
            credentials=self.connect.credentials,
        )
        if problem:
            self.connect.rejected_signatures.append(problem)
            self.answer_error("InvalidSignatureException", problem)
            return
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            self.answer_error("SerializationException", "body is not JSON")
            return
        query = query_members(operation, self.path)
        self.serve(operation, {**request, **query, **path_parameters})

    def serve(self, operation: str, request: dict[str, Any]) -> None:
        """Apply faults, the rate limit and the operation; answer and record."""
        fault = self.connect.next_fault(operation)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if self.connect.throttled(operation):
            self.finish_call(operation, request, ConnectError(THROTTLED, "Rate exceeded"))
            return
        if fault is not None and fault.kind == "error":
            self.finish_call(operation, request, ConnectError(fault.code, f"scripted {fault.code}"))
            return
        if fault is not None and fault.kind == "drop" and not fault.after_effect:
            self.drop(operation, request)
            return
        try:
            result: dict[str, Any] | ConnectError = self.connect.perform(operation, request)
        except ConnectError as error:
            result = error
        if fault is not None and fault.kind == "drop":
            self.drop(operation, request)
            return
        self.finish_call(operation, request, result)

    def finish_call(
        self, operation: str, request: dict[str, Any], result: dict[str, Any] | ConnectError
    ) -> None:
        """Record the answer, then send it: a client that has its answer finds the call recorded."""
        if isinstance(result, ConnectError):
            status = error_status(result.code)
            self.connect.record(operation, request, status, result.code, self.caller())
            self.answer_error(result.code, result.message)
            return
        self.connect.record(operation, request, 200, "", self.caller())
        self.send_json(200, result, {})

    def drop(self, operation: str, request: dict[str, Any]) -> None:
        """Close the connection without an answer."""
        self.connect.record(operation, request, 0, "dropped", self.caller())
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def caller(self) -> str:
        """Who made this call, from its User-Agent."""
        return caller_of(self.headers.get("User-Agent", ""))

    def answer_error(self, code: str, message: str) -> int:
        """Answer a REST-JSON error as Connect does; return the status."""
        status = error_status(code)
        self.send_json(
            status, {"Message": message}, {"x-amzn-ErrorType": f"{code}:{ERROR_NAMESPACE}"}
        )
        return status

    def send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
        """Write a JSON response."""
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def instance_arn(region: str, instance_id: str) -> str:
    """The ARN of an instance of the local account."""
    return f"arn:aws:connect:{region}:{ACCOUNT}:instance/{instance_id}"
