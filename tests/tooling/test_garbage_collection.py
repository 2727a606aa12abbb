"""tests/conftest.py: the collector's thresholds, and a worker's heap left to the OS at exit."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

from tests.conftest import GC_THRESHOLDS, pytest_unconfigure


@pytest.mark.parametrize(
    ("config", "frozen"), [(SimpleNamespace(workerinput={}), 1), (SimpleNamespace(), 0)]
)
def test_unconfigure_freezes_the_heap_in_an_xdist_worker_only(
    monkeypatch: pytest.MonkeyPatch, config: SimpleNamespace, frozen: int
) -> None:
    calls: list[None] = []
    monkeypatch.setattr("tests.conftest.gc.freeze", lambda: calls.append(None))
    pytest_unconfigure(config)  # type: ignore[arg-type]
    assert len(calls) == frozen


def test_collector_thresholds_those_of_the_conftest() -> None:
    assert gc.get_threshold() == GC_THRESHOLDS
