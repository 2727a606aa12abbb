"""Every python block of README.md and docs/*.md runs, and a construct example synthesizes."""

from __future__ import annotations

import pytest

from tests.docs.conftest import FORGETS_SYNTH, STACK_NEVER_BUILT, python_blocks
from tests.docs.markdown import Block
from tests.docs.python_blocks import Run, builds_constructs, convention_problems, failures

BLOCKS = python_blocks()


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_docs_python_block_runs_and_synthesizes(block: Block, block_runs: dict[str, Run]) -> None:
    assert failures(block.code, block_runs[block.name]) == []


def test_docs_python_blocks_include_both_ways_to_stream() -> None:
    readme = [block.code for block in BLOCKS if block.page.name == "README.md"]
    assert any("ContactStreaming(" in code for code in readme)
    assert any("StreamingEndpoint(" in code and "grant_streaming" in code for code in readme)


def test_docs_construct_example_writes_its_stacks_templates(block_runs: dict[str, Run]) -> None:
    readme = next(b for b in BLOCKS if b.page.name == "README.md" and "ContactStreaming(" in b.code)
    assert block_runs[readme.name].templates == ("StreamStack.template.json",)


def test_docs_block_forgetting_synth_fails(block_runs: dict[str, Run]) -> None:
    problems = failures(FORGETS_SYNTH, block_runs["forgets_synth"])
    assert block_runs["forgets_synth"].returncode == 0
    assert any("must end with `app.synth()`" in problem for problem in problems)
    assert any("wrote no template" in problem for problem in problems)


def test_docs_block_defining_a_stack_it_never_builds_fails(block_runs: dict[str, Run]) -> None:
    assert convention_problems(STACK_NEVER_BUILT) == []
    problems = failures(STACK_NEVER_BUILT, block_runs["stack_never_built"])
    assert problems == ["a construct example wrote no template: is `app.synth()` reached?"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import aws_cdk as cdk\n", True),
        ("from contact_streaming import ContactStreaming\n", True),
        ("from constructs import Construct\n", True),
        ("import boto3\nfrom botocore.stub import Stubber\n", False),
        ("def f() -> None:\n    from aws_cdk import App\n", True),
    ],
)
def test_builds_constructs_import_of_cdk_or_package_is_construct_example(
    code: str, expected: bool
) -> None:
    assert builds_constructs(code) is expected


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("import aws_cdk\napp = aws_cdk.App()\napp.synth()\n\n", None),
        ("import aws_cdk\napp = aws_cdk.App()\n", "must end with `app.synth()`"),
        ("import aws_cdk\napp = aws_cdk.App()\napp.synth()\nprint(1)\n", "ends with 'print(1)'"),
        ("import boto3\nprint(1)\n", None),
        ("def broken(:\n", "not valid Python"),
    ],
)
def test_convention_problems_construct_example_without_synth_last_is_named(
    code: str, problem: str | None
) -> None:
    problems = convention_problems(code)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert problem in problems[0]


def test_failures_nonzero_exit_is_a_failure_with_its_output() -> None:
    run = Run(1, "Traceback ...\nNameError: name 'self' is not defined\n", ())
    problems = failures("import boto3\nself.x\n", run)
    assert len(problems) == 1
    assert problems[0].startswith("exit 1:")
    assert "NameError" in problems[0]
