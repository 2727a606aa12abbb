"""ConnectInstance: a typed reference to an Amazon Connect instance, and the grant to stream on it.

Modelled on aws-cdk-lib's imports (``sns.Topic.from_topic_arn`` returning an ``ITopic``): this
library never creates a Connect instance, it only names one, so every ``ConnectInstance`` is an
import. Pass one to ``ContactStreaming(instance=...)`` and ``StreamingEndpoint(instance=...)``, and
give a backend the right to start and stop streaming with ``grant_streaming``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct, Node

from contact_streaming import validation
from contact_streaming.instance import Instance

OWNER = "ConnectInstance"
STREAMING_ACTIONS = ("connect:StartContactStreaming", "connect:StopContactStreaming")


@runtime_checkable
class IConnectInstance(Protocol):
    """A Connect instance, in this app or imported: what streams and endpoints need of it."""

    @property
    def node(self) -> Node:
        """The construct's node (every IConnectInstance is a construct)."""
        ...

    @property
    def instance_id(self) -> str:
        """The instance's id: its ARN's part after ``instance/`` (a token if built from one)."""
        ...

    @property
    def instance_arn(self) -> str:
        """The instance's ARN (a token if built from one)."""
        ...

    @property
    def region(self) -> str:
        """The instance's region, where Connect is called (a token if not known at synth)."""
        ...

    @property
    def account(self) -> str:
        """The instance's account (a token if not known at synth)."""
        ...

    def grant_streaming(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` start and stop contact streaming on this instance, and no more."""
        ...


class ConnectInstance(Construct):
    """An existing Amazon Connect instance, named by its id (in the stack's region) or its ARN.

    Build one with ``ConnectInstance.from_instance_id`` or ``ConnectInstance.from_instance_arn``.
    It creates no resource: it is a typed reference to pass to ``ContactStreaming`` and
    ``StreamingEndpoint`` (in this stack or another of the app) and to grant a backend with.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_id: str | None = None,
        instance_arn: str | None = None,
    ) -> None:
        """Name the instance; the ``from_*`` methods say the same more briefly.

        :param instance_id: the instance's id, in the stack's region and account.
            Default: None; give exactly one of instance_id and instance_arn.
        :param instance_arn: the instance's ARN; its region and account are the instance's.
            Default: None; give exactly one of instance_id and instance_arn.
        """
        validation.check_one_of(
            {"instance_id": instance_id, "instance_arn": instance_arn}, owner=OWNER
        )
        if instance_id is not None:
            validation.check_instance_id(instance_id, owner=OWNER)
        if instance_arn is not None:
            validation.check_string("instance_arn", instance_arn, owner=OWNER)
            validation.check_instance_arn(instance_arn, owner=OWNER)
        super().__init__(scope, construct_id)
        parts = Instance.of(Stack.of(self), instance_id, instance_arn)
        self._parts = parts
        self._named_by_arn = instance_arn is not None

    @classmethod
    def from_instance_id(
        cls, scope: Construct, construct_id: str, instance_id: str
    ) -> IConnectInstance:
        """The instance with this id in `scope`'s stack's region and account.

        :param instance_id: the instance's id (the part of its ARN after ``instance/``); a
            literal or a token such as a CfnParameter's value. Required.
        """
        return cls(scope, construct_id, instance_id=instance_id)

    @classmethod
    def from_instance_arn(
        cls, scope: Construct, construct_id: str, instance_arn: str
    ) -> IConnectInstance:
        """The instance with this ARN: its region is where Connect is called.

        :param instance_arn: ``arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID``; a literal
            or a token. Required.
        """
        return cls(scope, construct_id, instance_arn=instance_arn)

    @property
    def instance_id(self) -> str:
        """The instance's id: its ARN's part after ``instance/`` (a token if built from one)."""
        return self._parts.instance_id

    @property
    def instance_arn(self) -> str:
        """The instance's ARN (a token if built from one)."""
        return self._parts.arn

    @property
    def region(self) -> str:
        """The instance's region: the ARN's, or the stack's for an id (a token if not known)."""
        return self._parts.region

    @property
    def account(self) -> str:
        """The instance's account: the ARN's, or the stack's for an id (a token if not known)."""
        return self._parts.account

    @property
    def named_by_arn(self) -> bool:
        """True when built from an ARN, which may name another region than the stack's."""
        return self._named_by_arn

    def grant_streaming(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` start and stop contact streaming on this instance, and no more.

        ``connect:StartContactStreaming`` and ``connect:StopContactStreaming`` authorize on the
        instance's ARN. Connect, not the caller, publishes to the topic: no ``sns:Publish``.
        """
        return grant_streaming(grantee, self.instance_arn)


def grant_streaming(grantee: iam.IGrantable, instance_arn: str) -> iam.Grant:
    """Start/StopContactStreaming on one instance ARN, added to `grantee`'s policy."""
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=list(STREAMING_ACTIONS), resource_arns=[instance_arn]
    )


def parts_of(instance: IConnectInstance) -> Instance:
    """The ARN, id, region and account of any IConnectInstance, as the constructs use them."""
    return Instance(instance.instance_arn, instance.instance_id, instance.region, instance.account)


def named_by_arn(instance: IConnectInstance) -> bool:
    """Whether `instance` may be in another region than its stack's (True unless known not)."""
    return bool(getattr(instance, "named_by_arn", True))


def check_instance(value: object, *, owner: str) -> IConnectInstance:
    """`value` if it is an IConnectInstance; else ValueError naming what to pass instead."""
    if isinstance(value, str) or not isinstance(value, IConnectInstance):
        raise ValueError(
            f"{owner}: instance must be an IConnectInstance, got {value!r}; build one with "
            "ConnectInstance.from_instance_id(scope, id, instance_id) or "
            "ConnectInstance.from_instance_arn(scope, id, instance_arn)"
        )
    return value


def check_instance_props(
    instance_id: str | None,
    instance_arn: str | None,
    instance: object,
    stack_account: str,
    *,
    owner: str,
    implied: IConnectInstance | None = None,
) -> IConnectInstance | None:
    """Check a construct's instance props; the typed instance to use, or None for the strings.

    Exactly one of instance_id, instance_arn and instance, unless `implied` (an endpoint's
    instance) names it: then none, or one that names the same instance. A known account must
    be the stack's (`stack_account`).
    """
    props = {"instance_id": instance_id, "instance_arn": instance_arn, "instance": instance}
    typed: IConnectInstance
    if implied is not None and instance_id is None and instance_arn is None and instance is None:
        typed = implied
    else:
        given = validation.check_one_of(props, owner=owner)
        if implied is not None:
            check_same_instance(given, props[given], implied, owner=owner)
        if instance is None:
            validation.check_instance(instance_id, instance_arn, stack_account, owner=owner)
            return None
        typed = check_instance(instance, owner=owner)
    validation.check_same_account(typed.account, stack_account, owner=owner, prop="instance")
    return typed


def check_same_instance(prop: str, value: object, implied: IConnectInstance, *, owner: str) -> None:
    """Raise ValueError when `prop` names another instance than the endpoint's (both known)."""
    if value is implied:
        return
    theirs = implied.instance_id if prop == "instance_id" else implied.instance_arn
    ours = value if isinstance(value, str) else getattr(value, "instance_arn", None)
    if not isinstance(ours, str) or validation.known_and_different(ours, theirs):
        raise ValueError(
            f"{owner}: {prop} names {ours!r} but the endpoint's topic lets Connect publish for "
            f"{theirs!r} only; leave {prop} out (the endpoint's instance is used) or pass "
            "an endpoint of this instance"
        )
