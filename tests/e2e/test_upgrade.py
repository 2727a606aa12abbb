"""Upgrades never restart a stream: each release in releases/ deployed, then upgraded by the CLI.

For every release kept in ``releases/`` (its sdist, installed in a clean venv of its own; also
the development snapshots kept there, e.g. 0.3.0.dev0, the main branch before Connect's published
Stop quota), the
upgrade app's three streams are deployed with that release, the same app built from the current
code is deployed over it with the CLI, and the stack is then destroyed. The local Connect
records every call: the upgrade must make none, and keep every stream and its ids; the destroy
must stop each stream once. A new release only adds its sdist to releases/ and its changelog
entry.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import contact_streaming
from local.session import Session
from local.world import INSTANCE_ID, ROOT
from standins.connect import Call, StreamRecord
from tests.e2e import upgrade_app
from tests.e2e.conftest import Cli, synthesize
from tests.packaging.environments import clean_env, install, outside_env, run


def release_version(sdist: Path) -> str:
    """The version in an sdist's file name (cdk_contact_streaming-<version>.tar.gz)."""
    return sdist.name.removeprefix("cdk_contact_streaming-").removesuffix(".tar.gz")


RELEASES = sorted(
    (ROOT / "releases").glob("cdk_contact_streaming-*.tar.gz"),
    key=lambda path: [int(part) for part in re.findall(r"\d+", path.name)],
)
VERSIONS = [release_version(r) for r in RELEASES]
UPGRADE_APP = Path(__file__).with_name("upgrade_app.py")
STREAMS = 3
CONNECT_CALLS = ("StartContactStreaming", "StopContactStreaming")


@dataclass
class Deployed:
    """What the stack held after one deploy."""

    outputs: dict[str, str]
    physical_ids: dict[str, str]
    template: dict[str, Any]
    status: str


@dataclass
class Upgrade:
    """One release deployed, upgraded to the current code, and destroyed."""

    version: str
    contacts: list[str]
    release_module: Path
    current_module: Path
    before: Deployed
    after: Deployed
    upgrade_calls: list[Call]
    streams_after_upgrade: list[StreamRecord]
    destroy_calls: list[Call]
    streams_after_destroy: list[StreamRecord]
    status_after_destroy: str
    stream_events: list[dict[str, Any]]
    seconds: dict[str, float]


def synthesize_release(python: Path, outdir: Path, stack: str, contacts: list[str]) -> Path:
    """Run the upgrade app with a release's Python; return where it imported contact_streaming."""
    args = [str(outdir), str(ROOT / "cdk.json"), stack, INSTANCE_ID, *contacts]
    out = run(str(python), str(UPGRADE_APP), *args, cwd=outdir.parent, env=outside_env())
    return Path(json.loads(out.strip().splitlines()[-1])["module"])


def connect_calls(session: Session, contacts: list[str]) -> list[Call]:
    """Every Start and Stop call the local Connect recorded for these contacts, in order."""
    with session.connect.lock:
        return [
            c
            for c in session.connect.calls
            if c.operation in CONNECT_CALLS and c.body.get("ContactId") in contacts
        ]


def streams(session: Session, contacts: list[str]) -> list[StreamRecord]:
    """Every stream the local Connect holds for these contacts, running or stopped (copies)."""
    with session.connect.lock:
        return [
            StreamRecord(**vars(s))
            for s in session.connect.streams.values()
            if s.contact_id in contacts
        ]


def deployed(cli: Cli, stack: str, assembly: Path, outputs: dict[str, str]) -> Deployed:
    """The stack's custom resources' ids, its template and status after a deploy."""
    cloudformation = cli.session.client("cloudformation")
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    physical_ids = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in resources
        if r["ResourceType"] == "Custom::ContactStreaming"
    }
    template = json.loads((assembly / f"{stack}.template.json").read_text())
    return Deployed(outputs, physical_ids, template, cli.stack_status(stack))


