"""`make compat`: the public API against the last release; a breaking change must be announced."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from packaging.version import Version

from tests.conftest import ROOT
from tools import api_compat

RELEASE = "0.2.0"
SIGNATURE = "        contact_id: str,\n"


def repository(folder: Path, version: str, changelog: str = "") -> Path:
    """A repository with a copy of this package, a version, a CHANGELOG, and a release.

    The release (RELEASE) is an sdist of the same copy, so only what a test changes differs.
    """
    package = folder / "contact_streaming"
    shutil.copytree(
        ROOT / "contact_streaming", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    (folder / "releases").mkdir()
    sdist = folder / "releases" / f"cdk_contact_streaming-{RELEASE}.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        archive.add(package, arcname=f"cdk_contact_streaming-{RELEASE}/contact_streaming")
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "cdk-contact-streaming"\nversion = "{version}"\n'
    )
    (folder / "CHANGELOG.md").write_text(f"# Changelog\n\n## [{version}] - unreleased\n{changelog}")
    return folder


def edit(folder: Path, module: str, old: str, new: str, count: int = 1) -> None:
    """Replace `old` (which must be there) with `new` in the copy's `module`, `count` times.

    A `count` of -1 replaces every occurrence.
    """
    path = folder / "contact_streaming" / module
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


def rename_contact_id(folder: Path) -> None:
    """The deliberate break: ContactStreaming's `contact_id` prop becomes `contact`."""
    edit(folder, "contact_streaming.py", SIGNATURE, "        contact: str,\n")


def test_api_compat_this_repository_against_last_final_release_passes() -> None:
    release, _, refused = api_compat.check(ROOT)

    kept = [
        Version(p.name.removeprefix("cdk_contact_streaming-").removesuffix(".tar.gz"))
        for p in (ROOT / "releases").glob("*.tar.gz")
    ]
    assert release == max(v for v in kept if not v.is_prerelease)
    assert refused == []
    assert api_compat.main([]) == 0


def test_api_compat_unchanged_copy_no_breaking_change(tmp_path: Path) -> None:
    root = repository(tmp_path, "0.3.0")

    _, found, refused = api_compat.check(root)

    assert found == []
    assert refused == []


def test_api_compat_renamed_parameter_same_major_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repository(tmp_path, "0.3.0")
    rename_contact_id(root)

    code = api_compat.main(["--root", str(root)])

    assert code == 1
    err = capsys.readouterr().err
    assert "ContactStreaming.__init__(contact_id)" in err
    assert "keeps major version 0" in err


def test_api_compat_renamed_parameter_new_major_without_changelog_fails(tmp_path: Path) -> None:
    root = repository(tmp_path, "1.0.0", "\n### Added\n- `ContactStreaming` is great.\n")
    rename_contact_id(root)

    _, found, refused = api_compat.check(root)

    assert {b.name for b in found} == {"ContactStreaming"}
    assert refused
    assert all("does not name `ContactStreaming`" in problem for problem in refused)


def test_api_compat_renamed_parameter_new_major_announced_passes(tmp_path: Path) -> None:
    notes = "\n### Breaking changes\n- `ContactStreaming`: `contact_id` is now `contact`.\n"
    root = repository(tmp_path, "1.0.0", notes)
    rename_contact_id(root)

    _, found, refused = api_compat.check(root)

    assert found
    assert refused == []


def test_api_compat_removed_method_named_by_member(tmp_path: Path) -> None:
    root = repository(tmp_path, "0.3.0")
    edit(root, "streaming_endpoint.py", "def grant_streaming(", "def grant_stream(", -1)

    _, found, refused = api_compat.check(root)

    names = {b.name for b in found}
    assert "StreamingEndpoint.grant_streaming" in names
    assert all(name.endswith("StreamingEndpoint.grant_streaming") for name in names)
    assert len(refused) == len(found)


def test_api_compat_removed_export_fails(tmp_path: Path) -> None:
    root = repository(tmp_path, "0.3.0")
    edit(root, "__init__.py", '    "StreamingEndpoint",\n', "")

    _, found, _ = api_compat.check(root)

    assert [b.name for b in found] == ["StreamingEndpoint"]
    assert "no longer exported" in found[0].explanation


def test_api_compat_additions_pass(tmp_path: Path) -> None:
    root = repository(tmp_path, "0.3.0")
    edit(root, "contact_streaming.py", SIGNATURE, SIGNATURE + "        extra: str = '',\n")
    edit(
        root,
        "__init__.py",
        "__all__ = [\n",
        'def added() -> None:\n    """New."""\n\n\n__all__ = [\n    "added",\n',
    )

    _, found, refused = api_compat.check(root)

    assert found == []
    assert refused == []


def test_api_compat_internal_module_change_not_breaking(tmp_path: Path) -> None:
    root = repository(tmp_path, "0.3.0")
    edit(root, "quota.py", "class QuotaShare:", "class RenamedQuotaShare:")

    _, found, _ = api_compat.check(root)

    assert found == []


def test_api_compat_breaking_section_ends_at_next_heading() -> None:
    changelog = (
        "## [1.0.0] - unreleased\n\n### Breaking changes\n- `A` changed.\n\n### Added\n- `B`.\n"
        "## [0.2.0] - 2026-11-26\n### Breaking changes\n- `C`.\n"
    )

    section = api_compat.breaking_section(changelog, Version("1.0.0"))

    assert "`A`" in section
    assert "`B`" not in section
    assert "`C`" not in section
    assert api_compat.breaking_section(changelog, Version("2.0.0")) == ""


def test_api_compat_development_snapshot_not_a_release(tmp_path: Path) -> None:
    root = repository(tmp_path, "0.3.0")
    later = root / "releases" / "cdk_contact_streaming-0.3.0.dev0.tar.gz"
    shutil.copy(root / "releases" / f"cdk_contact_streaming-{RELEASE}.tar.gz", later)

    release, _ = api_compat.last_release(root / "releases")

    assert release == Version(RELEASE)
