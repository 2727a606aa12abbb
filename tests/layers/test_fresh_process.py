"""The one way benchmarks and tests run Python in a fresh process and read what it printed last."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from standins.fresh import NODE_BIN, ROOT, run_fresh

TIMEOUT_S = 60


def test_run_fresh_several_lines_printed_returns_the_last() -> None:
    assert run_fresh("-c", "print('first'); print('last  ')", timeout=TIMEOUT_S) == "last"


def test_run_fresh_stdin_reaches_the_child() -> None:
    code = "import sys; print(sys.stdin.read().upper())"
    assert run_fresh("-c", code, stdin="streamed", timeout=TIMEOUT_S) == "STREAMED"


def test_run_fresh_child_fails_raises_with_exit_code_and_stderr() -> None:
    with pytest.raises(RuntimeError, match=r"exited with 3:\n.*the child's own words"):
        run_fresh(
            "-c",
            "import sys; print('half'); sys.stderr.write(\"the child's own words\"); sys.exit(3)",
            timeout=TIMEOUT_S,
        )


def test_run_fresh_nothing_printed_raises() -> None:
    with pytest.raises(RuntimeError, match="exited with 0, printing nothing"):
        run_fresh("-c", "pass", timeout=TIMEOUT_S)


def test_run_fresh_nothing_printed_and_none_expected_returns_empty() -> None:
    assert run_fresh("-c", "pass", timeout=TIMEOUT_S, prints=False) == ""


def test_run_fresh_default_path_repository_and_pinned_node(tmp_path: Path) -> None:
    code = "import os; print(os.environ['PYTHONPATH'] + '|' + os.environ['PATH'])"
    pythonpath, path = run_fresh("-c", code, cwd=tmp_path, timeout=TIMEOUT_S).split("|")
    assert pythonpath == str(ROOT)
    assert path.split(os.pathsep)[0] == str(NODE_BIN)


def test_run_fresh_pythonpath_and_env_given_replace_and_add(tmp_path: Path) -> None:
    code = "import os; print(os.environ['PYTHONPATH'] + '|' + os.environ['EXTRA'])"
    printed = run_fresh(
        "-c", code, pythonpath=(tmp_path,), env={"EXTRA": "given"}, timeout=TIMEOUT_S
    )
    assert printed == f"{tmp_path}|given"
