"""What each test needs beyond Python, marked by folder, and how pytest-xdist shares it out.

`make check` runs the tests that need none of NEEDS; `make test` runs them all in pytest-xdist
workers. A new folder that needs the engine, a storm or a CLI joins with one line in NEEDS.

Under xdist the tests of one module run in one worker, one after another (they share its module
fixtures); the tests of PER_TEST folders are each a unit of their own; and the tests that need the
engine run in two workers, each of which starts an engine of its own (tests/engine.py) for its
share (SECOND_ENGINE). The engine's tests are handed out first; then, while workers outnumber
the CPUs, at most wait_lanes() workers at once (the engines' among them) run tests that mostly
wait (WAITING), and the others keep the CPUs busy (choose_unit); within each kind the longest
first and the short modules last (start_order). Only beside the engines do the longest waits go
in their turn with the lanes full, up to wait_lanes() of them.

The scheduler below does what `--dist loadgroup` with `xdist_group` marks would, had pytest-xdist
3.8.0's loadgroup not lost its groups under pytest 9 (it renames `item._nodeid`, which pytest 9
no longer reads).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pytest

# By path under tests/: a folder, or one file.
#   engine: the local engine and local Connect of tests/engine.py (its fixtures `session`, `cli`)
#   storm:  many processes or streams at once against Connect's quotas; long, and timing-bound
#   cli:    a tool run as a program: the cdk CLI, pip building and installing the package
NEEDS: dict[str, tuple[str, ...]] = {
    "e2e": ("engine", "cli"),
    "storm": ("storm",),
    "lifecycle/test_concurrency.py": ("storm",),
    "packaging": ("cli",),
    "acceptance": ("engine", "cli"),
    # Every Python block of the docs, each a program synthesized in a process of its own.
    "docs/test_python_blocks.py": ("cli",),
    "views/test_consumer_views.py": ("engine",),
    "views/test_views_on_local_connect.py": ("engine",),
    # The quota lookup as a program, with the engine's STS for the account.
    "quota_lookup/test_command.py": ("engine", "cli"),
}
# Modules that take longest, longest first (a storm of minutes, then the longest of make check's):
# the first of their kind after the engine's tests, so that none is left running alone at the end.
LONGEST: tuple[str, ...] = (
    "storm/test_storm.py",
    "scale/test_many_streams.py",
    "template/test_per_chat_example_template.py",
    "template/test_cfn_lint.py",
    "flow/test_flow_handler.py",
    "template/test_cloudformation_validation.py",
)
# Folders whose tests share no fixture narrower than the session's, and are quick or mostly wait
# (on deadlines, retries' backoffs, stand-ins): each test is a work unit of its own, so that the
# waits spread over the workers (WAITING). Their storms keep to one worker by module.
PER_TEST: tuple[str, ...] = ("lifecycle", "chat", "flows", "handler")
# PER_TEST folders whose tests mostly wait (on botocore's backoffs, deadlines, stand-ins): at most
# wait_lanes() workers at once take them, the others the rest; each worker takes the other kind
# when its own has run out. Handed out freely, they came all at once and left the CPUs idle.
WAITING: tuple[str, ...] = ("lifecycle", "chat", "flows")
# The WAITING tests that wait longest, longest first, so that none is left running alone at the
# end: three wait out botocore's backoff over ten attempts (random, up to 20 s between two; 7 to
# 20 s in all), three a Lambda function's deadline (about 4 s).
LONGEST_WAITS: tuple[str, ...] = (
    "lifecycle/test_update.py::"
    "test_update_start_unanswered_failed_keeps_old_id_and_leaves_only_old_stream",
    "lifecycle/test_json_logs.py::test_json_logs_create_unknown_outcome_pending_token_never_logged",
    "lifecycle/test_create_failures.py::"
    "test_create_500s_past_retries_failed_pending_id_and_delete_leaves_nothing",
    "lifecycle/test_timeout.py::"
    "test_create_connect_hangs_failed_before_deadline_then_rollback_stops_late_stream",
    "lifecycle/test_json_logs.py::test_json_logs_crhelper_timeout_answer_fields",
    "lifecycle/test_timeout.py::"
    "test_update_throttled_past_connect_deadline_failed_in_time_keeps_old_id",
)
SHARED_SCOPES = frozenset({"session"})
ENGINE = "engine"
LONGEST_RANK = 1
# The engine's tests share out over two engines, each started (fixture `session`) by the one
# worker that runs its tests, one after another: these folders and files on the second, the rest
# on the first. Balanced by the time each takes under `make test` (about 140 s and 165 s).
SECOND_ENGINE: tuple[str, ...] = (
    "acceptance",
    "views",
    "quota_lookup/test_command.py",
    "e2e/test_upgrade.py",
)
SECOND_ENGINE_GROUP = "engine-2"
ENGINE_FIXTURES_MODULE = "tests.engine"


def listed(nodeid: str, paths: Iterable[str]) -> list[str]:
    """The paths (folders or files under tests/) a test's node id lies in."""
    relative = nodeid.split("::", 1)[0].removeprefix("tests/")
    return [path for path in paths if relative == path or relative.startswith(f"{path}/")]


