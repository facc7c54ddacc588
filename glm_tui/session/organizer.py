"""The session's organising part: pins, tags, bookmarks, opening a search hit or a bookmark, and
starting a conversation with a role.

``Session.organizer`` is one of these. Every change is written to the store and told to the
session's listeners with an event carrying the row concerned (``ConversationChanged``,
``BookmarkChanged``); lists are filtered and grouped with ``conversation_filter``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glm_tui.conversation_filter import ConversationFilter, TagGroup, group_by_tag, parse_filter
from glm_tui.records import record
from glm_tui.session.events import BookmarkChanged, ConversationChanged, StatusChanged
from glm_tui.store import UNSET, Bookmark, ConversationSummary, MatchHighlight, Store
from glm_tui.store.store import Unset

if TYPE_CHECKING:
    from glm_tui.session.session import Session

BOOKMARKS_LIMIT = 1000
"""The bookmarks a list shows (the most recently made)."""


def export_stem(cid: int, title: str) -> str:
    """``glm-tui-12-owls-at-night``: the conversation's id and its title, as a file name."""
    slug = re.sub(r"[^\w]+", "-", title.lower()).strip("-")[:40].rstrip("-")
    return f"glm-tui-{cid}-{slug or 'conversation'}"


@record
class NewConversation:
    """What the next new conversation starts with, instead of the settings' own."""

    model: str | None = None
    system_prompt: str | Unset | None = UNSET
    """``UNSET``: the settings' system prompt; None: none."""
    role: str | None = None
    """The library prompt it comes from (a role), to say so."""

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``ChatService.new_conversation``."""
        options: dict[str, Any] = {}
        if self.model:
            options["model"] = self.model
        if self.system_prompt is not UNSET:
            options["system_prompt"] = self.system_prompt
        return options


class Organizer:
    """Pins, tags, bookmarks and roles of one session (see the module)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def store(self) -> Store:
        return self.session.store

    async def _changed(self, cid: int, what: str) -> ConversationSummary:
        summary = self.store.conversation_summary(cid)
        await self.session.emit(ConversationChanged(summary, what))
        return summary

    # -- pins and tags -----------------------------------------------------------------------

    async def pin(self, cid: int, pinned: bool = True) -> ConversationSummary:
        """Pin (or unpin) a conversation: pinned ones stay at the top of every list."""
        self.store.set_pinned(cid, pinned)
        return await self._changed(cid, "pinned")

    async def toggle_pin(self, cid: int) -> bool:
        """Pin an unpinned conversation, unpin a pinned one; returns whether it is pinned."""
        pinned = not self.store.conversation_summary(cid).pinned
        await self.pin(cid, pinned)
        return pinned

    async def tag(self, cid: int, tag: str) -> ConversationSummary:
        """Add a tag (ValueError, one sentence, for one that cannot be a tag)."""
        self.store.add_tag(cid, tag)
        return await self._changed(cid, "tags")

    async def untag(self, cid: int, tag: str) -> ConversationSummary:
        self.store.remove_tag(cid, tag)
        return await self._changed(cid, "tags")

    async def set_tags(self, cid: int, tags: Sequence[str]) -> ConversationSummary:
        """Make the conversation's tags exactly these (a dialog that edits them all)."""
        from glm_tui.store import clean_tag

        wanted = {clean_tag(tag).casefold(): clean_tag(tag) for tag in tags}
        have = {tag.casefold(): tag for tag in self.store.tags_of(cid)}
        for key, tag in have.items():
            if key not in wanted:
                self.store.remove_tag(cid, tag)
        for key, tag in wanted.items():
            if key not in have:
                self.store.add_tag(cid, tag)
        return await self._changed(cid, "tags")

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use and how many conversations have it (a completion list)."""
        return self.store.all_tags()

    def conversations(
        self, tag: str | None = None, limit: int | None = None
    ) -> list[ConversationSummary]:
        """Pinned first, then the most recently updated; ``tag``: only those with it."""
        return self.store.list_conversations(limit=limit, tag=tag)

    @staticmethod
    def parse_filter(query: str) -> ConversationFilter:
        """What a search box's text means (``tag:NAME`` terms and words)."""
        return parse_filter(query)

    @staticmethod
    def group_by_tag(summaries: Sequence[ConversationSummary]) -> list[TagGroup]:
        return group_by_tag(summaries)

    # -- bookmarks ---------------------------------------------------------------------------

    async def bookmark(self, message_id: int, bookmarked: bool = True) -> None:
        self.store.set_bookmark(message_id, bookmarked)
        message = self.store.get_message(message_id)
        await self.session.emit(BookmarkChanged(message.conversation_id, message_id, bookmarked))

    async def toggle_bookmark(self, message_id: int) -> bool:
        """Bookmark a message, or remove its bookmark; returns whether it is bookmarked now."""
        message = self.store.get_message(message_id)
        bookmarked = message_id not in self.store.bookmarked_ids(message.conversation_id)
        await self.bookmark(message_id, bookmarked)
        return bookmarked

    def bookmarked_ids(self, cid: int) -> set[int]:
        """The conversation's bookmarked messages, for the pane to mark."""
        return self.store.bookmarked_ids(cid)

    def bookmarks(self, limit: int = BOOKMARKS_LIMIT) -> list[Bookmark]:
        """Bookmarks across conversations, the most recent first (the Bookmarks view)."""
        return self.store.list_bookmarks(limit)

    async def open_bookmark(self, bookmark: Bookmark) -> None:
        """Open the bookmark's conversation on the branch through its message, the cursor on
        it (``ConversationOpened.message_id``)."""
        await self.session.open(bookmark.conversation_id, bookmark.message_id)

    # -- search hits -------------------------------------------------------------------------

    async def open_hit(
        self, conversation_id: int, message_id: int, query: str
    ) -> MatchHighlight | None:
        """Open a search hit: the branch through its message, the cursor on it, and in
        ``ConversationOpened.highlight`` the words the query matched there (``terms``; their
        places in ``content_spans`` / ``reasoning_spans``). ``tag:`` terms are not words."""
        words = parse_filter(query).text
        highlight = self.store.hit_highlight(message_id, words)
        await self.session.open(conversation_id, message_id, highlight=highlight)
        return highlight

    # -- export ------------------------------------------------------------------------------

    deliver: Callable[[str, str], str] | None = None
    """Where exports go instead of a file in the working directory (the browser's downloads,
    under ``glm-tui serve``): takes the file's name and text, returns a note saying where."""

    def export_text(self, cid: int, fmt: str) -> tuple[str, str]:
        """The conversation's export (``md``: its branch shown, as Markdown; ``json``: all of it,
        the format ``glm-tui import`` reads) and the file name it goes by."""
        store = self.store
        if fmt == "json":
            text = json.dumps(store.export_conversation(cid), ensure_ascii=False, indent=2) + "\n"
        else:
            text = store.export_markdown(cid)
        return f"{export_stem(cid, store.get_conversation(cid).title)}.{fmt}", text

    def export(self, cid: int, fmt: str, directory: Path) -> str:
        """Export the conversation to ``deliver``, or else to a new file in ``directory``;
        returns the note to show. OSError when the file cannot be written."""
        if self.deliver is not None:
            name, text = self.export_text(cid, fmt)
            return self.deliver(name, text)
        return f"Saved in {self.export_to(cid, fmt, directory)}"

    def export_to(self, cid: int, fmt: str, directory: Path) -> Path:
        """Write the conversation's export to a new file in ``directory``, never over another
        one; returns its path. OSError when it cannot be written."""
        name, text = self.export_text(cid, fmt)
        stem = name.removesuffix(f".{fmt}")
        for number in range(1, 1000):
            path = directory / (name if number == 1 else f"{stem}-{number}.{fmt}")
            try:
                with path.open("x", encoding="utf-8") as handle:
                    handle.write(text)
            except FileExistsError:
                continue
            return path
        raise FileExistsError(f"{directory / stem}.{fmt} and 998 others exist")

    # -- roles -------------------------------------------------------------------------------

    async def start_new(
        self,
        *,
        system_prompt: str | Unset | None = UNSET,
        model: str | None = None,
        role: str | None = None,
    ) -> None:
        """Show a new conversation that will start with this system prompt and model (the
        palette's "New conversation with role…", ``/system`` or ``/model`` before a first
        prompt); the status line shows the model."""
        session = self.session
        if session.current_id is not None:
            await session.open(None)
        pending = session.next_conversation or NewConversation()
        session.next_conversation = NewConversation(
            model=model or pending.model,
            system_prompt=pending.system_prompt if system_prompt is UNSET else system_prompt,
            role=role or pending.role,
        )
        await session.emit(StatusChanged(session.status()))
