"""The acceptance scenario, step by step, with the clean-up of everything it created.

Each thing the run creates registers its clean-up before it is created (a stack half created by
an interrupted CLI is still deleted); `Run.clean` undoes them in reverse order, on success, on
failure and on Ctrl-C alike.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from acceptance import checks
from acceptance.cdk import CdkRun, cdk
from acceptance.delivery import Sent, check_delivery, receive
from acceptance.names import (
    APP_STACK_PREFIX,
    CONSUMER_STACK_CONTEXT,
    CONSUMER_STACK_PREFIX,
    FLOW_FUNCTION_NAME,
    FLOW_STACK_CONTEXT,
    FLOW_STACK_PREFIX,
    INSTANCE_CONTEXT,
)
from acceptance.report import Report
from acceptance.signals import held

STACK_WAIT_S = 1800.0
# On AWS the flow runs beside the customer's side: connecting waits (bounded) for its stream.
CONNECT_RETRY_S = 2.0
SETTLED = ("REVIEW_IN_PROGRESS", "DELETE_IN_PROGRESS")


class StepError(Exception):
    """A step did not do what it should; the message says what happened."""


def describe(error: Exception) -> str:
    """An error as the run prints it: its message, named by its type unless the run expects it."""
    if isinstance(error, BotoCoreError | ClientError | StepError):
        return str(error)
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class Options:
    """What the user gives, and the run's bounds."""

    instance_id: str
    contact_flow_id: str
    run_id: str
    messages: int = 3
    after_destroy: int = 2
    wait_s: float = 60.0
    quiet_s: float = 20.0
    streaming_flow_id: str = ""

    @property
    def app_stack(self) -> str:
        """The app's stack name in this run (never the user's ContactStreamingStack)."""
        return f"{APP_STACK_PREFIX}{self.run_id}"

    @property
    def consumer_stack(self) -> str:
        """The consumer's stack name in this run."""
        return f"{CONSUMER_STACK_PREFIX}{self.run_id}"

    @property
    def flow_stack(self) -> str:
        """The flow scenario's stack name in this run."""
        return f"{FLOW_STACK_PREFIX}{self.run_id}"


@dataclass
class Clients:
    """The boto3 clients of the run, all from one session with the SDK's standard settings."""

    session: Any
    sts: Any
    cloudformation: Any
    ssm: Any
    connect: Any
    participant: Any
    sqs: Any
    logs: Any


@dataclass
class Chat:
    """The customer's side of the chat (tokens live here only, never printed)."""

    contact_id: str = ""
    participant_id: str = ""
    participant_token: str = ""
    connection_token: str = ""
    sent: list[Sent] = field(default_factory=list)


