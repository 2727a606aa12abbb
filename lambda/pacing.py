"""The waits that keep a stack's Connect calls within its share of the account's quotas.

The construct (contact_streaming/quota.py) puts a stack's streams into DependsOn chains, the
lanes, and writes each stream's place as its Pace property, "lane,position"; the provider's
environment holds the number of lanes and the stack's Start and Stop calls a second. CloudFormation
then works on at most one stream per lane at once. Time is cut into slots of 1 / rate seconds on
the wall clock, which every Lambda sandbox shares, and the slots are dealt to the lanes in turn:
a call waits for its lane's next slot. So the stack makes at most one call per slot, never a
burst, however long CloudFormation takes between one stream and the next. The construct makes
more lanes than the quota needs, so that a lane's slot comes round only after CloudFormation's
own time per resource (about 20 s at any share, given streams enough): that time is spent while
the other lanes call.
A resource or a function without these settings (an older template) is not paced.
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

# A wait never exceeds this: one round of the lanes' slowest slots (at most 25 s at the default
# share and quotas); the construct makes fewer lanes, or refuses a share, rather than need more.
MAX_WAIT_S = 65.0
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

    def before_start(self, now: float) -> float:
        """Seconds from wall-clock `now` to this stream's next StartContactStreaming slot."""
        return self.until_slot(now, self.start_per_second)

    def before_stop(self, now: float) -> float:
        """Seconds from wall-clock `now` to this stream's next StopContactStreaming slot."""
        return self.until_slot(now, self.stop_per_second)

    def until_slot(self, now: float, per_second: float) -> float:
        """Seconds until the next slot of this lane, the slots being 1 / `per_second` long.

        The first lane's head calls at once: it is the stack's first Start, and a stack of one
        stream waits for nothing.
        """
        if (self.lane, self.position) == (0, 0) or math.isinf(per_second):
            return 0.0
        slot = 1 / per_second
        upcoming = math.ceil(now / slot)
        mine = upcoming + (self.lane - upcoming) % self.lanes
        return max(0.0, mine * slot - now)


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
    if min(lanes, start, stop) <= 0 or lane < 0 or position < 0:
        logger.warning("Not pacing: Pace %r does not fit %d lanes", place, lanes)
        return UNPACED
    if lane >= lanes:
        # A stream removed by an update that also changed the lane count: its Delete carries its
        # old place. It shares a lane's slots (two calls in a slot at worst), never calls at once.
        # Only the stack's true first stream calls without a slot.
        logger.info("Pace %r from more lanes than %d: using lane %d", place, lanes, lane % lanes)
        lane, position = lane % lanes, max(position, 1)
    return Pace(lane, position, lanes, start, stop)


def wait(seconds: float, deadline: float) -> float:
    """Sleep `seconds` (at most MAX_WAIT_S), ending before monotonic `deadline`; the time slept."""
    chosen = min(seconds, MAX_WAIT_S, deadline - DEADLINE_MARGIN_S - time.monotonic())
    if chosen <= 0:
        return 0.0
    time.sleep(chosen)
    return chosen


def wait_to_start(properties: Mapping[str, Any], deadline: float) -> float:
    """Wait for this resource's next StartContactStreaming slot; the time slept."""
    return wait(pace_of(properties).before_start(time.time()), deadline)


def wait_to_stop(properties: Mapping[str, Any], deadline: float) -> float:
    """Wait for this resource's next StopContactStreaming slot; the time slept."""
    return wait(pace_of(properties).before_stop(time.time()), deadline)
