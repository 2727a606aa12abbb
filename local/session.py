"""One local session: the local Connect (in this process) and the engine (a child process).

Started in order (Connect first: the engine's Lambdas are told its URL), checked by the
preflight, and stopped in reverse order by whoever started them, also on failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.config import Config

from local.engine import CLIENT_CONFIG, Engine, EngineSettings, Tls, free_port
from local.preflight import preflight
from local.world import CONTACT_FLOW_ID, CREDENTIALS, INSTANCE_ID, REGION
from standins.connect import ConnectStandIn
from standins.flows import TOTAL_LIMIT_S

FLOW_LAMBDA_CONFIG = Config(
    connect_timeout=2, read_timeout=TOTAL_LIMIT_S, retries={"total_max_attempts": 1}
)


@dataclass
class Session:
    """The running pieces: the local Connect, the engine and its settings."""

    connect: ConnectStandIn
    engine: Engine

    @property
    def settings(self) -> EngineSettings:
        """The engine's settings (URL, CA, what to export)."""
        return self.engine.settings

    @property
    def participant_url(self) -> str:
        """The local Connect's participant service endpoint."""
        return self.connect.start_participant_service().url

    def sdk_env(self) -> dict[str, str]:
        """What to export so any AWS SDK (or the CLI) uses the engine and the local Connect."""
        return {
            **self.settings.client_env(),
            "AWS_ENDPOINT_URL_CONNECT": self.connect.url,
            "AWS_ENDPOINT_URL_CONNECTPARTICIPANT": self.participant_url,
        }

    def client(self, service: str) -> Any:
        """A bounded boto3 client of the engine."""
        return self.settings.client(service)

    def connect_client(self, config: Config = CLIENT_CONFIG) -> Any:
        """A boto3 `connect` client of the local Connect."""
        return self.settings.client("connect", config, endpoint_url=self.connect.url)

    def participant_client(self) -> Any:
        """A boto3 `connectparticipant` client of the local Connect's participant service."""
        return self.settings.client("connectparticipant", endpoint_url=self.participant_url)


@contextmanager
def running_session(folder: Path) -> Iterator[Session]:
    """Start the local Connect and the engine under `folder`, check them, stop both at the end."""
    connect = ConnectStandIn(REGION, credentials=CREDENTIALS).start()
    connect.add_instance(INSTANCE_ID, CONTACT_FLOW_ID)
    connect.start_participant_service()
    try:
        settings = EngineSettings(folder, free_port(), Tls.create(folder / "tls"), connect.url)
        engine = Engine(settings).start()
        try:
            preflight(settings)
            # The local Connect streams chats through the engine's SNS, as Connect does.
            connect.publish_with(settings.client("sns"))
            # Flows invoke Lambdas on the engine; the flow runner retries and times them itself.
            connect.invoke_with(settings.client("lambda", FLOW_LAMBDA_CONFIG))
            yield Session(connect, engine)
        finally:
            engine.stop()
    finally:
        connect.stop()
