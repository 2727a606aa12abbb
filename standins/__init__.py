"""Local stand-ins for Amazon Connect and the CloudFormation response endpoint."""
