"""Per chat from a backend: a Lambda starts each chat and streams it to a StreamingEndpoint."""
