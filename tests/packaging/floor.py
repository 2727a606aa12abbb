"""`make test-floor`'s check that its environment really imports the floor versions.

Run as ``python -m tests.packaging.floor`` with the floor environment's Python: it exits non-zero
unless aws-cdk-lib and constructs are importable from that environment at the versions
requirements-floor.txt pins, and those are pyproject.toml's lower bounds.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOOR_FILE = ROOT / "requirements-floor.txt"
# Distribution name -> the module it installs.
FLOORED = {"aws-cdk-lib": "aws_cdk", "constructs": "constructs"}


def pins(path: Path = FLOOR_FILE) -> dict[str, str]:
    """The `name==version` pins of a requirements file, by lower-cased name."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def lower_bounds(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """The `>=` bound of each dependency pyproject.toml declares, by lower-cased name."""
    project = tomllib.loads(pyproject.read_text())["project"]
    found: dict[str, str] = {}
    for requirement in project["dependencies"]:
        match = re.match(r"([A-Za-z0-9_.-]+)\s*>=\s*([^,\s]+)", requirement)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def problems() -> list[str]:
    """What is wrong with this interpreter as the floor environment (nothing when it is right)."""
    wanted, bounds = pins(), lower_bounds()
    found = []
    for name, module in FLOORED.items():
        if bounds.get(name) != wanted[name]:
            found.append(f"pyproject.toml's {name} floor {bounds.get(name)} != {wanted[name]}")
        spec = importlib.util.find_spec(module)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        if origin is None or not origin.is_relative_to(sys.prefix):
            found.append(f"{module} imports from {origin}, not from {sys.prefix}")
        if importlib.metadata.version(name) != wanted[name]:
            found.append(f"{name} {importlib.metadata.version(name)} != {wanted[name]}")
    return found


def main() -> int:
    """Print the floor versions in use, or what is wrong; exit status 1 if anything is."""
    found = problems()
    for problem in found:
        print(f"floor environment: {problem}", file=sys.stderr)
    if found:
        return 1
    print("floor:", ", ".join(f"{n} {importlib.metadata.version(n)}" for n in FLOORED))
    return 0


if __name__ == "__main__":
    sys.exit(main())
