"""The flow function (lambda/flow/) ships in the sdist and wheel; an installed app uses it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.packaging.conftest import Consumer
from tests.packaging.environments import ROOT

FLOW_HANDLER = ROOT / "lambda" / "flow" / "flow_handler.py"


def test_sdist_carries_flow_handler(sdist_names: set[str]) -> None:
    assert "lambda/flow/flow_handler.py" in sdist_names


def test_wheel_carries_flow_handler_unchanged(wheel: Path) -> None:
    shipped = zipfile.ZipFile(wheel).read("contact_streaming/_lambda/flow/flow_handler.py")
    assert shipped == FLOW_HANDLER.read_bytes()


def test_consumer_app_flow_asset_is_installed_flow_handler(consumer: Consumer) -> None:
    (function,) = [
        resource
        for resource in consumer.flow_template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    ]
    assert function["Properties"]["Handler"] == "flow_handler.handler"
    asset = (
        consumer.outdir / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    )
    installed = consumer.module.parent / "_lambda" / "flow" / "flow_handler.py"
    assert sorted(p.name for p in asset.iterdir()) == ["flow_handler.py"]
    assert (asset / "flow_handler.py").read_bytes() == installed.read_bytes()
    assert installed.read_bytes() == FLOW_HANDLER.read_bytes()
