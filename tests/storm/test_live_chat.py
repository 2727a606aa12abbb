"""The production caller: one new chat a second, standard retries, counting what it sees."""

from __future__ import annotations

import time

from standins.connect import START, ConnectStandIn, Quota
from standins.livechat import LIVE_CHAT, LiveChatCaller

INTERVAL_S = 0.05
RUN_S = 0.6


def test_live_chat_unthrottled_every_call_starts_a_stream(connect: ConnectStandIn) -> None:
    caller = LiveChatCaller(connect, interval_s=INTERVAL_S).start()
    time.sleep(RUN_S)
    figures = caller.stop()

    assert figures.made >= RUN_S / INTERVAL_S / 2
    assert (figures.lost, figures.throttled) == (0, 0)
    assert len(connect.active_streams()) == figures.made
    assert {call.caller for call in connect.calls} == {LIVE_CHAT}


def test_live_chat_always_throttled_three_attempts_then_lost(connect: ConnectStandIn) -> None:
    connect.set_quotas({START: Quota(per_second=0.001, burst=0)})
    caller = LiveChatCaller(connect, interval_s=INTERVAL_S).start()
    time.sleep(RUN_S)
    figures = caller.stop()

    assert figures.made > 0
    assert figures.lost == figures.made
    assert figures.throttled == 3 * figures.made == connect.count(429)
    assert "ThrottlingException" in figures.errors[0]
    assert connect.active_streams() == []


def test_live_chat_half_throttled_counts_match_the_stand_in(connect: ConnectStandIn) -> None:
    connect.set_quotas({START: Quota(per_second=10, burst=1)})
    caller = LiveChatCaller(connect, interval_s=0.02).start()
    time.sleep(RUN_S)
    figures = caller.stop()

    calls = connect.calls_of(START)
    assert figures.throttled == sum(1 for call in calls if call.status == 429) > 0
    assert figures.made - figures.lost == len(connect.active_streams())
    assert figures.made == len({call.body["ContactId"] for call in calls})
