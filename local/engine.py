"""The local CloudFormation engine: ministack in its own environment, serving TLS on 127.0.0.1.

crhelper answers CloudFormation over HTTPS only, so the engine serves TLS with a certificate from
a local `trustme` CA. The engine starts from a clean environment: its Lambdas inherit it, so it
names that CA (SSL_CERT_FILE and friends), the secret and session token they sign with, and the
endpoints they call (the engine itself, and the local Connect).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import trustme
from botocore.config import Config
from botocore.credentials import Credentials

from local.world import CREDENTIALS, ENGINE_PYTHON, REGION

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
HEALTH_PATH = "/_ministack/health"
# ministack's app with the engine's own AWS::Connect::IntegrationAssociation handler registered.
ENGINE_APP = Path(__file__).resolve().parent / "engine_plugin" / "connect_resources.py"
# Bounded clients: a wrong endpoint fails in seconds, not after botocore's default 60 s reads.
CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"total_max_attempts": 2})


class EngineError(Exception):
    """The engine did not start, or is not usable as configured; the message says what to fix."""


@dataclass(frozen=True)
class Tls:
    """A CA and the engine's certificate (for 127.0.0.1 and localhost), as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def create(cls, folder: Path) -> Tls:
        """Issue a fresh CA and server certificate into `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA()
        leaf = ca.issue_cert("127.0.0.1", "localhost")
        tls = cls(folder / "ca.pem", folder / "server.pem", folder / "server.key")
        ca.cert_pem.write_to_path(str(tls.ca_file))
        leaf.private_key_pem.write_to_path(str(tls.key_file))
        tls.cert_file.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        return tls


def free_port() -> int:
    """A port nothing listens on at 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class EngineSettings:
    """Where the engine listens and what its Lambdas are told."""

    folder: Path
    port: int
    tls: Tls
    connect_url: str
    credentials: Credentials = CREDENTIALS

    @property
    def url(self) -> str:
        """The engine's endpoint (every service)."""
        return f"https://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The engine's whole environment, which every Lambda it runs inherits."""
        ca = str(self.tls.ca_file)
        return {
            "PATH": f"{ENGINE_PYTHON.parent}{os.pathsep}/usr/bin:/bin",
            "HOME": os.environ.get("HOME", str(self.folder)),
            "LANG": "C.UTF-8",
            "TMPDIR": str(self.folder / "tmp"),
            "GATEWAY_PORT": str(self.port),
            "MINISTACK_REGION": REGION,
            "USE_SSL": "1",
            "MINISTACK_SSL_CERT": str(self.tls.cert_file),
            "MINISTACK_SSL_KEY": str(self.tls.key_file),
            # Lambdas answer CloudFormation at https://localhost:<port>: they must trust the CA.
            "SSL_CERT_FILE": ca,
            "AWS_CA_BUNDLE": ca,
            "REQUESTS_CA_BUNDLE": ca,
            # What Lambdas sign with (ministack sets their access key id to the account id).
            "AWS_SECRET_ACCESS_KEY": self.credentials.secret_key,
            "AWS_SESSION_TOKEN": str(self.credentials.token),
            # Lambdas call the engine (CloudFormation, ...) and the local Connect.
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ENDPOINT_URL_CONNECT": self.connect_url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def lambda_env(self, account: str) -> dict[str, str]:
        """The environment a Lambda of `account` gets from the engine."""
        return {
            **self.env(),
            "AWS_ACCESS_KEY_ID": account,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }

    def client_env(self) -> dict[str, str]:
        """What to export so the `cdk` CLI and AWS SDKs use the engine."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_CA_BUNDLE": str(self.tls.ca_file),
            "AWS_ACCESS_KEY_ID": self.credentials.access_key,
            "AWS_SECRET_ACCESS_KEY": self.credentials.secret_key,
            "AWS_SESSION_TOKEN": str(self.credentials.token),
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(
        self, service: str, config: Config = CLIENT_CONFIG, endpoint_url: str | None = None
    ) -> Any:
        """A bounded boto3 client for `service`, trusting the engine's CA.

        Of the engine, or of `endpoint_url` (the local Connect's), with the engine's credentials.
        """
        session: Any = boto3.session.Session()  # any service: the stubs type each one apart
        return session.client(
            service,
            region_name=REGION,
            endpoint_url=endpoint_url or self.url,
            verify=str(self.tls.ca_file),
            aws_access_key_id=self.credentials.access_key,
            aws_secret_access_key=self.credentials.secret_key,
            aws_session_token=self.credentials.token,
            config=config,
        )


class Engine:
    """One ministack process, started and stopped (by PID, with its process group) by its owner."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self.log_file = settings.folder / "engine.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = READY_TIMEOUT_S) -> Engine:
        """Start ministack and return once it answers over TLS (or raise EngineError)."""
        if not ENGINE_PYTHON.exists():
            raise EngineError(f"no engine environment at {ENGINE_PYTHON}: run `make engine`")
        (self.settings.folder / "tmp").mkdir(parents=True, exist_ok=True)
        tls = self.settings.tls
        command = [
            str(ENGINE_PYTHON),
            "-m",
            "hypercorn",  # as ministack's own detached mode runs it; binds our port only
            f"{ENGINE_APP}:app",
            "--bind",
            f"127.0.0.1:{self.settings.port}",
            "--certfile",
            str(tls.cert_file),
            "--keyfile",
            str(tls.key_file),
            "--keep-alive",
            "75",
        ]
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command, our own venv
                command,
                env=self.settings.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.wait_ready(timeout_s)
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def pid(self) -> int:
        """The engine's PID (also its process group id)."""
        assert self.process is not None
        return self.process.pid

    def wait_ready(self, timeout_s: float) -> None:
        """Poll the health endpoint over verified TLS until it answers, the engine dies, or time."""
        context = ssl.create_default_context(cafile=str(self.settings.tls.ca_file))
        deadline = time.monotonic() + timeout_s
        last = ""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EngineError(f"the engine exited ({self.process.returncode}): {self.tail()}")
            try:
                with urllib.request.urlopen(  # noqa: S310 - our https URL
                    self.settings.url + HEALTH_PATH, timeout=1, context=context
                ) as answer:
                    if answer.status == 200:
                        return
            except OSError as error:
                last = str(error)
            time.sleep(0.2)
        raise EngineError(
            f"the engine did not answer at {self.settings.url} within {timeout_s:.0f} s "
            f"({last}); its log: {self.log_file}"
        )

    def tail(self, lines: int = 8) -> str:
        """The last lines of the engine's log."""
        try:
            return " | ".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the engine's process group: SIGTERM, then SIGKILL after a bounded wait.

        Not `stop_group`: the engine is our child, and until we reap it (wait) its group looks
        alive to a signal 0, so stop_group would wait out both of its timeouts.
        """
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)  # hypercorn's worker is in the group too
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever of the group outlived it


def stop_group(pid: int, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM the process group led by `pid`; SIGKILL it if still there after `timeout_s`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
