"""cfn-lint on a template, with its rules loaded once per process.

cfnlint.api loads every rule anew on each call, about 0.6 s of CPU: more than linting one of our
templates then takes. lint() loads them once and lints as cfnlint.api does, with the same settings;
tests/template/test_lint.py holds the two to the same findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cfnlint.rules import Match, Rules  # type: ignore[import-untyped]

# cfn-lint (and sympy with it) is imported where it runs: importing it costs about 0.6 s of CPU,
# which each pytest worker would pay to collect the modules that lint.


@cache
def loaded_rules() -> Rules:
    """Every rule cfn-lint has, loaded once; each run picks those its settings enable."""
    from cfnlint.config import ConfigMixIn  # type: ignore[import-untyped]
    from cfnlint.runner import Runner  # type: ignore[import-untyped]

    return Runner(ConfigMixIn()).rules


def lint(template: str, regions: Sequence[str], *, every_rule: bool = True) -> list[Match]:
    """cfn-lint's findings on a template (its JSON) in `regions`.

    With `every_rule`, the informational and experimental rules too, as cfnlint.api.lint_all
    runs them; without, cfn-lint's default rules, as cfnlint.api.lint.
    """
    from cfnlint.api import ManualArgs  # type: ignore[import-untyped]
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str  # type: ignore[import-untyped]
    from cfnlint.runner import run_template_by_data

    decoded, errors = decode_str(template)
    if errors:
        return list(errors)
    if decoded is None:
        return []
    args = ManualArgs(regions=list(regions))
    if every_rule:
        args.update(include_checks=["I"], include_experimental=True)
    return list(run_template_by_data(decoded, ConfigMixIn(**args), loaded_rules()))
