"""Can a Lambda of the engine do its job? Run on the engine's Python, in its Lambdas' environment.

It checks, in seconds, what would otherwise surface as a custom resource that never answers
(a 5-minute ServiceTimeout): that the engine's certificate verifies for crhelper's HTTPS answer,
that CloudFormation answers, and that the local Connect accepts the Lambda's signature.
Standard library and boto3 only (the engine's environment has nothing else). Prints one line;
exits 0 when all is well, 1 with what to fix otherwise.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Callable
from functools import partial

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 1})


def check_answer_url(port: str) -> str:
    """Whether https://localhost:<port>, where crhelper PUTs its answer, verifies over TLS."""
    url = f"https://localhost:{port}/_ministack/health"
    try:
        with urllib.request.urlopen(url, timeout=3):
            return ""
    except OSError as error:
        return (
            f"a Lambda cannot answer CloudFormation at {url}: {error}. The engine's "
            "SSL_CERT_FILE must name the CA that signed its certificate (MINISTACK_SSL_CERT)"
        )


def check_cloudformation() -> str:
    """The handler reads its own stack (DescribeStacks) through AWS_ENDPOINT_URL."""
    try:
        boto3.client("cloudformation", config=CONFIG).describe_stacks()
    except (BotoCoreError, ClientError) as error:
        return (
            f"a Lambda cannot call CloudFormation at {os.environ.get('AWS_ENDPOINT_URL')}: "
            f"{error}. Set AWS_ENDPOINT_URL in the engine's environment to the engine itself"
        )
    return ""


def check_connect() -> str:
    """A signed StopContactStreaming of a contact nobody has: only ResourceNotFound is right."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_CONNECT", "")
    if not endpoint:
        return "AWS_ENDPOINT_URL_CONNECT is not set in the engine's environment"
    try:
        boto3.client("connect", config=CONFIG).stop_contact_streaming(
            InstanceId="preflight", ContactId="preflight", StreamingId="preflight"
        )
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "ResourceNotFoundException":
            return ""
        return (
            f"the local Connect at {endpoint} refused a Lambda's call ({code}: "
            f"{error.response['Error'].get('Message', '')}): the engine's AWS_SECRET_ACCESS_KEY "
            "and AWS_SESSION_TOKEN must be the credentials the local Connect checks"
        )
    except BotoCoreError as error:
        return f"a Lambda cannot reach the local Connect at {endpoint}: {error}"
    return "the local Connect stopped a stream nobody started"


def main(port: str) -> int:
    """Run every check; print the first problem, or "ok"."""
    checks: list[Callable[[], str]] = [
        partial(check_answer_url, port),
        check_cloudformation,
        check_connect,
    ]
    for check in checks:
        problem = check()
        if problem:
            print(problem)
            return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
