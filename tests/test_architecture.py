"""The layers hold and no import circle comes back (issue 23, point 2)."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import grimp

from app.entry import TASKS

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_linter_contracts_are_kept() -> None:
    """`lint-imports` checks the contracts in pyproject.toml, as `make lint` does."""
    run = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in imports.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            members = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                members.append(top)
                if top == module:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_a_circle_is_found() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_app_imports_itself_round_a_circle() -> None:
    """Lazy imports inside functions and imports under TYPE_CHECKING count too: either
    ties the modules together as much as a top-level import."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    graph = grimp.build_graph("app", cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    assert _circles(imports) == []


def test_every_task_module_is_registered_by_the_entry_points() -> None:
    """Each function of a capability's `tasks` module is a task the runner can be asked to
    run, and the registry names nothing else: a task left out would fail only when queued."""
    defined = set()
    for path in sorted((ROOT / "app").glob("*/tasks.py")):
        module = importlib.import_module(f"app.{path.parent.name}.tasks")
        defined |= {
            function
            for name, function in vars(module).items()
            if inspect.isfunction(function)
            and function.__module__ == module.__name__
            and not name.startswith("_")
        }
    assert set(TASKS.tasks.values()) == defined
    assert set(TASKS.periodic) <= set(TASKS.tasks)
