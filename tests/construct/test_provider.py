"""ContactStreamingProvider: a stack's settings in one place, at a path that never moves."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from aws_cdk import Annotations as CdkAnnotations
from aws_cdk import App, AspectPriority, Aspects, Environment, Stack, Token
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Annotations, Match
from constructs import Construct

from contact_streaming import ConnectQuotas, ContactStreaming, ContactStreamingProvider

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
TOPIC_ARN = "arn:aws:sns:eu-west-2:123456789012:streaming"
PROVIDER = "ContactStreamingProvider"
RAISED = ConnectQuotas(start_per_second=20, stop_per_second=10)


@pytest.fixture
def stack() -> Stack:
    return Stack(App(), "Test")


def add_streams(stack: Stack, count: int = 2, **props: Any) -> list[ContactStreaming]:
    """`count` streams in `stack`, each given `props`."""
    return [
        ContactStreaming(
            stack,
            f"Stream{index}",
            contact_id=f"contact-{index}",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
            **props,
        )
        for index in range(count)
    ]


def template_of(stack: Stack) -> dict[str, Any]:
    """The stack's synthesized template."""
    app = stack.node.root
    assert isinstance(app, App)
    template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    return template


def of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """The template's resources of one type, by logical id."""
    return {k: r for k, r in template["Resources"].items() if r["Type"] == resource_type}


def function_properties(template: dict[str, Any]) -> dict[str, Any]:
    """The provider function's properties."""
    ((_, function),) = of_type(template, "AWS::Lambda::Function").items()
    properties: dict[str, Any] = function["Properties"]
    return properties


def stack_with(streams: int = 2, **settings: Any) -> Stack:
    """A fresh stack whose provider is created explicitly with `settings`, then its streams."""
    stack = Stack(App(), "Test")
    ContactStreamingProvider(stack, PROVIDER, **settings)
    add_streams(stack, streams)
    return stack


def default_stack(streams: int = 2) -> Stack:
    """A fresh stack whose first stream creates the provider."""
    stack = Stack(App(), "Test")
    add_streams(stack, streams)
    return stack


def test_provider_explicit_with_defaults_template_same_as_made_by_stream() -> None:
    assert template_of(stack_with()) == template_of(default_stack())


def test_provider_explicit_settings_keep_every_logical_id_and_service_token() -> None:
    explicit = template_of(
        stack_with(
            quota_share=0.5,
            connect_quotas=RAISED,
            log_retention=logs.RetentionDays.ONE_WEEK,
            memory_size=512,
        )
    )
    default = template_of(default_stack())
    assert explicit["Resources"].keys() == default["Resources"].keys()
    (function_id,) = of_type(explicit, "AWS::Lambda::Function")
    for logical_id, stream in of_type(default, "Custom::ContactStreaming").items():
        token = explicit["Resources"][logical_id]["Properties"]["ServiceToken"]
        assert token == stream["Properties"]["ServiceToken"] == {"Fn::GetAtt": [function_id, "Arn"]}


def test_provider_path_fixed_whatever_scope_in_stack(stack: Stack) -> None:
    inner = Construct(stack, "Inner")
    provider = ContactStreamingProvider(inner, PROVIDER)
    assert provider.node.path == "Test/ContactStreamingProvider"
    assert ContactStreamingProvider.of(inner) is provider


def test_provider_of_returns_explicit_provider(stack: Stack) -> None:
    provider = ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)
    (stream, _) = add_streams(stack)
    assert ContactStreamingProvider.of(stack) is provider
    assert ContactStreamingProvider.of(stream) is provider
    assert ContactStreamingProvider.find(stack) is provider


def test_provider_of_without_one_creates_default_at_fixed_path(stack: Stack) -> None:
    assert ContactStreamingProvider.find(stack) is None
    provider = ContactStreamingProvider.of(stack)
    add_streams(stack)
    assert provider.node.path == "Test/ContactStreamingProvider"
    assert ContactStreamingProvider.of(stack) is provider
    assert len(of_type(template_of(stack), "AWS::Lambda::Function")) == 1


