"""Clean-up logic of the acceptance run, with fakes (no engine, no CLI)."""

from __future__ import annotations

import io
from typing import Any

from acceptance.report import Report
from acceptance.scenario import Clients, Options, Run, StepError


def new_run(**clients: Any) -> Run:
    """A run whose clients are `clients` (None for the rest), printing into a buffer."""
    names = ("session", "sts", "cloudformation", "ssm", "connect", "participant", "sqs", "logs")
    made = Clients(*(clients.get(name) for name in names))
    return Run(Options("instance", "flow", "r1"), made, Report(io.StringIO()))


def test_clean_step_raising_any_error_runs_the_remaining_steps() -> None:
    run = new_run()
    done: list[str] = []

    def fails(error: Exception) -> None:
        raise error

    run.undo = [
        ("delete stack consumer", lambda: done.append("consumer")),
        ("end the chat", lambda: fails(KeyError("ConnectionToken"))),
        ("delete stack app", lambda: fails(ValueError("no such log group"))),
        ("delete file", lambda: fails(OSError("disk"))),
        ("delete stack other", lambda: fails(StepError("other is DELETE_FAILED"))),
    ]
    left = run.clean()
    assert done == ["consumer"]
    assert left == [
        "delete stack other: other is DELETE_FAILED",
        "delete file: OSError: disk",
        "delete stack app: ValueError: no such log group",
        "end the chat: KeyError: 'ConnectionToken'",
    ]
    assert run.undo == []
    assert not run.folder.exists()
