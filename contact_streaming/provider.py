"""The provider behind every Custom::ContactStreaming in a stack: one Lambda, role and log group."""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import json
import math
import shutil
import tempfile
import weakref
from functools import cache
from pathlib import Path

import jsii
from aws_cdk import AspectPriority, Aspects, CfnResource, Duration, IAspect, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from contact_streaming import quota
from contact_streaming.deprecation import deprecated
from contact_streaming.instance import Instance
from contact_streaming.quota import (
    ConnectQuotas,
    QuotaShare,
    check_same_share,
    context_quotas,
    is_number,
)

# The construct id is part of the ServiceToken's logical id, which can never change on update.
PROVIDER_ID = "ContactStreamingProvider"
OWNER = "ContactStreamingProvider"
HANDLER_FILE = "handler.py"
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
MEMORY_SIZE = 256
# Lambda's memory range, in MB.
MEMORY_LIMITS = (128, 10240)
# A paced call waits at most quota.MAX_WAIT_S (65 s): well inside, with time left for retries.
TIMEOUT = Duration.minutes(3)
# How long CloudFormation waits for a Custom::ContactStreaming's answer (its ServiceTimeout).
SERVICE_TIMEOUT = Duration.minutes(5)
# A throttled async invocation waits in Lambda's queue (6 hours by default): an event that starts
# later than this could not finish before CloudFormation gives up, so Lambda drops it instead.
MAX_EVENT_AGE = Duration.seconds(SERVICE_TIMEOUT.to_seconds() - TIMEOUT.to_seconds())
# Each stream asks for its stack's provider; looking it up costs three calls into jsii (Node).
_PROVIDERS: weakref.WeakKeyDictionary[Construct, ContactStreamingProvider] = (
    weakref.WeakKeyDictionary()
)


def handler_dir() -> Path:
    """The folder holding handler.py and its requirements.txt (installed or in this repository)."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_lambda", package.parent / "lambda"):
        if (candidate / HANDLER_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"ContactStreaming: no {HANDLER_FILE} beside {package}")


def pinned_crhelper(requirements: Path) -> str:
    """The crhelper version that lambda/requirements.txt pins."""
    for line in requirements.read_text().splitlines():
        if line.startswith("crhelper=="):
            return line.split("==", 1)[1].strip()
    raise ValueError(f"ContactStreaming: {requirements} does not pin crhelper")


def handler_modules(source: Path) -> list[Path]:
    """The handler's Python modules: handler.py and the modules it imports, one per idea."""
    return sorted(source.glob("*.py"))


