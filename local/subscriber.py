"""A subscriber made for the demo: an HTTP endpoint on 127.0.0.1 that SNS delivers the chat to.

It confirms its subscription with ConfirmSubscription (the token SNS posts), then records every
notification: the chat item and its message attributes.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from standins.server import LocalServer, QuietRequestHandler

CONFIRM_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Received:
    """One notification as the subscriber received it."""

    topic_arn: str
    item: dict[str, Any]
    attributes: dict[str, str]
    at: float


class Subscriber:
    """Receives a topic's notifications over HTTP; started and stopped by its owner."""

    def __init__(self, sns: Any) -> None:
        self.sns = sns
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.confirmed = threading.Event()
        self.http: LocalServer | None = None

    def start(self) -> Subscriber:
        """Serve on 127.0.0.1, on a free port, from a daemon thread."""
        owner = self

        class Handler(NotificationHandler):
            subscriber = owner

        self.http = LocalServer(Handler)
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self.http is not None:
            self.http.stop()

    @property
    def url(self) -> str:
        """The endpoint SNS posts to."""
        assert self.http is not None
        return f"http://127.0.0.1:{self.http.port}/"

    def subscribe(self, topic_arn: str, timeout_s: float = CONFIRM_TIMEOUT_S) -> None:
        """Subscribe to `topic_arn` and wait (bounded) until the subscription is confirmed."""
        self.confirmed.clear()
        self.sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=self.url)
        if not self.confirmed.wait(timeout_s):
            raise TimeoutError(f"SNS did not confirm the subscription within {timeout_s:.0f} s")

    def confirm(self, topic_arn: str, token: str) -> None:
        """Answer a SubscriptionConfirmation (from another thread than the delivery's)."""
        self.sns.confirm_subscription(TopicArn=topic_arn, Token=token)
        self.confirmed.set()

    def record(self, notification: dict[str, Any]) -> None:
        """Keep one notification."""
        attributes = {
            name: str(value.get("Value", ""))
            for name, value in notification.get("MessageAttributes", {}).items()
        }
        item = json.loads(notification["Message"])
        with self.lock:
            self.received.append(
                Received(notification["TopicArn"], item, attributes, time.monotonic())
            )

    def messages(self) -> list[Received]:
        """Every notification received so far."""
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, timeout_s: float) -> list[Received]:
        """The notifications once there are `count` (or when `timeout_s` passes)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and len(self.messages()) < count:
            time.sleep(0.05)
        return self.messages()


class NotificationHandler(QuietRequestHandler):
    """One POST from SNS."""

    subscriber: Subscriber

    def do_POST(self) -> None:
        """Confirm a subscription or record a notification; answer 200 either way."""
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
        kind = self.headers.get("x-amz-sns-message-type", body.get("Type", ""))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if kind == "SubscriptionConfirmation":
            threading.Thread(
                target=self.subscriber.confirm,
                args=(body["TopicArn"], body["Token"]),
                daemon=True,
            ).start()
        elif kind == "Notification":
            self.subscriber.record(body)
