"""An app outside the repository synthesizes with each artefact installed in a clean venv."""

from __future__ import annotations

from tests.packaging.conftest import Consumer, project_version
from tests.packaging.environments import ROOT


def test_consumer_app_imports_package_from_clean_env_not_repository(consumer: Consumer) -> None:
    assert consumer.module.is_relative_to(consumer.site)
    assert not consumer.module.is_relative_to(ROOT)
    assert not consumer.outdir.is_relative_to(ROOT)


def test_consumer_app_version_is_installed_metadata(consumer: Consumer) -> None:
    assert consumer.version == project_version()


def test_consumer_app_template_has_custom_resource(consumer: Consumer) -> None:
    types = [resource["Type"] for resource in consumer.template["Resources"].values()]
    assert types.count("Custom::ContactStreaming") == 1
    assert types.count("AWS::Lambda::Function") == 1


def test_consumer_app_streaming_endpoint_shares_topic_one_connect_statement(
    consumer: Consumer,
) -> None:
    resources = consumer.template["Resources"].values()
    (policy,) = [r for r in resources if r["Type"] == "AWS::SNS::TopicPolicy"]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Principal"] for s in statements] == [{"Service": "connect.amazonaws.com"}]
    actions = [
        statement["Action"]
        for r in resources
        if r["Type"] == "AWS::IAM::Policy"
        for statement in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert actions.count(["connect:StartContactStreaming", "connect:StopContactStreaming"]) == 2


def test_consumer_app_asset_holds_installed_handler_modules_and_crhelper(
    consumer: Consumer,
) -> None:
    (function,) = [
        resource
        for resource in consumer.template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    ]
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    asset = consumer.outdir / f"asset.{asset_hash}"
    shipped = consumer.module.parent / "_lambda"
    modules = sorted(p.name for p in (ROOT / "lambda").glob("*.py"))
    assert sorted(p.name for p in asset.glob("*.py")) == modules
    for name in modules:
        assert (asset / name).read_bytes() == (shipped / name).read_bytes()
    assert (asset / "crhelper" / "__init__.py").is_file()
    assert (asset / "crhelper" / "resource_helper.py").is_file()
