"""The provider's JSON logs as Lambda's Python runtime writes them: fields on each line, no secret.

The log lines are made by the runtime interface client's own logging set-up (awslambdaric's
`_setup_logging` with the JSON format: its handler, JsonFormatter and request-id filter on the
root logger), with the real handler and crhelper answering the local CloudFormation endpoint and
calling the local Connect. Every path of the handler is played; on each, every line must parse as
one JSON object, carry the event's RequestType, LogicalResourceId and ContactId (and StreamingId
once one is known), and hold none of the event's ResponseURL (or its signature), the ClientToken
the handler derives from the event, or the credentials Lambda puts in the environment.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from awslambdaric import bootstrap  # type: ignore[import-untyped]
from awslambdaric.lambda_runtime_log_utils import LogFormat  # type: ignore[import-untyped]

from standins.aws import ACCESS_KEY, LAMBDA_TIMEOUT_S, SECRET_KEY, SESSION_TOKEN
from standins.connect import ACTIVE, START, STOP, Fault
from standins.events import CONTACT_ID, INSTANCE_ID, STACK_ID, cfn_event, properties
from standins.harness import Harness, Outcome
from tests.handler.events import expected_token

OTHER_CONTACT = "7c6b5a49-3827-4160-9f5e-4d3c2b1a0f9e"
ROLLING_BACK = "UPDATE_ROLLBACK_IN_PROGRESS"
# At 2 s or more, the handler's Connect calls stop (a quarter of the time before the deadline)
# no later than crhelper's timer answers (0.5 s before it): no Start can leave after the answer.
HANGING_TIMEOUT_S = 3.0
CONNECT_DELAY_S = 4.0
# The clock ends the Update's attempts 2 s before its end and the settling 3 s before it.
UNSETTLED_TIMEOUT_S = 8.0


@dataclass
class Sink:
    """What the runtime's log handler would send to Lambda's log stream, line by line."""

    lines: list[str] = field(default_factory=list)

    def log(self, message: str, frame_type: bytes | None = None) -> None:
        self.lines.append(message)


@pytest.fixture
def sink() -> Iterator[Sink]:
    """The runtime's JSON logging set-up on the root logger, removed afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    sink = Sink()
    bootstrap._setup_logging(LogFormat.JSON, "INFO", sink)
    (added,) = [h for h in root.handlers if h not in handlers]
    yield sink
    root.removeHandler(added)
    root.setLevel(level)


@dataclass
class Played:
    """One invocation: the event, what CloudFormation read, and the log lines it made."""

    event: dict[str, Any]
    outcome: Outcome
    lines: list[dict[str, Any]]
    raw: list[str]


def play(life: Harness, sink: Sink, event: dict[str, Any], timeout_s: float = 30.0) -> Played:
    """Invoke the handler with `event`; every line it logged must be one JSON object."""
    sink.lines.clear()
    outcome = life.invoke(event, timeout_s)
    raw = list(sink.lines)
    assert raw, f"{event['RequestType']} logged nothing"
    parsed = []
    for line in raw:
        assert line.endswith("\n"), line
        assert "\n" not in line[:-1], line
        parsed.append(json.loads(line))
    return Played(event, outcome, parsed, raw)


def secrets(event: dict[str, Any]) -> list[str]:
    """What no line may hold: the ResponseURL and its parts, the ClientToken, the credentials."""
    url = str(event["ResponseURL"])
    query = parse_qs(urlsplit(url).query)
    return [
        url,
        urlsplit(url).query,
        query["X-Amz-Signature"][0],
        query["X-Amz-Credential"][0],
        expected_token(event["StackId"], event["LogicalResourceId"], event["RequestId"]),
        ACCESS_KEY,
        SECRET_KEY,
        SESSION_TOKEN,
    ]


def assert_fields_no_secret(played: Played) -> None:
    """The event's fields on every line, and no secret anywhere."""
    event = played.event
    for line in played.lines:
        assert line["RequestType"] == event["RequestType"], line
        assert line["LogicalResourceId"] == event["LogicalResourceId"], line
        assert "ContactId" in line, line
        assert {"timestamp", "level", "message", "logger"} <= set(line), line
    text = "".join(played.raw)
    for secret in secrets(event):
        assert secret not in text


def assert_logged_well(played: Played, contact_id: str, streaming_id: str | None) -> None:
    """Fields on every line, the answer and the StreamingId on the last, no secret anywhere."""
    assert_fields_no_secret(played)
    event = played.event
    last = played.lines[-1]
    assert last["message"] == f"{event['RequestType']} answered {played.outcome.body['Status']}"
    assert last["ContactId"] == contact_id
    if streaming_id is None:
        assert "StreamingId" not in last, last
    else:
        assert last["StreamingId"] == streaming_id


def create(life: Harness, sink: Sink, contact_id: str = CONTACT_ID, **kw: Any) -> Played:
    """A Create of a stream on `contact_id`."""
    event = cfn_event("Create", life.cfn, properties(ContactId=contact_id))
    return play(life, sink, event, **kw)


