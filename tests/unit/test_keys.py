"""The key table (glm_tui/ui/keys.py) is the one definition of glm-tui's keys: the bindings of
every screen and widget are the table's, F1's rows and the palette agree with it, every action
it names exists, and no two keys that can be pressed at the same place collide.

Written against the table's public face (``KEYS``, ``bindings``, ``help_rows``,
``palette_commands``, ``key_name``), so that it holds however the table is filled.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

import glm_tui.ui
from glm_tui.ui import keys
from glm_tui.ui.app import GLMApp
from glm_tui.ui.keys import DEFAULT, KEYS, Key, bindings, help_rows, key_name, palette_commands
from glm_tui.ui.screens.main import MainScreen

SCOPES = (
    "app",
    "screen",
    "message",
    "cursor",
    "list",
    "search",
    "composer",
    "approval",
    "chip",
    "fold",
)
BOUND_SCOPES = tuple(scope for scope in SCOPES if scope != "composer")
"""The composer's keys are handled by its own code (documented in the table, bound nowhere)."""

# Where the focus can be when a key of the scope is pressed, besides the scope itself: the
# app's keys work everywhere (over dialogs too), the main screen's in all of its widgets, a
# message's inside the message cursor.
MEETS: dict[str, set[str]] = {
    "app": {*SCOPES, "dialog"},
    "screen": {"message", "cursor", "list", "search", "composer", "chip", "fold"},
    "fold": {"cursor"},
    "message": {"cursor"},
}

# (key, inner action, outer action): the main screen's priority scroll keys take these keys
# from the message cursor and do the same there (scroll the conversation), so the cursor's own
# bindings never run inside the main screen.
SAME_MEANING = {
    ("home", "scroll_home", "conversation_top"),
    ("end", "scroll_end", "conversation_end"),
    ("pageup", "page_up", "page(-1)"),
    ("pagedown", "page_down", "page(1)"),
}


def _pairs(binding_list: object) -> list[tuple[str, str]]:
    assert isinstance(binding_list, list)
    pairs = []
    for binding in binding_list:
        assert isinstance(binding, Binding), binding
        pairs.append((binding.key, binding.action))
    return pairs


def _classes_with_bindings() -> Iterator[type]:
    """Every class of glm_tui.ui that declares BINDINGS of its own."""
    for info in pkgutil.walk_packages(glm_tui.ui.__path__, prefix="glm_tui.ui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and cls.__module__ == module.__name__
                and "BINDINGS" in cls.__dict__
            ):
                yield cls


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def _scope_of(cls: type) -> str | None:
    own = _pairs(cls.__dict__["BINDINGS"])
    return next((scope for scope in BOUND_SCOPES if _pairs(bindings(scope)) == own), None)


def test_every_screen_and_widget_takes_its_keys_from_the_table() -> None:
    scopes: dict[str, list[str]] = {}
    own_keys = []
    for cls in _classes_with_bindings():
        scope = _scope_of(cls)
        if scope is not None:
            scopes.setdefault(scope, []).append(cls.__name__)
        elif not issubclass(cls, ModalScreen):
            own_keys.append(cls.__name__)
    # Only a dialog has keys of its own (its buttons' keys, shown on the buttons).
    assert own_keys == []
    assert sorted(scopes) == sorted(BOUND_SCOPES), "a scope of the table is bound nowhere"
    assert all(len(classes) == 1 for classes in scopes.values()), scopes
    assert scopes["app"] == [GLMApp.__name__] and scopes["screen"] == [MainScreen.__name__]


def test_every_bound_action_exists() -> None:
    missing = []
    for cls in _classes_with_bindings():
        for binding in cls.__dict__["BINDINGS"]:
            name = binding.action.split("(")[0]
            target = name.split(".")[-1]
            # A class mixed into others (MessageActions) may leave an action to them.
            owners = [cls, *_subclasses(cls)]
            if not any(callable(getattr(c, f"action_{target}", None)) for c in owners):
                missing.append(f"{cls.__name__}: {binding.key} -> {binding.action}")
    assert missing == []


def _keys(key: Key) -> tuple[str, ...]:
    """The key's default keys (none: the palette only)."""
    return DEFAULT.keys_of(key)


def _table_keys() -> list[tuple[str, str, str]]:
    """(scope, key, action) of every key of the table (a binding of several keys split)."""
    return [(k.scope, key, k.runs) for k in KEYS for key in _keys(k)]


