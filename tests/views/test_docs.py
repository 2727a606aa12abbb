"""docs/consumer-views.md: every ```python block runs as the complete program it claims to be."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOC = ROOT / "docs" / "consumer-views.md"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a markdown text."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_python_blocks_finds_each_block() -> None:
    assert python_blocks("a\n```python\nx = 1\n```\n```bash\nls\n```\n```python\ny\n```\n") == [
        "x = 1\n",
        "y\n",
    ]


@pytest.mark.parametrize("index", range(len(python_blocks(DOC.read_text()))))
def test_consumer_views_doc_python_block_runs(index: int, tmp_path: Path) -> None:
    program = tmp_path / "example.py"
    program.write_text(python_blocks(DOC.read_text())[index])
    runpy.run_path(str(program), run_name="__main__")


def test_consumer_views_doc_has_a_python_example() -> None:
    assert len(python_blocks(DOC.read_text())) >= 1
