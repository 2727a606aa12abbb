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

from aws_cdk import Stack, Token
from constructs import Construct, IConstruct

TOPICS_PER_CONTACT = 2
GUIDE = 'Connect subscribes a contact to at most two SNS topics (admin guide, "Enable real-time chat message streaming")'  # noqa: E501

# A contact is its instance and its ContactId, as the strings the streams were given.
ContactKey = tuple[str, str]
_STREAMS: weakref.WeakKeyDictionary[IConstruct, dict[ContactKey, list[tuple[Construct, str]]]] = (
    weakref.WeakKeyDictionary()
)
# Each stack's provider knows its app (the tree's root): one call into jsii per stack, not stream.
_ROOTS: weakref.WeakKeyDictionary[object, IConstruct] = weakref.WeakKeyDictionary()


def check(
    owner: object, stream: Construct, instance_id: str, contact_id: str, endpoint_arn: str
) -> None:
    """Record `stream`'s contact in its app; ValueError past the limit.

    :param owner: an object there is one of per stack (the stack's provider).
    """
    root = _ROOTS.get(owner)
    if root is None:
        root = _ROOTS[owner] = stream.node.root
    streams = _STREAMS.setdefault(root, {}).setdefault((instance_id, contact_id), [])
    streams.append((stream, endpoint_arn))
    if len(streams) > TOPICS_PER_CONTACT:
        raise ValueError(refusal(contact_id, streams))


def refusal(contact_id: str, streams: list[tuple[Construct, str]]) -> str:
    """The error: the contact, each stream's construct path and topic, and what to do."""
    named = "; ".join(f"{s.node.path} -> {shown(s, arn)}" for s, arn in streams)
    contact = shown(streams[-1][0], contact_id)
    return (
        f"ContactStreaming: contact_id {contact} has {len(streams)} streams "
        f"({named}); {GUIDE}. Remove a stream of this contact, or give it another contact_id."
    )


def shown(scope: Construct, value: str) -> str:
    """A literal as itself, a token as what it resolves to in `scope`'s template."""
    if not Token.is_unresolved(value):
        return repr(value)
    return json.dumps(Stack.of(scope).resolve(value), sort_keys=True)
