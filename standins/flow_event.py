"""Connect's flow event, as an Invoke AWS Lambda function block sends it (the parts we read).

The admin guide's "Grant Amazon Connect access to your AWS Lambda functions" page shows the event:
``Name: ContactFlowEvent``, ``Details.ContactData`` (ContactId, InitialContactId, InstanceARN,
Channel VOICE | CHAT | TASK | EMAIL, ...) and ``Details.Parameters`` (the block's own parameters).
"""

from __future__ import annotations

from typing import Any


def flow_event(
    contact_id: str,
    instance_arn: str,
    *,
    channel: str = "CHAT",
    initial_contact_id: str | None = None,
    parameters: dict[str, str] | None = None,
    attributes: dict[str, str] | None = None,
    initiation_method: str = "API",
) -> dict[str, Any]:
    """The event a flow's Invoke AWS Lambda function block sends for one contact."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": dict(attributes or {}),
                "AwsRegion": instance_arn.split(":")[3],
                "Channel": channel,
                "ContactId": contact_id,
                "CustomerEndpoint": None,
                "InitialContactId": initial_contact_id or contact_id,
                "InitiationMethod": initiation_method,
                "InstanceARN": instance_arn,
                "PreviousContactId": initial_contact_id or contact_id,
                "Queue": None,
                "SystemEndpoint": None,
                "MediaStreams": {},
            },
            "Parameters": dict(parameters or {}),
        },
    }
