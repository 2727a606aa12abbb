"""The wheel carries the construct, py.typed, the Lambda handler's modules and its requirements."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.packaging.environments import ROOT


def test_wheel_contents_include_py_typed_and_handler(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "contact_streaming/py.typed" in names
    assert "contact_streaming/_lambda/requirements.txt" in names
    for module in sorted((ROOT / "lambda").glob("*.py")):
        assert f"contact_streaming/_lambda/{module.name}" in names


def test_wheel_handler_modules_same_as_repository(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    for module in sorted((ROOT / "lambda").glob("*.py")):
        shipped = archive.read(f"contact_streaming/_lambda/{module.name}")
        assert shipped == module.read_bytes(), module.name


def test_wheel_carries_license(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    (license_file,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert zipfile.ZipFile(wheel).read(license_file) == (ROOT / "LICENSE").read_bytes()


def test_wheel_declares_quota_lookup_script_and_lookup_extra(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert (
        "cdk-contact-streaming-quotas = contact_streaming.quota_lookup:main"
        in archive.read(entry_points).decode()
    )
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    assert 'Requires-Dist: boto3<2,>=1.34; extra == "lookup"' in archive.read(metadata).decode()
    assert "contact_streaming/quota_lookup.py" in archive.namelist()
