"""Every python block of the documentation, run once per session, two at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.docs.markdown import Block, blocks, pages
from tests.docs.python_blocks import Run, run_block

# Two blocks that break the convention, run beside the documentation's to prove the test fails them.
FORGETS_SYNTH = """\
from aws_cdk import App, Stack, aws_sns as sns

app = App()
stack = Stack(app, "Forgot")
sns.Topic(stack, "Messages")
"""
STACK_NEVER_BUILT = """\
from aws_cdk import App, Stack
from constructs import Construct


class Unbuilt(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)


app = App()
app.synth()
"""
SAMPLES = {"forgets_synth": FORGETS_SYNTH, "stack_never_built": STACK_NEVER_BUILT}


def python_blocks() -> list[Block]:
    """Every python block of README.md and docs/*.md."""
    return [
        block
        for page in pages()
        for block in blocks(page.read_text(), page)
        if block.language == "python"
    ]


@pytest.fixture(scope="session")
def block_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Each documentation block's run (by `page:line`) and each sample's (by its name)."""
    root = tmp_path_factory.mktemp("blocks")
    codes = {block.name: block.code for block in python_blocks()} | SAMPLES
    workdirs = {name: root / f"block{index}" for index, name in enumerate(codes)}

    def run(name: str) -> tuple[str, Run]:
        return name, run_block(codes[name], Path(workdirs[name]))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, codes))
