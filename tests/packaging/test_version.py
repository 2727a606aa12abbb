"""`contact_streaming.__version__` has one source: pyproject.toml (through metadata, installed)."""

from __future__ import annotations

from pathlib import Path

import contact_streaming
from contact_streaming import _version
from tests.packaging.conftest import project_version


def package_in(folder: Path, pyproject: str | None) -> Path:
    """A fake package folder `contact_streaming` in `folder`, with a pyproject.toml beside it."""
    package = folder / "contact_streaming"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    if pyproject is not None:
        (folder / "pyproject.toml").write_text(pyproject)
    return package


def test_version_from_source_tree_is_pyproject_version() -> None:
    assert contact_streaming.__version__ == project_version()


def test_version_source_tree_of_this_distribution_read(tmp_path: Path) -> None:
    package = package_in(tmp_path, '[project]\nname = "cdk-contact-streaming"\nversion = "9.8.7"\n')
    assert _version.version(package) == "9.8.7"


def test_version_other_projects_pyproject_ignored(tmp_path: Path) -> None:
    package = package_in(tmp_path, '[project]\nname = "something-else"\nversion = "1.0"\n')
    assert _version.version(package) == _version.UNKNOWN


def test_version_no_metadata_no_pyproject_unknown(tmp_path: Path) -> None:
    assert _version.version(package_in(tmp_path, None)) == "0+unknown"
