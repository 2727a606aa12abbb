"""Shared fixtures: the app's stack in a bare App (no cdk.json context), built once per session.

The local engine's fixtures come from tests/engine.py; tests/needs.py marks each test with what it
needs (engine, storm, cli) and shares the tests out among pytest-xdist's workers.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
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


# The temp dir of the first process that loaded this file, for the processes it starts.
TEMP_ROOT = "CONTACT_STREAMING_TESTS_TEMP_ROOT"


def give_children_a_temp_dir() -> None:
    """Give the processes this one starts (jsii's Node among them) a temp dir removed at exit.

    CDK writes the assembly of an App given no outdir into a new folder of the temp dir, and
    removes it when Node exits, but not when the run is interrupted (Ctrl-C sends SIGINT to Node
    too): each interrupted `make check` left up to about 270. This process's own temp files (a
    failed engine's logs among them) stay in the temp dir it started with, and so do an xdist
    worker's, though the controller started it with the controller's children's TMPDIR.
    """
    root = os.environ.setdefault(TEMP_ROOT, tempfile.gettempdir())
    tempfile.tempdir = root
    folder = tempfile.mkdtemp(prefix="contact-streaming-tests-")
    os.environ["TMPDIR"] = folder
    # Registered before aws_cdk is imported, so run after jsii has stopped its Node process.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


give_children_a_temp_dir()

# Python's collector went through each worker's whole heap (aws_cdk's modules, cfn-lint's
# schemas, jsii's objects) 6 to 16 times a run, and its young generations 8,000 times: 12.5 s
# of CPU over make check's four workers. Collecting the youngest every 10,000 allocations, not
# every 700, and each older one after 20 collections of the one before, not 10: 4.4 s
# (docs/test-loop.md).
GC_THRESHOLDS = (10_000, 20, 20)
gc.set_threshold(*GC_THRESHOLDS)

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
