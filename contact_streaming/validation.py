"""Synth-time checks of ContactStreaming and StreamingEndpoint props (tokens pass through).

The length limits are those of Connect's StartContactStreaming model in botocore; a test keeps
them in step with it. The handler checks the same things again at deploy time.
"""

from __future__ import annotations

import re

from aws_cdk import RemovalPolicy, Token

# The construct an error names; StreamingEndpoint passes its own name.
OWNER = "ContactStreaming"
# aws-cdk-lib's own pre-check (ANY_TOKEN_MARKER): a string without it is never a token.
CDK_TOKEN_MARK = "Token["  # noqa: S105 - not a password
INSTANCE_ID_LIMITS = (1, 100)
CONTACT_ID_LIMITS = (1, 256)
ENDPOINT_ARN_LIMITS = (1, 350)
INSTANCE_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:connect:(?P<region>[a-z]{2}(-[a-z]+)+-\d{1,2}):(?P<account>\d{12}):instance/(?P<id>[^/]+)$"
)
TOPIC_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:sns:(?P<region>[a-z]{2}(-[a-z]+)+-\d{1,2}):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$"
)


def known(value: str | None) -> bool:
    """True when `value` is a literal string rather than a token resolved at deploy time."""
    if value is None:
        return False
    # Without the marker no call to jsii is needed: many streams would make many calls.
    return CDK_TOKEN_MARK not in value or not Token.is_unresolved(value)


def check_length(prop: str, value: str, limits: tuple[int, int], *, owner: str = OWNER) -> None:
    """Raise ValueError unless a known `value` has a length within `limits`."""
    low, high = limits
    if known(value) and not low <= len(value) <= high:
        raise ValueError(
            f"{owner}: {prop} must be {low}-{high} characters, "
            f"got {value!r} ({len(value)} characters)"
        )


def check_string(prop: str, value: object, *, owner: str = OWNER) -> str:
    """`value`, if it is a string (a literal or a token); else ValueError."""
    if not isinstance(value, str):
        raise ValueError(f"{owner}: {prop} must be a string (a literal or a token), got {value!r}")
    return value


def check_id(prop: str, value: object, limits: tuple[int, int], *, owner: str = OWNER) -> None:
    """Raise ValueError unless `value` is a string within `limits` with more than whitespace."""
    text = check_string(prop, value, owner=owner)
    check_length(prop, text, limits, owner=owner)
    if known(text) and not text.strip():
        raise ValueError(f"{owner}: {prop} must not be blank, got {text!r}")


def check_topic(topic: object, instead: str, *, owner: str = OWNER) -> None:
    """Raise ValueError unless `topic` looks like an sns.ITopic; `instead` says what to do."""
    if isinstance(topic, str) or not hasattr(type(topic), "topic_arn"):
        raise ValueError(f"{owner}: topic must be an sns.ITopic, got {topic!r}; {instead}")


def check_exactly_one(
    first: str,
    first_value: object,
    second: str,
    second_value: object,
    *,
    owner: str = OWNER,
) -> None:
    """Raise ValueError unless exactly one of two alternative props is given."""
    if (first_value is None) == (second_value is None):
        given = "both" if first_value is not None else "neither"
        raise ValueError(
            f"{owner}: pass exactly one of {first} and {second}, got {given} "
            f"({first}={first_value!r}, {second}={second_value!r})"
        )


def check_one_of(props: dict[str, object], *, owner: str = OWNER) -> str:
    """The name of the one prop of `props` that is given; else ValueError naming them all."""
    given = [name for name, value in props.items() if value is not None]
    if len(given) != 1:
        names = list(props)
        alternatives = ", ".join(names[:-1]) + " and " + names[-1]
        got = " and ".join(given) if given else "none of them"
        values = ", ".join(f"{name}={props[name]!r}" for name in given)
        raise ValueError(
            f"{owner}: pass exactly one of {alternatives}, got {got}"
            + (f" ({values})" if values else "")
        )
    return given[0]


def check_instance(
    instance_id: str | None,
    instance_arn: str | None,
    stack_account: str,
    *,
    owner: str = OWNER,
) -> None:
    """The checks of the Connect instance that ContactStreaming and StreamingEndpoint both make.

    Exactly one of instance_id and instance_arn, each well formed; a literal ARN in the stack's
    account (`stack_account`, a token for an environment-agnostic stack).
    """
    check_exactly_one("instance_id", instance_id, "instance_arn", instance_arn, owner=owner)
    if instance_id is not None:
        check_instance_id(instance_id, owner=owner)
    if instance_arn is not None:
        check_string("instance_arn", instance_arn, owner=owner)
        check_instance_arn(instance_arn, owner=owner)
        match = INSTANCE_ARN_PATTERN.match(instance_arn) if known(instance_arn) else None
        if match is not None:
            check_same_account(match.group("account"), stack_account, owner=owner)


