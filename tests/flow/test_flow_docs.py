"""docs/flow-streaming.md states the function's own numbers: budget, retry window, bursts."""

from __future__ import annotations

from flow import flow_handler

from contact_streaming.flow_streaming import TIMEOUT
from tests.conftest import ROOT
from tests.flow.conftest import CONNECT_LIMIT_S, PUBLISHED_START

PAGE = (ROOT / "docs" / "flow-streaming.md").read_text()


def test_flow_docs_budget_and_attempt_bounds_are_the_functions() -> None:
    assert f"within {flow_handler.BUDGET_S:g} s of the invocation's start" in PAGE
    assert (
        f"connect {flow_handler.CONNECT_TIMEOUT_S:g} s, read {flow_handler.READ_TIMEOUT_S:g} s"
        in PAGE
    )
    assert f"{flow_handler.DEADLINE_RESERVE_S:g} s before the Lambda deadline" in PAGE
    assert f"min({flow_handler.BACKOFF_CAP_S:g} s, {flow_handler.BACKOFF_BASE_S:g} s × 2^n)" in PAGE


def test_flow_docs_retry_window_and_burst_follow_from_the_quota() -> None:
    window = flow_handler.BUDGET_S - flow_handler.ATTEMPT_S
    burst = PUBLISHED_START.burst + PUBLISHED_START.per_second * window
    assert f"at most {window:g} s in" in PAGE
    assert (
        f"N ≤ {PUBLISHED_START.burst:g} + {PUBLISHED_START.per_second:g} × {window:g} = {burst:g}"
        in PAGE
    )


def test_flow_docs_timeout_is_the_functions_and_connects_limit() -> None:
    assert TIMEOUT.to_seconds() == CONNECT_LIMIT_S
    assert f"| Timeout | {CONNECT_LIMIT_S:g} seconds" in PAGE
    assert f"timeout {CONNECT_LIMIT_S:g} s" in PAGE
    assert flow_handler.BUDGET_S < CONNECT_LIMIT_S
