"""Reasons a person reads in CloudFormation's events: short enough to arrive whole.

crhelper passes on about 256 characters of a Reason and cuts the rest, advice included. Every
module of the handler shortens its Reasons here, so the limit and the cut are the same everywhere.
"""

from __future__ import annotations

REASON_LIMIT = 250
# A property value shown in a Reason: longer ones are cut so the message around them survives.
SHOWN_LIMIT = 120
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """`text` itself if it has at most `limit` characters, else its start and an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def short(text: str) -> str:
    """Keep a Reason within what crhelper passes on untruncated."""
    return clip(text, REASON_LIMIT)


def describe(value: object) -> str:
    """Show a property value in a Reason without letting a huge one crowd out the message."""
    if isinstance(value, str) and len(value) > SHOWN_LIMIT:
        return f"{value[:60]!r}{ELLIPSIS} ({len(value)} characters)"
    shown = repr(value)
    return shown if len(shown) <= SHOWN_LIMIT else shown[:SHOWN_LIMIT] + ELLIPSIS
