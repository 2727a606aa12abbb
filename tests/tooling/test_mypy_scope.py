"""mypy reads only the aws_cdk modules pyproject.toml lists: each one the code imports."""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOT_SOURCE = {"node_modules", "cdk.out", "build", "dist"}


def aws_cdk_modules(source: str) -> set[str]:
    """The aws_cdk modules (the package itself included) that `source` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "aws_cdk"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "aws_cdk":
                found.add("aws_cdk")
                found |= {f"aws_cdk.{a.name}" for a in node.names if is_module(f"aws_cdk.{a.name}")}
            elif node.module.split(".")[0] == "aws_cdk":
                found.add(node.module)
    return found


def is_module(name: str) -> bool:
    """Whether `name` is a module (not a class or function of its package)."""
    return importlib.util.find_spec(name) is not None


def read_by_mypy() -> set[str]:
    """The aws_cdk modules pyproject.toml lets mypy follow."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {
        module
        for override in config["tool"]["mypy"]["overrides"]
        if override.get("follow_imports") == "normal"
        for module in override["module"]
    }


def sources() -> list[Path]:
    """Every Python file mypy checks: the repository's, outside build output and environments."""
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not (set(path.relative_to(ROOT).parts) & NOT_SOURCE)
        and not path.relative_to(ROOT).parts[0].startswith(".")
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from aws_cdk import App, Stack", {"aws_cdk"}),
        ("from aws_cdk import aws_sns as sns, Duration", {"aws_cdk", "aws_cdk.aws_sns"}),
        ("from aws_cdk.assertions import Template", {"aws_cdk.assertions"}),
        ("import aws_cdk.aws_sqs", {"aws_cdk.aws_sqs"}),
        ("import boto3\nfrom constructs import Construct", set()),
    ],
)
def test_aws_cdk_modules_finds_modules_not_classes(source: str, found: set[str]) -> None:
    assert aws_cdk_modules(source) == found


def test_mypy_scope_lists_every_aws_cdk_module_the_code_imports() -> None:
    imported = {
        module: str(path.relative_to(ROOT))
        for path in sources()
        for module in aws_cdk_modules(path.read_text(encoding="utf-8"))
    }
    assert {"aws_cdk", "aws_cdk.aws_sns", "aws_cdk.assertions"} <= set(imported)
    unread = {module: path for module, path in imported.items() if module not in read_by_mypy()}
    assert unread == {}, "add these to the follow_imports = normal list in pyproject.toml"
