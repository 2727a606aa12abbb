"""ARN patterns meet where some ARN matches both: segments, IAM wildcards and tokens."""

from __future__ import annotations

import pytest

from tests.iam.arns import (
    PSEUDO,
    SEGMENT,
    UnknownTokenError,
    from_reference,
    from_template,
    overlaps,
)

INSTANCE = from_reference("arn:${Partition}:connect:${Region}:${Account}:instance/${InstanceId}")
TOKENS = {
    "Fn::Join": [
        "",
        ["arn:", {"Ref": "AWS::Partition"}, ":connect:", {"Ref": "AWS::Region"}, ":x:instance/i"],
    ]
}


@pytest.mark.parametrize(
    ("resource", "meets"),
    [
        ("arn:aws:connect:eu-west-2:123456789012:instance/11111111-2222", True),
        ("arn:aws:connect:eu-west-2:123456789012:instance/*", True),
        ("arn:aws:connect:*", True),
        ("arn:aws:connect:eu-west-2:123456789012:instance/*/contact/*", False),
        ("arn:aws:connect:eu-west-2:123456789012:instance/i/contact/c", False),
        ("arn:aws:connect:eu-west-2:123456789012:instance/", False),
        ("arn:aws:sns:eu-west-2:123456789012:topic", False),
        (f"arn:{SEGMENT}:connect:{SEGMENT}:{SEGMENT}:instance/i", True),
    ],
)
def test_overlaps_instance_format_meets_only_instance_arns(resource: str, meets: bool) -> None:
    assert overlaps(resource, INSTANCE) is meets


def test_from_template_pseudo_parameters_become_one_segment_each() -> None:
    assert from_template(TOKENS, {}) == f"arn:{SEGMENT}:connect:{SEGMENT}:x:instance/i"
    assert overlaps(from_template({"Ref": "AWS::StackId"}, {}), PSEUDO["AWS::StackId"])


def test_from_template_unknown_function_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownTokenError, match="Fn::ImportValue"):
        from_template({"Fn::ImportValue": "Elsewhere"}, {})
    with pytest.raises(UnknownTokenError, match="not in the template"):
        from_template({"Ref": "Missing"}, {})