@dataclass(frozen=True)
class Plan:
    """One release's upgrade run: its stack, contacts and the current code's assembly."""

    sdist: Path
    folder: Path
    stack: str
    contacts: list[str]
    current: Path

    @property
    def version(self) -> str:
        """The release's version."""
        return release_version(self.sdist)


def plan(sdist: Path, folder: Path) -> Plan:
    """Fresh contacts and a stack of one's own; the current code's app synthesized (in-process)."""
    version = release_version(sdist)
    stack = "Upgrade" + version.replace(".", "x")
    contacts = [str(uuid.uuid4()) for _ in range(STREAMS)]
    current = folder / "current.out"
    synthesize(current, lambda app: upgrade_app.build(app, stack, INSTANCE_ID, contacts))
    return Plan(sdist, folder, stack, contacts, current)


def upgrade_one(session: Session, cli: Cli, planned: Plan) -> Upgrade:
    """Deploy the release's app, deploy the current code's over it, then destroy the stack.

    Runs in a thread of its own: only subprocesses and boto3 clients of its own, no jsii.
    """
    python = clean_env(planned.folder / "venv")
    install(python, planned.sdist)
    contacts, stack = planned.contacts, planned.stack
    old = planned.folder / "release.out"
    release_module = synthesize_release(python, old, stack, contacts)
    run_before, outputs = cli.deploy(old, stack)
    assert run_before.returncode == 0, run_before.output[-3000:]
    before = deployed(cli, stack, old, outputs)
    calls_before = len(connect_calls(session, contacts))
    run_after, outputs = cli.deploy(planned.current, stack)
    assert run_after.returncode == 0, run_after.output[-3000:]
    after = deployed(cli, stack, planned.current, outputs)
    upgrade_calls = connect_calls(session, contacts)[calls_before:]
    streams_after_upgrade = streams(session, contacts)
    events = [e for e in cli.events(stack) if e["ResourceType"] == "Custom::ContactStreaming"]
    calls_before = len(connect_calls(session, contacts))
    run_destroy = cli.destroy(planned.current, stack)
    assert run_destroy.returncode == 0, run_destroy.output[-3000:]
    return Upgrade(
        planned.version,
        contacts,
        release_module,
        Path(str(contact_streaming.__file__)),
        before,
        after,
        upgrade_calls,
        streams_after_upgrade,
        connect_calls(session, contacts)[calls_before:],
        streams(session, contacts),
        cli.stack_status(stack),
        events,
        {
            "deploy": run_before.seconds,
            "upgrade": run_after.seconds,
            "destroy": run_destroy.seconds,
        },
    )


@pytest.fixture(scope="module")
def upgrades(
    session: Session, cli: Cli, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Upgrade]]:
    """Every release's upgrade run, all at once (each mostly waits on the CLI), by version."""
    plans = [plan(r, tmp_path_factory.mktemp(f"upgrade-{release_version(r)}")) for r in RELEASES]
    for contact_id in (c for p in plans for c in p.contacts):
        session.connect.add_contact(INSTANCE_ID, contact_id)
    try:
        with ThreadPoolExecutor(max_workers=len(plans)) as pool:
            futures = {p.version: pool.submit(upgrade_one, session, cli, p) for p in plans}
            yield {version: future.result() for version, future in futures.items()}
    finally:
        for planned in plans:
            cli.remove(planned.stack)
            for contact_id in planned.contacts:
                session.connect.end_contact(INSTANCE_ID, contact_id)


@pytest.fixture(params=VERSIONS)
def upgrade(request: pytest.FixtureRequest, upgrades: dict[str, Upgrade]) -> Upgrade:
    """One release's upgrade run."""
    return upgrades[request.param]


def is_final(version: str) -> bool:
    """True for a release's version (X.Y.Z), False for a development snapshot's (X.Y.Z.devN)."""
    return re.fullmatch(r"\d+\.\d+\.\d+", version) is not None


def test_releases_one_sdist_per_changelog_release() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert {"0.1.0", "0.2.0"} <= set(released)
    assert sorted(released) == sorted(v for v in VERSIONS if is_final(v))


