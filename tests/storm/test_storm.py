"""A storm at about 60 streams: deploy and destroy at Connect's default quotas lose nothing.

The local CloudFormation engine invokes every stream at once through the synthesized handler,
while a live-chat caller starts one stream a second with standard retries (3 attempts).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from standins.connect import START, STOP
from standins.storm import PhaseFigures, run_storm

STREAMS = 60


def summary(figures: PhaseFigures) -> str:
    """One line per phase for the test's output."""
    return (
        f"{figures.phase}: {figures.seconds:.1f} s, {figures.failed} FAILED, "
        f"{figures.left_running} left running, {figures.stack_throttled} stack calls throttled, "
        f"live chat {figures.live_chat.lost} of {figures.live_chat.made} lost"
    )


def test_storm_sixty_streams_no_failure_nothing_left_running_no_live_chat_lost(
    record_property: Callable[[str, object], None],
) -> None:
    deploy, destroy = run_storm(STREAMS)
    for figures in (deploy, destroy):
        record_property(f"storm_{figures.phase}_seconds", round(figures.seconds, 1))
        print(f"\n{STREAMS} streams, {summary(figures)}")

    assert (deploy.failed, deploy.rolled_back, deploy.reasons) == (0, False, ())
    assert deploy.stack_calls[START] >= STREAMS
    assert destroy.prepared == ""
    assert (destroy.failed, destroy.reasons) == (0, ())
    assert destroy.stack_calls[STOP] >= STREAMS
    assert (deploy.left_running, destroy.left_running) == (0, 0)
    # The stack keeps to its share: never throttled, so one call per stream, no burst.
    assert (deploy.stack_throttled, destroy.stack_throttled) == (0, 0)
    assert (deploy.stack_calls[START], destroy.stack_calls[STOP]) == (STREAMS, STREAMS)
    # A 1-second window holds the slots of at most rate + 1 calls, and the first lane's head,
    # which calls at once, may add one more at the start of a deploy or the end of a destroy.
    for figures, operation in ((deploy, START), (destroy, STOP)):
        assert 0 < figures.allowed_per_second < 5
        assert figures.busiest_second[operation] <= math.ceil(figures.allowed_per_second) + 2
    assert deploy.live_chat.made > 0
    assert destroy.live_chat.made > 0
    assert (deploy.live_chat.lost, destroy.live_chat.lost) == (0, 0), deploy.live_chat.errors[:1]
