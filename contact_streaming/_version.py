"""The package's version, from one source: pyproject.toml's ``[project] version``.

An installed package (a wheel, an sdist, an editable install) reads it from its metadata, which
the build wrote from pyproject.toml. Imported from a source tree (the repository itself, which is
not installed: the tests, ``cdk synth``), it reads the pyproject.toml beside the package instead,
so a different installed copy never lends its version to the code being run.
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

DISTRIBUTION = "cdk-contact-streaming"
UNKNOWN = "0+unknown"
PACKAGE = Path(__file__).resolve().parent


def installed_version(package: Path) -> str | None:
    """The metadata's version if `package` is the folder that distribution installed."""
    try:
        found = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    ours = Path(str(found.locate_file(f"{package.name}/__init__.py")))
    return found.version if ours.resolve() == (package / "__init__.py").resolve() else None


def source_version(package: Path) -> str | None:
    """The version pyproject.toml beside `package` declares, if it is this distribution's."""
    pyproject = package.parent / "pyproject.toml"
    if not pyproject.is_file():
        return None
    project = tomllib.loads(pyproject.read_text()).get("project", {})
    if project.get("name") != DISTRIBUTION:
        return None
    return str(project["version"])


def version(package: Path = PACKAGE) -> str:
    """The version of the copy in `package`: its metadata, its source tree's, or "0+unknown"."""
    return installed_version(package) or source_version(package) or UNKNOWN


__version__ = version()
