"""tests/needs.py: what each test needs, its xdist work unit, and when it is handed out."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT
from tests.needs import (
    ENGINE,
    LONGEST,
    NEEDS,
    PER_TEST,
    group_of,
    needs_of,
    pytest_collection_modifyitems,
    start_order,
    start_rank,
)


@pytest.mark.parametrize(
    ("nodeid", "needs"),
    [
        ("tests/e2e/test_app.py::test_x", {"engine", "cli"}),
        ("tests/storm/test_quotas.py::test_x[a-b]", {"storm"}),
        ("tests/lifecycle/test_concurrency.py::test_x", {"storm"}),
        ("tests/lifecycle/test_create.py::test_x", set()),
        ("tests/e2e_other/test_x.py::test_x", set()),
        ("tests/handler/test_create.py::test_storm", set()),
    ],
)
def test_needs_of_by_folder_or_file_never_by_prefix_of_a_name(nodeid: str, needs: set[str]) -> None:
    assert needs_of(nodeid) == needs


def test_group_of_engine_tests_share_one_group_per_test_folders_by_test_others_by_module() -> None:
    assert group_of("tests/e2e/test_app.py::test_a") == ENGINE
    assert group_of("tests/e2e/test_retain.py::test_b") == ENGINE
    assert group_of("tests/lifecycle/test_create.py::test_a[x]") == (
        "tests/lifecycle/test_create.py::test_a[x]"
    )
    assert group_of("tests/lifecycle/test_concurrency.py::test_a") == (
        "tests/lifecycle/test_concurrency.py"
    )
    assert group_of("tests/template/test_cfn_lint.py::test_a") == "tests/template/test_cfn_lint.py"
    assert group_of("tests/storm/test_storm.py::test_a") == "tests/storm/test_storm.py"


def test_start_rank_engine_longest_per_test_other_storms_then_the_rest() -> None:
    ranks = [
        start_rank("tests/e2e/test_app.py::test_a"),
        start_rank("tests/storm/test_storm.py::test_a"),
        start_rank("tests/lifecycle/test_update.py::test_a"),
        start_rank("tests/lifecycle/test_concurrency.py::test_a"),
        start_rank("tests/template/test_app_template.py::test_a"),
    ]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 5


def test_start_order_longest_modules_in_their_listed_order() -> None:
    nodeids = [f"tests/{module}::test_a" for module in reversed(LONGEST)]
    assert sorted(nodeids, key=start_order) == [f"tests/{module}::test_a" for module in LONGEST]
    assert start_order("tests/template/test_cfn_lint.py::test_a")[0] == start_rank(
        "tests/storm/test_storm.py::test_a"
    )


def test_per_test_folders_exist() -> None:
    assert [name for name in PER_TEST if not (ROOT / "tests" / name).is_dir()] == []


def test_needs_every_path_named_exists() -> None:
    missing = [name for name in [*NEEDS, *LONGEST] if not (ROOT / "tests" / name).exists()]
    assert missing == []


@dataclass
class FakeItem:
    """What the hook reads and writes of a collected test."""

    nodeid: str
    marks: list[str] = field(default_factory=list)
    scopes: dict[str, str] = field(default_factory=dict)

    @property
    def _fixtureinfo(self) -> SimpleNamespace:
        """The fixtures the test uses, each with one definition of the scope given."""
        return SimpleNamespace(
            name2fixturedefs={
                name: [SimpleNamespace(scope=scope, func=collect)]
                for name, scope in self.scopes.items()
            }
        )

    def add_marker(self, name: str) -> None:
        self.marks.append(name)


def collect(
    nodeids: list[str], *, in_worker: bool, scopes: dict[str, str] | None = None
) -> list[FakeItem]:
    """Run the collection hook on fake tests, as the controller or as an xdist worker."""
    config = SimpleNamespace(workerinput={}) if in_worker else SimpleNamespace()
    items = [FakeItem(nodeid, scopes=dict(scopes or {})) for nodeid in nodeids]
    pytest_collection_modifyitems(config, items)  # type: ignore[arg-type]
    return items


NODEIDS = [
    "tests/construct/test_a.py::test_a",
    "tests/e2e/test_app.py::test_a",
    "tests/lifecycle/test_concurrency.py::test_a",
    "tests/lifecycle/test_update.py::test_a",
    "tests/storm/test_storm.py::test_a",
]


def test_collection_marks_each_test_with_its_needs_order_kept_outside_xdist() -> None:
    items = collect(NODEIDS, in_worker=False)

    assert [(item.nodeid, item.marks) for item in items] == [
        ("tests/construct/test_a.py::test_a", []),
        ("tests/e2e/test_app.py::test_a", ["cli", "engine"]),
        ("tests/lifecycle/test_concurrency.py::test_a", ["storm"]),
        ("tests/lifecycle/test_update.py::test_a", []),
        ("tests/storm/test_storm.py::test_a", ["storm"]),
    ]


def test_collection_in_xdist_worker_engine_longest_per_test_storms_rest() -> None:
    items = collect(NODEIDS, in_worker=True)

    assert [item.nodeid for item in items] == [
        "tests/e2e/test_app.py::test_a",
        "tests/storm/test_storm.py::test_a",
        "tests/lifecycle/test_update.py::test_a",
        "tests/lifecycle/test_concurrency.py::test_a",
        "tests/construct/test_a.py::test_a",
    ]


@pytest.mark.parametrize("scope", ["module", "class", "package"])
def test_collection_per_test_folder_sharing_a_narrower_fixture_refused(scope: str) -> None:
    with pytest.raises(pytest.UsageError, match=r"test_update.py::test_a shares table .*PER_TEST"):
        collect(["tests/lifecycle/test_update.py::test_a"], in_worker=True, scopes={"table": scope})


def test_collection_per_test_folder_session_and_function_fixtures_accepted() -> None:
    scopes = {"harness": "session", "life": "function"}
    (item,) = collect(["tests/lifecycle/test_update.py::test_a"], in_worker=True, scopes=scopes)
    assert item.marks == []
    modules = collect(["tests/construct/test_a.py::test_a"], in_worker=True, scopes={"m": "module"})
    assert modules[0].marks == []
