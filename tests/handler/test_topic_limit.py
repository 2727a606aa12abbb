"""LimitExceededException from StartContactStreaming ends the call at once; throttling retries.

Connect subscribes a contact to at most two SNS topics; a third Start's LimitExceededException
cannot clear by waiting, so the handler does not spend botocore's retries on it (see
lambda/topic_limit.py). These tests emit botocore's own `needs-retry` event on the handler's
Connect client, so they prove the hook and the standard retry handler together, offline.
"""

from __future__ import annotations

from typing import Any

import handler
import pytest
import topic_limit
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import ClientError

from tests.handler.events import REGION


def answer(code: str, status: int = 429) -> tuple[AWSResponse, dict[str, Any]]:
    """An HTTP response and its parsed error, as botocore hands them to `needs-retry`."""
    raw = AWSResponse("https://connect.example", status, HTTPHeaders(), None)
    parsed = {
        "Error": {"Code": code, "Message": "no"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return raw, parsed


def needs_retry(operation: str, code: str, status: int = 429) -> Any:
    """What the handler's Connect client decides after a first attempt answered `code`."""
    client: Any = handler.connect_client(REGION)
    model = client.meta.service_model.operation_model(operation)
    responses = client.meta.events.emit(
        f"needs-retry.connect.{operation}",
        response=answer(code, status),
        endpoint=client._endpoint,
        operation=model,
        attempts=1,
        caught_exception=None,
        request_dict={"context": {}},
    )
    return [value for _, value in responses]


def test_topic_limit_start_limit_exceeded_raises_client_error_without_retry() -> None:
    with pytest.raises(ClientError) as raised:
        needs_retry("StartContactStreaming", "LimitExceededException")

    assert raised.value.response["Error"]["Code"] == "LimitExceededException"
    assert raised.value.operation_name == "StartContactStreaming"


@pytest.mark.parametrize("code", ["ThrottlingException", "TooManyRequestsException"])
def test_topic_limit_start_throttled_is_retried_by_botocore(code: str) -> None:
    decisions = needs_retry("StartContactStreaming", code)

    assert any(isinstance(delay, (int, float)) and delay >= 0 for delay in decisions), decisions


def test_topic_limit_stop_limit_exceeded_keeps_retries() -> None:
    # Stop's model lists no LimitExceededException: an unexpected one is treated as throttling.
    decisions = needs_retry("StopContactStreaming", "LimitExceededException")

    assert any(isinstance(delay, (int, float)) for delay in decisions), decisions


def test_topic_limit_no_answer_lets_botocore_decide() -> None:
    # No answer (a dropped connection): nothing raised, botocore's own retry decides.
    topic_limit.refuse_retry(response=None, operation=None)
    decisions = needs_retry("StartContactStreaming", "InternalServiceException", 500)
    assert any(isinstance(delay, (int, float)) for delay in decisions), decisions


def test_topic_limit_reason_names_the_limit_and_the_fix_within_crhelpers_cut() -> None:
    error = ClientError(
        {"Error": {"Code": "LimitExceededException", "Message": "x" * 400}},
        "StartContactStreaming",
    )

    reason = handler.connect_failure("StartContactStreaming", error)

    assert "at most two SNS topics" in reason
    assert "stop another stream of this contact" in reason
    assert "quota_share" not in reason
    assert len(reason) <= 250
