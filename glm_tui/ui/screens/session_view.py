"""What the main screen shows when the session tells it something: each event, with the rows it
carries, goes to the widgets that show it (no store read here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from glm_tui.session import (
    AttachmentsChanged,
    BookmarkChanged,
    BranchChanged,
    ChangedElsewhere,
    CompactionChanged,
    CompareFinished,
    CompareReplyChanged,
    CompareReplyFinished,
    ContextOverflowed,
    ConversationChanged,
    ConversationOpened,
    ConversationRemoved,
    ConversationsLoaded,
    ConversationTouched,
    ReplyContinued,
    SessionEvent,
    StatusChanged,
    ToolCallChanged,
    ToolsChanged,
    TurnBegan,
    TurnFinished,
    TurnQueued,
)
from glm_tui.ui.screens.problems import attempt_now
from glm_tui.ui.screens.tool_view import ToolView
from glm_tui.ui.textual_private import is_being_removed
from glm_tui.ui.widgets.messages import AssistantMessage

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen

DELETED_ELSEWHERE = Content.assemble(
    ("This conversation was deleted by another program.", "bold"),
    "\n\nWhat you send now starts a new conversation.",
)


class SessionView:
    """The session's listener for the main screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.tools = ToolView(screen)

    async def __call__(self, event: SessionEvent) -> None:
        screen = self.screen
        if is_being_removed(screen):
            return  # the app is closing: a turn ending now has its row saved, nothing to show
        session = screen.session
        if isinstance(event, StatusChanged):
            screen.status_line.show(event.status)
        elif isinstance(event, ConversationsLoaded):
            screen.sidebar.set_conversations(
                event.summaries, live_ids=set(session.live), current_id=session.current_id
            )
        elif isinstance(event, ConversationTouched):
            screen.sidebar.touch(event.summary)
        elif isinstance(event, ConversationOpened):
            await self._opened(event)
        elif isinstance(event, TurnQueued):
            self._queued(event)
        elif isinstance(event, TurnBegan):
            if screen.pane.conversation_id == event.live.conversation_id:
                await screen.pane.start_turn(event.live, event.user, event.reply)
        elif isinstance(event, TurnFinished):
            await self._finished(event)
        elif isinstance(event, BranchChanged):
            shown = screen.pane.conversation_id == event.conversation_id and (
                await screen.pane.show_branch(event.replaced_id, event.path, event.live)
            )
            if not shown:
                await session.open(event.conversation_id)
        elif isinstance(event, ChangedElsewhere):
            if screen.pane.conversation_id == event.conversation_id and not (
                await screen.pane.catch_up(event.path)
            ):
                await session.open(event.conversation_id)  # another branch: shown whole
        elif isinstance(event, ConversationRemoved):
            await self._removed(event)
        elif isinstance(event, ConversationChanged):
            screen.sidebar.change(event.summary)  # an automatic title, a pin, tags
        elif isinstance(event, BookmarkChanged):
            self._bookmark_changed(event)
        elif isinstance(event, ToolCallChanged | ReplyContinued | ToolsChanged):
            await self.tools.show(event)
        elif isinstance(event, CompareReplyChanged | CompareReplyFinished | CompareFinished):
            await screen.models.compare_event(event)
        elif isinstance(event, AttachmentsChanged | CompactionChanged | ContextOverflowed):
            await screen.context.tell(event)

    def _bookmark_changed(self, event: BookmarkChanged) -> None:
        pane = self.screen.pane
        if pane.conversation_id != event.conversation_id:
            return
        if event.bookmarked:
            pane.bookmarked.add(event.message_id)
        else:
            pane.bookmarked.discard(event.message_id)
        widget = pane.widget_for(event.message_id)
        if widget is not None:
            widget.set_bookmarked(event.bookmarked)

    async def _opened(self, event: ConversationOpened) -> None:
        screen = self.screen
        cid = event.conversation.id if event.conversation is not None else None
        # The stars of the conversation's bookmarks (the one read here: opening is rare).
        bookmarked: set[int] | None = set()
        if cid is not None:
            bookmarked = attempt_now(
                screen.app, lambda: screen.session.organizer.bookmarked_ids(cid)
            )
        screen.pane.bookmarked = bookmarked or set()
        await screen.pane.show(cid, event.path, event.live, event.compaction)
        screen.sidebar.select(cid)
        screen.approver.conversation_shown()
        screen.collector.later()
        if event.message_id is not None:
            await screen.branches.select_message(event.message_id)
            widget = screen.pane.widget_for(event.message_id)
            if event.highlight is not None and widget is not None:
                widget.show_match(event.highlight)

    def _queued(self, event: TurnQueued) -> None:
        screen = self.screen
        cid = event.live.conversation_id
        screen.sidebar.set_live(set(screen.session.live))
        if cid == screen.session.current_id and screen.pane.conversation_id is None:
            # The first prompt of a new conversation: the pane shows it from now on.
            screen.pane.conversation_id = cid
            screen.sidebar.select(cid)
        if screen.pane.conversation_id == cid:
            screen.pane.anchor()

    async def _finished(self, event: TurnFinished) -> None:
        screen = self.screen
        live, message = event.live, event.message
        cid = live.conversation_id
        listener = live.listener
        if isinstance(listener, AssistantMessage) and message is not None:
            await listener.finish(message)
        elif screen.pane.conversation_id == cid and live.assistant_id is None:
            await screen.session.open(cid)  # stopped before the reply began
        elif screen.pane.conversation_id == cid and self.tools.unfinished(live):
            await screen.session.open(cid)  # stopped during its calls: as they were saved
        screen.sidebar.set_live(set(screen.session.live))
        if screen.pane.conversation_id == cid and screen.is_active:
            screen.composer.focus()

    async def _removed(self, event: ConversationRemoved) -> None:
        screen = self.screen
        cid = event.conversation_id
        screen.sidebar.drop(cid)
        if not event.elsewhere:
            return
        was_live = cid in screen.session.live
        if was_live:
            await screen.turns.cancel(cid)
        if screen.pane.conversation_id == cid:
            await screen.pane.show_notice(DELETED_ELSEWHERE)
            screen.sidebar.select(None)
        elif was_live:
            screen.notify(
                "A conversation was deleted by another program; its reply was stopped.",
                severity="warning",
            )
