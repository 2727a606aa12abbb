"""The local CloudFormation engine: scheduling, ServiceTimeout, the function's Timeout, reserved
concurrency and sandboxes, with tests/storm/fake_provider.py as the provider (seconds per test)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from standins.response_endpoint import ResponseEndpoint
from standins.stack_engine import (
    CREATE_FAILED,
    CREATED,
    DELETED,
    PENDING,
    EngineTimeoutError,
    StackEngine,
)
from standins.template import TemplateError

CODE_DIR = Path(__file__).resolve().parent
UNUSED_CONNECT = "http://127.0.0.1:9"
LIMIT_S = 30.0


@pytest.fixture(scope="module")
def endpoint() -> Iterator[ResponseEndpoint]:
    """The HTTPS response endpoint, for the module."""
    server = ResponseEndpoint().start()
    try:
        yield server
    finally:
        server.stop()


def custom(depends_on: list[str] | None = None, **props: Any) -> dict[str, Any]:
    """A Custom::ContactStreaming resource served by the Provider function."""
    resource: dict[str, Any] = {
        "Type": "Custom::ContactStreaming",
        "Properties": {"ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}, **props},
    }
    if depends_on:
        resource["DependsOn"] = depends_on
    return resource


def template(
    resources: dict[str, Any], *, timeout: int = 10, reserved: int | None = None
) -> dict[str, Any]:
    """A stack: the fake provider function, a topic, and `resources`."""
    function: dict[str, Any] = {
        "Handler": "fake_provider.handler",
        "Timeout": timeout,
        "Environment": {"Variables": {"FAKE_SETTING": {"Ref": "Topic"}}},
    }
    if reserved is not None:
        function["ReservedConcurrentExecutions"] = reserved
    return {
        "Resources": {
            "Provider": {"Type": "AWS::Lambda::Function", "Properties": function},
            "ProviderInvokeConfig": {
                "Type": "AWS::Lambda::EventInvokeConfig",
                "Properties": {"FunctionName": {"Ref": "Provider"}, "MaximumRetryAttempts": 0},
            },
            "Topic": {"Type": "AWS::SNS::Topic"},
            **resources,
        }
    }


class Stack:
    """An engine on a template, and the fake provider's log."""

    def __init__(
        self,
        body: dict[str, Any],
        endpoint: ResponseEndpoint,
        tmp_path: Path,
        resource_seconds: float = 0.0,
    ) -> None:
        self.log = tmp_path / "events.jsonl"
        self.log.touch()
        body["Resources"]["Provider"]["Properties"]["Environment"]["Variables"]["FAKE_LOG"] = str(
            self.log
        )
        self.engine = StackEngine(
            body,
            CODE_DIR,
            endpoint=endpoint,
            connect_url=UNUSED_CONNECT,
            resource_seconds=resource_seconds,
        )

    def lines(self, step: str = "start", kind: str = "") -> list[dict[str, Any]]:
        """Logged lines of one step (and request type)."""
        found = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [f for f in found if f["step"] == step and kind in ("", f["type"])]

    def at(self, step: str, kind: str) -> dict[str, float]:
        """When each resource's `kind` event reached `step`."""
        return {f["logical"]: f["at"] for f in self.lines(step, kind)}


@pytest.fixture
def make_stack(endpoint: ResponseEndpoint, tmp_path: Path) -> Iterator[Any]:
    """Build Stacks whose engines are closed afterwards."""
    made: list[Stack] = []

    def make(body: dict[str, Any], resource_seconds: float = 0.0) -> Stack:
        stack = Stack(body, endpoint, tmp_path, resource_seconds)
        made.append(stack)
        stack.engine.__enter__()
        return stack

    yield make
    for stack in made:
        stack.engine.__exit__(None, None, None)


def test_engine_independent_resources_all_invoked_at_once(make_stack: Any) -> None:
    names = [f"Stream{n}" for n in range(4)]
    stack = make_stack(template({name: custom(CreateSleep="0.5") for name in names}))

    phase = stack.engine.deploy(LIMIT_S)

    starts = stack.at("start", "Create")
    assert sorted(starts) == names
    assert max(starts.values()) - min(starts.values()) < 0.4
    assert len({line["pid"] for line in stack.lines()}) == 4
    assert phase.failed == []
    assert phase.lambda_stats.peak_concurrency == 4