def _dialog_keys() -> list[tuple[str, str, str]]:
    found = []
    for cls in _classes_with_bindings():
        if _scope_of(cls) is None:
            for binding in cls.__dict__["BINDINGS"]:
                found += [(cls.__name__, key, binding.action) for key in binding.key.split(",")]
    return found


def _collisions() -> list[str]:
    everywhere = _table_keys() + [("dialog", key, f"{cls}.{a}") for cls, key, a in _dialog_keys()]
    collisions = []
    for index, (scope, key, action) in enumerate(everywhere):
        for other_scope, other_key, other_action in everywhere[index + 1 :]:
            if key != other_key or action.removesuffix("()") == other_action.removesuffix("()"):
                continue
            meet = (
                scope == other_scope != "dialog"
                or other_scope in MEETS.get(scope, set())
                or scope in MEETS.get(other_scope, set())
            )
            if meet and (key, other_action, action) not in SAME_MEANING:
                collisions.append(f"{key}: {scope} {action} / {other_scope} {other_action}")
    return collisions


def test_no_two_keys_that_meet_collide() -> None:
    assert _collisions() == []


def test_no_key_takes_one_of_textuals_own() -> None:
    """Tab and Shift+Tab move the focus, Ctrl+C copies, Ctrl+P opens the palette: in every
    screen, so no key of the table may take them."""
    textual_keys = {App.COMMAND_PALETTE_BINDING}
    for owner in (App, Screen):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action != "quit":  # the app's Ctrl+Q quits, as ours does
                textual_keys |= set(binding.key.split(","))
    # The palette's own key is in the table (so that [keys] can move it); the composer's Tab
    # completes a / command only while the completion list is shown, and moves the focus else.
    allowed = {("app", "command_palette"), ("screen", "command_palette"), ("composer", "complete")}
    taken = [
        f"{key} ({scope} {action})"
        for scope, key, action in _table_keys()
        if (scope, action) not in allowed
    ]
    assert [t for t in taken if t.split(" ")[0] in textual_keys] == []


def test_f1_lists_every_key_of_the_table() -> None:
    rows = help_rows()
    described = [key for key in KEYS if key.help]
    # One row per described key, with its own words, then Tab and the palette.
    assert [description for _, description in rows[: len(described)]] == [
        key.help + (f" ({key.where})" if key.where else "") for key in described
    ]
    assert [row[0] for row in rows[len(described) :]] == ["Tab / Shift+Tab"]
    unlisted = []
    for key in KEYS:
        if key.scope == "approval":
            continue  # the approval panel says its keys on its last line (and in the footer)
        for name in (key_name(k) for k in _keys(key)):
            in_keys = any(name in column.split(" / ") for column, _ in rows)
            in_words = any(f" {name} " in f" {description} " for _, description in rows)
            if not (in_keys or in_words):
                unlisted.append(f"{name} ({key.scope} {key.runs})")
    assert unlisted == []


def test_the_palette_agrees_with_the_table() -> None:
    commands = palette_commands()
    named = [key for key in KEYS if key.palette is not None]
    assert [c.name for c in commands[: len(named)]] == [key.palette for key in named]
    assert len({c.name for c in commands}) == len(commands), "two palette commands share a name"
    for command, key in zip(commands, named, strict=False):
        assert command.action == key.runs
        if _keys(key):  # an action without a key is in the palette only
            assert command.help.endswith(")") and key_name(_keys(key)[0]) in command.help
        assert command.on_app == (key.scope == "app")
    for command in commands:
        owner = GLMApp if command.on_app else MainScreen
        name = command.action.split("(")[0]  # an action may carry its arguments
        assert callable(getattr(owner, f"action_{name}", None)), command


def test_the_composer_hint_names_the_table_keys() -> None:
    hint = keys.composer_hint()
    for name in ("send", "newline", "help"):
        key = next(k for k in KEYS if k.name == name)
        assert key_name(_keys(key)[0]) in hint


@pytest.mark.parametrize(
    ("key", "name"),
    [("ctrl+b", "Ctrl+B"), ("left_square_bracket", "["), ("f1", "F1"), ("pageup", "PageUp")],
)
def test_key_names_as_people_write_them(key: str, name: str) -> None:
    assert key_name(key) == name
