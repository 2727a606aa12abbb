"""Fixtures: a local Connect, started and stopped per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from standins.connect import ConnectStandIn


@pytest.fixture
def connect() -> Iterator[ConnectStandIn]:
    """A fresh Connect stand-in on a free port, without quotas until a test sets them."""
    stand_in = ConnectStandIn().start()
    try:
        yield stand_in
    finally:
        stand_in.stop()
