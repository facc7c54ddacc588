"""What the main screen does with one message: edit a prompt, ask again, switch between siblings,
fork, and put the cursor on a message.

The message widgets post :class:`MessageActions.Requested`; this carries it out through the
session. Nothing is ever deleted: an edited prompt and a new reply are siblings of the old ones,
and ``[`` / ``]`` walk between siblings (the branch shown is saved, so it is the same after a
restart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.session import Busy, CannotSend, Session
from glm_tui.ui.screens.problems import attempt, attempt_now, say
from glm_tui.ui.widgets.message_actions import MessageActions

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen


class BranchActions:
    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session

    async def requested(self, event: MessageActions.Requested) -> None:
        if event.kind == "edit":
            self.screen.run_worker(self._edit(event.message_id), group="dialogs")
        elif event.kind == "fork":
            await self.screen.conversations.fork(event.message_id)
        elif event.kind == "branch":
            await self.switch(event.message_id, event.step)
        elif event.kind == "reply":
            await self.screen.conversations.reply_again(event.message_id)
        elif event.kind == "bookmark":
            await self.bookmark(event.message_id)

    async def bookmark(self, message_id: int) -> None:
        """Bookmark the message, or remove its bookmark (the pane marks it on the event)."""
        done = await attempt(self.screen.app, self.session.organizer.toggle_bookmark(message_id))
        if done is not None:
            text = "Bookmarked (palette: Bookmarks)." if done else "Bookmark removed."
            self.screen.notify(text, timeout=3)

    async def switch(self, message_id: int, step: int) -> None:
        """Show the previous (-1) or next (+1) sibling of a message, and the newest branch
        below it; the cursor stays on the sibling, so the key can be pressed again."""
        screen = self.screen
        target = await attempt(screen.app, self.session.switch_branch(message_id, step))
        if target is None:
            screen.app.bell()
            return
        await self.select_message(target)

    async def select_message(self, message_id: int) -> None:
        """Put the cursor on a message of the pane, loading older pages until it is there."""
        pane = self.screen.pane
        while (widget := pane.widget_for(message_id)) is None and pane.has_older:
            await pane.load_older()
        if widget is not None:
            pane.select(widget)

    async def _edit(self, message_id: int) -> None:
        """Ask for the new text of a prompt; send it as a sibling of the old one."""
        screen = self.screen
        message = attempt_now(screen.app, lambda: self.session.message(message_id))
        if message is None or message.role != "user":
            return
        if message.conversation_id in self.session.live:
            say(screen.app, Busy())
            return
        problem = self.session.settings.request_problem()
        if problem:
            say(screen.app, CannotSend(problem))
            return
        from glm_tui.ui.screens.edit_dialog import EditScreen

        text = await screen.app.push_screen_wait(EditScreen(message.content))
        if text is None:
            return
        if text == message.content:
            screen.notify("The prompt is unchanged (r on it asks for a new reply).", timeout=4)
            return
        await screen.conversations.start(self.session.edit(message_id, text))
