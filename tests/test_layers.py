"""The architecture, enforced: each layer (a folder of gradtutor) imports only from the
layers before it, and no two modules import each other, even through lazy imports inside
functions."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gradtutor"
LAYERS = ["base", "ops", "lang", "engine", "exercises", "marking", "walkthrough", "kinds",
          "grading", "render", "api", "cli"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """A module's layer: the index of its folder; the package's own modules come last."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return len(LAYERS)  # gradtutor/__init__.py (the API's front door) and __main__


def imports_of(path: Path, typing_only: bool = True) -> set[str]:
    """Every gradtutor module a file imports, at the top or inside functions; with
    typing_only false, leaving out the imports under `if TYPE_CHECKING:`."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return imported_modules(ast.parse(path.read_text()), package, typing_only)


def imported_modules(tree: ast.AST, package: str, typing_only: bool = True) -> set[str]:
    found = set()
    for node in _walk(tree, typing_only):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gradtutor"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("gradtutor"):
                target = node.module or ""
            else:
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _is_module(candidate) else target)
    return found


def _walk(tree: ast.AST, typing_only: bool) -> list[ast.AST]:
    nodes, pending = [], [tree]
    while pending:
        node = pending.pop()
        nodes.append(node)
        if not typing_only and isinstance(node, ast.If) and \
                getattr(node.test, "id", None) == "TYPE_CHECKING":
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return nodes


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}
RUNTIME = {module_name(p): imports_of(p, typing_only=False) for p in PACKAGE.rglob("*.py")}

def test_every_folder_is_a_known_layer() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= set(LAYERS)


def test_each_layer_imports_only_from_the_layers_before_it() -> None:
    violations = []
    for module, imported in sorted(GRAPH.items()):
        for target in sorted(imported):
            if layer_of(target) > layer_of(module):
                violations.append(f"{module} imports {target}")
    assert violations == []


def test_no_import_cycles() -> None:
    cycles = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "active"
        for target in sorted(RUNTIME.get(module, ())):
            target = target if target in GRAPH else target.rpartition(".")[0]
            if state.get(target) == "active":
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target in GRAPH and target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_walk_sees_lazy_imports_and_skips_typing_ones() -> None:
    """The check can fail: a lazy import inside a function is an import too."""
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                     "    from ..walkthrough import explain\n"
                     "def f():\n    from ..cli import app\n")
    assert imported_modules(tree, "gradtutor.engine") == {
        "gradtutor.cli.app", "gradtutor.walkthrough.explain"}
    assert imported_modules(tree, "gradtutor.engine", typing_only=False) == {
        "gradtutor.cli.app"}
