"""bench/loop_bench.py: its command line, and its table of each run beside its anchor."""

from __future__ import annotations

import pytest

from bench.loop_bench import LoopRun, parse, table
from bench.test_suites_bench import Timing, summary


def test_parse_default_three_runs_of_check() -> None:
    assert parse(["loop_bench"]) == (3, ["check"])
    assert parse(["loop_bench", "2"]) == (2, ["check"])
    assert parse(["loop_bench", "1", "check", "test"]) == (1, ["check", "test"])


@pytest.mark.parametrize("runs", ["0", "-1", "two", "1.5", "²"])
def test_parse_bad_runs_refused_naming_the_value(runs: str) -> None:
    with pytest.raises(
        SystemExit, match=rf"runs must be a whole number of at least 1, got '{runs}'"
    ):
        parse(["loop_bench", runs, "check"])


def test_table_each_run_with_its_own_anchor_and_ratio() -> None:
    runs = [
        LoopRun("check", 1.5, Timing("check", 45.0, 60.0, "978 passed", passed=True)),
        LoopRun("check", 2.0, Timing("check", 50.0, 80.0, "1 failed, 977 passed", passed=False)),
    ]

    lines = table(runs)

    assert lines[2:] == [
        "| make check | 1.50 | 45.0 | 60.0 | 30.0 | 978 passed |",
        "| make check | 2.00 | 50.0 | 80.0 | 25.0 | 1 failed, 977 passed |",
    ]
    assert len(lines[0].split("|")) == len(lines[2].split("|"))


def test_summary_reads_make_checks_pytest_line_after_the_linters() -> None:
    output = (
        ".venv/bin/ruff check .\nAll checks passed!\n.venv/bin/mypy\n"
        "Success: no issues found in 251 source files\n"
        "============================= 978 passed in 47.21s =============================\n"
    )
    assert summary(output, 0) == "978 passed"
