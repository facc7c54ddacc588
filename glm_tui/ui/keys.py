"""Every key of glm-tui, presented once: the bindings, the F1 help, the command palette, the
footer (it shows the bindings) and the composer's hint all come from ``KEYS``.

A ``Key`` names an action of ``glm_tui/key_actions.py`` (``name``): its keys are that action's,
for the keymap and with the ``[keys]`` of ``config.toml`` (a ``KeyTable``, made from the settings
when the app starts). Keys nobody may move (the composer's Enter, the search box's Down) say
their keys here (``fixed``). A key belongs to a scope: the widget or screen whose bindings it is
in (``KeyTable.bindings(scope)``) or, for ``composer`` keys, the composer's own key handling
(documented here, handled there).

The rows themselves (``Key``, ``KEYS``, ``PALETTE_ONLY``) are in ``key_rows.py``: to add a key,
its action in ``key_actions.py``, then a row there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingsMap

from glm_tui.records import record

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from glm_tui.config import Settings

from glm_tui.ui.key_rows import ACTION_SCOPE, KEYS, PALETTE_ONLY, Key, Scope

__all__ = [
    "ACTION_SCOPE",
    "DEFAULT",
    "KEYS",
    "PALETTE_ONLY",
    "BindingList",
    "Key",
    "KeyTable",
    "PaletteCommand",
    "Scope",
    "actions",
    "bindings",
    "composer_hint",
    "help_rows",
    "install",
    "key_name",
    "palette_commands",
    "table_of",
]

_SIDEBAR = Binding.Group("Sidebar")
_BRANCH = Binding.Group("Branch", compact=True)
_GROUPS = {"Sidebar": _SIDEBAR, "Branch": _BRANCH}
OURS = "glm-tui:"
"""The start of the id of every binding made from this table (to replace them by the keys in
force)."""


BindingList = list[Binding | tuple[str, str] | tuple[str, str, str]]
"""The type Textual gives ``BINDINGS``."""

_NAMES = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "at": "@",
    "backspace": "Backspace",
    "left": "Left",
    "right": "Right",
    "pageup": "PageUp",
    "pagedown": "PageDown",
    "escape": "Escape",
    "enter": "Enter",
    "delete": "Delete",
    "home": "Home",
    "end": "End",
    "up": "Up",
    "down": "Down",
    "tab": "Tab",
}


def key_name(key: str) -> str:
    """A Textual key as people write it: ``ctrl+b`` -> ``Ctrl+B``, ``left_square_bracket`` ->
    ``[``, ``f1`` -> ``F1``."""
    *mods, last = key.split("+")
    if len(last) == 1:
        name = last.upper() if mods else last  # "Ctrl+J", but "f" and "k" as typed
    else:
        name = _NAMES.get(last) or (last.upper() if len(last) <= 3 else last.capitalize())
    return "+".join([*(m.capitalize() for m in mods), name])


@record(slots=False)
class PaletteCommand:
    name: str
    help: str
    action: str
    """An action of the main screen, or of the app when ``on_app`` (run through ``run_action``,
    so it obeys ``check_action``)."""
    needs_conversation: bool = False
    on_app: bool = False


@record(frozen=False, slots=False)
class KeyTable:
    """The keys in force: the table's keys with the keymap and ``[keys]`` applied."""

    keymap: str = "default"
    overrides: Mapping[str, str] = field(default_factory=dict)
    _maps: dict[tuple[type[DOMNode], Scope], BindingsMap] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        from glm_tui.key_config import KeyConfig

        self.in_force = KeyConfig(self.keymap, dict(self.overrides)).keys()

    @classmethod
    def for_settings(cls, settings: Settings) -> KeyTable:
        return cls(settings.keymap, dict(settings.key_overrides))

    @property
    def is_default(self) -> bool:
        return self.keymap == "default" and not self.overrides

    def keys_of(self, key: Key) -> tuple[str, ...]:
        """The key's keys in force (none: the action has no key)."""
        if key.fixed:
            return tuple(key.fixed.split(","))
        return self.in_force[key.name]

    def action_keys(self, name: str) -> tuple[str, ...]:
        """The keys in force of an action of key_actions.py."""
        return self.in_force.get(name, ())

    def first(self, name: str) -> str:
        """The first key of an action as people write it ("" when it has none)."""
        keys = self.action_keys(name)
        return key_name(keys[0]) if keys else ""

    # -- bindings ------------------------------------------------------------------------------

    def _bindings(self, key: Key) -> list[Binding]:
        keys = self.keys_of(key)
        if not keys:
            return []
        group = _GROUPS[key.group] if key.group else None
        # A group shows each of its keys in the footer: one binding per key.
        spread = [(k,) for k in keys] if group is not None else [keys]
        return [
            Binding(
                ",".join(some),
                key.runs,
                key.label,
                show=key.shown and bool(key.label),
                priority=key.priority,
                group=group,
                id=f"{OURS}{key.name}",
                tooltip="Open the command palette" if key.name == "command_palette" else "",
            )
            for some in spread
        ]

    def bindings(self, scope: Scope) -> BindingList:
        """The bindings of a scope, in the table's order."""
        return [b for key in KEYS if key.scope == scope for b in self._bindings(key)]

    def bindings_map(self, node_class: type[DOMNode], scope: Scope) -> BindingsMap:
        """The class's bindings with ours replaced by the keys in force (built once a class)."""
        cached = self._maps.get((node_class, scope))
        if cached is None:
            base = node_class._merged_bindings or BindingsMap()
            by_key: dict[str, list[Binding]] = {}
            for key, found in base.key_to_bindings.items():
                kept = [b for b in found if not (b.id or "").startswith(OURS)]
                if kept:
                    by_key[key] = kept
            ours = BindingsMap(self.bindings(scope))
            for key, found in ours.key_to_bindings.items():
                by_key.setdefault(key, []).extend(found)
            cached = self._maps[(node_class, scope)] = BindingsMap.from_keys(by_key)
        return cached.copy()

    # -- what the user reads -------------------------------------------------------------------

    def _same_meaning(self, key: Key) -> list[Key]:
        """The key and the ones after it that are documented with it (no help of their own)."""
        index = KEYS.index(key)
        run = [key]
        for other in KEYS[index + 1 :]:
            if other.help or other.scope != key.scope:
                break
            run.append(other)
        return run

    def keys_text(self, key: Key) -> str:
        """All the keys of a help line: ``Ctrl+B / Ctrl+L``, ``PageUp / PageDown`` ("" when
        none has a key)."""
        names = [key_name(k) for run in self._same_meaning(key) for k in self.keys_of(run)]
        return " / ".join(dict.fromkeys(names))

    def help_entries(self) -> list[tuple[str, str, str]]:
        """(keys, description, names in ``[keys]``) for F1, in the table's order; an action
        without a key is listed with "—" (the palette has it)."""
        rows = []
        for key in KEYS:
            if key.help:
                where = f" ({key.where})" if key.where else ""
                run = self._same_meaning(key)
                names = ", ".join(dict.fromkeys(k.name for k in run if not k.fixed))
                rows.append((self.keys_text(key) or "—", key.help + where, names))
        rows.append(("Tab / Shift+Tab", "next / previous field or button (in a dialog too)", ""))
        return rows

    def help_rows(self) -> list[tuple[str, str]]:
        """(keys, description) for F1."""
        return [(keys, text) for keys, text, _ in self.help_entries()]

    def palette_commands(self) -> list[PaletteCommand]:
        """The palette's commands: each keyed action named for the palette, its help ending with
        its keys, then the commands that have no key."""
        commands = []
        for key in KEYS:
            if key.palette is None:
                continue
            hint = self.keys_text(key).replace(" / ", " or ")
            where = f" {key.where}" if key.where else ""
            commands.append(
                PaletteCommand(
                    key.palette,
                    f"{key.palette_help} ({hint}{where})" if hint else key.palette_help,
                    key.runs,
                    key.needs_conversation,
                    on_app=key.scope == "app",
                )
            )
        commands += [PaletteCommand(*spec) for spec in PALETTE_ONLY]
        return commands

    def composer_hint(self) -> str:
        """The composer's placeholder: how to send, add a line, and find every key."""
        send = next(k for k in KEYS if k.name == "send")
        newline = next(k for k in KEYS if k.name == "newline")
        help_key = self.first("help")
        hint = (
            f"Message GLM · {key_name(send.fixed)}: send · "
            f"{key_name(newline.fixed.split(',')[0])}: new line"
        )
        return f"{hint} · {help_key}: help" if help_key else hint


DEFAULT = KeyTable()
"""The keys without ``[keys]``: the classes' own ``BINDINGS``, for a node made with no app."""


def bindings(scope: Scope) -> BindingList:
    """A class's ``BINDINGS`` (the default keys; ``install`` puts the keys in force)."""
    return DEFAULT.bindings(scope)


def table_of(node: DOMNode) -> KeyTable:
    """The keys in force of the app the node is in (the default ones outside an app)."""
    try:
        app = node.app
    except Exception:  # no app is running (a widget made in a unit test)
        return DEFAULT
    table = getattr(app, "key_table", None)
    return table if isinstance(table, KeyTable) else DEFAULT


def install(node: DOMNode, scope: Scope) -> None:
    """Give the node the bindings of its scope with the keys in force (called in its
    ``__init__``: its class's ``BINDINGS`` hold the default keys)."""
    table = table_of(node)
    if not table.is_default:
        node._bindings = table.bindings_map(type(node), scope)


def actions(scopes: Iterable[Scope]) -> Sequence[str]:
    """The action names (without arguments) of the given scopes."""
    wanted = set(scopes)
    return tuple(dict.fromkeys(k.runs.split("(")[0] for k in KEYS if k.scope in wanted))


def help_rows() -> list[tuple[str, str]]:
    """F1's rows with the default keys."""
    return DEFAULT.help_rows()


def palette_commands() -> list[PaletteCommand]:
    """The palette's commands with the default keys."""
    return DEFAULT.palette_commands()


def composer_hint() -> str:
    """The composer's placeholder with the default keys."""
    return DEFAULT.composer_hint()
