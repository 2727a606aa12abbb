"""docs/connect-facts.md: every row names tests that exist and, where AWS is silent, assumptions."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "connect-facts.md"
NAMED_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
MENTIONED_TEST = re.compile(r"tests/[\w/]+\.py::\w+")
SOURCE, PRODUCT, LOCAL = 2, 4, 5


@dataclass(frozen=True)
class Row:
    """One fact of the table: its number and its cells."""

    number: str
    cells: tuple[str, ...]


def rows(text: str) -> list[Row]:
    """The table's rows whose first cell is a number."""
    found = []
    for line in text.splitlines():
        cells = tuple(cell.strip() for cell in line.strip().strip("|").split(" | "))
        if line.startswith("| ") and cells[0].isdigit():
            found.append(Row(cells[0], cells))
    return found


def named_tests(text: str) -> list[tuple[str, str]]:
    """Every `tests/<path>.py::<name>` the text names, in order."""
    return NAMED_TEST.findall(text)


def unchecked_mentions(text: str) -> list[str]:
    """Each `tests/<path>.py::<name>` mentioned outside a code span of its own, so never checked."""
    checked = {f"{path}::{name}" for path, name in named_tests(text)}
    return [each for each in MENTIONED_TEST.findall(text) if each not in checked]


def defined_tests(path: Path) -> set[str]:
    """The names of the test functions a module defines (at module level or in a class)."""
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def missing_tests(text: str, root: Path = ROOT) -> list[str]:
    """Each named test whose file or function does not exist, as `path::name (why)`."""
    missing = []
    for path, name in named_tests(text):
        module = root / path
        if not module.is_file():
            missing.append(f"{path}::{name} (no such file)")
        elif name not in defined_tests(module):
            missing.append(f"{path}::{name} (no such test)")
    return missing


def test_connect_facts_every_named_test_exists() -> None:
    text = PAGE.read_text()
    assert len(named_tests(text)) > 50
    assert missing_tests(text) == []


def test_connect_facts_every_mentioned_test_is_in_a_code_span_of_its_own() -> None:
    assert unchecked_mentions(PAGE.read_text()) == []


def test_unchecked_mentions_broken_code_span_reported() -> None:
    text = (
        "`tests/x/test_a.py::test_here<br>`tests/x/test_a.py::test_there`` "
        "`tests/x/test_b.py::test_c`"
    )
    assert unchecked_mentions(text) == ["tests/x/test_a.py::test_here"]


def test_connect_facts_rows_numbered_in_order_with_every_column() -> None:
    found = rows(PAGE.read_text())
    assert [row.number for row in found] == [str(n) for n in range(1, len(found) + 1)]
    assert all(len(row.cells) == 6 for row in found), [r.number for r in found if len(r.cells) != 6]


def test_connect_facts_every_row_names_a_product_test_and_a_local_test_or_says_none() -> None:
    for row in rows(PAGE.read_text()):
        assert named_tests(row.cells[PRODUCT]), f"row {row.number} names no product test"
        local = row.cells[LOCAL]
        assert named_tests(local) or local.startswith("none"), f"row {row.number}: local test"


def test_connect_facts_unpublished_fact_says_what_is_assumed_and_what_if_wrong() -> None:
    unpublished = [r for r in rows(PAGE.read_text()) if "not published" in r.cells[SOURCE].lower()]
    assert len(unpublished) >= 6
    for row in unpublished:
        source = row.cells[SOURCE].lower()
        assert "assumed" in source, f"row {row.number} says nothing of what we assume"
        assert "if " in source, f"row {row.number} says nothing of what happens if it is wrong"


def test_missing_tests_broken_file_and_name_are_reported(tmp_path: Path) -> None:
    (tmp_path / "tests" / "x").mkdir(parents=True)
    (tmp_path / "tests" / "x" / "test_a.py").write_text(
        "def test_here() -> None:\n    pass\n\n\nclass TestGroup:\n"
        "    def test_in_class(self) -> None:\n        pass\n"
    )
    text = (
        "| 1 | `tests/x/test_a.py::test_here` `tests/x/test_a.py::test_in_class` "
        "`tests/x/test_a.py::test_gone` `tests/x/test_b.py::test_here` |"
    )
    assert missing_tests(text, tmp_path) == [
        "tests/x/test_a.py::test_gone (no such test)",
        "tests/x/test_b.py::test_here (no such file)",
    ]


def test_rows_cells_split_on_the_column_bars() -> None:
    text = "| # | a |\n| --- | --- |\n| 1 | b `x` | c |\n| 2 | d | e |\nnot a row\n"
    assert rows(text) == [Row("1", ("1", "b `x`", "c")), Row("2", ("2", "d", "e"))]
