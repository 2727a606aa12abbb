"""Checks before any deploy: a wrong engine, certificate or credential fails here, in seconds.

Without them, each of these mistakes shows up as a custom resource that never answers, and the
stack waits out its ServiceTimeout. The CLI's side is checked from here; the Lambdas' side by
running local/lambda_probe.py on the engine's Python, in the environment its Lambdas get.
"""

from __future__ import annotations

import ssl
import subprocess
import urllib.request
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from local.engine import HEALTH_PATH, EngineError, EngineSettings
from local.world import ACCOUNT, ENGINE_PYTHON

PROBE = Path(__file__).resolve().parent / "lambda_probe.py"
PROBE_TIMEOUT_S = 30.0


def check_engine_answers(url: str, ca_file: Path) -> None:
    """The engine answers at `url`; its certificate verifies against `ca_file` (AWS_CA_BUNDLE)."""
    try:
        context = ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as error:
        raise EngineError(f"AWS_CA_BUNDLE={ca_file} is not a readable CA file: {error}") from error
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=3, context=context):  # noqa: S310
            return
    except ssl.SSLError as error:
        raise EngineError(
            f"the engine's TLS certificate at {url} does not verify against "
            f"AWS_CA_BUNDLE={ca_file} ({error}): point AWS_CA_BUNDLE at the engine's CA"
        ) from error
    except OSError as error:
        reason = getattr(error, "reason", None)
        if isinstance(reason, ssl.SSLError):
            raise EngineError(
                f"the engine's TLS certificate at {url} does not verify against "
                f"AWS_CA_BUNDLE={ca_file} ({reason}): point AWS_CA_BUNDLE at the engine's CA"
            ) from error
        raise EngineError(
            f"the engine does not answer at {url} ({error}): start it (make local-up) "
            "or fix AWS_ENDPOINT_URL"
        ) from error


def check_account(settings: EngineSettings) -> None:
    """The CLI's credentials land in the account the local Connect expects Lambdas to sign as."""
    try:
        account = settings.client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as error:
        raise EngineError(f"the engine refused the CLI's credentials: {error}") from error
    if account != ACCOUNT:
        raise EngineError(
            f"the CLI's credentials map to account {account}, not {ACCOUNT}: ministack takes "
            f"a 12-digit access key id as the account, so set AWS_ACCESS_KEY_ID={ACCOUNT}"
        )


def check_lambda_side(settings: EngineSettings) -> None:
    """What the engine's Lambdas will see: TLS for their answers, CloudFormation, Connect."""
    try:
        done = subprocess.run(  # noqa: S603 - our own probe on the engine's Python
            [str(ENGINE_PYTHON), str(PROBE), str(settings.port)],
            env=settings.lambda_env(ACCOUNT),
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise EngineError(
            f"the Lambda-side check did not finish within {PROBE_TIMEOUT_S:.0f} s"
        ) from error
    if done.returncode != 0:
        lines = (done.stdout.strip() or done.stderr.strip() or "no output").splitlines()
        raise EngineError(f"engine's Lambdas: {lines[-1]}")


def preflight(settings: EngineSettings) -> None:
    """Every check, cheapest first; raises EngineError naming what to fix."""
    check_engine_answers(settings.url, settings.tls.ca_file)
    check_account(settings)
    check_lambda_side(settings)
