"""Consumer views: the SNS subscription filter policy for who should see a streamed chat item.

Connect publishes every item of a streamed chat (messages and events) to the topic with the
message attributes ``ParticipantRole`` (who sent it) and ``MessageVisibility`` (``CUSTOMER``,
``AGENT`` or ``ALL``: who may see it), among others. Its admin guide ("Use the Amazon SNS payload
after enabling message streaming") tells consumers to forward an item to the customer only when
``(MessageVisibility == CUSTOMER or ALL) and ParticipantRole != CUSTOMER``, to the agent only when
``(MessageVisibility == AGENT or ALL) and ParticipantRole != AGENT``, and suggests SNS
subscription filter policies to do it. A view is that rule as a filter policy, so SNS itself
drops what a subscriber must not see::

    view = ConsumerView.customer()
    topic.add_subscription(SqsSubscription(queue, filter_policy=view.filter_policy))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from aws_cdk import aws_sns as sns

OWNER = "ConsumerView"


class ParticipantRole(StrEnum):
    """Who sent a chat item: the values of the ``ParticipantRole`` message attribute."""

    AGENT = "AGENT"
    """The agent."""
    CUSTOMER = "CUSTOMER"
    """The customer."""
    SYSTEM = "SYSTEM"
    """Amazon Connect itself."""
    CUSTOM_BOT = "CUSTOM_BOT"
    """A custom bot participant."""
    SUPERVISOR = "SUPERVISOR"
    """A supervisor who joined the chat."""


class MessageVisibility(StrEnum):
    """Who may see a chat item: the values of the ``MessageVisibility`` message attribute."""

    CUSTOMER = "CUSTOMER"
    """Shown to the customer only."""
    AGENT = "AGENT"
    """Shown to the agent only."""
    ALL = "ALL"
    """Shown to everyone in the chat."""


class ItemType(StrEnum):
    """The ``Type`` message attribute: a chat message, or an event (joined, left, ended, ...)."""

    MESSAGE = "MESSAGE"
    """A chat message."""
    EVENT = "EVENT"
    """An event: a participant joined or left, the chat ended, ..."""


# One rule per attribute, as SNS reads a filter policy on message attributes: a list of allowed
# strings, or {"anything-but": [...]}. Every attribute named must match (AND).
Rule = tuple[str, ...] | Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class ConsumerView:
    """What one kind of consumer should receive of a streamed chat, as an SNS filter policy.

    Build one with ``ConsumerView.customer()``, ``ConsumerView.agent()`` or
    ``ConsumerView.sent_by(role)``; use ``filter_policy`` with
    ``aws_cdk.aws_sns_subscriptions`` (``SqsSubscription``, ``LambdaSubscription``, ...) and
    ``filter_policy_document`` with the SNS API (``Subscribe``'s ``FilterPolicy`` attribute, as
    JSON); both are properties. ``filter_policy_json()`` is the old name of the second.
    """

    name: str
    """A short name for the view (for logs and construct ids)."""
    rules: Mapping[str, Rule]
    """Attribute name to rule; every rule must match."""

    @classmethod
    def customer(cls) -> ConsumerView:
        """What the customer should be shown: visible to the customer (or all), not their own."""
        return cls.shown_to(ParticipantRole.CUSTOMER, MessageVisibility.CUSTOMER)

    @classmethod
    def agent(cls) -> ConsumerView:
        """What the agent should be shown: visible to the agent (or all), not the agent's own."""
        return cls.shown_to(ParticipantRole.AGENT, MessageVisibility.AGENT)

    @classmethod
    def shown_to(cls, role: ParticipantRole, visibility: MessageVisibility) -> ConsumerView:
        """Items visible to `visibility` (or ALL) that a participant of `role` did not send."""
        return cls(
            f"shown-to-{role.value.lower()}",
            MappingProxyType(
                {
                    "MessageVisibility": (visibility.value, MessageVisibility.ALL.value),
                    "ParticipantRole": MappingProxyType({"anything-but": (role.value,)}),
                }
            ),
        )

    @classmethod
    def sent_by(cls, role: ParticipantRole | str, *, include_events: bool = False) -> ConsumerView:
        """Everything one role sent: its messages, and its events too if `include_events`.

        :param role: a ``ParticipantRole`` or its value (``"CUSTOMER"``, ``"AGENT"``, ...).
        :param include_events: also the role's events (joined, left, typing, ...).
            Default: False; messages only (``Type`` == ``MESSAGE``).
        """
        checked = participant_role(role)
        rules: dict[str, Rule] = {"ParticipantRole": (checked.value,)}
        if not include_events:
            rules["Type"] = (ItemType.MESSAGE.value,)
        return cls(f"sent-by-{checked.value.lower()}", MappingProxyType(rules))

    @property
    def filter_policy(self) -> dict[str, sns.SubscriptionFilter]:
        """The view for ``aws_cdk.aws_sns_subscriptions``' ``filter_policy``."""
        return {name: subscription_filter(rule) for name, rule in self.rules.items()}

    @property
    def filter_policy_document(self) -> dict[str, list[str] | list[dict[str, list[str]]]]:
        """The view as SNS's filter policy JSON (a dict to ``json.dumps``) for the SNS API."""
        policy: dict[str, list[str] | list[dict[str, list[str]]]] = {}
        for name, rule in self.rules.items():
            if isinstance(rule, tuple):
                policy[name] = list(rule)
            else:
                policy[name] = [{operator: list(values) for operator, values in rule.items()}]
        return policy

    def filter_policy_json(self) -> dict[str, list[str] | list[dict[str, list[str]]]]:
        """The same as the ``filter_policy_document`` property; kept for compatibility."""
        return self.filter_policy_document


def participant_role(role: ParticipantRole | str) -> ParticipantRole:
    """`role` as a ParticipantRole; ValueError naming the value and the allowed ones."""
    try:
        return ParticipantRole(role)
    except ValueError:
        allowed = ", ".join(r.value for r in ParticipantRole)
        raise ValueError(
            f"{OWNER}.sent_by: role {role!r} is not a Connect ParticipantRole; use one of {allowed}"
        ) from None


def subscription_filter(rule: Rule) -> sns.SubscriptionFilter:
    """One attribute's rule as CDK's SubscriptionFilter."""
    if isinstance(rule, tuple):
        return sns.SubscriptionFilter.string_filter(allowlist=list(rule))
    return sns.SubscriptionFilter.string_filter(denylist=list(rule["anything-but"]))
