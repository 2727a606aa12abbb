"""What both stand-ins share: a quiet HTTP/1.1 request handler, and a server on a daemon thread."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How often serve_forever looks for a shutdown: stop() waits up to this long (the default is 0.5 s).
SHUTDOWN_POLL_S = 0.02


class QuietRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as AWS clients use it, and no access log on stderr."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle and delayed ACK add 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class LocalServer:
    """A threading HTTP(S) server on 127.0.0.1, on a free port, served from a daemon thread."""

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None
    ) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self.server.server_address[1])

    def stop(self) -> None:
        """Stop serving, close the socket, and wait (bounded) for the thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
