"""A production caller: a contact centre backend starting streaming for one new chat a second.

Like Connect's own message-streaming examples, it calls StartContactStreaming right after each new
chat contact starts (here: a fresh ACTIVE contact added to the stand-in), with boto3's standard
retries (3 attempts). It signs with the same fake account as the stack (the quotas are per
account) and names itself in the User-Agent (`app/live-chat`, as botocore writes an app id), so
the stand-in can tell its calls apart.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from standins.aws import ACCESS_KEY, REGION, SECRET_KEY, SESSION_TOKEN
from standins.connect import ConnectStandIn

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient

LIVE_CHAT = "live-chat"
INSTANCE_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
TOPIC_ARN = f"arn:aws:sns:{REGION}:123456789012:live-chat-messages"
# Calls run on their own threads so a slow, retried call never delays the next chat.
MAX_CALLS_IN_FLIGHT = 16
STOP_WAIT_S = 30.0


@dataclass(frozen=True)
class LiveChatFigures:
    """What the caller saw: calls made, attempts throttled, calls lost after retries."""

    made: int
    throttled: int
    lost: int
    errors: tuple[str, ...]


class LiveChatCaller:
    """A thread that starts one stream per `interval_s` until stopped, counting what happens."""

    def __init__(
        self, connect: ConnectStandIn, *, interval_s: float = 1.0, max_attempts: int = 3
    ) -> None:
        self.connect = connect
        self.interval_s = interval_s
        self.lock = threading.Lock()
        self.made = self.throttled = self.lost = 0
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.client = self.new_client(max_attempts)
        self.pool = ThreadPoolExecutor(MAX_CALLS_IN_FLIGHT, thread_name_prefix=LIVE_CHAT)
        self.futures: list[Future[None]] = []
        self.thread = threading.Thread(target=self.run, name=LIVE_CHAT, daemon=True)

    def new_client(self, max_attempts: int) -> ConnectClient:
        """A Connect client as the backend would build it: standard retries, its own app id."""
        session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            aws_session_token=SESSION_TOKEN,
            region_name=REGION,
        )
        config = Config(
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            user_agent_extra=f"app/{LIVE_CHAT}",
            connect_timeout=2,
            read_timeout=5,
            max_pool_connections=MAX_CALLS_IN_FLIGHT,
        )
        client = session.client("connect", endpoint_url=self.connect.url, config=config)
        client.meta.events.register("needs-retry.connect", self.count_attempt)
        return client

    def count_attempt(self, response: Any = None, **_kwargs: Any) -> None:
        """Botocore hook after every attempt: count the throttled ones."""
        if response is not None and response[0].status_code == 429:
            with self.lock:
                self.throttled += 1

    def start(self) -> LiveChatCaller:
        """Start calling, one chat per interval, from now."""
        self.thread.start()
        return self

    def run(self) -> None:
        """Submit one call per interval, on a fixed schedule, until stopped."""
        started = time.monotonic()
        tick = 0
        while not self.stopping.wait(max(0.0, started + tick * self.interval_s - time.monotonic())):
            self.futures.append(self.pool.submit(self.one_chat))
            tick += 1

    def one_chat(self) -> None:
        """A new chat contact starts; stream it, as the backend does."""
        contact_id = str(uuid.uuid4())
        self.connect.add_contact(INSTANCE_ID, contact_id)
        with self.lock:
            self.made += 1
        try:
            self.client.start_contact_streaming(
                InstanceId=INSTANCE_ID,
                ContactId=contact_id,
                ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC_ARN},
                ClientToken=str(uuid.uuid4()),
            )
        except (ClientError, BotoCoreError) as error:
            with self.lock:
                self.lost += 1
                self.errors.append(str(error))

    def stop(self) -> LiveChatFigures:
        """Stop making calls, wait (bounded) for those under way, and return the figures."""
        self.stopping.set()
        self.thread.join(timeout=STOP_WAIT_S)
        deadline = time.monotonic() + STOP_WAIT_S
        for future in self.futures:
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                break
        self.pool.shutdown(wait=False, cancel_futures=True)
        return self.figures()

    def figures(self) -> LiveChatFigures:
        """The counts so far."""
        with self.lock:
            return LiveChatFigures(self.made, self.throttled, self.lost, tuple(self.errors))
