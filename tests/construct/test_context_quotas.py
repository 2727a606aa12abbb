"""Applied quotas from the CDK context: the key per account and region, props still win."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack

from contact_streaming import ConnectQuotas, ContactStreaming, quota

ACCOUNT = "123456789012"
REGION = "eu-west-2"
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:streaming"
KEY = f"contact-streaming:connect-quotas:account={ACCOUNT}:region={REGION}"
RAISED = {"startPerSecond": 20, "stopPerSecond": 10}


def stack_in(context: dict[str, Any], env: Environment | None = None, **props: Any) -> Stack:
    """A stack with two streams, in an App with `context`, deployed to `env` (ours by default)."""
    stack = Stack(
        App(context=context), "Test", env=env or Environment(account=ACCOUNT, region=REGION)
    )
    for index in range(2):
        ContactStreaming(
            stack,
            f"Stream{index}",
            contact_id=f"contact-{index}",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
            **props,
        )
    return stack


def rates(stack: Stack) -> tuple[str, str]:
    """The provider function's Start and Stop calls a second."""
    app = stack.node.root
    assert isinstance(app, App)
    template = app.synth().get_stack_by_name(stack.stack_name).template
    (function,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    ]
    variables = function["Properties"]["Environment"]["Variables"]
    return variables["PACE_START_PER_SECOND"], variables["PACE_STOP_PER_SECOND"]


def test_context_key_names_account_and_region_like_cdk_lookups() -> None:
    assert quota.context_key(ACCOUNT, REGION) == KEY
    assert quota.context_value(ConnectQuotas(20, 10)) == {
        "startPerSecond": 20,
        "stopPerSecond": 10,
    }


def test_context_quotas_key_for_stack_environment_sets_rates() -> None:
    # The default share, 0.4, of 20 Starts and 10 Stops a second.
    assert rates(stack_in({KEY: RAISED})) == ("8", "4")


def test_context_quotas_json_string_from_command_line_read_as_json() -> None:
    # `cdk synth -c key=value` passes the value as a string.
    assert rates(stack_in({KEY: json.dumps(RAISED)})) == ("8", "4")


def test_context_quotas_props_win_over_context() -> None:
    given = ConnectQuotas(start_per_second=10, stop_per_second=5)
    with pytest.warns(DeprecationWarning, match="connect_quotas is deprecated"):
        stack = stack_in({KEY: RAISED}, connect_quotas=given)
    assert rates(stack) == ("4", "2")


def test_context_quotas_no_key_defaults_connects_published_quotas() -> None:
    assert rates(stack_in({})) == ("2", "2")


def test_context_quotas_other_account_or_region_key_ignored() -> None:
    other = {
        quota.context_key("210987654321", REGION): RAISED,
        quota.context_key(ACCOUNT, "us-east-1"): RAISED,
    }
    assert rates(stack_in(other)) == ("2", "2")


def test_context_quotas_environment_agnostic_stack_reads_none() -> None:
    stack = Stack(App(context={KEY: RAISED}), "Agnostic")
    assert quota.context_quotas(stack) is None


def test_context_quotas_region_only_stack_reads_none() -> None:
    stack = Stack(App(context={KEY: RAISED}), "RegionOnly", env=Environment(region=REGION))
    assert quota.context_quotas(stack) is None


def test_context_quotas_same_for_every_stream_checked_against_props() -> None:
    # The first stream took the context's quotas; a second giving other quotas is refused.
    stack = stack_in({KEY: RAISED})
    with pytest.raises(ValueError, match=r"differs from .*start_per_second=20\.0"):
        ContactStreaming(
            stack,
            "Other",
            contact_id="contact-x",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
            connect_quotas=ConnectQuotas(),
        )


@pytest.mark.parametrize(
    "value",
    [
        {"startPerSecond": 5},
        {"startPerSecond": 5, "stopPerSecond": 5, "burst": 8},
        {"startPerSecond": 0, "stopPerSecond": 5},
        {"startPerSecond": 5, "stopPerSecond": "5"},
        {"startPerSecond": True, "stopPerSecond": 5},
        [5, 5],
        "5",
        "not json",
    ],
)
def test_context_quotas_malformed_value_fails_naming_key_and_value(value: object) -> None:
    with pytest.raises(ValueError, match="context value") as raised:
        stack_in({KEY: value})
    assert KEY in str(raised.value)
    assert repr(value) in str(raised.value)


def test_context_quotas_too_low_fails_naming_the_quota() -> None:
    with pytest.raises(ValueError, match=r"StopContactStreaming calls/s"):
        stack_in({KEY: {"startPerSecond": 5, "stopPerSecond": 0.02}})
