"""`make reference`: pdoc's reference of the public API, and no public name without a docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

import contact_streaming
from tools import api_reference

PROBE = "reference_probe"
PROBE_INIT = '''"""A package to hold the docstring rule against."""

from reference_probe._impl import Color, Documented, Undocumented

__all__ = ["Color", "Documented", "Undocumented", "function"]


def function() -> None:
    pass
'''
PROBE_IMPL = '''"""Where the probe's classes live."""

import enum


class Base:
    """Ours, not exported: what it gives Documented is public there."""

    def inherited(self) -> None:
        pass


class Documented(Base):
    """Documented."""

    def method(self) -> None:
        """Documented."""

    def _private(self) -> None:
        pass


class Undocumented(dict[str, str]):
    pass


class Color(enum.Enum):
    """Documented."""

    RED = 1
    BLUE = 2
    """Documented."""
'''


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A package on sys.path with documented and undocumented public names."""
    package = tmp_path / PROBE
    package.mkdir()
    (package / "__init__.py").write_text(PROBE_INIT)
    (package / "_impl.py").write_text(PROBE_IMPL)
    monkeypatch.syspath_prepend(str(tmp_path))
    return PROBE


def test_reference_this_package_every_public_name_documented() -> None:
    assert api_reference.undocumented(api_reference.load()) == []


def test_reference_probe_undocumented_names_found_library_members_ignored(probe: str) -> None:
    missing = api_reference.undocumented(api_reference.load(probe), probe)

    # dict's members are Python's to document; Base's public method is part of Documented.
    assert sorted(missing) == ["Color.RED", "Documented.inherited", "Undocumented", "function"]


def test_reference_probe_main_fails_names_each_and_writes_nothing(
    probe: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "reference"

    code = api_reference.main([str(output), "--package", probe])

    assert code == 1
    err = capsys.readouterr().err
    assert f"{probe}.Undocumented: public, but has no docstring" in err
    assert f"{probe}.Color.RED: public, but has no docstring" in err
    assert not output.exists()


def test_reference_build_documents_every_exported_name(tmp_path: Path) -> None:
    output = tmp_path / "reference"

    assert api_reference.main([str(output)]) == 0

    page = (output / "contact_streaming.html").read_text()
    assert (output / "index.html").is_file()
    for name in contact_streaming.__all__:
        assert f'id="{name}"' in page, name
