"""Nothing of an App outlives it: the constructs keep no process-wide state that holds on to it.

jsii itself keeps every object made from Python for the life of the process (its reference map
cannot know what Node still holds), so no App is ever collected as things stand. These tests
forget what jsii registered while the App was built, as a runtime that could free it would, and
then find what still holds on to the App's objects: only state of our own can.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aws_cdk import App, Stack
from jsii import _reference_map
from jsii._kernel.types import ObjRef

from contact_streaming import ContactStreaming, StreamingEndpoint

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"


def jsii_id(thing: object) -> str | None:
    """The jsii object id of a Python proxy; None for anything else (lazy modules untouched)."""
    try:
        attributes = object.__getattribute__(thing, "__dict__")
    except AttributeError:
        return None
    ref = attributes.get("__jsii_ref__") if isinstance(attributes, dict) else None
    return ref.ref if isinstance(ref, ObjRef) else None


def live_proxies() -> set[str]:
    """The jsii ids of every proxy still alive after a full collection."""
    gc.collect()
    return {found for thing in gc.get_objects() if (found := jsii_id(thing)) is not None}


@contextmanager
def jsii_lets_go() -> Iterator[None]:
    """On leaving, drop jsii's own references to the objects made inside."""
    registered = _reference_map._refs._refs
    before = set(registered)
    try:
        yield
    finally:
        for key in set(registered) - before:
            del registered[key]


def synthesized_app(outdir: Path) -> weakref.ref[App]:
    """An App with a StreamingEndpoint and a stream given its topic, one its ARN; synthesized."""
    app = App(outdir=str(outdir))
    stack = Stack(app, "Lifetime")
    endpoint = StreamingEndpoint(stack, "Endpoint", instance_id=INSTANCE_ID)
    ContactStreaming(
        stack, "ByTopic", instance_id=INSTANCE_ID, contact_id="c-1", topic=endpoint.topic
    )
    ContactStreaming(
        stack,
        "ByArn",
        instance_id=INSTANCE_ID,
        contact_id="c-2",
        streaming_endpoint_arn=endpoint.topic.topic_arn,
    )
    app.synth()
    return weakref.ref(app)


def test_app_synthesized_and_dropped_is_collected(tmp_path: Path) -> None:
    with jsii_lets_go():
        app = synthesized_app(tmp_path)
    gc.collect()
    assert app() is None


def test_app_synthesized_and_dropped_no_object_of_it_kept_alive(tmp_path: Path) -> None:
    before = live_proxies()
    with jsii_lets_go():
        synthesized_app(tmp_path)
    # A topic policy kept by its ARN for the life of the process would show here.
    assert live_proxies() - before == set()
