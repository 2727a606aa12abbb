"""Fixtures: a local Service Quotas on a free port, and a boto3 client of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from standins.aws import ACCESS_KEY, REGION, SECRET_KEY, SESSION_TOKEN
from standins.servicequotas import ServiceQuotasStandIn


@pytest.fixture
def service_quotas() -> Iterator[ServiceQuotasStandIn]:
    """A fresh Service Quotas stand-in, stopped afterwards."""
    stand_in = ServiceQuotasStandIn().start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def client_of(stand_in: ServiceQuotasStandIn, region: str = REGION) -> Any:
    """A Service Quotas client of the stand-in, one attempt a call."""
    session = boto3.session.Session(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, region)
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    return session.client("service-quotas", endpoint_url=stand_in.url, config=config)


@pytest.fixture
def quotas_client(service_quotas: ServiceQuotasStandIn) -> Any:
    """A client of the fixture's stand-in."""
    return client_of(service_quotas)
