"""The shape of the domain package (issue 29): no import cycle in atlas/, no private name crossing a module, page
modules never importing each other, the loader importing no page module. Every import counts, also one inside a
function: a cycle deferred to call time is still a cycle."""
import ast
import functools
from pathlib import Path

import pytest

ATLAS = Path(__file__).resolve().parents[1] / "atlas"
PAGES = {"overview", "flows", "corporate", "survey", "pairings", "catalogue", "landing"}  # one per page's numbers
LOADER = {"package", "columnar", "records"}


@functools.cache  # parsed once per test process, not once per test
def modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in ATLAS.glob("*.py") if p.stem != "__init__"}


def imports(tree: ast.Module) -> list[tuple[str, str | None]]:
    """(module of atlas imported, name taken from it or None) for every import of the tree."""
    out = []
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # names for type checkers only: nothing is imported when the code runs
            continue
        if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("atlas")):
            base = (node.module or "").removeprefix("atlas").lstrip(".") if node.level == 0 else (node.module or "")
            for alias in node.names:
                if not base:  # from . import x
                    out.append((alias.name, None))
                elif "." not in base:
                    out.append((base, alias.name))
    return out


@functools.cache
def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: {m for m, _ in imports(tree) if m in mods and m != name} for name, tree in mods.items()}


def cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        path.append(n)
        for m in sorted(g[n]):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        state[n] = 2
        path.pop()
        return None

    for n in sorted(g):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_the_import_graph_of_atlas_has_no_cycle():
    assert cycle(graph()) is None


def test_the_cycle_finder_finds_one():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_another_modules_private_name():
    crossing = [(name, m, n) for name, tree in modules().items() for m, n in imports(tree)
                if n and n.startswith("_") and not n.startswith("__")]
    assert crossing == []


@pytest.mark.parametrize("page_module", sorted(PAGES))  # not "page": pytest-playwright's fixture of that name
def test_page_modules_import_no_other_page_module(page_module):
    assert graph()[page_module] & PAGES == set()


def test_the_loader_imports_no_page_module():
    g = graph()
    assert all(g[m] & PAGES == set() for m in LOADER)
