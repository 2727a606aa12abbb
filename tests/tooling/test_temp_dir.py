"""tests/conftest.py: what the tests' processes write to the temp dir goes when the tests end."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from aws_cdk import App, Stack
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from tests.conftest import ROOT

PRINT_CHILDREN_TEMP_DIR = "import os, tests.conftest; print(os.environ['TMPDIR'])"


def test_temp_dir_of_children_apart_from_this_processes() -> None:
    children = Path(os.environ["TMPDIR"])
    assert children.is_dir()
    assert children != Path(tempfile.gettempdir())


def test_temp_dir_cdk_writes_an_app_without_outdir_into_the_childrens() -> None:
    app = App()
    stack = Stack(app, "Stack")
    sns.Topic(stack, "Topic")
    Template.from_stack(stack)
    assert Path(app.outdir).parent == Path(os.environ["TMPDIR"])


def test_temp_dir_of_children_removed_when_the_process_exits() -> None:
    printed = subprocess.run(
        [sys.executable, "-c", PRINT_CHILDREN_TEMP_DIR],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert printed.startswith(os.environ["TMPDIR"])  # this process's children's, then its own
    assert "contact-streaming-tests-" in printed
    assert not Path(printed).exists()
