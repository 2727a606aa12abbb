"""A storm: deploy and destroy a stack of N streams while live chats start streams of their own.

`synthesize(N)` builds the stack of standins/scale_stack.py (the scale benchmark's), in a fresh
process. `run_storm` starts a Connect stand-in at Connect's default quotas and the HTTPS response
endpoint, adds the stack's contacts, deploys the stack on the local CloudFormation engine with the
live-chat caller running, then destroys it with the caller running, and returns figures per
phase. When the deploy rolled back, the streams it left are stopped and the stack is first created
without quotas (as after a quota increase), so the destroy is always measured on a complete stack.

Usage: `python -m standins.storm --synth N` prints the folder of a synthesized cloud assembly.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from standins.connect import STACK_CALLER, START, STOP, Call, ConnectStandIn
from standins.fresh import run_fresh
from standins.livechat import LiveChatCaller, LiveChatFigures
from standins.response_endpoint import ResponseEndpoint
from standins.stack_engine import CREATED, Phase, StackEngine, memory_size
from standins.template import RESOURCE_TYPE, Template, load_stack

SYNTH_TIMEOUT_S = 300
WINDOW_S = 1.0


@dataclass(frozen=True)
class PhaseFigures:
    """What one phase of a storm did to the stack, to Connect and to the live chats."""

    phase: str
    streams: int
    seconds: float
    stack_calls: dict[str, int]
    stack_throttled: int
    failed: int
    rolled_back: bool
    rollback_failed: int
    left_running: int
    busiest_second: dict[str, int]
    live_chat: LiveChatFigures
    invocations: int
    lambda_throttles: int
    sandboxes: int
    fork_seconds: float
    sandbox_mb: float
    peak_concurrency: int = 0
    busy_seconds: float = 0.0
    """Invocation time summed over the phase's invocations (Lambda bills it times the memory)."""
    memory_mb: int = 0
    """The function's MemorySize."""
    resource_seconds: float = 0.0
    """CloudFormation's own time per custom resource before invoking it (the engine's setting)."""
    allowed_per_second: float = 0.0
    """The stack's share of the phase's quota, from the provider's environment (0: unpaced)."""
    prepared: str = ""
    reasons: tuple[str, ...] = ()


def allowed_rate(engine: StackEngine, phase: str) -> float:
    """The calls a second the stack's share allows in `phase` (0 when the stack is not paced)."""
    name = {"deploy": "PACE_START_PER_SECOND", "destroy": "PACE_STOP_PER_SECOND"}.get(phase, "")
    return float(engine.function.environment.get(name, 0))


def synthesize(count: int) -> Path:
    """A cloud assembly with one stack of `count` ContactStreaming streams, from a fresh process."""
    return Path(run_fresh("-m", "standins.storm", "--synth", str(count), timeout=SYNTH_TIMEOUT_S))


def synth_main(count: int) -> None:
    """Build and synthesize the scale benchmark's stack; print the assembly's folder."""
    from standins.scale_stack import streams_app

    print(streams_app(count).synth().directory)


def busiest_second(calls: list[Call]) -> int:
    """The most calls in any window of WINDOW_S seconds."""
    times = sorted(call.at for call in calls)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= WINDOW_S:
            first += 1
        most = max(most, last - first + 1)
    return most