def check_instance_id(value: str, *, owner: str = OWNER) -> None:
    """Raise ValueError unless `value` is an instance id (not an instance ARN)."""
    check_string("instance_id", value, owner=owner)
    if known(value) and value.startswith("arn:"):
        raise ValueError(
            f"{owner}: instance_id {value!r} is an ARN: pass it as instance_arn instead "
            "(instance_id takes only the id after 'instance/')"
        )
    check_id("instance_id", value, INSTANCE_ID_LIMITS, owner=owner)


def check_instance_arn(value: str, *, owner: str = OWNER) -> None:
    """Raise ValueError unless a known `value` is a Connect instance ARN."""
    if known(value) and not INSTANCE_ARN_PATTERN.match(value):
        raise ValueError(
            f"{owner}: instance_arn must look like "
            f"'arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID', got {value!r}"
        )
    if known(value):
        instance_id = value.split("/")[-1]
        prop = "the instance id in instance_arn"
        check_length(prop, instance_id, INSTANCE_ID_LIMITS, owner=owner)


def check_endpoint_arn(
    value: str, *, prop: str = "streaming_endpoint_arn", owner: str = OWNER
) -> None:
    """Raise ValueError unless a known `value` is a standard SNS topic ARN Connect accepts."""
    check_string(prop, value, owner=owner)
    if not known(value):
        return
    check_length(prop, value, ENDPOINT_ARN_LIMITS, owner=owner)
    if value.endswith(".fifo"):
        raise ValueError(
            f"{owner}: {prop} {value!r} names a FIFO topic; "
            "Connect streams only to standard SNS topics"
        )
    if not TOPIC_ARN_PATTERN.match(value):
        raise ValueError(
            f"{owner}: {prop} must be an SNS topic ARN "
            f"('arn:aws:sns:REGION:ACCOUNT:NAME'), got {value!r}"
        )


def fifo_topic_error(topic_name: str, *, owner: str = OWNER) -> ValueError:
    """The error for a FIFO topic."""
    return ValueError(
        f"{owner}: topic {topic_name!r} is a FIFO topic; "
        "Connect streams only to standard SNS topics (create it with fifo=False)"
    )


def endpoint_region(value: str) -> str | None:
    """The region of a known SNS topic ARN; None for a token or an ARN we cannot parse."""
    match = TOPIC_ARN_PATTERN.match(value) if known(value) else None
    return match.group("region") if match else None


def known_and_different(first: str | None, second: str | None) -> bool:
    """True when both values are literals (not tokens) and they differ."""
    return known(first) and known(second) and first != second


def check_same_region(
    topic_prop: str,
    topic_region: str | None,
    instance_prop: str,
    instance_region: str,
    *,
    owner: str = OWNER,
) -> None:
    """Raise ValueError when the topic's and the instance's regions are both known and differ."""
    if known_and_different(topic_region, instance_region):
        raise ValueError(
            f"{owner}: {topic_prop} is in region {topic_region!r} but {instance_prop} is "
            f"in region {instance_region!r}; Connect streams only to a topic in the instance's "
            f"region, so use a topic in {instance_region!r}"
        )


def check_same_account(
    instance_account: str, stack_account: str, *, owner: str = OWNER, prop: str = "instance_arn"
) -> None:
    """Raise ValueError when an instance ARN names another account than the stack's (both known)."""
    if known_and_different(instance_account, stack_account):
        raise ValueError(
            f"{owner}: {prop} is in account {instance_account!r} but the stack "
            f"deploys to account {stack_account!r}; Connect's API reaches only the caller's own "
            f"instances, so put the stream in a stack in {instance_account!r}"
        )


def check_removal_policy(policy: RemovalPolicy) -> None:
    """Raise ValueError for SNAPSHOT, which CloudFormation refuses on custom resources."""
    if policy == RemovalPolicy.SNAPSHOT:
        raise ValueError(
            f"ContactStreaming: removal_policy {policy} is not possible for a custom resource; "
            "use RemovalPolicy.DESTROY (stop streaming) or RemovalPolicy.RETAIN (leave it running)"
        )
