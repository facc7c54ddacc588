"""Turns in the TUI: one async worker per reply, in a group per conversation.

The worker consumes the chat service's events and keeps a :class:`LiveTurn` up to date; the
message widget showing that reply (if any) follows it. Escape cancels the conversation's group:
the service then saves the partial reply as ``stopped``. Worker failures are handled here, in
one place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from textual.app import App
from textual.worker import Worker, WorkerState

from glm_tui.api.events import Connected, ContentDelta, ReasoningDelta, Usage
from glm_tui.chat import ChatService, TurnEnded, TurnEvent, TurnStarted
from glm_tui.config import Settings
from glm_tui.store import NotFound, Store, StoreError
from glm_tui.ui.live import LiveTurn
from glm_tui.ui.widgets.messages import AssistantMessage

if TYPE_CHECKING:
    from glm_tui.ui.widgets.composer import Composer
    from glm_tui.ui.widgets.message_pane import MessagePane
    from glm_tui.ui.widgets.sidebar import Sidebar


class TurnsApp(App[None]):
    """The part of the app that runs turns; GLMApp builds the screen around it."""

    settings: Settings
    store: Store
    service: ChatService
    current_id: int | None
    thinking: bool
    live: dict[int, LiveTurn]
    """Replies being written, by conversation id."""

    if TYPE_CHECKING:
        pane: MessagePane
        sidebar: Sidebar
        composer: Composer

        def seconds(self) -> float: ...
        def update_status(self) -> None: ...
        def refresh_sidebar(self) -> None: ...
        async def show_deleted(self) -> None: ...
        def _safe(self, func: Callable[[], object]) -> object: ...
        async def open_conversation(
            self, cid: int | None, message_id: int | None = None
        ) -> None: ...

    def start_turn(self, cid: int, begin: Callable[[], AsyncIterator[TurnEvent]]) -> bool:
        """Run one turn in a worker of the conversation's group (Escape cancels that group).

        ``begin`` saves the prompt (synchronously) and returns the service's event stream.
        """
        if self._busy(cid):
            return False
        try:
            stream = begin()
        except NotFound as exc:
            if exc.kind == "conversation" and exc.ident == cid:
                self.call_later(self.show_deleted)  # deleted elsewhere; the draft stays
            else:
                self.notify(str(exc), severity="error", markup=False)
            return False
        except (StoreError, ValueError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        live = LiveTurn(cid, started=self.seconds())
        self.live[cid] = live
        self.sidebar.set_live(set(self.live))
        self.update_status()
        if self.pane.conversation_id == cid:
            self.pane.anchor()
        self.run_worker(
            self._run_turn(live, stream),
            name=f"turn in conversation {cid}",
            group=f"conversation-{cid}",
            exit_on_error=False,
        )
        return True

    def _busy(self, cid: int) -> bool:
        if cid in self.live:
            self.notify(
                "A reply is still being written here: wait for it, or press Escape to stop it.",
                severity="warning",
            )
        return cid in self.live

    async def _run_turn(self, live: LiveTurn, stream: AsyncIterator[TurnEvent]) -> None:
        try:
            async with contextlib.aclosing(stream) as events:  # type: ignore[type-var]
                async for event in events:
                    if isinstance(event, ContentDelta):
                        live.add_content(event.text, self.seconds())
                    elif isinstance(event, ReasoningDelta):
                        live.add_reasoning(event.text)
                    elif isinstance(event, TurnStarted):
                        await self._turn_started(live, event)
                    elif isinstance(event, Connected) and live.connected is None:
                        live.connected = self.seconds()
                    elif isinstance(event, Usage):
                        live.usage = event
                    elif isinstance(event, TurnEnded):
                        live.final = event.message
        finally:
            await self._turn_ended(live)

    async def _turn_started(self, live: LiveTurn, event: TurnStarted) -> None:
        live.user_id = event.user_message_id
        live.assistant_id = event.assistant_message_id
        live.model = event.model
        if self.pane.conversation_id == live.conversation_id:
            user = self.store.get_message(event.user_message_id)
            reply = self.store.get_message(event.assistant_message_id)
            await self.pane.start_turn(live, user, reply)
        self.refresh_sidebar()

    async def _turn_ended(self, live: LiveTurn) -> None:
        cid = live.conversation_id
        if self.live.get(cid) is live:
            del self.live[cid]
        if not self.is_running:
            return
        message = live.final
        if message is None and live.assistant_id is not None:
            try:
                message = self.store.get_message(live.assistant_id)
            except NotFound:
                pass  # deleted by another program (the app says so where it noticed)
            except StoreError as exc:
                self.notify(str(exc), title="History database", severity="error", markup=False)
        listener = live.listener
        if isinstance(listener, AssistantMessage) and message is not None:
            await listener.finish(message)
        elif self.pane.conversation_id == cid and live.assistant_id is None:
            await self.open_conversation(cid)  # stopped before the reply began
        self.refresh_sidebar()
        self.update_status()
        if self.pane.conversation_id == cid and len(self.screen_stack) == 1:
            self.composer.focus()

    async def _cancel_turn(self, cid: int) -> None:
        workers = self.workers.cancel_group(self, f"conversation-{cid}")
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.workers.wait_for_complete(workers), 5)

    async def cancel_all_turns(self, timeout: float = 3) -> None:
        """Stop every reply being written (each is saved as stopped) and wait for them."""
        workers = [w for w in self.workers if w.group.startswith("conversation-")]
        for worker in workers:
            worker.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.workers.wait_for_complete(workers), timeout)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place that handles a worker's failure: say it, keep the app running."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.log.error(event.worker, error)
            if isinstance(error, StoreError):  # its message is one clear line already
                self.notify(str(error), title="History database", severity="error", markup=False)
                return
            self.notify(
                f"{type(error).__name__}: {error}",
                title="Something went wrong",
                severity="error",
                timeout=10,
                markup=False,
            )

    def reply_again(self, user_message_id: int) -> None:
        """A reply to a prompt whose reply never got written."""
        if self.current_id is not None and not self.settings.request_problem():
            thinking = self.thinking
            self.start_turn(
                self.current_id,
                lambda: self.service.reply_to(user_message_id, thinking=thinking),
            )

    def regenerate(self, message_id: int) -> None:
        if self.current_id is None or self.settings.request_problem():
            return
        thinking = self.thinking
        self.start_turn(
            self.current_id, lambda: self.service.regenerate(message_id, thinking=thinking)
        )
