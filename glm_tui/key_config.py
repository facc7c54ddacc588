"""Your own keys: ``[keys]`` and ``keymap`` in ``config.toml``, checked against key_actions.py.

::

    keymap = "vi"              # j / k / g / G / "/" in the message pane and the sidebar
    [keys]
    new_conversation = "ctrl+o"
    toggle_sidebar = ["ctrl+b", "f9"]
    show_bookmarks = "f6"
    copy_code = ""             # no key (the palette still has it)

A key is written as Textual names it: modifiers (``ctrl``, ``alt``, ``shift``, ``super``,
``meta``, ``hyper``) joined by ``+`` to a key (``a``, ``G``, ``f5``, ``escape``, ``pageup``,
``slash`` or ``/``...). An unknown action, a key that is no key, a key reserved (Tab, Enter...),
a plain key for a whole-window action (it would be typed in the composer) or two actions on one
key where both can be pressed is one line naming the entry; that entry is left out and the
action keeps its default keys. No Textual here: the config is read before the UI starts (the
names follow ``textual/keys.py``, and a test checks them against it).
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path

from glm_tui.key_actions import BY_NAME, KEYMAPS, RESERVED_KEYS, default_keys, scopes_meet
from glm_tui.records import record

MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")
"""Textual's modifiers, in the order it writes them (sorted)."""
_MODIFIER_ALIASES = {"control": "ctrl", "option": "alt", "cmd": "super", "command": "super"}
NAMED_KEYS = frozenset(
    {
        "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
        "pageup", "pagedown", "up", "down", "left", "right",
        *(f"f{n}" for n in range(1, 25)),
    }
)  # fmt: skip
_KEY_ALIASES = {
    "esc": "escape",
    "return": "enter",
    "del": "delete",
    "ins": "insert",
    "pgup": "pageup",
    "page_up": "pageup",
    "pgdn": "pagedown",
    "page_down": "pagedown",
    "spacebar": "space",
}
# textual/keys.py's KEY_NAME_REPLACEMENTS: Unicode names made friendlier.
_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
# Keys a whole-window action may have without a modifier: none of them types a character.
_WINDOW_KEYS = frozenset(
    {"escape", "pageup", "pagedown", "home", "end", "insert", *(f"f{n}" for n in range(1, 25))}
)


def character_key(char: str) -> str:
    """Textual's name for the key of one printable character (``/`` is ``slash``, ``[`` is
    ``left_square_bracket``; letters and digits are themselves)."""
    if char.isalnum():
        return char
    try:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return char
    return _REPLACEMENTS.get(name, name)


# The names of the printable ASCII characters that are not letters or digits.
_CHARACTER_NAMES = frozenset(character_key(c) for c in string.punctuation)


def normalise_key(text: str) -> str:
    """One key in Textual's form (``Ctrl+Shift+Up`` is ``ctrl+shift+up``, ``shift+g`` is
    ``G``); ValueError, one sentence, when it is no key."""
    raw = text.strip()
    if not raw:
        raise ValueError("an empty key")
    if raw == "+" or raw.endswith("++"):
        key, mods = "+", raw[:-2].split("+") if len(raw) > 1 else []
    else:
        *mods, key = raw.split("+")
    modifiers: list[str] = []
    for mod in mods:
        mod = _MODIFIER_ALIASES.get(mod.strip().lower(), mod.strip().lower())
        if mod not in MODIFIERS:
            raise ValueError(f"{mod!r} is no modifier (they are {', '.join(MODIFIERS)})")
        if mod in modifiers:
            raise ValueError(f"{mod} is given twice")
        modifiers.append(mod)
    key = key.strip()
    if len(key) == 1:
        if not key.isprintable() or key.isspace():
            raise ValueError(f"{key!r} is no key")
        if modifiers == ["shift"] and key.isalpha():
            return key.upper()  # what the terminal sends for Shift+G
        # With Ctrl or Alt, a letter comes in lower case (Shift is then a modifier of its own).
        name = character_key(key.lower() if modifiers and key.isalpha() else key)
    else:
        low = key.lower()
        name = _KEY_ALIASES.get(low, low)
        if name not in NAMED_KEYS and name not in _CHARACTER_NAMES:
            raise ValueError(
                f"{key!r} is no key Textual knows (keys are like ctrl+n, f5, escape, pageup,"
                " slash or a single character)"
            )
    normalised = "+".join([*sorted(modifiers), name])
    # Terminals send Ctrl+Space as NUL, which Textual names ctrl+@.
    return "ctrl+@" if normalised in ("ctrl+at", "ctrl+space") else normalised


def is_plain(key: str) -> bool:
    """Whether a key would be typed in a text field: no modifier but Shift, and no function or
    scrolling key."""
    *mods, name = key.split("+") if key != "+" else ["+"]
    return not (set(mods) - {"shift"}) and name not in _WINDOW_KEYS