def test_releases_snapshots_are_development_versions_named_in_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    snapshots = [v for v in VERSIONS if not is_final(v)]
    assert "0.3.0.dev0" in snapshots
    for version in snapshots:
        assert re.fullmatch(r"\d+\.\d+\.\d+\.dev\d+", version)
        assert f"cdk_contact_streaming-{version}.tar.gz" in changelog


def test_upgrade_release_app_built_from_release_and_current_code(upgrade: Upgrade) -> None:
    assert f"{os.sep}venv{os.sep}" in str(upgrade.release_module)
    assert not upgrade.release_module.is_relative_to(ROOT)
    assert upgrade.current_module == ROOT / "contact_streaming" / "__init__.py"


def test_upgrade_release_deploy_started_every_stream(upgrade: Upgrade) -> None:
    assert upgrade.before.status == "CREATE_COMPLETE"
    assert len(upgrade.before.physical_ids) == STREAMS
    assert len({upgrade.before.outputs[f"StreamingId{i}"] for i in range(STREAMS)}) == STREAMS


def test_upgrade_from_release_calls_connect_nothing(upgrade: Upgrade) -> None:
    # The CLI deploys nothing when the template is the same (no code or template change).
    unchanged = upgrade.after.template == upgrade.before.template
    assert upgrade.after.status == ("CREATE_COMPLETE" if unchanged else "UPDATE_COMPLETE")
    assert [(c.operation, c.body["ContactId"]) for c in upgrade.upgrade_calls] == []


def test_upgrade_from_release_keeps_physical_ids_and_streaming_ids(upgrade: Upgrade) -> None:
    assert upgrade.after.physical_ids == upgrade.before.physical_ids
    assert upgrade.after.outputs == upgrade.before.outputs


def test_upgrade_from_release_every_stream_still_running(upgrade: Upgrade) -> None:
    running = {s.streaming_id for s in upgrade.streams_after_upgrade if s.state == "ACTIVE"}
    assert len(upgrade.streams_after_upgrade) == STREAMS
    assert running == {upgrade.after.outputs[f"StreamingId{i}"] for i in range(STREAMS)}


def test_upgrade_from_release_stream_properties_keep_their_target(upgrade: Upgrade) -> None:
    # What Connect is called with: an upgrade that changed any of these would move the stream.
    target = ("ServiceToken", "InstanceId", "ContactId", "StreamingEndpointArn", "Region")
    for logical_id in upgrade.before.physical_ids:
        old = upgrade.before.template["Resources"][logical_id]["Properties"]
        new = upgrade.after.template["Resources"][logical_id]["Properties"]
        assert {k: old.get(k) for k in target} == {k: new.get(k) for k in target}


def test_upgrade_updates_every_stream_whose_properties_changed(upgrade: Upgrade) -> None:
    # Each Update is one the handler answers without a call (the test above). CloudFormation
    # updates only the streams whose properties changed; ministack sends an Update to every
    # resource of a stack whose template changed (docs/local.md), so the engine may update more.
    changed = {
        logical_id
        for logical_id in upgrade.before.physical_ids
        if upgrade.before.template["Resources"][logical_id]["Properties"]
        != upgrade.after.template["Resources"][logical_id]["Properties"]
    }
    updated = [
        e["LogicalResourceId"]
        for e in upgrade.stream_events
        if e["ResourceStatus"] == "UPDATE_COMPLETE"
    ]
    assert changed <= set(updated)
    assert set(updated) <= set(upgrade.before.physical_ids)
    assert not [e for e in upgrade.stream_events if "DELETE" in e["ResourceStatus"]]


def test_upgrade_then_destroy_stops_every_stream_once(upgrade: Upgrade) -> None:
    assert upgrade.status_after_destroy == "GONE"
    stopped = sorted(c.body["StreamingId"] for c in upgrade.destroy_calls if c.status == 200)
    assert [c.operation for c in upgrade.destroy_calls] == ["StopContactStreaming"] * STREAMS
    assert stopped == sorted(upgrade.before.outputs[f"StreamingId{i}"] for i in range(STREAMS))
    assert {s.state for s in upgrade.streams_after_destroy} == {"STOPPED"}
