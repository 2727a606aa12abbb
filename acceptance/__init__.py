"""The acceptance run: the app, end to end, on a real Connect instance (or any SDK endpoints).

`python -m acceptance --instance-id <id> --contact-flow-id <id>` (make acceptance-aws) starts a
chat as a customer would, deploys a consumer and the app with the `cdk` CLI, sends messages,
checks that each one reaches the consumer with Connect's payload, destroys the app, checks that
no more arrive, and deletes everything it created. It reads only the SDK's standard settings.
"""
