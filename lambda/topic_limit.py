"""Connect's limit of two SNS topics per contact: a LimitExceededException is final, not throttling.

The admin guide ("Enable real-time chat message streaming", step 3) says a contact can be
subscribed to at most two SNS topics. botocore's Connect model lists LimitExceededException (HTTP
429) for StartContactStreaming and not for StopContactStreaming, while a throttled call answers
ThrottlingException. What Connect answers to a third topic is unpublished; LimitExceededException
is the only limit error Start lists, so we read it as that limit. Botocore's standard retry mode
retries every 429 as throttling; waiting cannot free a place on the contact, so the first
LimitExceededException from StartContactStreaming ends the call at once, with advice that fits.
Were Connect ever to throttle with it, the stack would fail at once instead of after its retries
and could simply be deployed again: nothing is left running that the Reason does not name.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

CODE = "LimitExceededException"
OPERATION = "StartContactStreaming"
HINT = (
    "Connect subscribes a contact to at most two SNS topics: "
    "stop another stream of this contact, then retry"
)


def refuse_retry(response: Any = None, operation: Any = None, **_kwargs: Any) -> None:
    """Botocore `needs-retry` hook: raise a Start's LimitExceededException instead of retrying it.

    Registered first, it runs before the standard retry handler; the ClientError it raises is the
    one botocore would raise after its last attempt, so callers handle it as any refusal.
    """
    if not response or getattr(operation, "name", "") != OPERATION:
        return
    parsed = response[1]
    if parsed.get("Error", {}).get("Code") == CODE:
        raise ClientError(parsed, OPERATION)
