"""Every key of glm-tui, presented once: the bindings, the F1 help, the command palette, the
footer (it shows the bindings) and the composer's hint all come from ``KEYS``.

A ``Key`` names an action of ``glm_tui/key_actions.py`` (``name``): its keys are that action's,
for the keymap and with the ``[keys]`` of ``config.toml`` (a ``KeyTable``, made from the settings
when the app starts). Keys nobody may move (the composer's Enter, the search box's Down) say
their keys here (``fixed``). A key belongs to a scope: the widget or screen whose bindings it is
in (``KeyTable.bindings(scope)``) or, for ``composer`` keys, the composer's own key handling
(documented here, handled there).

To add a key: its action in ``key_actions.py`` (name, default keys, description, scope), then a
``Key(name, scope, ...)`` here saying where it is bound and how F1, the footer and the palette
show it; ``tests/unit/test_key_config.py`` checks that the two agree, and
``tests/unit/test_keys.py`` that the bindings of every screen and widget, the help and the palette
agree with this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from textual.binding import Binding, BindingsMap

from glm_tui.key_actions import BY_NAME

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from glm_tui.config import Settings

Scope = Literal[
    "app", "screen", "message", "cursor", "list", "search", "composer", "approval", "chip", "fold"
]

ACTION_SCOPE: dict[Scope, str] = {
    "app": "app",
    "screen": "app",
    "list": "sidebar",
    "message": "message",
    "cursor": "message",
    "approval": "approval",
}
"""The scope in key_actions.py of the keys of each UI scope that a user can move (the message
pane's cursor keys are a selected message's)."""

_SIDEBAR = Binding.Group("Sidebar")
_BRANCH = Binding.Group("Branch", compact=True)
_GROUPS = {"Sidebar": _SIDEBAR, "Branch": _BRANCH}
OURS = "glm-tui:"
"""The start of the id of every binding made from this table (to replace them by the keys in
force)."""


@dataclass(frozen=True)
class Key:
    name: str
    """The action's name in key_actions.py (and in ``[keys]``); with ``fixed``, the action."""
    scope: Scope
    label: str = ""
    """The footer's word for it ("" : not in the footer)."""
    help: str = ""
    """F1's description ("" : not in F1, e.g. a key documented with the one before)."""
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
    action: str = ""
    """The action run on the scope's node when not the key_actions one (``page(-1)``)."""
    fixed: str = ""
    """The keys, comma-separated, of a key nobody may move (then ``name`` is its action)."""

    @property
    def runs(self) -> str:
        """The action its binding runs (with its arguments)."""
        if self.action or self.fixed:
            return self.action or self.name
        return BY_NAME[self.name].action


