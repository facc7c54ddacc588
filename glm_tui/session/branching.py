"""Moving between the branches of the open conversation (``session.branches``): the previous
or next sibling of a message, and a fork of the branch shown into a new conversation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.session.errors import Busy
from glm_tui.session.events import BranchChanged, ConversationTouched

if TYPE_CHECKING:
    from glm_tui.session.session import Session


class BranchDesk:
    """Switches branches and forks; see the module's docstring."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def switch(self, message_id: int, step: int) -> int | None:
        """``Session.switch_branch``: the previous (-1) or next (+1) sibling of a message."""
        session = self._session
        cid = session.current_id
        if cid is None:
            return None
        if session.writing_in(cid):
            raise Busy
        store = session.store
        siblings = [m.id for m in store.siblings(message_id)]
        index = siblings.index(message_id) + step
        if not 0 <= index < len(siblings):
            return None
        target = siblings[index]
        leaf = store.newest_leaf_under(target)
        store.set_current_leaf(cid, leaf)
        path = store.path_to(leaf)
        session.shown_leaf = leaf
        start = [m.id for m in path].index(target)
        await session.emit(BranchChanged(cid, message_id, path[start:], session.live.get(cid)))
        return target

    async def fork(self, message_id: int | None = None) -> int | None:
        """``Session.fork``: a new conversation with the branch up to ``message_id``."""
        session = self._session
        if message_id is None:
            if session.current_id is None or session.shown_leaf is None:
                return None
            message_id = session.shown_leaf
        message = session.store.get_message(message_id)
        live = session.live.get(message.conversation_id)
        if live is not None and live.assistant_id == message_id:
            raise Busy
        comparing = session.compares.running.get(message.conversation_id)
        if comparing is not None and message_id in comparing.reply_ids:
            raise Busy
        new_id = session.store.fork(message_id)
        await session.emit(ConversationTouched(session.store.conversation_summary(new_id)))
        await session.open(new_id)
        return new_id

    def branch_through(self, cid: int, message_id: int) -> None:
        """Make the conversation's current branch go through ``message_id`` (the newest below
        it) if it does not already."""
        store = self._session.store
        if all(m.id != message_id for m in store.current_path(cid)):
            store.set_current_leaf(cid, store.newest_leaf_under(message_id))
