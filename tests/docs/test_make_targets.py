"""Every `make <target>` named in README.md and docs/*.md is a target of the Makefile."""

from __future__ import annotations

from tests.conftest import ROOT
from tests.docs.markdown import LANGUAGES, blocks, make_targets_named, makefile_targets, pages


def named_targets() -> dict[str, list[str]]:
    """Each target the documentation names, with where (`page:line`)."""
    named: dict[str, list[str]] = {}
    for page in pages():
        for line, target in make_targets_named(page.read_text()):
            named.setdefault(target, []).append(f"{page.relative_to(ROOT)}:{line}")
    return named


def test_docs_make_targets_exist_in_makefile() -> None:
    defined = makefile_targets((ROOT / "Makefile").read_text())
    missing = {target: where for target, where in named_targets().items() if target not in defined}
    assert missing == {}


def test_docs_name_the_set_up_and_test_commands() -> None:
    assert {"synth", "test", "local"} <= set(named_targets())


def test_docs_fenced_blocks_name_a_known_language() -> None:
    unnamed = [
        f"{block.name} ({block.language or 'no language'})"
        for page in pages()
        for block in blocks(page.read_text(), page)
        if block.language not in LANGUAGES
    ]
    assert unnamed == []


def test_make_targets_named_inline_code_and_bash_lines_only() -> None:
    text = (
        "Run `make synth` then `make bench-storm STORM_COUNTS=1`; make sure to read.\n"
        "```bash\nmake local   # demo\n  make deploy X=1\necho make nothing\n```\n"
        "```text\nmake ignored\n```\n"
    )
    assert make_targets_named(text) == [
        (1, "synth"),
        (1, "bench-storm"),
        (3, "local"),
        (4, "deploy"),
    ]


def test_makefile_targets_rules_not_variables_or_special_targets() -> None:
    makefile = (
        ".PHONY: a b\nCDK := x\nVAR ?= 1\nsetup: $(VENV)/.installed node\n"
        "bench: bench-handler bench-scale\nbench-handler bench-scale: setup\n"
        "$(VENV)/.installed: requirements.txt\n\techo not: a rule\n"
    )
    assert makefile_targets(makefile) == {"setup", "bench", "bench-handler", "bench-scale"}
