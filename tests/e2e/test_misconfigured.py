"""A wrong engine, certificate, credential or endpoint fails the preflight in seconds, saying what
to fix, where a deploy would otherwise wait out a custom resource's ServiceTimeout."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import trustme
from botocore.credentials import Credentials

from local.engine import Engine, EngineError, Tls, free_port
from local.preflight import check_account, check_engine_answers, check_lambda_side
from local.session import Session
from local.world import ACCOUNT


@pytest.fixture
def other_ca(tmp_path: Path) -> Path:
    """A CA that did not sign the engine's certificate."""
    path = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


def test_preflight_cli_ca_bundle_of_other_ca_fails_naming_aws_ca_bundle(
    session: Session, other_ca: Path
) -> None:
    with pytest.raises(EngineError, match=r"does not verify against AWS_CA_BUNDLE=.*other-ca.pem"):
        check_engine_answers(session.settings.url, other_ca)


def test_preflight_engine_not_listening_fails_naming_endpoint(session: Session) -> None:
    url = f"https://127.0.0.1:{free_port()}"
    with pytest.raises(EngineError, match=f"does not answer at {url}.*AWS_ENDPOINT_URL"):
        check_engine_answers(url, session.settings.tls.ca_file)


def test_preflight_lambdas_trust_other_ca_fails_naming_ssl_cert_file(
    session: Session, other_ca: Path
) -> None:
    tls = replace(session.settings.tls, ca_file=other_ca)
    with pytest.raises(EngineError, match=r"cannot answer CloudFormation.*SSL_CERT_FILE"):
        check_lambda_side(replace(session.settings, tls=tls))


def test_preflight_lambdas_sign_with_wrong_secret_fails_naming_secret(session: Session) -> None:
    wrong = Credentials(ACCOUNT, "not-the-secret", session.settings.credentials.token)
    with pytest.raises(EngineError, match=r"InvalidSignatureException.*AWS_SECRET_ACCESS_KEY"):
        check_lambda_side(replace(session.settings, credentials=wrong))


def test_preflight_connect_url_wrong_fails_naming_connect(session: Session) -> None:
    settings = replace(session.settings, connect_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(EngineError, match=r"cannot reach the local Connect at http://127.0.0.1"):
        check_lambda_side(settings)


def test_preflight_access_key_not_an_account_fails_naming_access_key(session: Session) -> None:
    creds = session.settings.credentials
    other = Credentials("AKIAIOSFODNN7EXAMPLE", creds.secret_key, creds.token)
    with pytest.raises(EngineError, match=f"set AWS_ACCESS_KEY_ID={ACCOUNT}"):
        check_account(replace(session.settings, credentials=other))


def test_engine_start_on_taken_port_fails_with_its_log(session: Session, tmp_path: Path) -> None:
    settings = replace(session.settings, folder=tmp_path, tls=Tls.create(tmp_path / "tls"))
    engine = Engine(settings)
    with pytest.raises(EngineError, match="the engine exited"):
        engine.start(timeout_s=20)
    assert engine.process is not None
    assert engine.process.poll() is not None
