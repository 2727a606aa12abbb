"""A local CloudFormation that deploys and destroys a synthesized template's custom resources.

It schedules the custom resources as CloudFormation does: a resource waits for the custom
resources it names in DependsOn, Ref or Fn::GetAtt (other resources count as already created, and
deleted after their dependents); every resource whose dependencies are met is started at once (no
cap); deletes go in reverse dependency order. A create that FAILED stops new creates; once those in
progress answer, the stack rolls back, deleting what it created (failed ones included, as
CloudFormation sends them a Delete too). CloudFormation's own time per custom resource
(`resource_seconds`, default 0) passes between a resource's start (CREATE_IN_PROGRESS or
DELETE_IN_PROGRESS) and its invocation. A resource that has not answered within its
`ServiceTimeout` (default 3600 s) from its invocation FAILED. Events go asynchronously to the
provider function through a local Lambda (standins/lambda_service.py) that honours the function's
Timeout, reserved concurrency and environment; answers come to the HTTPS ResponseEndpoint.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from standins.aws import ACCOUNT, REGION, STACK_NAME
from standins.events import cfn_event, lambda_environment
from standins.lambda_service import (
    DEFAULT_RETRY_ATTEMPTS,
    Function,
    LambdaService,
    LambdaStats,
)
from standins.response_endpoint import ResponseEndpoint
from standins.template import Template, TemplateError, provider_function_id

DEFAULT_SERVICE_TIMEOUT_S = 3600.0
TICK_S = 0.02
DEFAULT_PHASE_LIMIT_S = 1800.0
CUSTOM_TYPES = ("Custom::", "AWS::CloudFormation::CustomResource")
PENDING = "PENDING"
CREATING, CREATED, CREATE_FAILED = "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_FAILED"
DELETING, DELETED, DELETE_FAILED = "DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_FAILED"
SUB_NAMES = re.compile(r"\$\{([^}!]+)\}")

# The engine deploys and destroys; only an Update that would start a stream reads the stack's
# status (DescribeStacks), so by default nothing listens there: such a call is refused, and the
# handler answers FAILED once its retries or its Clock give up.
NO_STACK_STATUS = "http://127.0.0.1:9"


class EngineTimeoutError(RuntimeError):
    """A phase ran past its bound."""


@dataclass
class Resource:
    """One custom resource and where CloudFormation is with it."""

    logical_id: str
    properties: dict[str, Any]
    depends_on: frozenset[str]
    status: str = PENDING
    physical_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    resolved: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    request_id: str = ""
    deadline: float = 0.0


@dataclass(frozen=True)
class StackEvent:
    """One status change, as DescribeStackEvents would list it."""

    at: float
    logical_id: str
    status: str
    reason: str


@dataclass
class Phase:
    """A deploy or destroy: when it ran and what failed."""

    name: str
    started: float
    ended: float = 0.0
    failed: list[StackEvent] = field(default_factory=list)
    rolled_back: bool = False
    rollback_failed: list[StackEvent] = field(default_factory=list)
    lambda_stats: LambdaStats = field(default_factory=LambdaStats)

    @property
    def seconds(self) -> float:
        """How long the phase took."""
        return self.ended - self.started


class DeployedTemplate(Template):
    """A template whose custom resources resolve to what their answers said."""

    def __init__(
        self, body: dict[str, Any], parameters: dict[str, str], custom: dict[str, Resource]
    ) -> None:
        super().__init__(body, parameters)
        self.custom = custom

    def ref(self, name: str) -> str:
        """A custom resource's Ref is its PhysicalResourceId."""
        if name in self.custom:
            return self.custom[name].physical_id
        return super().ref(name)

    def get_att(self, name: str, attribute: str) -> str:
        """A custom resource's attributes are the Data of its answer."""
        if name in self.custom:
            data = self.custom[name].data
            if attribute not in data:
                raise TemplateError(f"{name} answered no attribute {attribute!r}")
            return str(data[attribute])
        return super().get_att(name, attribute)


def is_custom(resource: Mapping[str, Any]) -> bool:
    """True for a custom resource (Custom::… or AWS::CloudFormation::CustomResource)."""
    return str(resource["Type"]).startswith(CUSTOM_TYPES)


