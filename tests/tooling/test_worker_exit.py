"""tests/conftest.py: an xdist worker leaves its heap to the OS once its tests are reported."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import pytest_unconfigure


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
