"""The provider behind every Custom::ContactStreaming in a stack: one Lambda, role and log group."""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import json
import shutil
import tempfile
import weakref
from functools import cache
from pathlib import Path

import jsii
from aws_cdk import Aspects, CfnResource, Duration, IAspect, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from contact_streaming.instance import Instance
from contact_streaming.quota import ConnectQuotas, QuotaShare, check_same_share, context_quotas

# The construct id is part of the ServiceToken's logical id, which can never change on update.
PROVIDER_ID = "ContactStreamingProvider"
HANDLER_FILE = "handler.py"
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
# A paced call waits at most quota.MAX_WAIT_S (65 s): well inside, with time left for retries.
TIMEOUT = Duration.minutes(3)
# How long CloudFormation waits for a Custom::ContactStreaming's answer (its ServiceTimeout).
SERVICE_TIMEOUT = Duration.minutes(5)
# A throttled async invocation waits in Lambda's queue (6 hours by default): an event that starts
# later than this could not finish before CloudFormation gives up, so Lambda drops it instead.
MAX_EVENT_AGE = Duration.seconds(SERVICE_TIMEOUT.to_seconds() - TIMEOUT.to_seconds())
# Each stream asks for its stack's provider; looking it up costs three calls into jsii (Node).
_PROVIDERS: weakref.WeakKeyDictionary[Construct, StreamingProvider] = weakref.WeakKeyDictionary()


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


class StreamingProvider(Construct):
    """The stack's one provider: a Python Lambda with a role that grows per Connect instance."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Starts and stops Connect contact streaming for Custom::ContactStreaming",
        )
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
        self.quota: QuotaShare | None = None
        """The stack's share of Connect's quotas, set by its first stream."""
        self._quota_from = ""
        self._streams: list[CfnResource] = []
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=lambda_.Code.from_asset(asset_dir()),
            memory_size=256,
            timeout=TIMEOUT,
            # CloudFormation invokes asynchronously: a retried Create after the deadline could
            # start a stream the rollback has already reconciled. crhelper always answers once.
            retry_attempts=0,
            max_event_age=MAX_EVENT_AGE,
            role=self.role,
            log_group=self.log_group,
            description="Custom::ContactStreaming provider: Start/StopContactStreaming",
        )
        self.account = Stack.of(self).account
        """The stack's account (a token for an environment-agnostic stack)."""
        self.context_quotas: ConnectQuotas | None = context_quotas(self)
        """The quotas the stack's CDK context holds for its account and region, if any."""
        self.function_arn = self.function.function_arn
        """The ServiceToken of every stream in the stack."""

    @classmethod
    def of(cls, scope: Construct) -> StreamingProvider:
        """The provider of `scope`'s stack, created on first use."""
        found = cls.find(scope)
        if found is None:
            found = _PROVIDERS[scope] = cls(Stack.of(scope), PROVIDER_ID)
        return found

    @classmethod
    def find(cls, scope: Construct) -> StreamingProvider | None:
        """The provider of `scope`'s stack, if it has one yet."""
        found = _PROVIDERS.get(scope)
        if found is None:
            existing = Stack.of(scope).node.try_find_child(PROVIDER_ID)
            if isinstance(existing, StreamingProvider):
                found = _PROVIDERS[scope] = existing
        return found

    def instance(self, instance_id: str | None, instance_arn: str | None) -> Instance:
        """The Connect instance named by an id or an ARN, worked out once per stack."""
        key = (instance_id, instance_arn)
        found = self._instances.get(key)
        if found is None:
            found = self._instances[key] = Instance.of(Stack.of(self), instance_id, instance_arn)
        return found

    def check_quota(self, wanted: QuotaShare) -> None:
        """Raise ValueError unless `wanted` is the stack's share (or the stack has none yet)."""
        if self.quota is not None:
            check_same_share(wanted, self.quota, self._quota_from)

    def use_quota(self, wanted: QuotaShare, path: str) -> None:
        """Adopt the first stream's share for the stack (later streams were checked first)."""
        if self.quota is None:
            self.quota, self._quota_from = wanted, path
            # The lanes depend on how many streams the stack has: laid out at synth.
            Aspects.of(self).add(_LaneLayout(self))

    def add_stream(self, resource: CfnResource) -> None:
        """Give `resource` the stack's next place in the lanes (laid out at synth)."""
        self._streams.append(resource)

    def lay_out_lanes(self) -> None:
        """Put the streams into DependsOn chains, the lanes, filled in turn, and say so.

        Stream n is in lane n mod lanes and depends on the one before it in its lane; its Pace
        property is "lane,position", and the function's environment has the lanes and rates.
        CloudFormation then creates a lane's streams one after another and deletes them in
        reverse, working on at most `lanes` streams at once.
        """
        assert self.quota is not None, "use_quota first"
        lanes = self.quota.lanes_for(len(self._streams))
        for name, value in self.quota.environment(len(self._streams)).items():
            self.function.add_environment(name, value)
        for index, resource in enumerate(self._streams):
            position, lane = divmod(index, lanes)
            # Not a target: an Update that changes only the pace never restarts the stream.
            resource.add_property_override("Pace", f"{lane},{position}")
            if position:
                depend_on(resource, self._streams[index - lanes])

    def first_time(self, *parts: str) -> bool:
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

    def allow_instance(self, instance_arn: str) -> None:
        """Let the function start and stop streaming on one Connect instance (once per instance)."""
        if not self.first_time("instance", instance_arn):
            return
        if not self._connect.resources:
            self.role.add_to_principal_policy(self._connect)
        self._connect.add_resources(instance_arn)


@jsii.implements(IAspect)
class _LaneLayout:
    """Lays out the provider's lanes once, at synth, when the stack's streams are all known."""

    def __init__(self, provider: StreamingProvider) -> None:
        self.provider = provider
        self.done = False

    def visit(self, node: IConstruct) -> None:
        """On the first node visited (the provider's subtree), lay out the lanes."""
        if not self.done:
            self.done = True
            self.provider.lay_out_lanes()
