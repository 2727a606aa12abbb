"""Reading the documentation: pages, fenced blocks, links, heading anchors and make targets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

# Fenced blocks must name one of these; only python blocks run.
LANGUAGES = frozenset({"python", "bash", "text", "json", "mermaid"})

FENCE = re.compile(r"^(`{3,})(.*)$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MAKE_CALL = re.compile(r"^\s*make\s+([A-Za-z][\w.-]*)")
MAKEFILE_RULE = re.compile(r"^([A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*:(?!=)")


def pages(root: Path = ROOT) -> list[Path]:
    """The documentation: README.md and every docs/*.md."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


@dataclass(frozen=True)
class Block:
    """One fenced block: its page, the line of its opening fence, its language and its text."""

    page: Path
    line: int
    language: str
    code: str

    @property
    def name(self) -> str:
        """`page:line`, relative to the repository."""
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"


def blocks(text: str, page: Path) -> list[Block]:
    """Every fenced block of `text`, in order (an unclosed fence runs to the end)."""
    found: list[Block] = []
    opening: tuple[str, int, str] | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line.strip())
        if opening is None:
            if match:
                opening = (match.group(1), number, match.group(2).strip())
                lines = []
        elif match and match.group(1) == opening[0] and not match.group(2).strip():
            found.append(Block(page, opening[1], opening[2], "\n".join(lines) + "\n"))
            opening = None
        else:
            lines.append(line)
    if opening is not None:
        found.append(Block(page, opening[1], opening[2], "\n".join(lines) + "\n"))
    return found


def prose(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced blocks, numbered, with inline code spans blanked out."""
    kept: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line.strip())
        if fence is None and match:
            fence = match.group(1)
        elif fence is not None:
            if match and match.group(1) == fence and not match.group(2).strip():
                fence = None
        else:
            kept.append((number, INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)))
    return kept


def links(text: str) -> list[tuple[int, str]]:
    """Every inline link target outside code, with the line it starts on (text may wrap)."""
    kept = dict(prose(text))
    lines = [kept.get(number, "") for number in range(1, len(text.splitlines()) + 1)]
    joined = "\n".join(lines)
    return [(joined.count("\n", 0, m.start()) + 1, m.group(1)) for m in LINK.finditer(joined)]


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of a page; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, line in prose_with_code(text):
        match = HEADING.match(line)
        if not match:
            continue
        slug = anchor(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def prose_with_code(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced blocks, numbered, inline code kept (headings keep their words)."""
    numbered = dict(enumerate(text.splitlines(), start=1))
    return [(number, numbered[number]) for number, _ in prose(text)]


def make_targets_named(text: str) -> list[tuple[int, str]]:
    """Targets named as `make <target>` in inline code, or at a bash line's start."""
    named: list[tuple[int, str]] = []
    for number, line in prose_with_code(text):
        for span in INLINE_CODE.finditer(line):
            match = MAKE_CALL.match(span.group(2))
            if match:
                named.append((number, match.group(1)))
    for block in blocks(text, Path()):
        if block.language == "bash":
            for offset, line in enumerate(block.code.splitlines(), start=1):
                match = MAKE_CALL.match(line)
                if match:
                    named.append((block.line + offset, match.group(1)))
    return named


def makefile_targets(makefile: str) -> set[str]:
    """The targets a Makefile defines (special targets such as .PHONY left out)."""
    targets: set[str] = set()
    for line in makefile.splitlines():
        match = MAKEFILE_RULE.match(line)
        if match:
            targets.update(name for name in match.group(1).split() if not name.startswith("."))
    return targets
