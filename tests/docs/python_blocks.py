"""Running a documentation python block in a fresh process, and judging the run.

The convention (docs/tests-and-benchmarks.md, "Documentation tests"): a block that imports
aws_cdk, constructs or contact_streaming is a complete program that builds an App and ends with
the line `app.synth()`; the run must write a cloud assembly with at least one template.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

CONSTRUCT_MODULES = frozenset({"aws_cdk", "constructs", "contact_streaming"})
LAST_LINE = "app.synth()"
TIMEOUT_S = 180


def imported_tops(code: str) -> set[str]:
    """The top-level packages that `code` imports."""
    tops: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


def builds_constructs(code: str) -> bool:
    """Whether a block is a construct example (it imports the CDK or this package)."""
    return bool(imported_tops(code) & CONSTRUCT_MODULES)


def convention_problems(code: str) -> list[str]:
    """What a block's text breaks of the convention (a syntax error counts)."""
    try:
        construct_example = builds_constructs(code)
    except SyntaxError as error:
        return [f"not valid Python: {error}"]
    if not construct_example:
        return []
    last = next((line.strip() for line in reversed(code.splitlines()) if line.strip()), "")
    if last != LAST_LINE:
        return [f"a construct example must end with `{LAST_LINE}` (it ends with {last!r})"]
    return []


@dataclass(frozen=True)
class Run:
    """What a block's process did: exit code, output, and the templates it synthesized."""

    returncode: int | None
    output: str
    templates: tuple[str, ...]


def block_environment(outdir: Path) -> dict[str, str]:
    """The process environment: repository on PYTHONPATH, pinned Node first, no AWS credentials."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    nowhere = str(outdir.parent / "no-aws-config")
    env.update(
        PYTHONPATH=str(ROOT),
        PATH=os.pathsep.join(
            [str(ROOT / "node_modules" / ".bin"), str(Path(sys.executable).parent), env["PATH"]]
        ),
        CDK_OUTDIR=str(outdir),
        AWS_CONFIG_FILE=nowhere,
        AWS_SHARED_CREDENTIALS_FILE=nowhere,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def run_block(code: str, workdir: Path) -> Run:
    """Run `code` as a script in a fresh Python process from the repository root."""
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "block.py"
    script.write_text(code)
    outdir = workdir / "cdk.out"
    try:
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=ROOT,
            env=block_environment(outdir),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return Run(None, f"no exit within {TIMEOUT_S} s: {expired.stderr!r}", ())
    templates = tuple(sorted(path.name for path in outdir.glob("*.template.json")))
    return Run(done.returncode, done.stdout + done.stderr, templates)


def failures(code: str, run: Run) -> list[str]:
    """Why a block fails: the convention, its exit, or a construct example that wrote nothing."""
    problems = convention_problems(code)
    if run.returncode != 0:
        problems.append(f"exit {run.returncode}:\n{run.output[-3000:]}")
    elif builds_constructs(code) and not run.templates:
        problems.append("a construct example wrote no template: is `app.synth()` reached?")
    return problems
