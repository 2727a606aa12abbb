"""Contact flows of the local Connect, and the one block it runs: Invoke AWS Lambda function.

A flow's content is Connect's flow language (Version, StartAction, Actions with Identifier, Type,
Parameters, Transitions). When a chat starts on a flow, the runner follows it from StartAction:
`InvokeLambdaFunction` invokes the function on the local engine's Lambda (a real boto3 client of
it) with Connect's flow event and takes NextAction or the error branch; `TransferToFlow` goes on in
the named flow; every other action only passes on to its NextAction (the runner plays no prompts,
queues nothing). What the runner does for one block, as Connect's admin guide describes it:

- It invokes only a function associated with the instance (AssociateLambdaFunction, or the
  `AWS::Connect::IntegrationAssociation` of type LAMBDA_FUNCTION that calls it) whose resource
  policy (Lambda GetPolicy) allows `connect.amazonaws.com` to `lambda:InvokeFunction` with every
  condition met by the instance: `AWS:SourceArn` the instance ARN, `AWS:SourceAccount` its
  account. Any other condition key counts as not met (fail safe). A refused function takes the
  error branch without an invocation, as Connect's AccessDeniedException does.
- Synchronous only. One attempt waits at most InvocationTimeLimitSeconds (1-8, 3 when absent, the
  block's default), all attempts together at most 8 s. A throttled (429) or failed (5xx)
  invocation, and one whose function raised, is retried up to three times within those 8 s; any
  other error, or an attempt that times out, takes the error branch at once. The 8 s start with
  the first invocation (Lambda checks its policy inside Invoke; our GetPolicy is not counted).
  What a timed-out attempt answers in the end is kept (`late_of`), for tests to read.
- The answer must be a JSON object; with ResponseType STRING_MAP (the default here) a flat object
  of strings. Anything else takes the error branch.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from standins.flow_event import flow_event as connect_flow_event

INVOKE = "InvokeLambdaFunction"
TRANSFER = "TransferToFlow"
SYNCHRONOUS = "SYNCHRONOUS"
STRING_MAP = "STRING_MAP"
JSON_RESPONSE = "JSON"
CONNECT_PRINCIPAL = "connect.amazonaws.com"
# The block's limits (flow language reference, InvokeLambdaFunction; admin guide, the block).
MAX_TIME_LIMIT_S = 8
DEFAULT_TIME_LIMIT_S = 3
TOTAL_LIMIT_S = 8.0
MAX_RETRIES = 3
# A flow that loops (TransferToFlow back to itself) ends here instead of running forever.
MAX_STEPS = 100
SUCCESS = "Success"
ERROR = "Error"


class InvalidFlowError(Exception):
    """Content that is not a flow the local Connect can run; the message names the problem."""


@dataclass(frozen=True)
class Try:
    """One attempt of a block: how long it took, and its error ("" when it was answered)."""

    seconds: float
    error: str = ""


@dataclass(frozen=True)
class Invocation:
    """One run of an InvokeLambdaFunction block: what was invoked and how it ended."""

    contact_id: str
    flow_id: str
    function_arn: str
    outcome: str
    attempts: int
    seconds: float
    error: str = ""
    response: dict[str, Any] = field(default_factory=dict)
    tries: tuple[Try, ...] = ()


@dataclass(frozen=True)
class LateAnswer:
    """What an attempt that timed out got in the end, after Connect stopped waiting for it.

    Connect ignores it (the block took its error branch); the local Connect keeps it so that a
    test can say where the time went: `seconds` from the attempt's start, `answer` the payload
    or the error.
    """

    contact_id: str
    function_arn: str
    seconds: float
    answer: str


@dataclass(frozen=True)
class Contact:
    """What the flow event says about the contact a flow runs for."""

    instance_arn: str
    contact_id: str
    initial_contact_id: str
    channel: str = "CHAT"
    initiation_method: str = "API"
    attributes: dict[str, str] = field(default_factory=dict)


def flow_event(contact: Contact, parameters: dict[str, str]) -> dict[str, Any]:
    """Connect's flow event (admin guide: "Configure your Lambda function to parse the event")."""
    return connect_flow_event(
        contact.contact_id,
        contact.instance_arn,
        channel=contact.channel,
        initial_contact_id=contact.initial_contact_id,
        parameters=parameters,
        attributes=contact.attributes,
        initiation_method=contact.initiation_method,
    )


