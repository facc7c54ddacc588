"""The rows of glm-tui's key table: each ``Key`` says where an action of
``glm_tui/key_actions.py`` is bound (its scope) and how F1, the footer and the palette show it;
``PALETTE_ONLY`` lists the palette's commands that have no key. ``keys.py`` turns the rows into
bindings, help and palette entries with the keys in force.

To add a key: its action in ``key_actions.py`` (name, default keys, description, scope), then a
``Key(name, scope, ...)`` row here; ``tests/unit/test_key_config.py`` checks that the two agree,
and ``tests/unit/test_keys.py`` that the bindings of every screen and widget, the help and the
palette agree with the rows.
"""

from __future__ import annotations

from typing import Literal

from glm_tui.key_actions import BY_NAME
from glm_tui.records import record

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


@record(slots=False)
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
