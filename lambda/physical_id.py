"""The PhysicalResourceId: the only state the handler keeps, and what it can rebuild from it.

An id is `contact-streaming:` and a query string. A started stream's id holds its region,
instance, contact, endpoint and StreamingId, so Delete stops it from the id alone; a "pending" id
holds the ClientToken of a start of unknown outcome; a "none" id names nothing to stop. Every id
written so far has this form, and the fields keep their order, so an id reads back unchanged.

An id answered by a replacing Update also holds `previous`: the StreamingId of the stream it
replaced. During the update's rollback, CloudFormation sends this id the old properties (or does
not: undocumented), and the handler rebuilds the old stream's id from those properties and
`previous` without calling anything: see `restored`. Handlers that know no `previous` ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

ID_PREFIX = "contact-streaming:"
MAX_PHYSICAL_ID = 1024  # CloudFormation's limit, in bytes
MAX_STREAMING_ID = 100  # Connect's model: StreamingId is 1-100 characters.
# Connect's model gives StreamingId no pattern. urlencode escapes "%" (and most printable ASCII)
# to 3 bytes, the most for any ASCII character: room for any ASCII StreamingId, not a non-ASCII one.
LONGEST_STREAMING_ID = "%" * MAX_STREAMING_ID


@dataclass(frozen=True)
class Stream:
    """What a PhysicalResourceId records about one stream."""

    region: str
    instance_id: str
    contact_id: str
    endpoint_arn: str
    state: str = "started"
    streaming_id: str = ""
    client_token: str = ""
    previous: str = ""

    def physical_id(self) -> str:
        """Encode this stream as a PhysicalResourceId."""
        fields = {
            "state": self.state,
            "region": self.region,
            "instance": self.instance_id,
            "contact": self.contact_id,
            "endpoint": self.endpoint_arn,
            "streaming": self.streaming_id,
            "token": self.client_token,
            "previous": self.previous,
        }
        return ID_PREFIX + urlencode({k: v for k, v in fields.items() if v})

    def same_target(self, other: Stream) -> bool:
        """True when both name the same region, instance, contact and endpoint."""
        return (self.region, self.instance_id, self.contact_id, self.endpoint_arn) == (
            other.region,
            other.instance_id,
            other.contact_id,
            other.endpoint_arn,
        )


def parse_physical_id(physical_id: str) -> Stream | None:
    """Decode a PhysicalResourceId written by `Stream.physical_id`; None if it names no stream."""
    if not physical_id.startswith(ID_PREFIX):
        return None
    fields = dict(parse_qsl(physical_id[len(ID_PREFIX) :]))
    try:
        stream = Stream(
            region=fields["region"],
            instance_id=fields["instance"],
            contact_id=fields["contact"],
            endpoint_arn=fields["endpoint"],
            state=fields["state"],
            streaming_id=fields.get("streaming", ""),
            client_token=fields.get("token", ""),
            previous=fields.get("previous", ""),
        )
    except KeyError:
        return None
    if stream.state == "started" and stream.streaming_id:
        return stream
    if stream.state == "pending" and stream.client_token:
        return stream
    return None


def not_started_id(event: dict[str, Any]) -> str:
    """A PhysicalResourceId for a request that started nothing: Delete has nothing to stop."""
    return ID_PREFIX + urlencode({"state": "none", "request": event["RequestId"]})


def fits(pending: Stream) -> bool:
    """True if `pending`'s id, and its id once started with the longest StreamingId, fit 1 KB."""
    longest = replace(pending, state="started", streaming_id=LONGEST_STREAMING_ID, client_token="")
    return all(
        len(stream.physical_id().encode()) <= MAX_PHYSICAL_ID for stream in (pending, longest)
    )


def replacing(current: Stream | None, wanted: Stream) -> Stream:
    """`wanted`, to replace `current`: it remembers `current`'s StreamingId if that one started."""
    if current is None or current.state != "started":
        return wanted
    return replace(wanted, previous=current.streaming_id)


def restored(current: Stream | None, wanted: Stream) -> Stream | None:
    """The stream `current` replaced, rebuilt from its `previous` and the rollback's properties.

    `wanted` comes from the properties the rollback sends, which are the old stream's own, so
    the result's id is the old id as it was written, less the old id's own `previous` if it had
    one (in a chain A -> B -> C, the StreamingId of A, stopped when B's update completed). None
    if `current` remembers nothing (an earlier version wrote it, or it replaced no started stream).
    """
    if current is None or current.state != "started" or not current.previous:
        return None
    return replace(wanted, state="started", streaming_id=current.previous, client_token="")
