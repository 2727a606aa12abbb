"""The sdist (what pip builds from for `pip install git+…` and many mirrors) is complete."""

from __future__ import annotations

import tarfile
from email.parser import HeaderParser
from pathlib import Path

from tests.packaging.conftest import project_version
from tests.packaging.environments import ROOT


def pkg_info(sdist: Path) -> dict[str, list[str]]:
    """The sdist's PKG-INFO headers (each name with all its values)."""
    with tarfile.open(sdist) as archive:
        (member,) = [
            m
            for m in archive.getmembers()
            if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
        ]
        extracted = archive.extractfile(member)
        assert extracted is not None
        message = HeaderParser().parsestr(extracted.read().decode())
    return {key: message.get_all(key) or [] for key in set(message.keys())}


def test_sdist_carries_every_handler_module_and_requirements(sdist_names: set[str]) -> None:
    modules = sorted((ROOT / "lambda").glob("*.py"))
    assert len(modules) >= 3
    for module in modules:
        assert f"lambda/{module.name}" in sdist_names
    assert "lambda/requirements.txt" in sdist_names


def test_sdist_carries_construct_modules_and_py_typed(sdist_names: set[str]) -> None:
    for module in sorted((ROOT / "contact_streaming").glob("*.py")):
        assert f"contact_streaming/{module.name}" in sdist_names
    assert "contact_streaming/py.typed" in sdist_names


def test_sdist_carries_license_changelog_and_pyproject(sdist_names: set[str]) -> None:
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= sdist_names


def test_sdist_leaves_out_tests_environments_and_releases(sdist_names: set[str]) -> None:
    tops = {name.split("/", 1)[0] for name in sdist_names}
    assert not tops & {"tests", "releases", "node_modules", ".venv", "standins", "local", "bench"}


def test_sdist_metadata_version_license_and_floor(sdist: Path) -> None:
    info = pkg_info(sdist)
    assert info["Version"] == [project_version()]
    assert info["License-Expression"] == ["Apache-2.0"]
    assert "aws-cdk-lib<3,>=2.222.0" in info["Requires-Dist"]
    assert "constructs<11,>=10.0.0" in info["Requires-Dist"]
    assert sdist.name == f"cdk_contact_streaming-{project_version()}.tar.gz"
