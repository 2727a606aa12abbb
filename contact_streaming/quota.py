"""How much of Connect's per-account streaming quotas one stack's streams may use.

Connect's StartContactStreaming and StopContactStreaming quotas belong to the account and region,
and the contact centre's own backend calls StartContactStreaming for every new chat. A stack keeps
its own calls to a share of each quota: its streams form `lanes` DependsOn chains (so
CloudFormation works on at most that many at once), and the handler gives each lane its own
time slots (see lambda/pacing.py), so the whole stack makes at most `share` of each quota's calls.

CloudFormation spends seconds of its own on each custom resource before invoking it. A lane's
next stream is invoked only after the previous one answered and that time passed, so a lane's
slot must come round no more often than that: a stack has at least as many lanes as Start calls
fit in LANE_SECONDS where it has the streams (Little's law: calls a second x seconds per call =
calls in progress), more than the quota alone needs. The slots, not the lanes, keep the pace.

The lanes are laid out once the stack's streams are all known (at synth): a deploy lasts as many
rounds of the lanes as the longest lane has streams, and a round in which only some lanes still
have a stream wastes the others' slots, so the lane count is chosen to fill the rounds (e.g. 490
streams in 45 lanes of 10 or 11, 100 in 50 lanes of 2), within the longest wait a handler may
make, and with the fewest lanes whose deploy is within 2% of the soonest (fewer concurrent
invocations for a second or two).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from aws_cdk import Stack, Token
from constructs import Construct

DEFAULT_SHARE = 0.4
# CloudFormation's own time per custom resource that costs a deploy nothing (real CloudFormation
# takes seconds, undocumented), plus the handler's own time between its call and the next
# stream's invocation: a lane's Start slot comes round every LANE_SECONDS.
CLOUDFORMATION_SECONDS = 20.0
HANDLER_SECONDS = 2.0
LANE_SECONDS = CLOUDFORMATION_SECONDS + HANDLER_SECONDS
# A handler may wait this long at most before one call (the Lambda times out at 3 minutes, and
# its Connect calls stop 20 s before that): at most one round of the lanes' slowest slots.
MAX_WAIT_S = 65.0
# A lane count whose deploy is this much slower than the soonest, but has fewer lanes, wins.
LANE_TOLERANCE = 0.02


@dataclass(frozen=True)
class ConnectQuotas:
    """The account's Amazon Connect quotas in the stack's region, in requests per second.

    Connect also allows a burst of 8 calls of each (its API throttling table); the stack's pace
    never bursts (one call per slot), so the burst is no setting here.

    :param start_per_second: the StartContactStreaming quota (Service Quotas L-93412F17).
        Default: 5 (Connect's default).
    :param stop_per_second: the StopContactStreaming quota (Service Quotas L-2FC23A76).
        Default: 5 (Connect's default).
    """

    start_per_second: float = 5.0
    """StartContactStreaming requests a second. Default: 5."""
    stop_per_second: float = 5.0
    """StopContactStreaming requests a second. Default: 5."""


# The CDK context key that holds an account's applied quotas in a region, as CDK's own lookups
# name theirs; `python -m contact_streaming.quota_lookup` writes it into cdk.context.json.
CONTEXT_KEY = "contact-streaming:connect-quotas:account={account}:region={region}"
CONTEXT_FIELDS = {"startPerSecond": "start_per_second", "stopPerSecond": "stop_per_second"}


def context_key(account: str, region: str) -> str:
    """The context key of `account`'s Connect quotas in `region`."""
    return CONTEXT_KEY.format(account=account, region=region)


def context_value(quotas: ConnectQuotas) -> dict[str, float]:
    """The context value that stands for `quotas`."""
    return {key: getattr(quotas, field) for key, field in CONTEXT_FIELDS.items()}


def quotas_from_context(key: str, value: object) -> ConnectQuotas:
    """The quotas a context value gives; ValueError names the key, the value and the form.

    A string (as `cdk synth -c key=value` passes it) is read as JSON.
    """
    parsed = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
    if (
        isinstance(parsed, dict)
        and parsed.keys() == CONTEXT_FIELDS.keys()
        and all(is_number(v) and 0 < v < math.inf for v in parsed.values())
    ):
        return ConnectQuotas(**{CONTEXT_FIELDS[k]: float(v) for k, v in parsed.items()})
    raise ValueError(
        f"ContactStreaming: the context value {key!r} must be "
        f'{{"startPerSecond": <positive number>, "stopPerSecond": <positive number>}}, got '
        f"{value!r}; fix it in cdk.json or cdk.context.json, or run "
        f"`python -m contact_streaming.quota_lookup` to write it again"
    )


def context_quotas(scope: Construct) -> ConnectQuotas | None:
    """The quotas the stack's CDK context holds for its account and region, or None.

    The key is CONTEXT_KEY for the account and region of `scope`'s stack, read from the stack
    (cdk.json, cdk.context.json, `-c`). An environment-agnostic stack (its account or region a
    token) reads none: which account's quotas apply is known only at deploy time.
    """
    stack = Stack.of(scope)
    account, region = stack.account, stack.region
    if Token.is_unresolved(account) or Token.is_unresolved(region):
        return None
    key = context_key(account, region)
    value = stack.node.try_get_context(key)
    return None if value is None else quotas_from_context(key, value)


@dataclass(frozen=True)
class QuotaShare:
    """A stack's share of Connect's quotas, and the lanes and rates that keep to it."""

    share: float
    quotas: ConnectQuotas

    @property
    def start_per_second(self) -> float:
        """StartContactStreaming calls a second the stack may make."""
        return self.share * self.quotas.start_per_second

    @property
    def stop_per_second(self) -> float:
        """StopContactStreaming calls a second the stack may make."""
        return self.share * self.quotas.stop_per_second

    @property
    def most_lanes(self) -> int:
        """The most lanes whose round of the slowest slots stays within MAX_WAIT_S (at least 1)."""
        return max(1, math.floor(round(MAX_WAIT_S * self.slowest_per_second, 6)))

    def lanes_for(self, streams: int) -> int:
        """How many lanes (DependsOn chains) a stack of `streams` streams gets.

        The fewest lanes whose deploy would end within LANE_TOLERANCE of the soonest, if
        CloudFormation spent CLOUDFORMATION_SECONDS on each resource: full rounds of lanes long
        enough to absorb that time, within MAX_WAIT_S. The tolerance keeps a count that gains a
        second or so from taking twice the lanes (and twice the concurrent invocations), e.g.
        129 streams get 65 lanes rather than 129. One stream: one lane.
        """
        counts = range(1, max(1, min(streams, self.most_lanes)) + 1)
        seconds = {lanes: self.worst_deploy_seconds(streams, lanes) for lanes in counts}
        soonest = min(seconds.values())
        return min(lanes for lanes in counts if seconds[lanes] <= soonest * (1 + LANE_TOLERANCE))

    def worst_deploy_seconds(self, streams: int, lanes: int) -> float:
        """A deploy's length after its first call, at worst, with CLOUDFORMATION_SECONDS a resource.

        The longest lane has ceil(streams / lanes) streams; its slot comes round every
        lanes / start_per_second seconds, but a lane's next stream is ready only LANE_SECONDS
        after the previous one's call, so it may use only every so many of its slots; and its
        first slot may come at the end of the first round.
        """
        rounds = math.ceil(streams / lanes)
        round_s = lanes / self.start_per_second
        cycle_s = round_s * math.ceil(round(LANE_SECONDS / round_s, 6))
        return (rounds - 1) * cycle_s + round_s

    @property
    def slowest_per_second(self) -> float:
        """The lower of the Start and Stop rates: its slots make the longest round."""
        return min(self.start_per_second, self.stop_per_second)

    def longest_wait(self, streams: int) -> float:
        """The longest a call may wait for its lane's slot: one round of the slowest slots."""
        return self.lanes_for(streams) / self.slowest_per_second

    def cloudformation_seconds(self, streams: int) -> float:
        """CloudFormation's time per resource that the lanes absorb without slowing a deploy."""
        round_s = self.lanes_for(streams) / self.start_per_second
        return max(0.0, round_s - HANDLER_SECONDS)

    def environment(self, streams: int) -> dict[str, str]:
        """The provider function's environment variables that lambda/pacing.py reads."""
        return {
            "PACE_LANES": str(self.lanes_for(streams)),
            "PACE_START_PER_SECOND": f"{self.start_per_second:g}",
            "PACE_STOP_PER_SECOND": f"{self.stop_per_second:g}",
        }

    def describe(self) -> str:
        """The settings as a user wrote them, for error messages."""
        quotas = self.quotas
        return (
            f"quota_share={self.share!r}, connect_quotas=ConnectQuotas("
            f"start_per_second={quotas.start_per_second!r}, "
            f"stop_per_second={quotas.stop_per_second!r})"
        )


def is_number(value: object) -> bool:
    """True for an int or a float; False for a bool, which Python counts as an int."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def quota_share(
    share: float | None, quotas: ConnectQuotas | None, *, owner: str = "ContactStreaming"
) -> QuotaShare:
    """The share a stream asks for (defaults filled in), checked; ValueError names the bad value."""
    if share is not None and not is_number(share):
        raise ValueError(
            f"{owner}: quota_share must be a number more than 0 and at most 1, got {share!r}"
        )
    chosen = QuotaShare(
        DEFAULT_SHARE if share is None else share,
        ConnectQuotas() if quotas is None else quotas,
    )
    if not 0 < chosen.share <= 1:
        raise ValueError(
            f"{owner}: quota_share must be more than 0 and at most 1 (a fraction of "
            f"connect_quotas), got {chosen.share!r}; after raising a quota, pass connect_quotas"
        )
    for name in ("start_per_second", "stop_per_second"):
        value = getattr(chosen.quotas, name)
        if not (is_number(value) and value > 0 and math.isfinite(value)):
            raise ValueError(
                f"{owner}: connect_quotas.{name} must be a positive number of "
                f"requests per second, got {value!r}"
            )
    slowest = chosen.slowest_per_second
    if 1 / slowest > MAX_WAIT_S:
        stops_slower = chosen.stop_per_second <= chosen.start_per_second
        operation = "StopContactStreaming" if stops_slower else "StartContactStreaming"
        raise ValueError(
            f"{owner}: {chosen.describe()} leaves {slowest:g} {operation} calls/s, so "
            f"one call would wait {1 / slowest:g} s (at most {MAX_WAIT_S:g}); raise quota_share"
        )
    return chosen


def check_same_share(wanted: QuotaShare, stack_share: QuotaShare, first_path: str) -> None:
    """Raise ValueError when a stream asks for another share than its stack's first stream."""
    if wanted != stack_share:
        raise ValueError(
            f"ContactStreaming: {wanted.describe()} differs from {stack_share.describe()} that "
            f"{first_path!r} set for this stack; the quotas are the account's, so the share is "
            f"per stack: set it once, on ContactStreamingProvider(stack, "
            f"'ContactStreamingProvider', ...), and on no ContactStreaming"
        )
