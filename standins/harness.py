"""Run the real handler against the stand-ins in this process; read what CloudFormation got."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import botocore.loaders
import botocore.session

from standins.aws import LambdaContext
from standins.connect import ConnectStandIn
from standins.describe_stacks import StackStandIn
from standins.events import STACK_ID, cfn_event, environment, lambda_environment
from standins.response_endpoint import Put, ResponseEndpoint

# The status the stack the events name is in, unless a test sets another: CloudFormation sends
# Updates in it, and the handler reads it before an Update starts a stream.
DEFAULT_STACK_STATUS = "UPDATE_IN_PROGRESS"
# crhelper sleeps `sleep_on_delete` on Delete when more than that is left beyond 15 s: a Delete
# given less than 17 s answers at once; tests that want the real wait pass LAMBDA_TIMEOUT_S.
QUICK_DELETE_TIMEOUT_S = 16.0
ANSWER_WAIT_S = 15.0
# One loader of botocore's service models for every sandbox of this process: a new session would
# parse the models' JSON anew (about 15 ms a file), which costs CPU and changes nothing the code
# under test does. Clients, credentials and configuration stay each session's own.
SERVICE_MODELS = botocore.loaders.create_loader()


def fresh_default_session() -> boto3.Session:
    """A new boto3 session (no clients, no credentials yet) that reads SERVICE_MODELS."""
    core = botocore.session.get_session()
    core.register_component("data_loader", SERVICE_MODELS)
    session = boto3.Session(botocore_session=core)
    # boto3 adds its own folder of models to the loader's search paths, once per session.
    SERVICE_MODELS.search_paths[:] = list(dict.fromkeys(SERVICE_MODELS.search_paths))
    return session


def new_lambda_sandbox(handler: ModuleType) -> None:
    """Forget cached clients and credentials, as a new Lambda sandbox would.

    boto3's default session keeps the credentials it first resolved, which may be another suite's.
    """
    handler.connect_client.cache_clear()
    handler.cloudformation_client.cache_clear()
    boto3.DEFAULT_SESSION = fresh_default_session()
    vars(handler)["clock"] = handler.Clock()


def import_fresh(name: str) -> ModuleType:
    """Import a module anew in the current environment, as a new Lambda sandbox would.

    A module imported earlier in this process (by another suite, without Lambda's environment)
    keeps what it built at import, such as crhelper's clients or its `_init_failed`: reload it.
    """
    if name in sys.modules:
        return importlib.reload(sys.modules[name])
    return importlib.import_module(name)


@dataclass
class Outcome:
    """One invocation: the first response CloudFormation read, all responses, and the time."""

    response: Put
    responses: list[Put]
    elapsed_ms: float
    context: LambdaContext

    @property
    def body(self) -> dict[str, Any]:
        """The first response's JSON body."""
        return self.response.body


class Harness:
    """The stand-ins and the handler module, imported with Lambda's environment in place."""

    def __init__(
        self,
        connect: ConnectStandIn,
        cfn: ResponseEndpoint,
        stacks: StackStandIn,
        handler: ModuleType,
    ) -> None:
        self.connect = connect
        self.cfn = cfn
        self.stacks = stacks
        self.handler = handler

    def reset(self, drop_first: int = 0) -> None:
        """Fresh stand-in state and fresh clients (a new Lambda instance's view)."""
        self.connect.reset()
        self.cfn.reset(drop_first)
        self.stacks.reset()
        self.stacks.set_status(STACK_ID, DEFAULT_STACK_STATUS)
        new_lambda_sandbox(self.handler)

    def send(
        self,
        request_type: str,
        props: Mapping[str, Any],
        *,
        timeout_s: float | None = None,
        **event_fields: Any,
    ) -> Outcome:
        """Build a CloudFormation event (see `cfn_event`) and invoke the handler with it.

        Deletes get QUICK_DELETE_TIMEOUT_S unless told otherwise, other events 30 s.
        """
        event = cfn_event(request_type, self.cfn, props, **event_fields)
        if timeout_s is None:
            timeout_s = QUICK_DELETE_TIMEOUT_S if request_type == "Delete" else 30.0
        return self.invoke(event, timeout_s)

    def invoke(self, event: dict[str, Any], timeout_s: float = 30.0) -> Outcome:
        """Call handler.handler(event, context); return the first response it caused."""
        before = len(self.cfn.received())
        context = LambdaContext(timeout_s)
        started = time.monotonic()
        self.handler.handler(event, context)
        elapsed_ms = (time.monotonic() - started) * 1000
        puts = self.cfn.wait_for(before + 1, ANSWER_WAIT_S)[before:]
        assert puts, f"no response for {event['RequestType']} {event['RequestId']}"
        return Outcome(puts[0], puts, elapsed_ms, context)


@contextmanager
def running_harness(
    code_dir: Path | None = None, function_environment: Mapping[str, str] | None = None
) -> Iterator[Harness]:
    """Start the stand-ins, set Lambda's environment, import the handler; stop everything after.

    `code_dir`, when given, is put first on sys.path (a Lambda asset folder: handler and crhelper);
    `function_environment` holds the function's own variables, as the template sets them.
    """
    connect = ConnectStandIn().start()
    cfn = ResponseEndpoint().start()
    stacks = StackStandIn().start()
    if code_dir is not None:
        sys.path.insert(0, str(code_dir))
    try:
        lambda_env = lambda_environment(connect.url, str(cfn.ca_file), stacks.url)
        with environment({**lambda_env, **(function_environment or {})}):
            handler = import_fresh("handler")
            assert handler.helper._init_failed is None, (
                f"handler was imported without Lambda's environment: {handler.helper._init_failed}"
            )
            harness = Harness(connect, cfn, stacks, handler)
            harness.reset()
            yield harness
    finally:
        connect.stop()
        cfn.stop()
        stacks.stop()
