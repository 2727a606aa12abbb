"""Connect calls stop in time: the handler's clock, not the retry count, bounds an invocation."""

from __future__ import annotations

import time
from typing import Any

import handler
import pytest
from botocore.config import Config
from botocore.retries.standard import ThrottledRetryableChecker

from contact_streaming.provider import TIMEOUT


def setting(config: Config, name: str) -> Any:
    """A Config option (botocore's stubs do not declare them)."""
    return getattr(config, name)


class Context:
    """A Lambda context with `seconds` left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def test_clock_one_attempt_after_connect_deadline_still_leaves_time_to_settle() -> None:
    config = handler.CLIENT_CONFIG
    attempt_s = float(setting(config, "connect_timeout")) + float(setting(config, "read_timeout"))
    # The last attempt may start just before the Connect deadline and run its full timeouts;
    # an Update then settles until SETTLE_RESERVE_S before the end, leaving crhelper time.
    assert attempt_s + 5 <= handler.RESERVE_S - handler.SETTLE_RESERVE_S
    # The provider's timeout leaves the whole reserve (the clock uses at most a quarter).
    assert TIMEOUT.to_seconds() / 4 >= handler.RESERVE_S


def test_clock_full_lambda_time_connect_stops_reserve_before_end() -> None:
    clock = handler.Clock()
    clock.start(Context(120))

    assert clock.lambda_end - clock.connect_end == pytest.approx(handler.RESERVE_S)
    clock.check()  # well before the deadline: no error


def test_clock_short_time_reserves_a_quarter() -> None:
    clock = handler.Clock()
    clock.start(Context(8))

    assert clock.lambda_end - clock.connect_end == pytest.approx(2.0)


def test_clock_past_connect_deadline_refuses_attempt_naming_time_left() -> None:
    clock = handler.Clock()
    clock.start(Context(1.0))
    time.sleep(0.8)

    with pytest.raises(handler.ConnectDeadlineError, match=r"gave up 0\.\d s before the Lambda"):
        clock.check()


def test_clock_settling_extends_connect_deadline() -> None:
    clock = handler.Clock()
    clock.start(Context(120))
    clock.extend_for_settling()

    assert clock.lambda_end - clock.connect_end == pytest.approx(handler.SETTLE_RESERVE_S)


class Answer:
    """The HTTP part of a botocore response tuple."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def error(code: str) -> dict[str, Any]:
    """The parsed part of a botocore response tuple for an error answer."""
    return {"Error": {"Code": code, "Message": "Rate exceeded"}}


def test_clock_before_retry_backoff_could_overrun_refuses() -> None:
    clock = handler.Clock()
    clock.start(Context(8))  # Connect deadline 6 s away

    clock.before_retry(attempts=1, response=(Answer(429), {}))  # backoff ≤ 1 s: fine
    with pytest.raises(handler.ConnectDeadlineError):
        clock.before_retry(attempts=4, response=(Answer(429), {}))  # backoff up to 8 s


def test_clock_before_retry_answer_not_retried_never_refuses() -> None:
    clock = handler.Clock()
    clock.start(Context(8))

    # A success or a 4xx that botocore will not retry must surface as itself.
    clock.before_retry(attempts=9, response=(Answer(200), {}))
    clock.before_retry(attempts=9, response=(Answer(404), {}))


def test_clock_before_retry_server_errors_back_off_briefly() -> None:
    clock = handler.Clock()
    clock.start(Context(8))

    # botocore backs off 50 ms * 2**n after a 5xx or a dropped connection, 1 s * 2**n after 429.
    clock.before_retry(attempts=6, response=(Answer(500), {}))
    clock.before_retry(attempts=6, caught_exception=ConnectionError("reset"))


def test_clock_before_retry_last_attempt_lets_botocores_error_stand() -> None:
    clock = handler.Clock()
    clock.start(Context(8))

    # After the last attempt no backoff follows: the real error (e.g. a 500) must surface.
    clock.before_retry(attempts=handler.MAX_ATTEMPTS, response=(Answer(429), {}))


@pytest.mark.parametrize("code", sorted(handler.THROTTLING_CODES))
def test_clock_before_retry_throttled_400_backoff_could_overrun_refuses(code: str) -> None:
    clock = handler.Clock()
    clock.start(Context(8))  # Connect deadline 6 s away

    clock.before_retry(attempts=1, response=(Answer(400), error(code)))
    with pytest.raises(handler.ConnectDeadlineError):
        clock.before_retry(attempts=4, response=(Answer(400), error(code)))


def test_clock_throttling_codes_are_ones_botocore_retries() -> None:
    retried = getattr(ThrottledRetryableChecker, "_THROTTLED_ERROR_CODES", [])
    assert set(retried) >= handler.THROTTLING_CODES
