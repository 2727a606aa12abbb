"""Example CDK apps that use contact_streaming."""