def parse_content(content: str) -> dict[str, dict[str, Any]]:
    """The actions of a flow by Identifier, checked; raise InvalidFlowError naming the problem."""
    try:
        flow = json.loads(content)
    except ValueError as error:
        raise InvalidFlowError(f"Content is not JSON: {error}") from None
    if not isinstance(flow, dict) or not isinstance(flow.get("Actions"), list):
        raise InvalidFlowError("Content must be an object with a list of Actions")
    actions = {str(action.get("Identifier")): action for action in flow["Actions"]}
    if flow.get("StartAction") not in actions:
        raise InvalidFlowError(f"StartAction {flow.get('StartAction')!r} names no action")
    for identifier, action in actions.items():
        if action.get("Type") == INVOKE:
            check_invoke(identifier, action.get("Parameters") or {})
    return actions


def check_invoke(identifier: str, parameters: dict[str, Any]) -> None:
    """Raise InvalidFlowError unless an InvokeLambdaFunction block's parameters are ones we run."""
    if not str(parameters.get("LambdaFunctionARN", "")).startswith("arn:"):
        raise InvalidFlowError(f"{identifier}: LambdaFunctionARN must be a function ARN")
    limit = parameters.get("InvocationTimeLimitSeconds", str(DEFAULT_TIME_LIMIT_S))
    if not str(limit).isdigit() or not 1 <= int(limit) <= MAX_TIME_LIMIT_S:
        raise InvalidFlowError(f"{identifier}: InvocationTimeLimitSeconds {limit!r} is not 1-8")
    if parameters.get("InvocationType", SYNCHRONOUS) != SYNCHRONOUS:
        raise InvalidFlowError(f"{identifier}: the local Connect runs SYNCHRONOUS invocations only")


def allows_connect(policy: dict[str, Any], instance_arn: str) -> bool:
    """Whether a function's resource policy lets Connect invoke it for this instance."""
    statements = policy.get("Statement", [])
    return any(statement_allows(s, instance_arn) for s in statements)


def statement_allows(statement: dict[str, Any], instance_arn: str) -> bool:
    """One Allow statement for connect.amazonaws.com, lambda:InvokeFunction, conditions met."""
    principal = statement.get("Principal")
    service = principal.get("Service") if isinstance(principal, dict) else principal
    services = service if isinstance(service, list) else [service]
    actions = statement.get("Action")
    actions = actions if isinstance(actions, list) else [actions]
    return (
        statement.get("Effect") == "Allow"
        and (CONNECT_PRINCIPAL in services or "*" in services)
        and any(a in ("lambda:InvokeFunction", "lambda:*", "*") for a in actions)
        and conditions_met(statement.get("Condition") or {}, instance_arn)
    )


def conditions_met(conditions: dict[str, dict[str, Any]], instance_arn: str) -> bool:
    """Every condition holds for a call from this instance; unknown keys never do."""
    known = {"aws:sourcearn": instance_arn, "aws:sourceaccount": instance_arn.split(":")[4]}
    for operator, tests in conditions.items():
        for key, wanted in tests.items():
            actual = known.get(key.lower())
            values = wanted if isinstance(wanted, list) else [wanted]
            if actual is None or not any(matches(operator, actual, str(v)) for v in values):
                return False
    return True


def matches(operator: str, actual: str, wanted: str) -> bool:
    """One IAM condition operator applied to one value (the operators Lambda policies use)."""
    if operator in ("ArnLike", "StringLike"):
        return fnmatch.fnmatchcase(actual, wanted)
    if operator in ("ArnEquals", "StringEquals"):
        return actual == wanted
    return False


def string_map(answer: Any, response_type: str) -> dict[str, Any] | None:
    """The block's result from a function's answer, or None when it fails validation."""
    if not isinstance(answer, dict):
        return None
    if response_type == STRING_MAP and not all(isinstance(v, str) for v in answer.values()):
        return None
    return answer


def retryable(error: ClientError) -> bool:
    """Throttling (429) and service failures (5xx) are retried; other errors are not."""
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    return status == 429 or status >= 500


