"""Custom::ContactStreaming: start Amazon Connect contact streaming on Create, stop it on Delete.

The PhysicalResourceId carries everything Delete needs (region, instance, contact, endpoint and
StreamingId, or the ClientToken while the outcome of a start is unknown), so Delete never trusts
ResourceProperties; a replacing Update's id also carries the StreamingId it replaced, for the
rollback (see physical_id.py and rollback.py).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import time
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
import logs
import pacing
import rollback
import topic_limit
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from crhelper import CfnResource
from physical_id import Stream, fits, not_started_id, parse_physical_id, replacing, restored
from reasons import describe, short

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_connect import ConnectClient

logger = logging.getLogger(__name__)
logs.install()

# INFO, not crhelper's DEBUG default: DEBUG logs the event, whose ResponseURL is a credential.
# The log group outlives the stack, so a long wait for log delivery on Delete buys nothing.
helper = CfnResource(log_level="INFO", boto_level="ERROR", sleep_on_delete=2)

GONE_ON_STOP = frozenset({"ResourceNotFoundException", "InvalidRequestException"})
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
TOPIC_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
MAX_ATTEMPTS = 10
# Many attempts ride out throttling (5 calls/s); the Clock, not the attempt count, bounds the time.
CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
)
# Connect calls stop this long before the Lambda deadline (at most a quarter of the time left),
# so an Update can settle a start of unknown outcome and crhelper can answer in time.
RESERVE_S = 20.0
SETTLE_RESERVE_S = 3.0
# botocore's standard retry mode: responses it retries, and its backoff (seconds times 2**n).
RETRIED = frozenset({429, 500, 502, 503, 504})
THROTTLED = 429
THROTTLING_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException"})
NOT_THROTTLED_SCALE = 0.05
MAX_BACKOFF_S = 20
THROTTLED_HINT = "throttled after retries; lower ContactStreamingProvider's quota_share"
HINTS = {
    "ResourceNotFoundException": "check InstanceId and ContactId",
    "InvalidRequestException": "the contact must be an active chat contact",
    "InvalidParameterException": "check the properties",
    "AccessDeniedException": "the provider role needs this action on the instance",
    "LimitExceededException": topic_limit.HINT,
    "ThrottlingException": THROTTLED_HINT,
    "TooManyRequestsException": THROTTLED_HINT,
    "InternalServiceException": "Connect failed after retries; try again",
}


class ConnectDeadlineError(BotoCoreError):
    """No more Connect attempts: the invocation's time is nearly up."""

    fmt = "gave up {seconds_left:.1f} s before the Lambda deadline"


@dataclass
class Clock:
    """When this invocation's Connect attempts must stop (monotonic seconds)."""

    lambda_end: float = math.inf
    connect_end: float = math.inf

    def start(self, context: Any) -> None:
        """Set the deadlines from the Lambda context at the start of an invocation."""
        remaining = context.get_remaining_time_in_millis() / 1000
        self.lambda_end = time.monotonic() + remaining
        self.connect_end = self.lambda_end - min(RESERVE_S, remaining / 4)

    def extend_for_settling(self) -> None:
        """Give an Update's settling most of the reserve."""
        self.connect_end = self.lambda_end - SETTLE_RESERVE_S

    def check(self, **_kwargs: Any) -> None:
        """Botocore hook before every attempt, retries included: refuse once time is up."""
        self.refuse_after(time.monotonic())

    def before_retry(
        self,
        attempts: int,
        response: Any = None,
        caught_exception: Exception | None = None,
        **_kwargs: Any,
    ) -> None:
        """Botocore hook before a retry's backoff: refuse if the longest backoff could overrun."""
        answered = caught_exception is None and bool(response)
        status = response[0].status_code if answered else None
        code = response[1].get("Error", {}).get("Code", "") if answered else ""
        # CloudFormation throttles with a 400 "Throttling", Connect with a 429.
        throttled = status == THROTTLED or code in THROTTLING_CODES
        if attempts >= MAX_ATTEMPTS or (answered and not throttled and status not in RETRIED):
            return  # no retry follows: let botocore's own answer or error stand
        scale = 1.0 if throttled else NOT_THROTTLED_SCALE
        longest_backoff = min(scale * 2 ** (attempts - 1), MAX_BACKOFF_S)
        self.refuse_after(time.monotonic() + longest_backoff)

    def refuse_after(self, moment: float) -> None:
        """Raise ConnectDeadlineError if `moment` is past the Connect deadline."""
        if moment >= self.connect_end:
            raise ConnectDeadlineError(seconds_left=self.lambda_end - time.monotonic())


