"""The storm runner on the real synthesized stack and handler, at a size within Connect's bursts."""

from __future__ import annotations

from standins.connect import START, STOP, Call
from standins.storm import busiest_second, run_storm

STREAMS = 3  # within both bursts (8 each): nothing is throttled


def calls_at(*times: float) -> list[Call]:
    """Calls made at these moments."""
    return [Call(START, {}, 200, "", at) for at in times]


def test_busiest_second_counts_the_fullest_one_second_window() -> None:
    assert busiest_second([]) == 0
    assert busiest_second(calls_at(0.0, 0.5, 0.99, 1.0, 1.2, 5.0)) == 4
    assert busiest_second(calls_at(0.0, 1.0, 2.0, 3.0)) == 1


def test_storm_within_bursts_deploys_and_destroys_through_the_synthesized_handler() -> None:
    deploy, destroy = run_storm(STREAMS)

    assert (deploy.phase, destroy.phase, deploy.streams) == ("deploy", "destroy", STREAMS)
    assert (deploy.stack_calls, destroy.stack_calls) == (
        {START: STREAMS, STOP: 0},
        {START: 0, STOP: STREAMS},
    )
    assert (deploy.invocations, destroy.invocations) == (STREAMS, STREAMS)
    assert (deploy.failed, destroy.failed, deploy.stack_throttled) == (0, 0, 0)
    assert (deploy.left_running, destroy.left_running) == (0, 0)
    assert not deploy.rolled_back
    assert destroy.prepared == ""
    assert destroy.live_chat.made >= 1
    assert destroy.live_chat.lost == 0