def test_provider_function_role_log_group_are_the_templates_resources(stack: Stack) -> None:
    provider = ContactStreamingProvider(stack, PROVIDER)
    add_streams(stack)
    template = template_of(stack)
    parts = {
        "AWS::Lambda::Function": provider.function,
        "AWS::IAM::Role": provider.role,
        "AWS::Logs::LogGroup": provider.log_group,
    }
    for resource_type, part in parts.items():
        child = part.node.default_child
        assert child is not None
        logical_id = stack.resolve(stack.get_logical_id(child))  # type: ignore[arg-type]
        assert list(of_type(template, resource_type)) == [logical_id]
    (stream, *_) = of_type(template, "Custom::ContactStreaming").values()
    assert stack.resolve(provider.service_token) == stream["Properties"]["ServiceToken"]


@pytest.mark.parametrize("construct_id", ["Provider", "contactstreamingprovider", ""])
def test_provider_other_id_raises(stack: Stack, construct_id: str) -> None:
    with pytest.raises(ValueError, match=r"construct_id must be 'ContactStreamingProvider', got"):
        ContactStreamingProvider(stack, construct_id)
    assert stack.node.try_find_child(PROVIDER) is None


def test_provider_second_explicit_raises(stack: Stack) -> None:
    ContactStreamingProvider(stack, PROVIDER)
    with pytest.raises(ValueError, match="already has a ContactStreamingProvider: a stack has one"):
        ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)


def test_provider_after_first_stream_raises(stack: Stack) -> None:
    add_streams(stack, 1)
    with pytest.raises(ValueError, match=r"made by its first ContactStreaming.*before the stack"):
        ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)


def test_provider_after_of_raises(stack: Stack) -> None:
    ContactStreamingProvider.of(stack)
    with pytest.raises(ValueError, match=r"ContactStreamingProvider\.of"):
        ContactStreamingProvider(stack, PROVIDER)


def test_provider_each_stack_its_own() -> None:
    app = App()
    stack, other = Stack(app, "Test"), Stack(app, "Other")
    first = ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)
    second = ContactStreamingProvider(other, PROVIDER, quota_share=0.2)
    assert ContactStreamingProvider.of(other) is second is not first


def test_provider_quota_settings_pace_the_function() -> None:
    environment = function_properties(
        template_of(stack_with(quota_share=0.5, connect_quotas=RAISED))
    )["Environment"]["Variables"]
    assert environment == {
        "PACE_LANES": "2",
        "PACE_START_PER_SECOND": "10",
        "PACE_STOP_PER_SECOND": "5",
    }


def test_provider_log_retention_and_memory_size_in_template() -> None:
    template = template_of(stack_with(log_retention=logs.RetentionDays.ONE_WEEK, memory_size=1024))
    assert function_properties(template)["MemorySize"] == 1024
    ((_, group),) = of_type(template, "AWS::Logs::LogGroup").items()
    assert group["Properties"]["RetentionInDays"] == 7


def test_provider_defaults_three_months_256_mb() -> None:
    template = template_of(stack_with())
    assert function_properties(template)["MemorySize"] == 256
    ((_, group),) = of_type(template, "AWS::Logs::LogGroup").items()
    assert group["Properties"]["RetentionInDays"] == 90


@pytest.mark.parametrize(
    "memory_size", [64, 127, 10241, 256.5, True, "256", float("nan"), float("inf")]
)
def test_provider_memory_size_bad_raises(stack: Stack, memory_size: Any) -> None:
    with pytest.raises(ValueError, match=r"memory_size must be a whole number of MB from 128"):
        ContactStreamingProvider(stack, PROVIDER, memory_size=memory_size)


def test_provider_memory_size_token_passes(stack: Stack) -> None:
    token = Token.as_number({"Ref": "Memory"})
    provider = ContactStreamingProvider(stack, PROVIDER, memory_size=token)
    assert provider.node.path == "Test/ContactStreamingProvider"


