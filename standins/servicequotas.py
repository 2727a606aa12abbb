"""A local Service Quotas that answers GetServiceQuota and GetAWSDefaultServiceQuota (JSON 1.1).

moto (5.2.5) serves Service Quotas only for ServiceCode `vpc` and has no
GetAWSDefaultServiceQuota, so this stand-in answers Connect's two streaming quotas. The target
prefix, input limits and error types come from botocore's `service-quotas` model, so the real
boto3 client signs, serializes and parses errors as against AWS. It checks SigV4 (signing name
`servicequotas`), holds applied and default values per quota code, and records every call.

Where no applied value is set, GetServiceQuota answers NoSuchResourceException: AWS says only
that an applied value is "not retrieved" when it is not available, so a caller must also handle
an answer that carries the default.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.credentials import Credentials

from standins.aws import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, SESSION_TOKEN
from standins.connect import ConnectError, validate, verify_signature
from standins.server import LocalServer, QuietRequestHandler

MODEL = botocore.session.get_session().get_service_model("service-quotas")
SIGNING_NAME = MODEL.metadata["endpointPrefix"]
TARGET_PREFIX = MODEL.metadata["targetPrefix"]
GET_QUOTA = "GetServiceQuota"
GET_DEFAULT = "GetAWSDefaultServiceQuota"
CONNECT = "connect"
START_QUOTA = "L-93412F17"
STOP_QUOTA = "L-2FC23A76"
# Connect's streaming quotas as Service Quotas names them, with their published defaults.
CONNECT_QUOTAS = {
    START_QUOTA: ("Rate of StartContactStreaming API requests", 5.0),
    STOP_QUOTA: ("Rate of StopContactStreaming API requests", 5.0),
}


@dataclass(frozen=True)
class QuotaCall:
    """One answered request: the operation, its input and the error type ("" on success)."""

    operation: str
    body: dict[str, Any]
    error: str


class ServiceQuotasStandIn:
    """State and HTTP server of the local Service Quotas."""

    def __init__(
        self, region: str = REGION, account: str = ACCOUNT, credentials: Credentials | None = None
    ) -> None:
        self.region = region
        self.account = account
        # The credentials callers must sign with (the local engine's, where it runs).
        self.credentials = credentials or Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
        self.lock = threading.Lock()
        self.http: LocalServer | None = None
        self.applied: dict[tuple[str, str], float] = {}
        self.defaults = {(CONNECT, code): value for code, (_, value) in CONNECT_QUOTAS.items()}
        self.calls: list[QuotaCall] = []

    def apply(self, quota_code: str, value: float, service_code: str = CONNECT) -> None:
        """Record an applied (raised) value, as after an approved quota increase."""
        with self.lock:
            self.applied[(service_code, quota_code)] = value

    def forget_default(self, quota_code: str, service_code: str = CONNECT) -> None:
        """Answer NoSuchResourceException for the quota's default too."""
        with self.lock:
            self.defaults.pop((service_code, quota_code), None)

    @property
    def url(self) -> str:
        """The endpoint for AWS_ENDPOINT_URL_SERVICE_QUOTAS."""
        assert self.http is not None
        return f"http://127.0.0.1:{self.http.port}"

    def start(self) -> ServiceQuotasStandIn:
        """Serve on 127.0.0.1, on a free port, from a daemon thread."""
        stand_in = self

        class Handler(ServiceQuotasRequestHandler):
            service = stand_in

        self.http = LocalServer(Handler)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.http is not None:
            self.http.stop()

    def perform(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """The answer to a valid request, or ConnectError with the model's error type."""
        try:
            validate(MODEL.operation_model(operation), body)
        except ConnectError as error:
            raise ConnectError("IllegalArgumentException", error.message) from error
        key = (body["ServiceCode"], body["QuotaCode"])
        with self.lock:
            if operation == GET_QUOTA and key in self.applied:
                return {"Quota": self.quota(key, self.applied[key], self.account)}
            if operation == GET_DEFAULT and key in self.defaults:
                return {"Quota": self.quota(key, self.defaults[key], "")}
        raise ConnectError(
            "NoSuchResourceException",
            f"The request failed because the specified quota {key[1]} of {key[0]} does not exist.",
        )

    def quota(self, key: tuple[str, str], value: float, account: str) -> dict[str, Any]:
        """A ServiceQuota structure (applied ones name the account in their ARN)."""
        service_code, quota_code = key
        name = CONNECT_QUOTAS.get(quota_code, (quota_code, 0.0))[0]
        arn = f"arn:aws:servicequotas:{self.region}:{account}:{service_code}/{quota_code}"
        return {
            "ServiceCode": service_code,
            "ServiceName": "Amazon Connect",
            "QuotaArn": arn,
            "QuotaCode": quota_code,
            "QuotaName": name,
            "Value": value,
            "Unit": "None",
            "Adjustable": True,
            "GlobalQuota": False,
            "Period": {"PeriodValue": 1, "PeriodUnit": "SECOND"},
        }

    def record(self, operation: str, body: dict[str, Any], error: str) -> None:
        """Remember one answered call."""
        with self.lock:
            self.calls.append(QuotaCall(operation, body, error))


def error_status(code: str) -> int:
    """HTTP status of an error: JSON 1.1 services answer 400 unless the model says otherwise."""
    if code in MODEL.shape_names:
        return int(MODEL.shape_for(code).metadata.get("error", {}).get("httpStatusCode", 400))
    return 403 if code == "InvalidSignatureException" else 400


class ServiceQuotasRequestHandler(QuietRequestHandler):
    """One HTTP exchange with the stand-in."""

    service: ServiceQuotasStandIn

    def do_POST(self) -> None:
        """Serve the operation the X-Amz-Target header names."""
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        target = headers.get("x-amz-target", "")
        prefix, _, operation = target.partition(".")
        if prefix != TARGET_PREFIX or operation not in (GET_QUOTA, GET_DEFAULT):
            self.answer_error("UnknownOperationException", f"No operation {target!r}")
            return
        problem = verify_signature(
            "POST",
            self.path,
            headers,
            body,
            self.service.region,
            service=SIGNING_NAME,
            credentials=self.service.credentials,
        )
        if problem:
            self.answer_error("InvalidSignatureException", problem)
            return
        try:
            request = json.loads(body or b"{}")
            answer = self.service.perform(operation, request)
        except ValueError:
            self.answer_error("SerializationException", "body is not JSON")
            return
        except ConnectError as error:
            self.service.record(operation, request, error.code)
            self.answer_error(error.code, error.message)
            return
        self.service.record(operation, request, "")
        self.send_json(200, answer)

    def answer_error(self, code: str, message: str) -> None:
        """Answer a JSON 1.1 error: its type in `__type`."""
        self.send_json(error_status(code), {"__type": code, "message": message})

    def send_json(self, status: int, payload: dict[str, Any]) -> None:
        """Write a JSON 1.1 response."""
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)