clock = Clock()


class InvalidPropertyError(ValueError):
    """A resource property that Connect would refuse; no call is made."""


def client_token(event: dict[str, Any]) -> str:
    """Idempotency token: a redelivered request (same RequestId) cannot start a second stream."""
    seed = "\n".join((event["StackId"], event["LogicalResourceId"], event["RequestId"]))
    return hashlib.sha256(seed.encode()).hexdigest()


@cache
def connect_client(region: str) -> ConnectClient:
    """A Connect client for `region`; AWS_ENDPOINT_URL_CONNECT, if set, chooses the endpoint."""
    client: ConnectClient = clocked_client("connect", region)
    # Before the clock's and the retry handler's own (more specific events come first).
    client.meta.events.register(
        f"needs-retry.connect.{topic_limit.OPERATION}", topic_limit.refuse_retry
    )
    return client


@cache
def cloudformation_client(region: str) -> CloudFormationClient:
    """The client that reads the stack's status; AWS_ENDPOINT_URL_CLOUDFORMATION is honoured."""
    client: CloudFormationClient = clocked_client("cloudformation", region)
    return client


def clocked_client(service: str, region: str) -> Any:
    """A client with CLIENT_CONFIG's timeouts and retries, every attempt bounded by the clock."""
    client = boto3.client(service, region_name=region, config=CLIENT_CONFIG)  # type: ignore[call-overload]
    client.meta.events.register(f"request-created.{service}", clock.check)
    client.meta.events.register_first(f"needs-retry.{service}", clock.before_retry)
    return client


def required(properties: dict[str, Any], name: str, limits: tuple[int, int]) -> str:
    """Return property `name`, a string within `limits` (inclusive); else InvalidPropertyError."""
    value = properties.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidPropertyError(
            f"{name} is required and must be a non-blank string, got {describe(value)}"
        )
    low, high = limits
    if not low <= len(value) <= high:
        raise InvalidPropertyError(f"{name} must be {low}-{high} characters, got {describe(value)}")
    return value


def model_limits(client: ConnectClient, name: str) -> tuple[int, int]:
    """Length limits of a StartContactStreaming input from botocore's Connect model."""
    operation = client.meta.service_model.operation_model("StartContactStreaming")
    members = operation.input_shape.members if operation.input_shape else {}
    if name == "StreamingEndpointArn":
        members = members["ChatStreamingConfiguration"].members  # type: ignore[attr-defined]
    metadata = members[name].metadata
    return int(metadata.get("min", 1)), int(metadata["max"])


def desired_stream(properties: dict[str, Any]) -> Stream:
    """Validate ResourceProperties and return the stream they ask for (not yet started)."""
    # Without Region the instance is in the stack's region, which is the function's own.
    region = properties["Region"] if "Region" in properties else os.environ.get("AWS_REGION")
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        raise InvalidPropertyError(
            f"Region must be an AWS region such as 'us-east-1', got {describe(region)}"
        )
    client = connect_client(region)
    instance_id = required(properties, "InstanceId", model_limits(client, "InstanceId"))
    contact_id = required(properties, "ContactId", model_limits(client, "ContactId"))
    endpoint = required(
        properties, "StreamingEndpointArn", model_limits(client, "StreamingEndpointArn")
    )
    if endpoint.endswith(".fifo"):
        raise InvalidPropertyError(
            f"StreamingEndpointArn {describe(endpoint)} is a FIFO topic; "
            "Connect streams only to standard topics"
        )
    if not TOPIC_ARN_PATTERN.match(endpoint):
        raise InvalidPropertyError(
            f"StreamingEndpointArn must be an SNS topic ARN, got {describe(endpoint)}"
        )
    return Stream(region, instance_id, contact_id, endpoint, state="wanted")


def connect_failure(action: str, error: ClientError) -> str:
    """A Reason for a Connect error that says what failed and what to check."""
    code = error.response.get("Error", {}).get("Code", "Unknown")
    message = error.response.get("Error", {}).get("Message", "")
    hint = HINTS.get(code, "see the provider's log")
    return short(f"Connect {action} failed: {code} ({hint}): {message}")