@pytest.mark.parametrize("log_retention", [7, "ONE_WEEK"])
def test_provider_log_retention_bad_raises(stack: Stack, log_retention: Any) -> None:
    with pytest.raises(ValueError, match=r"log_retention must be a logs\.RetentionDays"):
        ContactStreamingProvider(stack, PROVIDER, log_retention=log_retention)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"quota_share": 0}, r"ContactStreamingProvider: quota_share must be more than 0"),
        ({"quota_share": "half"}, r"ContactStreamingProvider: quota_share must be a number"),
        (
            {"connect_quotas": ConnectQuotas(stop_per_second=-1)},
            r"ContactStreamingProvider: connect_quotas\.stop_per_second must be a positive",
        ),
    ],
)
def test_provider_bad_quota_setting_raises_adds_nothing(
    stack: Stack, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ContactStreamingProvider(stack, PROVIDER, **settings)
    assert stack.node.try_find_child(PROVIDER) is None


@pytest.mark.parametrize("prop", ["quota_share", "connect_quotas"])
def test_contact_streaming_per_stream_setting_warns_python_at_callers_line(
    stack: Stack, prop: str
) -> None:
    value = {"quota_share": 0.5, "connect_quotas": RAISED}[prop]
    with pytest.warns(DeprecationWarning, match="is deprecated") as record:
        add_streams(stack, 1, **{prop: value})
    (warning,) = record
    assert warning.filename == __file__
    assert str(warning.message).startswith(f"ContactStreaming: {prop} is deprecated")
    assert f"ContactStreamingProvider(stack, 'ContactStreamingProvider', {prop}=...)" in str(
        warning.message
    )


@pytest.mark.parametrize("prop", ["quota_share", "connect_quotas"])
def test_contact_streaming_per_stream_setting_warns_cdk_annotation(stack: Stack, prop: str) -> None:
    value = {"quota_share": 0.5, "connect_quotas": RAISED}[prop]
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        add_streams(stack, 2, **{prop: value})
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(f"{prop} is deprecated.*ContactStreamingProvider")
    )
    assert sorted(w.id for w in found) == ["/Test/Stream0", "/Test/Stream1"]


def test_contact_streaming_without_per_stream_settings_no_warning(stack: Stack) -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)
        add_streams(stack)
    assert [w for w in record if issubclass(w.category, DeprecationWarning)] == []
    found = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("deprecated"))
    assert found == []


def test_contact_streaming_per_stream_share_without_provider_settings_still_applies() -> None:
    stack = Stack(App(), "Test")
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        add_streams(stack, 2, quota_share=0.5, connect_quotas=RAISED)
    environment = function_properties(template_of(stack))["Environment"]["Variables"]
    assert environment["PACE_START_PER_SECOND"] == "10"
    assert environment["PACE_STOP_PER_SECOND"] == "5"


def test_contact_streaming_per_stream_share_equal_to_provider_accepted(stack: Stack) -> None:
    ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        add_streams(stack, 2, quota_share=0.5)
    environment = function_properties(template_of(stack))["Environment"]["Variables"]
    assert environment["PACE_START_PER_SECOND"] == "2.5"


def test_contact_streaming_quota_share_differs_from_provider_raises_naming_both(
    stack: Stack,
) -> None:
    ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)
    with pytest.raises(
        ValueError,
        match=r"quota_share=0\.3 differs from ContactStreamingProvider's quota_share=0\.5",
    ):
        add_streams(stack, 1, quota_share=0.3)
    assert stack.node.try_find_child("Stream0") is None


def test_contact_streaming_connect_quotas_differs_from_provider_raises_naming_both(
    stack: Stack,
) -> None:
    ContactStreamingProvider(stack, PROVIDER, connect_quotas=RAISED)
    with pytest.raises(
        ValueError,
        match=r"connect_quotas=ConnectQuotas\(start_per_second=5.*differs from "
        r"ContactStreamingProvider's connect_quotas=ConnectQuotas\(start_per_second=20",
    ):
        add_streams(stack, 1, connect_quotas=ConnectQuotas())


