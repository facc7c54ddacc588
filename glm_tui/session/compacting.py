"""Compaction for the window (``session.compaction``): make one on demand, undo it, and make
room for a reply that did not fit, then retry it.

A compaction asks the model for a summary (a request of its own, which the caller runs as a
task it can cancel: nothing is saved then); the listeners are told with a
``CompactionChanged`` and the status line's figure drops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.context.compaction import KEEP_TURNS, CannotCompact, compact
from glm_tui.session.events import CompactionChanged
from glm_tui.store.compactions import Compaction, active_on

if TYPE_CHECKING:
    from glm_tui.session.session import Session
    from glm_tui.session.turns import Turn


class CompactionDesk:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._running: set[int] = set()

    def applied(self) -> Compaction | None:
        """The compaction that applies to the branch shown (fold its messages up to
        ``through_id``), or None."""
        session = self._session
        if session.current_id is None:
            return None
        path = session.window_path(session.current_id)
        return active_on(session.store.compactions(session.current_id), path)

    def running(self) -> bool:
        """A summary is being written for the open conversation."""
        return self._session.current_id in self._running

    async def compact(self, *, keep_turns: int = KEEP_TURNS) -> Compaction:
        """Summarise the branch shown but its last ``keep_turns`` turns.

        Raises CannotCompact (nothing older to summarise, the summary failed), Busy (a reply
        or a summary is being written here) or CannotSend (no key...)."""
        from glm_tui.session.errors import Busy

        session = self._session
        cid, leaf = session.current_id, session.shown_leaf
        if cid is None or leaf is None:
            raise CannotCompact("nothing to compact: the conversation is empty")
        if cid in session.live or cid in self._running:
            raise Busy
        session.turns.check_can_send()
        self._running.add(cid)
        try:
            made = await compact(session.service, cid, leaf, keep_turns=keep_turns)
        finally:
            self._running.discard(cid)
        if cid == session.current_id:
            await session._emit(CompactionChanged(cid, self.applied()))
            await session.status_changed()
        return made

    async def undo(self) -> Compaction | None:
        """Undo the compaction of the branch shown (its turns are sent again); returns it
        (None: there was none)."""
        session = self._session
        applied = self.applied()
        if applied is None or session.current_id is None:
            return None
        undone = session.store.set_compaction_undone(applied.id)
        await session._emit(CompactionChanged(session.current_id, self.applied(), undone))
        await session.status_changed()
        return undone

    async def redo(self, compaction: Compaction) -> None:
        """Make an undone compaction apply again (the undo of the undo)."""
        session = self._session
        session.store.set_compaction_undone(compaction.id, undone=False)
        if session.current_id == compaction.conversation_id:
            await session._emit(CompactionChanged(compaction.conversation_id, self.applied()))
            await session.status_changed()

    async def compact_and_retry(self, message_id: int) -> Turn | None:
        """For a reply that failed because the conversation no longer fit: summarise all but
        the failed turn, then a new reply to its prompt."""
        await self.compact(keep_turns=1)
        return await self._session.regenerate(message_id)
