"""What the tests' processes write to the temp dir goes when the tests end (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from aws_cdk import App, Stack
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from standins.response_endpoint import ResponseEndpoint
from tests.conftest import ROOT, TEMP_ROOT

# A process that loads the conftest, as a worker does, synthesizes an App given no outdir, and is
# interrupted as Ctrl-C interrupts a run: its process group (Node too) gets SIGINT. CDK removes
# the folders it made when Node exits, but not then. The child is started with SIGINT ignored, as
# a shell's background job is (the test once failed so), and takes it back as Python at a
# terminal has it; Node takes back every signal's default itself.
CHILD = """
import json, os, signal, tempfile, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import tests.conftest
from aws_cdk import App, Stack
app = App()
Stack(app, "Stack")
app.synth()
print(json.dumps([os.environ["TMPDIR"], tempfile.gettempdir(), app.outdir]), flush=True)
os.killpg(0, signal.SIGINT)
time.sleep(10)
"""


def test_temp_dir_of_children_apart_from_this_processes() -> None:
    children = Path(os.environ["TMPDIR"])
    assert children.is_dir()
    assert Path(tempfile.gettempdir()) == Path(os.environ[TEMP_ROOT]) == children.parent


def test_temp_dir_cdk_writes_an_app_without_outdir_into_the_childrens() -> None:
    app = App()
    stack = Stack(app, "Stack")
    sns.Topic(stack, "Topic")
    Template.from_stack(stack)
    assert Path(app.outdir).resolve().parent == Path(os.environ["TMPDIR"]).resolve()


def test_temp_dir_of_children_and_cdk_outdir_removed_when_the_process_is_interrupted() -> None:
    child = subprocess.run(
        ["sh", "-c", 'trap "" INT; exec "$0" -c "$1"', sys.executable, CHILD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )
    assert "KeyboardInterrupt" in child.stderr
    children, own, outdir = (Path(path) for path in json.loads(child.stdout.splitlines()[-1]))
    assert own == Path(os.environ[TEMP_ROOT])  # its own temp files stay where they were
    assert children.parent == own
    assert outdir.resolve().parent == children.resolve()
    assert not children.exists()


def test_response_endpoint_stopped_leaves_no_folder() -> None:
    endpoint = ResponseEndpoint().start()
    try:
        assert endpoint.ca_file.is_file()
    finally:
        endpoint.stop()
    assert not endpoint.folder.exists()
