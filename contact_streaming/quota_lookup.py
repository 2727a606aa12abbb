"""Look up the account's Connect streaming quotas in Service Quotas; cache them in cdk.context.json.

Usage: ``cdk-contact-streaming-quotas [--context-file PATH] [--dry-run]`` or
``python -m contact_streaming.quota_lookup``, with the AWS SDK's standard settings (profile,
region, ``AWS_ENDPOINT_URL*``, ``AWS_CA_BUNDLE``) and credentials allowed
``servicequotas:GetServiceQuota``, ``servicequotas:GetAWSDefaultServiceQuota`` and
``sts:GetCallerIdentity``. For StartContactStreaming (L-93412F17) and StopContactStreaming
(L-2FC23A76) it takes the applied value (GetServiceQuota), else AWS's default
(GetAWSDefaultServiceQuota), else the published default (5/s); it prints them and writes the
context value ``contact-streaming:connect-quotas:account=<account>:region=<region>`` into the
context file, keeping its other keys, as CDK's own lookups cache theirs. Stacks deployed to that
account and region then read it (contact_streaming.quota.context_quotas). Requires boto3 (the
``lookup`` extra). Exit status: 0 written, 1 an AWS call failed, 2 no credentials or region.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contact_streaming.quota import ConnectQuotas, context_key, context_value

SERVICE_CODE = "connect"
# (ConnectQuotas field, quota code, Connect operation)
QUOTAS = (
    ("start_per_second", "L-93412F17", "StartContactStreaming"),
    ("stop_per_second", "L-2FC23A76", "StopContactStreaming"),
)
PUBLISHED = ConnectQuotas()
APPLIED, AWS_DEFAULT, PUBLISHED_DEFAULT = "applied", "AWS default", "published default"
EXIT_FAILED, EXIT_NOT_SET_UP = 1, 2


class NotSetUpError(Exception):
    """The SDK has no credentials or no region: nothing was called."""


@dataclass(frozen=True)
class Found:
    """A quota's value in requests per second, and where it came from."""

    value: float
    source: str


def quota_value(client: Any, quota_code: str, published: float) -> Found:
    """The applied value, else AWS's default, else the published default.

    A value is missing when the call answers NoSuchResourceException, or a Quota without a Value
    (it may carry an ErrorReason such as SERVICE_QUOTA_NOT_AVAILABLE_ERROR instead).
    """
    from botocore.exceptions import ClientError

    calls = (
        (client.get_service_quota, APPLIED),
        (client.get_aws_default_service_quota, AWS_DEFAULT),
    )
    for call, source in calls:
        try:
            answer = call(ServiceCode=SERVICE_CODE, QuotaCode=quota_code)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchResourceException":
                raise
            continue
        value = answer.get("Quota", {}).get("Value")
        if value is not None:
            return Found(float(value), source)
    return Found(published, PUBLISHED_DEFAULT)


def look_up(client: Any) -> dict[str, Found]:
    """Both quotas by ConnectQuotas field, from a Service Quotas client."""
    return {
        field: quota_value(client, code, getattr(PUBLISHED, field)) for field, code, _ in QUOTAS
    }


def write_context(path: Path, key: str, value: object) -> None:
    """Set `key` in the JSON object at `path` (created if missing), keeping its other keys."""
    context = json.loads(path.read_text()) if path.exists() else {}
    if not isinstance(context, dict):
        raise ValueError(f"{path} holds no JSON object; fix or remove it")
    context[key] = value
    path.write_text(json.dumps(context, indent=2) + "\n")


def session_of() -> Any:
    """A boto3 session from the standard settings; NotSetUpError without credentials or region."""
    try:
        import boto3
    except ImportError as error:
        raise NotSetUpError(
            "boto3 is not installed: pip install 'cdk-contact-streaming[lookup]'"
        ) from error
    session = boto3.session.Session()
    if session.region_name is None:
        raise NotSetUpError("no AWS region: set AWS_DEFAULT_REGION or a profile's region")
    if session.get_credentials() is None:
        raise NotSetUpError("no AWS credentials: set AWS_PROFILE or the AWS_* credential variables")
    return session


def report(account: str, region: str, found: dict[str, Found]) -> str:
    """What was found, one line a quota."""
    lines = [f"Connect streaming quotas of account {account} in {region}:"]
    for field, code, operation in QUOTAS:
        lines.append(f"  {operation} ({code}): {found[field].value:g}/s ({found[field].source})")
    return "\n".join(lines)


def run(context_file: Path, dry_run: bool) -> str:
    """Look the quotas up and write them; the text to print. Raises NotSetUpError or SDK errors."""
    session = session_of()
    account = str(session.client("sts").get_caller_identity()["Account"])
    region = str(session.region_name)
    found = look_up(session.client("service-quotas"))
    quotas = ConnectQuotas(**{field: f.value for field, f in found.items()})
    key, value = context_key(account, region), context_value(quotas)
    lines = [report(account, region, found)]
    if dry_run:
        lines.append(f"Would write to {context_file}: {json.dumps({key: value})}")
    else:
        write_context(context_file, key, value)
        lines.append(f"Wrote {key} to {context_file}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command: 0 when written, 1 when AWS or the file refused, 2 when not set up."""
    parser = argparse.ArgumentParser(
        prog="cdk-contact-streaming-quotas",
        description="Write the account's Connect streaming quotas into the CDK context.",
    )
    parser.add_argument("--context-file", type=Path, default=Path("cdk.context.json"))
    parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
    args = parser.parse_args(argv)
    try:
        print(run(args.context_file, args.dry_run))
    except NotSetUpError as error:
        print(f"cdk-contact-streaming-quotas: {error}", file=sys.stderr)
        return EXIT_NOT_SET_UP
    except Exception as error:  # one readable line for any SDK or file error
        print(f"cdk-contact-streaming-quotas: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
