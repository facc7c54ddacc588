"""The history store: conversations as trees of messages in one SQLite file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from glm_tui.api.events import ToolCall, Usage, WebSource

from . import attachments as attached
from . import compactions, fts, markdown, outline
from .attachments import AttachmentContent, AttachmentRef
from .branching import Branching
from .compactions import Compaction
from .errors import NotFound
from .message_writes import INSERT_MESSAGE, message_changes, message_values
from .models import (
    Conversation,
    ConversationSummary,
    MatchHighlight,
    Message,
    SearchHit,
    ToolResultInfo,
    clean_optional,
    clean_text,
    utc_now,
)
from .organize import Organising, clean_tag
from .rows import (
    CONVERSATION_COLUMNS,
    SUMMARY_COLUMNS,
    conversation_from_row,
    summary_from_row,
)

if TYPE_CHECKING:
    # Loaded by the two methods that use it: `list` and `show` never do.
    pass


class _Unset(Enum):
    UNSET = 0


UNSET = _Unset.UNSET
Unset = Literal[_Unset.UNSET]


class Store(Organising, Branching):
    """The history: open with ``Store.open(path)``; a context manager, or call ``close()``.

    Every method is one transaction; unknown ids raise NotFound, failed writes a StoreError
    subclass (ReadOnlyError, DiskFullError, DatabaseLocked), and nothing half-done is kept.
    """

    # -- conversations -----------------------------------------------------------------------

    def create_conversation(
        self,
        *,
        title: str,
        provider: str,
        model: str,
        system_prompt: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> int:
        now = utc_now()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO conversations"
                " (title, provider, model, system_prompt, settings, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    clean_text(title),
                    provider,
                    model,
                    clean_optional(system_prompt),
                    json.dumps(settings or {}),
                    now,
                    now,
                ),
            )
            return int(cur.lastrowid or 0)

    def get_conversation(self, cid: int) -> Conversation:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?", (cid,)
            ).fetchone()
        if row is None:
            raise NotFound("conversation", cid, self.path)
        return conversation_from_row(row)

    def list_conversations(
        self, limit: int | None = None, offset: int = 0, *, tag: str | None = None
    ) -> list[ConversationSummary]:
        """Pinned ones first, then the most recently updated; ``tag``: only those with it
        (any case)."""
        where: tuple[str, ...] = ()
        if tag is not None:
            where = (clean_tag(tag),)
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM conversations"
                + (
                    " WHERE id IN (SELECT conversation_id FROM conversation_tags WHERE tag = ?)"
                    if where
                    else ""
                )
                + " ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT ? OFFSET ?",
                (*where, -1 if limit is None else limit, offset),
            ).fetchall()
        return [summary_from_row(row) for row in rows]

    def conversation_summary(self, cid: int) -> ConversationSummary:
        """One sidebar / ``list`` row (after a change to that conversation alone)."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM conversations WHERE id = ?", (cid,)
            ).fetchone()
        if row is None:
            raise NotFound("conversation", cid, self.path)
        return summary_from_row(row)

    def count_conversations(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])

    def most_recent_conversation_id(self) -> int | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT id FROM conversations ORDER BY updated_at DESC, id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else int(row[0])

    def rename_conversation(self, cid: int, title: str) -> None:
        self.set_conversation_fields(cid, title=title)

    def set_conversation_fields(
        self,
        cid: int,
        *,
        title: str | Unset = UNSET,
        provider: str | Unset = UNSET,
        model: str | Unset = UNSET,
        system_prompt: str | Unset | None = UNSET,
        settings: dict[str, Any] | Unset = UNSET,
    ) -> None:
        """Change only the fields given (``system_prompt=None`` clears it); touches updated_at.

        A title given here is the user's: an automatic title never replaces it."""
        changes: dict[str, Any] = {}
        if title is not UNSET:
            changes["title"] = clean_text(title)
            changes["title_source"] = "user"
        if provider is not UNSET:
            changes["provider"] = provider
        if model is not UNSET:
            changes["model"] = model
        if system_prompt is not UNSET:
            changes["system_prompt"] = clean_optional(system_prompt)
        if settings is not UNSET:
            changes["settings"] = json.dumps(settings)
        changes["updated_at"] = utc_now()
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self._write() as conn:
            cur = conn.execute(
                f"UPDATE conversations SET {assignments} WHERE id = ?", [*changes.values(), cid]
            )
            if cur.rowcount == 0:
                raise NotFound("conversation", cid, self.path)

    def touch(self, cid: int) -> None:
        """Mark the conversation as just updated (moves it to the top of the sidebar)."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (utc_now(), cid)
            )
            if cur.rowcount == 0:
                raise NotFound("conversation", cid, self.path)

    def delete_conversation(self, cid: int) -> None:
        """Delete it, and the attachments no other conversation uses."""
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            used = [ref.sha256 for ref in attached.conversation_refs(conn, cid)]
            fts.unindex_conversation(conn, cid)
            conn.execute("DELETE FROM conversations WHERE id = ?", (cid,))
            attached.delete_unused(conn, used)

    # -- messages ----------------------------------------------------------------------------

    def add_message(
        self,
        cid: int,
        *,
        parent_id: int | None,
        role: str,
        content: str = "",
        reasoning: str | None = None,
        status: str = "complete",
        model: str | None = None,
        writer_pid: int | None = None,
        tool: ToolResultInfo | None = None,
        attachments: Sequence[AttachmentRef] = (),
        contents: Sequence[AttachmentContent] = (),
    ) -> int:
        """Append a message; it becomes the conversation's current leaf.

        A ``streaming`` message records the writing process (this one unless told) and when it
        started, so that a later open can tell a live reply from one whose writer died. A
        ``tool`` message (one call's result) is given its call with ``tool``. ``attachments``
        are the message's references; the contents they name are ``contents`` or already
        stored (an edited prompt keeps the original's).
        """
        values = message_values(
            cid,
            parent_id=parent_id,
            role=role,
            content=content,
            reasoning=reasoning,
            status=status,
            model=model,
            writer_pid=writer_pid,
            tool=tool,
        )
        now = values[7]
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            if parent_id is not None:
                parent = self._message(conn, parent_id)
                if parent.conversation_id != cid:
                    raise ValueError(
                        f"message {parent_id} belongs to conversation {parent.conversation_id},"
                        f" not {cid}"
                    )
            if attachments:
                attached.store_contents(conn, contents)
                absent = attached.missing(conn, (ref.sha256 for ref in attachments))
                if absent:
                    raise ValueError(f"no stored attachment with SHA-256 {absent[0]}")
            cur = conn.execute(INSERT_MESSAGE, (*values, attached.refs_to_text(attachments)))
            mid = int(cur.lastrowid or 0)
            fts.index_ids(conn, [mid])
            conn.execute(
                "UPDATE conversations SET current_leaf_id = ?, updated_at = ?,"
                " message_count = message_count + 1 WHERE id = ?",
                (mid, now, cid),
            )
        return mid

    def update_message(
        self,
        mid: int,
        *,
        content: str | None = None,
        reasoning: str | None = None,
        status: str | None = None,
        finish_reason: str | None = None,
        error: str | None = None,
        usage: Usage | None = None,
        duration: float | None = None,
        tool_calls: Sequence[ToolCall] | None = None,
        tool_status: str | None = None,
        sources: Sequence[WebSource] | None = None,
    ) -> None:
        """Change only the fields given (None means "leave as is"); touches the conversation.

        ``tool_calls`` and ``sources`` belong to an assistant message; ``tool_status`` to a
        ``tool`` message (how its call ended)."""
        changes = message_changes(
            content=content,
            reasoning=reasoning,
            status=status,
            finish_reason=finish_reason,
            error=error,
            usage=usage,
            duration=duration,
            tool_calls=tool_calls,
            tool_status=tool_status,
            sources=sources,
        )
        # A change of status too: the index holds no ``streaming`` message (its text is
        # indexed once, when the stream ends; see migrations._v7_streaming_unindexed).
        searched = bool({"content", "reasoning", "tool_calls", "status"} & changes.keys())
        with self._write() as conn:
            old = self._message(conn, mid)
            if searched:
                fts.unindex_ids(conn, [mid])
            if changes:
                assignments = ", ".join(f"{name} = ?" for name in changes)
                conn.execute(
                    f"UPDATE messages SET {assignments} WHERE id = ?", [*changes.values(), mid]
                )
            if searched:
                fts.index_ids(conn, [mid])
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?",
                (utc_now(), old.conversation_id),
            )

    def get_message(self, mid: int) -> Message:
        with self._read() as conn:
            return self._message(conn, mid)

    # -- attachments and compactions ------------------------------------------------------

    def attachment_contents(self, shas: Sequence[str]) -> dict[str, AttachmentContent]:
        """The stored contents of these SHA-256s (those that exist)."""
        with self._read() as conn:
            return attached.load_contents(conn, shas)

    def conversation_attachment_bytes(self, cid: int) -> int:
        """What a conversation's attachments weigh, all branches, each content once."""
        with self._read() as conn:
            return attached.conversation_bytes(conn, cid)

    def add_compaction(
        self,
        cid: int,
        *,
        through_id: int,
        summary: str,
        summarised: int,
        model: str | None = None,
        usage: Usage | None = None,
    ) -> Compaction:
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            if self._message(conn, through_id).conversation_id != cid:
                raise ValueError(f"message {through_id} is not in conversation {cid}")
            new_id = compactions.add(
                conn, cid, through_id, clean_text(summary), summarised, model, usage
            )
            found = compactions.get(conn, new_id)
        assert found is not None
        return found

    def compactions(self, cid: int) -> list[Compaction]:
        """The conversation's compactions, oldest first, undone ones included."""
        with self._read() as conn:
            return compactions.of_conversation(conn, cid)

    def set_compaction_undone(self, compaction_id: int, undone: bool = True) -> Compaction:
        """Undo a compaction (its turns are sent again), or make it apply again."""
        with self._write() as conn:
            if not compactions.set_undone(conn, compaction_id, undone):
                raise NotFound("compaction", compaction_id, self.path)
            found = compactions.get(conn, compaction_id)
        assert found is not None
        return found

    # -- search, change detection ------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 50,
        *,
        highlight: tuple[str, str] = ("[", "]"),
        tags: Sequence[str] = (),
    ) -> list[SearchHit]:
        """Ranked full-text search over content and reasoning; any text is a valid query.
        ``tags``: only in conversations that have all of them."""
        with self._read() as conn:
            return fts.search(conn, query, limit, highlight=highlight, tags=tags)

    def hit_highlight(self, message_id: int, query: str) -> MatchHighlight | None:
        """Where ``query`` matched in a message (the words to highlight when a hit is opened);
        None when it does not match there."""
        from .hit_terms import hit_highlight

        with self._read() as conn:
            return hit_highlight(conn, message_id, query)

    def data_version(self) -> int:
        """Changes when another connection commits: poll it to notice other processes' writes."""
        with self._read() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    # -- export and import -------------------------------------------------------------------
    # (export.py and validate.py are imported when used: most commands never need them)

    def export_conversation(self, cid: int) -> dict[str, Any]:
        """``{"format": "glm-tui-export", "version": 1, "conversations": [one]}``."""
        from . import export

        with self._read() as conn:
            self._conversation_row_exists(conn, cid)
            return export.export_envelope(conn, [cid])

    def export_all(self) -> dict[str, Any]:
        from . import export

        with self._read() as conn:
            ids = [row[0] for row in conn.execute("SELECT id FROM conversations ORDER BY id")]
            return export.export_envelope(conn, ids)

    def import_data(self, data: object) -> list[int]:
        """Import an export: all or nothing, new ids. Raises ImportFormatError, nothing written."""
        from . import export, validate

        plans = validate.validate(data)
        contents = validate.attachment_contents(data, plans)
        with self._write() as conn:
            return export.insert_plans(conn, plans, contents)

    def import_json(self, text: str | bytes) -> list[int]:
        """``import_data`` from JSON text; invalid JSON is an ImportFormatError too."""
        from . import validate

        return self.import_data(validate.parse_json(text))

    def export_markdown(self, cid: int) -> str:
        """The current branch as Markdown, each reasoning folded in a <details> block."""
        conversation = self.get_conversation(cid)
        return markdown.to_markdown(conversation, self.current_path(cid))

    def outline(self, cid: int) -> str:
        """Every branch as a text tree, the current one marked (``show --all``)."""
        conversation = self.get_conversation(cid)
        return outline.to_outline(conversation, self.all_messages(cid), self.current_path(cid))
