"""Every action a key can be bound to: its name in ``[keys]``, its default keys, where it acts.

The one list the UI's key table (bindings, F1 help, the palette, the footer) is made from, and
what ``[keys]`` in ``config.toml`` is checked against (key_config.py). No Textual here: the
config is read before the UI starts. Keys use Textual's names (``ctrl+n``, ``f2``, ``pageup``,
``slash``, ``left_square_bracket``, ``G``).

Scopes: ``app`` keys work anywhere in the main screen (they need Ctrl, Alt or a function key,
or the composer could not type them); ``sidebar`` keys in the conversation list; ``message``
keys on a selected message; ``approval`` keys in the approval panel, which has the keyboard
while it asks (its keys come before the window's: Escape there denies a call instead of
stopping the reply). Two actions whose scopes meet cannot share a key.
"""

from __future__ import annotations

from glm_tui.records import record

SCOPES = ("app", "sidebar", "message", "approval")
KEYMAPS = ("default", "vi")


@record
class KeyAction:
    name: str
    """Its name in ``[keys]`` (``new_conversation = "ctrl+n"``)."""
    keys: tuple[str, ...]
    """Its keys by default (none: the palette only, until ``[keys]`` gives it one)."""
    description: str
    """What it does, for F1 and the palette."""
    scope: str
    action: str
    """The Textual action its binding runs, on the app or on the widget of its scope (those
    of issue 17 are for the UI to implement: pin, tag, bookmark, bookmarks...)."""
    vi_keys: tuple[str, ...] | None = None
    """Its keys with ``keymap = "vi"`` (None: the same as by default)."""

    def keys_for(self, keymap: str) -> tuple[str, ...]:
        if keymap == "vi" and self.vi_keys is not None:
            return self.vi_keys
        return self.keys


def _a(
    name: str,
    keys: tuple[str, ...],
    description: str,
    scope: str,
    action: str | None = None,
    vi: tuple[str, ...] | None = None,
) -> KeyAction:
    return KeyAction(name, keys, description, scope, action or name, vi)


