"""Deprecated props: a Python DeprecationWarning at the user's line and a CDK warning annotation.

The annotation shows in every `cdk synth` (Python shows a DeprecationWarning by default only when
the deprecated call is in ``__main__``); acknowledge it with
``Annotations.of(scope).acknowledge_warning(id)``, its id being ``warning_id(owner, prop)``.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import jsii
from aws_cdk import Annotations
from constructs import IConstruct

# The frames of this package and of jsii (which calls a construct's __init__) are not the user's.
_INTERNAL = (str(Path(__file__).parent), str(Path(jsii.__file__).parent))


def warning_id(owner: str, prop: str) -> str:
    """The CDK warning id of a deprecated prop: contact-streaming:ContactStreaming.quota_share."""
    return f"contact-streaming:{owner}.{prop}"


def user_stacklevel() -> int:
    """The stacklevel of the innermost frame outside this package and jsii (for warnings.warn)."""
    frame = sys._getframe(1)  # the caller's: stacklevel 1 to warnings.warn called there
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame = frame.f_back
        level += 1
    return level


def deprecated(construct: IConstruct, owner: str, prop: str, replacement: str) -> None:
    """Warn in Python and as a CDK annotation on `construct` that `owner`'s `prop` is deprecated."""
    message = (
        f"{owner}: {prop} is deprecated and goes in 2.0; {replacement} (at {construct.node.path})"
    )
    warnings.warn(message, DeprecationWarning, stacklevel=user_stacklevel())
    Annotations.of(construct).add_warning_v2(warning_id(owner, prop), message)