class Storm:
    """The stand-ins, the engine and the caller for one stack; figures for each phase."""

    def __init__(
        self,
        cdk_out: Path,
        connect: ConnectStandIn,
        endpoint: ResponseEndpoint,
        resource_seconds: float = 0.0,
    ) -> None:
        self.body, self.asset = load_stack(cdk_out)
        self.resource_seconds = resource_seconds
        self.connect = connect
        self.endpoint = endpoint
        template = Template(self.body, {})
        self.contacts = sorted(
            {
                (str(props["InstanceId"]), str(props["ContactId"]))
                for resource in self.body["Resources"].values()
                if resource["Type"] == RESOURCE_TYPE
                for props in [template.resolve(resource["Properties"])]
            }
        )
        for instance_id, contact_id in self.contacts:
            connect.add_contact(instance_id, contact_id)

    def engine(self) -> StackEngine:
        """A new stack on the local CloudFormation."""
        return StackEngine(
            self.body,
            self.asset,
            endpoint=self.endpoint,
            connect_url=self.connect.url,
            resource_seconds=self.resource_seconds,
        )

    def stack_streams(self) -> set[str]:
        """StreamingIds running on the stack's contacts."""
        contacts = set(self.contacts)
        return {
            s.streaming_id
            for s in self.connect.active_streams()
            if (s.instance_id, s.contact_id) in contacts
        }

    def end_stray_streams(self) -> None:
        """Stop every stream on the stack's contacts, as an operator would after a failure."""
        for instance_id, contact_id in self.contacts:
            self.connect.end_contact(instance_id, contact_id)
            self.connect.add_contact(instance_id, contact_id)

    def measure(self, engine: StackEngine, phase_name: str, prepared: str = "") -> PhaseFigures:
        """Run one phase with the live-chat caller running; return its figures."""
        first_call = len(self.connect.calls)
        caller = LiveChatCaller(self.connect).start()
        try:
            phase = engine.deploy() if phase_name == "deploy" else engine.destroy()
            sandbox_mb = engine.lambda_.memory_mb()
        finally:
            live_chat = caller.stop()
        calls = [
            c
            for c in self.connect.calls[first_call:]
            if c.caller == STACK_CALLER and c.at <= phase.ended
        ]
        return self.figures(engine, phase, calls, live_chat, sandbox_mb, prepared)

    def figures(
        self,
        engine: StackEngine,
        phase: Phase,
        calls: list[Call],
        live_chat: LiveChatFigures,
        sandbox_mb: float,
        prepared: str,
    ) -> PhaseFigures:
        """Figures of a finished phase."""
        recorded = {
            str(r.data.get("StreamingId")) for r in engine.resources.values() if r.status == CREATED
        }
        stats = phase.lambda_stats
        failed = phase.failed + phase.rollback_failed
        return PhaseFigures(
            phase=phase.name,
            streams=len(engine.resources),
            seconds=phase.seconds,
            stack_calls={op: sum(1 for c in calls if c.operation == op) for op in (START, STOP)},
            stack_throttled=sum(1 for c in calls if c.status == 429),
            failed=len(phase.failed),
            rolled_back=phase.rolled_back,
            rollback_failed=len(phase.rollback_failed),
            left_running=len(self.stack_streams() - recorded),
            busiest_second={
                op: busiest_second([c for c in calls if c.operation == op]) for op in (START, STOP)
            },
            live_chat=live_chat,
            invocations=stats.invocations,
            lambda_throttles=stats.throttles,
            sandboxes=stats.cold_starts,
            fork_seconds=stats.fork_seconds,
            sandbox_mb=sandbox_mb,
            peak_concurrency=stats.peak_concurrency,
            busy_seconds=stats.busy_seconds,
            memory_mb=memory_size(engine.body),
            resource_seconds=engine.resource_seconds,
            allowed_per_second=allowed_rate(engine, phase.name),
            prepared=prepared,
            reasons=tuple(sorted({event.reason for event in failed}))[:5],
        )

    def run(self) -> list[PhaseFigures]:
        """Deploy, then destroy a complete stack, each with the caller running."""
        self.connect.set_quotas()
        with self.engine() as engine:
            deploy = self.measure(engine, "deploy")
            if not deploy.rolled_back and deploy.left_running == 0:
                return [deploy, self.measure(engine, "destroy")]
        self.end_stray_streams()
        with self.engine() as complete:
            self.connect.set_quotas({})
            prepared = complete.deploy()
            if prepared.failed:
                raise RuntimeError(f"the stack did not deploy even without quotas: {prepared}")
            self.connect.set_quotas()
            note = "created without quotas first"
            return [deploy, self.measure(complete, "destroy", note)]


@contextmanager
def stand_ins() -> Iterator[tuple[ConnectStandIn, ResponseEndpoint]]:
    """A Connect stand-in and a response endpoint, stopped afterwards."""
    connect = ConnectStandIn().start()
    endpoint = ResponseEndpoint().start()
    try:
        yield connect, endpoint
    finally:
        connect.stop()
        endpoint.stop()


def run_storm(count: int, resource_seconds: float = 0.0) -> list[PhaseFigures]:
    """Synthesize a stack of `count` streams and play its storm; figures for deploy and destroy.

    `resource_seconds` is CloudFormation's own time per custom resource before invoking it.
    """
    cdk_out = synthesize(count)
    try:
        with stand_ins() as (connect, endpoint):
            return Storm(cdk_out, connect, endpoint, resource_seconds).run()
    finally:
        shutil.rmtree(cdk_out, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["--synth"] or len(sys.argv) != 3:
        sys.exit(__doc__)
    synth_main(int(sys.argv[2]))