class Run:
    """One acceptance run."""

    def __init__(self, options: Options, clients: Clients, report: Report) -> None:
        self.options = options
        self.clients = clients
        self.report = report
        self.folder = Path(tempfile.mkdtemp(prefix="contact-streaming-acceptance-"))
        self.undo: list[tuple[str, Callable[[], None]]] = []
        self.chat = Chat()
        self.account = ""
        self.region = ""
        self.queue_url = ""
        self.topic_arn = ""
        self.flow_chat = Chat()
        self.flow_queue_url = ""

    # --- the steps ---------------------------------------------------------------------------
    def preflight(self) -> None:
        """Refuse within seconds when something the run needs is missing."""
        clients = self.clients
        checks.check_cli()
        try:
            self.region = checks.check_region(clients.session)
            self.account = checks.check_credentials(clients.session, clients.sts)
            version = checks.check_bootstrap(
                clients.cloudformation, clients.ssm, self.account, self.region
            )
            checks.check_instance(clients.connect, self.options.instance_id, self.region)
            flow = checks.check_flow(
                clients.connect, self.options.instance_id, self.options.contact_flow_id
            )
            if self.options.streaming_flow_id:
                self.check_streaming_flow()
        except BotoCoreError as error:
            raise checks.unreachable(error) from error
        self.report.mark(
            f"preflight passed: account {self.account}, region {self.region}, bootstrap "
            f"version {version}, instance {self.options.instance_id}, flow {flow!r}"
        )

    def check_streaming_flow(self) -> None:
        """The streaming flow is a published chat flow that invokes the run's flow function."""
        connect, flow_id = self.clients.connect, self.options.streaming_flow_id
        checks.check_flow(connect, self.options.instance_id, flow_id)
        arn = checks.flow_function_arn(
            self.clients.session, self.account, self.region, FLOW_FUNCTION_NAME
        )
        checks.check_flow_invokes(connect, self.options.instance_id, flow_id, arn)

    def play(self) -> None:
        """Every step after the preflight."""
        self.deploy_consumer()
        self.start_chat()
        self.deploy_app()
        self.connect_customer()
        self.send_and_receive()
        self.destroy_app()
        self.send_after_destroy()
        self.disconnect()
        self.destroy_consumer()
        if self.options.streaming_flow_id:
            self.play_flow()

    def play_flow(self) -> None:
        """The flow scenario: a chat the widget's way, streamed by the flow's function."""
        self.deploy_flow_app()
        self.start_flow_chat()
        self.connect_flow_customer()
        self.send_and_receive_on_flow()
        self.end_chat(self.flow_chat)
        self.forget("end the flow's chat")
        self.report.mark("DisconnectParticipant: the flow's chat ended")
        name = self.options.flow_stack
        run = self.cli("destroy", name, "--app", str(self.folder / "flow.out"), "--force")
        self.forget(f"delete stack {name}")
        self.report.mark(f"cdk destroy {name} done ({run.seconds:.1f} s)")

    def deploy_flow_app(self) -> None:
        """The flow app: an endpoint, the FlowStreaming function (associated), a queue."""
        name = self.options.flow_stack
        self.undo.append((f"delete stack {name}", lambda: self.delete_stack(name, logs=True)))
        run, written = self.deploy(
            name,
            "flow",
            "--app",
            f"{shlex.quote(sys.executable)} -m acceptance.flow_app",
            "-c",
            f"{FLOW_STACK_CONTEXT}={name}",
            "-c",
            f"{INSTANCE_CONTEXT}={self.options.instance_id}",
        )
        self.flow_queue_url = written["QueueUrl"]
        self.report.mark(
            f"cdk deploy {name} done ({run.seconds:.1f} s): function {written['FunctionArn']}, "
            f"topic {written['TopicArn']}"
        )

    def start_flow_chat(self) -> None:
        """StartChatContact on the streaming flow as the chat widget calls it (no streaming)."""
        self.undo.append(("end the flow's chat", lambda: self.end_chat(self.flow_chat)))
        with held():
            self.flow_chat = self.started_chat(
                self.clients.connect.start_chat_contact(
                    InstanceId=self.options.instance_id,
                    ContactFlowId=self.options.streaming_flow_id,
                    ParticipantDetails={"DisplayName": "Acceptance customer"},
                    ClientToken=f"acceptance-flow-{self.options.run_id}",
                    ChatDurationInMinutes=60,
                )
            )
        self.report.mark(
            f"StartChatContact on the streaming flow: chat contact {self.flow_chat.contact_id}"
        )

    def connect_flow_customer(self) -> None:
        """The customer connects once the flow has run (retried within --wait seconds)."""
        deadline = time.monotonic() + self.options.wait_s
        while True:
            try:
                self.connect_customer(self.flow_chat, "the flow chat's customer")
                return
            except ClientError:
                if time.monotonic() + CONNECT_RETRY_S > deadline:
                    raise
            time.sleep(CONNECT_RETRY_S)

    def send_and_receive_on_flow(self) -> None:
        """K messages in the flow's chat; all K reach the flow app's queue, in order."""
        count = self.options.messages
        sent = [
            self.say(
                f"acceptance {self.options.run_id}: flow message {i} of {count}", self.flow_chat
            )
            for i in range(1, count + 1)
        ]
        got = receive(self.clients.sqs, self.flow_queue_url, count, self.options.wait_s)
        attributes = {**self.expected_attributes(), "ContactId": self.flow_chat.contact_id}
        attributes["InitialContactId"] = self.flow_chat.contact_id
        problems = check_delivery(got, sent, attributes, self.flow_chat.participant_id)
        for delivery in got:
            self.report.say(f"           {delivery.describe()}")
        if problems:
            raise StepError("the flow's chat: " + "; ".join(problems))
        self.report.mark(
            f"{count} of {count} flow chat messages on the queue, in order, streamed by the "
            "flow's function"
        )

    def deploy_consumer(self) -> None:
        """The consumer's stack: the topic for the instance, the queue, the subscription."""
        name = self.options.consumer_stack
        self.undo.append((f"delete stack {name}", lambda: self.delete_stack(name)))
        run, written = self.deploy(
            name,
            "consumer",
            "--app",
            f"{shlex.quote(sys.executable)} -m acceptance.consumer",
            "-c",
            f"{CONSUMER_STACK_CONTEXT}={name}",
            "-c",
            f"{INSTANCE_CONTEXT}={self.options.instance_id}",
        )
        self.topic_arn, self.queue_url = written["TopicArn"], written["QueueUrl"]
        self.report.mark(
            f"cdk deploy {name} done ({run.seconds:.1f} s): topic {self.topic_arn}, "
            f"queue {self.queue_url}, filter policy {written['FilterPolicy']}"
        )

    def start_chat(self) -> None:
        """StartChatContact on the user's flow, as a customer's chat client would."""
        self.undo.append(("end the chat", lambda: self.end_chat(self.chat)))
        # A Ctrl-C while Connect answers waits for the answer, so the clean-up knows the chat.
        with held():
            self.chat = self.started_chat(
                self.clients.connect.start_chat_contact(
                    InstanceId=self.options.instance_id,
                    ContactFlowId=self.options.contact_flow_id,
                    ParticipantDetails={"DisplayName": "Acceptance customer"},
                    ClientToken=f"acceptance-{self.options.run_id}",
                    ChatDurationInMinutes=60,
                )
            )
        self.report.mark(f"StartChatContact: chat contact {self.chat.contact_id} started")

    def started_chat(self, answer: dict[str, Any]) -> Chat:
        """The chat from StartChatContact's answer (its token kept as a secret)."""
        return Chat(
            contact_id=answer["ContactId"],
            participant_id=answer["ParticipantId"],
            participant_token=self.report.secret(answer["ParticipantToken"]),
        )

    def deploy_app(self) -> None:
        """`cdk deploy` of the app (app.py), under the run's stack name, on the chat's contact."""
        name = self.options.app_stack
        self.undo.append((f"delete stack {name}", lambda: self.delete_stack(name, logs=True)))
        run, written = self.deploy(
            name,
            "app",
            "-c",
            f"stackName={name}",
            "-c",
            f"existingTopicArn={self.topic_arn}",
            "--parameters",
            f"InstanceId={self.options.instance_id}",
            "--parameters",
            f"ContactId={self.chat.contact_id}",
        )
        if written.get("TopicArn") != self.topic_arn:
            raise StepError(f"the app streams to {written.get('TopicArn')}, not the consumer's")
        self.report.mark(
            f"cdk deploy {name} done ({run.seconds:.1f} s): StreamingId {written['StreamingId']}"
        )

    def connect_customer(self, chat: Chat | None = None, who: str = "the customer") -> None:
        """CreateParticipantConnection with the participant token, as the customer connected."""
        chat = chat or self.chat
        answer = self.clients.participant.create_participant_connection(
            ParticipantToken=chat.participant_token,
            Type=["CONNECTION_CREDENTIALS"],
            ConnectParticipant=True,
        )
        token = answer["ConnectionCredentials"]["ConnectionToken"]
        chat.connection_token = self.report.secret(token)
        self.report.mark(f"CreateParticipantConnection: {who} is connected")

    def say(self, text: str, chat: Chat | None = None) -> Sent:
        """The customer sends one message (ConnectParticipant SendMessage)."""
        chat = chat or self.chat
        answer = self.clients.participant.send_message(
            ConnectionToken=chat.connection_token, ContentType="text/plain", Content=text
        )
        sent = Sent(answer["Id"], str(answer["AbsoluteTime"]), text)
        chat.sent.append(sent)
        return sent

    def send_and_receive(self) -> None:
        """K messages; all K reach the queue with Connect's payload and attributes, in order."""
        count = self.options.messages
        sent = [
            self.say(f"acceptance {self.options.run_id}: message {i} of {count}")
            for i in range(1, count + 1)
        ]
        self.report.mark(f"SendMessage x {count}: sent")
        got = receive(self.clients.sqs, self.queue_url, count, self.options.wait_s)
        problems = check_delivery(got, sent, self.expected_attributes(), self.chat.participant_id)
        for delivery in got:
            self.report.say(f"           {delivery.describe()}")
        if problems:
            raise StepError("; ".join(problems))
        self.report.mark(
            f"{count} of {count} messages on the queue, in order, with Connect's payload "
            f"and attributes (last after {got[-1].at - sent[0].at_monotonic:.1f} s)"
        )

    def expected_attributes(self) -> dict[str, str]:
        """The message attributes every customer message must carry."""
        return {
            "ContactId": self.chat.contact_id,
            "InitialContactId": self.chat.contact_id,
            "InstanceId": self.options.instance_id,
            "AccountId": self.account,
            "ParticipantRole": "CUSTOMER",
            "Type": "MESSAGE",
            "ContentType": "text/plain",
        }

    def destroy_app(self) -> None:
        """`cdk destroy` of the app (StopContactStreaming), then its retained log group."""
        name = self.options.app_stack
        group = self.log_group(name)
        run = self.cli("destroy", name, "--app", str(self.folder / "app.out"), "--force")
        self.forget(f"delete stack {name}")
        self.delete_log_group(group)
        self.report.mark(f"cdk destroy {name} done ({run.seconds:.1f} s); log group deleted")

    def send_after_destroy(self) -> None:
        """More messages after destroy: none may reach the queue within the quiet wait."""
        count = self.options.after_destroy
        for i in range(1, count + 1):
            self.say(f"acceptance {self.options.run_id}: after destroy {i} of {count}")
        got = receive(self.clients.sqs, self.queue_url, 1, self.options.quiet_s)
        if got:
            raise StepError(f"{len(got)} messages reached the queue after destroy")
        self.report.mark(
            f"SendMessage x {count} after destroy: 0 on the queue in {self.options.quiet_s:.0f} s"
        )

    def disconnect(self) -> None:
        """The customer leaves (DisconnectParticipant): the chat ends."""
        self.end_chat()
        self.forget("end the chat")
        self.report.mark("DisconnectParticipant: the customer left, the chat ended")

    def destroy_consumer(self) -> None:
        """`cdk destroy` of the consumer's stack."""
        name = self.options.consumer_stack
        run = self.cli("destroy", name, "--app", str(self.folder / "consumer.out"), "--force")
        self.forget(f"delete stack {name}")
        self.report.mark(f"cdk destroy {name} done ({run.seconds:.1f} s)")

    # --- helpers -----------------------------------------------------------------------------
    def deploy(self, name: str, kind: str, *args: str) -> tuple[CdkRun, dict[str, str]]:
        """`cdk deploy` of stack `name` (its assembly in `<kind>.out`); the run and its outputs."""
        outputs = self.folder / f"{kind}.json"
        run = self.cli(
            "deploy",
            name,
            *args,
            "--output",
            str(self.folder / f"{kind}.out"),
            "--outputs-file",
            str(outputs),
            "--require-approval",
            "never",
        )
        written: dict[str, str] = json.loads(outputs.read_text())[name]
        return run, written

    def cli(self, *args: str) -> CdkRun:
        """One bounded CLI run, recorded."""
        self.report.mark(f"cdk {args[0]} {args[1]} ...")
        run = cdk(list(args))
        self.report.cli.append(f"cdk {args[0]} {args[1]}  ({run.seconds:.1f} s)")
        return run

    def forget(self, label: str) -> None:
        """Drop a clean-up that the scenario itself did."""
        self.undo = [(name, action) for name, action in self.undo if name != label]

    def end_chat(self, chat: Chat | None = None) -> None:
        """Disconnect the customer (connecting first if it never did): the chat ends."""
        participant = self.clients.participant
        chat = chat or self.chat
        if not chat.contact_id:
            return
        if not chat.connection_token:
            answer = participant.create_participant_connection(
                ParticipantToken=chat.participant_token, Type=["CONNECTION_CREDENTIALS"]
            )
            token = answer["ConnectionCredentials"]["ConnectionToken"]
            chat.connection_token = self.report.secret(token)
        participant.disconnect_participant(ConnectionToken=chat.connection_token)

    def log_group(self, stack: str) -> str:
        """The app's provider log group (CDK retains it on destroy), or ""."""
        try:
            resources = self.clients.cloudformation.describe_stack_resources(StackName=stack)
        except ClientError:
            return ""
        for resource in resources["StackResources"]:
            if resource["ResourceType"] == "AWS::Logs::LogGroup":
                return str(resource.get("PhysicalResourceId", ""))
        return ""

    def delete_log_group(self, group: str) -> None:
        """Delete a log group the run's stack left behind (gone already is fine)."""
        if not group:
            return
        logs = self.clients.logs
        try:
            logs.delete_log_group(logGroupName=group)
        except logs.exceptions.ResourceNotFoundException:
            return

    def stack_status(self, name: str) -> str:
        """A stack's status, or "GONE"."""
        try:
            (stack,) = self.clients.cloudformation.describe_stacks(StackName=name)["Stacks"]
        except ClientError as error:
            if "does not exist" in str(error):
                return "GONE"
            raise
        return str(stack["StackStatus"])

    def delete_stack(self, name: str, logs: bool = False) -> None:
        """Clean-up: wait out an operation in progress, delete the stack, wait until it is gone."""
        deadline = time.monotonic() + STACK_WAIT_S
        status = self.stack_status(name)
        # A change set the interrupted CLI never executed (REVIEW_IN_PROGRESS) will not move.
        while status.endswith("_IN_PROGRESS") and status not in SETTLED:
            if time.monotonic() > deadline:
                raise StepError(f"{name} stayed {status}")
            time.sleep(2)
            status = self.stack_status(name)
        if status in ("GONE", "DELETE_COMPLETE"):
            return
        group = self.log_group(name) if logs else ""
        self.clients.cloudformation.delete_stack(StackName=name)
        while (status := self.stack_status(name)) not in ("GONE", "DELETE_COMPLETE"):
            if status == "DELETE_FAILED" or time.monotonic() > deadline:
                raise StepError(f"{name} is {status}: delete it in the CloudFormation console")
            time.sleep(2)
        self.delete_log_group(group)

    def clean(self) -> list[str]:
        """Undo what is left, newest first; what could not be undone.

        A step that fails in any way is recorded and the steps after it still run.
        """
        left = []
        for label, action in reversed(self.undo):
            try:
                action()
                self.report.mark(f"clean-up: {label}")
            except Exception as error:
                left.append(f"{label}: {self.report.scrub(describe(error))}")
        self.undo = []
        shutil.rmtree(self.folder, ignore_errors=True)
        return left
