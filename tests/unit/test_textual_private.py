"""Textual's private names that glm-tui uses (glm_tui/ui/textual_private/) still exist in the
Textual installed, and that Textual is in the range pyproject.toml pins.

A Textual release may rename or drop any of them; these tests then fail naming the one that
went, instead of the virtualised Markdown misbehaving somewhere else.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import tomllib
from collections.abc import Callable
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PRIVATE_PACKAGE = ROOT / "glm_tui" / "ui" / "textual_private"
PRIVATE_MODULES = sorted(PRIVATE_PACKAGE.glob("*.py"))

# The private modules the textual_private package imports from, and what it takes from each.
PRIVATE_IMPORTS = {
    "textual.widgets._markdown": (
        "MarkdownBulletList",
        "MarkdownH1",
        "MarkdownH2",
        "MarkdownH3",
        "MarkdownH4",
        "MarkdownH5",
        "MarkdownH6",
        "MarkdownListItem",
        "MarkdownOrderedList",
        "MarkdownParagraph",
        "MarkdownTable",
        "MarkdownTableCellContents",
        "MarkdownTableContent",
    ),
    "textual._styles_cache": ("StylesCache",),
    "textual._compositor": ("Compositor", "CompositorMap"),
    "textual._node_list": ("NodeList",),
}


def test_the_private_modules_and_their_names_exist() -> None:
    missing = []
    for module_name, names in PRIVATE_IMPORTS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        missing += [f"{module_name}.{name}" for name in names if not hasattr(module, name)]
    assert missing == [], f"gone from Textual {importlib.metadata.version('textual')}: {missing}"


def test_every_private_import_is_listed_above() -> None:
    """A private import added to textual_private is checked by the test above too."""
    imported = {
        (node.module, alias.name)
        for path in PRIVATE_MODULES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and _is_private(node.module)
        for alias in node.names
    }
    listed = {(module, name) for module, names in PRIVATE_IMPORTS.items() for name in names}
    assert imported == listed


def _instances() -> dict[type, Callable[[], object]]:
    """A way to make an instance of each owner whose private names are set in ``__init__``."""
    from markdown_it.token import Token
    from textual.dom import DOMNode
    from textual.widget import Widget
    from textual.widgets import Markdown
    from textual.widgets.markdown import MarkdownBlock

    return {
        Widget: Widget,
        DOMNode: DOMNode,
        Markdown: lambda: Markdown("text"),
        MarkdownBlock: lambda: MarkdownBlock(Markdown(), Token("paragraph_open", "p", 1)),
    }


def _assigned_in_source(owner: type, name: str) -> bool:
    """``self.name = ...`` in the owner's source or its bases' (an instance attribute of a
    class that cannot be made without a running app)."""
    for cls in owner.__mro__:
        if cls.__module__.split(".")[0] == "textual":
            source = inspect.getsource(cls)
            if f"self.{name} =" in source or f"self.{name}: " in source:
                return True
    return False


def _is_private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def _private_names() -> list[tuple[object, str, str]]:
    from glm_tui.ui import textual_private
    from glm_tui.ui.textual_private import css_cache, markdown, style_cache

    return [
        *textual_private.PRIVATE_NAMES,
        *markdown.PRIVATE_NAMES,
        *css_cache.PRIVATE_NAMES,
        *style_cache.PRIVATE_NAMES,
    ]


def test_every_private_name_still_exists() -> None:
    instances = _instances()
    gone = []
    for owner, name, why in _private_names():
        assert isinstance(owner, type)
        if hasattr(owner, name):
            continue
        make = instances.get(owner)
        if make is not None and hasattr(make(), name):
            continue
        if make is None and _assigned_in_source(owner, name):
            continue
        gone.append(f"{owner.__module__}.{owner.__qualname__}.{name} ({why})")
    assert gone == [], f"gone from Textual {importlib.metadata.version('textual')}: {gone}"


def test_the_list_names_what_the_module_uses() -> None:
    """Each ``._name`` the textual_private package reads or writes is in a PRIVATE_NAMES (so the
    test above checks it), apart from its own classes' names."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in PRIVATE_MODULES]
    own = {
        "_composed",
        "_shown",
        "_prompt_update_timer",
        "_current",
        "_pseudo_classes",
        "_path_key",
    }
    used = {
        node.attr
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    }
    used |= {
        node.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("_")
        and not node.name.startswith("__")
    }
    listed = {name for _, name, _ in _private_names()}
    assert used - own - listed == set()


def test_no_other_module_imports_textual_privately() -> None:
    offenders = []
    for path in sorted((ROOT / "glm_tui").rglob("*.py")):
        if path in PRIVATE_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                if module.split(".")[0] == "textual" and _is_private(module):
                    offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_textual_is_in_the_pinned_range() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    textual = next(Requirement(d) for d in dependencies if Requirement(d).name == "textual")
    assert textual.specifier, "textual is not pinned to a range"
    assert textual.specifier.contains(importlib.metadata.version("textual"))
    assert not textual.specifier.contains("9.0"), "the range is open above"


def test_the_watchers_are_kept_where_stop_watching_looks() -> None:
    from textual.widget import Widget

    from glm_tui.ui.textual_private import WATCHERS, stop_watching

    watcher, watched = Widget(), Widget()

    def callback(old: float, new: float) -> None:
        pass

    watcher.watch(watched, "scroll_y", callback, init=False)
    assert getattr(watched, WATCHERS)["scroll_y"] == [(watcher, callback)]
    stop_watching(watcher, watched, "scroll_y")
    assert getattr(watched, WATCHERS)["scroll_y"] == []