def needs_of(nodeid: str) -> set[str]:
    """What NEEDS gives a test, from its node id (`tests/<folder>/<file>.py::<name>`)."""
    return {need for path in listed(nodeid, NEEDS) for need in NEEDS[path]}


def per_test(nodeid: str) -> bool:
    """Whether a test is a work unit of its own (in a PER_TEST folder, and not a storm)."""
    folder = nodeid.removeprefix("tests/").split("/", 1)[0]
    return folder in PER_TEST and "storm" not in needs_of(nodeid)


def waits(nodeid: str) -> bool:
    """Whether a test mostly waits: a test of its own (PER_TEST) in a WAITING folder."""
    return per_test(nodeid) and bool(listed(nodeid, WAITING))


def group_of(nodeid: str) -> str:
    """The xdist work unit of a test: its engine's, the test itself (PER_TEST), or its module's."""
    if ENGINE in needs_of(nodeid):
        return SECOND_ENGINE_GROUP if listed(nodeid, SECOND_ENGINE) else ENGINE
    return nodeid if per_test(nodeid) else nodeid.split("::", 1)[0]


def narrow_shared_fixtures(item: pytest.Item) -> list[str]:
    """The fixtures of a test that outlive it but not the session (module, class, package)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    return sorted(
        name
        for name, definitions in info.name2fixturedefs.items()
        for definition in definitions
        if definition.scope not in SHARED_SCOPES | {"function"}
    )


def uses_engine(item: pytest.Item) -> bool:
    """Whether a test's fixtures (and theirs) include one of tests/engine.py's."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        definition.func.__module__ == ENGINE_FIXTURES_MODULE
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with what it needs; in an xdist worker, order the tests by start_rank."""
    for item in items:
        needs = needs_of(item.nodeid)
        if uses_engine(item) and ENGINE not in needs:
            raise pytest.UsageError(
                f"{item.nodeid} uses the local engine: add its folder to NEEDS in {__file__}"
            )
        shared = narrow_shared_fixtures(item) if per_test(item.nodeid) else []
        if shared:
            raise pytest.UsageError(
                f"{item.nodeid} shares {', '.join(shared)} with other tests, but its folder is"
                f" in PER_TEST in {__file__}: make the fixture session- or function-scoped"
            )
        for need in sorted(needs):
            item.add_marker(need)
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: start_order(item.nodeid))


def longest_place(nodeid: str) -> int | None:
    """A test's place among the longest: its module's in LONGEST, then its own in LONGEST_WAITS."""
    module = nodeid.split("::", 1)[0].removeprefix("tests/")
    test = nodeid.split("[", 1)[0].removeprefix("tests/")
    if module in LONGEST:
        return LONGEST.index(module)
    if test in LONGEST_WAITS:
        return len(LONGEST) + LONGEST_WAITS.index(test)
    return None


def start_order(nodeid: str) -> tuple[int, int]:
    """The sort key of the hand-out: start_rank, then the place among the longest."""
    place = longest_place(nodeid)
    return start_rank(nodeid), len(LONGEST) + len(LONGEST_WAITS) if place is None else place


def start_rank(nodeid: str) -> int:
    """When xdist hands a test out (lowest first).

    The engine's tests (two workers, a long run each), then the LONGEST modules and the
    LONGEST_WAITS tests, so that no worker is left with minutes to go at the end; then the
    PER_TEST tests; then the other storms (up to half a minute each), which thus start once the
    engines are up (the many processes a storm starts at once would slow the engines' start-up
    checks, which are bounded in time); the short modules last, to fill the end. A free lane
    takes the first test that mostly waits before its turn (choose_unit).
    """
    needs = needs_of(nodeid)
    if ENGINE in needs:
        return 0
    if longest_place(nodeid) is not None:
        return LONGEST_RANK
    if "storm" in needs:
        return 3
    return 2 if per_test(nodeid) else 4


def wait_lanes(workers: int, cpus: int) -> int:
    """How many workers may run WAITING tests at once: those beyond the CPUs, or all of them.

    A waiting worker leaves a CPU idle only when another worker could have used it: with no more
    workers than CPUs, none could, and every worker may wait.
    """
    return workers - cpus if workers > cpus else workers


def cpu_count() -> int:
    """The CPUs this process may run on (all of the machine's where the OS cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


Work = Mapping[str, Mapping[str, bool]]


def waiting_workers(works: Iterable[Work]) -> int:
    """How many workers' work (unit -> test -> done) holds a test not yet done that mostly waits.

    The engine's tests count: an engine's worker waits on CloudFormation most of its run.
    """
    return sum(
        holds(work, lambda nodeid: waits(nodeid) or ENGINE in needs_of(nodeid)) for work in works
    )


def engine_workers(works: Iterable[Work]) -> int:
    """How many workers' work holds an engine's test not yet done."""
    return sum(holds(work, lambda nodeid: ENGINE in needs_of(nodeid)) for work in works)


def holds(work: Work, kind: Callable[[str], bool]) -> bool:
    """Whether a worker's work holds a test of a kind not yet done."""
    return any(not done and kind(nodeid) for unit in work.values() for nodeid, done in unit.items())


def choose_unit(firsts: Sequence[str], waiting_elsewhere: int, lanes: int, engines: int = 0) -> int:
    """The index of the work unit a worker takes next, of the queue's units (a test of each).

    An engine's tests first, wherever they are in the queue (xdist puts a crashed worker's work
    back at its end). Then, if fewer than `lanes` other workers wait (`waiting_elsewhere`, the
    `engines` that run an engine's tests among them), the first unit that mostly waits. Else
    the first unit that does not wait; but while the queue starts with the longest units
    (start_rank) and the engines hold lanes that tests would otherwise have (`make test`), the
    queue's first, even a test that waits, so that it is not left for the end: the tests that
    wait stay within `lanes` beside the engines. The queue's first when no unit of the kind
    wanted is left.
    """
    engine = next((index for index, first in enumerate(firsts) if ENGINE in needs_of(first)), None)
    if engine is not None:
        return engine
    wanted = waiting_elsewhere < lanes
    beside_engines = waiting_elsewhere - engines < lanes
    if not wanted and beside_engines and start_rank(firsts[0]) == LONGEST_RANK:
        return 0
    return next((index for index, first in enumerate(firsts) if waits(first) == wanted), 0)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Hand out work by group_of: whole modules or tests, each engine's tests to one worker."""
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    cpus = cpu_count()

    class NeedsScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            others = [work for other, work in self.assigned_work.items() if other is not node]
            firsts = [next(iter(unit)) for unit in self.workqueue.values()]
            lanes = wait_lanes(len(self.assigned_work), cpus)
            waiting, engines = waiting_workers(others), engine_workers(others)
            chosen = list(self.workqueue)[choose_unit(firsts, waiting, lanes, engines)]
            self.workqueue.move_to_end(chosen, last=False)
            super()._assign_work_unit(node)

    # Keep start_rank's order: by default xdist hands out the modules with most tests first.
    config.option.loadscopereorder = False
    return NeedsScheduling(config, log)
