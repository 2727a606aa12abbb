"""The local Service Quotas answers as botocore's model says, for Connect's streaming quotas."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.model import StructureShape

from standins.servicequotas import (
    CONNECT,
    MODEL,
    START_QUOTA,
    STOP_QUOTA,
    ServiceQuotasStandIn,
)
from tests.quota_lookup.conftest import client_of


def error_code(call: Any, **params: str) -> str:
    """The error type a call answers."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    return str(raised.value.response["Error"]["Code"])


def test_standin_default_quotas_five_a_second_for_start_and_stop(quotas_client: Any) -> None:
    for code in (START_QUOTA, STOP_QUOTA):
        answer = quotas_client.get_aws_default_service_quota(ServiceCode=CONNECT, QuotaCode=code)
        assert (answer["Quota"]["QuotaCode"], answer["Quota"]["Value"]) == (code, 5.0)
        assert answer["Quota"]["Period"] == {"PeriodValue": 1, "PeriodUnit": "SECOND"}


def test_standin_applied_value_answers_with_account_in_arn(
    service_quotas: ServiceQuotasStandIn, quotas_client: Any
) -> None:
    service_quotas.apply(START_QUOTA, 20)
    answer = quotas_client.get_service_quota(ServiceCode=CONNECT, QuotaCode=START_QUOTA)
    assert answer["Quota"]["Value"] == 20.0
    assert answer["Quota"]["QuotaArn"].endswith(f":{service_quotas.account}:connect/L-93412F17")


def test_standin_no_applied_value_no_such_resource(quotas_client: Any) -> None:
    code = error_code(quotas_client.get_service_quota, ServiceCode=CONNECT, QuotaCode=STOP_QUOTA)
    assert code == "NoSuchResourceException"


def test_standin_forgotten_default_no_such_resource(
    service_quotas: ServiceQuotasStandIn, quotas_client: Any
) -> None:
    service_quotas.forget_default(STOP_QUOTA)
    call = quotas_client.get_aws_default_service_quota
    assert error_code(call, ServiceCode=CONNECT, QuotaCode=STOP_QUOTA) == (
        "NoSuchResourceException"
    )


def test_standin_input_beyond_model_limits_illegal_argument(quotas_client: Any) -> None:
    # botocore validates its own input too: send what its validation lets through but the
    # model's length limit does not (a 64-character ServiceCode; botocore checks min only).
    call = quotas_client.get_service_quota
    assert error_code(call, ServiceCode="c" * 64, QuotaCode=START_QUOTA) == (
        "IllegalArgumentException"
    )


def test_standin_wrong_region_signature_refused(service_quotas: ServiceQuotasStandIn) -> None:
    client = client_of(service_quotas, region="eu-west-2")
    call = client.get_service_quota
    assert error_code(call, ServiceCode=CONNECT, QuotaCode=START_QUOTA) == (
        "InvalidSignatureException"
    )
    assert service_quotas.calls == []


def test_standin_answer_members_all_in_models_service_quota_shape(
    service_quotas: ServiceQuotasStandIn,
) -> None:
    answer = service_quotas.quota((CONNECT, START_QUOTA), 5.0, "")
    shape = MODEL.shape_for("ServiceQuota")
    assert isinstance(shape, StructureShape)
    assert set(answer) <= set(shape.members)


def test_standin_records_each_call_with_its_error(
    service_quotas: ServiceQuotasStandIn, quotas_client: Any
) -> None:
    error_code(quotas_client.get_service_quota, ServiceCode=CONNECT, QuotaCode=START_QUOTA)
    quotas_client.get_aws_default_service_quota(ServiceCode=CONNECT, QuotaCode=START_QUOTA)
    assert [(c.operation, c.error) for c in service_quotas.calls] == [
        ("GetServiceQuota", "NoSuchResourceException"),
        ("GetAWSDefaultServiceQuota", ""),
    ]
