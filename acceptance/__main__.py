"""`python -m acceptance --instance-id <id> --contact-flow-id <id>` (make acceptance-aws).

Exit status: 0 when every step behaved, 1 when a step failed, 2 when the run refused to start
(nothing was created), 130 when interrupted. Everything created is deleted in every case.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from types import FrameType
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from acceptance.cdk import CdkError
from acceptance.checks import RefusalError, check_region
from acceptance.report import Report
from acceptance.scenario import Clients, Options, Run, StepError

# Bounded calls: a wrong endpoint or a hung connection fails in seconds, not minutes.
CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"mode": "standard", "total_max_attempts": 3}
)
SERVICES = ("sts", "cloudformation", "ssm", "connect", "connectparticipant", "sqs", "logs")


def parse(argv: list[str]) -> Options:
    """The options from the command line."""
    parser = argparse.ArgumentParser(prog="python -m acceptance", description=__doc__)
    parser.add_argument("--instance-id", required=True, help="the Connect instance id")
    parser.add_argument(
        "--contact-flow-id", required=True, help="a published flow that keeps a chat open"
    )
    parser.add_argument(
        "--streaming-flow-id",
        default="",
        help="also run the flow scenario: a published flow that invokes the run's flow function "
        "(docs/acceptance.md)",
    )
    parser.add_argument("--messages", type=int, default=3, help="K messages to stream (3)")
    parser.add_argument("--after-destroy", type=int, default=2, help="messages after destroy (2)")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for K (60)")
    parser.add_argument("--quiet", type=float, default=20.0, help="seconds of silence (20)")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.after_destroy < 1:
        parser.error("--messages and --after-destroy must be at least 1")
    return Options(
        args.instance_id,
        args.contact_flow_id,
        secrets.token_hex(4),
        args.messages,
        args.after_destroy,
        args.wait,
        args.quiet,
        args.streaming_flow_id,
    )


def new_session(report: Report) -> Any:
    """A boto3 session from the SDK's standard settings; every call it makes is counted.

    boto3 reads its region from AWS_DEFAULT_REGION or the profile; AWS_REGION, which the other
    SDKs (and the cdk CLI) read first, is honoured here too, so both name the same region.
    """
    session: Any = boto3.session.Session(region_name=os.environ.get("AWS_REGION") or None)
    session.events.register("after-call", report.hook)
    return session


def clients(session: Any) -> Clients:
    """Every client of the run, from one session."""
    made = {name: session.client(name, config=CONFIG) for name in SERVICES}
    return Clients(
        session,
        made["sts"],
        made["cloudformation"],
        made["ssm"],
        made["connect"],
        made["connectparticipant"],
        made["sqs"],
        made["logs"],
    )


def interrupted(signum: int, frame: FrameType | None) -> None:
    """SIGTERM as Ctrl-C: stop the step, then clean up."""
    raise KeyboardInterrupt


def still_cleaning(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C during clean-up: say so, and go on cleaning."""
    print("\nStill cleaning up what the run created; please wait.", flush=True)


def main(argv: list[str]) -> int:
    """Run the scenario; clean up whatever happens; the exit status."""
    options = parse(argv)
    report = Report()
    # Ctrl-C interrupts and cleans up even if the run inherited SIGINT ignored (as a background
    # job of a non-interactive shell, such as CI's, does).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    report.say(
        f"Acceptance run {options.run_id}: stacks {options.consumer_stack} and {options.app_stack}"
    )
    run: Run | None = None
    status, failure = 0, ""
    try:
        session = new_session(report)
        check_region(session)
        run = Run(options, clients(session), report)
        run.preflight()
        run.play()
    except RefusalError as error:
        status, failure = 2, f"REFUSED: {error}"
    except (StepError, CdkError, BotoCoreError, ClientError) as error:
        status, failure = 1, f"FAILED: {error}"
    except KeyboardInterrupt:
        status, failure = 130, "INTERRUPTED"
    finally:
        signal.signal(signal.SIGINT, still_cleaning)
        signal.signal(signal.SIGTERM, still_cleaning)
        left = run.clean() if run is not None else []
    report.print_summary()
    if failure:
        report.say(f"\n{report.scrub(failure)}")
    if left:
        report.say("\nCould not delete (do it by hand):\n  " + "\n  ".join(left))
        return status or 1
    if status == 0:
        report.say("\nPASSED: the app streamed the chat to the consumer, and destroy stopped it.")
    report.say("Nothing the run created is left (see docs/acceptance.md).")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
