"""The fields every log line of an event carries, for Lambda's JSON log format.

With the function's log format JSON, Lambda's Python runtime writes each log record as one JSON
object, and every attribute of the record that is not one of `logging`'s own becomes a key of
that object (awslambdaric's JsonFormatter: that is how `extra=` reaches the log). The record
factory installed here gives every record made during an event, crhelper's and botocore's
included and from any thread (crhelper's timeout timer), the event's RequestType,
LogicalResourceId, ContactId and, once known, StreamingId. Nothing else of the event is logged:
its ResponseURL is a pre-signed credential, and a pending stream's ClientToken stays out too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

FIELDS = ("RequestType", "LogicalResourceId", "ContactId", "StreamingId")
# One event at a time per Lambda sandbox; a module global (not a contextvar) reaches threads too.
_current: dict[str, str] = {}


def begin(event: dict[str, Any]) -> None:
    """Take the fields an event names: its type, its resource and the contact it asks for."""
    _current.clear()
    for name in ("RequestType", "LogicalResourceId"):
        _set(name, event.get(name))
    properties = event.get("ResourceProperties")
    if isinstance(properties, dict):
        _set("ContactId", properties.get("ContactId"))


def note(*, contact_id: str = "", streaming_id: str = "") -> None:
    """Record what the event has learnt: the contact its stream is on, the stream's id."""
    _set("ContactId", contact_id)
    _set("StreamingId", streaming_id)


def end() -> None:
    """The event is answered: later records carry no event's fields."""
    _current.clear()


@contextmanager
def event_fields(event: dict[str, Any]) -> Iterator[None]:
    """Every record made inside the block carries the event's fields."""
    begin(event)
    try:
        yield
    finally:
        end()


def current() -> dict[str, str]:
    """The fields records get now (a copy)."""
    return dict(_current)


def _set(name: str, value: object) -> None:
    if isinstance(value, str) and value:
        _current[name] = value


class _FieldsFactory:
    """A LogRecord factory that adds the current event's fields to what `base` makes."""

    def __init__(self, base: Any) -> None:
        self.fields_base = base

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.fields_base(*args, **kwargs)
        record.__dict__.update(_current)
        return record


def install() -> None:
    """Put the fields factory in place once (a reloaded module replaces its earlier one)."""
    factory = logging.getLogRecordFactory()
    base = getattr(factory, "fields_base", factory)
    logging.setLogRecordFactory(_FieldsFactory(base))
