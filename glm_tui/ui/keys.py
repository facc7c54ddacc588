"""Every key of glm-tui, defined once: the bindings, the F1 help, the command palette, the
footer (it shows the bindings) and the composer's hint all come from ``KEYS``.

A key belongs to a scope: the widget or screen whose ``BINDINGS`` it is in (``bindings(scope)``)
or, for ``composer`` keys, the composer's own key handling (documented here, handled there).
``tests/test_keys.py`` checks that the bindings of every screen and widget, the help and the
palette agree with this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding

Scope = Literal["app", "screen", "message", "cursor", "list", "search", "composer", "chip", "fold"]

_SIDEBAR = Binding.Group("Sidebar")
_BRANCH = Binding.Group("Branch", compact=True)
_GROUPS = {"Sidebar": _SIDEBAR, "Branch": _BRANCH}


@dataclass(frozen=True)
class Key:
    keys: str
    """Textual key names, comma-separated for several keys with one meaning."""
    action: str
    """The action on the scope's node (``page(-1)``: with its argument)."""
    scope: Scope
    label: str = ""
    """The footer's word for it ("" : not in the footer)."""
    help: str = ""
    """F1's description ("" : not in F1, e.g. a second key documented with the first)."""
    shown: bool = True
    priority: bool = False
    group: str | None = None
    palette: str | None = None
    """The command palette's name for the action (None: not in the palette)."""
    palette_help: str = ""
    """The palette's line under the name (its key is added)."""
    needs_conversation: bool = False
    """Offered in the palette only while a conversation is open."""
    where: str = ""
    """Where the key works, for F1 ("in the sidebar", "on a message")."""

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.label,
            show=self.shown and bool(self.label),
            priority=self.priority,
            group=_GROUPS[self.group] if self.group else None,
        )


