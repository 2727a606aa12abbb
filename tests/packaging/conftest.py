"""The sdist and the wheel, built offline as `make dist` builds them, and clean installs of each.

As `python -m build` does, the sdist is built from the sources and the wheel from the sdist, so a
file the sdist leaves out is missing from the wheel too.
"""

from __future__ import annotations

import json
import sys
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.environments import (
    ROOT,
    clean_env,
    install,
    outside_env,
    run,
    source_copy,
)

BUILD_SDIST = (
    "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
)
CONSUMER_APP = """
import json, sys
from aws_cdk import App, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
import contact_streaming
from contact_streaming import ContactStreaming, FlowStreaming, StreamingEndpoint

app = App(outdir=sys.argv[1])
stack = Stack(app, "Consumer")
topic = sns.Topic(stack, "Topic")
endpoint = StreamingEndpoint(stack, "Endpoint", instance_id="instance-1", topic=topic)
endpoint.grant_streaming(iam.Role(stack, "Backend", assumed_by=iam.AccountRootPrincipal()))
ContactStreaming(
    stack, "Stream", instance_id="instance-1", contact_id="contact-1", topic=endpoint.topic,
)
flow_stack = Stack(app, "FlowConsumer")
flow_endpoint = StreamingEndpoint(flow_stack, "Endpoint", instance_id="instance-1")
FlowStreaming(flow_stack, "Flow", endpoint=flow_endpoint)
assembly = app.synth()
print(json.dumps({
    "module": contact_streaming.__file__,
    "version": contact_streaming.__version__,
    "template": assembly.get_stack_by_name("Consumer").template_full_path,
    "flow_template": assembly.get_stack_by_name("FlowConsumer").template_full_path,
}))
"""


def project_version() -> str:
    """The version pyproject.toml declares."""
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


@pytest.fixture(scope="session")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, built by setuptools from a copy of the sources (nothing written to the repo)."""
    source = source_copy(tmp_path_factory.mktemp("build") / "source")
    out = tmp_path_factory.mktemp("sdist")
    name = run(sys.executable, "-c", BUILD_SDIST, str(out), cwd=source).strip().splitlines()[-1]
    return out / name


@pytest.fixture(scope="session")
def sdist_names(sdist: Path) -> set[str]:
    """The sdist's members, without its top folder (``cdk_contact_streaming-<version>/``)."""
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}


@pytest.fixture(scope="session")
def wheel(sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from the sdist (as `python -m build` builds it), offline."""
    out = tmp_path_factory.mktemp("wheel")
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet")
    run(
        *pip,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        str(out),
        str(sdist),
        cwd=out,
    )
    (built,) = out.glob("*.whl")
    return built


@dataclass(frozen=True)
class Consumer:
    """What an app outside the repository synthesized with one installed artefact."""

    kind: str
    site: Path
    module: Path
    version: str
    template: dict[str, Any]
    outdir: Path
    flow_template: dict[str, Any]


@pytest.fixture(scope="session", params=["wheel", "sdist"])
def consumer(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Consumer:
    """A clean venv with one artefact installed, and the consumer app synthesized with it."""
    artefact: Path = request.getfixturevalue(request.param)
    folder = tmp_path_factory.mktemp(f"consumer-{request.param}")
    python = clean_env(folder / "venv")
    install(python, artefact)
    app_dir = folder / "app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(CONSUMER_APP)
    out = run(str(python), "app.py", str(app_dir / "cdk.out"), cwd=app_dir, env=outside_env())
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    template = json.loads(Path(result["template"]).read_text())
    return Consumer(
        request.param,
        folder / "venv",
        Path(result["module"]),
        result["version"],
        template,
        app_dir / "cdk.out",
        json.loads(Path(result["flow_template"]).read_text()),
    )
