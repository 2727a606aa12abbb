"""Layers: product, local engine and benchmarks stand on their own; only tests import tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOT_PRODUCT = {"tests", "node_modules", "cdk.out", "build", "dist"}


def imported_modules(source: str) -> list[str]:
    """Every module an `import` or `from ... import` statement in `source` names."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def imports_tests(source: str) -> list[str]:
    """The modules of the `tests` package that `source` imports."""
    return [name for name in imported_modules(source) if name.split(".")[0] == "tests"]


def modules_outside_tests() -> list[Path]:
    """Every Python file of the repository outside tests/ and build output."""
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not (set(path.relative_to(ROOT).parts[:-1]) & NOT_PRODUCT)
        and not path.relative_to(ROOT).parts[0].startswith(".")
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from tests.standins.connect import X", ["tests.standins.connect"]),
        ("import tests.conftest", ["tests.conftest"]),
        ("import tests", ["tests"]),
        ("from standins.connect import X\nimport testsuite", []),
        ("def f() -> None:\n    from tests import conftest", ["tests"]),
    ],
)
def test_imports_tests_finds_every_import_of_the_tests_package(
    source: str, found: list[str]
) -> None:
    assert imports_tests(source) == found


def test_layers_outside_tests_the_walk_covers_every_layer() -> None:
    tops = {path.relative_to(ROOT).parts[0] for path in modules_outside_tests()}
    assert {"app.py", "contact_streaming", "stacks", "lambda", "local", "bench", "standins"} <= tops
    assert "tests" not in tops


def test_layers_no_module_outside_tests_imports_tests() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in modules_outside_tests()
        if (found := imports_tests(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def repository_modules() -> set[str]:
    """The top-level modules and packages of the repository itself (the library among them)."""
    return {
        path.stem
        for path in ROOT.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").is_file())
        and not path.name.startswith(".")
    }


def test_layers_walk_of_repository_modules_finds_the_app_and_the_library() -> None:
    assert {"app", "stacks", "examples", "contact_streaming", "standins", "tests"} <= (
        repository_modules()
    )


def test_layers_example_app_imports_only_the_library_of_the_repository() -> None:
    # Relative imports (its own modules) are not counted: they travel with the folder.
    foreign = repository_modules() - {"contact_streaming"}
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "examples").rglob("*.py"))
        if (found := [n for n in imported_modules(path.read_text()) if n.split(".")[0] in foreign])
    }
    assert offenders == {}


def imports_layer(source: str, layer: str) -> list[str]:
    """The modules of the top-level package `layer` that `source` imports."""
    return [name for name in imported_modules(source) if name.split(".")[0] == layer]


def test_imports_layer_finds_a_deferred_import_of_bench() -> None:
    source = "def f() -> None:\n    from bench.scale_bench import OURS\n"
    assert imports_layer(source, "bench") == ["bench.scale_bench"]


def test_layers_standins_import_nothing_from_bench() -> None:
    # The layers run one way: bench/ stands on standins/ (the storm's stack lives there).
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "standins").rglob("*.py"))
        if (found := imports_layer(path.read_text(encoding="utf-8"), "bench"))
    }
    assert offenders == {}


def private_library_imports(source: str) -> list[str]:
    """The library's modules (not its public top level) that `source` imports."""
    return [name for name in imported_modules(source) if name.startswith("contact_streaming.")]


def test_private_library_imports_finds_a_module_of_the_library() -> None:
    source = "from contact_streaming import ContactStreaming\nimport contact_streaming.views\n"
    assert private_library_imports(source) == ["contact_streaming.views"]


def test_layers_app_examples_and_acceptance_use_only_the_public_api() -> None:
    users = [ROOT / "app.py"] + [
        path
        for folder in ("stacks", "examples", "acceptance")
        for path in (ROOT / folder).rglob("*.py")
    ]
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted(users)
        if (found := private_library_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