def update(
    life: Harness,
    sink: Sink,
    physical_id: str,
    new: dict[str, Any],
    old: dict[str, Any],
    timeout_s: float = 30.0,
) -> Played:
    """An Update of `physical_id` from `old` to `new` properties."""
    event = cfn_event("Update", life.cfn, new, old_props=old, physical_id=physical_id)
    return play(life, sink, event, timeout_s)


def delete(life: Harness, sink: Sink, physical_id: str) -> Played:
    """A Delete of `physical_id`."""
    event = cfn_event("Delete", life.cfn, properties(), physical_id=physical_id)
    return play(life, sink, event, timeout_s=16.0)


def streaming_id(played: Played) -> str:
    """The StreamingId CloudFormation was given."""
    value = played.outcome.body["Data"]["StreamingId"]
    assert isinstance(value, str)
    return value


def test_json_logs_create_fields_streaming_id_no_secret(life: Harness, sink: Sink) -> None:
    created = create(life, sink)

    assert created.outcome.body["Status"] == "SUCCESS"
    assert_logged_well(created, CONTACT_ID, streaming_id(created))
    started = [line for line in created.lines if line["message"].startswith("Started streaming")]
    assert started[0]["StreamingId"] == streaming_id(created)
    # crhelper's own line about the answer carries the fields too.
    assert any(line["logger"] == "crhelper.utils" for line in created.lines)


def test_json_logs_update_keep_fields_old_streaming_id(life: Harness, sink: Sink) -> None:
    created = create(life, sink)
    physical_id = created.outcome.body["PhysicalResourceId"]

    kept = update(life, sink, physical_id, properties(Pace="0,1"), properties())

    assert kept.outcome.body["PhysicalResourceId"] == physical_id
    assert_logged_well(kept, CONTACT_ID, streaming_id(created))


def test_json_logs_update_replace_fields_new_streaming_id(life: Harness, sink: Sink) -> None:
    life.connect.add_contact(INSTANCE_ID, OTHER_CONTACT, ACTIVE)
    created = create(life, sink)

    replaced = update(
        life,
        sink,
        created.outcome.body["PhysicalResourceId"],
        properties(ContactId=OTHER_CONTACT),
        properties(),
    )

    assert replaced.outcome.body["Status"] == "SUCCESS"
    assert streaming_id(replaced) != streaming_id(created)
    assert_logged_well(replaced, OTHER_CONTACT, streaming_id(replaced))


def test_json_logs_update_rollback_fields_old_streaming_id(life: Harness, sink: Sink) -> None:
    life.connect.add_contact(INSTANCE_ID, OTHER_CONTACT, ACTIVE)
    created = create(life, sink)
    new = properties(ContactId=OTHER_CONTACT)
    replaced = update(life, sink, created.outcome.body["PhysicalResourceId"], new, properties())
    life.stacks.set_status(STACK_ID, ROLLING_BACK)

    rolled = update(life, sink, replaced.outcome.body["PhysicalResourceId"], properties(), new)

    assert rolled.outcome.body["PhysicalResourceId"] == created.outcome.body["PhysicalResourceId"]
    assert_logged_well(rolled, CONTACT_ID, streaming_id(created))


def test_json_logs_delete_fields_stopped_streaming_id(life: Harness, sink: Sink) -> None:
    created = create(life, sink)

    deleted = delete(life, sink, created.outcome.body["PhysicalResourceId"])

    assert deleted.outcome.body["Status"] == "SUCCESS"
    assert life.connect.active_streams() == []
    assert_logged_well(deleted, CONTACT_ID, streaming_id(created))


def test_json_logs_delete_gone_on_stop_fields(life: Harness, sink: Sink) -> None:
    created = create(life, sink)
    physical_id = created.outcome.body["PhysicalResourceId"]
    delete(life, sink, physical_id)

    again = delete(life, sink, physical_id)

    assert [c.error for c in life.connect.calls_of(STOP)] == ["", "ResourceNotFoundException"]
    assert again.outcome.body["Status"] == "SUCCESS"
    assert_logged_well(again, CONTACT_ID, streaming_id(created))
    assert any("already stopped" in line["message"] for line in again.lines)


def test_json_logs_create_unknown_outcome_pending_token_never_logged(
    life: Harness, sink: Sink
) -> None:
    attempts = life.handler.connect_client("us-east-1").meta.config.retries["total_max_attempts"]
    life.connect.script(START, *[Fault("error", "InternalServiceException")] * attempts)

    created = create(life, sink, timeout_s=LAMBDA_TIMEOUT_S)

    body = created.outcome.body
    assert body["Status"] == "FAILED"
    # CloudFormation is told the token (in the pending id); the log is not.
    event = created.event
    token = expected_token(STACK_ID, event["LogicalResourceId"], event["RequestId"])
    assert "state=pending" in body["PhysicalResourceId"]
    assert f"token={token}" in body["PhysicalResourceId"]
    assert_logged_well(created, CONTACT_ID, None)
    errors = [line for line in created.lines if line["level"] == "ERROR"]
    assert errors
    assert all("InternalServiceException" in line["errorMessage"] for line in errors)

    rolled_back = delete(life, sink, body["PhysicalResourceId"])
    assert life.connect.active_streams() == []
    (stop,) = life.connect.calls_of(STOP)
    assert_logged_well(rolled_back, CONTACT_ID, stop.body["StreamingId"])
    assert token not in "".join(rolled_back.raw)


