"""Rehearse the stack's life on this machine: no AWS account, no deployment.

Reads the synthesized template in cdk.out, resolves each Custom::ContactStreaming resource's
properties with fake parameter values, imports the handler from the synthesized Lambda asset, and
plays create; an update that moves each stream to another contact and rolls back; the same update
again (and CloudFormation's cleanup Delete of the old stream); and delete, against the local
Connect, CloudFormation API and response endpoint stand-ins, with the stack status of each phase
set. The rollback is played under reading (3) of docs/rollback.md: an Update of the new id with
the old properties, whose answer CloudFormation records, then the Delete of the new id only if the
answer differs from it. The handler answers the old id itself, so this is reading (2) as well.
Prints a timeline; exits 1 if any step misbehaves.

Usage: python -m standins.rehearse [cdk.out]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from standins.connect import ACTIVE
from standins.events import STACK_ID
from standins.harness import Harness, Outcome, running_harness
from standins.template import (
    RESOURCE_TYPE,
    Template,
    TemplateError,
    load_stack,
    provider_function_id,
)

# Fake values for the stack's parameters; the second ContactId is where the update moves to.
PARAMETERS = {
    "InstanceId": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "ContactId": "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c",
}
MOVED_CONTACT_ID = "7c6b5a49-3827-4160-9f5e-4d3c2b1a0f9e"


class RehearsalError(TemplateError):
    """A step did not do what CloudFormation and the design expect."""


@dataclass
class Step:
    """One event of the rehearsal and what came of it."""

    event: str
    resource: str
    stack_status: str
    calls: str
    status: str
    ms: float


class Rehearsal:
    """Plays the lifecycle and keeps the timeline."""

    def __init__(self, harness: Harness, body: dict[str, Any], timeout_s: float) -> None:
        self.harness = harness
        self.body = body
        self.timeout_s = timeout_s
        self.timeline: list[Step] = []

    def properties(self, parameters: dict[str, str]) -> dict[str, dict[str, Any]]:
        """Each custom resource's resolved properties under `parameters`."""
        template = Template(self.body, parameters)
        return {
            logical_id: template.resolve(resource["Properties"])
            for logical_id, resource in self.body["Resources"].items()
            if resource["Type"] == RESOURCE_TYPE
        }

    def send(self, label: str, logical_id: str, request_type: str, **fields: Any) -> Outcome:
        """Send one event; record the Connect calls it caused, its answer and its time."""
        before, reads_before = len(self.harness.connect.calls), len(self.harness.stacks.calls)
        outcome = self.harness.send(
            request_type, logical_id=logical_id, timeout_s=self.timeout_s, **fields
        )
        calls = ", ".join(
            f"{call.operation} {call.status}" for call in self.harness.connect.calls[before:]
        )
        read = ", ".join(call.answer for call in self.harness.stacks.calls[reads_before:])
        status = str(outcome.body["Status"])
        self.timeline.append(
            Step(
                label,
                logical_id,
                read or "(not read)",
                calls or "(none)",
                status,
                outcome.elapsed_ms,
            )
        )
        if status != "SUCCESS" or len(outcome.responses) != 1:
            raise RehearsalError(f"{label} of {logical_id}: {status} {outcome.body['Reason']!r}")
        return outcome

    def expect_streams(self, wanted: set[tuple[str, str, str]], after: str) -> None:
        """Fail unless exactly these (instance, contact, endpoint) streams are running."""
        running = {
            (s.instance_id, s.contact_id, s.endpoint_arn)
            for s in self.harness.connect.active_streams()
        }
        if running != wanted:
            raise RehearsalError(f"after {after}: streams running {running}, expected {wanted}")

    def play(self) -> None:
        """Create; an update that moves the stream and rolls back; that update again; delete."""
        moved = {**PARAMETERS, "ContactId": MOVED_CONTACT_ID}
        first, second = self.properties(PARAMETERS), self.properties(moved)
        for contact in (PARAMETERS["ContactId"], MOVED_CONTACT_ID):
            self.harness.connect.add_contact(PARAMETERS["InstanceId"], contact, ACTIVE)
        self.harness.stacks.set_status(STACK_ID, "CREATE_IN_PROGRESS")
        created = {lid: self.send("Create", lid, "Create", props=p) for lid, p in first.items()}
        self.expect_streams({target(p) for p in first.values()}, "create")
        replaced = self.move(first, second, created)
        recorded = self.roll_back(first, second, created, replaced)
        self.expect_streams({target(p) for p in first.values()}, "rollback")
        updated = self.move(first, second, recorded)
        self.delete("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "update cleanup", second, recorded)
        self.expect_streams({target(p) for p in second.values()}, "update")
        self.delete("DELETE_IN_PROGRESS", "stack delete", second, updated)
        self.expect_streams(set(), "delete")

    def roll_back(
        self,
        first: dict[str, dict[str, Any]],
        second: dict[str, dict[str, Any]],
        created: dict[str, Outcome],
        replaced: dict[str, Outcome],
    ) -> dict[str, Outcome]:
        """Roll `replaced` back to `first` under reading (3); what CloudFormation then records."""
        self.harness.stacks.set_status(STACK_ID, "UPDATE_ROLLBACK_IN_PROGRESS")
        recorded, superseded = {}, {}
        for lid, props in first.items():
            new_id = replaced[lid].body["PhysicalResourceId"]
            recorded[lid] = self.send(
                "Update (rollback)",
                lid,
                "Update",
                props=props,
                old_props=second[lid],
                physical_id=new_id,
            )
            answer = recorded[lid].body["PhysicalResourceId"]
            if answer != created[lid].body["PhysicalResourceId"]:
                raise RehearsalError(f"the rollback's Update of {lid} did not answer the old id")
            if answer != new_id:
                superseded[lid] = second[lid]
        self.delete(
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "rollback cleanup", superseded, replaced
        )
        return recorded

    def move(
        self,
        first: dict[str, dict[str, Any]],
        second: dict[str, dict[str, Any]],
        created: dict[str, Outcome],
    ) -> dict[str, Outcome]:
        """A deliberate update of each resource from `first` to `second` (a new stream each)."""
        self.harness.stacks.set_status(STACK_ID, "UPDATE_IN_PROGRESS")
        updated = {}
        for lid, props in second.items():
            old_id = created[lid].body["PhysicalResourceId"]
            updated[lid] = self.send(
                "Update (move contact)",
                lid,
                "Update",
                props=props,
                old_props=first[lid],
                physical_id=old_id,
            )
            if updated[lid].body["PhysicalResourceId"] == old_id:
                raise RehearsalError(f"update of {lid} kept the old PhysicalResourceId")
        return updated

    def delete(
        self,
        stack_status: str,
        label: str,
        props: dict[str, dict[str, Any]],
        recorded: dict[str, Outcome],
    ) -> None:
        """Delete each resource's id in `recorded`, the stack being in `stack_status`."""
        self.harness.stacks.set_status(STACK_ID, stack_status)
        for lid, resource_props in props.items():
            physical_id = recorded[lid].body["PhysicalResourceId"]
            self.send(
                f"Delete ({label})",
                lid,
                "Delete",
                props=resource_props,
                physical_id=physical_id,
            )

    def print_timeline(self) -> None:
        """Print the timeline as a table."""
        print(
            f"{'event':<27}{'resource':<19}{'stack status read':<29}{'Connect calls':<30}"
            f"{'status':<8}{'ms':>6}"
        )
        for step in self.timeline:
            print(
                f"{step.event:<27}{step.resource:<19}{step.stack_status:<29}{step.calls:<30}"
                f"{step.status:<8}{step.ms:>6.0f}"
            )


def target(props: dict[str, Any]) -> tuple[str, str, str]:
    """The (instance, contact, endpoint) a resource's properties ask to stream."""
    return props["InstanceId"], props["ContactId"], props["StreamingEndpointArn"]


def main(argv: list[str]) -> int:
    """Run the rehearsal on cdk.out (or the folder given); 0 when every step behaved."""
    cdk_out = Path(argv[1] if len(argv) > 1 else "cdk.out")
    try:
        body, asset = load_stack(cdk_out)
    except (TemplateError, OSError, KeyError) as error:
        print(f"REHEARSAL FAILED: cannot read the synthesized stack in {cdk_out}: {error!r}")
        return 1
    function_timeouts = {
        r["Properties"].get("Timeout", 3)
        for r in body["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    timeout_s = float(max(function_timeouts))
    print(f"Rehearsal of {cdk_out} against local stand-ins (no AWS account, nothing deployed)")
    function = body["Resources"][provider_function_id(body)]["Properties"]
    variables = function.get("Environment", {}).get("Variables", {})
    with running_harness(asset, variables) as harness:
        print(f"handler: {harness.handler.__file__}, Lambda timeout {timeout_s:.0f} s")
        rehearsal = Rehearsal(harness, body, timeout_s)
        try:
            rehearsal.play()
        except (RehearsalError, KeyError, AssertionError) as error:
            rehearsal.print_timeline()
            print(f"REHEARSAL FAILED: {error}")
            return 1
        rehearsal.print_timeline()
    print("Each Delete includes crhelper's 2 s wait for log delivery (sleep_on_delete).")
    print(
        "Rehearsal passed: create, an update rolled back (reading 3), the update again, delete; "
        "no stream left running."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