def named_resources(value: Any) -> Iterator[str]:
    """Every resource name a property value refers to with Ref, Fn::GetAtt or Fn::Sub."""
    if isinstance(value, list):
        for item in value:
            yield from named_resources(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                yield (item.split(".")[0] if isinstance(item, str) else item[0])
            elif key == "Fn::Sub":
                text = item if isinstance(item, str) else item[0]
                yield from (name.split(".")[0] for name in SUB_NAMES.findall(text))
                if not isinstance(item, str):
                    yield from named_resources(item[1])
            else:
                yield from named_resources(item)


def dependencies(body: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Each custom resource's dependencies among the custom resources."""
    resources = body["Resources"]
    custom = [name for name, resource in resources.items() if is_custom(resource)]
    found = {}
    for name in custom:
        resource = resources[name]
        depends_on = resource.get("DependsOn", [])
        named = {depends_on} if isinstance(depends_on, str) else set(depends_on)
        named |= set(named_resources(resource.get("Properties", {})))
        found[name] = frozenset(named & set(custom))
    return found


def provider_function(body: dict[str, Any], code_dir: Path, template: Template) -> Function:
    """The Lambda function every custom resource's ServiceToken names, as the service runs it."""
    function_id = provider_function_id(body)
    properties = body["Resources"][function_id]["Properties"]
    variables = properties.get("Environment", {}).get("Variables", {})
    retry_attempts = DEFAULT_RETRY_ATTEMPTS
    for resource in body["Resources"].values():
        target = json.dumps(resource.get("Properties", {}).get("FunctionName"))
        if resource["Type"] == "AWS::Lambda::EventInvokeConfig" and f'"{function_id}"' in target:
            retry_attempts = int(resource["Properties"].get("MaximumRetryAttempts", retry_attempts))
    reserved = properties.get("ReservedConcurrentExecutions")
    return Function(
        handler=str(properties["Handler"]),
        code_dir=code_dir,
        timeout_s=float(properties.get("Timeout", 3)),
        environment={k: str(v) for k, v in template.resolve(variables).items()},
        reserved_concurrency=None if reserved is None else int(reserved),
        retry_attempts=retry_attempts,
    )


def memory_size(body: dict[str, Any]) -> int:
    """The provider function's MemorySize (Lambda's default is 128 MB)."""
    properties = body["Resources"][provider_function_id(body)]["Properties"]
    return int(properties.get("MemorySize", 128))


class StackEngine:
    """Deploys and destroys one stack's custom resources through a local Lambda."""

    def __init__(
        self,
        body: dict[str, Any],
        code_dir: Path,
        *,
        endpoint: ResponseEndpoint,
        connect_url: str,
        stacks_url: str = NO_STACK_STATUS,
        parameters: dict[str, str] | None = None,
        log_dir: Path | None = None,
        resource_seconds: float = 0.0,
    ) -> None:
        if resource_seconds < 0:
            raise ValueError(f"resource_seconds must be 0 or more, got {resource_seconds!r}")
        self.body = body
        self.resource_seconds = resource_seconds
        # Events of resources started but not yet invoked, with when they are due.
        self.scheduled: list[tuple[float, dict[str, Any]]] = []
        self.endpoint = endpoint
        self.parameters = parameters or {}
        stack = f"stack/{STACK_NAME}/{uuid.uuid4()}"
        self.stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:{stack}"
        self.resources = {
            name: Resource(name, body["Resources"][name].get("Properties", {}), depends)
            for name, depends in dependencies(body).items()
        }
        self.template = DeployedTemplate(body, self.parameters, self.resources)
        function = provider_function(body, code_dir.resolve(), self.template)
        environment = {
            **lambda_environment(connect_url, str(endpoint.ca_file), stacks_url),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_size(body)),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "LAMBDA_TASK_ROOT": str(function.code_dir),
            "_HANDLER": function.handler,
            **function.environment,
        }
        self.function = replace(function, environment=environment)
        self.own_log_dir = log_dir is None
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="cfn-engine-"))
        self.lambda_ = LambdaService(self.function, self.log_dir / "lambda.log")
        self.events: list[StackEvent] = []
        self.by_request: dict[str, Resource] = {}
        self.answers_read = 0

    def __enter__(self) -> StackEngine:
        self.lambda_.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        """Stop every process; keep the sandboxes' log only when something went wrong."""
        self.lambda_.close()
        if self.own_log_dir and exc_type is None:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    # --- phases --------------------------------------------------------------------------------
    def deploy(self, limit_s: float = DEFAULT_PHASE_LIMIT_S) -> Phase:
        """Create every custom resource; on a failure, roll back what was created."""
        phase = self.begin("deploy")
        deadline = phase.started + limit_s
        while True:
            self.read_answers()
            failed = any(r.status == CREATE_FAILED for r in self.resources.values())
            if not failed:
                for resource in self.ready_to_create():
                    self.send(resource, "Create", CREATING)
            in_progress = [r for r in self.resources.values() if r.status == CREATING]
            pending = [r for r in self.resources.values() if r.status == PENDING]
            if not in_progress and (failed or not pending):
                break
            if not in_progress and not self.ready_to_create():
                names = sorted(r.logical_id for r in pending)
                raise TemplateError(f"circular dependencies among {names}")
            self.tick(deadline)
        phase.failed = self.events_since(phase, CREATE_FAILED)
        if failed:
            phase.rolled_back = True
            started = [r for r in self.resources.values() if r.status in (CREATED, CREATE_FAILED)]
            self.delete_all(started, deadline)
            phase.rollback_failed = self.events_since(phase, DELETE_FAILED)
        return self.end(phase)

    def destroy(self, limit_s: float = DEFAULT_PHASE_LIMIT_S) -> Phase:
        """Delete every created custom resource, dependents first."""
        phase = self.begin("destroy")
        created = [r for r in self.resources.values() if r.status == CREATED]
        self.delete_all(created, phase.started + limit_s)
        phase.failed = self.events_since(phase, DELETE_FAILED)
        return self.end(phase)

    def begin(self, name: str) -> Phase:
        """Start a phase with fresh Lambda figures."""
        self.lambda_.stats = LambdaStats()
        return Phase(name, time.monotonic())

    def end(self, phase: Phase) -> Phase:
        """Close a phase."""
        phase.ended = time.monotonic()
        phase.lambda_stats = self.lambda_.stats
        return phase

    def events_since(self, phase: Phase, status: str) -> list[StackEvent]:
        """The phase's events of one status."""
        return [e for e in self.events if e.at >= phase.started and e.status == status]

    # --- scheduling ----------------------------------------------------------------------------
    def ready_to_create(self) -> list[Resource]:
        """Pending resources whose dependencies are all created."""
        return [
            r
            for r in self.resources.values()
            if r.status == PENDING
            and all(self.resources[d].status == CREATED for d in r.depends_on)
        ]

    def delete_all(self, targets: list[Resource], deadline: float) -> None:
        """Delete `targets`, each once every target depending on it is deleted."""
        names = {r.logical_id for r in targets}
        dependents = {
            name: {r.logical_id for r in targets if name in r.depends_on} for name in names
        }
        waiting = set(names)
        while True:
            self.read_answers()
            for name in sorted(waiting):
                if all(self.resources[d].status == DELETED for d in dependents[name]):
                    waiting.discard(name)
                    self.send(self.resources[name], "Delete", DELETING)
            if not any(r.status == DELETING for r in self.resources.values()):
                break
            self.tick(deadline)

    def tick(self, deadline: float) -> None:
        """Let Lambda run, fail resources past their ServiceTimeout, and keep within the bound."""
        self.invoke_due()
        self.lambda_.step()
        self.lambda_.wait(TICK_S)
        now = time.monotonic()
        for resource in self.resources.values():
            if resource.status in (CREATING, DELETING) and now >= resource.deadline:
                failed = CREATE_FAILED if resource.status == CREATING else DELETE_FAILED
                self.set_status(resource, failed, "Custom resource did not answer in time")
        if now >= deadline:
            raise EngineTimeoutError(f"phase ran past its bound; in progress: {self.in_progress()}")

    def in_progress(self) -> list[str]:
        """Resources waiting for an answer."""
        return [r.logical_id for r in self.resources.values() if r.status in (CREATING, DELETING)]

    def send(self, resource: Resource, request_type: str, status: str) -> None:
        """Invoke the provider with a Create or Delete for `resource`."""
        if request_type == "Create":
            resource.resolved = self.template.resolve(resource.properties)
        if request_type == "Delete" and not resource.physical_id:
            # No answer ever came: CloudFormation names the resource itself.
            resource.physical_id = f"{STACK_NAME}-{resource.logical_id}-{uuid.uuid4().hex[:12]}"
        resource.request_id = str(uuid.uuid4())
        timeout = float(resource.resolved.get("ServiceTimeout", DEFAULT_SERVICE_TIMEOUT_S))
        resource.deadline = time.monotonic() + timeout
        self.by_request[resource.request_id] = resource
        event = cfn_event(
            request_type,
            self.endpoint,
            resource.resolved,
            physical_id=resource.physical_id or None,
            request_id=resource.request_id,
            logical_id=resource.logical_id,
            stack_id=self.stack_id,
        )
        self.set_status(resource, status, "")
        if self.resource_seconds:
            resource.deadline += self.resource_seconds
            due = time.monotonic() + self.resource_seconds
            self.scheduled.append((due, event))
        else:
            self.lambda_.invoke(event)

    def invoke_due(self) -> None:
        """Invoke the provider for each started resource whose CloudFormation time has passed."""
        now = time.monotonic()
        due = [item for item in self.scheduled if item[0] <= now]
        self.scheduled = [item for item in self.scheduled if item[0] > now]
        for _at, event in sorted(due, key=lambda item: item[0]):
            self.lambda_.invoke(event)

    def read_answers(self) -> None:
        """Apply the first answer to each request still waiting for one."""
        puts = self.endpoint.received()
        for put in puts[self.answers_read :]:
            request_id = unquote(put.path.lstrip("/")).rsplit("|", 1)[-1]
            resource = self.by_request.get(request_id)
            if resource is None or resource.request_id != request_id:
                continue
            if resource.status not in (CREATING, DELETING):
                continue
            body = put.body
            ok = body.get("Status") == "SUCCESS"
            if resource.status == CREATING:
                resource.physical_id = str(body.get("PhysicalResourceId", ""))
                resource.data = dict(body.get("Data") or {})
                self.set_status(resource, CREATED if ok else CREATE_FAILED, body.get("Reason", ""))
            else:
                self.set_status(resource, DELETED if ok else DELETE_FAILED, body.get("Reason", ""))
        self.answers_read = len(puts)

    def set_status(self, resource: Resource, status: str, reason: str) -> None:
        """Record a status change."""
        resource.status, resource.reason = status, str(reason or "")
        event = StackEvent(time.monotonic(), resource.logical_id, status, resource.reason)
        self.events.append(event)
