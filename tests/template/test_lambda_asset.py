"""The provider's Lambda asset: what it holds, and that its hash does not change between runs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import crhelper
import pytest

from standins.fresh import run_fresh
from tests.conftest import ROOT, STACK_NAME
from tests.template.conftest import Synth, cdk_context

SYNTH_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Assembly:
    """A cloud assembly on disk: its template and its one file asset's hash and folder."""

    template: dict[str, Any]
    asset_hash: str
    asset_dir: Path


def read_assembly(outdir: Path, stack_name: str = STACK_NAME) -> Assembly:
    """A stack's template and Lambda asset from a cloud assembly folder (the app stack's)."""
    template = json.loads((outdir / f"{stack_name}.template.json").read_text())
    manifest = json.loads((outdir / f"{stack_name}.assets.json").read_text())
    zips = [h for h, f in manifest["files"].items() if f["source"]["packaging"] == "zip"]
    assert len(zips) == 1, f"expected one zip asset, got {zips}"
    source = manifest["files"][zips[0]]["source"]["path"]
    return Assembly(template, zips[0], outdir / source)


def run_app(
    outdir: Path,
    *args: str,
    stack_name: str = STACK_NAME,
    cwd: Path = ROOT,
    pythonpath: Sequence[Path] = (ROOT,),
) -> Assembly:
    """`python <args>` run in its own process, with cdk.json's context, as the CLI runs it."""
    env = {"CDK_OUTDIR": str(outdir), "CDK_CONTEXT_JSON": json.dumps(cdk_context())}
    run_fresh(
        *args, env=env, cwd=cwd, pythonpath=pythonpath, timeout=SYNTH_TIMEOUT_SECONDS, prints=False
    )
    return read_assembly(outdir, stack_name)


@pytest.fixture(scope="module")
def app_py_assembly(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    """`python app.py` run in its own process, with cdk.json's context, as the CLI runs it."""
    return run_app(tmp_path_factory.mktemp("app-py"), "app.py")


def test_lambda_asset_hash_same_in_separate_processes(
    app_py_assembly: Assembly, app_synth: Synth
) -> None:
    in_process = read_assembly(app_synth.outdir)
    assert len(in_process.asset_hash) == 64
    assert app_py_assembly.asset_hash == in_process.asset_hash


def test_lambda_asset_code_points_at_hashed_zip(app_synth: Synth) -> None:
    asset = read_assembly(app_synth.outdir)
    _, function = app_synth.only("AWS::Lambda::Function")
    assert function["Properties"]["Code"]["S3Key"] == f"{asset.asset_hash}.zip"


def test_app_py_template_equals_tested_template(
    app_py_assembly: Assembly, app_synth: Synth
) -> None:
    assert app_py_assembly.template == app_synth.raw


def test_lambda_asset_holds_handler_modules_and_crhelper_only(app_py_assembly: Assembly) -> None:
    modules = sorted(path.name for path in (ROOT / "lambda").glob("*.py"))
    top_level = sorted(path.name for path in app_py_assembly.asset_dir.iterdir())
    assert "handler.py" in modules
    assert top_level == sorted(["crhelper", *modules])
    for name in modules:
        bundled = app_py_assembly.asset_dir / name
        assert bundled.read_bytes() == (ROOT / "lambda" / name).read_bytes()


def test_lambda_asset_crhelper_is_installed_copy_without_bytecode(
    app_py_assembly: Assembly,
) -> None:
    installed = Path(crhelper.__file__).parent
    bundled = app_py_assembly.asset_dir / "crhelper"
    names = sorted(path.name for path in bundled.rglob("*"))
    assert "__init__.py" in names
    assert not [n for n in names if n == "__pycache__" or n.endswith(".pyc")]
    for path in bundled.rglob("*.py"):
        assert path.read_bytes() == (installed / path.relative_to(bundled)).read_bytes()


def test_lambda_asset_excludes_boto3_and_botocore(app_py_assembly: Assembly) -> None:
    everything = [
        path.relative_to(app_py_assembly.asset_dir) for path in app_py_assembly.asset_dir.rglob("*")
    ]
    for package in ("boto3", "botocore", "s3transfer", "urllib3"):
        assert not [p for p in everything if p.parts[0] == package]
