"""A local CloudFormation response endpoint: the pre-signed S3 URL a custom resource answers to.

It serves HTTPS (crhelper answers over HTTPS only) with a certificate from a `trustme` CA; point
SSL_CERT_FILE at `ca_file` so Python's default SSL context trusts it. Every PUT is recorded; the
first `drop_first` connections are closed after the request is read, without an answer.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import trustme

from standins.aws import REGION
from standins.server import LocalServer, QuietRequestHandler

CFN_BODY_LIMIT = 4096
PHYSICAL_ID_LIMIT = 1024
# crhelper truncates a longer Reason from the front, losing the part that names the cause.
REASON_LIMIT = 256


@dataclass(frozen=True)
class Put:
    """One response as the endpoint received it."""

    path: str
    query: str
    body: dict[str, Any]
    size: int
    at: float


class ResponseEndpoint:
    """HTTPS server recording CloudFormation custom resource responses."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        self.folder = Path(tempfile.mkdtemp(prefix="cfn-standin-"))
        self.ca_file = self.folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.lock = threading.Lock()
        self.http: LocalServer | None = None
        self.reset()

    def reset(self, drop_first: int = 0) -> None:
        """Forget recorded responses; drop the next `drop_first` connections."""
        with self.lock:
            self.puts: list[Put] = []
            self.dropped: list[Put] = []
            self.drop_left = drop_first

    def start(self) -> ResponseEndpoint:
        """Serve HTTPS on 127.0.0.1 from a daemon thread."""
        endpoint = self

        class Handler(ResponseRequestHandler):
            owner = endpoint

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1").configure_cert(context)
        self.http = LocalServer(Handler, tls=context)
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and remove the CA's folder."""
        if self.http is not None:
            self.http.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        assert self.http is not None
        return self.http.port

    def response_url(self, stack_id: str, logical_id: str, request_id: str) -> str:
        """A ResponseURL shaped like CloudFormation's pre-signed S3 URL, pointing here."""
        key = quote(f"{stack_id}|{logical_id}|{request_id}", safe="")
        signature = uuid.uuid4().hex + uuid.uuid4().hex
        query = (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20250101T000000Z&X-Amz-SignedHeaders=host"
            f"&X-Amz-Expires=7199&X-Amz-Credential=AKIA6EXAMPLE5CFNRESP%2F20250101%2F"
            f"{REGION}%2Fs3%2Faws4_request&X-Amz-Signature={signature}"
        )
        return f"https://127.0.0.1:{self.port}/{key}?{query}"

    def wait_for(self, count: int, timeout: float) -> list[Put]:
        """The recorded responses once there are `count` (or when `timeout` seconds pass)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.puts) >= count:
                    return list(self.puts)
            time.sleep(0.02)
        with self.lock:
            return list(self.puts)

    def received(self) -> list[Put]:
        """The responses recorded so far."""
        with self.lock:
            return list(self.puts)

    def receive(self, put: Put) -> bool:
        """Record a PUT; False when this connection is to be dropped instead."""
        with self.lock:
            if self.drop_left > 0:
                self.drop_left -= 1
                self.dropped.append(put)
                return False
            self.puts.append(put)
            return True


class ResponseRequestHandler(QuietRequestHandler):
    """One PUT of a custom resource response."""

    owner: ResponseEndpoint

    def do_PUT(self) -> None:
        """Record the response body; answer 200 as S3 does, or drop the connection."""
        raw = self.rfile.read(int(self.headers.get("content-length", "0")))
        parts = urlsplit(self.path)
        put = Put(parts.path, parts.query, json.loads(raw), len(raw), time.monotonic())
        if not self.owner.receive(put):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
