"""AWS CDK constructs for Amazon Connect contact streaming: tied to a stack, or per chat."""

from contact_streaming._version import __version__
from contact_streaming.connect_instance import ConnectInstance, IConnectInstance
from contact_streaming.contact_streaming import ContactStreaming
from contact_streaming.flow_streaming import FlowStreaming
from contact_streaming.provider import ContactStreamingProvider
from contact_streaming.quota import ConnectQuotas
from contact_streaming.streaming_endpoint import IStreamingEndpoint, StreamingEndpoint
from contact_streaming.views import ConsumerView, ItemType, MessageVisibility, ParticipantRole

__all__ = [
    "ConnectInstance",
    "ConnectQuotas",
    "ConsumerView",
    "ContactStreaming",
    "ContactStreamingProvider",
    "FlowStreaming",
    "IConnectInstance",
    "IStreamingEndpoint",
    "ItemType",
    "MessageVisibility",
    "ParticipantRole",
    "StreamingEndpoint",
    "__version__",
]
