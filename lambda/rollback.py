"""Tell the Update of a rollback from a deliberate Update, by the stack's own status.

When a stack update has replaced a stream (a new PhysicalResourceId B, the old A kept) and then
rolls back, CloudFormation sends Delete for B during cleanup. What comes before is undocumented,
and three readings are plausible: (1) nothing; (2) an Update of B with A's properties, after which
CloudFormation records A again; (3) that Update, whose answer CloudFormation records, B being
deleted only if the answer differs from B. Started anew, that Update would leave a third stream;
answering B would, under (3), keep B recorded and running. So before an Update starts a stream,
the handler reads the stack's status (DescribeStacks on that stack alone): during
UPDATE_ROLLBACK_IN_PROGRESS it starts nothing and answers A's id, rebuilt from A's properties and
the StreamingId that B remembers (physical_id.restored). Under every reading B's Delete then stops
B, and A, never stopped, is what the stack records. A deliberate Update back to A's properties
(any other status) still starts a stream, even if A was stopped long ago.

If the status cannot be read, the Update fails and starts nothing (StatusUnknownError says why).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from reasons import clip, short

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

logger = logging.getLogger(__name__)

ROLLING_BACK = "UPDATE_ROLLBACK_IN_PROGRESS"
# A service's message in a Reason: cut so that the advice after it survives.
SHOWN_LIMIT = 80
ROLE_HINT = "the provider role needs cloudformation:DescribeStacks on this stack"
DENIED = frozenset({"AccessDenied", "AccessDeniedException"})


class StatusUnknownError(RuntimeError):
    """The stack's status could not be read, so the Update started nothing and fails.

    Fail, not guess: guessing "no rollback" could start a third stream that nothing records, and
    guessing "rollback" would answer SUCCESS for a deliberate Update that streams nothing. A
    failed deliberate Update just rolls the stack back to its running stream; a failed rollback
    Update leaves UPDATE_ROLLBACK_FAILED with every stream still recorded, and
    `continue-update-rollback` retries it.
    """


def stack_region(stack_id: str) -> str:
    """The region in a stack ARN (arn:partition:cloudformation:region:account:stack/…)."""
    parts = stack_id.split(":")
    if len(parts) >= 6 and parts[2] == "cloudformation" and parts[3]:
        return parts[3]
    return os.environ.get("AWS_REGION", "")


def rolling_back(event: dict[str, Any], client_for: Callable[[str], CloudFormationClient]) -> bool:
    """True if the event's stack is rolling back an update; StatusUnknownError if unreadable."""
    stack_id: str = event["StackId"]
    status = stack_status(stack_id, client_for(stack_region(stack_id)))
    if status == ROLLING_BACK:
        logger.info(
            "Stack is %s: starting nothing; %s is for the rollback's Delete to stop",
            status,
            event["PhysicalResourceId"],
        )
        return True
    logger.info("Stack is %s: a deliberate update", status)
    return False


def stack_status(stack_id: str, client: CloudFormationClient) -> str:
    """The stack's StackStatus from DescribeStacks; StatusUnknownError if it cannot be read."""
    try:
        stacks = client.describe_stacks(StackName=stack_id)["Stacks"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        message = error.response.get("Error", {}).get("Message", "")
        hint = ROLE_HINT if code in DENIED else "see the provider's log"
        raise StatusUnknownError(
            unknown(f"DescribeStacks {code}: {shown(message)}", hint)
        ) from error
    except BotoCoreError as error:
        cause = f"DescribeStacks did not answer after retries: {shown(str(error))}"
        raise StatusUnknownError(unknown(cause, "try again")) from error
    if len(stacks) != 1:
        raise StatusUnknownError(unknown(f"DescribeStacks named {len(stacks)} stacks", "try again"))
    return stacks[0]["StackStatus"]


def unknown(cause: str, then: str) -> str:
    """The Reason of a StatusUnknownError: what happened, why, and what to do."""
    return short(f"Started nothing: cannot tell a rollback from an update ({cause}); {then}")


def shown(text: str) -> str:
    """Keep a service's message short enough that the Reason's advice survives."""
    return clip(text, SHOWN_LIMIT)
