"""The fake AWS world every stand-in shares: region, account, credentials, the Lambda function.

Nothing heavy is imported here: a fresh process running one Lambda instance imports this module.
"""

from __future__ import annotations

import time
import uuid

REGION = "us-east-1"
ACCOUNT = "123456789012"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEtoken"
STACK_NAME = "ContactStreamingStack"
FUNCTION_NAME = "ContactStreamingStack-ContactStreamingProviderFun-Ab12Cd34Ef56"
SERVICE_TOKEN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_NAME}"
# The provider function's timeout, contact_streaming/provider.py TIMEOUT: a literal, as importing
# aws_cdk would slow every fresh Lambda process; tests/template asserts the two are equal.
LAMBDA_TIMEOUT_S = 180.0


class LambdaContext:
    """The parts of Lambda's context object crhelper and the handler read."""

    def __init__(self, timeout_s: float = LAMBDA_TIMEOUT_S) -> None:
        self.deadline = time.monotonic() + timeout_s
        self.function_name = FUNCTION_NAME
        self.function_version = "$LATEST"
        self.invoked_function_arn = SERVICE_TOKEN
        self.memory_limit_in_mb = "256"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{FUNCTION_NAME}"
        self.log_stream_name = f"2025/01/01/[$LATEST]{uuid.uuid4().hex}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the deadline, counting down in real time."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))
