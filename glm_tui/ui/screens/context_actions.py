"""The model's window in the main screen: the chips changing, compaction (on demand, undone,
offered when a reply did not fit) and its fold in the pane.

``ContextActions.tell`` is called by ``SessionView`` with the session's ``AttachmentsChanged``,
``CompactionChanged`` and ``ContextOverflowed``; the palette's "Compact conversation", "Undo
compaction" and "Compact and retry" (also a button on a reply that did not fit) call
``compact``, ``undo`` and ``compact_and_retry``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.context.compaction import CannotCompact
from glm_tui.session import (
    AttachmentsChanged,
    CompactionChanged,
    ContextOverflowed,
    Session,
)
from glm_tui.ui.screens.problems import attempt

if TYPE_CHECKING:
    from glm_tui.ui.screens.main import MainScreen

ContextEvent = AttachmentsChanged | CompactionChanged | ContextOverflowed


class ContextActions:
    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session

    async def tell(self, event: ContextEvent) -> None:
        screen = self.screen
        if isinstance(event, AttachmentsChanged):
            await screen.attachment_bar.show(event.pending)
            if event.note:
                screen.notify(event.note, title="Attached", markup=False, timeout=6)
        elif isinstance(event, CompactionChanged):
            if event.conversation_id == self.session.current_id:
                # The pane shows the branch again, folded (or not) as the compaction says.
                await attempt(screen.app, self.session.open(event.conversation_id))
        elif event.live.conversation_id == self.session.current_id:
            screen.notify(
                "The conversation no longer fits the model's window. Compact and retry (on the"
                " reply, or in the palette) summarises the older turns and sends the prompt"
                " again.",
                title="Too long",
                severity="warning",
                timeout=10,
            )

    # -- compaction ----------------------------------------------------------------------------

    def compact(self) -> None:
        self.screen.run_worker(self._compact(), group="compaction")

    def cancel(self) -> bool:
        """Escape while a summary is being written: stop it (nothing is saved); False if none
        was."""
        if not self.session.compaction.running():
            return False
        self.screen.workers.cancel_group(self.screen, "compaction")
        self.screen.notify("Compaction stopped: nothing changed.", timeout=3)
        return True

    async def _compact(self) -> None:
        screen = self.screen
        screen.notify("Summarising the older turns… (Escape stops)", timeout=3)
        try:
            made = await attempt(screen.app, self.session.compaction.compact())
        except CannotCompact as problem:
            screen.notify(str(problem), title="Cannot compact", severity="warning", markup=False)
            return
        if made is not None:
            noun = "message" if made.summarised == 1 else "messages"
            screen.notify(
                f"{made.summarised} earlier {noun} summarised: the summary is sent in their "
                "place. Undo compaction (in the palette) brings them back.",
                timeout=6,
            )

    async def undo(self) -> None:
        undone = await attempt(self.screen.app, self.session.compaction.undo())
        if undone is None:
            self.screen.notify("This conversation has no compaction to undo.", timeout=3)
            return
        noun = "message is" if undone.summarised == 1 else "messages are"
        self.screen.notify(
            f"Compaction undone: the {undone.summarised} {noun} sent again.", timeout=4
        )

    def compact_and_retry(self, message_id: int | None = None) -> None:
        """Summarise all but the failed turn, then a new reply to its prompt (the button on
        the reply, or the palette for the last reply that did not fit)."""
        if message_id is None:
            message_id = self._last_overflowed()
        if message_id is None:
            self.screen.notify("No reply here failed for lack of room in the window.", timeout=3)
            return
        self.screen.run_worker(self._compact_and_retry(message_id), group="compaction")

    def _last_overflowed(self) -> int | None:
        from glm_tui.context.overflow import overflowed
        from glm_tui.ui.widgets.messages import AssistantMessage

        for widget in reversed(self.screen.pane.message_widgets()):
            if isinstance(widget, AssistantMessage) and widget.live is None:
                return widget.message.id if overflowed(widget.message) else None
        return None

    async def _compact_and_retry(self, message_id: int) -> None:
        screen = self.screen
        screen.notify("Summarising the older turns… (Escape stops)", timeout=3)
        try:
            turn = await attempt(screen.app, self.session.compaction.compact_and_retry(message_id))
        except CannotCompact as problem:
            screen.notify(str(problem), title="Cannot compact", severity="warning", markup=False)
            return
        if turn is not None:
            screen.turns.start(turn)