class Flows:
    """The instance's flows and associated functions, and the runner of their Lambda blocks."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.lock = threading.Lock()
        self.lambda_client: Any = None
        self.clock: Callable[[], float] = time.monotonic
        self.reset()

    def reset(self) -> None:
        """Forget flow contents, associations, invocations and late answers (not the client).

        A timed-out attempt of before the reset that ends after it records into the old list.
        """
        with self.lock:
            self.contents: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
            self.start_actions: dict[tuple[str, str], str] = {}
            self.functions: dict[str, list[str]] = {}
            self.invocations: list[Invocation] = []
            self.late: list[LateAnswer] = []

    def invoke_with(self, client: Any) -> None:
        """Invoke functions through this boto3 Lambda client (the local engine's Lambda)."""
        self.lambda_client = client

    # --- the API -------------------------------------------------------------------------
    def create(self, instance_id: str, content: str) -> tuple[str, str]:
        """Store a flow's content (CreateContactFlow): its id and FlowContentSha256."""
        actions = parse_content(content)
        flow_id = str(uuid.uuid4())
        with self.lock:
            self.contents[(instance_id, flow_id)] = actions
            self.start_actions[(instance_id, flow_id)] = json.loads(content)["StartAction"]
        return flow_id, hashlib.sha256(content.encode()).hexdigest()

    def content_of(self, instance_id: str, flow_id: str) -> str:
        """A flow's content as DescribeContactFlow answers it ("{}" for a built-in flow)."""
        with self.lock:
            actions = self.contents.get((instance_id, flow_id))
            start = self.start_actions.get((instance_id, flow_id))
        if actions is None:
            return "{}"
        return json.dumps(
            {"Version": "2019-10-30", "StartAction": start, "Actions": list(actions.values())}
        )

    def associate(self, instance_id: str, function_arn: str) -> None:
        """AssociateLambdaFunction: the instance may now invoke the function (idempotent)."""
        with self.lock:
            functions = self.functions.setdefault(instance_id, [])
            if function_arn not in functions:
                functions.append(function_arn)

    def disassociate(self, instance_id: str, function_arn: str) -> bool:
        """DisassociateLambdaFunction; False when the function was not associated."""
        with self.lock:
            functions = self.functions.get(instance_id, [])
            if function_arn not in functions:
                return False
            functions.remove(function_arn)
            return True

    def associated(self, instance_id: str) -> list[str]:
        """ListLambdaFunctions: the functions associated with an instance, in order."""
        with self.lock:
            return list(self.functions.get(instance_id, []))

    # --- the runner ----------------------------------------------------------------------
    def run(self, instance_id: str, flow_id: str, contact: Contact) -> list[Invocation]:
        """Run a flow for a contact until it ends; the Lambda blocks' invocations, in order."""
        done: list[Invocation] = []
        with self.lock:
            actions = self.contents.get((instance_id, flow_id))
            identifier = self.start_actions.get((instance_id, flow_id))
        for _ in range(MAX_STEPS):
            if actions is None or identifier is None or identifier not in actions:
                break
            action = actions[identifier]
            transitions = action.get("Transitions") or {}
            if action.get("Type") == TRANSFER:
                flow_id = str(action["Parameters"]["ContactFlowId"]).rsplit("/", 1)[-1]
                with self.lock:
                    actions = self.contents.get((instance_id, flow_id))
                    identifier = self.start_actions.get((instance_id, flow_id))
                continue
            identifier = transitions.get("NextAction")
            if action.get("Type") == INVOKE:
                invocation = self.invoke(instance_id, flow_id, contact, action["Parameters"])
                done.append(invocation)
                if invocation.outcome == ERROR:
                    errors = transitions.get("Errors") or [{}]
                    identifier = errors[0].get("NextAction")
        return done

    def invoke(
        self, instance_id: str, flow_id: str, contact: Contact, parameters: dict[str, Any]
    ) -> Invocation:
        """One InvokeLambdaFunction block: checks, attempts and the answer's validation."""
        arn = str(parameters["LambdaFunctionARN"])
        # The time limit covers the invocations only: Lambda checks its policy inside Invoke, and
        # the local Connect's own GetPolicy beforehand is no part of Connect's wait.
        refusal = self.refusal(instance_id, arn, contact.instance_arn)
        started = self.clock()
        if refusal:
            return self.finish(contact, flow_id, arn, ERROR, [], started, refusal)
        event = flow_event(contact, dict(parameters.get("LambdaInvocationAttributes") or {}))
        limit_s = int(parameters.get("InvocationTimeLimitSeconds", DEFAULT_TIME_LIMIT_S))
        response_type = str(
            (parameters.get("ResponseValidation") or {}).get("ResponseType", STRING_MAP)
        )
        tries: list[Try] = []
        error = ""
        while len(tries) <= MAX_RETRIES:
            left_s = TOTAL_LIMIT_S - (self.clock() - started)
            if left_s <= 0:
                break
            began = self.clock()
            answer, error, again = self.attempt(arn, event, min(limit_s, left_s))
            tries.append(Try(self.clock() - began, error))
            if not error:
                result = string_map(answer, response_type)
                if result is None:
                    error = f"the answer is not a valid {response_type}"
                    break
                return self.finish(contact, flow_id, arn, SUCCESS, tries, started, "", result)
            if not again:
                break
        return self.finish(contact, flow_id, arn, ERROR, tries, started, error)

    def refusal(self, instance_id: str, arn: str, instance_arn: str) -> str:
        """Why Connect may not invoke the function for this instance, or ""."""
        if self.lambda_client is None:
            return "no Lambda to invoke: the local Connect was given no Lambda client"
        if arn not in self.associated(instance_id):
            return f"AccessDenied: {arn} is not associated with instance {instance_id}"
        try:
            policy = json.loads(self.lambda_client.get_policy(FunctionName=arn)["Policy"])
        except ClientError as error:
            return f"AccessDenied: no resource policy on {arn} ({error})"
        if not allows_connect(policy, instance_arn):
            return f"AccessDenied: the policy of {arn} does not allow {CONNECT_PRINCIPAL}"
        return ""

    def attempt(self, arn: str, event: dict[str, Any], timeout_s: float) -> tuple[Any, str, bool]:
        """One invocation, waited for at most `timeout_s`: (answer, error, retry it)."""
        began = self.clock()
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(
            self.lambda_client.invoke,
            FunctionName=arn,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode(),
        )
        try:
            reply = future.result(timeout=timeout_s)
        except FutureTimeout:
            self.keep_late_answer(future, arn, event, began)
            return None, f"no answer within {timeout_s:.1f} s", False
        except ClientError as error:
            return None, str(error), retryable(error)
        except BotoCoreError as error:
            return None, str(error), True
        finally:
            pool.shutdown(wait=False)
        payload = reply["Payload"].read()
        if reply.get("FunctionError"):
            return None, f"the function failed: {payload[:200]!r}", True
        try:
            return json.loads(payload or b"null"), "", False
        except ValueError:
            return None, "the answer is not JSON", False

    def keep_late_answer(
        self, future: Future[Any], arn: str, event: dict[str, Any], began: float
    ) -> None:
        """Record what a timed-out attempt gets once it ends (LateAnswer)."""
        contact_id = str(event["Details"]["ContactData"]["ContactId"])
        with self.lock:
            kept = self.late

        def keep(done: Future[Any]) -> None:
            try:
                reply = done.result()
                answer = reply["Payload"].read().decode(errors="replace")
                if reply.get("FunctionError"):
                    answer = f"FunctionError {reply['FunctionError']}: {answer}"
            except Exception as error:  # what the late call ended with is the record
                answer = f"{type(error).__name__}: {error}"
            late = LateAnswer(contact_id, arn, self.clock() - began, answer)
            with self.lock:
                kept.append(late)

        future.add_done_callback(keep)

    def finish(
        self,
        contact: Contact,
        flow_id: str,
        arn: str,
        outcome: str,
        tries: list[Try],
        started: float,
        error: str,
        response: dict[str, Any] | None = None,
    ) -> Invocation:
        """Record one block's run."""
        invocation = Invocation(
            contact.contact_id,
            flow_id,
            arn,
            outcome,
            len(tries),
            self.clock() - started,
            error,
            response or {},
            tuple(tries),
        )
        with self.lock:
            self.invocations.append(invocation)
        return invocation

    def invocations_of(self, contact_id: str) -> list[Invocation]:
        """The Lambda blocks run for one contact, in order."""
        with self.lock:
            return [i for i in self.invocations if i.contact_id == contact_id]

    def late_of(self, contact_id: str) -> list[LateAnswer]:
        """The late answers to one contact's timed-out attempts, as they came."""
        with self.lock:
            return [a for a in self.late if a.contact_id == contact_id]