# fmt: off
KEYS: tuple[Key, ...] = (
    # First in the main screen's keys, as Textual's own App binds it: the footer starts with it.
    Key("ctrl+q", "quit", "screen", "Quit", priority=True),
    Key("enter", "send", "composer", help="send the message", where="in the composer"),
    Key("ctrl+j,shift+enter", "newline", "composer", help="new line", where="in the composer"),
    Key(
        "at",
        "complete_path",
        "composer",
        help="paths to attach (Tab: insert one)",
        where="in the composer",
    ),
    Key(
        "escape",
        "stop",
        "screen",
        "Stop",
        help="stop the reply (keeps what arrived); leave the sidebar",
        palette="Stop the reply",
        palette_help="Stop the reply being written, keep what arrived",
    ),
    Key(
        "ctrl+n",
        "new_conversation",
        "screen",
        "New",
        priority=True,
        help="new conversation",
        palette="New conversation",
        palette_help="Start an empty conversation",
    ),
    # Ctrl+B is tmux's prefix: Ctrl+L does the same inside tmux and screen (README, Keys). Two
    # actions ("...()" is the same one) so that the footer shows both keys as a group.
    Key(
        "ctrl+b",
        "toggle_sidebar",
        "screen",
        "Sidebar",
        priority=True,
        group="Sidebar",
        help="show / hide the sidebar (Ctrl+L inside tmux, screen)",
        palette="Toggle sidebar",
        palette_help="Show or hide the conversation list",
    ),
    Key("ctrl+l", "toggle_sidebar()", "screen", "Sidebar", priority=True, group="Sidebar"),
    Key(
        "ctrl+f",
        "search",
        "screen",
        "Search",
        priority=True,
        help="search (Enter: every message; / in the list too)",
        palette="Search conversations",
        palette_help="Search titles and messages",
    ),
    Key("slash", "search", "list", shown=False),
    Key(
        "down",
        "to_list",
        "search",
        shown=False,
        help="to the results, the first highlighted",
        where="in the search box",
    ),
    Key(
        "ctrl+r",
        "regenerate",
        "screen",
        "Regenerate",
        priority=True,
        help="regenerate the last reply",
        palette="Regenerate reply",
        palette_help="A new reply to the last prompt",
        needs_conversation=True,
    ),
    Key(
        "pageup",
        "page(-1)",
        "screen",
        shown=False,
        priority=True,
        help="scroll the conversation, from anywhere",
    ),
    Key("pagedown", "page(1)", "screen", shown=False, priority=True),
    Key(
        "home",
        "conversation_top",
        "screen",
        shown=False,
        priority=True,
        help="top / end (in a field with text: its line)",
    ),
    Key("end", "conversation_end", "screen", shown=False, priority=True),
    Key(
        "ctrl+home",
        "conversation_top(True)",
        "screen",
        shown=False,
        priority=True,
        help="first message / end, from anywhere",
    ),
    Key("ctrl+end", "conversation_end(True)", "screen", shown=False, priority=True),
    Key(
        "up,alt+up",
        "select_messages",
        "composer",
        help="select a message (Alt+Up with a draft)",
        where="in the composer",
    ),
    Key("up", "cursor(-1)", "cursor", shown=False),
    Key("down", "cursor(1)", "cursor", shown=False),
    Key("home", "scroll_home", "cursor", shown=False),
    Key("end", "scroll_end", "cursor", shown=False),
    Key("pageup", "page_up", "cursor", shown=False),
    Key("pagedown", "page_down", "cursor", shown=False),
    Key("c", "copy", "message", "Copy", help="copy the message", where="on a message"),
    Key(
        "r",
        "retry",
        "message",
        "Regenerate",
        help="regenerate (on a prompt: reply again)",
        where="on a message",
    ),
    Key("e", "edit", "message", "Edit", help="edit it, as a new branch", where="on a prompt"),
    Key(
        "f",
        "fork",
        "message",
        "Fork",
        help="fork: a new conversation up to it",
        where="on a message",
        palette="Fork conversation",
        palette_help="A new conversation with the branch up to the selected message, or all of it",
        needs_conversation=True,
    ),
    Key(
        "left_square_bracket",
        "branch(-1)",
        "message",
        "Previous branch",
        group="Branch",
        help="previous / next branch (‹ 2/3 ›)",
        where="on a message",
    ),
    Key("right_square_bracket", "branch(1)", "message", "Next branch", group="Branch"),
    Key("k", "copy_code", "message", shown=False, help="copy its code", where="on a reply"),
    Key(
        "ctrl+t",
        "toggle_thinking",
        "screen",
        "Thinking",
        priority=True,
        help="thinking on / off for the next request",
        palette="Toggle thinking",
        palette_help="Thinking on/off for the next request",
    ),
    Key(
        "f2",
        "rename",
        "screen",
        "Rename",
        priority=True,
        help="rename the conversation",
        palette="Rename conversation",
        palette_help="Give the conversation a new title",
        needs_conversation=True,
    ),
    Key(
        "f3",
        "settings",
        "screen",
        shown=False,
        priority=True,
        help="settings: provider, model, key, theme…",
        palette="Settings",
        palette_help="Provider, model, sampling, system prompt, theme",
    ),
    Key(
        "ctrl+o",
        "attach_file",
        "screen",
        shown=False,
        priority=True,
        help="attach a file or folder",
        palette="Attach file",
        palette_help="Attach a file or folder to the next message",
    ),
    Key(
        "o",
        "open_attachments",
        "message",
        "Attachments",
        help="show its attachments",
        where="on a prompt",
    ),
    # The chips' keys, in one line of F1 (the first three have no help of their own; Escape is
    # the screen's: it goes back to the composer from a chip).
    Key("enter", "open", "chip", "Open"),
    Key("left", "neighbour(-1)", "chip", shown=False),
    Key("right", "neighbour(1)", "chip", shown=False),
    Key(
        "delete,backspace",
        "remove",
        "chip",
        "Remove",
        help="remove it; Enter shows it, Left / Right go to the others, Escape back (Shift+Tab"
        " from the composer reaches the chips)",
        where="on an attachment chip",
    ),
    Key(
        "enter,space",
        "toggle_fold",
        "fold",
        "Open / fold",
        shown=False,
        help="show the summarised messages, or fold them",
        where="on the fold of a compacted conversation",
    ),
    Key(
        "delete",
        "delete",
        "list",
        "Delete",
        help="delete the conversation (asks first)",
        where="in the sidebar",
    ),
    # The app's own keys work over any dialog too (the main screen's do not).
    Key("ctrl+q", "quit", "app", "Quit", priority=True, help="quit"),
    Key(
        "f1",
        "help",
        "app",
        "Help",
        priority=True,
        help="this help",
        palette="Help",
        palette_help="Every key, and where the config and history live",
    ),
)
# fmt: on

