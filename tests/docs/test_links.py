"""Every relative link in README.md and docs/*.md resolves: the file, and the heading if named."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT
from tests.docs.markdown import anchor, anchors, links, pages

PAGES = pages()


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of `page` whose file or heading is missing, as `line: target (why)`."""
    broken: list[str] = []
    for line, target in links(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path_part, _, fragment = target.partition("#")
        linked = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not linked.is_relative_to(root.resolve()) or not linked.exists():
            broken.append(f"{line}: {target} (no such file)")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked.read_text()):
            broken.append(f"{line}: {target} (no heading #{fragment} in {linked.name})")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_docs_relative_links_resolve(page: Path) -> None:
    assert broken_links(page) == []


def test_docs_readme_links_every_docs_page() -> None:
    linked = {target.partition("#")[0] for _, target in links((ROOT / "README.md").read_text())}
    assert {f"docs/{page.name}" for page in PAGES[1:]} <= linked


def test_broken_links_missing_file_and_heading_are_reported(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## A heading: with `code`\n")
    page = tmp_path / "README.md"
    page.write_text(
        "# Top\n\n[ok](docs/other.md#a-heading-with-code) [self](#top)\n"
        "[gone](docs/gone.md) [bad](docs/other.md#nowhere) [out](../x.md)\n"
        "`[in code](docs/gone.md)` [web](https://example.com/x)\n"
        "```text\n[in a block](docs/gone.md)\n```\n"
        "a [link whose text\nwraps](docs/wrapped.md)\n"
    )
    assert broken_links(page, tmp_path) == [
        "4: docs/gone.md (no such file)",
        "4: docs/other.md#nowhere (no heading #nowhere in other.md)",
        "4: ../x.md (no such file)",
        "9: docs/wrapped.md (no such file)",
    ]


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        (
            "Many streams: Connect's quotas and live chats",
            "many-streams-connects-quotas-and-live-chats",
        ),
        ("Rehearse the lifecycle (no AWS account)", "rehearse-the-lifecycle-no-aws-account"),
        (
            "Per chat: StreamingEndpoint and grant_streaming",
            "per-chat-streamingendpoint-and-grant_streaming",
        ),
        ("`make local`, step by step", "make-local-step-by-step"),
        ("See [IAM](iam.md)", "see-iam"),
    ],
)
def test_anchor_heading_text_gives_githubs_slug(heading: str, slug: str) -> None:
    assert anchor(heading) == slug


def test_anchors_repeated_heading_gets_numbered_suffix() -> None:
    text = "# Page\n\n## Notes\n\n```bash\n# not a heading\n```\n\n## Notes\n"
    assert anchors(text) == {"page", "notes", "notes-1"}