ACTIONS: tuple[KeyAction, ...] = (
    # The main screen (glm_tui/ui/app.py's BINDINGS, Textual's palette key).
    _a("stop", ("escape",), "Stop the reply being written; close the search or sidebar", "app"),
    _a("new_conversation", ("ctrl+n",), "New conversation", "app"),
    _a("toggle_sidebar", ("ctrl+b", "ctrl+l"), "Show or hide the sidebar", "app"),
    _a("search", ("ctrl+f",), "Search conversations", "app"),
    _a("regenerate", ("ctrl+r",), "Regenerate the last reply", "app"),
    _a("toggle_thinking", ("ctrl+t",), "Thinking on or off for the next request", "app"),
    _a("rename", ("f2",), "Rename the conversation", "app"),
    _a("page_up", ("pageup",), "Scroll the conversation up a page", "app", "page(-1)"),
    _a("page_down", ("pagedown",), "Scroll the conversation down a page", "app", "page(1)"),
    _a("conversation_top", ("home",), "Top of the conversation", "app"),
    _a("conversation_end", ("end",), "End of the conversation", "app"),
    _a(
        "first_message",
        ("ctrl+home",),
        "The first message, from anywhere",
        "app",
        "conversation_top(True)",
    ),
    _a(
        "last_message",
        ("ctrl+end",),
        "The end of the conversation, from anywhere",
        "app",
        "conversation_end(True)",
    ),
    _a("help", ("f1",), "Every key", "app"),
    _a("toggle_web_search", (), "Z.ai's web search on or off (saved)", "app"),
    _a("settings", ("f3",), "Settings", "app"),
    _a("pick_model", ("f4",), "The model of this conversation, or of new ones", "app"),
    _a("usage", (), "What the history cost (the usage screen)", "app"),
    _a("compare", (), "Send the composer's text to two or three models at once", "app"),
    _a("command_palette", ("ctrl+p",), "Command palette", "app"),
    _a("quit", ("ctrl+q",), "Quit", "app"),
    _a("show_bookmarks", (), "The bookmarks of every conversation", "app", "bookmarks"),
    _a("new_with_role", (), "New conversation with a role of the prompt library", "app"),
    _a("group_by_tag", (), "Group the sidebar by tag, or not", "app"),
    _a("attach_file", ("ctrl+o",), "Attach a file or folder (a picker)", "app"),
    _a("compact_conversation", (), "Summarise the older turns (compaction)", "app", "compact"),
    _a("undo_compaction", (), "Undo the compaction of the conversation", "app"),
    _a("compact_and_retry", (), "Compact, then retry the reply that did not fit", "app"),
    # The conversation list (glm_tui/ui/sidebar.py).
    _a("delete_conversation", ("delete",), "Delete the selected conversation", "sidebar", "delete"),
    _a("sidebar_search", ("slash",), "Search conversations", "sidebar", "search"),
    _a("pin_conversation", ("p",), "Pin or unpin the selected conversation", "sidebar", "pin"),
    _a("tag_conversation", ("t",), "Tag the selected conversation", "sidebar", "tag"),
    _a("sidebar_down", (), "Next conversation", "sidebar", "cursor_down", vi=("j",)),
    _a("sidebar_up", (), "Previous conversation", "sidebar", "cursor_up", vi=("k",)),
    _a("sidebar_first", (), "First conversation", "sidebar", "first", vi=("g",)),
    _a("sidebar_last", (), "Last conversation", "sidebar", "last", vi=("G",)),
    # A selected message (glm_tui/ui/selection.py, message_actions.py).
    _a("previous_message", ("up",), "Previous message", "message", "cursor(-1)", vi=("up", "k")),
    _a("next_message", ("down",), "Next message", "message", "cursor(1)", vi=("down", "j")),
    _a("message_first", (), "First message", "message", "first", vi=("g",)),
    _a("message_last", (), "Last message", "message", "last", vi=("G",)),
    _a("message_search", (), "Search conversations", "message", "search", vi=("slash",)),
    _a("copy_message", ("c",), "Copy the message", "message", "copy"),
    _a("regenerate_message", ("r",), "Regenerate this reply", "message", "retry"),
    _a("edit_message", ("e",), "Edit this prompt", "message", "edit"),
    _a("fork_message", ("f",), "Fork the conversation here", "message", "fork"),
    _a("previous_branch", ("left_square_bracket",), "Previous branch", "message", "branch(-1)"),
    _a("next_branch", ("right_square_bracket",), "Next branch", "message", "branch(1)"),
    # k is "up" with the vi keymap: the code blocks are yanked with y there.
    _a("copy_code", ("k",), "Copy the reply's code blocks", "message", vi=("y",)),
    _a("open_attachments", ("o",), "Show the prompt's attachments", "message"),
    _a(
        "bookmark_message",
        ("b",),
        "Bookmark the message, or remove its bookmark",
        "message",
        "bookmark",
    ),
    # The approval panel (glm_tui/ui/screens/approval_panel.py).
    _a("allow_call", ("y", "enter"), "Allow the tool call once", "approval", "allow_once"),
    _a(
        "always_allow_tool",
        ("a",),
        "Allow the call, and always allow its tool",
        "approval",
        "allow_always",
    ),
    _a("deny_call", ("n", "escape"), "Deny the tool call", "approval"),
    _a("edit_call", ("e",), "Edit the arguments, then allow it", "approval", "edit_arguments"),
    _a("allow_all_calls", ("Y",), "Allow every call the reply asked for", "approval", "allow_all"),
    _a("deny_all_calls", ("N",), "Deny every call left", "approval", "deny_all"),
)
BY_NAME: dict[str, KeyAction] = {action.name: action for action in ACTIONS}

RESERVED_KEYS: dict[str, str] = {
    "tab": "moves the focus",
    "shift+tab": "moves the focus",
    "enter": "sends (and opens, chooses)",
    "ctrl+j": "adds a line in the composer",
    "shift+enter": "adds a line in the composer",
    "ctrl+c": "copies (Textual's own key)",
    "ctrl+i": "is Tab for the terminal",
    "ctrl+m": "is Enter for the terminal",
}
"""Keys no action may take, and why."""


def scopes_meet(first: str, second: str) -> bool:
    """Whether keys of the two scopes can be pressed at the same place (the app's keys work
    everywhere in the main screen, but the approval panel's come first while it asks)."""
    if first == second:
        return True
    return "app" in (first, second) and "approval" not in (first, second)


def default_keys(keymap: str = "default") -> dict[str, tuple[str, ...]]:
    """Each action's keys before ``[keys]`` applies."""
    return {action.name: action.keys_for(keymap) for action in ACTIONS}
