"""The local world's fixed facts: account, region, credentials, Connect instance and contacts."""

from __future__ import annotations

from pathlib import Path

from botocore.credentials import Credentials

from standins.aws import ACCOUNT, REGION, SECRET_KEY, SESSION_TOKEN

ROOT = Path(__file__).resolve().parent.parent
ENGINE_PYTHON = ROOT / ".venv-engine" / "bin" / "python"
CDK = ROOT / "node_modules" / ".bin" / "cdk"
STATE = ROOT / ".local"
STACK_NAME = "ContactStreamingStack"

# ministack takes a 12-digit access key id as the account, and gives its Lambdas that account as
# their access key id, with its own AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
CREDENTIALS = Credentials(ACCOUNT, SECRET_KEY, SESSION_TOKEN)
INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
# A published contact flow of the local instance (one that would put the chat in a queue).
CONTACT_FLOW_ID = "c0ffee00-1234-4abc-9def-0123456789ab"
CONTACT_ID = "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c"
OTHER_CONTACT_ID = "7c6b5a49-3827-4160-9f5e-4d3c2b1a0f9e"
UNKNOWN_CONTACT_ID = "00000000-0000-4000-8000-00000000dead"

__all__ = [
    "ACCOUNT",
    "CDK",
    "CONTACT_FLOW_ID",
    "CONTACT_ID",
    "CREDENTIALS",
    "ENGINE_PYTHON",
    "INSTANCE_ID",
    "OTHER_CONTACT_ID",
    "REGION",
    "ROOT",
    "STACK_NAME",
    "STATE",
    "UNKNOWN_CONTACT_ID",
]
