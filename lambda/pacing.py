"""The waits that keep a stack's Connect calls within its share of the account's quotas.

The construct (contact_streaming/quota.py) puts a stack's streams into DependsOn chains, the
lanes, and writes each stream's place as its Pace property, "lane,position"; the provider's
environment holds the number of lanes and the stack's Start and Stop calls a second. CloudFormation
then works on at most one stream per lane at once, and these waits space the calls within a lane
and stagger the lanes, so the whole stack stays at those rates. A resource or a function without
them (an older template) is not paced.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

# A wait never exceeds this (the construct refuses a share that would need more).
MAX_WAIT_S = 30.0
# A wait ends this long before the caller's deadline for Connect calls.
DEADLINE_MARGIN_S = 1.0


@dataclass(frozen=True)
class Pace:
    """A stream's place in its stack's lanes, and the stack's calls a second."""

    lane: int = 0
    position: int = 0
    lanes: int = 1
    start_per_second: float = math.inf
    stop_per_second: float = math.inf

    def before_start(self) -> float:
        """Seconds to wait before StartContactStreaming.

        A lane's first stream waits its lane's turn (lanes are staggered); a later one waits a
        whole round of the lanes, counted from when CloudFormation, having finished the stream
        before it in the lane, sent this event.
        """
        turns = self.lane if self.position == 0 else self.lanes
        return turns / self.start_per_second

    def before_stop(self) -> float:
        """Seconds to wait before StopContactStreaming: every Delete waits its lane's turn."""
        return self.lane / self.stop_per_second

    def after_stop(self) -> float:
        """Seconds to hold the answer after StopContactStreaming.

        CloudFormation deletes a lane from its end: the lane's next Delete (position - 1) comes
        after this answer, and together with its own wait it leaves a whole round of the lanes.
        """
        if self.position == 0:
            return 0.0
        return (self.lanes - self.lane) / self.stop_per_second


UNPACED = Pace()


def pace_of(properties: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Pace:
    """The pace a resource's Pace property and the function's environment ask for."""
    place = properties.get("Pace")
    try:
        lanes = int(environ["PACE_LANES"])
        start = float(environ["PACE_START_PER_SECOND"])
        stop = float(environ["PACE_STOP_PER_SECOND"])
        lane, position = (int(part) for part in str(place).split(","))
    except (KeyError, ValueError):
        if place is not None or "PACE_LANES" in environ:
            logger.warning("Not pacing: Pace %r, PACE_LANES %r", place, environ.get("PACE_LANES"))
        return UNPACED
    if min(lanes, start, stop) <= 0 or not 0 <= lane < lanes or position < 0:
        logger.warning("Not pacing: Pace %r does not fit %d lanes", place, lanes)
        return UNPACED
    return Pace(lane, position, lanes, start, stop)


def wait(seconds: float, deadline: float) -> float:
    """Sleep `seconds` (at most MAX_WAIT_S), ending before monotonic `deadline`; the time slept."""
    chosen = min(seconds, MAX_WAIT_S, deadline - DEADLINE_MARGIN_S - time.monotonic())
    if chosen <= 0:
        return 0.0
    time.sleep(chosen)
    return chosen