class UnknownOutcomeError(RuntimeError):
    """StartContactStreaming may or may not have started `stream` (no answer, or a 5xx)."""

    def __init__(self, reason: str, stream: Stream) -> None:
        super().__init__(reason)
        self.stream = stream


def no_answer(action: str, error: BotoCoreError, then: str) -> str:
    """A Reason for a Connect call that got no answer after retries, and what happens `then`."""
    return short(f"Connect {action} did not answer after retries; {then}: {error}")


def start(event: dict[str, Any], wanted: Stream, *, record_pending: bool) -> Stream:
    """Start `wanted`; return it with its StreamingId.

    With `record_pending`, the answer's PhysicalResourceId holds the ClientToken while the call
    is under way, so a FAILED answer (even crhelper's at the Lambda deadline) lets Delete find
    and stop a stream that started late; a definite refusal restores the previous id.
    """
    previous_id = helper.PhysicalResourceId
    stream = replace(wanted, state="pending", client_token=client_token(event))
    if not fits(stream):
        beside = " beside the replaced StreamingId" if stream.previous else ""
        raise InvalidPropertyError(
            f"InstanceId, ContactId and StreamingEndpointArn are too long to record{beside}"
        )
    if record_pending:
        helper.PhysicalResourceId = stream.physical_id()
    try:
        streaming_id = start_call(stream)
    except ClientError as error:
        reason = connect_failure("StartContactStreaming", error)
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500) >= 500:
            raise UnknownOutcomeError(reason, stream) from error
        helper.PhysicalResourceId = previous_id
        raise RuntimeError(reason) from error
    except BotoCoreError as error:
        then = "Delete will stop the stream if it started" if record_pending else "try again"
        raise UnknownOutcomeError(
            no_answer("StartContactStreaming", error, then), stream
        ) from error
    return replace(stream, state="started", streaming_id=streaming_id, client_token="")


def start_call(stream: Stream) -> str:
    """Call StartContactStreaming with the stream's ClientToken; return the StreamingId."""
    response = connect_client(stream.region).start_contact_streaming(
        InstanceId=stream.instance_id,
        ContactId=stream.contact_id,
        ChatStreamingConfiguration={"StreamingEndpointArn": stream.endpoint_arn},
        ClientToken=stream.client_token,
    )
    logs.note(streaming_id=response["StreamingId"])
    logger.info("Started streaming %s for contact %s", response["StreamingId"], stream.contact_id)
    return response["StreamingId"]


