"""A contact flow's Invoke AWS Lambda function block: stream this chat to the endpoint's topic.

Connect calls `handler` synchronously with its flow event (``Name: ContactFlowEvent``) and waits
at most 8 seconds. The handler calls StartContactStreaming once per contact and endpoint (the
ClientToken is derived from both), retries throttling with jitter inside a time budget, and
always answers a flat map of strings the flow can branch on; it never raises into the flow.

Environment: ``STREAMING_ENDPOINT_ARN`` (the topic) and ``INSTANCE_ARN`` (the endpoint's
instance). Only boto3, which the Lambda runtime provides.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as NetworkError

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient

# A logger of its own: the root logger (botocore's too) keeps the level Lambda gives it.
logger = logging.getLogger("flow_streaming")
logger.setLevel(logging.INFO)

ENDPOINT_ENV = "STREAMING_ENDPOINT_ARN"
INSTANCE_ENV = "INSTANCE_ARN"
STARTED, SKIPPED, FAILED = "started", "skipped", "failed"
# Connect waits at most 8 s for the block (cold start and invocation included): the handler's
# own work ends within BUDGET_S of its start, and an attempt starts only if it can end in time.
BUDGET_S = 6.5
CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 1.5
ATTEMPT_S = CONNECT_TIMEOUT_S + READ_TIMEOUT_S
# Time kept back from the Lambda deadline, should the function's timeout be shorter than 8 s.
DEADLINE_RESERVE_S = 0.3
# Full jitter: each retry waits uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**retry)).
BACKOFF_BASE_S = 0.2
BACKOFF_CAP_S = 1.0
# botocore retries nothing itself: the budget above is the only retry loop.
CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_S,
    read_timeout=READ_TIMEOUT_S,
    retries={"mode": "standard", "total_max_attempts": 1},
)
THROTTLING_CODES = frozenset({"ThrottlingException", "TooManyRequestsException", "Throttling"})
# LimitExceededException is a 429 too, but it is Connect's per-contact limit (two topics).
NOT_THROTTLING_CODES = frozenset({"LimitExceededException"})
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Contact:
    """What the handler reads from Connect's flow event."""

    contact_id: str
    instance_arn: str
    channel: str


@dataclass(frozen=True)
class Outcome:
    """The block's answer: ``streaming`` is started, skipped or failed."""

    streaming: str
    reason: str = ""
    streaming_id: str = ""

    def answer(self) -> dict[str, str]:
        """A flat STRING_MAP: every key is always there, every value a string."""
        return {
            "streaming": self.streaming,
            "streamingId": self.streaming_id,
            "reason": self.reason,
        }


def handler(event: Any, context: Any) -> dict[str, str]:
    """Start streaming this chat to the endpoint; answer the flow, never raise."""
    deadline = deadline_of(context, time.monotonic())
    contact_id = contact_id_of(event)
    try:
        outcome = stream_contact(event, deadline)
    except Exception as error:  # the flow must get an answer, whatever went wrong
        logger.exception("flow streaming failed unexpectedly")
        outcome = Outcome(FAILED, f"Unexpected{type(error).__name__}")
    logger.info(
        "flow streaming %s",
        outcome.streaming,
        extra={
            "contactId": contact_id,
            "outcome": outcome.streaming,
            "reason": outcome.reason,
            "streamingId": outcome.streaming_id,
        },
    )
    return outcome.answer()


def deadline_of(context: Any, now: float) -> float:
    """When the handler's work must end (monotonic seconds)."""
    remaining = float(context.get_remaining_time_in_millis()) / 1000 - DEADLINE_RESERVE_S
    return now + min(BUDGET_S, remaining)


def contact_id_of(event: Any) -> str:
    """The event's ContactId for the log, or "" when the event has none."""
    try:
        value = event["Details"]["ContactData"]["ContactId"]
    except (KeyError, TypeError):
        return ""
    return value if isinstance(value, str) else ""


def read_contact(event: Any) -> Contact | None:
    """The contact of a flow event, or None when the event is not Connect's flow event."""
    try:
        data = event["Details"]["ContactData"]
        fields = (data["ContactId"], data["InstanceARN"], data["Channel"])
    except (KeyError, TypeError):
        return None
    if not all(isinstance(value, str) and value for value in fields):
        return None
    return Contact(*fields)


def stream_contact(event: Any, deadline: float) -> Outcome:
    """Decide, then call StartContactStreaming for a chat of the endpoint's instance."""
    contact = read_contact(event)
    if contact is None:
        return Outcome(FAILED, "NotAContactFlowEvent")
    if contact.channel != "CHAT":
        return Outcome(SKIPPED, f"Channel{contact.channel.title()}")
    instance_arn = os.environ[INSTANCE_ENV]
    if contact.instance_arn != instance_arn:
        # Associated by hand with another instance: its chats cannot stream to this topic.
        return Outcome(FAILED, "OtherInstance")
    return start_streaming(contact, os.environ[ENDPOINT_ENV], deadline)


def client_token(contact: Contact, endpoint_arn: str) -> str:
    """The same token for the same contact and endpoint: a second call starts no second stream."""
    key = f"{contact.instance_arn}|{contact.contact_id}|{endpoint_arn}".encode()
    return f"flow-{hashlib.sha256(key).hexdigest()}"


def start_streaming(contact: Contact, endpoint_arn: str, deadline: float) -> Outcome:
    """StartContactStreaming, retried on throttling and server errors until the deadline."""
    region = contact.instance_arn.split(":")[3]
    request = {
        "InstanceId": contact.instance_arn.rsplit("/", 1)[-1],
        "ContactId": contact.contact_id,
        "ChatStreamingConfiguration": {"StreamingEndpointArn": endpoint_arn},
        "ClientToken": client_token(contact, endpoint_arn),
    }
    retry = 0
    while True:
        try:
            answer = connect_client(region).start_contact_streaming(**request)  # type: ignore[arg-type]
            return Outcome(STARTED, streaming_id=answer["StreamingId"])
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if not retryable(code, status):
                return Outcome(FAILED, code or "ClientError")
            last = code
        except (HTTPClientError, NetworkError) as error:  # lost or late: the token makes it safe
            last = type(error).__name__
        except BotoCoreError as error:  # bad input or no credentials: waiting does not help
            return Outcome(FAILED, type(error).__name__)
        pause = random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**retry))  # noqa: S311
        if time.monotonic() + pause + ATTEMPT_S > deadline:
            return Outcome(FAILED, last)
        time.sleep(pause)
        retry += 1


def retryable(code: str, status: int) -> bool:
    """Whether an error answer may pass with time: throttling or a server error."""
    if code in NOT_THROTTLING_CODES:
        return False
    return code in THROTTLING_CODES or status in RETRIED_STATUSES


@cache
def connect_client(region: str) -> ConnectClient:
    """One Connect client per region, kept across invocations (the SDK's standard settings)."""
    return boto3.client("connect", region_name=region, config=CLIENT_CONFIG)
