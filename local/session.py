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

from local.engine import Engine, EngineSettings, Tls, free_port
from local.preflight import preflight
from local.world import CREDENTIALS, REGION
from standins.connect import ConnectStandIn


@dataclass
class Session:
    """The running pieces: the local Connect, the engine and its settings."""

    connect: ConnectStandIn
    engine: Engine

    @property
    def settings(self) -> EngineSettings:
        """The engine's settings (URL, CA, what to export)."""
        return self.engine.settings

    def client(self, service: str) -> Any:
        """A bounded boto3 client of the engine."""
        return self.settings.client(service)


@contextmanager
def running_session(folder: Path) -> Iterator[Session]:
    """Start the local Connect and the engine under `folder`, check them, stop both at the end."""
    connect = ConnectStandIn(REGION, credentials=CREDENTIALS).start()
    try:
        settings = EngineSettings(folder, free_port(), Tls.create(folder / "tls"), connect.url)
        engine = Engine(settings).start()
        try:
            preflight(settings)
            yield Session(connect, engine)
        finally:
            engine.stop()
    finally:
        connect.stop()
