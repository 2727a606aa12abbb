"""The public API: every exported name documented, every type a public signature uses exported."""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Iterator

import pytest

import contact_streaming

PUBLIC = [name for name in contact_streaming.__all__ if name != "__version__"]


def public_classes() -> list[type]:
    return [c for c in (getattr(contact_streaming, n) for n in PUBLIC) if inspect.isclass(c)]


def public_callables(cls: type) -> Iterator[tuple[str, object]]:
    """A class's own public methods, properties and its constructor (a protocol has none)."""
    protocol = getattr(cls, "_is_protocol", False)
    for name, member in vars(cls).items():
        if (name == "__init__" and not protocol) or not name.startswith("_"):
            yield name, member


def library_types(annotation: object) -> Iterator[type]:
    """The classes of this library that an annotation names, however nested."""
    if inspect.isclass(annotation) and annotation.__module__.startswith("contact_streaming"):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from library_types(argument)


def hints_of(member: object) -> dict[str, object]:
    function = member.fget if isinstance(member, property) else member
    function = getattr(function, "__func__", function)
    if not callable(function):
        return {}
    return typing.get_type_hints(function)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_api_exported_name_has_a_docstring(name: str) -> None:
    assert inspect.getdoc(getattr(contact_streaming, name)), name


@pytest.mark.parametrize("cls", public_classes(), ids=lambda c: c.__name__)
def test_public_api_every_public_member_has_a_docstring(cls: type) -> None:
    if issubclass(cls, enum.Enum):
        return
    undocumented = [
        name
        for name, member in public_callables(cls)
        if callable(member) or isinstance(member, (property, classmethod, staticmethod))
        if not inspect.getdoc(member.__func__ if isinstance(member, classmethod) else member)
    ]
    assert undocumented == []


@pytest.mark.parametrize("cls", public_classes(), ids=lambda c: c.__name__)
def test_public_api_every_type_in_a_public_signature_is_exported(cls: type) -> None:
    exported = set(public_classes())
    used = {
        used_type
        for _, member in public_callables(cls)
        for hint in hints_of(member).values()
        for used_type in library_types(hint)
    }
    assert sorted(t.__name__ for t in used - exported) == []


def test_public_api_signature_walk_finds_item_type_and_endpoint_types() -> None:
    hints = hints_of(vars(contact_streaming.ContactStreaming)["__init__"])
    found = {t.__name__ for hint in hints.values() for t in library_types(hint)}
    assert {"IConnectInstance", "IStreamingEndpoint", "ConnectQuotas"} <= found


def param_docs(cls: type, name: str, member: object) -> dict[str, str]:
    """Each `:param x:` text of a public callable (a constructor's also from the class), joined."""
    function = member.__func__ if isinstance(member, classmethod | staticmethod) else member
    docs = [inspect.getdoc(function) or ""]
    if name == "__init__":
        docs.append(inspect.getdoc(cls) or "")
    found = {}
    for doc in docs:
        for part in doc.split(":param ")[1:]:
            param, _, text = part.partition(":")
            found[param.strip()] = " ".join(text.split(":return")[0].split())
    return found


def undocumented_params(cls: type) -> list[str]:
    """Each prop (keyword-only or defaulted) whose doc ends in neither its default nor Required."""
    wrong = []
    for name, member in public_callables(cls):
        function = member.__func__ if isinstance(member, classmethod | staticmethod) else member
        if not inspect.isfunction(function):
            continue
        docs = param_docs(cls, name, member)
        for param, spec in list(inspect.signature(function).parameters.items())[1:]:
            if spec.kind is not spec.KEYWORD_ONLY and spec.default is spec.empty:
                continue
            text = docs.get(param, "")
            if not (text.endswith("Required.") or "Default: " in text.rsplit(". ", 2)[-1]):
                wrong.append(f"{cls.__name__}.{name}({param}): {text[-60:]!r}")
    return wrong


@pytest.mark.parametrize("cls", public_classes(), ids=lambda c: c.__name__)
def test_public_api_every_parameter_doc_ends_with_its_default_or_required(cls: type) -> None:
    if issubclass(cls, enum.Enum):
        return
    assert undocumented_params(cls) == []
