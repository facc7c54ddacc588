"""The keyboard cursor over the message pane: the selected message is the focused one.

Up and down move it from message to message; a message taller than the view is scrolled through
first, so a long reply can be read with the same keys. Up from the first mounted message loads the
older ones; down from the last leaves the pane (the app puts the focus back in the composer).
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.message import Message as TextualMessage
from textual.widget import Widget

from glm_tui.records import record
from glm_tui.ui import keys
from glm_tui.ui.widgets.message_actions import MessageActions


class MessageCursor(VerticalScroll, inherit_bindings=False):
    """A scrolling column of messages in which up and down select a message."""

    BINDINGS = keys.bindings("cursor")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        keys.install(self, "cursor")

    @record(frozen=False, slots=False)
    class LeftBottom(TextualMessage):
        """Down was pressed on the last message: the cursor leaves the pane."""

    # -- what the pane provides ---------------------------------------------------------------

    def message_widgets(self) -> list[Widget]:
        return [w for w in self.children if isinstance(w, MessageActions)]

    @property
    def has_older(self) -> bool:
        """Older messages exist that are not mounted yet."""
        return False

    async def load_older(self) -> None:
        """Mount the next page of older messages (the pane does it)."""

    # -- the cursor ---------------------------------------------------------------------------

    @property
    def selected(self) -> MessageActions | None:
        """The message holding the focus (or holding the focused widget, e.g. its Thinking)."""
        node: DOMNode | None = self.screen.focused if self.is_attached else None
        while node is not None and node is not self:
            if isinstance(node, MessageActions) and node.parent is self:
                return node
            node = node.parent
        return None

    def select(self, widget: Widget, direction: int = 0) -> None:
        """Put the cursor on ``widget`` and scroll just enough to show it.

        ``direction`` says where the cursor came from: moving up into a message taller than the
        view shows its end, moving down shows its start.
        """
        widget.focus(scroll_visible=False)
        self.call_after_refresh(self._show, widget, direction)

    def select_last(self) -> bool:
        messages = self.message_widgets()
        if messages:
            self.select(messages[-1], -1)
        return bool(messages)

    async def action_cursor(self, step: int) -> None:
        messages = self.message_widgets()
        if not messages:
            self.scroll_relative(y=step, animate=False)
            return
        current = self.selected
        if current is None:
            self.select(self._nearest_visible(messages, step), step)
            return
        if self._scroll_within(current, step):
            return
        index = messages.index(current) + step
        if index < 0 and self.has_older:
            await self.load_older()
            messages = self.message_widgets()
            index = messages.index(current) + step
        if index >= len(messages):
            self.scroll_end(animate=False)
            self.post_message(self.LeftBottom())
        elif index >= 0:
            self.select(messages[index], step)

    async def action_first(self) -> None:
        """The first message (vi's g): the older ones are mounted first."""
        while self.has_older:
            await self.load_older()
        messages = self.message_widgets()
        if messages:
            self.select(messages[0], 1)

    def action_last(self) -> None:
        """The last message (vi's G)."""
        messages = self.message_widgets()
        if messages:
            self.select(messages[-1], -1)

    async def action_search(self) -> None:
        await self.screen.run_action("search")

    # -- scrolling ----------------------------------------------------------------------------

    def _view(self) -> tuple[int, int]:
        top = round(self.scroll_y)
        return top, top + self.scrollable_content_region.height

    def _nearest_visible(self, messages: list[Widget], step: int) -> Widget:
        top, bottom = self._view()
        visible = [
            m for m in messages if m.virtual_region.y < bottom and m.virtual_region.bottom > top
        ]
        if not visible:
            return messages[-1] if step < 0 else messages[0]
        return visible[-1] if step < 0 else visible[0]

    def _scroll_within(self, widget: Widget, step: int) -> bool:
        """Scroll through a message that does not fit; False once its end (or start) shows.

        A selected message scrolled out of sight (with the mouse) is brought back first.
        """
        region = widget.virtual_region
        top, bottom = self._view()
        if region.bottom <= top or region.y >= bottom:
            self._show(widget, step)
            return True
        page = max(1, bottom - top - 2)
        if step > 0 and region.bottom > bottom:
            self.scroll_to(y=min(top + page, region.bottom - (bottom - top)), animate=False)
            return True
        if step < 0 and region.y < top:
            self.scroll_to(y=max(top - page, region.y), animate=False)
            return True
        return False

    def _show(self, widget: Widget, direction: int) -> None:
        if not widget.is_attached:
            return
        region = widget.virtual_region_with_margin
        top, bottom = self._view()
        height = bottom - top
        if region.y >= top and region.bottom <= bottom:
            return
        if region.height > height:
            y = region.bottom - height if direction < 0 else region.y
        else:
            y = region.y if region.y < top else region.bottom - height
        self.scroll_to(y=y, animate=False)
