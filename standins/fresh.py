"""Python in a fresh process, as the CLI or a cold start would run it; the last line it printed.

For what must not share this process's state: a synth with a cold jsii kernel, a Lambda's cold
start, an app run as `cdk synth` runs it. The repository is on the child's PYTHONPATH and the
pinned Node (node_modules/.bin) first on its PATH, so jsii uses the same Node as the CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_BIN = ROOT / "node_modules" / ".bin"
STDERR_TAIL = 3000
COMMAND_SHOWN = 200  # characters of the command an error quotes (`-c` code can be long)


def fresh_env(
    pythonpath: Sequence[Path] = (ROOT,), extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Our environment, with `pythonpath` as PYTHONPATH and the pinned Node first on PATH."""
    return {
        **os.environ,
        "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(str(path) for path in pythonpath),
        **(extra or {}),
    }


def run_fresh(
    *args: str,
    timeout: float,
    pythonpath: Sequence[Path] = (ROOT,),
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    stdin: str = "",
    prints: bool = True,
) -> str:
    """`python ARGS` in a new interpreter, bounded by `timeout` seconds; its last line of output.

    :param pythonpath: the child's whole PYTHONPATH. Default: the repository root.
    :param env: variables to set in the child besides this process's. Default: none.
    :param prints: whether the child must print a line; False returns "" when it printed none.
        Default: True.
    :raises RuntimeError: when the child fails (or prints nothing), with the tail of its stderr.
    """
    result = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=fresh_env(pythonpath, env),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or (prints and not lines):
        raise RuntimeError(
            f"python {' '.join(args)[:COMMAND_SHOWN]} exited with {result.returncode}"
            f"{'' if lines else ', printing nothing'}:\n{result.stderr[-STDERR_TAIL:]}"
        )
    return lines[-1] if lines else ""
