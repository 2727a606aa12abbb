"""At synth, refuse streams that would subscribe one contact to more than two topics.

Connect's admin guide ("Enable real-time chat message streaming", step 3): a contact can be
subscribed to at most two SNS topics. What Connect answers to a third StartContactStreaming is
unpublished (the handler reads LimitExceededException as this limit and fails at once); whether a
topic named twice for one contact counts once is unpublished too, so every stream counts (fail
safe). The check counts the streams of every stack of an app: a contact is known when its id and
instance are literals, or the same token (the same string) each time. Other apps' streams, a
backend's own, and tokens that only resolve alike at deploy time are left to the deploy-time check.
"""

from __future__ import annotations

import json
import weakref

from aws_cdk import Stack
from constructs import Construct, IConstruct

from contact_streaming.validation import known

TOPICS_PER_CONTACT = 2
GUIDE = 'Connect subscribes a contact to at most two SNS topics (admin guide, "Enable real-time chat message streaming")'  # noqa: E501

# A contact is its instance and its ContactId, as the strings the streams were given.
ContactKey = tuple[str, str]
# A stream as recorded before it exists: its scope, its id and its topic. Only weak references:
# a dictionary value that held the app would keep its weak key, the app, alive.
Recorded = tuple[weakref.ref[Construct], str, str]
_STREAMS: weakref.WeakKeyDictionary[IConstruct, dict[ContactKey, list[Recorded]]] = (
    weakref.WeakKeyDictionary()
)
# Each stack's provider knows its app (the tree's root): one call into jsii per stack, not stream.
_ROOTS: weakref.WeakKeyDictionary[object, weakref.ref[IConstruct]] = weakref.WeakKeyDictionary()


def check(
    scope: Construct,
    construct_id: str,
    owner: object | None,
    instance: tuple[str | None, str | None],
    contact_id: str,
    endpoint_arn: str,
) -> None:
    """Record a stream about to be made in `scope`, or raise ValueError past the limit.

    Called before the stream's construct exists, so a refused stream adds nothing.

    :param owner: the stack's provider once it exists (None before the first stream).
    :param instance: the stream's instance_id and instance_arn (exactly one given).
    """
    known_root = _ROOTS.get(owner) if owner is not None else None
    root = known_root() if known_root is not None else None
    if root is None:
        root = scope.node.root
        if owner is not None:
            _ROOTS[owner] = weakref.ref(root)
    key = (instance_key(*instance), contact_id)
    streams = _STREAMS.setdefault(root, {}).setdefault(key, [])
    if len(streams) >= TOPICS_PER_CONTACT:
        raise ValueError(refusal(contact_id, streams, (scope, construct_id, endpoint_arn)))
    streams.append((weakref.ref(scope), construct_id, endpoint_arn))


def instance_key(instance_id: str | None, instance_arn: str | None) -> str:
    """The instance's id: given, or the end of a literal ARN (a token ARN stands for itself)."""
    if instance_id is not None:
        return instance_id
    assert instance_arn is not None
    return instance_arn.rsplit("/", 1)[-1] if known(instance_arn) else instance_arn


def refusal(contact_id: str, streams: list[Recorded], new: tuple[Construct, str, str]) -> str:
    """The error: the contact, each stream's construct path and topic, and what to do."""
    every = [(ref(), construct_id, arn) for ref, construct_id, arn in streams] + [new]
    named = "; ".join(
        f"{scope.node.path}/{construct_id} -> {shown(scope, arn)}"
        for scope, construct_id, arn in every
        if scope is not None
    )
    contact = shown(new[0], contact_id)
    return (
        f"ContactStreaming: contact_id {contact} has {len(every)} streams "
        f"({named}); {GUIDE}. Remove a stream of this contact, or give it another contact_id."
    )


def shown(scope: Construct, value: str) -> str:
    """A literal as itself, a token as what it resolves to in `scope`'s template."""
    if known(value):
        return repr(value)
    return json.dumps(Stack.of(scope).resolve(value), sort_keys=True)
