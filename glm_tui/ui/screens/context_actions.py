"""The model's window in the main screen: the chips changing, compaction (on demand, undone,
offered when a reply did not fit) and its fold in the pane.

``ContextActions.tell`` is called by ``SessionView`` with the session's ``AttachmentsChanged``,
``CompactionChanged`` and ``ContextOverflowed``; the palette's "Compact conversation" and "Undo
compaction" call ``compact`` and ``undo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

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
            screen.run_worker(self._offer_compaction(event.message.id), group="dialogs")

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

    async def _offer_compaction(self, message_id: int) -> None:
        from glm_tui.ui.screens.dialogs import ConfirmScreen

        screen = self.screen
        question = Content.assemble(
            ("The conversation no longer fits the model's window.", "bold"),
            "\n\nCompact it (the model summarises the older turns; nothing is deleted, and "
            "Undo compaction brings them back) and send the last prompt again?",
        )
        if not await screen.app.push_screen_wait(ConfirmScreen(question, yes="Compact and retry")):
            return
        screen.notify("Summarising the older turns…", timeout=3)
        try:
            turn = await attempt(screen.app, self.session.compaction.compact_and_retry(message_id))
        except CannotCompact as problem:
            screen.notify(str(problem), title="Cannot compact", severity="warning", markup=False)
            return
        if turn is not None:
            screen.turns.start(turn)
