"""Clean environments for built artefacts: a venv that owns only the package installed into it.

Installing aws-cdk-lib into every clean environment would take about half a minute and 200 MB
each, so a clean venv has no packages of its own but reads the test run's site-packages after its
own (a .pth file): the package under test is installed into the venv alone (``--no-deps``) and is
imported from there, never from the repository, while aws-cdk-lib, constructs, jsii and crhelper
come from the test run's environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "cdk-contact-streaming"
COMMAND_TIMEOUT_S = 180
# Not part of a source tree a release is built from (what `git archive` would also leave out).
NOT_SOURCES = (".*", "node_modules", "cdk.out", "dist", "build", "*.egg-info", "__pycache__")


def run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command to completion (bounded), failing the test with its output if it fails."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def source_copy(folder: Path) -> Path:
    """A copy of the repository's sources (no environments, caches or build output)."""
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    return folder


def clean_env(folder: Path) -> Path:
    """A new venv with no packages of its own that reads this run's site-packages; its Python."""
    run(sys.executable, "-m", "venv", "--without-pip", str(folder), cwd=folder.parent)
    python = folder / "bin" / "python"
    own = run(
        str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=folder
    ).strip()
    Path(own, "shared-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def install(python: Path, artefact: Path) -> None:
    """Install a wheel or an sdist (built here, offline) into a clean env, without dependencies."""
    run(
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "--quiet",
        "--python",
        str(python),
        "install",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
        str(artefact),
        cwd=artefact.parent,
    )


def outside_env() -> dict[str, str]:
    """This process's environment without PYTHONPATH, so only a venv's own paths are imported."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
