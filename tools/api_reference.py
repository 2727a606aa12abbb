"""The API reference, generated with pdoc from the docstrings, and strict about them.

`python -m tools.api_reference OUTPUT` fails (exit 1, naming each one) if a public name has no
docstring: every name in `contact_streaming.__all__`, and every public member a class of ours
defines itself (members inherited from aws-cdk-lib, constructs or Python are theirs to document).
It also fails on any warning pdoc gives while reading the package (an annotation it cannot
resolve, say). Otherwise it writes the HTML reference into OUTPUT (`make reference`:
build/reference).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.doc
import pdoc.render

PACKAGE = "contact_streaming"
# Names whose meaning a convention fixes, documented by the package's own docstring.
EXEMPT = frozenset({"__version__"})


def ours(member: pdoc.doc.Doc[object], package: str) -> bool:
    """True if `member` is defined in `package` (not inherited from a library or Python)."""
    module, _ = member.taken_from
    return module == package or module.startswith(f"{package}.")


def undocumented(module: pdoc.doc.Module, package: str = PACKAGE) -> list[str]:
    """The public names of `module` (its __all__ and their own public members) with no docstring."""
    missing: list[str] = []
    for name, member in module.members.items():
        if name in EXEMPT:
            continue
        if not member.docstring.strip():
            missing.append(member.qualname)
        if isinstance(member, pdoc.doc.Class):
            missing.extend(
                child.qualname
                for child_name, child in member.members.items()
                if not child_name.startswith("_")
                and ours(child, package)
                and not child.docstring.strip()
            )
    return missing


def load(package: str = PACKAGE) -> pdoc.doc.Module:
    """The model pdoc makes of `package`; a warning pdoc gives while reading it is an error."""
    # Imported first: pdoc forbids subprocesses while it imports, and aws-cdk-lib starts jsii's.
    importlib.import_module(package)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return pdoc.doc.Module.from_name(package)


def build(output: Path, package: str = PACKAGE) -> None:
    """Write the HTML reference of `package` into `output`."""
    importlib.import_module(package)
    pdoc.render.configure(docformat="markdown", show_source=False, search=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pdoc.pdoc(package, output_directory=output)


def main(argv: list[str] | None = None) -> int:
    """Check the docstrings, then build the reference; 1 if a public name is undocumented."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="folder for the HTML reference")
    parser.add_argument("--package", default=PACKAGE)
    args = parser.parse_args(argv)
    missing = undocumented(load(args.package), args.package)
    if missing:
        for name in missing:
            print(f"{args.package}.{name}: public, but has no docstring", file=sys.stderr)
        return 1
    build(args.output, args.package)
    print(f"API reference of {args.package} written to {args.output}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
