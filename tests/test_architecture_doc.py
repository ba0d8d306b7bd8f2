"""docs/architecture.md says once what the import contracts enforce: it must name every
package the contracts know, in the order of the layers, and the README must lead to it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def layers() -> list[list[str]]:
    [contract] = [c for c in CONFIG["importlinter"]["contracts"] if c["type"] == "layers"]
    return [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]


def test_every_package_of_the_contracts_is_in_a_layer_and_in_the_document() -> None:
    in_layers = {name for layer in layers() for name in layer}
    assert in_layers == set(CONFIG["importlinter"]["root_packages"])
    drawn = re.search(r"```\n(.*?)```", DOC, re.S)
    assert drawn, "docs/architecture.md has lost its drawing of the layers"
    lines = drawn.group(1).splitlines()
    # Each layer's packages start a line of the drawing, from the top layer down.
    starts = [
        next(i for i, line in enumerate(lines) if line.startswith(name))
        for name in [layer[0] for layer in layers()]
    ]
    assert starts == sorted(starts), "the drawing's layers are not in the contract's order"
    for layer in layers():
        for name in layer:
            assert re.search(rf"(^|\| ){name}\b", drawn.group(1), re.M), name


def test_the_readme_leads_to_the_architecture() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme
