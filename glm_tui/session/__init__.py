"""The session: what one window of glm-tui has open, and everything it asks of the history.

The open conversation and the branch shown, the replies being written, sending, regenerating,
editing, forking, switching branches, renaming, deleting, searching, and noticing what other
programs wrote to the same database; comparing models, the model list and the model chosen,
what the history cost and the monthly budget. The TUI asks the session; the session asks the
store and the chat service and tells its listeners what changed with typed events that carry
the rows concerned. No Textual here: tested without a terminal.
"""

from __future__ import annotations

from glm_tui.session.attaching import AttachmentDesk, DraftEstimate, WouldOverflow
from glm_tui.session.compacting import CompactionDesk
from glm_tui.session.compare import CompareTurn, LiveCompare
from glm_tui.session.errors import Busy, CannotSend
from glm_tui.session.events import (
    AttachmentsChanged,
    BookmarkChanged,
    BranchChanged,
    ChangedElsewhere,
    CompactionChanged,
    CompareBegan,
    CompareFinished,
    CompareReplyChanged,
    CompareReplyFinished,
    ContextOverflowed,
    ConversationChanged,
    ConversationOpened,
    ConversationRemoved,
    ConversationsLoaded,
    ConversationTouched,
    ModelsChanged,
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
from glm_tui.session.model_choice import ModelChoices
from glm_tui.session.organizer import NewConversation, Organizer
from glm_tui.session.session import Session
from glm_tui.session.slash_runner import (
    Done,
    Failed,
    NeedsValues,
    Sent,
    ShowHelp,
    SlashOutcome,
    SlashRunner,
)
from glm_tui.session.turns import Turn

__all__ = [
    "AttachmentDesk",
    "AttachmentsChanged",
    "BookmarkChanged",
    "BranchChanged",
    "Busy",
    "CannotSend",
    "ChangedElsewhere",
    "CompactionChanged",
    "CompactionDesk",
    "CompareBegan",
    "CompareFinished",
    "CompareReplyChanged",
    "CompareReplyFinished",
    "CompareTurn",
    "ContextOverflowed",
    "ConversationChanged",
    "ConversationOpened",
    "ConversationRemoved",
    "ConversationTouched",
    "ConversationsLoaded",
    "Done",
    "DraftEstimate",
    "Failed",
    "LiveCompare",
    "LiveToolCall",
    "LiveTurn",
    "ModelChoices",
    "ModelsChanged",
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
    "WouldOverflow",
]
