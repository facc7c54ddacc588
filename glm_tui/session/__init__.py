"""The session: what one window of glm-tui has open, and everything it asks of the history.

The open conversation and the branch shown, the replies being written, sending, regenerating,
editing, forking, switching branches, renaming, deleting, searching, and noticing what other
programs wrote to the same database. The TUI asks the session; the session asks the store and
the chat service and tells its listeners what changed with typed events that carry the rows
concerned. No Textual here: tested without a terminal.
"""

from __future__ import annotations

from glm_tui.session.events import (
    BookmarkChanged,
    BranchChanged,
    ChangedElsewhere,
    ConversationChanged,
    ConversationOpened,
    ConversationRemoved,
    ConversationsLoaded,
    ConversationTouched,
    ReplyContinued,
    SessionEvent,
    Status,
    StatusChanged,
    ToolCallChanged,
    ToolsChanged,
    TurnBegan,
    TurnFinished,
    TurnQueued,
)
from glm_tui.session.live import LiveToolCall, LiveTurn, TextPart, TurnListener
from glm_tui.session.organizer import NewConversation, Organizer
from glm_tui.session.session import Busy, CannotSend, Session, Turn
from glm_tui.session.slash_runner import (
    Done,
    Failed,
    NeedsValues,
    Sent,
    ShowHelp,
    SlashOutcome,
    SlashRunner,
)

__all__ = [
    "BookmarkChanged",
    "BranchChanged",
    "Busy",
    "CannotSend",
    "ChangedElsewhere",
    "ConversationChanged",
    "ConversationOpened",
    "ConversationRemoved",
    "ConversationTouched",
    "ConversationsLoaded",
    "Done",
    "Failed",
    "LiveToolCall",
    "LiveTurn",
    "NeedsValues",
    "NewConversation",
    "Organizer",
    "ReplyContinued",
    "Sent",
    "Session",
    "SessionEvent",
    "ShowHelp",
    "SlashOutcome",
    "SlashRunner",
    "Status",
    "StatusChanged",
    "TextPart",
    "ToolCallChanged",
    "ToolsChanged",
    "Turn",
    "TurnBegan",
    "TurnFinished",
    "TurnListener",
    "TurnQueued",
]