def test_json_logs_update_unsettled_names_request_id_not_token(life: Harness, sink: Sink) -> None:
    life.connect.add_contact(INSTANCE_ID, OTHER_CONTACT, ACTIVE)
    created = create(life, sink)
    attempts = life.handler.connect_client("us-east-1").meta.config.retries["total_max_attempts"]
    life.connect.script(START, *[Fault("drop")] * (2 * attempts))

    unsettled = update(
        life,
        sink,
        created.outcome.body["PhysicalResourceId"],
        properties(ContactId=OTHER_CONTACT),
        properties(),
        timeout_s=UNSETTLED_TIMEOUT_S,
    )

    assert unsettled.outcome.body["Status"] == "FAILED"
    assert_logged_well(unsettled, OTHER_CONTACT, None)
    (operator,) = [line for line in unsettled.lines if "unrecorded" in line["message"]]
    assert unsettled.event["RequestId"] in operator["message"]
    assert OTHER_CONTACT in operator["message"]


def test_json_logs_validation_failure_fields_no_streaming_id(life: Harness, sink: Sink) -> None:
    event = cfn_event("Create", life.cfn, properties(StreamingEndpointArn="not-a-topic"))

    failed = play(life, sink, event)

    assert failed.outcome.body["Status"] == "FAILED"
    assert life.connect.calls_of(START) == []
    assert_logged_well(failed, CONTACT_ID, None)
    (error,) = [line for line in failed.lines if line["level"] == "ERROR"]
    assert "StreamingEndpointArn" in error["errorMessage"]
    assert error["errorType"] == "InvalidPropertyError"


def test_json_logs_connect_error_fields_error_type(life: Harness, sink: Sink) -> None:
    failed = create(life, sink, contact_id=OTHER_CONTACT)

    assert failed.outcome.body["Status"] == "FAILED"
    assert_logged_well(failed, OTHER_CONTACT, None)
    (error,) = [line for line in failed.lines if line["level"] == "ERROR"]
    assert "ResourceNotFoundException" in error["errorMessage"]
    assert error["stackTrace"], error


def test_json_logs_crhelper_timeout_answer_fields(life: Harness, sink: Sink) -> None:
    life.connect.script(START, Fault("delay", seconds=CONNECT_DELAY_S))

    hung = create(life, sink, timeout_s=HANGING_TIMEOUT_S)

    assert hung.outcome.body["Status"] == "FAILED"
    assert hung.outcome.body["Reason"] == "Execution timed out"
    # On AWS the sandbox stops at the deadline; here the handler goes on and answers again.
    assert_fields_no_secret(hung)
    (timed_out,) = [line for line in hung.lines if "about to time out" in line["message"]]
    assert timed_out["logger"] == "crhelper.resource_helper"
    assert timed_out["ContactId"] == CONTACT_ID
    assert "StreamingId" not in timed_out
    delete(life, sink, hung.outcome.body["PhysicalResourceId"])
    assert life.connect.active_streams() == []


def test_json_logs_no_event_no_fields(life: Harness, sink: Sink) -> None:
    create(life, sink)
    sink.lines.clear()

    logging.getLogger("handler").warning("between events")

    (line,) = [json.loads(raw) for raw in sink.lines]
    assert line["message"] == "between events"
    assert not {"RequestType", "LogicalResourceId", "ContactId", "StreamingId"} & set(line)


@pytest.fixture
def debug_sink() -> Iterator[Sink]:
    """The runtime's JSON logging set up at application log level DEBUG, removed afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    sink = Sink()
    bootstrap._setup_logging(LogFormat.JSON, "DEBUG", sink)
    assert root.level == logging.DEBUG
    (added,) = [h for h in root.handlers if h not in handlers]
    yield sink
    root.removeHandler(added)
    root.setLevel(level)


def test_json_logs_application_level_debug_crhelper_keeps_info_no_url(
    life: Harness, debug_sink: Sink
) -> None:
    # An operator may set the function's application log level to DEBUG; crhelper puts the root
    # logger back to INFO on every event, so its DEBUG lines (the event, the URL) stay unwritten.
    created = create(life, debug_sink)

    assert created.outcome.body["Status"] == "SUCCESS"
    assert_logged_well(created, CONTACT_ID, streaming_id(created))
    assert {line["level"] for line in created.lines} == {"INFO"}


def test_json_logs_crhelper_init_failure_last_line_says_failed(
    life: Harness, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    # crhelper builds boto3 clients at import; if that failed, it answers every event FAILED.
    monkeypatch.setattr(life.handler.helper, "_init_failed", RuntimeError("no clients"))

    failed = create(life, sink)

    assert failed.outcome.body["Status"] == "FAILED"
    assert failed.outcome.body["Reason"] == "no clients"
    assert_logged_well(failed, CONTACT_ID, None)
    assert life.connect.calls_of(START) == []