def stop(stream: Stream) -> None:
    """Stop a started stream; a stream or contact that is already gone counts as stopped."""
    try:
        connect_client(stream.region).stop_contact_streaming(
            InstanceId=stream.instance_id,
            ContactId=stream.contact_id,
            StreamingId=stream.streaming_id,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in GONE_ON_STOP:
            raise RuntimeError(connect_failure("StopContactStreaming", error)) from error
        logger.info("Streaming %s already stopped: %s", stream.streaming_id, error)
        return
    except BotoCoreError as error:
        raise RuntimeError(
            no_answer("StopContactStreaming", error, "try the delete again")
        ) from error
    logger.info("Stopped streaming %s for contact %s", stream.streaming_id, stream.contact_id)


def reconcile(stream: Stream) -> None:
    """Stop whatever a start of unknown outcome may have begun, found again by its ClientToken."""
    try:
        streaming_id = start_call(stream)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in GONE_ON_STOP:
            raise RuntimeError(connect_failure("StartContactStreaming", error)) from error
        logger.info("Nothing to reconcile for contact %s: %s", stream.contact_id, error)
        return
    except BotoCoreError as error:
        then = "try the delete again"
        raise RuntimeError(no_answer("StartContactStreaming", error, then)) from error
    stop(replace(stream, state="started", streaming_id=streaming_id))


def answer(stream: Stream) -> str:
    """Set the response Data and return the PhysicalResourceId."""
    helper.Data["StreamingId"] = stream.streaming_id
    logs.note(streaming_id=stream.streaming_id)
    return stream.physical_id()


@helper.create
def create(event: dict[str, Any], context: Any) -> str:
    """Create: start streaming."""
    clock.start(context)
    helper.PhysicalResourceId = not_started_id(event)
    wanted = desired_stream(event["ResourceProperties"])
    pacing.wait_to_start(event["ResourceProperties"], clock.connect_end)
    return answer(start(event, wanted, record_pending=True))


@helper.update
def update(event: dict[str, Any], context: Any) -> str:
    """Update: keep the stream if it already matches the properties, else start a new one.

    CloudFormation sends Delete for the old PhysicalResourceId once the new one is in place; the
    new id remembers the old StreamingId for a rollback (see rollback.py). A failed Update always
    answers with the old id, since CloudFormation adopts the id of a FAILED Update and would
    otherwise lose track of the old stream; a start of unknown outcome is reconciled at once.
    """
    clock.start(context)
    old_id: str = event["PhysicalResourceId"]
    helper.PhysicalResourceId = old_id
    current = parse_physical_id(old_id)
    wanted = desired_stream(event["ResourceProperties"])
    if current is not None and current.state == "started" and current.same_target(wanted):
        logger.info("Nothing that matters changed; keeping streaming %s", current.streaming_id)
        return keep(old_id, current)
    if rollback.rolling_back(event, cloudformation_client):
        return roll_back(old_id, current, wanted)
    pacing.wait_to_start(event["ResourceProperties"], clock.connect_end)
    try:
        return answer(start(event, replacing(current, wanted), record_pending=False))
    except UnknownOutcomeError as error:
        settle(error.stream, event["RequestId"])
        raise


def keep(old_id: str, current: Stream | None) -> str:
    """Answer with the id as given, byte for byte (an id of any earlier version included)."""
    if current is not None:
        helper.Data["StreamingId"] = current.streaming_id
        logs.note(contact_id=current.contact_id, streaming_id=current.streaming_id)
    return old_id


def roll_back(new_id: str, current: Stream | None, wanted: Stream) -> str:
    """The rollback's Update: answer the old stream's id, rebuilt; start and stop nothing.

    The answer differs from `new_id`, so the cleanup Delete of `new_id` stops the new stream
    whether CloudFormation keeps its own record of the old id or adopts this answer.
    """
    old = restored(current, wanted)
    if old is None:
        logger.info("The id remembers no earlier stream; keeping it for the Delete to stop")
        return keep(new_id, current)
    logger.info("Rolling back to streaming %s; starting nothing", old.streaming_id)
    return answer(old)


def settle(stream: Stream, request_id: str) -> None:
    """Stop whatever a start of unknown outcome began, or log what an operator must stop.

    The log names the CloudFormation RequestId, not the ClientToken: the token is the SHA-256 of
    the StackId, LogicalResourceId and RequestId (docs/lifecycle.md says how to find the stream).
    """
    clock.extend_for_settling()
    try:
        reconcile(stream)
    except RuntimeError:
        logger.exception(
            "A stream may be running unrecorded in %s, instance %s, contact %s: find its "
            "StreamingId with the ClientToken of CloudFormation RequestId %s, then stop it",
            stream.region,
            stream.instance_id,
            stream.contact_id,
            request_id,
        )


@helper.delete
def delete(event: dict[str, Any], context: Any) -> str:
    """Delete: stop what the PhysicalResourceId records; the properties are not consulted."""
    clock.start(context)
    physical_id: str = event.get("PhysicalResourceId", "")
    stream = parse_physical_id(physical_id)
    if stream is None:
        # Not the id itself: one that is not quite ours could hold a ClientToken.
        logger.info("No stream recorded in the PhysicalResourceId; nothing to stop")
        return physical_id
    logs.note(contact_id=stream.contact_id, streaming_id=stream.streaming_id)
    pacing.wait_to_stop(event.get("ResourceProperties", {}), clock.connect_end)
    if stream.state == "pending":
        reconcile(stream)
    else:
        stop(stream)
    return physical_id


def handler(event: dict[str, Any], context: Any) -> None:
    """Lambda entry point: crhelper routes the event and always answers CloudFormation.

    Every log line of the event carries its fields (logs.py); the last one says how it ended.
    """
    with logs.event_fields(event):
        helper(event, context)
        # crhelper answers FAILED for a failed import (its clients) without setting Status.
        status = "FAILED" if getattr(helper, "_init_failed", None) else helper.Status
        logger.info("%s answered %s", event.get("RequestType"), status)