def test_engine_dependencies_wait_for_answers_and_resolve_ref_and_getatt(make_stack: Any) -> None:
    stack = make_stack(
        template(
            {
                "First": custom(CreateSleep="0.3"),
                "ByRef": custom(Source={"Ref": "First"}, CreateSleep="0.3"),
                "ByDependsOn": custom(depends_on=["ByRef"]),
                "ByGetAtt": custom(Value={"Fn::GetAtt": ["First", "Value"]}),
                "OnTopicOnly": custom(Topic={"Ref": "Topic"}),
            }
        )
    )

    stack.engine.deploy(LIMIT_S)

    starts, ends = stack.at("start", "Create"), stack.at("end", "Create")
    assert starts["ByRef"] >= ends["First"]
    assert starts["ByGetAtt"] >= ends["First"]
    assert starts["ByDependsOn"] >= ends["ByRef"]
    assert starts["OnTopicOnly"] < ends["First"]
    props = {line["logical"]: line["props"] for line in stack.lines("start", "Create")}
    assert props["ByRef"]["Source"] == "physical-First"
    assert props["ByGetAtt"]["Value"] == "value-of-First"
    assert props["OnTopicOnly"]["Topic"].startswith("arn:aws:sns:")


def test_engine_destroy_deletes_dependents_first(make_stack: Any) -> None:
    stack = make_stack(
        template(
            {
                "Base": custom(DeleteSleep="0.3"),
                "Middle": custom(depends_on=["Base"], DeleteSleep="0.3"),
                # Top's delete lasts long enough that Alone, deleted at once beside it, starts
                # before it ends even on a loaded machine.
                "Top": custom(Source={"Fn::GetAtt": ["Middle", "Value"]}, DeleteSleep="0.3"),
                "Alone": custom(),
            }
        )
    )
    stack.engine.deploy(LIMIT_S)

    phase = stack.engine.destroy(LIMIT_S)

    starts, ends = stack.at("start", "Delete"), stack.at("end", "Delete")
    assert starts["Middle"] >= ends["Top"]
    assert starts["Base"] >= ends["Middle"]
    assert starts["Alone"] < ends["Top"]
    assert phase.failed == []
    assert {r.status for r in stack.engine.resources.values()} == {DELETED}
    deleted = {line["logical"]: line["physical"] for line in stack.lines("start", "Delete")}
    assert deleted["Base"] == "physical-Base"


def test_engine_failed_create_stops_new_creates_and_rolls_back(make_stack: Any) -> None:
    stack = make_stack(
        template(
            {
                "Fails": custom(CreateFails="yes"),
                "Slow": custom(CreateSleep="0.5"),
                "AfterSlow": custom(depends_on=["Slow"]),
            }
        )
    )

    phase = stack.engine.deploy(LIMIT_S)

    assert [event.logical_id for event in phase.failed] == ["Fails"]
    assert phase.rolled_back
    assert "AfterSlow" not in stack.at("start", "Create")
    assert stack.engine.resources["AfterSlow"].status == PENDING
    assert sorted(stack.at("start", "Delete")) == ["Fails", "Slow"]
    assert min(stack.at("start", "Delete").values()) >= stack.at("end", "Create")["Slow"]


def test_engine_service_timeout_fails_a_silent_resource(make_stack: Any) -> None:
    stack = make_stack(template({"Silent": custom(ServiceTimeout="1", CreateSleep="4")}))

    phase = stack.engine.deploy(LIMIT_S)

    assert [(e.logical_id, e.status) for e in phase.failed] == [("Silent", CREATE_FAILED)]
    assert "did not answer in time" in phase.failed[0].reason
    # Failed at the ServiceTimeout, long before the 4 s answer; the rest is a sandbox's start-up.
    assert 1.0 <= phase.failed[0].at - phase.started < 3.0
    rollback = stack.lines("start", "Delete")
    assert [line["logical"] for line in rollback] == ["Silent"]
    assert rollback[0]["physical"].startswith("ContactStreamingStack-Silent-")


def test_engine_resource_seconds_pass_before_each_invocation(make_stack: Any) -> None:
    body = template(
        {
            "First": custom(ServiceTimeout="1", CreateSleep="0.2"),
            "Second": custom(depends_on=["First"], ServiceTimeout="1"),
        }
    )
    stack = make_stack(body, resource_seconds=1.2)

    deploy = stack.engine.deploy(LIMIT_S)
    destroy = stack.engine.destroy(LIMIT_S)

    # Each resource's 1.2 s passes once before its invocation (not twice: under 2.4 s), whatever a
    # sandbox's start-up adds on a loaded machine.
    creates, created = stack.at("start", "Create"), stack.at("end", "Create")
    assert 1.2 <= creates["First"] - deploy.started < 2.4
    assert 1.2 <= creates["Second"] - created["First"] < 2.4
    deletes, deleted = stack.at("start", "Delete"), stack.at("end", "Delete")
    assert 1.2 <= deletes["Second"] - destroy.started < 2.4
    assert 1.2 <= deletes["First"] - deleted["Second"] < 2.4
    # The ServiceTimeout (1 s) runs from the invocation, not from the resource's start.
    assert (deploy.failed, destroy.failed) == ([], [])
    assert {r.status for r in stack.engine.resources.values()} == {DELETED}