@cache
def asset_dir() -> str:
    """Stage the handler's modules and the installed crhelper in a folder: no Docker, no network.

    The asset hash is CDK's hash of the folder's contents, so it is the same on every run.
    """
    source = handler_dir()
    wanted = pinned_crhelper(source / "requirements.txt")
    installed = importlib.metadata.version("crhelper")
    if installed != wanted:
        raise RuntimeError(
            f"ContactStreaming: the Lambda needs crhelper=={wanted}, but {installed} is installed"
        )
    spec = importlib.util.find_spec("crhelper")
    if spec is None or spec.origin is None:
        raise RuntimeError("ContactStreaming: crhelper is not importable")
    staging = Path(tempfile.mkdtemp(prefix="contact-streaming-asset-"))
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    for module in handler_modules(source):
        shutil.copy2(module, staging / module.name)
    shutil.copytree(
        Path(spec.origin).parent,
        staging / "crhelper",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return str(staging)


def depend_on(resource: CfnResource, target: CfnResource) -> None:
    """Write `target` into `resource`'s DependsOn, on every aws-cdk-lib the package supports.

    aws-cdk-lib 2.262.0 renamed CfnResource.add_dependency to add_resource_dependency (the old
    name now warns as deprecated); older releases have only the old name. Both write DependsOn.
    """
    add = getattr(resource, "add_resource_dependency", None)
    if add is None:
        resource.add_dependency(target)
    else:
        add(target)


def check_provider_id(construct_id: str) -> None:
    """Raise ValueError unless `construct_id` is the provider's one id."""
    if construct_id != PROVIDER_ID:
        raise ValueError(
            f"{OWNER}: construct_id must be {PROVIDER_ID!r}, got {construct_id!r}; the provider's "
            f"construct path makes every stream's ServiceToken, which CloudFormation cannot "
            f"change on update, so write ContactStreamingProvider(stack, {PROVIDER_ID!r}, ...)"
        )


def check_no_provider(stack: Stack) -> None:
    """Raise ValueError when `stack` already has its provider (explicit, or made by a stream)."""
    existing = stack.node.try_find_child(PROVIDER_ID)
    if existing is None:
        return
    if not isinstance(existing, ContactStreamingProvider):
        happened = f"already has another construct with the id {PROVIDER_ID!r}"
    elif existing._explicit:
        happened = "already has a ContactStreamingProvider: a stack has one"
    else:
        happened = (
            "already has its provider, with the defaults, made by its first ContactStreaming "
            "(or ContactStreamingProvider.of)"
        )
    raise ValueError(
        f"{OWNER}: stack {stack.node.path!r} {happened}; create "
        f"ContactStreamingProvider(stack, {PROVIDER_ID!r}, ...) once, before the stack's "
        f"first ContactStreaming"
    )


def check_log_retention(value: object) -> None:
    """Raise ValueError unless `value` is None or a logs.RetentionDays."""
    if value is not None and not isinstance(value, logs.RetentionDays):
        raise ValueError(
            f"{OWNER}: log_retention must be a logs.RetentionDays (e.g. "
            f"logs.RetentionDays.ONE_MONTH), got {value!r}"
        )


def check_memory_size(value: object) -> None:
    """Raise ValueError unless `value` is None, a token or a whole number within Lambda's range."""
    low, high = MEMORY_LIMITS
    if value is None or (
        isinstance(value, int | float)
        and is_number(value)
        and math.isfinite(value)  # jsii cannot pass NaN or infinity to Token.is_unresolved
        and ((low <= value <= high and value == int(value)) or Token.is_unresolved(value))
    ):
        return
    raise ValueError(
        f"{OWNER}: memory_size must be a whole number of MB from {low} to {high} "
        f"(Lambda's range), got {value!r}"
    )


def check_no_conflict(prop: str, stream_value: object, provider_value: object) -> None:
    """Raise ValueError when a stream's own `prop` differs from the provider's explicit one."""
    if stream_value is not None and provider_value is not None and stream_value != provider_value:
        raise ValueError(
            f"ContactStreaming: {prop}={stream_value!r} differs from "
            f"ContactStreamingProvider's {prop}={provider_value!r}; the setting is per stack: "
            f"drop the stream's {prop} (deprecated) and keep the provider's"
        )


def warn_per_stream(stream: Construct, **values: object) -> None:
    """Warn that a stream's own per-stack settings (those given, not None) are deprecated."""
    for prop, value in values.items():
        if value is not None:
            replacement = (
                f"pass it once per stack, as ContactStreamingProvider(stack, {PROVIDER_ID!r}, "
                f"{prop}=...) before the stack's first ContactStreaming"
            )
            deprecated(stream, "ContactStreaming", prop, replacement)


def share_for(
    scope: Construct,
    provider: ContactStreamingProvider | None,
    quota_share: float | None,
    connect_quotas: ConnectQuotas | None,
) -> QuotaShare:
    """The share a new stream in `scope` gets, from its stack's provider (if made yet) and its own.

    Precedence: the provider's explicit settings, then the stream's own (deprecated), then the
    quotas the CDK context holds for the stack's account and region, then the defaults. Raises
    ValueError on a conflict with the provider or the stack's first stream.
    """
    if provider is None:
        if connect_quotas is None:
            connect_quotas = context_quotas(scope)
        return quota.quota_share(quota_share, connect_quotas)
    return provider._share_for(quota_share, connect_quotas)


class ContactStreamingProvider(Construct):
    """The provider of a stack's ``Custom::ContactStreaming`` resources: Lambda, role, log group.

    One per stack, shared by all its ``ContactStreaming`` streams, and the one place for the
    stack's settings. Create it explicitly, before the stack's first stream, to choose them::

        ContactStreamingProvider(stack, "ContactStreamingProvider", quota_share=0.5)

    or let the first ``ContactStreaming`` create it with the defaults. Either way
    ``ContactStreamingProvider.of(stack)`` returns it, with its ``function``, ``role`` and
    ``log_group`` (for an alarm, a permissions boundary, tags). Its construct path is always
    ``<Stack>/ContactStreamingProvider``: the function's ARN is every stream's ServiceToken, which
    CloudFormation never lets an update change, so the path must never change either.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        quota_share: float | None = None,
        connect_quotas: ConnectQuotas | None = None,
        log_retention: logs.RetentionDays | None = None,
        memory_size: int | float | None = None,
    ) -> None:
        """Create the stack's provider with its settings; once, before the stack's first stream.

        :param scope: a construct in the stack (usually the stack); the provider always sits at
            the stack's top level. Required.
        :param construct_id: must be ``"ContactStreamingProvider"``, so that the construct path,
            and with it every stream's ServiceToken, never changes. Required.
        :param quota_share: the fraction (more than 0, at most 1) of each of Connect's streaming
            quotas (the account's, shared with live chats) that this stack's deploys and
            destroys may use. Changing it never restarts a stream. Default: None, meaning the
            streams' own (deprecated) quota_share, else 0.4.
        :param connect_quotas: the account's StartContactStreaming and StopContactStreaming
            quotas in the region, if raised. Default: None, meaning the streams' own
            (deprecated) connect_quotas, else the CDK context value
            contact-streaming:connect-quotas:account=<account>:region=<region> for the stack's
            environment (see quota_lookup), else Connect's defaults (``ConnectQuotas()``).
        :param log_retention: how long the function's log group keeps its logs.
            Default: None, meaning logs.RetentionDays.THREE_MONTHS.
        :param memory_size: the function's memory in MB, a whole number from 128 to 10240 (or a
            number token). Default: None, meaning 256.
        """
        stack = Stack.of(scope)
        check_provider_id(construct_id)
        check_no_provider(stack)
        # Read once per stack: no calls into jsii per stream.
        in_context = context_quotas(stack)
        if quota_share is not None or connect_quotas is not None:
            quotas = in_context if connect_quotas is None else connect_quotas
            quota.quota_share(quota_share, quotas, owner=OWNER)
        check_log_retention(log_retention)
        check_memory_size(memory_size)
        super().__init__(stack, PROVIDER_ID)
        self._explicit = True
        self._quota_share = quota_share
        self._connect_quotas = connect_quotas
        self._context_quotas = in_context
        self.log_group = logs.LogGroup(
            self, "Logs", retention=LOG_RETENTION if log_retention is None else log_retention
        )
        """The function's log group."""
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Starts and stops Connect contact streaming for Custom::ContactStreaming",
        )
        """The function's execution role."""
        self.log_group.grant_write(self.role)
        # An Update reads its own stack's status to tell a rollback from a deliberate update.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["cloudformation:DescribeStacks"], resources=[Stack.of(self).stack_id]
            )
        )
        self._connect = iam.PolicyStatement(
            actions=["connect:StartContactStreaming", "connect:StopContactStreaming"],
        )
        self._seen: set[str] = set()
        self._seen_strings: set[tuple[str, ...]] = set()
        self._instances: dict[tuple[str | None, str | None], Instance] = {}
        # The stack's share of Connect's quotas, set by its first stream.
        self._quota: QuotaShare | None = None
        self._quota_from = ""
        self._streams: list[CfnResource] = []
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=lambda_.Code.from_asset(asset_dir()),
            memory_size=MEMORY_SIZE if memory_size is None else memory_size,
            timeout=TIMEOUT,
            # CloudFormation invokes asynchronously: a retried Create after the deadline could
            # start a stream the rollback has already reconciled. crhelper always answers once.
            retry_attempts=0,
            max_event_age=MAX_EVENT_AGE,
            role=self.role,
            log_group=self.log_group,
            # One JSON object per log line, with the event's fields (lambda/logs.py).
            logging_format=lambda_.LoggingFormat.JSON,
            description="Custom::ContactStreaming provider: Start/StopContactStreaming",
        )
        """The Lambda function that starts and stops the streams (for alarms and metrics)."""
        self._account = stack.account
        self.service_token = self.function.function_arn
        """The ServiceToken of every stream in the stack: the function's ARN."""

    @classmethod
    def of(cls, scope: Construct) -> ContactStreamingProvider:
        """The provider of `scope`'s stack, created with the defaults on first use."""
        found = cls.find(scope)
        if found is None:
            found = _PROVIDERS[scope] = cls(Stack.of(scope), PROVIDER_ID)
            found._explicit = False
        return found

    @classmethod
    def find(cls, scope: Construct) -> ContactStreamingProvider | None:
        """The provider of `scope`'s stack, if it has one yet (None otherwise)."""
        found = _PROVIDERS.get(scope)
        if found is None:
            existing = Stack.of(scope).node.try_find_child(PROVIDER_ID)
            if isinstance(existing, ContactStreamingProvider):
                found = _PROVIDERS[scope] = existing
        return found

    def _share_for(
        self, quota_share: float | None, connect_quotas: ConnectQuotas | None
    ) -> QuotaShare:
        """The share a new stream gets: the provider's settings first, then the stream's own.

        Raises ValueError when a stream's own value differs from the provider's explicit one,
        or the result differs from the share the stack's first stream settled.
        """
        check_no_conflict("quota_share", quota_share, self._quota_share)
        check_no_conflict("connect_quotas", connect_quotas, self._connect_quotas)
        share = quota_share if self._quota_share is None else self._quota_share
        given = (self._connect_quotas, connect_quotas, self._context_quotas)
        quotas = next((each for each in given if each is not None), None)
        wanted = quota.quota_share(share, quotas)
        if self._quota is not None:
            check_same_share(wanted, self._quota, self._quota_from)
        return wanted

    def _use_quota(self, wanted: QuotaShare, path: str) -> None:
        """Adopt the first stream's share for the stack (later streams were checked first)."""
        if self._quota is None:
            self._quota, self._quota_from = wanted, path
            # The lanes depend on how many streams the stack has: laid out at synth. The layout
            # writes properties and DependsOn, so it is a mutating aspect (runs before readers).
            Aspects.of(self).add(_LaneLayout(self), priority=AspectPriority.MUTATING)

    def _instance(self, instance_id: str | None, instance_arn: str | None) -> Instance:
        """The Connect instance named by an id or an ARN, worked out once per stack."""
        key = (instance_id, instance_arn)
        found = self._instances.get(key)
        if found is None:
            found = self._instances[key] = Instance.of(Stack.of(self), instance_id, instance_arn)
        return found

    def _add_stream(self, resource: CfnResource) -> None:
        """Give `resource` the stack's next place in the lanes (laid out at synth)."""
        self._streams.append(resource)

    def _lay_out_lanes(self) -> None:
        """Put the streams into DependsOn chains, the lanes, filled in turn, and say so.

        Stream n is in lane n mod lanes and depends on the one before it in its lane; its Pace
        property is "lane,position", and the function's environment has the lanes and rates.
        CloudFormation then creates a lane's streams one after another and deletes them in
        reverse, working on at most `lanes` streams at once.
        """
        assert self._quota is not None, "_use_quota first"
        lanes = self._quota.lanes_for(len(self._streams))
        for name, value in self._quota.environment(len(self._streams)).items():
            self.function.add_environment(name, value)
        for index, resource in enumerate(self._streams):
            position, lane = divmod(index, lanes)
            # Not a target: an Update that changes only the pace never restarts the stream.
            resource.add_property_override("Pace", f"{lane},{position}")
            if position:
                depend_on(resource, self._streams[index - lanes])

    def _first_time(self, *parts: str) -> bool:
        """True the first time these values (resolved, so equal tokens match) are seen."""
        # The same strings again (the same token, or literals) need no resolving through jsii.
        if parts in self._seen_strings:
            return False
        self._seen_strings.add(parts)
        key = json.dumps(Stack.of(self).resolve(list(parts)), sort_keys=True)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _allow_instance(self, instance_arn: str) -> None:
        """Let the function start and stop streaming on one Connect instance (once per instance)."""
        if not self._first_time("instance", instance_arn):
            return
        if not self._connect.resources:
            self.role.add_to_principal_policy(self._connect)
        self._connect.add_resources(instance_arn)


@jsii.implements(IAspect)
class _LaneLayout:
    """Lays out the provider's lanes once, at synth, when the stack's streams are all known."""

    def __init__(self, provider: ContactStreamingProvider) -> None:
        self.provider = provider
        self.done = False

    def visit(self, node: IConstruct) -> None:
        """On the first node visited (the provider's subtree), lay out the lanes."""
        if not self.done:
            self.done = True
            self.provider._lay_out_lanes()
