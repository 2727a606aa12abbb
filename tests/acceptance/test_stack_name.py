"""app.py's stack name: the default, another from context, and a refused one."""

from __future__ import annotations

import pytest
from aws_cdk import App

from stacks.streaming_stack import DEFAULT_STACK_NAME, stack_name


def test_stack_name_without_context_is_contact_streaming_stack() -> None:
    assert stack_name(App()) == DEFAULT_STACK_NAME == "ContactStreamingStack"


def test_stack_name_from_context_names_another_stack() -> None:
    assert stack_name(App(context={"stackName": "ContactStreamingAcceptance-1a2b"})) == (
        "ContactStreamingAcceptance-1a2b"
    )


@pytest.mark.parametrize("bad", ["1stack", "with_underscore", "x" * 129, ""])
def test_stack_name_not_a_cloudformation_name_raises_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match=rf"context stackName={bad!r} is not a CloudFormation"):
        stack_name(App(context={"stackName": bad}))
