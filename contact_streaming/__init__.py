"""An AWS CDK construct that ties Amazon Connect contact streaming to a stack's lifecycle."""

from contact_streaming.construct import ContactStreaming
from contact_streaming.quota import ConnectQuotas

__all__ = ["ConnectQuotas", "ContactStreaming"]
