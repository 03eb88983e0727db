"""The layers of docs/architecture.md hold: no module imports a layer above its own.

Read from the source (every ``import``, also inside functions; ``if TYPE_CHECKING:`` blocks
are annotations only and do not count). A lazy ``"module:attr"`` string in a registry is how a
lower layer names a higher one without importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import toolgym

ROOT = Path(toolgym.__file__).parent

# Lower first. A package may import its own layer's package only if it is itself.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("sandbox",),
    ("toolkits",),
    ("formats",),
    ("envs", "faults", "agents"),  # peers: agents see what an env shows, never fault internals
    ("wrappers",),
    ("evaluation",),
    ("distributed", "serve"),
    ("adapters", "testing"),
    ("registration",),
    ("__init__",),
    ("cli",),
    ("__main__",),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _package(path: Path) -> str:
    part = path.relative_to(ROOT).parts[0]
    return part.removesuffix(".py")


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "toolgym":
            found += [(node.lineno, f"toolgym.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] == "toolgym"]


def _violations() -> list[str]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        mine = _package(path)
        for line, name in _imports(ast.parse(path.read_text(), str(path))):
            parts = name.split(".")
            theirs = parts[1] if len(parts) > 1 and parts[1] in RANK else "__init__"
            if theirs == mine:
                continue
            if theirs not in RANK or mine not in RANK:
                out.append(f"{path.relative_to(ROOT)}:{line}: {name} (a package with no layer)")
            elif RANK[theirs] >= RANK[mine]:
                out.append(f"{path.relative_to(ROOT)}:{line} ({mine}) imports {name}")
    return out


def test_every_package_has_a_layer() -> None:
    packages = {_package(path) for path in ROOT.rglob("*.py")}
    assert packages <= set(RANK), sorted(packages - set(RANK))


def test_no_module_imports_a_higher_or_sibling_layer() -> None:
    assert _violations() == []


@pytest.mark.parametrize("source", ["import toolgym.cli\n", "from toolgym.agents import x\n"])
def test_the_check_sees_an_upward_import(source: str, tmp_path: Path) -> None:
    names = [name for _, name in _imports(ast.parse(source))]
    assert names and names[0].startswith("toolgym.")