# fmt: off
KEYS: tuple[Key, ...] = (
    # First in the main screen's keys, as Textual's own App binds it: the footer starts with it.
    Key("quit", "screen", "Quit", priority=True),
    Key("send", "composer", help="send the message (or run a / command)", where="in the composer",
        fixed="enter"),
    Key("newline", "composer", help="new line", where="in the composer",
        fixed="ctrl+j,shift+enter"),
    Key("complete", "composer", help="complete a / command", where="in the composer", fixed="tab"),
    Key(
        "complete_path",
        "composer",
        help="paths to attach (Tab: insert one)",
        where="in the composer",
        fixed="at",
    ),
    Key(
        "stop",
        "screen",
        "Stop",
        help="stop the reply (keeps what arrived); leave the sidebar",
        palette="Stop the reply",
        palette_help="Stop the reply being written, keep what arrived",
    ),
    Key(
        "new_conversation",
        "screen",
        "New",
        priority=True,
        help="new conversation",
        palette="New conversation",
        palette_help="Start an empty conversation",
    ),
    # Ctrl+B is tmux's prefix: Ctrl+L does the same inside tmux and screen (README, Keys). A key
    # with a group shows each of its keys in the footer, side by side.
    Key(
        "toggle_sidebar",
        "screen",
        "Sidebar",
        priority=True,
        group="Sidebar",
        help="show / hide the sidebar (Ctrl+L inside tmux, screen)",
        palette="Toggle sidebar",
        palette_help="Show or hide the conversation list",
    ),
    Key(
        "search",
        "screen",
        "Search",
        priority=True,
        help="search (Enter: every message; tag:NAME for a tag)",
        palette="Search conversations",
        palette_help="Search titles and messages",
    ),
    Key("sidebar_search", "list", shown=False, help="search", where="in the sidebar"),
    Key(
        "to_list",
        "search",
        shown=False,
        help="to the results, the first highlighted",
        where="in the search box",
        fixed="down",
    ),
    Key(
        "regenerate",
        "screen",
        "Regenerate",
        priority=True,
        help="regenerate the last reply",
        palette="Regenerate reply",
        palette_help="A new reply to the last prompt",
        needs_conversation=True,
    ),
    Key("page_up", "screen", shown=False, priority=True,
        help="scroll the conversation, from anywhere"),
    Key("page_down", "screen", shown=False, priority=True),
    Key("conversation_top", "screen", shown=False, priority=True,
        help="top / end (in a field with text: its line)"),
    Key("conversation_end", "screen", shown=False, priority=True),
    Key("first_message", "screen", shown=False, priority=True,
        help="first message / end, from anywhere"),
    Key("last_message", "screen", shown=False, priority=True),
    Key(
        "select_messages",
        "composer",
        help="select a message (Alt+Up with a draft)",
        where="in the composer",
        fixed="up,alt+up",
    ),
    # The pane's own scroll keys, when it has the focus: the window's keys, moved with them
    # (before the pane's keys that F1 lists: none is listed with them).
    Key("conversation_top", "cursor", shown=False, action="scroll_home"),
    Key("conversation_end", "cursor", shown=False, action="scroll_end"),
    Key("page_up", "cursor", shown=False, action="page_up"),
    Key("page_down", "cursor", shown=False, action="page_down"),
    Key("previous_message", "cursor", shown=False, help="previous / next message",
        where="in the messages"),
    Key("next_message", "cursor", shown=False),
    Key("message_first", "cursor", shown=False, help="first / last message",
        where="in the messages"),
    Key("message_last", "cursor", shown=False),
    Key("message_search", "cursor", shown=False, help="search", where="in the messages"),
    Key("copy_message", "message", "Copy", help="copy the message", where="on a message"),
    Key(
        "regenerate_message",
        "message",
        "Regenerate",
        help="regenerate (on a prompt: reply again)",
        where="on a message",
    ),
    Key("edit_message", "message", "Edit", help="edit it, as a new branch", where="on a prompt"),
    Key(
        "fork_message",
        "message",
        "Fork",
        help="fork: a new conversation up to it",
        where="on a message",
        palette="Fork conversation",
        palette_help="A new conversation with the branch up to the selected message, or all of it",
        needs_conversation=True,
    ),
    Key(
        "previous_branch",
        "message",
        "Previous branch",
        group="Branch",
        help="previous / next branch (‹ 2/3 ›)",
        where="on a message",
    ),
    Key("next_branch", "message", "Next branch", group="Branch"),
    Key("bookmark_message", "message", "Bookmark", help="bookmark it (or remove its bookmark)",
        where="on a message"),
    Key("copy_code", "message", shown=False, help="copy its code", where="on a reply"),
    Key(
        "toggle_thinking",
        "screen",
        "Thinking",
        priority=True,
        help="thinking on / off for the next request",
        palette="Toggle thinking",
        palette_help="Thinking on/off for the next request",
    ),
    Key(
        "pick_model",
        "screen",
        "Model",
        priority=True,
        help="the model: of this conversation, or of new ones",
        palette="Model",
        palette_help="Choose the model from the provider's list (or type one)",
    ),
    Key(
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
        "settings",
        "screen",
        shown=False,
        priority=True,
        help="settings: provider, model, key, theme…",
        palette="Settings",
        palette_help="Provider, model, sampling, system prompt, theme",
    ),
    Key(
        "show_bookmarks",
        "screen",
        shown=False,
        priority=True,
        help="the bookmarks of every conversation",
        palette="Bookmarks",
        palette_help="Every bookmarked message; Enter opens it",
    ),
    Key(
        "toggle_web_search",
        "screen",
        shown=False,
        priority=True,
        palette="Toggle web search",
        palette_help="Offer Z.ai's web search to the model (zai provider), saved in config.toml",
    ),
    Key(
        "usage",
        "screen",
        shown=False,
        priority=True,
        palette="Usage",
        palette_help="What the history cost: spend by day, model and conversation",
    ),
    Key(
        "compare",
        "screen",
        shown=False,
        priority=True,
        palette="Compare models…",
        palette_help="Send the composer's text to two or three models at once, side by side",
    ),
    Key(
        "new_with_role",
        "screen",
        shown=False,
        priority=True,
        help="new conversation with a role of the prompt library",
        palette="New conversation with role…",
        palette_help="Start a conversation with a prompt's system prompt and model",
    ),
    Key(
        "group_by_tag",
        "screen",
        shown=False,
        priority=True,
        help="group the sidebar by tag, or not",
        palette="Group by tag",
        palette_help="Group the conversation list by tag, or list it by date again",
    ),
    Key(
        "attach_file",
        "screen",
        shown=False,
        priority=True,
        help="attach a file or folder",
        palette="Attach file",
        palette_help="Attach a file or folder to the next message",
    ),
    Key(
        "compact_conversation",
        "screen",
        shown=False,
        priority=True,
        palette="Compact conversation",
        palette_help="Summarise the older turns: the summary is sent in their place from then on",
        needs_conversation=True,
    ),
    Key(
        "undo_compaction",
        "screen",
        shown=False,
        priority=True,
        palette="Undo compaction",
        palette_help="Send the summarised turns again, as they were",
        needs_conversation=True,
    ),
    Key(
        "compact_and_retry",
        "screen",
        shown=False,
        priority=True,
        palette="Compact and retry",
        palette_help="The last reply did not fit the model's window: compact, then send its"
        " prompt again",
        needs_conversation=True,
    ),
    Key(
        "open_attachments",
        "message",
        "Attachments",
        help="show its attachments",
        where="on a prompt",
    ),
    # The chips' keys, in one line of F1 (the first three have no help of their own; Escape is
    # the screen's: it goes back to the composer from a chip).
    Key("open", "chip", "Open", fixed="enter"),
    Key("neighbour(-1)", "chip", shown=False, fixed="left"),
    Key("neighbour(1)", "chip", shown=False, fixed="right"),
    Key(
        "remove",
        "chip",
        "Remove",
        help="remove it; Enter shows it, Left / Right go to the others, Escape back (Shift+Tab"
        " from the composer reaches the chips)",
        where="on an attachment chip",
        fixed="delete,backspace",
    ),
    Key(
        "toggle_fold",
        "fold",
        "Open / fold",
        shown=False,
        help="show the summarised messages, or fold them",
        where="on the fold of a compacted conversation",
        fixed="enter,space",
    ),
    Key(
        "delete_conversation",
        "list",
        "Delete",
        help="delete the conversation (asks first)",
        where="in the sidebar",
    ),
    Key("pin_conversation", "list", "Pin", help="pin / unpin (pinned ones stay on top)",
        where="in the sidebar"),
    Key("tag_conversation", "list", "Tag", help="tags of the conversation", where="in the sidebar"),
    Key("sidebar_down", "list", shown=False, help="next / previous conversation",
        where="in the sidebar"),
    Key("sidebar_up", "list", shown=False),
    Key("sidebar_first", "list", shown=False, help="first / last conversation",
        where="in the sidebar"),
    Key("sidebar_last", "list", shown=False),
    # The approval panel (screens/approval_panel.py) has the focus while it asks: its keys come
    # before the window's (Escape there denies the call; it does not stop the reply). They work
    # only while it asks, and it says them on its last line (and the footer): F1 leaves them out.
    Key("allow_call", "approval", "Allow"),
    Key("always_allow_tool", "approval", "Always"),
    Key("deny_call", "approval", "Deny"),
    Key("edit_call", "approval", "Edit"),
    Key("allow_all_calls", "approval", "Allow all"),
    Key("deny_all_calls", "approval", "Deny all"),
    # The app's own keys work over any dialog too (the main screen's do not).
    Key("quit", "app", "Quit", priority=True, help="quit"),
    Key(
        "help",
        "app",
        "Help",
        priority=True,
        help="this help",
        palette="Help",
        palette_help="Every key, and where the config and history live",
    ),
    Key("command_palette", "app", "palette", shown=False, priority=True, help="command palette"),
)
# fmt: on

PALETTE_ONLY: tuple[tuple[str, str, str, bool], ...] = (
    ("Delete conversation", "Delete this conversation (asks first)", "delete_current", True),
    ("Pin or unpin conversation", "Pinned conversations stay on top", "pin_current", True),
    ("Tag conversation", "Add or remove the conversation's tags", "tag_current", True),
    (
        "Export as Markdown",
        "Its branch shown, as a .md file (a download in a browser)",
        "export('md')",
        True,
    ),
    (
        "Export as JSON",
        "All of it, as glm-tui import reads it (a download in a browser)",
        "export('json')",
        True,
    ),
)
"""(name, help, screen action, needs a conversation) of palette commands that have no key."""


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


@dataclass(frozen=True)
class PaletteCommand:
    name: str
    help: str
    action: str
    """An action of the main screen, or of the app when ``on_app`` (run through ``run_action``,
    so it obeys ``check_action``)."""
    needs_conversation: bool = False
    on_app: bool = False


@dataclass
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