PALETTE_ONLY: tuple[tuple[str, str, str, bool], ...] = (
    ("Delete conversation", "Delete this conversation (asks first)", "delete_current", True),
    (
        "Compact conversation",
        "Summarise the older turns: the summary is sent in their place from then on",
        "compact",
        True,
    ),
    ("Undo compaction", "Send the summarised turns again, as they were", "undo_compaction", True),
    (
        "Compact and retry",
        "The last reply did not fit the model's window: compact, then send its prompt again",
        "compact_and_retry",
        True,
    ),
)
"""(name, help, screen action, needs a conversation) of palette commands that have no key."""


BindingList = list[Binding | tuple[str, str] | tuple[str, str, str]]
"""The type Textual gives ``BINDINGS``."""


def bindings(scope: Scope) -> BindingList:
    """The ``BINDINGS`` of a scope, in the table's order."""
    return [key.binding() for key in KEYS if key.scope == scope]


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


def _same_meaning(key: Key) -> list[Key]:
    """The key and the ones after it that are documented with it (no help of their own)."""
    index = KEYS.index(key)
    run = [key]
    for other in KEYS[index + 1 :]:
        if other.help or other.scope != key.scope:
            break
        run.append(other)
    return run


def keys_text(key: Key) -> str:
    """All the keys of a help line: ``Ctrl+B / Ctrl+L``, ``PageUp / PageDown``."""
    names = [key_name(k) for run in _same_meaning(key) for k in run.keys.split(",")]
    return " / ".join(dict.fromkeys(names))


def help_rows() -> list[tuple[str, str]]:
    """(keys, description) for F1, in the table's order."""
    rows = []
    for key in KEYS:
        if key.help:
            where = f" ({key.where})" if key.where else ""
            rows.append((keys_text(key), key.help + where))
    rows.append(("Tab / Shift+Tab", "next / previous field or button (in a dialog too)"))
    rows.append(("Ctrl+P", "command palette"))
    return rows


@dataclass(frozen=True)
class PaletteCommand:
    name: str
    help: str
    action: str
    """An action of the main screen, or of the app when ``on_app`` (run through ``run_action``,
    so it obeys ``check_action``)."""
    needs_conversation: bool = False
    on_app: bool = False


def palette_commands() -> list[PaletteCommand]:
    """The palette's commands: each keyed action named for the palette, its help ending with
    its key, then the commands that have no key."""
    commands = []
    for key in KEYS:
        if key.palette is None:
            continue
        hint = keys_text(key).replace(" / ", " or ")
        where = f" {key.where}" if key.where else ""
        commands.append(
            PaletteCommand(
                key.palette,
                f"{key.palette_help} ({hint}{where})",
                key.action.removesuffix("()"),
                key.needs_conversation,
                on_app=key.scope == "app",
            )
        )
    commands += [PaletteCommand(*spec) for spec in PALETTE_ONLY]
    return commands


def composer_hint() -> str:
    """The composer's placeholder: how to send, add a line, and find every key."""
    send = next(k for k in KEYS if k.action == "send")
    newline = next(k for k in KEYS if k.action == "newline")
    help_key = next(k for k in KEYS if k.action == "help")
    return (
        f"Message GLM · {key_name(send.keys)}: send · "
        f"{key_name(newline.keys.split(',')[0])}: new line · {key_name(help_key.keys)}: help"
    )


def actions(scopes: Iterable[Scope]) -> Sequence[str]:
    """The action names (without arguments) of the given scopes."""
    wanted = set(scopes)
    return tuple(dict.fromkeys(k.action.split("(")[0] for k in KEYS if k.scope in wanted))