def test_provider_setting_first_then_per_stream_for_the_other(stack: Stack) -> None:
    ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        add_streams(stack, 2, connect_quotas=RAISED)
    environment = function_properties(template_of(stack))["Environment"]["Variables"]
    assert environment["PACE_START_PER_SECOND"] == "10"
    assert environment["PACE_STOP_PER_SECOND"] == "5"


def test_provider_set_streams_differ_from_each_other_still_raises(stack: Stack) -> None:
    ContactStreamingProvider(stack, PROVIDER, quota_share=0.5)
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        add_streams(stack, 1, connect_quotas=RAISED)
    with pytest.raises(ValueError, match=r"differs from .* that 'Test/Stream0' set"):
        ContactStreaming(
            stack,
            "Other",
            contact_id="contact-x",
            instance_id=INSTANCE_ID,
            streaming_endpoint_arn=TOPIC_ARN,
        )


def test_lane_layout_declared_mutating_aspect(stack: Stack) -> None:
    add_streams(stack, 1)
    provider = ContactStreamingProvider.of(stack)
    applied = [(type(a.aspect).__name__, a.priority) for a in Aspects.of(provider).applied]
    assert applied == [("_LaneLayout", AspectPriority.MUTATING)]


ACCOUNT = "123456789012"
REGION = "eu-west-2"
CONTEXT = {
    f"contact-streaming:connect-quotas:account={ACCOUNT}:region={REGION}": {
        "startPerSecond": 10,
        "stopPerSecond": 10,
    }
}


def rates_in_context(**settings: Any) -> tuple[str, str]:
    """The Start and Stop rates of a stack in CONTEXT's environment, its provider explicit."""
    stack = Stack(App(context=CONTEXT), "Test", env=Environment(account=ACCOUNT, region=REGION))
    ContactStreamingProvider(stack, PROVIDER, **settings)
    add_streams(stack)
    variables = function_properties(template_of(stack))["Environment"]["Variables"]
    return variables["PACE_START_PER_SECOND"], variables["PACE_STOP_PER_SECOND"]


def test_provider_connect_quotas_win_over_context() -> None:
    assert rates_in_context(connect_quotas=RAISED) == ("8", "4")


def test_provider_without_connect_quotas_reads_context() -> None:
    assert rates_in_context() == ("4", "4")
    assert rates_in_context(quota_share=0.5) == ("5", "5")


def test_provider_share_checked_against_context_quotas() -> None:
    # 0.005 of the context's 10/s is 0.05 calls/s, a 20 s wait: fine; of 1/s it would not be.
    slow = {
        **CONTEXT,
        f"contact-streaming:connect-quotas:account={ACCOUNT}:region={REGION}": {
            "startPerSecond": 1,
            "stopPerSecond": 1,
        },
    }
    assert rates_in_context(quota_share=0.005) == ("0.05", "0.05")
    stack = Stack(App(context=slow), "Slow", env=Environment(account=ACCOUNT, region=REGION))
    with pytest.raises(ValueError, match=r"ContactStreamingProvider: quota_share=0\.005.*wait"):
        ContactStreamingProvider(stack, PROVIDER, quota_share=0.005)


def test_contact_streaming_deprecation_warning_acknowledged_by_its_documented_id(
    stack: Stack,
) -> None:
    CdkAnnotations.of(stack).acknowledge_warning("contact-streaming:ContactStreaming.quota_share")
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        add_streams(stack, 1, quota_share=0.5, connect_quotas=RAISED)
    found = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("deprecated"))
    # The quota_share warning is acknowledged; the connect_quotas one, another id, stays.
    assert len(found) == 1
    assert "connect_quotas is deprecated" in str(found[0].entry.data)


def test_provider_id_taken_by_another_construct_raises(stack: Stack) -> None:
    Construct(stack, PROVIDER)
    with pytest.raises(ValueError, match=r"already has another construct with the id"):
        ContactStreamingProvider(stack, PROVIDER)
