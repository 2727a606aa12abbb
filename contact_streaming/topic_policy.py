"""Let Amazon Connect publish to a streaming endpoint topic (and use its KMS key), per instance.

ContactStreaming and StreamingEndpoint both set topics up through `allow_connect`, so a topic ends
with one Connect statement per instance however it was set up.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from dataclasses import dataclass, field

from aws_cdk import Annotations, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import IConstruct, IDependable

from contact_streaming import validation
from contact_streaming.instance import Instance
from contact_streaming.validation import OWNER, known

CONNECT = "connect.amazonaws.com"
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class CheckedTopic:
    """A topic that passed the checks, and what a stream needs of it.

    Each read of a topic is a call into jsii (Node): a topic is read once, here. It holds no
    reference to the topic itself, so the cache entry keyed by the topic goes with the topic.
    """

    arn: str
    region: str
    stack: Stack
    """The stack that holds the topic, and so its policy."""


@dataclass
class Granted:
    """The topic policies a stack has given Connect statements, by topic and instance."""

    by_strings: dict[tuple[str, str], IDependable | None] = field(default_factory=dict)
    by_resolved: dict[str, IDependable | None] = field(default_factory=dict)


# Each weakly keyed: what is known of a topic, a stack or an app goes with it.
_CHECKED: weakref.WeakKeyDictionary[sns.ITopic, CheckedTopic] = weakref.WeakKeyDictionary()
_GRANTED: weakref.WeakKeyDictionary[Stack, Granted] = weakref.WeakKeyDictionary()
# Per app (its root construct): each topic policy given a Connect statement, by the topic's ARN
# (a token, unique in the app), so a stream given that ARN can depend on the policy.
_POLICIES: weakref.WeakKeyDictionary[IConstruct, dict[str, IDependable]] = (
    weakref.WeakKeyDictionary()
)


def checked(topic: sns.ITopic, *, owner: str = OWNER) -> CheckedTopic:
    """Refuse a FIFO topic or one on the AWS-managed key; read each topic once."""
    found = _CHECKED.get(topic)
    if found is None:
        if topic.fifo:
            raise validation.fifo_topic_error(topic.node.path, owner=owner)
        check_key(topic, owner=owner)
        found = CheckedTopic(topic.topic_arn, topic.env.region, Stack.of(topic))
        _CHECKED[topic] = found
    return found


def check_key(topic: sns.ITopic, *, owner: str = OWNER) -> None:
    """Refuse a topic on the AWS-managed SNS key: its policy cannot let Connect use it."""
    key = topic.master_key
    alias_name = getattr(key, "alias_name", None)
    # An imported topic's key (from_topic_attributes key_arn) may name the alias by its ARN.
    key_arn = key.key_arn if key is not None else None
    named_by_arn = known(key_arn) and str(key_arn).endswith(":" + AWS_MANAGED_SNS_KEY)
    if alias_name == AWS_MANAGED_SNS_KEY or named_by_arn:
        raise ValueError(
            f"{owner}: topic {topic.node.path!r} is encrypted with "
            f"{AWS_MANAGED_SNS_KEY!r}, "
            "whose key policy cannot let connect.amazonaws.com use it; encrypt the topic with a "
            "customer-managed kms.Key instead"
        )


def allow_connect(
    topic: sns.ITopic, found: CheckedTopic, instance: Instance, *, owner: str = OWNER
) -> IDependable | None:
    """Let Connect stream to `topic` (`found` by `checked`) for `instance`: statements added once.

    The same topic and instance again (equal once resolved, so equal tokens match) add nothing.
    Returns the topic policy to depend on (None when the stack cannot change it).
    """
    granted = _GRANTED.get(found.stack)
    if granted is None:
        granted = _GRANTED[found.stack] = Granted()
    strings = (found.arn, instance.arn)
    if strings not in granted.by_strings:
        # The same strings again (the same token, or literals) need no resolving through jsii.
        key = json.dumps(found.stack.resolve(list(strings)), sort_keys=True)
        if key not in granted.by_resolved:
            policy = granted.by_resolved[key] = add_statements(topic, found.stack, instance, owner)
            if policy is not None:
                app_policies(found.stack).setdefault(found.arn, policy)
        granted.by_strings[strings] = granted.by_resolved[key]
    return granted.by_strings[strings]


def app_policies(scope: IConstruct) -> dict[str, IDependable]:
    """The topic policies `allow_connect` gave Connect statements in `scope`'s app, by topic ARN."""
    root = scope.node.root
    policies = _POLICIES.get(root)
    if policies is None:
        policies = _POLICIES[root] = {}
    return policies


def policy_for(scope: IConstruct, topic_arn: str) -> IDependable | None:
    """The policy `allow_connect` gave the topic with this ARN (the same token) in `scope`'s app."""
    if known(topic_arn):
        # Only a topic made in this app has a policy to depend on, and its ARN is a token.
        return None
    return app_policies(scope).get(topic_arn)


def source_conditions(account: str, instance_arn: str) -> dict[str, dict[str, str]]:
    """Conditions that limit Connect's access to calls made for this account's instance."""
    return {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnEquals": {"aws:SourceArn": instance_arn},
    }


def statement_id(prefix: str, instance_arn: str, scope: Stack) -> str:
    """A Sid that is the same on every synth for the same instance."""
    resolved = json.dumps(scope.resolve(instance_arn), sort_keys=True)
    return prefix + hashlib.sha256(resolved.encode()).hexdigest()[:12]


def add_statements(
    topic: sns.ITopic, stack: Stack, instance: Instance, owner: str
) -> IDependable | None:
    """Add the topic (and key) policy statements letting Connect stream here for one instance.

    A topic whose policy its stack cannot change gets a warning naming the statement to add.
    Returns the topic policy to depend on (None when the stack cannot change it).
    """
    publish = iam.PolicyStatement(
        sid=statement_id("ConnectStreaming", instance.arn, stack),
        principals=[iam.ServicePrincipal(CONNECT)],
        actions=["sns:Publish"],
        resources=[topic.topic_arn],
        conditions=source_conditions(instance.account, instance.arn),
    )
    added = topic.add_to_resource_policy(publish)
    if not added.statement_added:
        Annotations.of(topic).add_warning_v2(
            "contact-streaming:topic-policy",
            f"{owner} cannot change this topic's policy; its owner must add: "
            + json.dumps(stack.resolve(publish.to_statement_json())),
        )
    key = topic.master_key
    if key is not None:
        allow_key(topic, key, stack, instance, owner)
    return added.policy_dependable if added.statement_added else None


def allow_key(
    topic: sns.ITopic, key: kms.IKey, stack: Stack, instance: Instance, owner: str
) -> None:
    """Add the key policy statement letting Connect use the topic's key, or warn."""
    use_key = iam.PolicyStatement(
        sid=statement_id("ConnectStreamingKey", instance.arn, stack),
        principals=[iam.ServicePrincipal(CONNECT)],
        actions=["kms:GenerateDataKey*", "kms:Decrypt"],
        resources=["*"],
        conditions=source_conditions(instance.account, instance.arn),
    )
    if not key.add_to_resource_policy(use_key, allow_no_op=True).statement_added:
        Annotations.of(topic).add_warning_v2(
            "contact-streaming:key-policy",
            f"{owner} cannot change the topic key's policy; its owner must add: "
            + json.dumps(stack.resolve(use_key.to_statement_json())),
        )
