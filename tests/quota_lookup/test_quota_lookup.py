"""The quota lookup: applied, else AWS's default, else the published value; the context file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contact_streaming import quota_lookup
from contact_streaming.quota_lookup import APPLIED, AWS_DEFAULT, PUBLISHED_DEFAULT, Found
from standins.servicequotas import START_QUOTA, STOP_QUOTA, ServiceQuotasStandIn

KEY = "contact-streaming:connect-quotas:account=123456789012:region=us-east-1"


def test_look_up_applied_start_default_stop_says_which(
    service_quotas: ServiceQuotasStandIn, quotas_client: Any
) -> None:
    service_quotas.apply(START_QUOTA, 10)
    assert quota_lookup.look_up(quotas_client) == {
        "start_per_second": Found(10.0, APPLIED),
        "stop_per_second": Found(5.0, AWS_DEFAULT),
    }
    assert [(c.operation, c.body["QuotaCode"]) for c in service_quotas.calls] == [
        ("GetServiceQuota", START_QUOTA),
        ("GetServiceQuota", STOP_QUOTA),
        ("GetAWSDefaultServiceQuota", STOP_QUOTA),
    ]


def test_look_up_no_value_at_all_published_default(
    service_quotas: ServiceQuotasStandIn, quotas_client: Any
) -> None:
    service_quotas.forget_default(STOP_QUOTA)
    service_quotas.forget_default(START_QUOTA)
    assert set(quota_lookup.look_up(quotas_client).values()) == {Found(5.0, PUBLISHED_DEFAULT)}


def test_quota_value_answer_without_value_falls_back_to_default() -> None:
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(
        "service-quotas", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    reason = {"ErrorCode": "SERVICE_QUOTA_NOT_AVAILABLE_ERROR", "ErrorMessage": "not available"}
    stubber.add_response("get_service_quota", {"Quota": {"ErrorReason": reason}})
    stubber.add_response("get_aws_default_service_quota", {"Quota": {"Value": 7.0}})
    with stubber:
        assert quota_lookup.quota_value(client, STOP_QUOTA, 5.0) == Found(7.0, AWS_DEFAULT)
    stubber.assert_no_pending_responses()


def test_look_up_other_error_raised_not_taken_for_default(
    service_quotas: ServiceQuotasStandIn,
) -> None:
    from botocore.exceptions import ClientError

    from tests.quota_lookup.conftest import client_of

    with pytest.raises(ClientError, match="InvalidSignature"):
        quota_lookup.look_up(client_of(service_quotas, region="eu-west-2"))


def test_write_context_merges_into_existing_keys(tmp_path: Path) -> None:
    path = tmp_path / "cdk.context.json"
    path.write_text(json.dumps({"availability-zones:account=1:region=r": ["a"], KEY: {}}))
    quota_lookup.write_context(path, KEY, {"startPerSecond": 10.0, "stopPerSecond": 5.0})
    assert json.loads(path.read_text()) == {
        "availability-zones:account=1:region=r": ["a"],
        KEY: {"startPerSecond": 10.0, "stopPerSecond": 5.0},
    }


def test_write_context_creates_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "cdk.context.json"
    quota_lookup.write_context(path, KEY, {"startPerSecond": 5.0, "stopPerSecond": 5.0})
    assert json.loads(path.read_text()) == {KEY: {"startPerSecond": 5.0, "stopPerSecond": 5.0}}


def test_write_context_not_an_object_refused_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "cdk.context.json"
    path.write_text("[]")
    with pytest.raises(ValueError, match="no JSON object"):
        quota_lookup.write_context(path, KEY, {})
    assert path.read_text() == "[]"


@pytest.fixture
def bare_sdk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS setting at all in the environment, no config files, no instance metadata."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def refusal(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    """Run the command; its exit status and what it said on stderr (stdout must stay empty)."""
    status = quota_lookup.main(["--context-file", str(path)])
    out, err = capsys.readouterr()
    assert out == ""
    return status, err


@pytest.mark.usefixtures("bare_sdk")
def test_main_no_region_refuses_in_one_line_exit_two(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    status, err = refusal(capsys, tmp_path / "cdk.context.json")
    assert (status, err.count("\n")) == (2, 1)
    assert "no AWS region" in err
    assert not (tmp_path / "cdk.context.json").exists()


@pytest.mark.usefixtures("bare_sdk")
def test_main_no_credentials_refuses_in_one_line_exit_two(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    status, err = refusal(capsys, tmp_path / "cdk.context.json")
    assert (status, err.count("\n")) == (2, 1)
    assert "no AWS credentials" in err
    assert not (tmp_path / "cdk.context.json").exists()