def test_engine_negative_resource_seconds_refused(endpoint: ResponseEndpoint) -> None:
    with pytest.raises(ValueError, match="resource_seconds must be 0 or more, got -1"):
        StackEngine(
            template({"A": custom()}),
            CODE_DIR,
            endpoint=endpoint,
            connect_url=UNUSED_CONNECT,
            resource_seconds=-1,
        )


def test_engine_function_timeout_kills_the_sandbox(make_stack: Any) -> None:
    stack = make_stack(template({"Slow": custom(ServiceTimeout="3", CreateSleep="10")}, timeout=1))

    phase = stack.engine.deploy(LIMIT_S)

    (start,) = stack.lines("start", "Create")
    assert 800 <= start["remaining_ms"] <= 1000
    assert stack.lines("end", "Create") == []
    assert phase.lambda_stats.timeouts == 1
    assert phase.failed[0].logical_id == "Slow"
    assert not Path(f"/proc/{start['pid']}").exists() or "Z" in status_of(start["pid"])


def status_of(pid: int) -> str:
    """The process state letter (Z for a zombie), or "" when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return ""


def test_engine_reserved_concurrency_throttles_and_retries_later(make_stack: Any) -> None:
    names = ["One", "Two", "Three"]
    stack = make_stack(template({name: custom(CreateSleep="0.2") for name in names}, reserved=1))

    phase = stack.engine.deploy(LIMIT_S)

    starts = sorted(stack.at("start", "Create").values())
    assert len(starts) == 3
    # Throttled when the deploy began, retried 1 s and then 2 s more later (counted from the
    # throttle, not from the first sandbox's cold start).
    assert starts[1] - phase.started >= 1.0
    assert starts[2] - phase.started >= 3.0
    assert phase.lambda_stats.peak_concurrency == 1
    assert phase.lambda_stats.throttles == 3
    assert phase.failed == []


def test_engine_warm_sandbox_keeps_module_state_and_function_environment(
    make_stack: Any,
) -> None:
    stack = make_stack(template({"Only": custom()}))

    stack.engine.deploy(LIMIT_S)
    # The create's sandbox is warm once it has said it is done, which may come just after its
    # answer to CloudFormation: a Delete before that would rightly start a new sandbox.
    deadline = time.monotonic() + LIMIT_S
    while stack.engine.lambda_.in_flight() and time.monotonic() < deadline:
        stack.engine.lambda_.wait(0.05)
    stack.engine.destroy(LIMIT_S)

    create, delete = stack.lines("start", "Create")[0], stack.lines("start", "Delete")[0]
    assert create["pid"] == delete["pid"]
    assert (create["handled"], delete["handled"]) == (1, 2)
    assert create["imported_with"].startswith("arn:aws:sns:")
    assert stack.engine.resources["Only"].status == DELETED


def test_engine_close_stops_every_process_it_started(
    endpoint: ResponseEndpoint, tmp_path: Path
) -> None:
    stack = Stack(template({"A": custom(), "B": custom()}), endpoint, tmp_path)
    with stack.engine as engine:
        engine.deploy(LIMIT_S)
        pids = engine.lambda_.pids()
        assert engine.resources["A"].status == CREATED
    assert len(pids) == 3
    assert [status_of(pid) in ("", "Z") for pid in pids] == [True] * 3


def test_engine_circular_dependencies_refused(make_stack: Any) -> None:
    stack = make_stack(template({"A": custom(["B"]), "B": custom(Source={"Ref": "A"})}))

    with pytest.raises(TemplateError, match=r"circular dependencies among \['A', 'B'\]"):
        stack.engine.deploy(LIMIT_S)


def test_engine_phase_past_its_bound_raises(make_stack: Any) -> None:
    stack = make_stack(template({"Slow": custom(CreateSleep="3")}))

    with pytest.raises(EngineTimeoutError, match="in progress: \\['Slow'\\]"):
        stack.engine.deploy(limit_s=0.5)
