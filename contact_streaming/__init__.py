"""AWS CDK constructs for Amazon Connect contact streaming: tied to a stack, or per chat."""

from contact_streaming._version import __version__
from contact_streaming.construct import ContactStreaming
from contact_streaming.quota import ConnectQuotas
from contact_streaming.streaming_endpoint import StreamingEndpoint

__all__ = ["ConnectQuotas", "ContactStreaming", "StreamingEndpoint", "__version__"]
