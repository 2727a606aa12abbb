r"""Lambda sandboxes for one function: a fork server imports the handler once, then forks them.

Usage: `python -m standins.sandbox MODULE.FUNCTION CONTROL_FD`, with the function's code
folder first on PYTHONPATH (then the repository root) and the function's environment set, so the
handler is imported as Lambda imports it. CONTROL_FD is an inherited Unix socket to the engine.

The server says b"ready\n" once the handler is imported. For each b"f" the engine sends with one
file descriptor (a socket for the new sandbox), it forks a single-threaded child that serves on
that socket and answers b"<pid>\n". A child reads one JSON line per invocation
({"event": ..., "timeout_s": ...}), runs the handler with a LambdaContext of that timeout, and
answers b"done\n" (or b"error <what>\n" if the handler raised); it keeps its module-level state
between invocations, as a warm sandbox does, and exits when its socket closes. Children share the
server's imported modules copy-on-write, so hundreds fit in memory.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

from standins.aws import LambdaContext

Handler = Callable[[dict[str, Any], Any], Any]


def load_handler(path: str) -> Handler:
    """Import `module.function` as Lambda does from the function's Handler setting."""
    module_name, function_name = path.rsplit(".", 1)
    function: Handler = getattr(importlib.import_module(module_name), function_name)
    return function


def share_service_models() -> None:
    """Parse botocore's Connect model once here, so each child's cold client costs milliseconds.

    In Lambda every sandbox parses it on its own CPU at once; here 2 CPUs would serialize
    hundreds of parses and spread a storm over a minute. Only done when the handler uses boto3.
    """
    if "boto3" in sys.modules:
        # The default session (crhelper's clients made it) keeps the parsed model for the handler.
        sys.modules["boto3"].client("connect", region_name=os.environ["AWS_REGION"])


def serve(connection: socket.socket, function: Handler) -> None:
    """A sandbox: handle one invocation at a time until the engine closes the socket."""
    with connection, connection.makefile("rb") as reader:
        for line in reader:
            request = json.loads(line)
            try:
                function(request["event"], LambdaContext(float(request["timeout_s"])))
            except Exception as error:
                answer = f"error {type(error).__name__}: {error}".replace("\n", " ")
            else:
                answer = "done"
            connection.sendall(answer.encode() + b"\n")


def fork_server(function: Handler, control: socket.socket) -> None:
    """Fork a sandbox for each request on `control`, until the engine closes it."""
    # Children are reaped by the kernel; the engine stops them by PID.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    control.sendall(b"ready\n")
    while True:
        message, fds, _flags, _address = socket.recv_fds(control, 16, 1)
        if not message or not fds:
            return
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            control.close()
            try:
                serve(socket.socket(fileno=fds[0]), function)
            finally:
                os._exit(0)
        os.close(fds[0])
        control.sendall(f"{pid}\n".encode())


def main(argv: list[str]) -> None:
    """Import the handler with the function's environment in place, then serve forks."""
    function = load_handler(argv[1])
    share_service_models()
    # Objects imported so far stay out of the collector's way: children do not copy their pages.
    gc.freeze()
    fork_server(function, socket.socket(fileno=int(argv[2])))


if __name__ == "__main__":
    main(sys.argv)
