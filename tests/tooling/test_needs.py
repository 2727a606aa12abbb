"""tests/needs.py: what each test needs, its xdist work unit, and when it is handed out."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT
from tests.needs import (
    ENGINE,
    LONGEST,
    LONGEST_WAITS,
    NEEDS,
    PER_TEST,
    WAITING,
    choose_unit,
    cpu_count,
    engine_workers,
    group_of,
    needs_of,
    pytest_collection_modifyitems,
    pytest_xdist_make_scheduler,
    start_order,
    start_rank,
    wait_lanes,
    waiting_workers,
    waits,
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
    assert [name for name in WAITING if name not in PER_TEST] == []


def test_longest_waits_each_names_a_test_that_exists_and_waits() -> None:
    for test in LONGEST_WAITS:
        path, name = test.split("::")
        assert f"def {name}(" in (ROOT / "tests" / path).read_text(), test
        assert waits(f"tests/{test}"), test


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/lifecycle/test_update.py::test_a[x]", True),
        ("tests/chat/test_local_connect_chat.py::test_a", True),
        ("tests/flows/test_local_flows.py::test_a", True),
        ("tests/lifecycle/test_concurrency.py::test_a", False),
        ("tests/handler/test_create.py::test_a", False),
        ("tests/construct/test_provider.py::test_a", False),
        ("tests/e2e/test_app.py::test_a", False),
    ],
)
def test_waits_only_per_test_tests_of_waiting_folders_not_storms(
    nodeid: str, expected: bool
) -> None:
    assert waits(nodeid) is expected


def test_start_order_longest_modules_then_longest_waits_in_listed_order_then_the_rest() -> None:
    other = "tests/lifecycle/test_create.py::test_a"
    listed = [f"tests/{test}" for test in LONGEST_WAITS]
    modules = [f"tests/{module}::test_a" for module in LONGEST]
    order = [*modules, *listed, other]
    assert sorted(reversed(order), key=start_order) == order


@pytest.mark.parametrize(
    ("workers", "cpus", "lanes"), [(4, 2, 2), (5, 2, 3), (4, 3, 1), (4, 4, 4), (2, 8, 2), (1, 1, 1)]
)
def test_wait_lanes_workers_beyond_the_cpus_or_all_when_no_more_than_cpus(
    workers: int, cpus: int, lanes: int
) -> None:
    assert wait_lanes(workers, cpus) == lanes


def test_cpu_count_the_cpus_this_process_may_use() -> None:
    assert 1 <= cpu_count() <= (os.cpu_count() or 1)


WAITS = "tests/lifecycle/test_update.py::test_a"
HANDLER = "tests/handler/test_create.py::test_a"
MODULE = "tests/construct/test_provider.py::test_a"


@pytest.mark.parametrize(
    ("firsts", "waiting_elsewhere", "engines", "chosen"),
    [
        # The engine's tests go first, whatever the lanes, wherever they are (a crashed worker's
        # go back to the end); a LONGEST module is the first of its kind, and a free lane takes
        # a test that waits before it.
        (["tests/e2e/test_app.py::test_a", WAITS], 0, 0, 0),
        ([WAITS, MODULE, "tests/e2e/test_app.py::test_a"], 0, 0, 2),
        (["tests/storm/test_storm.py::test_a", WAITS], 0, 0, 1),
        (["tests/storm/test_storm.py::test_a", WAITS], 2, 0, 0),
        # A lane free: the first test that waits; none free: the first unit that does not.
        ([HANDLER, WAITS, MODULE], 1, 0, 1),
        ([HANDLER, WAITS, MODULE], 2, 0, 0),
        ([WAITS, MODULE], 2, 0, 1),
        # No lane free, tests waiting in them: the longest wait too waits for a lane (make check).
        ([f"tests/{LONGEST_WAITS[0]}", MODULE], 2, 0, 1),
        # The engines hold the lanes (make test): the longest, in turn, even a test that waits
        # (it must not be left last), while the tests that wait beside them stay within the lanes.
        ([f"tests/{LONGEST_WAITS[0]}", MODULE], 2, 2, 0),
        ([f"tests/{LONGEST_WAITS[0]}", MODULE], 2, 1, 0),
        ([f"tests/{LONGEST_WAITS[0]}", MODULE], 3, 2, 0),
        ([f"tests/{LONGEST_WAITS[0]}", MODULE], 4, 2, 1),
        ([WAITS, MODULE], 2, 2, 1),
        # The kind wanted has run out: the other.
        ([WAITS, WAITS], 2, 0, 0),
        ([MODULE, HANDLER], 0, 0, 0),
    ],
)
def test_choose_unit_engine_first_then_waits_in_free_lanes_else_the_rest(
    firsts: list[str], waiting_elsewhere: int, engines: int, chosen: int
) -> None:
    assert choose_unit(firsts, waiting_elsewhere, lanes=2, engines=engines) == chosen


def test_waiting_workers_count_workers_with_a_waiting_or_engine_test_not_done() -> None:
    engine = "tests/e2e/test_app.py::test_a"
    works = [
        {WAITS: {WAITS: False}},  # runs a test that waits
        {ENGINE: {engine: True, "tests/e2e/test_retain.py::test_a": False}},  # runs an engine
        {ENGINE: {engine: True}},  # its engine's tests are done
        {WAITS: {WAITS: True}, MODULE: {MODULE: False}},  # its waiting test is done
        {"tests/construct/test_provider.py": {MODULE: False, HANDLER: False}},
        {},
        {
            "tests/lifecycle/test_create.py::test_b": {
                "tests/lifecycle/test_create.py::test_b": False
            }
        },
    ]
    assert waiting_workers(works) == 3
    assert engine_workers(works) == 1


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


@dataclass(eq=False)
class FakeNode:
    """What the scheduler calls on an xdist worker: the indexes of the tests it sends."""

    sent: list[list[int]] = field(default_factory=list)
    shutting_down: bool = False

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.sent.append(indexes)


def test_scheduler_free_lane_takes_a_waiting_test_then_lanes_full_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tests.needs.cpu_count", lambda: 2)
    config = SimpleNamespace(getvalue=lambda name: ["4*popen"], option=SimpleNamespace())
    scheduler = pytest_xdist_make_scheduler(config, None)  # type: ignore[arg-type]
    other_wait = "tests/chat/test_local_connect_chat.py::test_b"
    collection = [MODULE, WAITS, other_wait, HANDLER]
    nodes = [FakeNode() for _ in range(4)]
    for node in nodes:
        scheduler.registered_collections[node] = collection
        scheduler.assigned_work[node] = {}
    scheduler.assigned_work[nodes[0]] = {other_wait: {other_wait: False}}  # a lane in use
    for unit in (MODULE, WAITS, HANDLER):
        scheduler.workqueue[unit] = {unit: False}

    scheduler._assign_work_unit(nodes[1])  # one lane of two free: the waiting test
    scheduler._assign_work_unit(nodes[2])  # both lanes in use: the module, in the queue's order

    assert nodes[1].sent == [[collection.index(WAITS)]]
    assert nodes[2].sent == [[collection.index(MODULE)]]
    assert list(scheduler.workqueue) == [HANDLER]
    assert scheduler.assigned_work[nodes[1]] == {WAITS: {WAITS: False}}


@pytest.mark.parametrize(("engine_running", "taken"), [(True, 0), (False, 1)])
def test_scheduler_lanes_full_longest_wait_beside_engines_only(
    monkeypatch: pytest.MonkeyPatch, engine_running: bool, taken: int
) -> None:
    monkeypatch.setattr("tests.needs.cpu_count", lambda: 2)
    config = SimpleNamespace(getvalue=lambda name: ["4*popen"], option=SimpleNamespace())
    scheduler = pytest_xdist_make_scheduler(config, None)  # type: ignore[arg-type]
    longest_wait = f"tests/{LONGEST_WAITS[0]}"
    engine = "tests/e2e/test_app.py::test_a"
    other_wait = "tests/chat/test_local_connect_chat.py::test_b"
    lane_holder = engine if engine_running else other_wait
    collection = [longest_wait, MODULE, WAITS, engine, other_wait]
    nodes = [FakeNode() for _ in range(4)]
    for node in nodes:
        scheduler.registered_collections[node] = collection
        scheduler.assigned_work[node] = {}
    scheduler.assigned_work[nodes[0]] = {lane_holder: {lane_holder: False}}
    scheduler.assigned_work[nodes[1]] = {WAITS: {WAITS: False}}
    for unit in (longest_wait, MODULE):
        scheduler.workqueue[unit] = {unit: False}

    scheduler._assign_work_unit(nodes[2])  # both lanes in use

    assert nodes[2].sent == [[collection.index([longest_wait, MODULE][taken])]]
