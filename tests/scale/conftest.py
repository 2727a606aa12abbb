"""A stack with many streams, synthesized once per module: synth of 490 streams takes seconds."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from contact_streaming import ContactStreaming

ACCOUNT = "111122223333"
REGION = "eu-west-2"
MANY = 490


def instance_arn(number: int) -> str:
    """The ARN of the `number`th test Connect instance, in REGION."""
    return f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{number:08d}-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Synthesized:
    """A synthesized stack: its template as CloudFormation receives it, that file's size, and the
    stack itself (its construct tree, for checks that read the tree rather than the template)."""

    template: dict[str, Any]
    template_bytes: int
    stack: Stack

    def resources(self, resource_type: str) -> dict[str, Any]:
        """The template's resources of one type, by logical id."""
        return {
            name: resource
            for name, resource in self.template["Resources"].items()
            if resource["Type"] == resource_type
        }

    def provider_policy(self) -> dict[str, Any]:
        """The provider role's one inline policy document."""
        policies = self.resources("AWS::IAM::Policy")
        assert len(policies) == 1, sorted(policies)
        document: dict[str, Any] = next(iter(policies.values()))["Properties"]["PolicyDocument"]
        return document


def compact(document: Any) -> str:
    """JSON without whitespace, as IAM counts a policy's size."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def streams_stack(app: App, instances: list[int]) -> Stack:
    """A stack with a stream per entry of `instances` (a Connect instance number)."""
    stack = Stack(app, "Scale", env=Environment(account=ACCOUNT, region=REGION))
    topic = sns.Topic(
        stack, "Topic", master_key=kms.Key(stack, "TopicKey", enable_key_rotation=True)
    )
    for index, number in enumerate(instances):
        ContactStreaming(
            stack,
            f"Stream{index}",
            instance_arn=instance_arn(number),
            contact_id=f"contact-{index:04d}",
            topic=topic,
        )
    return stack


def synth_streams(outdir: Path, instances: list[int]) -> Synthesized:
    """Synthesize one stack with a stream per entry of `instances` (a Connect instance number)."""
    app = App(outdir=str(outdir))
    stack = streams_stack(app, instances)
    artifact = app.synth().get_stack_by_name("Scale")
    path = Path(artifact.template_full_path)
    return Synthesized(json.loads(path.read_text()), path.stat().st_size, stack)


SynthStreams = Callable[[list[int]], Synthesized]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthStreams:
    """Synthesize a stack whose streams use the given Connect instance numbers."""

    def build(instances: list[int]) -> Synthesized:
        return synth_streams(tmp_path_factory.mktemp("cdk.out"), instances)

    return build


@pytest.fixture(scope="module")
def many(synth: SynthStreams) -> Synthesized:
    """MANY streams on one Connect instance, one topic."""
    return synth([1] * MANY)


@pytest.fixture(scope="module")
def one(synth: SynthStreams) -> Synthesized:
    """One stream on the same Connect instance and topic as `many`."""
    return synth([1])
