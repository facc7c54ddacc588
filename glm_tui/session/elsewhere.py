"""Noticing what other programs wrote (``session.elsewhere``): another glm-tui window,
``glm-tui ask``, ``glm-tui rm`` sharing the same database.

``PRAGMA data_version`` changes only when another connection committed, so a look when nothing
changed is one cheap pragma. When it changed, the list is reloaded, the conversations the window
shows or writes in are checked (one deleted elsewhere: ``ConversationRemoved`` with
``elsewhere``), and the branch shown is read again (``ChangedElsewhere``), unless a reply is
being written in it here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.session.events import ChangedElsewhere, ConversationRemoved
from glm_tui.store import NotFound, StoreError

if TYPE_CHECKING:
    from glm_tui.session.session import Session


class ElsewhereWatch:
    """Looks for other programs' writes; see the module's docstring."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._data_version: int | None = None

    async def look(self) -> None:
        """``Session.look_elsewhere``: show what other programs wrote. A failure to look is
        quiet: the next look tries again."""
        session = self._session
        try:
            version = session.store.data_version()
        except StoreError:
            return
        if version == self._data_version:
            return
        first = self._data_version is None
        self._data_version = version
        if first:
            return
        session.spend.changed()
        await session.load_conversations()
        watched = set(session.live) | set(session.compares.running)
        if session.current_id is not None:
            watched.add(session.current_id)
        for watched_id in sorted(watched):
            if not self._exists(watched_id):
                await self.deleted(watched_id)
        cid = session.current_id
        if cid is None or session.writing_in(cid):
            return  # a reply written here shows itself
        try:
            path = session.window_path(cid)
        except StoreError:
            return
        if cid == session.current_id:
            session.shown_leaf = path[-1].id if path else None
            await session.emit(ChangedElsewhere(cid, path))
            await session.status_changed()

    def _exists(self, cid: int) -> bool:
        try:
            self._session.store.get_conversation(cid)
        except NotFound:
            return False
        except StoreError:
            return True  # not known now: looked at again next time
        return True

    async def deleted(self, cid: int) -> None:
        """Conversation ``cid`` was deleted by another program (found on a look, or when a
        turn or a compare began in it): the window forgets it if open and tells the listeners."""
        session = self._session
        if cid == session.current_id:
            session.current_id = None
            session.shown_leaf = None
        await session.emit(ConversationRemoved(cid, elsewhere=True))
        await session.status_changed()
