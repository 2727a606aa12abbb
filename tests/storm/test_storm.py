"""A storm at CloudFormation's pace: 100 streams, CloudFormation spending 10 s on each resource.

The local CloudFormation engine spends 10 s of its own on each custom resource before invoking
the synthesized handler, as real CloudFormation takes seconds per custom resource, while a
live-chat caller starts one stream a second with standard retries (3 attempts). The deploy and
the destroy must each take at most 1.3 times what the share allows (N / (share x quota)) and lose
nothing.

Why 100 streams, not about 60: no pace can call before CloudFormation has spent its 10 s on the
first resources, so a phase takes at least 10 s + N / 2 s (the default share, 0.4, of Connect's
5 Starts and 5 Stops a second), within 1.3 x N / 2 s only from about 80 streams (60 streams
would need 40 s of the 39 allowed). At 100 (50 lanes of 2) a deploy or a destroy needs about 61 s
of the 65 allowed, leaving a few seconds for this machine's own delays.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from standins.connect import START, STOP
from standins.storm import PhaseFigures, run_storm

STREAMS = 100
RESOURCE_SECONDS = 10.0
MOST_OF_SHARE = 1.3


def summary(figures: PhaseFigures) -> str:
    """One line per phase for the test's output."""
    return (
        f"{figures.phase}: {figures.seconds:.1f} s ({share_ratio(figures):.2f} x the share's "
        f"time), {figures.failed} FAILED, {figures.left_running} left running, "
        f"{figures.stack_throttled} stack calls throttled, "
        f"live chat {figures.live_chat.lost} of {figures.live_chat.made} lost"
    )


def share_ratio(figures: PhaseFigures) -> float:
    """The phase's time over what the share allows."""
    return figures.seconds / (figures.streams / figures.allowed_per_second)


def test_storm_ten_seconds_per_resource_within_share_time_nothing_failed_lost_or_throttled(
    record_property: Callable[[str, object], None],
) -> None:
    deploy, destroy = run_storm(STREAMS, RESOURCE_SECONDS)
    for figures in (deploy, destroy):
        record_property(f"storm_{figures.phase}_seconds", round(figures.seconds, 1))
        print(f"\n{STREAMS} streams at {RESOURCE_SECONDS:g} s per resource, {summary(figures)}")

    assert (deploy.resource_seconds, destroy.resource_seconds) == (10.0, 10.0)
    assert (deploy.failed, deploy.rolled_back, deploy.reasons) == (0, False, ())
    assert destroy.prepared == ""
    assert (destroy.failed, destroy.reasons) == (0, ())
    assert (deploy.left_running, destroy.left_running) == (0, 0)
    # The stack keeps to its share: never throttled, so one call per stream, no burst.
    assert (deploy.stack_throttled, destroy.stack_throttled) == (0, 0)
    assert (deploy.stack_calls[START], destroy.stack_calls[STOP]) == (STREAMS, STREAMS)
    # A 1-second window holds the slots of at most rate + 1 calls, and the first lane's head,
    # which calls at once, may add one more at the start of a deploy or the end of a destroy.
    for figures, operation in ((deploy, START), (destroy, STOP)):
        assert 0 < figures.allowed_per_second < 5
        assert figures.busiest_second[operation] <= math.ceil(figures.allowed_per_second) + 2
    # CloudFormation's 10 s per resource cost no more than the one before the first call.
    assert share_ratio(deploy) <= MOST_OF_SHARE, summary(deploy)
    assert share_ratio(destroy) <= MOST_OF_SHARE, summary(destroy)
    assert deploy.live_chat.made > 0
    assert destroy.live_chat.made > 0
    assert (deploy.live_chat.lost, destroy.live_chat.lost) == (0, 0), deploy.live_chat.errors[:1]
