"""Build tools run by make: the API reference and the API compatibility check."""
