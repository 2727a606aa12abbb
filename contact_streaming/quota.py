"""How much of Connect's per-account streaming quotas one stack's streams may use.

Connect's StartContactStreaming and StopContactStreaming quotas belong to the account and region,
and the contact centre's own backend calls StartContactStreaming for every new chat. A stack keeps
its own calls to a share of each quota: its streams form `lanes` DependsOn chains (so
CloudFormation works on at most that many at once), and the handler gives each lane its own
time slots (see lambda/pacing.py), so the whole stack makes at most `share` of each quota's calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_SHARE = 0.4
# A lane's turn comes round this often for Starts (lanes = Start calls/s x this): CloudFormation's
# own time between one stream and the next in a lane, up to about this, costs no deploy time.
LANE_SECONDS = 5.0
# A handler may wait this long at most before or after one call (the Lambda times out at 120 s).
MAX_WAIT_S = 30.0


@dataclass(frozen=True)
class ConnectQuotas:
    """The account's Amazon Connect quotas in the stack's region, in requests per second.

    :param start_per_second: the StartContactStreaming quota. Default: 5 (Connect's default).
    :param stop_per_second: the StopContactStreaming quota. Default: 2 (Connect's default; one
        quota table says 5).
    """

    start_per_second: float = 5.0
    stop_per_second: float = 2.0


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
    def lanes(self) -> int:
        """How many streams CloudFormation may work on at once (DependsOn chains)."""
        return max(1, math.ceil(round(self.start_per_second * LANE_SECONDS, 6)))

    def environment(self) -> dict[str, str]:
        """The provider function's environment variables that lambda/pacing.py reads."""
        return {
            "PACE_LANES": str(self.lanes),
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


def quota_share(share: float | None, quotas: ConnectQuotas | None) -> QuotaShare:
    """The share a stream asks for (defaults filled in), checked; ValueError names the bad value."""
    chosen = QuotaShare(
        DEFAULT_SHARE if share is None else share,
        ConnectQuotas() if quotas is None else quotas,
    )
    if not 0 < chosen.share <= 1:
        raise ValueError(
            f"ContactStreaming: quota_share must be more than 0 and at most 1 (a fraction of "
            f"connect_quotas), got {chosen.share!r}; after raising a quota, pass connect_quotas"
        )
    for name in ("start_per_second", "stop_per_second"):
        value = getattr(chosen.quotas, name)
        if not (isinstance(value, int | float) and value > 0 and math.isfinite(value)):
            raise ValueError(
                f"ContactStreaming: connect_quotas.{name} must be a positive number of "
                f"requests per second, got {value!r}"
            )
    longest = chosen.lanes / min(chosen.start_per_second, chosen.stop_per_second)
    if longest > MAX_WAIT_S:
        raise ValueError(
            f"ContactStreaming: {chosen.describe()} leaves "
            f"{chosen.stop_per_second:g} StopContactStreaming calls/s, so one call would wait "
            f"{longest:g} s (at most {MAX_WAIT_S:g}); raise quota_share"
        )
    return chosen


def check_same_share(wanted: QuotaShare, stack_share: QuotaShare, first_path: str) -> None:
    """Raise ValueError when a stream asks for another share than its stack's first stream."""
    if wanted != stack_share:
        raise ValueError(
            f"ContactStreaming: {wanted.describe()} differs from {stack_share.describe()} that "
            f"{first_path!r} set for this stack; the quotas are the account's, so the share is "
            f"per stack: give every ContactStreaming in a stack the same values"
        )
