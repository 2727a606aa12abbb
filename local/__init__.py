"""The app on a local CloudFormation engine (ministack) beside a local Amazon Connect.

`make local`, `make local-up` and `make local-down` run `python -m local demo|up|down`; the
end-to-end tests in tests/e2e/ use the same pieces. Nothing here reaches AWS.
"""
