"""The message pane: the current branch of one conversation, newest at the bottom.

Only the last screen and a half of messages is mounted at first (mounting hundreds of Markdown
widgets takes seconds); older ones are mounted about two screens at a time as the user scrolls up
near the top. A compacted conversation's summarised messages are folded behind one line at
the top (``CompactionFold``), mounted only when it is opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.content import Content
from textual.css.query import NoMatches
from textual.scrollbar import ScrollBar
from textual.widget import Widget
from textual.widgets import Static

from glm_tui.session.live import LiveToolCall, LiveTurn
from glm_tui.store import Message
from glm_tui.store.compactions import Compaction
from glm_tui.ui.textual_private import (
    QuietResize,
    SeeThrough,
    anchor_released,
    quiet_vertical_scrollbar,
)
from glm_tui.ui.widgets.compaction_fold import CompactionFold
from glm_tui.ui.widgets.messages import AssistantMessage, MissingReply, UserMessage
from glm_tui.ui.widgets.pane_pages import (
    FIRST_SCREENS,
    OLDER_SCREENS,
    PAGE_SIZE,
    OlderMessages,
    changed,
    page_from_end,
    tool_rounds,
)
from glm_tui.ui.widgets.selection import MessageCursor
from glm_tui.ui.widgets.thinking import markdown_imported

if TYPE_CHECKING:
    from glm_tui.ui.widgets.thumbnails import ImageLoader

BranchInfo = Callable[[Sequence[int]], dict[int, tuple[int, int]]]
"""Message ids -> (place among the siblings, how many): the app asks the store."""


class MessagePane(QuietResize, SeeThrough, MessageCursor):
    @property
    def vertical_scrollbar(self) -> ScrollBar:
        return quiet_vertical_scrollbar(self)  # resized, it asks for no second layout

    def __init__(self, *, clock: Callable[[], float], empty_text: Content, id: str) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.empty_text = empty_text
        self.conversation_id: int | None = None
        self.branch_info: BranchInfo | None = None
        self.image_loader: ImageLoader | None = None
        """Reads a sent image's bytes for the prompts' thumbnails (set by the main screen)."""
        self.bookmarked: set[int] = set()
        """The bookmarked messages of the conversation shown (marked with a star)."""
        self._older: list[Message] = []
        self._unfolded: list[Widget] = []
        """The summarised messages mounted while the fold is open."""
        self._lock = asyncio.Lock()
        self._results: dict[int, list[Message]] = {}
        """The tool results of the replies shown that asked for calls, by reply."""
        self._continued: set[int] = set()
        """The replies shown that go on after tool results."""
        self.top_wanted = False
        """The first message was asked for (Ctrl+Home): older messages mounted meanwhile keep
        the view at the top, until the view moves down (End, scrolling)."""

    def _note_tools(self, path: Sequence[Message], *, replace: bool = True) -> None:
        results, continued = tool_rounds(path)
        if replace:
            self._results, self._continued = results, continued
        else:
            self._results.update(results)
            self._continued |= continued

    @property
    def has_older(self) -> bool:
        return bool(self._older)

    def _branches(self, messages: Sequence[Message]) -> dict[int, tuple[int, int]]:
        return self.branch_info([m.id for m in messages]) if self.branch_info else {}

    def on_mount(self) -> None:
        self.mount(Static(self.empty_text, classes="empty-state"))

    def set_empty_text(self, text: Content) -> None:
        """What the pane says when no conversation is open (it names the model)."""
        self.empty_text = text
        for state in self.query(".empty-state"):
            if isinstance(state, Static):
                state.update(text)

    # -- what is shown ------------------------------------------------------------------------

    def message_widgets(self) -> list[Widget]:
        return [w for w in self.children if isinstance(w, UserMessage | AssistantMessage)]

    @property
    def settled(self) -> bool:
        """Every reply's answer laid out, its parts in view mounted with their blocks."""
        return all(
            widget.answer.region and widget.answer.settled
            for widget in self.children
            if isinstance(widget, AssistantMessage) and widget.answer.display
        )

    @property
    def leaf_id(self) -> int | None:
        """The last message of the branch shown (None when nothing is shown)."""
        widgets = self.message_widgets()
        return widgets[-1].message.id if widgets else None  # type: ignore[attr-defined]

    def widget_for(self, message_id: int) -> UserMessage | AssistantMessage | None:
        try:
            widget = self.query_one(f"#msg-{message_id}")
        except NoMatches:
            return None
        return widget if isinstance(widget, UserMessage | AssistantMessage) else None

    def _widgets_for(
        self, messages: Sequence[Message], live: LiveTurn | None, *, is_tail: bool
    ) -> list[Widget]:
        widgets: list[Widget] = []
        branches = self._branches(messages)
        for message in messages:
            branch = branches.get(message.id)
            widget: UserMessage | AssistantMessage
            if message.role == "user":
                widget = UserMessage(message, branch, self.image_loader)
            elif message.role == "assistant":
                mine = live if live is not None and live.assistant_id == message.id else None
                if message.tool_calls and message.status == "complete":
                    mine = None  # its round ended: its calls are approved or run now
                calls = live.tool_calls if live is not None and message.tool_calls else None
                widget = AssistantMessage(
                    message,
                    live=mine,
                    clock=self.clock,
                    branch=branch,
                    results=self._results.get(message.id, ()),
                    live_calls=calls,
                    continued=message.id in self._continued,
                )
            else:
                continue
            if message.id in self.bookmarked:
                widget.set_bookmarked(True)
            widgets.append(widget)
        last = messages[-1] if messages else None
        waiting = live is not None and live.assistant_id is None
        if is_tail and last is not None and last.role == "user" and not waiting:
            widgets.append(MissingReply(last.id))
        return widgets

    async def show(
        self,
        conversation_id: int | None,
        path: Sequence[Message],
        live: LiveTurn | None,
        compaction: Compaction | None = None,
    ) -> None:
        """Replace the pane's content with a conversation (None: the empty new one); the
        messages ``compaction`` summarises are folded."""
        await markdown_imported()
        async with self._lock:
            # One layout and one paint once all is in, not also one of the emptied pane: a
            # quarter of the time to open a conversation from a long one, and no flicker.
            with self.app.batch_update():
                self.conversation_id = conversation_id
                self.top_wanted = False
                self._unfolded = []
                await self.remove_children()
                self._note_tools(path)
                messages = [m for m in path if m.role in ("user", "assistant")]
                fold = None
                ids = [m.id for m in path]
                if compaction is not None and compaction.through_id in ids:
                    through = ids.index(compaction.through_id)
                    summarised = {m.id for m in path[: through + 1]}
                    fold = CompactionFold(compaction, [m for m in messages if m.id in summarised])
                    messages = [m for m in messages if m.id not in summarised]
                if fold is not None:
                    await self.mount(fold)
                if conversation_id is None or not messages:
                    self._older = []
                    if live is None:
                        await self.mount(Static(self.empty_text, classes="empty-state"))
                    self.anchor()
                    return
                first = page_from_end(messages, self._text_width, self._rows(FIRST_SCREENS))
                self._older = messages[:-first]
                widgets = self._widgets_for(messages[-first:], live, is_tail=True)
                if self._older:
                    marker = OlderMessages(classes="older-messages")
                    marker.set_count(len(self._older))
                    widgets.insert(0, marker)
                await self.mount_all(widgets)
                self.anchor()
                if self._older:
                    self.call_after_refresh(self._fill_view)

    async def show_notice(self, text: Content) -> None:
        """Replace the pane's content with a few lines of text (no conversation open)."""
        async with self._lock:
            self.conversation_id = None
            self._older = []
            await self._replace("*", [Static(text, classes="empty-state")])

    async def _replace(self, old: str | Iterable[Widget], new: list[Widget]) -> None:
        """Remove ``old`` (children, or a selector of them) and mount ``new`` after the rest, in
        one batch: one layout and one paint with all in, not also one of the emptied pane."""
        with self.app.batch_update():
            await self.remove_children(old)
            await self.mount_all(new)

    def _fill_view(self) -> None:
        """Load older messages while the mounted ones do not fill the pane (their height was
        estimated): with nothing to scroll, scrolling up would never ask for them."""
        if self._older and self.max_scroll_y <= 0 and not self._lock.locked():
            self.call_later(self._load_and_fill)

    async def _load_and_fill(self) -> None:
        # Everything mounted was in view: it stays so, the end of the conversation at the bottom.
        await self.load_older(keep_view=False)
        self.anchor()
        self.call_after_refresh(self._fill_view)

    async def catch_up(self, path: Sequence[Message]) -> bool:
        """Show what another process wrote to this conversation (a reply by ``glm-tui ask``, a
        reply it was still writing): the widgets from the first message that changed are made
        again; those above stay, and so does the view. False when the path no longer passes
        through what is shown (another branch was chosen): show it whole then."""
        async with self._lock:
            shown = self.message_widgets()
            messages = [m for m in path if m.role in ("user", "assistant")]
            if not shown:
                return not messages
            by_id = {m.id: i for i, m in enumerate(messages)}
            start = by_id.get(shown[0].message.id)  # type: ignore[attr-defined]
            if start is None:
                return False
            for index, widget in enumerate(shown):
                place = start + index
                if place >= len(messages) or changed(widget.message, messages[place]):  # type: ignore[attr-defined]
                    break
            else:
                index, place = len(shown), start + len(shown)
                if place >= len(messages):
                    return True  # nothing new
            if any(getattr(w, "live", None) is not None for w in shown[index:]):
                return True  # this app is writing there: its own turn shows it
            self._note_tools(path, replace=False)
            later = (
                list(self.children)[list(self.children).index(shown[index]) :]
                if index < len(shown)
                else list(self.query(".missing-reply"))
            )
            await self._replace(later, self._widgets_for(messages[place:], None, is_tail=True))
            return True

    async def start_turn(self, live: LiveTurn, user: Message, reply: Message) -> None:
        """Show a reply starting: after its prompt, replacing whatever followed that prompt."""
        await markdown_imported()
        async with self._lock:
            if self.conversation_id != live.conversation_id:
                return
            with self.app.batch_update():  # the prompt and its reply appear in one frame
                await self.query(".empty-state, .missing-reply").remove()
                branches = self._branches([user, reply])
                prompt = self.widget_for(user.id)
                if prompt is None:
                    await self.mount(UserMessage(user, branches.get(user.id), self.image_loader))
                else:
                    later = list(self.children)[list(self.children).index(prompt) + 1 :]
                    await self.remove_children(later)
                branch = branches.get(reply.id)
                answer = AssistantMessage(reply, live=live, clock=self.clock, branch=branch)
                await self.mount(answer)
                self.anchor()
                await self._unmount_top()

    async def _unmount_top(self) -> None:
        """Unmount all but the last screen and a half of messages (they go back to the ones
        mounted when scrolled to). After scrolling up through a long history, hundreds of
        mounted messages would make every layout of a new reply slow; the view follows the end
        of the new reply, so nothing it shows moves."""
        widgets = self.message_widgets()
        if len(widgets) <= PAGE_SIZE:
            return
        messages: list[Message] = [w.message for w in widgets]  # type: ignore[attr-defined]
        keep = page_from_end(messages, self._text_width, self._rows(FIRST_SCREENS))
        drop = widgets[: len(widgets) - keep]
        self._older.extend(messages[: len(drop)])
        await self.remove_children(drop)
        try:
            marker = self.query_one(OlderMessages)
        except NoMatches:
            marker = OlderMessages(classes="older-messages")
            fold = self.fold
            if fold is not None:
                await self.mount(marker, after=self._unfolded[-1] if self._unfolded else fold)
            else:
                await self.mount(marker, before=0)
        marker.set_count(len(self._older))

    async def show_branch(
        self, first_id: int, branch: Sequence[Message], live: LiveTurn | None
    ) -> bool:
        """Replace the message ``first_id`` and all below it with ``branch``, which starts at a
        sibling of it: the messages above stay mounted, so switching a branch is quick.

        False (nothing changed) when that message is not mounted or the branch is longer than
        a page: then show the whole path.
        """
        async with self._lock:
            widget = self.widget_for(first_id)
            messages = [m for m in branch if m.role in ("user", "assistant")]
            if widget is None or not messages or len(messages) > PAGE_SIZE:
                return False
            self._note_tools(branch, replace=False)
            children = list(self.children)
            new = self._widgets_for(messages, live, is_tail=True)
            await self._replace(children[children.index(widget) :], new)
            return True

    # -- a turn with tools ---------------------------------------------------------------------

    async def show_call(self, live: LiveTurn, call: LiveToolCall) -> None:
        """A call of the turn being written here changed: its block shows it (made under the
        reply that asked for it, the first time)."""
        if self.conversation_id != live.conversation_id or live.assistant_id is None:
            return
        for widget in self.message_widgets():
            if isinstance(widget, AssistantMessage) and widget.block_for(call.call.id) is not None:
                await widget.show_call(call)
                return
        asking = self.widget_for(live.assistant_id)
        if isinstance(asking, AssistantMessage):
            await asking.show_call(call)

    async def continue_turn(self, live: LiveTurn, reply: Message) -> None:
        """The results went back to the model: its next reply streams below them."""
        async with self._lock:
            if self.conversation_id != live.conversation_id or self.widget_for(reply.id):
                return
            self._continued.add(reply.id)
            replies = [w for w in self.message_widgets() if isinstance(w, AssistantMessage)]
            if replies and replies[-1].thinking is not None:
                replies[-1].thinking.fold()  # the thinking that led to the calls: read, done
            await self.mount(AssistantMessage(reply, live=live, clock=self.clock, continued=True))
            self.anchor()

    # -- the fold of a compaction --------------------------------------------------------------

    @property
    def fold(self) -> CompactionFold | None:
        try:
            return self.query_one(CompactionFold)
        except NoMatches:
            return None

    @on(CompactionFold.Toggled)
    async def _toggle_fold(self, event: CompactionFold.Toggled) -> None:
        event.stop()
        await self.toggle_fold()

    async def toggle_fold(self) -> None:
        """Show the summarised messages below the fold, or fold them again."""
        async with self._lock:
            fold = self.fold
            if fold is None:
                return
            if fold.open:
                await self.remove_children(self._unfolded)
                self._unfolded = []
            else:
                self._unfolded = self._widgets_for(fold.folded, None, is_tail=False)
                await self.mount_all(self._unfolded, after=fold)
            fold.set_open(not fold.open)

    async def action_cursor(self, step: int) -> None:
        # Up from the first message reaches the fold above it; Down from the fold, the first
        # message below it.
        fold = self.fold
        if fold is not None and not self.has_older:
            messages = self.message_widgets()
            current = self.selected
            if step > 0 and fold.has_focus and messages:
                self.select(messages[0], step)
                return
            if (
                step < 0
                and messages
                and current is messages[0]
                and not self._scroll_within(current, step)
            ):
                fold.focus(scroll_visible=False)
                self.scroll_home(animate=False)
                return
            if step < 0 and fold.has_focus:
                return
        await super().action_cursor(step)

    # -- loading older messages ---------------------------------------------------------------

    @property
    def _text_width(self) -> int:
        return max(20, self.size.width - 6)

    def _rows(self, screens: float) -> int:
        return int((self.size.height or 40) * screens)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value:
            self.top_wanted = False
        # Scrolling up, half a screen from the top: the next messages are mounted before the
        # top is reached.
        near_top = new_value <= self.size.height / 2 and new_value < old_value
        if (near_top or new_value <= 0) and self._older and not self._lock.locked():
            self.call_later(self.load_older)

    async def load_older(self, *, keep_view: bool = True, count: int = 0) -> None:
        """Mount the next older messages above (``count`` of them, or about two screens); with
        ``keep_view``, the message at the top of the view stays where it is on the screen."""
        async with self._lock:
            if not self._older:
                return
            size = count or page_from_end(self._older, self._text_width, self._rows(OLDER_SCREENS))
            batch = self._older[-size:]
            del self._older[-size:]
            first = next(iter(self.message_widgets()), None)
            offset = first.virtual_region.y - self.scroll_y if first is not None else 0
            widgets = self._widgets_for(batch, None, is_tail=False)
            marker = self.query_one(OlderMessages)
            with self.app.batch_update():  # one layout, with the marker's count or without it
                await self.mount_all(widgets, after=marker)
                if self._older:
                    marker.set_count(len(self._older))
                else:
                    await marker.remove()
            if first is not None and keep_view:
                # Keep the message the user was looking at where it was on the screen.
                self.call_after_refresh(self._keep_in_place, first, offset)

    def _keep_in_place(self, widget: Widget, offset: int, tries: int = 10) -> None:
        if self.is_anchored and not anchor_released(self):
            return  # sent to the end meanwhile (End, a new reply): the end wins
        if self.top_wanted:
            self.scroll_home(animate=False, immediate=True)  # Ctrl+Home meanwhile: the top wins
            return
        target = widget.virtual_region.y - offset
        if target <= 0 and tries:
            # The new messages are not laid out yet: look again after the next refresh.
            self.call_after_refresh(self._keep_in_place, widget, offset, tries - 1)
            return
        self.scroll_to(y=target, animate=False, immediate=True)
