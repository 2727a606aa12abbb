"""The CDK app's stacks."""
