"""The compatibility promise, checked: the public API against the last release, with griffe.

The public API is what `contact_streaming` exports (`__all__`) and the public members of those
names; the modules behind them are internal. `python -m tools.api_compat` unpacks the newest
final release's sdist in releases/ (not a development snapshot or release candidate), loads both
copies of the package with griffe (statically: nothing is imported) and lists griffe's breaking
changes (`griffe.find_breaking_changes`, the engine of `griffe check`, which reads git refs rather
than sdists) for each name the release exported.

Additions pass. A breaking change fails the check unless both say so:
- the version in pyproject.toml has a greater major number than the release's, and
- CHANGELOG.md's section for that version has a `### Breaking changes` subsection that names
  each broken object in backticks (`ContactStreaming` for its constructor, else the member:
  `StreamingEndpoint.grant_streaming`).
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import griffe
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "contact_streaming"
SDIST = re.compile(r"^cdk_contact_streaming-(?P<version>.+)\.tar\.gz$")
BREAKING_HEADING = "### Breaking changes"


@dataclass(frozen=True)
class Break:
    """One breaking change: the public name it touches, and griffe's explanation."""

    name: str
    explanation: str


def last_release(releases: Path) -> tuple[Version, Path]:
    """The newest final release's sdist in `releases` and its version.

    Development snapshots and release candidates kept there (0.3.0.dev0, for the upgrade test)
    promise nothing: the API is held to the last final release.
    """
    found = [
        (version, path)
        for path in releases.glob("*.tar.gz")
        if (match := SDIST.match(path.name))
        and not (version := Version(match["version"])).is_prerelease
    ]
    if not found:
        raise FileNotFoundError(f"no final cdk_contact_streaming release's sdist in {releases}")
    return max(found)


def unpack(sdist: Path, into: Path) -> Path:
    """Unpack `sdist` into `into`; return the folder that holds its package."""
    with tarfile.open(sdist) as archive:
        archive.extractall(into, filter="data")
    (top,) = [path for path in into.iterdir() if (path / PACKAGE).is_dir()]
    return top


def load(source: Path, package: str = PACKAGE) -> griffe.Module:
    """The package in the folder `source`, read statically by griffe."""
    loaded = griffe.load(
        package, search_paths=[source], try_relative_path=False, resolve_aliases=True
    )
    assert isinstance(loaded, griffe.Module)
    return loaded


def exported(module: griffe.Module) -> dict[str, griffe.Object | griffe.Alias]:
    """The names `module` exports (its __all__), each with what it names."""
    names = [str(name) for name in module.exports or ()]
    return {name: module[name] for name in names}


def target_path(obj: griffe.Object | griffe.Alias) -> str:
    """The path of what `obj` names (itself, or an alias's final target)."""
    return obj.final_target.path if isinstance(obj, griffe.Alias) else obj.path


def public_name(name: str, prefixes: tuple[str, ...], path: str) -> str:
    """`path` as the public name users write: the exported name, then members; no __init__."""
    for prefix in prefixes:
        if path == prefix or path.startswith(f"{prefix}."):
            return (name + path[len(prefix) :]).removesuffix(".__init__")
    return path


def breaks(old: griffe.Module, new: griffe.Module) -> Iterator[Break]:
    """Every breaking change from `old`'s public API to `new`'s."""
    now = exported(new)
    for name, before in exported(old).items():
        if name not in now:
            yield Break(name, f"`{name}`: no longer exported from {PACKAGE}")
            continue
        # A member is reached by its own path or through the export (an alias).
        prefixes = (target_path(before), target_path(now[name]), f"{old.path}.{name}")
        for breakage in griffe.find_breaking_changes(before, now[name]):
            explanation = breakage.explain(griffe.ExplanationStyle.MARKDOWN).removeprefix("- ")
            yield Break(public_name(name, prefixes, breakage.obj.path), explanation)


def project_version(root: Path) -> Version:
    """The version pyproject.toml declares."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    return Version(project["version"])


def breaking_section(changelog: str, version: Version) -> str:
    """The `### Breaking changes` subsection of `version`'s CHANGELOG section ("" if none)."""
    header = re.compile(rf"^## \[{re.escape(str(version))}\].*$", re.MULTILINE)
    match = header.search(changelog)
    if match is None:
        return ""
    rest = changelog[match.end() :]
    following = re.search(r"^## ", rest, re.MULTILINE)
    section = rest[: following.start()] if following else rest
    start = section.find(f"\n{BREAKING_HEADING}\n")
    if start < 0:
        return ""
    body = section[start + len(BREAKING_HEADING) + 2 :]
    end = re.search(r"^#{1,3} ", body, re.MULTILINE)
    return body[: end.start()] if end else body


def unannounced(
    found: list[Break], release: Version, version: Version, changelog: str
) -> list[str]:
    """Why each breaking change in `found` is not allowed (empty if all are announced)."""
    if not found:
        return []
    if version.major <= release.major:
        return [
            f"{b.explanation} (breaking: {version} keeps major version {release.major} "
            f"of {release})"
            for b in found
        ]
    section = breaking_section(changelog, version)
    return [
        f"{b.explanation} (breaking: CHANGELOG.md's [{version}] {BREAKING_HEADING} "
        f"does not name `{b.name}`)"
        for b in found
        if f"`{b.name}`" not in section
    ]


def check(root: Path, package_root: Path | None = None) -> tuple[Version, list[Break], list[str]]:
    """The last release, the breaking changes since, and those not announced.

    `package_root` holds the package to check (default: `root`, the repository).
    """
    release, sdist = last_release(root / "releases")
    version = project_version(root)
    changelog = (root / "CHANGELOG.md").read_text()
    with tempfile.TemporaryDirectory(prefix="api-compat-") as folder:
        old = load(unpack(sdist, Path(folder)))
        new = load(package_root or root)
        found = list(breaks(old, new))
    return release, found, unannounced(found, release, version, changelog)


def main(argv: list[str] | None = None) -> int:
    """Print the breaking changes since the last release; 1 if one is not announced."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository")
    parser.add_argument(
        "--package-root", type=Path, default=None, help="the folder holding the package to check"
    )
    args = parser.parse_args(argv)
    release, found, refused = check(args.root, args.package_root)
    for problem in refused:
        print(problem, file=sys.stderr)
    announced = len(found) - len(refused)
    print(
        f"API compared with release {release}: {len(found)} breaking change(s), "
        f"{announced} announced, {len(refused)} not"
    )
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
