"""At the default log level, nothing logged carries the pre-signed ResponseURL or its signature."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from standins.connect import START, Fault
from standins.events import cfn_event, properties
from standins.harness import Harness


@pytest.fixture
def root_output() -> Iterator[io.StringIO]:
    """Everything the root logger writes, formatted with tracebacks, as Lambda's stdout would."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def secrets_of(event: dict[str, object]) -> list[str]:
    """The parts of an event's ResponseURL that must never be logged."""
    url = str(event["ResponseURL"])
    query = parse_qs(urlsplit(url).query)
    return [url, urlsplit(url).query, query["X-Amz-Signature"][0], query["X-Amz-Credential"][0]]


def play_lifecycle(life: Harness) -> list[dict[str, object]]:
    """Create (throttled once, first answer dropped), a failing Create, Update, Delete."""
    life.cfn.reset(drop_first=1)
    life.connect.script(START, Fault("error", "ThrottlingException"))
    create = cfn_event("Create", life.cfn, properties())
    physical_id = life.invoke(create).body["PhysicalResourceId"]
    failing = cfn_event("Create", life.cfn, properties(ContactId="missing-contact"))
    life.invoke(failing)
    update = cfn_event(
        "Update",
        life.cfn,
        properties(StreamingEndpointArn=properties()["StreamingEndpointArn"] + "2"),
        old_props=properties(),
        physical_id=physical_id,
    )
    life.invoke(update)
    delete = cfn_event("Delete", life.cfn, properties(), physical_id=physical_id)
    life.invoke(delete, timeout_s=16.0)
    return [create, failing, update, delete]


def test_logging_default_level_never_logs_response_url(
    life: Harness, caplog: pytest.LogCaptureFixture, root_output: io.StringIO
) -> None:
    events = play_lifecycle(life)

    assert logging.getLogger().level == logging.INFO
    captured = "\n".join(
        [root_output.getvalue()]
        + [record.getMessage() for record in caplog.records]
        + [caplog.text]
    )
    assert "Started streaming" in captured
    assert "Unexpected failure sending response" in captured
    for event in events:
        for secret in secrets_of(event):
            assert secret not in captured


def test_logging_crhelper_debug_default_would_leak_url_and_the_check_sees_it(
    life: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    helper = life.handler.helper
    configured = helper._log_level
    helper._log_level = "DEBUG"
    try:
        event = cfn_event("Create", life.cfn, properties())
        life.invoke(event)
    finally:
        helper._log_level = configured
    assert any(secret in caplog.text for secret in secrets_of(event))
