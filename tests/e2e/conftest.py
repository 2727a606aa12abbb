"""The end-to-end tests' apps and contacts, on the shared engine and CLI of tests/engine.py.

Apps are synthesized once, in process, with cdk.json's context (the assembly `cdk synth`
writes); every deploy, update and destroy then runs the pinned `cdk` CLI on that assembly.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from local.session import Session
from local.world import INSTANCE_ID, ROOT
from stacks.streaming_stack import StreamingStack
from standins.connect import StreamRecord
from tests.e2e import stacks
from tests.engine import Cli

__all__ = ["APP_STACK", "Cli", "running", "streams_of"]

APP_STACK = "ContactStreamingStack"


def synthesize(outdir: Path, build: Callable[[App], object]) -> Path:
    """Synthesize an app with cdk.json's context into `outdir` (a cloud assembly)."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = App(context=context, outdir=str(outdir))
    build(app)
    app.synth()
    return outdir


@pytest.fixture(scope="session")
def app_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app, as app.py builds it."""
    return synthesize(
        tmp_path_factory.mktemp("app.out"), lambda app: StreamingStack(app, APP_STACK)
    )


@pytest.fixture(scope="session")
def test_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test-only stacks (tripwire, RETAIN)."""
    return synthesize(tmp_path_factory.mktemp("test.out"), stacks.build)


@pytest.fixture
def new_contact(session: Session) -> Callable[[], str]:
    """Make a fresh active chat contact in the local Connect; return its id."""

    def make() -> str:
        contact_id = str(uuid.uuid4())
        session.connect.add_contact(INSTANCE_ID, contact_id)
        return contact_id

    return make


def streams_of(session: Session, contact_id: str) -> list[StreamRecord]:
    """Every stream the local Connect started for one contact, running or stopped."""
    with session.connect.lock:
        return [s for s in session.connect.streams.values() if s.contact_id == contact_id]


def running(session: Session, *contact_ids: str) -> list[StreamRecord]:
    """The running streams of these contacts."""
    return [s for c in contact_ids for s in streams_of(session, c) if s.state == "ACTIVE"]
