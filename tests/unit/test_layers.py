"""The layers of docs/architecture.md: nothing below the UI imports Textual, and the
import-linter contracts in pyproject.toml hold."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import glm_tui

ROOT = Path(__file__).resolve().parents[2]

# Import-time only: these start the TUI when asked to, and import it then.
ABOVE_THE_UI = {"glm_tui.launch", "glm_tui.cli", "glm_tui.startup"}
NOT_IMPORTABLE = {"glm_tui.__main__"}  # importing it runs glm-tui


def every_module() -> list[str]:
    """Every module of the package, found on disk: the ones only imported lazily (inside a
    function, on first use) too, so that such an import cannot hide a layer's breach."""
    found = pkgutil.walk_packages(glm_tui.__path__, prefix="glm_tui.")
    return sorted({info.name for info in found} | {"glm_tui"})


def below_the_ui() -> list[str]:
    return [
        name
        for name in every_module()
        if not name.startswith("glm_tui.ui") and name not in NOT_IMPORTABLE
    ]


def test_every_module_is_found_the_lazily_imported_ones_too() -> None:
    modules = every_module()
    # These four are imported only inside functions: an import of the package misses them.
    for lazy in ("glm_tui.api.client", "glm_tui.api.demo", "glm_tui.store.export"):
        assert lazy in modules
    assert "glm_tui.store.validate" in modules
    assert len(below_the_ui()) > 80


def test_no_module_below_the_ui_imports_textual() -> None:
    # One interpreter imports them one by one and says which one first brought Textual in.
    code = (
        "import importlib, sys\n"
        f"for name in {below_the_ui()!r}:\n"
        "    importlib.import_module(name)\n"
        "    bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'\n"
        "                 or m.startswith('glm_tui.ui'))\n"
        "    if bad:\n"
        "        print(name, 'imported', ', '.join(bad[:5]))\n"
        "        break\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_import_contracts_hold() -> None:
    """``lint-imports`` reads the contracts in pyproject.toml; every import counts, the ones
    inside functions and under TYPE_CHECKING too."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_import_cycles_at_run_time() -> None:
    """No module imports, through others, a module that imports it (the imports inside
    functions count: a lazy import does not make a cycle go away). Imports made only for
    annotations, under TYPE_CHECKING, are left out: the parts of the session and of the main
    screen name their owner's type there."""
    import grimp

    graph = grimp.build_graph("glm_tui", exclude_type_checking_imports=True, cache_dir=None)
    cycles = set()
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.add(" -> ".join((importer, *back)))
    assert sorted(cycles) == []


def _contracts() -> list[dict[str, Any]]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        contracts: list[dict[str, Any]] = tomllib.load(file)["tool"]["importlinter"]["contracts"]
    return contracts


def test_every_module_below_the_ui_is_forbidden_textual() -> None:
    """The layers contract places every module (it is exhaustive); the one that forbids
    Textual must name each module of the layers under the UI, a new one included."""
    contracts = _contracts()
    layers = next(c for c in contracts if c["type"] == "layers" and c["containers"] == ["glm_tui"])
    names = [name.strip() for name in layers["layers"][layers["layers"].index("ui") + 1 :]]
    below = {
        f"glm_tui.{module.strip()}"
        for layer in names
        for module in layer.replace("|", ":").split(":")
    }
    forbidding = next(c for c in contracts if "textual" in c.get("forbidden_modules", []))
    sources = set(forbidding["source_modules"])
    assert below - sources == set(), "not forbidden Textual"
    cli_layer = layers["layers"][1]
    above = {f"glm_tui.{m.strip()}" for m in cli_layer.replace("|", ":").split(":")}
    assert above - sources == ABOVE_THE_UI - {"glm_tui.launch"}
