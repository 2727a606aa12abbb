"""The repository tracks sources only: no symbolic links, no environments, no build output."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT

# Made by `make` on every machine; a tracked link or file of these names replaces a clone's own.
BUILT = (".venv", ".venv-engine", ".venv-floor", ".venv-dist", "node_modules", "cdk.out", "build")
SYMLINK_MODE = "120000"


def tracked() -> list[tuple[str, str]]:
    """(mode, path) of every file git tracks in this repository."""
    listing = subprocess.run(
        ["git", "ls-files", "--stage", "-z"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    entries = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        entries.append((meta.split()[0], path))
    return entries


def test_tracked_files_none_is_a_symbolic_link() -> None:
    entries = tracked()
    assert len(entries) > 100
    assert [path for mode, path in entries if mode == SYMLINK_MODE] == []


def test_tracked_files_none_is_built_by_make() -> None:
    built = [path for _, path in tracked() if path.split("/")[0] in BUILT]
    assert built == []


def test_gitignore_ignores_environments_as_links_too() -> None:
    # "name/" matches only a folder: a worktree's link to a shared environment would be tracked.
    lines = (ROOT / ".gitignore").read_text().splitlines()
    for name in (".venv", ".venv-engine", ".venv-floor", ".venv-dist", "node_modules"):
        assert name in lines, name
