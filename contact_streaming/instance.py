"""A Connect instance named by an id (in the stack's region) or by an ARN, and its parts."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Arn, ArnFormat, Stack


@dataclass(frozen=True)
class Instance:
    """A Connect instance's ARN and its parts (tokens when built from tokens)."""

    arn: str
    instance_id: str
    region: str
    account: str

    @classmethod
    def of(cls, stack: Stack, instance_id: str | None, instance_arn: str | None) -> Instance:
        """The instance named by exactly one of an id (in `stack`'s region) and an ARN."""
        if instance_arn is None:
            assert instance_id is not None
            arn = stack.format_arn(
                service="connect", resource="instance", resource_name=instance_id
            )
            return cls(arn, instance_id, stack.region, stack.account)
        parts = Arn.split(instance_arn, ArnFormat.SLASH_RESOURCE_NAME)
        assert parts.resource_name is not None
        assert parts.region is not None
        assert parts.account is not None
        return cls(instance_arn, parts.resource_name, parts.region, parts.account)