@record(slots=False)
class KeyConfig:
    """``[keys]`` and ``keymap`` once checked."""

    keymap: str = "default"
    overrides: Mapping[str, str] = field(default_factory=dict)
    """Action name -> its keys, comma-separated as Textual's ``Binding`` takes them ("" for
    none): only the entries that are right."""
    problems: tuple[str, ...] = ()
    """One line per entry left out, naming it."""

    def keys(self) -> dict[str, tuple[str, ...]]:
        """Every action's keys in force: the keymap's defaults with the overrides."""
        keys = default_keys(self.keymap)
        for name, value in self.overrides.items():
            keys[name] = tuple(k for k in value.split(",") if k)
        return keys


def _entry(where: str, name: str, value: object) -> str:
    shown = value if isinstance(value, str) else repr(value)
    if isinstance(value, str):
        shown = f'"{value}"'
    return f"{where}keys.{name} = {shown}"


def _default_text(name: str, keymap: str) -> str:
    keys = default_keys(keymap).get(name, ())
    return f"the default ({', '.join(keys)}) applies" if keys else "it keeps no key"


def _keys_of(value: object) -> list[str]:
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part] if value else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError('a key is text, such as "ctrl+n" (or a list of them)')


def read_key_config(table: object, keymap: object = None, *, path: Path | None = None) -> KeyConfig:
    """Check ``[keys]`` (the TOML table) and ``keymap``; never raises: what is wrong is
    reported and left out."""
    where = f"{path}: " if path is not None else ""
    problems: list[str] = []
    chosen = "default"
    if keymap is not None:
        if isinstance(keymap, str) and keymap.strip().lower() in KEYMAPS:
            chosen = keymap.strip().lower()
        else:
            problems.append(
                f"{where}keymap = {keymap!r}: it is one of {', '.join(KEYMAPS)}; the default"
                " keymap applies"
            )
    if table is None:
        return KeyConfig(chosen, {}, tuple(problems))
    if not isinstance(table, dict):
        problems.append(f"{where}keys must be a table ([keys]); the default keys apply")
        return KeyConfig(chosen, {}, tuple(problems))
    wanted: dict[str, tuple[str, ...]] = {}
    for name, value in table.items():
        entry = _entry(where, name, value)
        action = BY_NAME.get(name)
        if action is None:
            problems.append(f"{entry}: no action is called {name!r} (F1 lists them)")
            continue
        try:
            keys = [normalise_key(key) for key in _keys_of(value)]
        except ValueError as exc:
            problems.append(f"{entry}: {exc}; {_default_text(name, chosen)}")
            continue
        trouble = _misfit(keys, action.scope)
        if trouble:
            problems.append(f"{entry}: {trouble}; {_default_text(name, chosen)}")
            continue
        wanted[name] = tuple(dict.fromkeys(keys))
    for name, other, key in _conflicts(wanted, chosen):
        value = table[name]
        problems.append(
            f"{_entry(where, name, value)}: {key} is {other}'s key too;"
            f" {_default_text(name, chosen)}"
        )
    overrides = {name: ",".join(keys) for name, keys in wanted.items()}
    return KeyConfig(chosen, overrides, tuple(problems))


def _misfit(keys: list[str], scope: str) -> str | None:
    for key in keys:
        if key in RESERVED_KEYS:
            return f"{key} {RESERVED_KEYS[key]}"
        if scope == "app" and is_plain(key):
            return (
                f"{key} would be typed in the composer: a key for the whole window needs Ctrl"
                " or Alt, or is a function key"
            )
    return None


def _conflicts(wanted: dict[str, tuple[str, ...]], keymap: str) -> list[tuple[str, str, str]]:
    """(entry left out, the action it clashed with, the key), leaving out entries (the last
    one of a clash first) until no two actions that meet share a key. ``wanted`` loses them."""
    found: list[tuple[str, str, str]] = []
    while True:
        keys = default_keys(keymap)
        keys.update(wanted)
        clash = _first_clash(keys, list(wanted))
        if clash is None:
            return found
        name, other, key = clash
        del wanted[name]
        found.append((name, other, key))


def _first_clash(
    keys: dict[str, tuple[str, ...]], overridden: list[str]
) -> tuple[str, str, str] | None:
    """The latest override that shares a key with an action it meets, and with which."""
    for name in reversed(overridden):
        scope = BY_NAME[name].scope
        for other, other_keys in keys.items():
            if other == name or not scopes_meet(scope, BY_NAME[other].scope):
                continue
            shared = [key for key in keys[name] if key in other_keys]
            if shared:
                return name, other, shared[0]
    return None
