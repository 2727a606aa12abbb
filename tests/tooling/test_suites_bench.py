"""bench/test_suites_bench.py: which folders it times, and the counts it reads from pytest."""

from __future__ import annotations

import pytest

from bench.test_suites_bench import suites, summary


@pytest.mark.parametrize(
    ("output", "returncode", "result"),
    [
        ("....\n12 passed in 3.21s\n", 0, "12 passed"),
        ("F.\n== 1 failed, 1 passed, 2 errors in 9.00s ==\n", 1, "1 failed, 1 passed, 2 errors"),
        ("ERROR: file or directory not found: tests/x\n", 4, "exit 4"),
    ],
)
def test_summary_closing_counts_or_exit_code(output: str, returncode: int, result: str) -> None:
    assert summary(output, returncode) == result


def test_suites_every_folder_with_test_modules_by_default() -> None:
    names = suites([])

    assert {"handler", "storm", "e2e", "tooling"} <= set(names)
    assert names == sorted(names)
    assert suites(["storm", "e2e"]) == ["storm", "e2e"]


def test_suites_unknown_folder_refused_naming_the_folders() -> None:
    with pytest.raises(
        SystemExit, match=r"no test folder \['nope'\]; the folders are \[.*'construct', .*'e2e'"
    ):
        suites(["nope"])
