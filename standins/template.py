"""A synthesized stack template: its resources, and their properties resolved to values.

`load_stack` reads the one stack in a cdk.out folder and finds its provider's Lambda asset folder;
`Template.resolve` turns Ref, Fn::GetAtt, Fn::Join, Fn::Sub and Fn::Select into the strings
CloudFormation would pass, with fake parameter values and names. Nothing heavy is imported here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from standins.aws import ACCOUNT, REGION, STACK_NAME

RESOURCE_TYPE = "Custom::ContactStreaming"
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::StackName": STACK_NAME,
    "AWS::URLSuffix": "amazonaws.com",
}


class TemplateError(Exception):
    """The template holds something the stand-ins cannot read or resolve."""


@dataclass
class Template:
    """A synthesized stack template and the values its intrinsic functions resolve to."""

    body: dict[str, Any]
    parameters: dict[str, str]
    resources: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.resources = self.body["Resources"]
        for name, value in self.parameters.items():
            pattern = self.body["Parameters"][name].get("AllowedPattern", ".*")
            if not re.fullmatch(pattern, value):
                raise TemplateError(f"parameter {name}={value!r} does not match {pattern!r}")

    def physical_name(self, logical_id: str) -> str:
        """The name CloudFormation would give a resource: stack, logical id, a suffix."""
        return f"{STACK_NAME}-{logical_id}-R3HEARSAL"

    def ref(self, name: str) -> str:
        """What {"Ref": name} resolves to."""
        if name in self.parameters:
            return self.parameters[name]
        if name in PSEUDO:
            return PSEUDO[name]
        resource_type = self.resources[name]["Type"]
        if resource_type == "AWS::SNS::Topic":
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{self.physical_name(name)}"
        return self.physical_name(name)

    def get_att(self, name: str, attribute: str) -> str:
        """What {"Fn::GetAtt": [name, attribute]} resolves to."""
        resource_type = self.resources[name]["Type"]
        if (resource_type, attribute) == ("AWS::Lambda::Function", "Arn"):
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.physical_name(name)}"
        if (resource_type, attribute) == ("AWS::SNS::Topic", "TopicArn"):
            return self.ref(name)
        raise TemplateError(f"cannot resolve Fn::GetAtt {name}.{attribute} ({resource_type})")

    def resolve(self, value: Any) -> Any:
        """Resolve Ref, Fn::GetAtt, Fn::Join, Fn::Sub and Fn::Select in a property value."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1 or not next(iter(value)).startswith(("Ref", "Fn::")):
            return {key: self.resolve(item) for key, item in value.items()}
        ((function, argument),) = value.items()
        if function == "Ref":
            return self.ref(argument)
        if function == "Fn::GetAtt":
            return self.get_att(*argument)
        if function == "Fn::Join":
            return argument[0].join(self.resolve(argument[1]))
        if function == "Fn::Select":
            return self.resolve(argument[1])[int(argument[0])]
        if function == "Fn::Sub" and isinstance(argument, str):
            return re.sub(r"\$\{([^}!]+)\}", lambda m: self.ref(m.group(1)), argument)
        raise TemplateError(f"cannot resolve {function} in {value!r}")


def load_stack(cdk_out: Path) -> tuple[dict[str, Any], Path]:
    """The one stack template in cdk.out and its provider's Lambda asset folder."""
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    stacks = [
        artifact["properties"]["templateFile"]
        for artifact in manifest["artifacts"].values()
        if artifact["type"] == "aws:cloudformation:stack"
    ]
    if len(stacks) != 1:
        raise TemplateError(f"expected one stack in {cdk_out}, found {stacks}")
    body = json.loads((cdk_out / stacks[0]).read_text())
    return body, provider_asset(body, cdk_out)


def provider_function_id(body: dict[str, Any]) -> str:
    """The logical id of the Lambda function every custom resource's ServiceToken names."""
    tokens = {
        json.dumps(resource["Properties"]["ServiceToken"])
        for resource in body["Resources"].values()
        if resource["Type"] == RESOURCE_TYPE
    }
    if len(tokens) != 1:
        raise TemplateError(f"expected one provider, found ServiceTokens {sorted(tokens)}")
    return str(json.loads(tokens.pop())["Fn::GetAtt"][0])


def provider_asset(body: dict[str, Any], cdk_out: Path) -> Path:
    """The asset folder of the Lambda function every custom resource's ServiceToken names."""
    function = body["Resources"][provider_function_id(body)]
    if function["Properties"]["Handler"] != "handler.handler":
        raise TemplateError(f"unexpected Lambda handler {function['Properties']['Handler']!r}")
    if "aws:asset:path" in function.get("Metadata", {}):
        return cdk_out / str(function["Metadata"]["aws:asset:path"])
    # Without the CLI's asset metadata, the asset manifest maps the code's S3 key to its folder.
    asset_hash = str(function["Properties"]["Code"]["S3Key"]).removesuffix(".zip")
    for manifest in cdk_out.glob("*.assets.json"):
        files = json.loads(manifest.read_text()).get("files", {})
        if asset_hash in files:
            return cdk_out / str(files[asset_hash]["source"]["path"])
    raise TemplateError(f"no asset folder for the provider's code {asset_hash} in {cdk_out}")
