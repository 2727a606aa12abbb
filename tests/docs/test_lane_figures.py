"""The lane figures the docs quote at the default share are the ones quota.py gives."""

from __future__ import annotations

import pytest

from contact_streaming.quota import QuotaShare, quota_share
from tests.conftest import ROOT

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def default() -> QuotaShare:
    return quota_share(None, None)


def page(name: str) -> str:
    """A docs page's text with its line breaks read as spaces."""
    return " ".join((DOCS / name).read_text().split())


def test_lane_figures_490_streams_45_lanes_round_22_5_s(default: QuotaShare) -> None:
    assert default.lanes_for(490) == 45
    assert default.longest_wait(490) == 22.5
    assert "at 490 streams 22.5 s" in page("many-streams.md")
    assert "490 streams: 45 lanes of 10 or 11" in page("many-streams.md")
    assert "streams, 22.5 s at 490" in page("pace.md")
    assert "45 DependsOn lanes (10 or 11 streams each)" in page("tests-and-benchmarks.md")


def test_lane_figures_485_to_486_streams_49_lanes_to_45(default: QuotaShare) -> None:
    assert (default.lanes_for(485), default.lanes_for(486)) == (49, 45)
    assert "485 to 486 streams: 49 lanes to 45" in page("many-streams.md")
    assert "485 -> 486 streams goes from 49 lanes to 45" in page("pace.md")


def test_lane_figures_at_most_86_lanes_up_to_1000_streams(default: QuotaShare) -> None:
    assert max(default.lanes_for(n) for n in range(1, 1001)) == 86
    assert [n for n in range(1, 1001) if default.lanes_for(n) == n][-1] == 86
    assert default.lanes_for(129) == 65
    assert "129 streams get 65 lanes" in page("pace.md")
    assert "at most 86 run at once at the default share" in page("pace.md")
