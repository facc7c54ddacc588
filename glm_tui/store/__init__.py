"""The history store: SQLite through sqlite-utils, with migrations, FTS5 and export/import.

Never imports Textual or the HTTP client: the scripting CLI and the tests use it directly.
"""

from __future__ import annotations

from .errors import (
    DatabaseLocked,
    DatabaseTooNew,
    DiskFullError,
    ImportFormatError,
    NotADatabase,
    NotFound,
    ReadOnlyError,
    StoreError,
    StoreWriteError,
)
from .migrations import SCHEMA_VERSION
from .models import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    ROLES,
    STATUSES,
    TITLE_SOURCES,
    Bookmark,
    Conversation,
    ConversationSummary,
    MatchHighlight,
    Message,
    SearchHit,
    ToolResultInfo,
)
from .organize import TAG_LENGTH, clean_tag
from .store import UNSET, Store

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "ROLES",
    "SCHEMA_VERSION",
    "STATUSES",
    "TAG_LENGTH",
    "TITLE_SOURCES",
    "UNSET",
    "Bookmark",
    "Conversation",
    "ConversationSummary",
    "DatabaseLocked",
    "DatabaseTooNew",
    "DiskFullError",
    "ImportFormatError",
    "MatchHighlight",
    "Message",
    "NotADatabase",
    "NotFound",
    "ReadOnlyError",
    "SearchHit",
    "Store",
    "StoreError",
    "StoreWriteError",
    "ToolResultInfo",
    "clean_tag",
]
