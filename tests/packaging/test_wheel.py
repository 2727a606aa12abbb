"""The wheel carries the construct, py.typed and the Lambda handler; an outside app synthesizes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from standins.fresh import run_fresh

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "contact_streaming", "lambda")
PIP = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet")
CONSUMER_APP = """
import json, sys
from aws_cdk import App, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
import contact_streaming
from contact_streaming import ContactStreaming, StreamingEndpoint

app = App(outdir=sys.argv[1])
stack = Stack(app, "Consumer")
topic = sns.Topic(stack, "Topic")
endpoint = StreamingEndpoint(stack, "Endpoint", instance_id="instance-1", topic=topic)
endpoint.grant_streaming(iam.Role(stack, "Backend", assumed_by=iam.AccountRootPrincipal()))
ContactStreaming(
    stack, "Stream", instance_id="instance-1", contact_id="contact-1", topic=endpoint.topic,
)
artifact = app.synth().get_stack_by_name("Consumer")
print(json.dumps({"module": contact_streaming.__file__, "template": artifact.template_full_path}))
"""


def run(*command: str, cwd: Path) -> str:
    """Run a command to completion (bounded), failing the test with its output if it fails."""
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline from a copy of the sources (no build/ left in the repository)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    run(
        *PIP,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        str(out),
        ".",
        cwd=source,
    )
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder the wheel was installed into (alone: its dependencies come from the venv)."""
    target = tmp_path_factory.mktemp("target")
    run(*PIP, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel), cwd=target)
    return target


@pytest.fixture(scope="module")
def consumer(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What a consumer app outside the repository synthesized with the installed package."""
    app_dir = tmp_path_factory.mktemp("consumer")
    (app_dir / "app.py").write_text(CONSUMER_APP)
    printed = run_fresh(
        "app.py", str(app_dir / "cdk.out"), cwd=app_dir, pythonpath=(installed,), timeout=120
    )
    result: dict[str, Any] = json.loads(printed)
    template = json.loads(Path(result["template"]).read_text())
    return {"module": Path(result["module"]), "template": template, "outdir": app_dir / "cdk.out"}


def test_wheel_contents_include_py_typed_and_handler(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "contact_streaming/py.typed" in names
    assert "contact_streaming/_lambda/handler.py" in names
    assert "contact_streaming/_lambda/requirements.txt" in names


def test_wheel_handler_same_as_repository_handler(installed: Path) -> None:
    shipped = installed / "contact_streaming" / "_lambda" / "handler.py"
    assert shipped.read_bytes() == (ROOT / "lambda" / "handler.py").read_bytes()


def test_wheel_every_handler_module_same_as_repository(installed: Path) -> None:
    modules = sorted(path.name for path in (ROOT / "lambda").glob("*.py"))
    shipped_dir = installed / "contact_streaming" / "_lambda"
    shipped = sorted(path.name for path in shipped_dir.glob("*.py"))
    assert {"handler.py", "physical_id.py", "reasons.py", "rollback.py"} <= set(modules)
    assert shipped == modules
    for name in modules:
        assert (shipped_dir / name).read_bytes() == (ROOT / "lambda" / name).read_bytes()


def test_consumer_app_outside_repository_imports_installed_package(
    consumer: dict[str, Any], installed: Path
) -> None:
    assert consumer["module"].is_relative_to(installed)
    assert not consumer["outdir"].is_relative_to(ROOT)


def test_consumer_app_template_has_custom_resource(consumer: dict[str, Any]) -> None:
    types = [resource["Type"] for resource in consumer["template"]["Resources"].values()]
    assert types.count("Custom::ContactStreaming") == 1
    assert types.count("AWS::Lambda::Function") == 1


def test_consumer_app_streaming_endpoint_shares_topic_one_connect_statement(
    consumer: dict[str, Any],
) -> None:
    resources = consumer["template"]["Resources"].values()
    (policy,) = [r for r in resources if r["Type"] == "AWS::SNS::TopicPolicy"]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Principal"] for s in statements] == [{"Service": "connect.amazonaws.com"}]
    actions = [
        statement["Action"]
        for r in resources
        if r["Type"] == "AWS::IAM::Policy"
        for statement in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert actions.count(["connect:StartContactStreaming", "connect:StopContactStreaming"]) == 2


def test_consumer_app_asset_holds_handler_and_crhelper(
    consumer: dict[str, Any], installed: Path
) -> None:
    (function,) = [
        resource
        for resource in consumer["template"]["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    ]
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    asset = consumer["outdir"] / f"asset.{asset_hash}"
    shipped = installed / "contact_streaming" / "_lambda" / "handler.py"
    assert (asset / "handler.py").read_bytes() == shipped.read_bytes()
    modules = sorted(path.name for path in shipped.parent.glob("*.py"))
    assert sorted(path.name for path in asset.glob("*.py")) == modules
    assert (asset / "crhelper" / "__init__.py").is_file()
    assert (asset / "crhelper" / "resource_helper.py").is_file()
