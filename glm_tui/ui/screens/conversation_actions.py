"""What the main screen does with conversations: send, open, search, rename, delete, fork,
regenerate, and look for what other programs wrote. Each goes through the session; what it
changes comes back as session events (``session_view.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from glm_tui.session import Session, Turn, WouldOverflow
from glm_tui.ui.screens.problems import attempt, attempt_now
from glm_tui.ui.widgets.sidebar import HIGHLIGHT

if TYPE_CHECKING:
    from collections.abc import Awaitable, Coroutine
    from typing import Any

    from glm_tui.ui.screens.main import MainScreen

SEARCH_LIMIT = 200


class ConversationActions:
    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session

    # -- turns ---------------------------------------------------------------------------------

    async def send(
        self, text: str, *, force: bool = False, budget_ok: bool = False, typed: str | None = None
    ) -> None:
        """The composer's text as a new prompt; it leaves the composer once it is saved (what
        was typed meanwhile stays; ``typed``: the line as typed, when ``text`` was made from
        it). A message that would not fit the model's window, or sent past the monthly budget,
        is sent only if the user says so."""
        screen = self.screen
        if not budget_ok and self.session.over_budget():
            screen.run_worker(self._send_over_budget(text, typed), group="dialogs")
            return
        try:
            turn = await attempt(screen.app, self.session.send(text, force=force))
        except WouldOverflow as overflow:
            screen.run_worker(self._send_anyway(text, str(overflow), typed), group="dialogs")
            return
        if turn is None:
            if self.session.settings.request_problem():
                await screen.welcome()  # what a key is needed for, and where to put it
            return
        screen.composer.take_sent(text if typed is None else typed)
        screen.turns.start(turn)

    async def _send_anyway(self, text: str, why: str, typed: str | None) -> None:
        from glm_tui.ui.screens.dialogs import ConfirmScreen

        question = Content.assemble(why, "\n\nSend it anyway?")
        if await self.screen.app.push_screen_wait(ConfirmScreen(question, yes="Send anyway")):
            await self.send(text, force=True, budget_ok=True, typed=typed)

    async def _send_over_budget(self, text: str, typed: str | None) -> None:
        if await self.screen.models.budget_allows():
            await self.send(text, budget_ok=True, typed=typed)

    async def start(self, call: Coroutine[Any, Any, Turn | None]) -> None:
        """Start a turn that does not come from the composer (retry, regenerate, edit); past
        the monthly budget, only if the user says so."""
        if self.session.over_budget():
            self.screen.run_worker(self._start_over_budget(call), group="dialogs")
            return
        await self._start(call)

    async def _start_over_budget(self, call: Coroutine[Any, Any, Turn | None]) -> None:
        if await self.screen.models.budget_allows():
            await self._start(call)
        else:
            call.close()  # never started: nothing was saved

    async def _start(self, call: Awaitable[Turn | None]) -> None:
        turn = await attempt(self.screen.app, call)
        if turn is not None:
            self.screen.turns.start(turn)

    async def retry(self, message_id: int) -> None:
        await self.start(self.session.regenerate(message_id))

    async def reply_again(self, user_message_id: int) -> None:
        await self.start(self.session.reply_again(user_message_id))

    async def regenerate_last(self) -> None:
        await self.start(self.session.regenerate_last())

    async def toggle_thinking(self) -> None:
        thinking = await self.session.toggle_thinking()
        state = "on" if thinking else "off"
        self.screen.notify(f"Thinking {state} for the next request.", timeout=2)

    # -- opening -------------------------------------------------------------------------------

    async def open(self, cid: int | None, message_id: int | None = None) -> None:
        await attempt(self.screen.app, self.session.open(cid, message_id))

    async def new(self) -> None:
        await self.open(None)
        self.screen.composer.focus()

    def full_text_search(self, query: str) -> None:
        screen = self.screen
        hits = attempt_now(
            screen.app,
            lambda: self.session.search(query, SEARCH_LIMIT, highlight=HIGHLIGHT),
            title="Search",
        )
        if hits is None:
            return
        screen.sidebar.show_hits(query, hits)
        screen.sidebar.option_list.focus()

    async def fork(self, message_id: int | None = None) -> None:
        """A new conversation with the branch up to a message (None: the selected one, or all
        of the branch shown), opened."""
        screen = self.screen
        if message_id is None and (selected := screen.pane.selected) is not None:
            message_id = selected.message.id
        new_id = await attempt(screen.app, self.session.fork(message_id))
        if new_id is None:
            return
        screen.composer.focus()
        title = attempt_now(screen.app, lambda: self.session.title(new_id))
        screen.notify(f"Forked into “{title}”; the original is unchanged.", markup=False, timeout=4)

    # -- other programs ------------------------------------------------------------------------

    async def look_elsewhere(self) -> None:
        """Show what other programs wrote (the timer, and the terminal getting the focus)."""
        await self.session.look_elsewhere()

    # -- dialogs -------------------------------------------------------------------------------

    def rename(self) -> None:
        self.screen.run_worker(self._rename(), group="dialogs")

    async def _rename(self) -> None:
        screen = self.screen
        cid = self.session.current_id
        if cid is None:
            screen.notify("Send a message first: a new conversation has no title yet.")
            return
        title = attempt_now(screen.app, lambda: self.session.title(cid))
        if title is None:
            return
        from glm_tui.ui.screens.dialogs import RenameScreen

        new_title = await screen.app.push_screen_wait(RenameScreen(title))
        if new_title and new_title != title:
            await attempt(screen.app, self.session.rename(cid, new_title))

    def confirm_delete(self, cid: int) -> None:
        self.screen.run_worker(self._confirm_delete(cid), group="dialogs")

    async def _confirm_delete(self, cid: int) -> None:
        screen = self.screen
        title = attempt_now(screen.app, lambda: self.session.title(cid))
        if title is None:
            return
        question = Content.assemble(
            "Delete the conversation ", (title, "bold"), "?\nIts messages are removed for good."
        )
        from glm_tui.ui.screens.dialogs import ConfirmScreen

        if not await screen.app.push_screen_wait(ConfirmScreen(question)):
            return
        if cid in self.session.live:
            await screen.turns.cancel(cid)
        if await attempt(screen.app, _done(self.session.delete(cid))):
            screen.notify(f"Deleted “{title}”.", markup=False)


async def _done(call: Awaitable[None]) -> bool:
    await call
    return True
