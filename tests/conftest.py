"""Shared fixtures: the app's stack in a bare App (no cdk.json context), built once per session.

The local engine's fixtures come from tests/engine.py; tests/needs.py marks each test with what it
needs (engine, storm, cli) and shares the tests out among pytest-xdist's workers.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parent.parent
# jsii starts Node when aws_cdk is first imported: use the pinned Node 22 from node_modules.
os.environ["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}"
# CDK's built-in CloudFormation validation costs about 5 s of CPU in each process that synthesizes
# (and the apps the tests run as programs inherit this), and more on each synth: the tests leave it
# off; tests/template/test_cloudformation_validation.py runs it on every template we write.
# CDK_VALIDATION=true in the environment turns it back on everywhere.
os.environ.setdefault("CDK_VALIDATION", "false")

if TYPE_CHECKING:
    from aws_cdk.assertions import Template

    from stacks.streaming_stack import StreamingStack

STACK_NAME = "ContactStreamingStack"
# The session's local engine and local Connect (fixtures `session` and `cli`), shared by folders.

# The local engine's fixtures, and the marks and xdist groups by what a test needs (NEEDS there).
pytest_plugins = ("tests.engine", "tests.needs")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """In an xdist worker, its tests done and reported: exit without collecting its garbage.

    Python's last garbage collection, of a worker's modules (aws_cdk's among them), jsii's
    objects and the tests', took over a second of CPU in each worker, all four at once after
    the last test, as xdist ends its workers together; frozen, that heap is left to the OS.
    """
    if hasattr(config, "workerinput"):
        gc.freeze()


@pytest.fixture(scope="session")
def app_stack() -> StreamingStack:
    """The app's stack as app.py builds it, in an App without cdk.json's feature flags."""
    # Imported here, not at the top: xdist's controller loads this file and synthesizes nothing.
    from aws_cdk import App

    from stacks.streaming_stack import StreamingStack

    return StreamingStack(App(), STACK_NAME)


@pytest.fixture(scope="session")
def app_template(app_stack: StreamingStack) -> Template:
    """The app stack's synthesized template."""
    from aws_cdk.assertions import Template

    return Template.from_stack(app_stack)
