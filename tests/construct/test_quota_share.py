"""The stack's share of Connect's quotas: lanes, the provider's rates, the Pace of each stream."""

from __future__ import annotations

import re
from typing import Any

import pacing
import pytest
from aws_cdk import App, Stack

from contact_streaming import ConnectQuotas, ContactStreaming, quota

# These tests give the share per stream, the deprecated way that must keep working; its warning
# is tested in tests/construct/test_provider.py, and the provider's own settings there too.
pytestmark = pytest.mark.filterwarnings("ignore:ContactStreaming.*is deprecated:DeprecationWarning")

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
TOPIC_ARN = "arn:aws:sns:eu-west-2:123456789012:streaming"


def stack_with(count: int, **props: Any) -> Stack:
    """A stack with `count` streams, all given `props`."""
    stack = Stack(App(), "Test")
    for index in range(count):
        ContactStreaming(
            stack,
            f"Stream{index}",
            contact_id=f"contact-{index}",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
            **props,
        )
    return stack


def template_of(stack: Stack) -> dict[str, Any]:
    """The synthesized template."""
    app = stack.node.root
    assert isinstance(app, App)
    template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    return template


def streams(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Custom::ContactStreaming resources by logical id."""
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "Custom::ContactStreaming"
    }


def function_environment(template: dict[str, Any]) -> dict[str, str]:
    """The provider function's environment variables."""
    (function,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    ]
    variables: dict[str, str] = function["Properties"]["Environment"]["Variables"]
    return variables


def test_quota_share_default_one_stream_one_lane_two_starts_two_stops() -> None:
    environment = function_environment(template_of(stack_with(1)))
    assert environment == {
        "PACE_LANES": "1",
        "PACE_START_PER_SECOND": "2",
        "PACE_STOP_PER_SECOND": "2",
    }


def test_connect_quotas_default_is_connects_published_five_and_five() -> None:
    # Service Quotas L-93412F17 and L-2FC23A76: 5 requests/s each (burst 8, which we never use).
    assert ConnectQuotas() == ConnectQuotas(start_per_second=5, stop_per_second=5)


@pytest.mark.parametrize(
    ("count", "lanes"),
    [(2, 2), (10, 10), (60, 60), (86, 86), (87, 44), (90, 45), (100, 50), (129, 65), (490, 45)],
)
def test_quota_share_default_lanes_fill_rounds_absorb_twenty_seconds(
    count: int, lanes: int
) -> None:
    chosen = quota.quota_share(None, None)
    assert chosen.lanes_for(count) == lanes
    # Up to 86 streams each heads its own lane (a round of 86 slots, 43 s, is within 65 s);
    # beyond, each lane's Start slot comes round every 22 s or more (20 s of CloudFormation's
    # time per resource and 2 s of the handler's), and a Stop slot as often.
    if count > 86:
        assert lanes / chosen.start_per_second >= quota.LANE_SECONDS == 22
        assert chosen.cloudformation_seconds(count) >= quota.CLOUDFORMATION_SECONDS == 20
    assert chosen.longest_wait(count) <= quota.MAX_WAIT_S == 65


def test_quota_share_lanes_for_490_streams_fewest_lanes_within_two_percent() -> None:
    # The lanes of 490 streams (45) are checked above, and on a synthesized stack in tests/scale
    # (PACE_LANES 45, and 45 lane heads).
    chosen = quota.quota_share(None, None)
    # 49 lanes of 10 would end 2.5 s (1%) sooner with 4 more lanes; 44 lanes 17 s later.
    assert chosen.worst_deploy_seconds(490, 45) == 247.5
    assert chosen.worst_deploy_seconds(490, 49) == 245.0
    assert chosen.worst_deploy_seconds(490, 44) == 264.0


def test_quota_share_default_lanes_at_most_86_for_any_stack_up_to_1000_streams() -> None:
    chosen = quota.quota_share(None, None)
    counts = {streams: chosen.lanes_for(streams) for streams in range(1, 1001)}
    assert max(counts.values()) == 86
    for streams, lanes in counts.items():
        soonest = min(
            chosen.worst_deploy_seconds(streams, other)
            for other in range(1, min(streams, chosen.most_lanes) + 1)
        )
        assert chosen.worst_deploy_seconds(streams, lanes) <= soonest * (1 + quota.LANE_TOLERANCE)


def test_quota_share_single_stream_first_lane_head_depends_on_no_stream() -> None:
    (resource,) = streams(template_of(stack_with(1))).values()
    assert resource["Properties"]["Pace"] == "0,0"
    assert "DependsOn" not in resource


def test_quota_share_streams_fill_lanes_in_turn_each_after_lane_predecessor() -> None:
    resources = streams(template_of(stack_with(100)))
    by_place = {r["Properties"]["Pace"]: name for name, r in resources.items()}
    # 100 streams: 50 lanes of 2 (two full rounds of 25 s of Start slots).
    assert sorted(by_place) == sorted(f"{n % 50},{n // 50}" for n in range(100))
    for place, name in by_place.items():
        lane, position = place.split(",")
        before = by_place.get(f"{lane},{int(position) - 1}")
        assert resources[name].get("DependsOn", []) == ([before] if before else [])


def test_quota_share_raised_quota_and_share_more_lanes_and_rates() -> None:
    raised = ConnectQuotas(start_per_second=20, stop_per_second=10)
    environment = function_environment(
        template_of(stack_with(2, quota_share=0.5, connect_quotas=raised))
    )
    assert environment == {
        "PACE_LANES": "2",
        "PACE_START_PER_SECOND": "10",
        "PACE_STOP_PER_SECOND": "5",
    }


def test_quota_share_changed_only_pace_environment_and_order_change() -> None:
    before = streams(template_of(stack_with(60)))
    after = streams(template_of(stack_with(60, quota_share=0.2)))
    assert quota.quota_share(0.2, None).lanes_for(60) == 30
    assert before.keys() == after.keys()
    for name, resource in before.items():
        kept = {k: v for k, v in resource["Properties"].items() if k != "Pace"}
        assert {k: v for k, v in after[name]["Properties"].items() if k != "Pace"} == kept
    assert sorted(r["Properties"]["Pace"] for r in after.values()) == sorted(
        f"{n % 30},{n // 30}" for n in range(60)
    )


@pytest.mark.parametrize("share", [0, -0.1, 1.01, 5])
def test_quota_share_out_of_range_fails_naming_value(share: float) -> None:
    with pytest.raises(ValueError, match=rf"quota_share must be .* got {share!r}"):
        stack_with(1, quota_share=share)


@pytest.mark.parametrize("field", ["start_per_second", "stop_per_second"])
@pytest.mark.parametrize("value", [0, -2, float("inf")])
def test_connect_quotas_not_positive_fails_naming_field(field: str, value: float) -> None:
    quotas = ConnectQuotas(**{field: value})
    with pytest.raises(ValueError, match=rf"connect_quotas\.{field} must be .* got {value!r}"):
        stack_with(1, connect_quotas=quotas)


def test_quota_share_so_small_a_call_waits_too_long_fails() -> None:
    # One lane: a Stop slot comes round every 1 / (0.002 x 5) = 100 s.
    with pytest.raises(
        ValueError, match=r"quota_share=0\.002.* 0\.01 StopContactStreaming calls/s, .* wait 100 s"
    ):
        stack_with(1, quota_share=0.002)


@pytest.mark.parametrize(
    ("share", "quotas", "count"),
    [
        (0.4, ConnectQuotas(), 490),
        (0.2, ConnectQuotas(), 490),
        (1, ConnectQuotas(), 490),
        (0.5, ConnectQuotas(20, 10), 490),
    ],
)
def test_quota_share_lanes_round_absorbs_cloudformation_seconds_waits_bounded(
    share: float, quotas: ConnectQuotas, count: int
) -> None:
    chosen = quota.quota_share(share, quotas)
    assert chosen.lanes_for(count) / chosen.start_per_second >= quota.LANE_SECONDS
    assert chosen.cloudformation_seconds(count) >= quota.CLOUDFORMATION_SECONDS
    assert chosen.longest_wait(count) <= quota.MAX_WAIT_S


def test_quota_share_starts_far_above_stops_fewer_lanes_wait_at_most_bound() -> None:
    # 20 Starts but 2 Stops a second: 440 lanes would make a Stop wait 220 s; at most 130 lanes
    # keep it within 65 s, and absorb less of CloudFormation's time per resource than 20 s.
    chosen = quota.quota_share(1, ConnectQuotas(start_per_second=20, stop_per_second=2))
    assert chosen.most_lanes == 130
    lanes = chosen.lanes_for(490)
    assert lanes <= 130
    assert chosen.longest_wait(490) <= quota.MAX_WAIT_S
    assert chosen.cloudformation_seconds(490) < quota.CLOUDFORMATION_SECONDS


def test_quota_share_smallest_lane_count_one_when_rates_are_low() -> None:
    chosen = quota.quota_share(0.004, None)
    assert (chosen.most_lanes, chosen.lanes_for(490), chosen.longest_wait(490)) == (1, 1, 50.0)


def test_quota_share_two_streams_disagree_fails_naming_both_adds_nothing() -> None:
    stack = stack_with(1)
    with pytest.raises(ValueError, match=r"quota_share=0\.6.* differs from quota_share=0\.4.*"):
        ContactStreaming(
            stack,
            "Other",
            contact_id="contact-x",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
            quota_share=0.6,
        )
    assert stack.node.try_find_child("Other") is None
    assert len(streams(template_of(stack))) == 1


def test_quota_share_default_given_explicitly_agrees_with_default() -> None:
    stack = stack_with(1)
    ContactStreaming(
        stack,
        "Other",
        contact_id="contact-x",
        instance_id=INSTANCE_ID,
        streaming_endpoint_arn=TOPIC_ARN,
        quota_share=quota.DEFAULT_SHARE,
        connect_quotas=ConnectQuotas(),
    )
    assert len(streams(template_of(stack))) == 2


def test_quota_share_per_stack_other_stack_may_differ() -> None:
    app = App()
    for name, share in (("One", 0.4), ("Two", 0.8)):
        stack = Stack(app, name)
        ContactStreaming(
            stack,
            "Stream",
            contact_id="contact-1",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
            quota_share=share,
        )
    assembly = app.synth()
    lanes = [
        function_environment(assembly.get_stack_by_name(name).template)["PACE_LANES"]
        for name in ("One", "Two")
    ]
    assert lanes == ["1", "1"]


def test_quota_share_environment_is_what_the_handlers_pacing_reads() -> None:
    environment = quota.quota_share(0.4, None).environment(490)
    read = pacing.pace_of({"Pace": "3,1"}, environment)
    assert read == pacing.Pace(3, 1, 45, 2.0, 2.0)
    assert quota.MAX_WAIT_S == pacing.MAX_WAIT_S


@pytest.mark.parametrize("share", ["0.4", True, False, [0.4]])
def test_quota_share_not_number_fails_naming_value(share: object) -> None:
    pattern = rf"quota_share must be a number .*got {re.escape(repr(share))}"
    with pytest.raises(ValueError, match=pattern):
        stack_with(1, quota_share=share)


@pytest.mark.parametrize("field", ["start_per_second", "stop_per_second"])
def test_connect_quotas_bool_fails_naming_field(field: str) -> None:
    with pytest.raises(ValueError, match=rf"connect_quotas.{field} must be .*got True"):
        stack_with(1, connect_quotas=ConnectQuotas(**{field: True}))
