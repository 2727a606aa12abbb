"""The floor pyproject.toml declares is the one `make test-floor` installs and checks."""

from __future__ import annotations

from pathlib import Path

from tests.packaging import floor


def test_floor_pins_equal_pyproject_lower_bounds() -> None:
    bounds, pins = floor.lower_bounds(), floor.pins()
    assert bounds["aws-cdk-lib"] == pins["aws-cdk-lib"] == "2.222.0"
    assert bounds["constructs"] == pins["constructs"] == "10.0.0"


def test_floor_pins_every_line_pinned_exactly() -> None:
    lines = [
        line.strip()
        for line in floor.FLOOR_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == len(floor.pins())


def test_floor_check_outside_floor_environment_reports_versions() -> None:
    # This run's environment has the newest aws-cdk-lib: the check must say it is not the floor.
    problems = floor.problems()
    assert any(p.startswith("aws-cdk-lib ") and "!= 2.222.0" in p for p in problems), problems


def test_floor_lower_bounds_reads_requirement_forms(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["a-b>=1.2.3,<2", "c >= 4", "d==5", "e<6"]\n')
    assert floor.lower_bounds(pyproject) == {"a-b": "1.2.3", "c": "4"}
