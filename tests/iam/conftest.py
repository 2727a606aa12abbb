"""Each case of tests/iam/apps.py synthesized once per session, with cdk.json's context."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from tests.iam.apps import CASES
from tests.iam.policies import Kind, Located, statements
from tests.template.conftest import cdk_context

# A warning that quotes a statement the owner of an adopted topic or key must add.
WARNED = re.compile(r"its owner must add: (\{.*\}) \[ack: contact-streaming:(topic|key)-policy\]$")


@dataclass(frozen=True)
class Synthesized:
    """One case's template and every statement in it or quoted by its warnings."""

    template: dict[str, Any]
    statements: list[Located]


def synthesize(name: str, outdir: Path) -> Synthesized:
    """Synthesize CASES[name] and collect its statements, warned ones included."""
    app = App(context=cdk_context(), outdir=str(outdir))
    stack = CASES[name](app)
    artifact = app.synth().get_stack_by_name(stack.stack_name)
    found = statements(artifact.template)
    for message in artifact.messages:
        match = WARNED.search(str(message.entry.data))
        if match:
            # Held like a role's statement: its Resource is the adopted topic (or "*", the key).
            kind = Kind.KEY if match.group(2) == "key" else Kind.IDENTITY
            warned = json.loads(match.group(1))
            found.append(Located(f"{message.id} warning", kind, warned))
    return Synthesized(artifact.template, found)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synthesized]:
    """Every case, by name."""
    return {name: synthesize(name, tmp_path_factory.mktemp(name)) for name in CASES}
